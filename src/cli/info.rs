//! `integrations info <provider>`: everything needed to decide on and set up a provider.

use std::fmt::Write as _;

use serde_json::json;

use super::Context;
use crate::error::Result;
use crate::manifest::{CheckAuth, Manifest, PerEnv};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Provider id
    #[arg(add = clap_complete::ArgValueCompleter::new(super::complete::providers))]
    provider: String,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<i32> {
    let catalog = ctx.catalog()?;
    let entry = catalog.entry(&args.provider)?;
    let m = entry.manifest()?;
    if args.json {
        let mut v = serde_json::to_value(m).unwrap_or_default();
        v["configs"] = json!(m.configs.keys().collect::<Vec<_>>());
        v["config_details"] = serde_json::to_value(&m.configs).unwrap_or_default();
        v["default_config"] = json!(m.default_config());
        v["webhooks"] = serde_json::to_value(&m.webhooks).unwrap_or_default();
        v["source"] = json!({
            "kind": entry.source.kind(),
            "path": entry.source.path().map(|p| p.display().to_string()),
        });
        ctx.printer
            .data(&serde_json::to_string_pretty(&v).unwrap_or_default());
        return Ok(0);
    }
    ctx.printer.data(&render(ctx, m, &entry.source.to_string()));
    Ok(0)
}

fn per_env(value: &PerEnv) -> String {
    match value {
        PerEnv::Same(v) => v.clone(),
        PerEnv::ByEnv(map) => map
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn render(ctx: &Context, m: &Manifest, source: &str) -> String {
    let p = &ctx.printer;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} ({})  v{}",
        p.bold(&m.name),
        p.cyan(&m.id),
        *m.version
    );
    let _ = writeln!(s, "{}", m.description);
    let _ = writeln!(s);
    let list = |v: Vec<&str>| v.join(", ");
    let _ = writeln!(s, "  category      {}", m.category.as_str());
    let _ = writeln!(
        s,
        "  markets       {}",
        list(m.markets.iter().map(|x| x.as_str()).collect())
    );
    if !m.currencies.is_empty() {
        let _ = writeln!(s, "  currencies    {}", m.currencies.join(", "));
    }
    if !m.data_residency.is_empty() {
        let _ = writeln!(s, "  data in       {}", m.data_residency.join(", "));
    }
    let _ = writeln!(
        s,
        "  auth          {}",
        list(m.auth.iter().map(|a| a.as_str()).collect())
    );
    let _ = writeln!(s, "  docs          {}", *m.docs);
    if let Some(base) = &m.base_url {
        let _ = writeln!(s, "  api           {}", per_env(base));
    }
    let _ = writeln!(s, "  source        {source}");
    let _ = writeln!(s, "\n{}", p.bold("Capabilities"));
    let _ = writeln!(
        s,
        "  {}",
        list(m.capabilities.iter().map(|x| x.as_str()).collect())
    );

    let _ = writeln!(
        s,
        "\n{}  (integrations add {} --config <variant>)",
        p.bold("Variants"),
        *m.id
    );
    for (name, v) in &m.configs {
        let default = if Some(name.as_str()) == m.default_config() {
            " (default)"
        } else {
            ""
        };
        let _ = writeln!(s, "  {}{default}  {}", p.cyan(name), v.description);
    }
    if !m.options.is_empty() {
        let _ = writeln!(s, "\n{}", p.bold("Options"));
        for o in &m.options {
            let _ = writeln!(
                s,
                "  --{}=<{}>  default {}  {}",
                *o.name,
                o.values.join("|"),
                *o.default,
                o.description
            );
        }
    }
    let _ = writeln!(s, "\n{}", p.bold("Environment variables"));
    for var in &m.env {
        let mut tags = Vec::new();
        tags.push(if var.secret {
            p.yellow("secret")
        } else {
            "plain".to_owned()
        });
        if var.required {
            tags.push("required".to_owned());
        }
        if !var.when.is_empty() {
            let cond: Vec<String> = var
                .when
                .iter()
                .map(|(k, v)| format!("{k}={}", v.values().join("|")))
                .collect();
            tags.push(format!("when {}", cond.join(" ")));
        }
        let _ = writeln!(s, "  {}  [{}]", p.cyan(&var.name), tags.join(", "));
        let _ = writeln!(s, "      {}", var.description);
        if !var.prefix.is_empty() {
            let prefixes: Vec<String> = var
                .prefix
                .iter()
                .map(|(k, v)| format!("{}: {v}", k.as_str()))
                .collect();
            let _ = writeln!(s, "      prefix {}", prefixes.join(", "));
        }
        if let Some(pattern) = &var.pattern {
            let _ = writeln!(s, "      pattern {}", pattern.as_str());
        }
    }
    if let Some(w) = &m.webhooks {
        let _ = writeln!(s, "\n{}  (scheme {})", p.bold("Webhooks"), *w.scheme);
        if let Some(secret) = &w.secret_env {
            let _ = writeln!(s, "  secret in {}", secret.as_str());
        }
        for e in &w.events {
            let _ = writeln!(s, "  {e}");
        }
    }
    if !m.checks.activation.is_empty() || !m.checks.preflight.is_empty() {
        let _ = writeln!(s, "\n{}", p.bold("Checks"));
        for c in &m.checks.preflight {
            let _ = writeln!(s, "  preflight   {}", c.name);
        }
        for c in &m.checks.activation {
            let auth = match &c.request.auth {
                Some(CheckAuth::Bearer(v)) => format!(" (bearer {})", v.as_str()),
                Some(CheckAuth::Basic { .. }) => " (basic)".into(),
                Some(CheckAuth::Header { name, .. }) => format!(" (header {name})"),
                Some(CheckAuth::Query { name, .. }) => format!(" (query {name})"),
                Some(CheckAuth::Token(_)) => " (token exchange)".into(),
                None => String::new(),
            };
            let _ = writeln!(
                s,
                "  activation  {}: {:?} {}{auth}",
                c.name, c.request.method, c.request.path
            );
        }
    }
    if let Some(o) = &m.oauth {
        let _ = writeln!(s, "\n{}", p.bold("OAuth"));
        if let Some(i) = &o.issuer {
            let _ = writeln!(s, "  issuer     {}", per_env(i));
        }
        if !o.scopes.is_empty() {
            let _ = writeln!(s, "  scopes     {}", o.scopes.join(" "));
        }
        let _ = writeln!(s, "  pkce       {}", if o.pkce { "yes" } else { "no" });
    }
    if !m.dependencies.npm.is_empty() {
        let names: Vec<&str> = m.dependencies.npm.iter().map(|d| d.name()).collect();
        let _ = writeln!(s, "\n{}  {}", p.bold("npm packages"), names.join(" "));
    }
    if let Some(r) = &m.rate_limits {
        let mut parts = Vec::new();
        if let Some(n) = r.requests_per_second {
            parts.push(format!("{n}/s"));
        }
        if let Some(n) = r.requests_per_minute {
            parts.push(format!("{n}/min"));
        }
        if !r.notes.is_empty() {
            parts.push(r.notes.clone());
        }
        let _ = writeln!(s, "{}  {}", p.bold("Rate limits"), parts.join(", "));
    }
    let _ = write!(
        s,
        "\nAdd it: {}",
        p.bold(&format!("integrations add {}", *m.id))
    );
    s
}
