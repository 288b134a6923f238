//! `integrations env [--env E] [--format dotenv|json|shell] [--reveal]`: print the project's
//! environment. Secret values are masked unless `--reveal`; dotenv output reads back to the same
//! values with python-dotenv, npm dotenv and dotenvy.

use std::collections::BTreeMap;

use super::Context;
use crate::error::Result;
use crate::generate::installed;
use crate::project::{Project, envfile};
use crate::secrets::Origin;
use crate::ui::redact::MASK;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Dotenv,
    Json,
    Shell,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Environment (default: dev)
    #[arg(long)]
    env: Option<String>,
    #[arg(long, value_enum, default_value = "dotenv")]
    format: Format,
    /// Print secret values instead of ********
    #[arg(long)]
    reveal: bool,
}

/// A value for a POSIX shell: single-quoted, with `'` written as `'\''`.
fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "'\\''"))
}

pub fn run(ctx: &Context, args: Args) -> Result<i32> {
    let project = Project::require(&ctx.dir)?;
    let env = ctx.environment(&project, args.env)?;
    let all = installed(ctx.catalog()?, &project.file)?;
    let resolver = ctx.resolver(&project, &env)?;
    let mut values: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut unavailable = Vec::new();
    for (name, value) in resolver.env_file() {
        values.insert(name.clone(), Some(value.clone()));
    }
    for lookup in resolver.resolve_all(&all) {
        let shown = lookup.value.as_ref().map(|v| {
            if lookup.var.secret && !args.reveal {
                MASK.to_owned()
            } else {
                v.expose().to_owned()
            }
        });
        match lookup.origin {
            Origin::Unavailable => unavailable.push(lookup.var.name.clone()),
            Origin::Missing => notes.push(format!(
                "{} is not set ({}{})",
                lookup.var.name,
                if lookup.var.secret { "secret" } else { "plain" },
                if lookup.var.required {
                    ", required"
                } else {
                    ""
                }
            )),
            _ => {}
        }
        values.insert(lookup.var.name.clone(), shown);
    }
    let set: Vec<(&String, &String)> = values
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
        .collect();
    let text = match args.format {
        Format::Json => {
            let map: serde_json::Map<String, serde_json::Value> = set
                .iter()
                .map(|(k, v)| ((*k).clone(), serde_json::Value::String((*v).clone())))
                .collect();
            serde_json::to_string_pretty(&map).unwrap_or_default()
        }
        Format::Dotenv => {
            let mut s = format!("# {} ({env})\n", project.file.project.name);
            for n in &notes {
                s.push_str(&format!("# {n}\n"));
            }
            for (k, v) in &set {
                s.push_str(&format!("{k}={}\n", envfile::quote(v)));
            }
            s
        }
        Format::Shell => set
            .iter()
            .map(|(k, v)| format!("export {k}={}\n", shell_quote(v)))
            .collect(),
    };
    if args.reveal {
        ctx.printer.data_secret(&text);
    } else {
        ctx.printer.data(&text);
    }
    if !unavailable.is_empty() {
        ctx.printer.warn(&format!(
            "no keychain available: could not look up {}",
            unavailable.join(", ")
        ));
    }
    Ok(0)
}
