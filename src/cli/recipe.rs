//! `integrations recipe list | apply <recipe>`: bundles of integrations added as one change.

use clap_complete::ArgValueCompleter;
use serde_json::json;

use super::Context;
use super::add::{Added, check_env_flag, next_steps};
use crate::error::Result;
use crate::generate::plan_additions;
use crate::project::Project;
use crate::recipe;
use crate::ui::table;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the recipes: built in, and the project's own in .integrations/recipes/
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Add every integration of a recipe, as one all-or-nothing change
    Apply(ApplyArgs),
}

#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// Recipe name (see `integrations recipe list`)
    #[arg(add = ArgValueCompleter::new(super::complete::recipes))]
    name: String,
    /// Only enable its integrations in these environments (comma-separated or repeated;
    /// default: all)
    #[arg(long = "env", value_name = "ENV", value_delimiter = ',')]
    envs: Vec<String>,
    /// Show the changes as a diff and write nothing
    #[arg(long)]
    dry_run: bool,
    /// Overwrite generated files even if you changed them
    #[arg(long)]
    force: bool,
}

pub fn run(ctx: &Context, cmd: Command) -> Result<i32> {
    match cmd {
        Command::List { json } => list(ctx, json),
        Command::Apply(args) => apply(ctx, args),
    }
}

fn list(ctx: &Context, json: bool) -> Result<i32> {
    let recipes = recipe::all(&ctx.dir)?;
    let mut parsed = Vec::new();
    for r in &recipes {
        parsed.push((r, r.parse()?));
    }
    if json {
        let items: Vec<_> = parsed
            .iter()
            .map(|(file, r)| {
                json!({
                    "name": file.name,
                    "description": r.description,
                    "source": file.source.kind(),
                    "path": match &file.source {
                        recipe::Source::Project(p) => Some(p.display().to_string()),
                        recipe::Source::Embedded => None,
                    },
                    "integrations": r.integrations.iter().map(|i| json!({
                        "provider": i.provider.as_str(),
                        "config": i.config.as_ref().map(|c| c.as_str()),
                        "alias": i.alias.as_ref().map(|a| a.as_str()),
                        "options": i.options.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect::<std::collections::BTreeMap<_, _>>(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        ctx.printer
            .data(&serde_json::to_string_pretty(&items).unwrap_or_default());
        return Ok(0);
    }
    let p = &ctx.printer;
    let mut rows = vec![
        ["NAME", "SOURCE", "INTEGRATIONS", "DESCRIPTION"]
            .map(|h| p.bold(h))
            .to_vec(),
    ];
    for (file, r) in &parsed {
        let ids: Vec<String> = r
            .integrations
            .iter()
            .map(|i| match &i.alias {
                Some(a) => format!("{}:{}", *i.provider, **a),
                None => i.provider.value.clone(),
            })
            .collect();
        rows.push(vec![
            p.cyan(&file.name),
            file.source.kind().to_owned(),
            ids.join(","),
            r.description.clone(),
        ]);
    }
    p.data(&table::render(&rows));
    p.info(
        "apply one with `integrations recipe apply <name>` (add --dry-run to see the diff first)",
    );
    Ok(0)
}

fn apply(ctx: &Context, args: ApplyArgs) -> Result<i32> {
    let catalog = ctx.catalog()?;
    let file = recipe::find(&ctx.dir, &args.name)?;
    let mut entries = file.entries(catalog)?;
    let existing = Project::load(&ctx.dir)?;
    let base = super::init::project_file_or_new(ctx, existing.as_ref())?;
    check_env_flag(&args.envs, &base)?;
    if !args.envs.is_empty() {
        for e in &mut entries {
            e.environments = Some(args.envs.clone());
        }
    }

    // Planning renders every template of every integration; applying writes them all.
    let progress = ctx
        .printer
        .bar(2, &format!("recipe {}: planning", args.name));
    let additions = plan_additions(
        &ctx.dir,
        catalog,
        existing.as_ref(),
        base,
        entries,
        args.force,
    )?;
    if let Some(bar) = &progress {
        bar.inc(1);
    }
    if existing.is_none() && !args.dry_run {
        ctx.printer.info(super::init::CREATING);
    }
    let result = ctx.apply(&additions.outcome, args.dry_run);
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let changed = result?;
    if args.dry_run {
        return Ok(0);
    }
    let labels: Vec<String> = additions
        .added
        .iter()
        .map(|(_, e)| match &e.alias {
            Some(a) => format!("{}:{a}", e.provider),
            None => e.provider.clone(),
        })
        .collect();
    if !changed {
        ctx.printer.status(
            "Fresh",
            &format!("recipe {} is already applied; nothing to change", args.name),
        );
        return Ok(0);
    }
    ctx.printer.status(
        "Applied",
        &format!(
            "recipe {}: {} integrations ({})",
            args.name,
            labels.len(),
            labels.join(", ")
        ),
    );
    let mut added = Vec::new();
    for (key, entry) in &additions.added {
        added.push(Added {
            manifest: catalog.get(&entry.provider)?,
            entry,
            environments: additions.desired.environments_of(entry),
            files: additions
                .outcome
                .files
                .get(key)
                .cloned()
                .unwrap_or_default(),
        });
    }
    next_steps(ctx, &added, &[]);
    Ok(0)
}
