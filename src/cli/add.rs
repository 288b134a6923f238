//! `integrations add <provider>`: record the integration in `integrations.toml` and generate
//! its env file blocks and code stubs, then say what to do next.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

use serde_json::json;

use super::Context;
use crate::error::{Error, Result};
use crate::generate::{check_alias, key_for, npm_packages, plan_additions};
use crate::manifest::Manifest;
use crate::project::Project;
use crate::project::config::{IntegrationEntry, ProjectFile, valid_env_name};
use crate::render::active_vars;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Provider options become flags: `integrations add s3 --provider=r2`, \
`integrations add postgres --orm=drizzle`. See them with `integrations add <provider> --help` \
or `integrations info <provider>`."
)]
pub struct Args {
    /// Provider id (see `integrations list`)
    #[arg(add = clap_complete::ArgValueCompleter::new(super::complete::providers))]
    pub provider: String,
    /// Config variant (default: the manifest's default)
    #[arg(long, value_name = "VARIANT")]
    config: Option<String>,
    /// Only enable in these environments (comma-separated or repeated; default: all)
    #[arg(long = "env", value_name = "ENV", value_delimiter = ',')]
    envs: Vec<String>,
    /// Add a second, independent connection of the same provider under this name
    #[arg(long)]
    alias: Option<String>,
    /// Show the changes as a diff and write nothing
    #[arg(long)]
    dry_run: bool,
    /// Overwrite generated files even if you changed them
    #[arg(long)]
    force: bool,
    /// Print the result as JSON
    #[arg(long)]
    json: bool,
    /// Provider options given as flags (filled from the dynamic flags)
    #[arg(skip)]
    pub options: BTreeMap<String, String>,
    /// Unknown `--name=value` flags, reported with the provider's valid options
    #[arg(hide = true, allow_hyphen_values = true, num_args = 0.., trailing_var_arg = true)]
    rest: Vec<String>,
}

/// Prefix of the clap ids of option flags, so an option named like a built-in argument
/// (s3's `--provider`) cannot clash with it.
const OPTION_ID: &str = "option:";

/// Built-in flags of `add` that manifest options may not shadow.
pub const RESERVED: [&str; 13] = [
    "config", "env", "alias", "dry-run", "force", "json", "dir", "quiet", "verbose", "no-color",
    "yes", "help", "version",
];

/// Find `add <provider>` and `--dir` in raw arguments, before clap parses them.
pub fn prescan(args: &[OsString]) -> Option<(String, PathBuf)> {
    let args: Vec<String> = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut dir = PathBuf::from(".");
    let mut i = 0;
    let mut seen_add = false;
    let mut provider = None;
    while i < args.len() {
        let a = &args[i];
        if let Some(d) = a.strip_prefix("--dir=") {
            dir = PathBuf::from(d);
        } else if a == "--dir" {
            if let Some(d) = args.get(i + 1) {
                dir = PathBuf::from(d);
            }
            i += 1;
        } else if a.starts_with('-') {
            if !a.contains('=') && matches!(a.as_str(), "--config" | "--env" | "--alias") {
                i += 1;
            }
        } else if !seen_add {
            if a != "add" {
                return None;
            }
            seen_add = true;
        } else if provider.is_none() {
            provider = Some(a.clone());
        }
        i += 1;
    }
    provider.map(|p| (p, dir))
}

/// `add` with one `--<option>` flag per manifest option.
pub fn with_option_flags(cmd: clap::Command, m: &Manifest) -> clap::Command {
    let mut cmd = cmd;
    for opt in &m.options {
        if RESERVED.contains(&opt.name.as_str()) {
            continue;
        }
        let name = opt.name.value.clone();
        let help = format!("{} [{}: default {}]", opt.description, *m.id, *opt.default);
        cmd = cmd.arg(
            clap::Arg::new(format!("{OPTION_ID}{name}"))
                .long(name)
                .value_name("VALUE")
                .help(help)
                .help_heading(format!("{} options", m.name))
                .value_parser(clap::builder::PossibleValuesParser::new(opt.values.clone())),
        );
    }
    cmd
}

/// The values of the dynamic option flags in `add`'s matches.
pub fn option_values(matches: &clap::ArgMatches) -> BTreeMap<String, String> {
    matches
        .ids()
        .filter_map(|id| {
            let name = id.as_str().strip_prefix(OPTION_ID)?;
            let v = matches.try_get_one::<String>(id.as_str()).ok().flatten()?;
            Some((name.to_owned(), v.clone()))
        })
        .collect()
}

/// Check the environments given with `--env` against the project's.
pub fn check_env_flag(envs: &[String], file: &ProjectFile) -> Result<()> {
    for env in envs {
        if !valid_env_name(env) || !file.project.environments.contains(env) {
            return Err(
                Error::invalid(format!("unknown environment `{env}` in --env")).hint(format!(
                    "this project's environments are: {}",
                    file.project.environments.join(", ")
                )),
            );
        }
    }
    Ok(())
}

/// Turn leftover `--name=value` / `--name value` arguments into options, so an unknown one is
/// reported with the provider's valid options.
fn rest_options(rest: &[String]) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        let Some(flag) = arg.strip_prefix("--") else {
            return Err(Error::invalid(format!("unexpected argument `{arg}`"))
                .hint("add takes one provider; run `integrations add --help`"));
        };
        let (name, value) = match flag.split_once('=') {
            Some((n, v)) => (n.to_owned(), v.to_owned()),
            None => (flag.to_owned(), it.next().cloned().unwrap_or_default()),
        };
        out.insert(name, value);
    }
    Ok(out)
}

pub fn run(ctx: &Context, args: Args) -> Result<i32> {
    let catalog = ctx.catalog()?;
    let entry = catalog.entry(&args.provider)?;
    let m = entry.manifest()?;
    let mut options = args.options.clone();
    options.extend(rest_options(&args.rest)?);
    if let Some(alias) = &args.alias {
        check_alias(alias)?;
    }

    let existing = Project::load(&ctx.dir)?;
    let created_project = existing.is_none();
    let base = super::init::project_file_or_new(ctx, existing.as_ref())?;

    check_env_flag(&args.envs, &base)?;

    let key = key_for(&m.id, args.alias.as_deref());
    let previous = base
        .integrations
        .get(&key)
        .filter(|p| p.provider == *m.id)
        .cloned();
    let wanted = IntegrationEntry {
        provider: m.id.value.clone(),
        config: args
            .config
            .clone()
            .or_else(|| previous.as_ref().map(|p| p.config.clone()))
            .or_else(|| m.default_config().map(str::to_owned))
            .unwrap_or_default(),
        alias: args.alias.clone(),
        environments: if args.envs.is_empty() {
            previous.as_ref().and_then(|p| p.environments.clone())
        } else {
            Some(args.envs.clone())
        },
        options: {
            // Options not given keep their previous value, then the manifest default.
            let mut o = previous.map(|p| p.options).unwrap_or_default();
            o.extend(options);
            o
        },
    };
    let additions = plan_additions(
        &ctx.dir,
        catalog,
        existing.as_ref(),
        base,
        vec![wanted],
        args.force,
    )?;
    let (desired, outcome) = (additions.desired, additions.outcome);
    let Some((_, integration)) = additions.added.into_iter().next() else {
        return Err(Error::failed("nothing to add"));
    };
    if created_project && !args.dry_run {
        ctx.printer.info(super::init::CREATING);
    }
    let changed = ctx.apply(&outcome, args.dry_run)?;
    let label = match &integration.alias {
        Some(a) => format!("{}:{a}", *m.id),
        None => m.id.value.clone(),
    };
    let vars = active_vars(m, &integration.choice());
    let envs = desired.environments_of(&integration);
    let npm = npm_packages(m, &integration);
    let files = outcome.files.get(&key).cloned().unwrap_or_default();

    if args.json {
        let changes: Vec<_> = outcome
            .plan
            .changes
            .iter()
            .map(|c| json!({ "path": c.path.as_str(), "action": c.action() }))
            .collect();
        let secrets: Vec<_> = vars
            .iter()
            .filter(|v| v.secret)
            .map(|v| json!({ "name": v.name, "required": v.required }))
            .collect();
        let out = json!({
            "integration": key,
            "provider": m.id.as_str(),
            "alias": integration.alias,
            "config": integration.config,
            "options": integration.options,
            "environments": envs,
            "up_to_date": !changed,
            "dry_run": args.dry_run,
            "changes": changes,
            "files": files,
            "env": vars.iter().map(|v| json!({"name": v.name, "secret": v.secret, "required": v.required})).collect::<Vec<_>>(),
            "secrets": secrets,
            "npm": npm,
        });
        ctx.printer
            .data(&serde_json::to_string_pretty(&out).unwrap_or_default());
        return Ok(0);
    }
    if args.dry_run {
        return Ok(0);
    }
    if !changed {
        ctx.printer.status(
            "Fresh",
            &format!("{label} is up to date; nothing to change"),
        );
        return Ok(0);
    }
    ctx.printer.status(
        "Added",
        &format!(
            "{label} ({} {}, config {})",
            m.name, *m.version, integration.config
        ),
    );
    next_steps(
        ctx,
        &[Added {
            manifest: m,
            entry: &integration,
            environments: envs,
            files,
        }],
        &[],
    );
    Ok(0)
}

/// One integration just added, for the "Next steps" a command prints after adding some.
pub struct Added<'a> {
    pub manifest: &'a Manifest,
    pub entry: &'a IntegrationEntry,
    /// The environments it is enabled in.
    pub environments: Vec<String>,
    /// Generated files.
    pub files: Vec<String>,
}

/// Say what to do after adding integrations: store the secrets not stored yet (`stored`
/// holds `(environment, variable)` pairs), fill in the non-secret values, install packages,
/// read the code, run the checks.
pub fn next_steps(ctx: &Context, added: &[Added], stored: &[(String, String)]) {
    let p = &ctx.printer;
    p.info(&format!("\n{}", p.bold("Next steps")));
    let mut n = 0;
    let mut step = || {
        n += 1;
        n
    };
    let mut secrets: Vec<(String, bool, Vec<String>)> = Vec::new();
    let mut plain: Vec<String> = Vec::new();
    let mut npm: Vec<String> = Vec::new();
    let mut files: Vec<String> = Vec::new();
    for a in added {
        for v in active_vars(a.manifest, &a.entry.choice()) {
            if !v.secret {
                // Values with a default are already in .env.<env>; name what is left to fill.
                if v.required && v.spec.default.is_none() && !plain.contains(&v.name) {
                    plain.push(v.name);
                }
                continue;
            }
            let missing: Vec<String> = a
                .environments
                .iter()
                .filter(|e| !stored.iter().any(|(se, sv)| se == *e && *sv == v.name))
                .cloned()
                .collect();
            if !missing.is_empty() {
                secrets.push((v.name, v.required, missing));
            }
        }
        for pkg in npm_packages(a.manifest, a.entry) {
            if !npm.contains(&pkg) {
                npm.push(pkg);
            }
        }
        files.extend(a.files.iter().cloned());
    }
    if !secrets.is_empty() {
        p.info(&format!(
            "  {}. Store the secrets in your OS keychain (never in a file):",
            step()
        ));
        let mut later: Vec<String> = Vec::new();
        for (name, required, envs) in &secrets {
            let first_env = envs.first().map(String::as_str).unwrap_or("dev");
            let optional = if *required { "" } else { "   (optional)" };
            p.info(&format!(
                "       integrations secrets set {name} --env {first_env}{optional}"
            ));
            for e in envs.iter().skip(1) {
                if !later.contains(e) {
                    later.push(e.clone());
                }
            }
        }
        if !later.is_empty() {
            p.info(&format!("     and again for {}", later.join(", ")));
        }
    }
    if !plain.is_empty() {
        p.info(&format!(
            "  {}. Fill in {} in .env.<env> (see .env.example)",
            step(),
            plain.join(", ")
        ));
    }
    if !npm.is_empty() {
        p.info(&format!(
            "  {}. Install packages: npm install {}",
            step(),
            npm.join(" ")
        ));
    }
    if added.len() > 1 && !files.is_empty() {
        let mut dirs: Vec<&str> = files.iter().filter_map(|f| f.split('/').next()).collect();
        dirs.dedup();
        dirs.sort();
        dirs.dedup();
        p.info(&format!(
            "  {}. Read the generated code: {} files under {}/",
            step(),
            files.len(),
            dirs.join("/, ")
        ));
    } else if !files.is_empty() {
        p.info(&format!("  {}. Read the generated code:", step()));
        for f in &files {
            p.info(&format!("       {f}"));
        }
    }
    let env = added
        .first()
        .and_then(|a| a.environments.first())
        .map_or("dev", String::as_str);
    match added {
        [one] => p.info(&format!(
            "  Then check it works: integrations check --env {env}   (docs: {})",
            *one.manifest.docs
        )),
        _ => p.info(&format!(
            "  Then check it works: integrations check --env {env}"
        )),
    }
}
