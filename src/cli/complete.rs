//! Shell completion and the man page.
//!
//! Completion is dynamic (clap_complete's engine): the script a shell loads only calls the
//! binary back with `COMPLETE=<shell>`, and `main` answers before normal parsing. So provider
//! ids come from the catalog *and* the project's own manifests, and recipe names include the
//! project's recipes, as they are at the moment the user presses TAB. The completers below
//! never fail: what they cannot read they leave out.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::CompletionCandidate;
use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};

use super::{Cli, Context};
use crate::catalog::{Catalog, PROJECT_MANIFESTS, manifest_files};
use crate::error::{Error, Result};
use crate::manifest;

/// The environment variable that switches the binary into completion mode.
pub const VAR: &str = "COMPLETE";

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

impl Shell {
    pub const ALL: [Shell; 5] = [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Powershell,
        Shell::Elvish,
    ];

    /// The file name the script is committed under in `completions/` (and installed as).
    pub fn file_name(self) -> &'static str {
        match self {
            Shell::Bash => "integrations.bash",
            Shell::Zsh => "_integrations",
            Shell::Fish => "integrations.fish",
            Shell::Powershell => "_integrations.ps1",
            Shell::Elvish => "integrations.elv",
        }
    }

    fn completer(self) -> &'static dyn EnvCompleter {
        match self {
            Shell::Bash => &Bash,
            Shell::Zsh => &Zsh,
            Shell::Fish => &Fish,
            Shell::Powershell => &Powershell,
            Shell::Elvish => &Elvish,
        }
    }
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Install it where your shell looks (install.sh does this):
  bash: integrations completions bash > ~/.local/share/bash-completion/completions/integrations
  zsh:  integrations completions zsh > \"${fpath[1]}/_integrations\"
  fish: integrations completions fish > ~/.config/fish/completions/integrations.fish
  or load it in the current shell: source <(integrations completions bash)"
)]
pub struct Args {
    /// The shell to print the completion script for
    #[arg(value_enum)]
    shell: Shell,
}

/// The completion script for `shell`. It calls `integrations` from PATH, so the same script
/// works wherever the binary is installed.
pub fn script(shell: Shell) -> String {
    let mut buf = Vec::new();
    let _ = shell.completer().write_registration(
        VAR,
        "integrations",
        "integrations",
        "integrations",
        &mut buf,
    );
    let mut text = String::from_utf8_lossy(&buf).into_owned();
    if let Shell::Zsh = shell {
        // Installed in $fpath, the file is autoloaded as the function `_integrations` on the
        // first TAB: complete right away instead of only registering for the next TAB.
        text.push_str(
            "if [[ \"${funcstack[1]}\" == \"_integrations\" ]]; then\n    _clap_dynamic_completer_integrations \"$@\"\nfi\n",
        );
    }
    text
}

pub fn run(ctx: &Context, args: Args) -> Result<i32> {
    ctx.printer.data(&script(args.shell));
    Ok(0)
}

/// `integrations man`: the man page, as roff.
pub fn man(ctx: &Context) -> Result<i32> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .map_err(|e| Error::failed(format!("could not render the man page: {e}")))?;
    ctx.printer.data(&String::from_utf8_lossy(&buf));
    Ok(0)
}

/// The project directory of the command line being completed: its `--dir`, else the
/// current directory. (Completers see only the word under the cursor, so this reads the
/// words the shell passed after `--`.)
fn project_dir() -> PathBuf {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .skip_while(|a| a != "--")
        .collect();
    let mut dir = PathBuf::from(".");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Some(d) = a.strip_prefix("--dir=") {
            dir = PathBuf::from(d);
        } else if a == "--dir"
            && let Some(d) = it.next()
        {
            dir = PathBuf::from(d);
        }
    }
    dir
}

/// Manifest files of the project and of `INTEGRATIONS_MANIFEST_PATH`.
fn extra_manifests(dir: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![dir.join(PROJECT_MANIFESTS)];
    if let Some(paths) = std::env::var_os("INTEGRATIONS_MANIFEST_PATH") {
        dirs.extend(std::env::split_paths(&paths));
    }
    dirs.iter()
        .flat_map(|d| manifest_files(d).unwrap_or_default())
        .collect()
}

fn describe(m: &manifest::Manifest) -> String {
    format!("{} ({})", m.name, m.category.as_str())
}

/// Provider ids starting with `current`: the catalog's and the project's own manifests.
pub fn providers(current: &OsStr) -> Vec<CompletionCandidate> {
    let prefix = current.to_string_lossy();
    let mut found: std::collections::BTreeMap<String, Option<String>> = Default::default();
    for entry in Catalog::builtin().entries() {
        if entry.id.starts_with(prefix.as_ref()) {
            found.insert(entry.id.clone(), entry.manifest().ok().map(describe));
        }
    }
    for path in extra_manifests(&project_dir()) {
        let Some(id) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
            continue;
        };
        if !id.starts_with(prefix.as_ref()) {
            continue;
        }
        let help = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| manifest::parse(&text, &path).ok())
            .map(|m| describe(&m));
        found.insert(id, help);
    }
    found
        .into_iter()
        .map(|(id, help)| CompletionCandidate::new(id).help(help.map(Into::into)))
        .collect()
}

/// Integrations installed in the project (`stripe`, `stripe:eu`), for `remove`; the
/// provider ids when there is no project yet.
pub fn installed(current: &OsStr) -> Vec<CompletionCandidate> {
    let dir = project_dir();
    let Ok(Some(project)) = crate::project::Project::load(&dir) else {
        return providers(current);
    };
    let prefix = current.to_string_lossy();
    project
        .file
        .integrations
        .iter()
        .map(|(key, e)| match &e.alias {
            Some(a) => format!("{}:{a}", e.provider),
            None => key.clone(),
        })
        .filter(|label| label.starts_with(prefix.as_ref()))
        .map(CompletionCandidate::new)
        .collect()
}

/// Recipe names starting with `current`, built in and the project's.
pub fn recipes(current: &OsStr) -> Vec<CompletionCandidate> {
    let prefix = current.to_string_lossy();
    crate::recipe::names(&project_dir())
        .into_iter()
        .filter(|n| n.starts_with(prefix.as_ref()))
        .map(CompletionCandidate::new)
        .collect()
}

/// Answer a completion request when the shell asked for one (`COMPLETE=<shell>` in the
/// environment) and exit; otherwise return at once, having built nothing.
pub fn complete_if_asked() {
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(VAR)
        .complete();
}
