//! `integrations run [--env E] -- <cmd> [args]...`: run a command with the project's
//! non-secret values and its secrets in its environment. Nothing is written to disk; on Unix
//! the command replaces this process, so signals reach it directly and its exit code is ours.

use std::process::Command as Process;

use super::Context;
use crate::error::{Error, Result};
use crate::generate::installed;
use crate::project::Project;
use crate::secrets::Origin;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Environment whose values to use (default: dev)
    #[arg(long)]
    env: Option<String>,
    /// The command and its arguments
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "CMD"
    )]
    command: Vec<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<i32> {
    let project = Project::require(&ctx.dir)?;
    let env = ctx.environment(&project, args.env)?;
    let all = installed(ctx.catalog()?, &project.file)?;
    let resolver = ctx.resolver(&project, &env)?;
    let mut child = Process::new(&args.command[0]);
    child.args(&args.command[1..]);
    // Every value of .env.<env>, then each declared variable found; the process environment
    // always wins.
    for (name, value) in resolver.env_file() {
        if std::env::var_os(name).is_none() {
            child.env(name, value);
        }
    }
    let mut unavailable = Vec::new();
    let mut missing = Vec::new();
    for lookup in resolver.resolve_all(&all) {
        match (&lookup.value, lookup.origin) {
            (Some(v), Origin::Keychain | Origin::EnvFile) => {
                child.env(&lookup.var.name, v.expose());
            }
            (None, Origin::Unavailable) => unavailable.push(lookup.var.name.clone()),
            (None, _) if lookup.var.required => missing.push(lookup.var.name.clone()),
            _ => {}
        }
    }
    if !unavailable.is_empty() {
        ctx.printer.warn(&format!(
            "no keychain available: could not look up {}; provide them as environment variables",
            unavailable.join(", ")
        ));
    }
    if !missing.is_empty() {
        ctx.printer.warn(&format!(
            "not set for {env}: {} (see `integrations secrets list --env {env}`)",
            missing.join(", ")
        ));
    }
    exec(child, &args.command[0])
}

#[cfg(unix)]
fn exec(mut child: Process, name: &str) -> Result<i32> {
    use std::os::unix::process::CommandExt;
    let err = child.exec();
    Err(spawn_error(name, err))
}

#[cfg(not(unix))]
fn exec(mut child: Process, name: &str) -> Result<i32> {
    let status = child.status().map_err(|e| spawn_error(name, e))?;
    Ok(status.code().unwrap_or(1))
}

fn spawn_error(name: &str, err: std::io::Error) -> Error {
    let e = Error::failed(format!("could not run `{name}`: {err}"));
    if err.kind() == std::io::ErrorKind::NotFound {
        e.hint("is it installed and on PATH?")
    } else {
        e
    }
}
