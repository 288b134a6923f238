//! `integrations secrets set|get|list|rm|import`: secrets in the OS keychain, scoped by project
//! and environment. A value is never taken from the command line (argv leaks into shell
//! history and `ps`): `set` reads standard input or a masked prompt.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use serde_json::json;

use super::Context;
use crate::error::{Error, Result};
use crate::generate::{Installed, installed};
use crate::plan::{Plan, ProjectPath, read_optional};
use crate::project::{Project, envfile};
use crate::render::ActiveVar;
use crate::secrets::{
    KeychainStore, Origin, Resolver, Secret, SecretStore, check_value, remember, service,
};
use crate::ui::table;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Store a secret (value from standard input, or a masked prompt on a terminal)
    Set {
        /// Variable name, e.g. STRIPE_SECRET_KEY
        var: String,
        /// Environment (default: dev)
        #[arg(long)]
        env: Option<String>,
        /// Store even if the value or the name does not match the manifests
        #[arg(long)]
        force: bool,
    },
    /// Print a secret's value
    Get {
        var: String,
        #[arg(long)]
        env: Option<String>,
    },
    /// Show every variable of every integration: set or missing, and where (never values)
    List {
        /// Only this environment (default: all of the project's)
        #[arg(long)]
        env: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Delete a secret from the keychain
    Rm {
        var: String,
        #[arg(long)]
        env: Option<String>,
    },
    /// Move the secrets of a .env file into the keychain
    Import {
        /// The dotenv file
        file: PathBuf,
        #[arg(long)]
        env: Option<String>,
        /// Rewrite the file without the imported secrets
        #[arg(long)]
        remove_from_file: bool,
        /// Import values that do not match the manifests' prefixes
        #[arg(long)]
        force: bool,
    },
}

pub fn run(ctx: &Context, cmd: Command) -> Result<i32> {
    let project = Project::require(&ctx.dir)?;
    let store = KeychainStore;
    match cmd {
        Command::Set { var, env, force } => set(ctx, &project, &store, &var, env, force),
        Command::Get { var, env } => {
            let env = ctx.environment(&project, env)?;
            let svc = service(&project.file.project.id, &env);
            match store
                .get(&svc, &var)
                .map_err(|e| e.into_error("read the secret"))?
            {
                Some(secret) => {
                    ctx.printer.data_secret(secret.expose());
                    Ok(0)
                }
                None => Err(
                    Error::failed(format!("{var} is not set for {env} in the keychain")).hint(
                        format!("set it with `integrations secrets set {var} --env {env}`"),
                    ),
                ),
            }
        }
        Command::Rm { var, env } => {
            let env = ctx.environment(&project, env)?;
            let svc = service(&project.file.project.id, &env);
            if store
                .delete(&svc, &var)
                .map_err(|e| e.into_error("delete the secret"))?
            {
                ctx.printer
                    .status("Deleted", &format!("{var} ({env}) from the keychain"));
                Ok(0)
            } else {
                Err(Error::failed(format!(
                    "{var} is not set for {env} in the keychain"
                )))
            }
        }
        Command::List { env, json } => list(ctx, &project, &store, env, json),
        Command::Import {
            file,
            env,
            remove_from_file,
            force,
        } => import(ctx, &project, &store, &file, env, remove_from_file, force),
    }
}

/// Find the declaration of `var` among installed integrations.
fn declared<'a>(all: &'a [Installed], var: &str) -> Option<(&'a Installed<'a>, &'a ActiveVar)> {
    all.iter()
        .find_map(|i| i.vars.iter().find(|v| v.name == var).map(|v| (i, v)))
}

fn read_value(ctx: &Context, var: &str, env: &str) -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        if super::ci() {
            return Err(
                Error::invalid("cannot prompt for a secret with CI=true").hint(format!(
                    "pipe it: `printf %s \"$VALUE\" | integrations secrets set {var} --env {env}`"
                )),
            );
        }
        let value = dialoguer::Password::new()
            .with_prompt(format!("{var} ({env})"))
            .interact()
            .map_err(|e| Error::failed(format!("could not read the value: {e}")))?;
        let _ = ctx;
        return Ok(value);
    }
    let mut buf = String::new();
    stdin
        .lock()
        .read_to_string(&mut buf)
        .map_err(|e| Error::failed(format!("could not read the value from standard input: {e}")))?;
    // A trailing newline from `echo` or a here-string is not part of the value.
    if buf.ends_with('\n') {
        buf.pop();
        if buf.ends_with('\r') {
            buf.pop();
        }
    }
    Ok(buf)
}

fn set(
    ctx: &Context,
    project: &Project,
    store: &dyn SecretStore,
    var: &str,
    env: Option<String>,
    force: bool,
) -> Result<i32> {
    let env = ctx.environment(project, env)?;
    let all = installed(ctx.catalog()?, &project.file)?;
    let decl = declared(&all, var);
    match decl {
        None if !force => {
            let names: Vec<&str> = all
                .iter()
                .flat_map(|i| i.vars.iter().filter(|v| v.secret).map(|v| v.name.as_str()))
                .collect();
            let mut err = Error::invalid(format!("no installed integration declares {var}"));
            err = match crate::error::did_you_mean(var, names.iter().copied()) {
                Some(hint) => err.hint(format!("{hint} (or pass --force to store it anyway)")),
                None => err.hint("pass --force to store it anyway"),
            };
            return Err(err);
        }
        Some((_, v)) if !v.secret && !force => {
            return Err(
                Error::invalid(format!("{var} is not a secret")).hint(format!(
                    "put its value in .env.{env}; pass --force to keep it in the keychain anyway"
                )),
            );
        }
        _ => {}
    }
    let value = read_value(ctx, var, &env)?;
    let secret = remember(&ctx.printer.redactor, value);
    if secret.expose().is_empty() {
        return Err(Error::invalid(format!("no value given for {var}"))
            .hint("pipe the value on standard input, or run in a terminal to be prompted"));
    }
    if let Some((i, v)) = decl
        && !force
        && let Err(why) = check_value(&v.spec, var, &env, secret.expose())
    {
        return Err(
            Error::invalid(format!("refusing to store {var} for {env}: {why}")).hint(format!(
                "{} docs: {}; pass --force to store it anyway",
                i.manifest.name, *i.manifest.docs
            )),
        );
    }
    store
        .set(&service(&project.file.project.id, &env), var, &secret)
        .map_err(|e| e.into_error("store the secret"))?;
    ctx.printer
        .status("Stored", &format!("{var} for {env} in the keychain"));
    Ok(0)
}

fn list(
    ctx: &Context,
    project: &Project,
    store: &dyn SecretStore,
    env: Option<String>,
    as_json: bool,
) -> Result<i32> {
    let envs = match env {
        Some(e) => vec![ctx.environment(project, Some(e))?],
        None => project.file.project.environments.clone(),
    };
    let all = installed(ctx.catalog()?, &project.file)?;
    let mut rows = Vec::new();
    let mut unavailable = Vec::new();
    for env in &envs {
        let resolver = Resolver::new(
            &ctx.dir,
            &project.file.project.id,
            env,
            store,
            ctx.printer.redactor.clone(),
        )?;
        for lookup in resolver.resolve_all(&all) {
            if lookup.origin == Origin::Unavailable {
                unavailable.push(format!("{} ({env})", lookup.var.name));
            }
            rows.push((env.clone(), lookup));
        }
    }
    if as_json {
        let items: Vec<_> = rows
            .iter()
            .map(|(env, l)| {
                json!({
                    "integration": l.integration,
                    "name": l.var.name,
                    "env": env,
                    "secret": l.var.secret,
                    "required": l.var.required,
                    "set": l.value.is_some(),
                    "source": l.origin,
                })
            })
            .collect();
        ctx.printer
            .data(&serde_json::to_string_pretty(&items).unwrap_or_default());
    } else if rows.is_empty() {
        ctx.printer.info("no integration declares any variable yet");
    } else {
        let p = &ctx.printer;
        let mut table_rows = vec![
            ["ENV", "INTEGRATION", "VARIABLE", "KIND", "STATUS"]
                .map(|h| p.bold(h))
                .to_vec(),
        ];
        for (env, l) in &rows {
            let kind = format!(
                "{}{}",
                if l.var.secret { "secret" } else { "plain" },
                if l.var.required { ", required" } else { "" }
            );
            let status = match l.origin {
                Origin::Missing if l.var.required => p.red("missing"),
                Origin::Missing => p.dim("not set"),
                Origin::Unavailable => p.yellow("unknown (no keychain)"),
                o => p.green(&format!("set ({})", o.describe())),
            };
            table_rows.push(vec![
                env.clone(),
                l.integration.clone(),
                l.var.name.clone(),
                kind,
                status,
            ]);
        }
        p.data(&table::render(&table_rows));
    }
    if !unavailable.is_empty() {
        ctx.printer.warn(&format!(
            "no keychain available, so these could not be looked up: {}; provide them as environment variables or start a Secret Service",
            unavailable.join(", ")
        ));
    }
    Ok(0)
}

fn import(
    ctx: &Context,
    project: &Project,
    store: &dyn SecretStore,
    file: &std::path::Path,
    env: Option<String>,
    remove_from_file: bool,
    force: bool,
) -> Result<i32> {
    let env = ctx.environment(project, env)?;
    let text = read_optional(file)?
        .ok_or_else(|| Error::invalid(format!("{} does not exist", file.display())))?;
    let values = envfile::parse_dotenv(&text)
        .map_err(|msg| Error::invalid(format!("{}: {msg}", file.display())))?;
    let all = installed(ctx.catalog()?, &project.file)?;
    let mut chosen: Vec<(String, Secret)> = Vec::new();
    let mut problems = Vec::new();
    let mut skipped = Vec::new();
    for (name, value) in values {
        match declared(&all, &name) {
            Some((_, v)) if v.secret => {
                let secret = remember(&ctx.printer.redactor, value);
                if !force && let Err(why) = check_value(&v.spec, &name, &env, secret.expose()) {
                    problems.push(why);
                }
                chosen.push((name, secret));
            }
            _ => skipped.push(name),
        }
    }
    if !problems.is_empty() {
        return Err(Error::invalid(format!(
            "refusing to import into {env}: {}",
            problems.join("; ")
        ))
        .hint("nothing was imported; fix the file or pass --force"));
    }
    if chosen.is_empty() {
        ctx.printer.info(&format!(
            "{} holds no secret of an installed integration; nothing to import",
            file.display()
        ));
        return Ok(0);
    }
    // All or nothing in the keychain too: remember what was there and put it back on failure.
    let svc = service(&project.file.project.id, &env);
    let mut done: Vec<(&str, Option<Secret>)> = Vec::new();
    for (name, secret) in &chosen {
        let previous = store
            .get(&svc, name)
            .map_err(|e| e.into_error("import secrets"))?;
        if let Err(e) = store.set(&svc, name, secret) {
            for (undo, prev) in done.iter().rev() {
                let _ = match prev {
                    Some(p) => store.set(&svc, undo, p),
                    None => store.delete(&svc, undo).map(|_| ()),
                };
            }
            return Err(e.into_error("import secrets"));
        }
        done.push((name, previous));
    }
    for (name, _) in &chosen {
        ctx.printer
            .status("Imported", &format!("{name} for {env} into the keychain"));
    }
    if !skipped.is_empty() {
        ctx.printer.info(&format!(
            "left in the file (not secrets of an installed integration): {}",
            skipped.join(", ")
        ));
    }
    if remove_from_file {
        let names: Vec<&str> = chosen.iter().map(|(n, _)| n.as_str()).collect();
        let rewritten = envfile::without(&text, &names);
        let (root, rel) = match (file.parent(), file.file_name()) {
            (Some(parent), Some(name)) => (
                if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                },
                name.to_string_lossy().into_owned(),
            ),
            _ => return Err(Error::invalid(format!("cannot rewrite {}", file.display()))),
        };
        let mut plan = Plan::default();
        plan.set(ProjectPath::new(&rel)?, Some(text), Some(rewritten));
        crate::plan::apply(&root, &plan)?;
        ctx.printer.status(
            "Rewrote",
            &format!("{} without the imported secrets", file.display()),
        );
    } else {
        ctx.printer.info(&format!(
            "the values are still in {}: delete them, or run again with --remove-from-file",
            file.display()
        ));
    }
    Ok(0)
}
