//! `integrations manifest validate|schema`: checks for manifest authors.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::Context;
use crate::catalog::{self, Entry, Source};
use crate::error::{Error, Location, Result};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Validate manifest files or directories of them (exit 0 valid, 2 invalid)
    Validate {
        /// Files or directories (default: every built-in manifest)
        paths: Vec<PathBuf>,
    },
    /// Print the JSON Schema of a manifest
    Schema,
    /// Render a manifest's files into a directory, for manifest authors
    Render {
        /// Provider id
        provider: String,
        /// Config variant (default: the manifest's default)
        #[arg(long)]
        config: Option<String>,
        /// Alias of the integration
        #[arg(long)]
        alias: Option<String>,
        /// An option value, as NAME=VALUE (repeatable)
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
        /// Output directory
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn run(ctx: &Context, cmd: Command) -> Result<i32> {
    match cmd {
        Command::Schema => {
            let schema = crate::manifest::json_schema();
            ctx.printer
                .data(&serde_json::to_string_pretty(&schema).unwrap_or_default());
            Ok(0)
        }
        Command::Validate { paths } => validate(ctx, &paths),
        Command::Render {
            provider,
            config,
            alias,
            set,
            out,
        } => {
            let catalog = catalog::Catalog::load(&ctx.dir)?;
            let entry = catalog.entry(&provider)?;
            let m = entry.manifest()?;
            let mut options: BTreeMap<String, String> = m
                .options
                .iter()
                .map(|o| (o.name.value.clone(), o.default.value.clone()))
                .collect();
            for kv in set {
                let (k, v) = kv
                    .split_once('=')
                    .ok_or_else(|| Error::invalid(format!("--set `{kv}` must be NAME=VALUE")))?;
                options.insert(k.to_owned(), v.to_owned());
            }
            let choice = crate::render::Choice {
                config: config
                    .or_else(|| m.default_config().map(str::to_owned))
                    .unwrap_or_default(),
                alias,
                options,
            };
            for file in crate::render::render(entry, &choice, "demo", "nextjs")? {
                let path = out.join(&file.dest);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
                }
                std::fs::write(&path, file.content).map_err(|e| Error::io("write", &path, e))?;
                ctx.printer.status("Rendered", &file.dest);
            }
            Ok(0)
        }
    }
}

fn validate(ctx: &Context, paths: &[PathBuf]) -> Result<i32> {
    let entries: Vec<Entry> = if paths.is_empty() {
        catalog::Catalog::builtin().into_entries()
    } else {
        let mut files = Vec::new();
        for path in paths {
            if path.is_dir() {
                files.extend(catalog::manifest_files(path)?);
            } else if path.exists() {
                files.push(path.clone());
            } else {
                return Err(Error::invalid(format!(
                    "`{}` does not exist",
                    path.display()
                )));
            }
        }
        if files.is_empty() {
            return Err(Error::invalid(
                "no manifest (*.yaml) found in the given paths",
            ));
        }
        files
            .into_iter()
            .map(|f| {
                let text = std::fs::read_to_string(&f).map_err(|e| Error::io("read", &f, e))?;
                Ok(Entry::from_file(f, text, Source::ManifestPath))
            })
            .collect::<Result<_>>()?
    };

    let mut problems = Vec::new();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for entry in &entries {
        let found = entry.problems();
        if found.is_empty()
            && let Ok(m) = entry.manifest()
            && let Some(first) = seen.insert(m.id.value.clone(), entry.file())
        {
            problems.push(
                Error::invalid(format!(
                    "duplicate id `{}`: also defined in {}",
                    *m.id,
                    first.display()
                ))
                .at(Location::new(
                    entry.file(),
                    m.id.line,
                    m.id.column,
                    Some(entry.text()),
                )),
            );
        }
        problems.extend(found);
    }
    for p in &problems {
        ctx.printer.error(&p.to_string());
    }
    let n = entries.len();
    if problems.is_empty() {
        ctx.printer.status(
            "Validated",
            &format!("{n} manifest{}, no problems", plural(n)),
        );
        Ok(0)
    } else {
        ctx.printer.info(&format!(
            "{} problem{} in {n} manifest{}",
            problems.len(),
            plural(problems.len()),
            plural(n)
        ));
        Ok(2)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
