//! `integrations check`: preflight and activation checks for an environment, as a checklist,
//! JSON, JUnit or GitHub annotations. Exit 0 when nothing failed, 1 when a check failed.

use std::collections::BTreeMap;
use std::time::Duration;

use super::Context;
use crate::check::activation::{self, Lookup, Settings};
use crate::check::{CheckResult, Kind, Report, Status, preflight, report};
use crate::error::{Error, Result};
use crate::generate::installed;
use crate::project::Project;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Junit,
    Github,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Environment to check (default: dev)
    #[arg(long)]
    env: Option<String>,
    /// Skip everything that needs the network (activation checks, DNS)
    #[arg(long)]
    offline: bool,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Per-request timeout in seconds
    #[arg(long, default_value = "10", value_name = "SECONDS")]
    timeout: f64,
    /// How many requests may run at once
    #[arg(long, default_value = "16", value_parser = clap::value_parser!(u16).range(1..))]
    concurrency: u16,
    /// Only these integrations (repeatable: `--only stripe --only slack:eu`)
    #[arg(long, value_name = "INTEGRATION")]
    only: Vec<String>,
    /// Only this kind of check
    #[arg(long, value_enum)]
    kind: Option<Kind>,
}

pub fn run(ctx: &Context, args: Args) -> Result<i32> {
    if !(args.timeout > 0.0 && args.timeout <= 3600.0) {
        return Err(Error::invalid(format!(
            "--timeout {} is out of range; give seconds between 0 and 3600",
            args.timeout
        )));
    }
    let report = build(ctx, &args)?;
    let text = match args.format {
        Format::Human => report::human(&report, &ctx.printer),
        Format::Json => report::json(&report),
        Format::Junit => report::junit(&report),
        Format::Github => report::github(&report),
    };
    ctx.printer.data(&text);
    Ok(if report.ok { 0 } else { 1 })
}

fn build(ctx: &Context, args: &Args) -> Result<Report> {
    let project = Project::require(&ctx.dir)?;
    let env = ctx.environment(&project, args.env.clone())?;
    let all = installed(ctx.catalog()?, &project.file)?;
    for only in &args.only {
        if !all.iter().any(|i| &i.label() == only || &i.key == only) {
            let names: Vec<String> = all.iter().map(|i| i.label()).collect();
            return Err(
                Error::invalid(format!("--only {only}: no such integration"))
                    .hint(format!("installed: {}", names.join(", "))),
            );
        }
    }
    let selected: Vec<_> = all
        .iter()
        .filter(|i| i.environments.contains(&env))
        .filter(|i| {
            args.only.is_empty() || args.only.iter().any(|o| *o == i.label() || *o == i.key)
        })
        .collect();
    let resolver = ctx.resolver(&project, &env)?;
    let want_pre = args.kind != Some(Kind::Activation);
    let want_act = args.kind != Some(Kind::Preflight);

    let mut results: Vec<CheckResult> = Vec::new();
    let mut jobs = Vec::new();
    let mut dns: Vec<Lookup> = Vec::new();
    for inst in &selected {
        let label = inst.label();
        let lookups: Vec<_> = inst
            .vars
            .iter()
            .map(|v| resolver.lookup(&label, v))
            .collect();
        if want_pre {
            let (checks, resolve) = preflight::checks(&project, inst, &lookups, &env, args.offline);
            results.extend(checks);
            if !args.offline {
                dns.extend(resolve.into_iter().map(|(var, host)| Lookup {
                    integration: label.clone(),
                    alias: inst.entry.alias.clone(),
                    var,
                    host,
                }));
            }
        }
        if !want_act {
            continue;
        }
        let values: BTreeMap<String, String> = lookups
            .iter()
            .filter_map(|l| {
                l.value
                    .as_ref()
                    .map(|v| (l.var.base.clone(), v.expose().to_owned()))
            })
            .collect();
        for job in activation::jobs_for(inst, &env, values) {
            if args.offline {
                results.push(CheckResult::new(
                    &label,
                    inst.entry.alias.as_deref(),
                    Kind::Activation,
                    &job.check.name,
                    Status::Skip,
                    "skipped with --offline",
                ));
            } else {
                jobs.push(job);
            }
        }
    }
    if !jobs.is_empty() || !dns.is_empty() {
        let settings = Settings {
            timeout: Duration::from_secs_f64(args.timeout),
            concurrency: usize::from(args.concurrency),
            ..Settings::default()
        };
        let progress = ctx.printer.bar((jobs.len() + dns.len()) as u64, "checking");
        results.extend(activation::run_all(jobs, dns, &settings, progress.clone()));
        if let Some(bar) = progress {
            bar.finish_and_clear();
        }
    }
    if let Some(e) = resolver.keychain_error() {
        ctx.printer.warn(&format!(
            "no keychain available ({}); secrets were looked up in the process environment only",
            match e {
                crate::secrets::StoreError::Unavailable(d)
                | crate::secrets::StoreError::Failed(d) => d,
            }
        ));
    }
    // Keep the checklist grouped: integration by integration, preflight first.
    let order: Vec<String> = selected.iter().map(|i| i.label()).collect();
    results.sort_by_key(|r| {
        (
            order
                .iter()
                .position(|o| *o == r.integration)
                .unwrap_or(usize::MAX),
            r.kind == Kind::Activation,
        )
    });
    Ok(Report::new(&env, results))
}
