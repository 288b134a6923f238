//! `integrations setup`: the guided flow (Connect, Configure, Test, Complete). Needs a
//! terminal; without one, or under `CI=true`, it exits 2 and names the commands that do the
//! same without prompts.

use std::io::IsTerminal;

use super::Context;
use super::add::{Added, next_steps};
use crate::error::{Error, Result};
use crate::generate::{installed, plan_additions};
use crate::project::Project;
use crate::recipe;
use crate::secrets::KeychainStore;
use crate::setup::commit;
use crate::ui::interrupt::Guard;
use crate::ui::wizard::{CANCELLED, RecipeChoice, Wizard};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Overwrite generated files even if you changed them
    #[arg(long)]
    force: bool,
}

/// The commands that do what `setup` does, for a terminal-less run.
const WITHOUT_PROMPTS: &str = "do the same without prompts:
    integrations recipe list
    integrations recipe apply <recipe> [--env ENV] [--dry-run]
    integrations add <provider> [--config VARIANT] [--env ENV] [--<option>=<value>]...
    printf %s \"$VALUE\" | integrations secrets set <VAR> --env <ENV>
    integrations check --env <ENV>";

pub fn run(ctx: &Context, args: Args) -> Result<i32> {
    let tty = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !tty || super::ci() {
        let why = if tty {
            "CI=true is set"
        } else {
            "standard input or standard error is not a terminal"
        };
        return Err(
            Error::invalid(format!("`integrations setup` asks questions, and {why}"))
                .hint(WITHOUT_PROMPTS),
        );
    }
    let catalog = ctx.catalog()?;
    let existing = Project::load(&ctx.dir)?;
    let base = super::init::project_file_or_new(ctx, existing.as_ref())?;
    let project_id = base.project.id.clone();
    let mut recipes = Vec::new();
    for file in recipe::all(&ctx.dir)? {
        match (file.parse(), file.entries(catalog)) {
            (Ok(r), Ok(entries)) => recipes.push(RecipeChoice {
                name: file.name.clone(),
                description: r.description,
                entries,
            }),
            (Err(e), _) | (_, Err(e)) => ctx
                .printer
                .warn(&format!("recipe {} is not offered: {e}", file.name)),
        }
    }

    let guard = Guard::install(CANCELLED);
    let p = &ctx.printer;
    p.info(&format!(
        "{} {}",
        p.bold("integrations setup"),
        p.dim("(Esc or Ctrl-C cancels; nothing is written before the last step)")
    ));
    let wizard = Wizard::new(p, catalog, base.project.environments.clone());
    let (entries, from_recipe) = wizard.connect(&recipes)?;
    let (entries, envs) = wizard.configure(entries, from_recipe)?;
    let additions = plan_additions(
        &ctx.dir,
        catalog,
        existing.as_ref(),
        base,
        entries,
        args.force,
    )?;
    let all = installed(catalog, &additions.desired)?;
    let ours: Vec<_> = all
        .iter()
        .filter(|i| additions.added.iter().any(|(k, _)| *k == i.key))
        .collect();
    let mut secrets = wizard.credentials(&ours, &envs)?;
    wizard.test(&ctx.dir, &ours, &envs, &mut secrets)?;

    wizard.step(4, "Complete", "review the changes, then apply them");
    let outcome = &additions.outcome;
    for i in &ours {
        let options: Vec<String> = i
            .entry
            .options
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        p.info(&format!(
            "  {} {} (config {}{}) in {}",
            p.green("add"),
            p.bold(&i.label()),
            i.entry.config,
            if options.is_empty() {
                String::new()
            } else {
                format!(", {}", options.join(", "))
            },
            i.environments.join(", ")
        ));
    }
    for change in &outcome.plan.changes {
        p.info(&format!(
            "  {} {}",
            p.dim(&format!(
                "{:<7}",
                format!("{:?}", change.action()).to_lowercase()
            )),
            change.path
        ));
    }
    for s in &secrets {
        p.info(&format!(
            "  {} {} ({}) in the OS keychain",
            p.dim("store  "),
            s.var,
            s.env
        ));
    }
    ctx.report_conflicts(outcome, true);
    if !outcome.conflicts.is_empty() {
        return Err(
            Error::failed("setup would overwrite files you changed; nothing was written").hint(
                "run `integrations setup --force` to overwrite them, or move your edits first",
            ),
        );
    }
    if !ctx.yes {
        wizard.confirm()?;
    }

    guard.hold();
    commit(
        &ctx.dir,
        &outcome.plan,
        &KeychainStore,
        &project_id,
        &secrets,
    )?;
    for change in &outcome.plan.changes {
        p.status(change.action().verb(), change.path.as_str());
    }
    for s in &secrets {
        p.status("Stored", &format!("{} ({}) in the keychain", s.var, s.env));
    }
    let labels: Vec<String> = ours.iter().map(|i| i.label()).collect();
    p.status("Done", &format!("set up {}", labels.join(", ")));
    let added: Vec<Added> = ours
        .iter()
        .map(|i| Added {
            manifest: i.manifest,
            entry: &i.entry,
            environments: i.environments.clone(),
            files: outcome.files.get(&i.key).cloned().unwrap_or_default(),
        })
        .collect();
    let stored: Vec<(String, String)> = secrets
        .iter()
        .map(|s| (s.env.clone(), s.var.clone()))
        .collect();
    next_steps(ctx, &added, &stored);
    Ok(0)
}
