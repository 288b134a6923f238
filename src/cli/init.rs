//! `integrations init`: create `integrations.toml`.

use super::Context;
use crate::error::{Error, Result};
use crate::plan::{Plan, ProjectPath, read_optional};
use crate::project::config::{FILE, FRAMEWORKS, ProjectFile};
use crate::project::{Project, display_path, new_project_id};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Project name (default: the folder's name)
    #[arg(long)]
    name: Option<String>,
    /// Application framework the code stubs target
    #[arg(long, default_value = "nextjs", value_parser = clap::builder::PossibleValuesParser::new(FRAMEWORKS))]
    framework: String,
    /// Replace an existing integrations.toml
    #[arg(long)]
    force: bool,
}

/// The text of a new project file for the folder `ctx.dir`.
pub fn new_project_text(ctx: &Context, name: Option<&str>, framework: &str) -> Result<String> {
    let name = match name {
        Some(n) => n.to_owned(),
        None => folder_name(ctx)?,
    };
    if name.trim().is_empty() {
        return Err(Error::invalid("the project name cannot be empty").hint("pass --name"));
    }
    Ok(ProjectFile::new_text(
        &name,
        &new_project_id(&ctx.dir),
        framework,
    ))
}

/// The project file a command that adds integrations starts from: the project's own, or a
/// new one with defaults when there is none yet (the directory must exist).
pub fn project_file_or_new(ctx: &Context, existing: Option<&Project>) -> Result<ProjectFile> {
    if let Some(p) = existing {
        return Ok(p.file.clone());
    }
    if !ctx.dir.is_dir() {
        return Err(Error::invalid(format!(
            "project directory {} does not exist",
            ctx.dir.display()
        )));
    }
    ProjectFile::parse(
        new_project_text(ctx, None, "nextjs")?,
        &display_path(&ctx.dir, FILE),
    )
}

/// What `add`, `recipe apply` and `setup` say when they are about to create the project file.
pub const CREATING: &str = "no integrations.toml here yet: creating one with defaults (name from the folder, environments dev, staging, prod)";

fn folder_name(ctx: &Context) -> Result<String> {
    let abs = std::path::absolute(&ctx.dir).map_err(|e| Error::io("resolve", &ctx.dir, e))?;
    let abs = abs.canonicalize().unwrap_or(abs);
    Ok(abs
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "app".to_owned()))
}

pub fn run(ctx: &Context, args: Args) -> Result<i32> {
    if !ctx.dir.is_dir() {
        return Err(Error::invalid(format!(
            "project directory {} does not exist",
            ctx.dir.display()
        )));
    }
    let path = ProjectPath::new(FILE)?;
    let existing = read_optional(&path.under(&ctx.dir))?;
    if existing.is_some() && !args.force {
        return Err(Error::invalid(format!(
            "{} already exists",
            display_path(&ctx.dir, FILE).display()
        ))
        .hint(
            "pass --force to replace it (its integrations are forgotten, generated files stay)",
        ));
    }
    let text = new_project_text(ctx, args.name.as_deref(), &args.framework)?;
    // Validate what we are about to write, as any later command will.
    ProjectFile::parse(text.clone(), &display_path(&ctx.dir, FILE))?;
    let mut plan = Plan::default();
    plan.set(path, existing, Some(text));
    crate::plan::apply(&ctx.dir, &plan)?;
    ctx.printer.status(
        "Created",
        &display_path(&ctx.dir, FILE).display().to_string(),
    );
    ctx.printer.info(
        "next: `integrations list` to browse providers, `integrations add <provider>` to add one",
    );
    Ok(0)
}
