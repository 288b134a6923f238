//! Command-line definitions: one file per command, each declaring its arguments and calling
//! the core. This module holds the top-level parser, the global flags and the dispatch.

mod info;
mod list;
mod manifest;
mod search;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::error::Result;
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
    /// Validate manifests or print their JSON Schema
    #[command(subcommand)]
    Manifest(manifest::Command),
}

/// What every command gets: where the project is and how to print.
pub struct Context {
    pub dir: PathBuf,
    pub printer: Printer,
    pub yes: bool,
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
        }
    }
}

/// Run a parsed command; the returned code is the process exit status.
pub fn run(cli: Cli) -> (Printer, Result<i32>) {
    let ctx = cli.context();
    let result = match cli.command {
        Command::List(args) => list::run(&ctx, args),
        Command::Search(args) => search::run(&ctx, args),
        Command::Info(args) => info::run(&ctx, args),
        Command::Manifest(cmd) => manifest::run(&ctx, cmd),
    };
    (ctx.printer, result)
}
