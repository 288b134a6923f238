//! `integrations diff [integration]` and `integrations update [integration]`: re-render
//! installed integrations with the current manifests; show the difference, or apply it.

use super::Context;
use crate::error::Result;
use crate::generate::{Outcome, find_key, reconcile};
use crate::project::Project;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// Only this integration (`stripe`, `stripe:eu`)
    integration: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    /// Only this integration (`stripe`, `stripe:eu`)
    integration: Option<String>,
    /// Overwrite generated files even if you changed them
    #[arg(long)]
    force: bool,
    /// Show the changes as a diff and write nothing
    #[arg(long)]
    dry_run: bool,
}

fn outcome(ctx: &Context, only: Option<&str>, force: bool) -> Result<Outcome> {
    let project = Project::require(&ctx.dir)?;
    let scope: Vec<String> = match only {
        Some(spec) => vec![find_key(&project.file, spec)?],
        None => project.file.integrations.keys().cloned().collect(),
    };
    reconcile(
        &ctx.dir,
        ctx.catalog()?,
        Some(&project),
        &project.file,
        &scope,
        force,
    )
}

pub fn run_diff(ctx: &Context, args: DiffArgs) -> Result<i32> {
    let outcome = outcome(ctx, args.integration.as_deref(), false)?;
    ctx.report_conflicts(&outcome, false);
    if outcome.plan.is_empty() {
        ctx.printer
            .info("everything is up to date with the current manifests");
    } else {
        ctx.printer.data(&outcome.plan.diff());
    }
    Ok(0)
}

pub fn run_update(ctx: &Context, args: UpdateArgs) -> Result<i32> {
    let outcome = outcome(ctx, args.integration.as_deref(), args.force)?;
    if !ctx.apply(&outcome, args.dry_run)? {
        ctx.printer.status(
            "Fresh",
            "everything is up to date with the current manifests",
        );
    }
    Ok(0)
}
