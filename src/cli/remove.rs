//! `integrations remove <provider>[:alias]`: undo `add`.

use super::Context;
use crate::error::Result;
use crate::generate::{find_key, installed, reconcile};
use crate::project::Project;
use crate::secrets::{KeychainStore, SecretStore, service};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The integration: `stripe`, or `stripe:eu` for an alias
    #[arg(add = clap_complete::ArgValueCompleter::new(super::complete::installed))]
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
    // The secrets to purge, known before the project forgets the integration.
    let purge: Vec<(String, String)> = if args.purge_secrets {
        let all = installed(ctx.catalog()?, &project.file)?;
        let doomed = all.iter().find(|i| i.key == key);
        let mut pairs = Vec::new();
        for i in doomed.into_iter() {
            for env in &project.file.project.environments {
                for v in i.vars.iter().filter(|v| v.secret) {
                    pairs.push((service(&project.file.project.id, env), v.name.clone()));
                }
            }
        }
        // Fail before touching any file when the keychain cannot be reached.
        if let Some((svc, var)) = pairs.first()
            && !args.dry_run
        {
            KeychainStore
                .get(svc, var)
                .map_err(|e| e.into_error("purge secrets"))?;
        }
        pairs
    } else {
        Vec::new()
    };
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
    if args.dry_run {
        for (svc, var) in &purge {
            ctx.printer
                .info(&format!("would delete {var} from the keychain ({svc})"));
        }
        return Ok(0);
    }
    for (svc, var) in &purge {
        if KeychainStore
            .delete(svc, var)
            .map_err(|e| e.into_error("purge secrets"))?
        {
            let env = svc.rsplit('/').next().unwrap_or_default();
            ctx.printer
                .status("Purged", &format!("{var} ({env}) from the keychain"));
        }
    }
    Ok(0)
}
