//! Command-line definitions: one file per command, each declaring its arguments and calling
//! the core. This module holds the top-level parser, the global flags and the dispatch.

mod add;
mod check;
pub mod complete;
mod diff;
mod env;
mod info;
mod init;
mod list;
mod manifest;
mod recipe;
mod remove;
mod run;
mod search;
mod secrets;
mod setup;
mod status;
mod webhook;

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::OnceLock;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::catalog::Catalog;
use crate::error::Result;
use crate::generate::Outcome;
use crate::ui::{Printer, Verbosity};

/// Add third-party services to an application project and keep them working.
#[derive(Debug, Parser)]
#[command(name = "integrations", version, about, max_term_width = 100)]
pub struct Cli {
    /// Project root (default: the current directory)
    #[arg(long, global = true, value_name = "PATH")]
    pub dir: Option<PathBuf>,
    /// Print only errors
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail about what is done
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// Disable colours (also: NO_COLOR)
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Answer yes to every confirmation
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the providers in the catalog
    List(list::Args),
    /// Search the catalog by id, name, category, capability and description
    Search(search::Args),
    /// Show everything about one provider
    Info(info::Args),
    /// Create integrations.toml in the project
    Init(init::Args),
    /// Add a provider to the project: config, env files and code stubs
    Add(add::Args),
    /// Remove an integration and the files generated for it
    Remove(remove::Args),
    /// Show installed integrations, missing variables and drift
    Status(status::Args),
    /// Show what re-rendering with the current manifests would change
    Diff(diff::DiffArgs),
    /// Re-render integrations with the current manifests
    Update(diff::UpdateArgs),
    /// Run preflight and activation checks ("all green = deploy")
    Check(check::Args),
    /// Manage secrets in the OS keychain
    #[command(subcommand)]
    Secrets(secrets::Command),
    /// Run a command with the project's values and secrets in its environment
    Run(run::Args),
    /// Print the project's environment (secrets masked unless --reveal)
    Env(env::Args),
    /// Sign, verify, trigger and receive provider webhooks
    #[command(subcommand)]
    Webhook(webhook::Command),
    /// Validate manifests, print their JSON Schema, or render one
    #[command(subcommand)]
    Manifest(manifest::Command),
    /// Guided setup in the terminal: connect, configure, test, complete
    Setup(setup::Args),
    /// Bundles of integrations added in one go (global-saas, nordic-saas, mena-ecommerce, …)
    #[command(subcommand)]
    Recipe(recipe::Command),
    /// Print the completion script for a shell
    Completions(complete::Args),
    /// Print the man page (roff)
    #[command(hide = true)]
    Man,
}

/// What every command gets: where the project is, how to print, and the catalog (loaded on
/// first use, once).
pub struct Context {
    pub dir: PathBuf,
    pub printer: Printer,
    pub yes: bool,
    catalog: OnceLock<Catalog>,
}

impl Context {
    pub fn catalog(&self) -> Result<&Catalog> {
        if let Some(c) = self.catalog.get() {
            return Ok(c);
        }
        let loaded = Catalog::load(&self.dir)?;
        Ok(self.catalog.get_or_init(|| loaded))
    }

    /// The environment a command works on: `--env` when given (must be one of the project's),
    /// else `dev` when the project has it, else its first.
    pub fn environment(
        &self,
        project: &crate::project::Project,
        env: Option<String>,
    ) -> Result<String> {
        let envs = &project.file.project.environments;
        match env {
            Some(e) if envs.contains(&e) => Ok(e),
            Some(e) => Err(
                crate::error::Error::invalid(format!("unknown environment `{e}`")).hint(format!(
                    "this project's environments are: {}",
                    envs.join(", ")
                )),
            ),
            None if envs.iter().any(|e| e == "dev") => Ok("dev".to_owned()),
            None => envs.first().cloned().ok_or_else(|| {
                crate::error::Error::invalid("the project declares no environments")
            }),
        }
    }

    /// How this command looks up `project`'s values for `env`: process environment, then the
    /// OS keychain (or `.env.<env>` for non-secret values), every secret registered with the
    /// printer's redactor.
    pub fn resolver(
        &self,
        project: &crate::project::Project,
        env: &str,
    ) -> Result<crate::secrets::Resolver<'static>> {
        crate::secrets::Resolver::new(
            &self.dir,
            &project.file.project.id,
            env,
            &crate::secrets::KeychainStore,
            self.printer.redactor.clone(),
        )
    }

    /// Show (`dry_run`) or apply an outcome's plan, refusing when it would overwrite files the
    /// user changed. Returns whether anything changed (or would change).
    pub fn apply(&self, outcome: &Outcome, dry_run: bool) -> Result<bool> {
        self.report_conflicts(outcome, !dry_run);
        if !outcome.conflicts.is_empty() && !dry_run {
            let n = outcome.conflicts.len();
            return Err(crate::error::Error::failed(format!(
                "{n} generated file{} changed since generation; not overwriting",
                if n == 1 { " was" } else { "s were" }
            )));
        }
        if outcome.plan.is_empty() {
            return Ok(false);
        }
        if dry_run {
            self.printer.data(&outcome.plan.diff());
            self.printer.info(&format!(
                "dry run: {} file change{} shown above; nothing was written",
                outcome.plan.changes.len(),
                if outcome.plan.changes.len() == 1 {
                    ""
                } else {
                    "s"
                }
            ));
            return Ok(true);
        }
        crate::plan::apply(&self.dir, &outcome.plan)?;
        for change in &outcome.plan.changes {
            self.printer
                .status(change.action().verb(), change.path.as_str());
        }
        Ok(true)
    }

    /// Tell the user about files a plan leaves alone or would overwrite.
    pub fn report_conflicts(&self, outcome: &Outcome, force_hint: bool) {
        for c in &outcome.kept {
            self.printer.warn(&format!(
                "kept {} ({}): {}",
                c.path, c.integration, c.reason
            ));
        }
        for c in &outcome.conflicts {
            self.printer
                .error(&format!("{} ({}): {}", c.path, c.integration, c.reason));
        }
        if force_hint && !outcome.conflicts.is_empty() {
            self.printer.info(
                "nothing was changed; keep your edits elsewhere, or pass --force to overwrite them",
            );
        }
    }
}

impl Cli {
    pub fn context(&self) -> Context {
        let verbosity = if self.quiet {
            Verbosity::Quiet
        } else if self.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        };
        Context {
            dir: self.dir.clone().unwrap_or_else(|| PathBuf::from(".")),
            printer: Printer::new(verbosity, self.no_color),
            yes: self.yes,
            catalog: OnceLock::new(),
        }
    }
}

/// Whether we run under CI (`CI=true`): no prompts, no spinners.
pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Parse the process arguments. `add <provider>` gains one flag per option of that
/// provider's manifest (`--provider=aws`), with its values checked by clap, so `--help` lists
/// them too; an unknown provider is left for `add` to report.
pub fn parse(args: Vec<OsString>) -> (Cli, Option<Catalog>) {
    let mut cmd = Cli::command();
    let mut catalog = None;
    if let Some((provider, dir)) = add::prescan(&args)
        && let Ok(loaded) = Catalog::load(&dir)
    {
        if let Ok(m) = loaded.get(&provider) {
            let m = m.clone();
            cmd = cmd.mut_subcommand("add", |sub| add::with_option_flags(sub, &m));
        }
        catalog = Some(loaded);
    }
    let matches = cmd.get_matches_from(args);
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if let (Command::Add(add_args), Some(("add", sub))) = (&mut cli.command, matches.subcommand()) {
        add_args.options = add::option_values(sub);
    }
    (cli, catalog)
}

/// Run a parsed command; the returned code is the process exit status.
pub fn run(cli: Cli, catalog: Option<Catalog>) -> (Printer, Result<i32>) {
    let ctx = cli.context();
    if let Some(c) = catalog {
        let _ = ctx.catalog.set(c);
    }
    let result = match cli.command {
        Command::Init(args) => init::run(&ctx, args),
        Command::Add(args) => add::run(&ctx, args),
        Command::Remove(args) => remove::run(&ctx, args),
        Command::Status(args) => status::run(&ctx, args),
        Command::Diff(args) => diff::run_diff(&ctx, args),
        Command::Update(args) => diff::run_update(&ctx, args),
        Command::Check(args) => check::run(&ctx, args),
        Command::Secrets(cmd) => secrets::run(&ctx, cmd),
        Command::Run(args) => run::run(&ctx, args),
        Command::Env(args) => env::run(&ctx, args),
        Command::List(args) => list::run(&ctx, args),
        Command::Search(args) => search::run(&ctx, args),
        Command::Info(args) => info::run(&ctx, args),
        Command::Webhook(cmd) => webhook::run(&ctx, cmd),
        Command::Manifest(cmd) => manifest::run(&ctx, cmd),
        Command::Setup(args) => setup::run(&ctx, args),
        Command::Recipe(cmd) => recipe::run(&ctx, cmd),
        Command::Completions(args) => complete::run(&ctx, args),
        Command::Man => complete::man(&ctx),
    };
    (ctx.printer, result)
}
