//! `integrations status`: what is installed, which required variables are missing per
//! environment, and drift between generated files, the lock and the manifests.

use std::collections::BTreeMap;

use serde_json::json;

use super::Context;
use crate::error::Result;
use crate::generate::installed;
use crate::plan::read_optional;
use crate::project::Project;
use crate::project::lock::hash;
use crate::secrets::Origin;
use crate::ui::table;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<i32> {
    let project = Project::require(&ctx.dir)?;
    let all = installed(ctx.catalog()?, &project.file)?;
    let mut resolvers = Vec::new();
    for env in &project.file.project.environments {
        resolvers.push(ctx.resolver(&project, env)?);
    }
    let mut unavailable = Vec::new();
    let mut items = Vec::new();
    for inst in &all {
        let key = &inst.key;
        let m = inst.manifest;
        let entry = &inst.entry;
        let mut missing = BTreeMap::new();
        let mut unknown = BTreeMap::new();
        for resolver in resolvers
            .iter()
            .filter(|r| inst.environments.contains(&r.env))
        {
            let mut absent = Vec::new();
            let mut not_looked_up = Vec::new();
            for v in inst.vars.iter().filter(|v| v.required) {
                match resolver.lookup(&inst.label(), v).origin {
                    Origin::Missing => absent.push(v.name.clone()),
                    Origin::Unavailable => {
                        unavailable.push(format!("{} ({})", v.name, resolver.env));
                        not_looked_up.push(v.name.clone());
                    }
                    _ => {}
                }
            }
            missing.insert(resolver.env.clone(), absent);
            unknown.insert(resolver.env.clone(), not_looked_up);
        }
        let mut drift = Vec::new();
        if let Some(locked) = project.lock.integrations.get(key) {
            if locked.manifest_version != *m.version {
                drift.push(json!({
                    "kind": "behind",
                    "message": format!("generated from manifest {}, current is {}; run `integrations update {key}`", locked.manifest_version, *m.version),
                }));
            }
            for (path, h) in &locked.files {
                match read_optional(&ctx.dir.join(path))? {
                    None => drift.push(json!({"kind": "deleted", "path": path, "message": format!("{path} was deleted")})),
                    Some(c) if hash(&c) != *h => drift.push(json!({"kind": "modified", "path": path, "message": format!("{path} was modified")})),
                    Some(_) => {}
                }
            }
        } else {
            drift.push(json!({"kind": "not-generated", "message": format!("not generated yet; run `integrations update {key}`")}));
        }
        items.push(json!({
            "integration": key,
            "provider": entry.provider,
            "alias": entry.alias,
            "config": entry.config,
            "options": entry.options,
            "environments": inst.environments,
            "missing": missing,
            // Required secrets that could not be looked up (no keychain available).
            "unknown": unknown,
            "drift": drift,
        }));
    }
    if !unavailable.is_empty() {
        ctx.printer.warn(&format!(
            "no keychain available, so these could not be looked up: {}",
            unavailable.join(", ")
        ));
    }
    if args.json {
        let out = json!({
            "project": {
                "name": project.file.project.name,
                "id": project.file.project.id,
                "framework": project.file.project.framework,
                "environments": project.file.project.environments,
            },
            "integrations": items,
        });
        ctx.printer
            .data(&serde_json::to_string_pretty(&out).unwrap_or_default());
        return Ok(0);
    }
    let p = &ctx.printer;
    p.data(&format!(
        "{} ({})  environments: {}",
        p.bold(&project.file.project.name),
        project.file.project.id,
        project.file.project.environments.join(", ")
    ));
    if items.is_empty() {
        p.data("no integrations yet; add one with `integrations add <provider>`");
        return Ok(0);
    }
    let mut rows = vec![
        ["INTEGRATION", "CONFIG", "MISSING", "DRIFT"]
            .map(|h| p.bold(h))
            .to_vec(),
    ];
    let mut details = Vec::new();
    for item in &items {
        let key = item["integration"].as_str().unwrap_or_default();
        let mut missing_cells = Vec::new();
        if let Some(map) = item["missing"].as_object() {
            for (env, vars) in map {
                let names: Vec<&str> = vars
                    .as_array()
                    .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
                    .unwrap_or_default();
                if !names.is_empty() {
                    missing_cells.push(format!("{env}: {}", names.len()));
                    details.push(format!("  {key} [{env}] missing {}", names.join(", ")));
                }
            }
        }
        if let Some(map) = item["unknown"].as_object() {
            for (env, vars) in map {
                let n = vars.as_array().map_or(0, Vec::len);
                if n > 0 {
                    missing_cells.push(format!("{env}: {n} unknown"));
                }
            }
        }
        let drift = item["drift"].as_array().cloned().unwrap_or_default();
        for d in &drift {
            details.push(format!(
                "  {key}: {}",
                d["message"].as_str().unwrap_or_default()
            ));
        }
        rows.push(vec![
            p.cyan(key),
            item["config"].as_str().unwrap_or_default().to_owned(),
            if missing_cells.is_empty() {
                p.green("none")
            } else {
                p.yellow(&missing_cells.join(", "))
            },
            if drift.is_empty() {
                p.green("none")
            } else {
                p.yellow(&format!("{} file(s)", drift.len()))
            },
        ]);
    }
    p.data(&table::render(&rows));
    if !details.is_empty() {
        p.data(&details.join("\n"));
    }
    Ok(0)
}
