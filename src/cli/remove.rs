//! `integrations remove <provider>[:alias]`: undo `add`.

use super::Context;
use crate::error::Result;
use crate::generate::{find_key, reconcile};
use crate::project::Project;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The integration: `stripe`, or `stripe:eu` for an alias
    integration: String,
    /// Also delete its secrets from the keychain
    #[arg(long)]
    purge_secrets: bool,
    /// Show the changes as a diff and write nothing
    #[arg(long)]
    dry_run: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<i32> {
    let project = Project::require(&ctx.dir)?;
    let key = find_key(&project.file, &args.integration)?;
    let mut desired = project.file.clone();
    desired.remove_integration(&key);
    let outcome = reconcile(
        &ctx.dir,
        ctx.catalog()?,
        Some(&project),
        &desired,
        std::slice::from_ref(&key),
        false,
    )?;
    ctx.apply(&outcome, args.dry_run)?;
    if !args.dry_run {
        ctx.printer.status("Removed", &args.integration);
    }
    if args.purge_secrets {
        ctx.printer
            .warn("--purge-secrets: this build has no keychain support yet; nothing was purged");
    }
    Ok(0)
}
