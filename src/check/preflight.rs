//! Preflight checks: everything that can be known without calling a provider. Required values
//! present, values that fit the environment (no test keys in prod, no live keys in dev), URLs
//! that are https, webhook secrets where webhooks are on, generated files intact, npm packages
//! declared.

use std::collections::BTreeSet;
use std::path::Path;

use super::{CheckResult, Kind, Status};
use crate::generate::{Installed, npm_packages};
use crate::manifest::{VarFormat, when_matches};
use crate::plan::read_optional;
use crate::project::Project;
use crate::project::lock::hash;
use crate::secrets::{Lookup, Origin, check_value};

/// Whether `host` is a loopback name or address.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Check a URL value: it must parse, and be https (http only for loopback hosts outside prod).
pub fn check_url(name: &str, value: &str, env: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(value).map_err(|e| format!("{name} is not a valid URL: {e}"))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" => {
            let host = url.host_str().unwrap_or_default();
            if is_loopback(host) && env != "prod" {
                Ok(url)
            } else if is_loopback(host) {
                Err(format!(
                    "{name} uses http://{host}: prod needs a public https URL"
                ))
            } else {
                Err(format!(
                    "{name} uses plain http; use https (http is only accepted for localhost outside prod)"
                ))
            }
        }
        other => Err(format!("{name} must be an https URL, not {other}:")),
    }
}

/// Whether a URL variable names an address the provider calls back (its host must resolve).
fn is_callback(name: &str) -> bool {
    ["REDIRECT", "CALLBACK", "WEBHOOK_URL", "RETURN_URL"]
        .iter()
        .any(|k| name.contains(k))
}

/// The checks of one integration that need only its values and the project.
pub fn checks(
    project: &Project,
    inst: &Installed,
    lookups: &[Lookup],
    env: &str,
    offline: bool,
) -> (Vec<CheckResult>, Vec<(String, String)>) {
    let label = inst.label();
    let alias = inst.entry.alias.as_deref();
    let mut out = Vec::new();
    let mut resolve = Vec::new();
    let add = |out: &mut Vec<CheckResult>, name: String, status: Status, message: String| {
        out.push(CheckResult::new(
            &label,
            alias,
            Kind::Preflight,
            name,
            status,
            message,
        ));
    };

    for l in lookups {
        let v = &l.var;
        match (&l.value, l.origin) {
            (None, Origin::Unavailable) if v.required => add(
                &mut out,
                format!("{} is set", v.name),
                Status::Fail,
                format!(
                    "{} could not be looked up (no keychain available); provide it as an environment variable, or start a Secret Service and run `integrations secrets set {} --env {env}`",
                    v.name, v.name
                ),
            ),
            (None, _) if v.required => add(
                &mut out,
                format!("{} is set", v.name),
                Status::Fail,
                if v.secret {
                    format!(
                        "{} is not set for {env}; set it with `integrations secrets set {} --env {env}` or as an environment variable",
                        v.name, v.name
                    )
                } else {
                    format!(
                        "{} is not set for {env}; put it in .env.{env} or the environment",
                        v.name
                    )
                },
            ),
            (None, _) => {}
            (Some(value), origin) => {
                let value = value.expose();
                let mut problems = Vec::new();
                if let Err(why) = check_value(&v.spec, &v.name, env, value) {
                    problems.push(why);
                }
                if v.spec.format == VarFormat::Url {
                    match check_url(&v.name, value, env) {
                        Ok(url) => {
                            if is_callback(&v.name)
                                && let Some(host) = url.host_str()
                            {
                                resolve.push((v.name.clone(), host.to_owned()));
                            }
                        }
                        Err(why) => problems.push(why),
                    }
                }
                if problems.is_empty() {
                    add(
                        &mut out,
                        format!("{} is valid for {env}", v.name),
                        Status::Pass,
                        format!("set in the {}", origin.describe()),
                    );
                } else {
                    add(
                        &mut out,
                        format!("{} is valid for {env}", v.name),
                        Status::Fail,
                        problems.join("; "),
                    );
                }
            }
        }
    }

    let set = |name: &str| {
        lookups
            .iter()
            .any(|l| l.var.base == name && l.value.is_some())
    };
    let m = inst.manifest;
    if let Some(hooks) = &m.webhooks
        && when_matches(&hooks.when, &inst.entry.config, &inst.entry.options)
        && let Some(secret) = &hooks.secret_env
    {
        let name = lookups
            .iter()
            .find(|l| l.var.base == secret.as_str())
            .map_or_else(|| secret.value.clone(), |l| l.var.name.clone());
        if set(secret) {
            add(
                &mut out,
                "webhook signing secret".into(),
                Status::Pass,
                format!("{name} is set; signatures can be verified"),
            );
        } else {
            add(
                &mut out,
                "webhook signing secret".into(),
                Status::Fail,
                format!(
                    "webhooks are enabled but {name} is not set: unsigned events cannot be verified"
                ),
            );
        }
    }
    for rule in m
        .checks
        .preflight
        .iter()
        .filter(|r| when_matches(&r.when, &inst.entry.config, &inst.entry.options))
    {
        let names: Vec<&str> = rule.require_any.iter().map(|v| v.as_str()).collect();
        if names.iter().any(|n| set(n)) {
            add(
                &mut out,
                rule.name.clone(),
                Status::Pass,
                "satisfied".into(),
            );
        } else {
            add(
                &mut out,
                rule.name.clone(),
                Status::Fail,
                format!("set at least one of {}", names.join(", ")),
            );
        }
    }

    generated_files(project, inst, &mut out, &label, alias);
    npm_declared(&project.root, inst, &mut out, &label, alias);
    if offline {
        for (var, host) in resolve.drain(..) {
            add(
                &mut out,
                format!("{var} host resolves"),
                Status::Skip,
                format!("{host}: DNS not checked with --offline"),
            );
        }
    }
    (out, resolve)
}

fn generated_files(
    project: &Project,
    inst: &Installed,
    out: &mut Vec<CheckResult>,
    label: &str,
    alias: Option<&str>,
) {
    let Some(locked) = project.lock.integrations.get(&inst.key) else {
        out.push(CheckResult::new(
            label,
            alias,
            Kind::Preflight,
            "generated files",
            Status::Warn,
            format!("never generated; run `integrations update {label}`"),
        ));
        return;
    };
    let mut changed = Vec::new();
    let mut missing = Vec::new();
    for (path, h) in &locked.files {
        match read_optional(&project.root.join(path)) {
            Ok(Some(c)) if hash(&c) == *h => {}
            Ok(Some(_)) => changed.push(path.clone()),
            _ => missing.push(path.clone()),
        }
    }
    let (status, message) = if changed.is_empty() && missing.is_empty() {
        (
            Status::Pass,
            format!("{} file(s) as generated", locked.files.len()),
        )
    } else {
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!("missing: {}", missing.join(", ")));
        }
        if !changed.is_empty() {
            parts.push(format!("modified: {}", changed.join(", ")));
        }
        (
            Status::Warn,
            format!(
                "{}; `integrations diff {label}` shows what would be regenerated",
                parts.join("; ")
            ),
        )
    };
    out.push(CheckResult::new(
        label,
        alias,
        Kind::Preflight,
        "generated files",
        status,
        message,
    ));
}

fn npm_declared(
    root: &Path,
    inst: &Installed,
    out: &mut Vec<CheckResult>,
    label: &str,
    alias: Option<&str>,
) {
    let wanted = npm_packages(inst.manifest, &inst.entry);
    if wanted.is_empty() {
        return;
    }
    let Ok(Some(text)) = read_optional(&root.join("package.json")) else {
        return;
    };
    let declared: BTreeSet<String> = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .map(|v| {
            ["dependencies", "devDependencies", "peerDependencies"]
                .iter()
                .filter_map(|k| v.get(k).and_then(|d| d.as_object()))
                .flat_map(|d| d.keys().cloned())
                .collect()
        })
        .unwrap_or_default();
    let absent: Vec<&str> = wanted
        .iter()
        .filter(|p| !declared.contains(*p))
        .map(String::as_str)
        .collect();
    out.push(if absent.is_empty() {
        CheckResult::new(
            label,
            alias,
            Kind::Preflight,
            "npm packages",
            Status::Pass,
            format!("{} in package.json", wanted.join(", ")),
        )
    } else {
        CheckResult::new(
            label,
            alias,
            Kind::Preflight,
            "npm packages",
            Status::Warn,
            format!(
                "not in package.json: {}; run `npm install {}`",
                absent.join(", "),
                absent.join(" ")
            ),
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(check_url("U", "https://x.io/cb", "prod").is_ok());
        assert!(check_url("U", "http://localhost:3000/cb", "dev").is_ok());
        assert!(check_url("U", "http://127.0.0.1/cb", "staging").is_ok());
        assert!(check_url("U", "http://localhost:3000/cb", "prod").is_err());
        assert!(
            check_url("U", "http://x.io/cb", "dev")
                .unwrap_err()
                .contains("plain http")
        );
        assert!(check_url("U", "not a url", "dev").is_err());
        assert!(is_loopback("[::1]") && is_loopback("127.0.0.2") && !is_loopback("10.0.0.1"));
    }
}
