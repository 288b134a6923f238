//! Semantic validation of a parsed manifest: everything a type cannot say.
//!
//! Each problem becomes an [`Error`] pointing at the line and column of the offending value,
//! so `integrations manifest validate` can list them all at once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path};
use std::sync::LazyLock;

use regex::Regex;

use super::{ENVIRONMENTS, Located, Manifest, When};
use crate::error::{Error, Location};

/// Signature schemes the tool knows how to sign and verify.
pub const WEBHOOK_SCHEMES: [&str; 11] = [
    "stripe",
    "github",
    "slack",
    "svix",
    "standard-webhooks",
    "shopify",
    "twilio",
    "paymob",
    "calcom",
    "vipps",
    "hmac",
];

static ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z0-9][a-z0-9-]*$").unwrap());
static ENV_NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Z][A-Z0-9_]*$").unwrap());
static CAPABILITY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$").unwrap());
static MARKET: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^([A-Z]{2}|global)$").unwrap());
static OPTION_NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z][a-z0-9-]*$").unwrap());
static VERSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[0-9]+\.[0-9]+\.[0-9]+$").unwrap());
static VAR_REF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}").unwrap());

/// Collects problems for one manifest file.
struct Problems<'a> {
    file: &'a Path,
    text: &'a str,
    errors: Vec<Error>,
}

impl Problems<'_> {
    fn add<T>(&mut self, at: &Located<T>, message: String) {
        let (line, column) = if at.line == 0 {
            (1, 1)
        } else {
            (at.line, at.column)
        };
        self.errors.push(Error::invalid(message).at(Location::new(
            self.file,
            line,
            column,
            Some(self.text),
        )));
    }

    fn add_at_id(&mut self, m: &Manifest, message: String) {
        self.add(&m.id, message);
    }
}

/// Check a manifest parsed from `file` (whose text is `text`). `template_exists` answers
/// whether a template `src` can be found for this manifest, `sample_exists` whether a sample
/// payload of a webhook event can.
pub fn validate(
    m: &Manifest,
    file: &Path,
    text: &str,
    template_exists: &dyn Fn(&str) -> bool,
    sample_exists: &dyn Fn(&str) -> bool,
) -> Vec<Error> {
    let mut p = Problems {
        file,
        text,
        errors: Vec::new(),
    };

    if !ID.is_match(&m.id) {
        p.add(
            &m.id,
            format!("id `{}` must be lower-case letters, digits and `-`", *m.id),
        );
    }
    if let Some(stem) = file.file_stem().and_then(|s| s.to_str())
        && stem != m.id.as_str()
    {
        p.add(
            &m.id,
            format!(
                "id `{}` does not match the file name `{}`; name the file `{}.yaml`",
                *m.id,
                file.display(),
                *m.id
            ),
        );
    }
    if !VERSION.is_match(&m.version) {
        p.add(
            &m.version,
            format!("version `{}` must look like 1.2.3", *m.version),
        );
    }
    if !m.docs.starts_with("https://") {
        p.add(
            &m.docs,
            format!("docs `{}` must be an https:// URL", *m.docs),
        );
    }
    for market in &m.markets {
        if !MARKET.is_match(market) {
            p.add(
                market,
                format!(
                    "market `{}` must be an upper-case ISO country code (NO, SA) or `global`",
                    **market
                ),
            );
        }
    }
    for cap in &m.capabilities {
        if !CAPABILITY.is_match(cap) {
            p.add(
                cap,
                format!(
                    "capability `{}` must be a dotted lower-case name such as `payment.capture`",
                    **cap
                ),
            );
        }
    }

    // Options.
    let mut options: BTreeMap<&str, &[String]> = BTreeMap::new();
    for opt in &m.options {
        if !OPTION_NAME.is_match(&opt.name) {
            p.add(
                &opt.name,
                format!(
                    "option name `{}` must be lower-case letters, digits and `-` (it becomes --{})",
                    *opt.name,
                    opt.name.replace('_', "-")
                ),
            );
        }
        if options
            .insert(opt.name.as_str(), opt.values.as_slice())
            .is_some()
        {
            p.add(
                &opt.name,
                format!("option `{}` is declared twice", *opt.name),
            );
        }
        if matches!(
            opt.name.as_str(),
            "config" | "env" | "alias" | "dry-run" | "force" | "yes" | "json" | "dir"
        ) {
            p.add(
                &opt.name,
                format!(
                    "option `{}` clashes with a built-in flag of `add`",
                    *opt.name
                ),
            );
        }
        if !opt.values.contains(&opt.default.value) {
            p.add(
                &opt.default,
                format!(
                    "default `{}` of option `{}` is not one of its values ({})",
                    *opt.default,
                    *opt.name,
                    opt.values.join(", ")
                ),
            );
        }
    }

    // Configs and template groups.
    let defaults = m.configs.values().filter(|c| c.default).count();
    if m.configs.len() > 1 && defaults != 1 {
        p.add_at_id(
            m,
            format!(
                "exactly one config variant must be `default: true` (found {defaults} among {})",
                m.configs.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        );
    }
    for variant in m.configs.values() {
        for group in &variant.templates {
            if !m.templates.contains_key(group.as_str()) {
                p.add(
                    group,
                    format!(
                        "template group `{}` is not defined under `templates`",
                        **group
                    ),
                );
            }
        }
    }
    let configs: Vec<&str> = m.configs.keys().map(String::as_str).collect();
    let check_when = |p: &mut Problems, at: &Located<String>, when: &When, what: &str| {
        for (key, wanted) in when {
            let allowed: Vec<&str> = if key == "config" {
                configs.clone()
            } else if let Some(values) = options.get(key.as_str()) {
                values.iter().map(String::as_str).collect()
            } else {
                p.add(
                    at,
                    format!(
                        "{what}: `when` names `{key}`, which is neither `config` nor an option"
                    ),
                );
                continue;
            };
            for v in wanted.values() {
                if !allowed.contains(&v) {
                    p.add(
                        at,
                        format!(
                            "{what}: `when: {{ {key}: {v} }}` can never hold; `{key}` is one of {}",
                            allowed.join(", ")
                        ),
                    );
                }
            }
        }
    };

    // Env vars.
    let mut declared: BTreeSet<&str> = BTreeSet::new();
    for var in &m.env {
        if !ENV_NAME.is_match(&var.name) {
            p.add(
                &var.name,
                format!(
                    "env var name `{}` must match ^[A-Z][A-Z0-9_]*$ (upper case, digits, `_`)",
                    *var.name
                ),
            );
        }
        if !declared.insert(var.name.as_str()) && var.when.is_empty() {
            p.add(
                &var.name,
                format!("env var `{}` is declared twice", *var.name),
            );
        }
        for env in var.prefix.keys() {
            if env.as_str() != "any" && !ENVIRONMENTS.contains(&env.as_str()) {
                p.add(
                    env,
                    format!(
                        "prefix for environment `{}`, which does not exist; use one of {}, any",
                        **env,
                        ENVIRONMENTS.join(", ")
                    ),
                );
            }
        }
        if let Some(pattern) = &var.pattern
            && let Err(err) = Regex::new(pattern)
        {
            let reason = err.to_string();
            let reason = reason.lines().last().unwrap_or_default().trim().to_owned();
            p.add(
                pattern,
                format!(
                    "pattern of `{}` is not a valid regular expression: {reason}",
                    *var.name
                ),
            );
        }
        if var.secret && var.default.is_some() {
            p.add(
                &var.name,
                format!(
                    "secret `{}` cannot have a default: defaults are written to env files",
                    *var.name
                ),
            );
        }
        check_when(
            &mut p,
            &var.name,
            &var.when,
            &format!("env `{}`", *var.name),
        );
    }
    let check_var = |p: &mut Problems, at: &Located<String>, name: &str, what: &str| {
        if !declared.contains(name) {
            p.add(
                at,
                format!("{what} names `{name}`, which is not declared under `env`"),
            );
        }
    };
    let check_refs = |p: &mut Problems, at: &Located<String>, text: &str, what: &str| {
        for cap in VAR_REF.captures_iter(text) {
            check_var(p, at, &cap[1], what);
        }
    };

    // Webhooks.
    if let Some(hooks) = &m.webhooks {
        if !WEBHOOK_SCHEMES.contains(&hooks.scheme.as_str()) {
            p.add(
                &hooks.scheme,
                format!(
                    "unknown webhook scheme `{}`; known schemes: {}",
                    *hooks.scheme,
                    WEBHOOK_SCHEMES.join(", ")
                ),
            );
        }
        if hooks.scheme.as_str() == "hmac" && hooks.hmac.is_none() {
            p.add(
                &hooks.scheme,
                "the `hmac` scheme needs an `hmac:` block (algorithm, encoding, header)".into(),
            );
        }
        if let Some(secret) = &hooks.secret_env {
            check_var(&mut p, secret, secret, "webhooks.secret_env");
        }
        match hooks.events.first() {
            None => p.add(
                &hooks.scheme,
                "webhooks: list the `events` the provider sends, the most useful first".into(),
            ),
            Some(first) if !sample_exists(first) => p.add(
                &hooks.scheme,
                format!(
                    "webhooks: no sample payload for the first event `{first}`; add \
                     samples/{}/{first}.json (or .form) next to the manifest",
                    *m.id
                ),
            ),
            Some(_) => {}
        }
        for (field, spec) in [
            ("event_type", &hooks.event_type),
            ("event_id", &hooks.event_id),
        ] {
            let Some(spec) = spec else { continue };
            for text in spec.values() {
                if let Err(why) = crate::webhook::event::Locator::parse(text) {
                    p.add(spec, format!("webhooks.{field}: {why}"));
                }
            }
        }
        check_when(&mut p, &hooks.scheme, &hooks.when, "webhooks");
    }

    // Checks.
    for check in &m.checks.preflight {
        for var in &check.require_any {
            check_var(&mut p, var, var, &format!("preflight `{}`", check.name));
        }
    }
    for check in &m.checks.activation {
        let what = format!("activation check `{}`", check.name);
        check_when(&mut p, &m.id, &check.when, &what);
        let req = &check.request;
        let body = req.json.as_ref().map(|j| j.to_string()).unwrap_or_default();
        let mut texts: Vec<&str> = vec![&req.path, &body];
        texts.extend(req.headers.values().map(String::as_str));
        texts.extend(req.query.values().map(String::as_str));
        texts.extend(req.form.values().map(String::as_str));
        match &req.auth {
            Some(super::CheckAuth::Bearer(var)) => check_var(&mut p, var, var, &what),
            Some(super::CheckAuth::Basic { username, password }) => {
                texts.push(username);
                texts.push(password);
            }
            Some(
                super::CheckAuth::Header { value, .. } | super::CheckAuth::Query { value, .. },
            ) => texts.push(value),
            Some(super::CheckAuth::Token(t)) => {
                texts.push(&t.path);
                texts.extend(t.headers.values().map(String::as_str));
                texts.extend(t.form.values().map(String::as_str));
                if let Some(b) = &t.basic {
                    texts.push(&b.username);
                    texts.push(&b.password);
                }
            }
            None => {}
        }
        for text in texts {
            check_refs(&mut p, &m.id, text, &what);
        }
    }
    if let Some(super::PerEnv::ByEnv(map)) = &m.base_url {
        for env in map.keys() {
            if env != "any" && !ENVIRONMENTS.contains(&env.as_str()) {
                p.add_at_id(
                    m,
                    format!("base_url for environment `{env}`, which does not exist"),
                );
            }
        }
    }
    if let Some(base) = &m.base_url {
        let texts: Vec<&str> = match base {
            super::PerEnv::Same(s) => vec![s],
            super::PerEnv::ByEnv(map) => map.values().map(String::as_str).collect(),
        };
        for text in texts {
            check_refs(&mut p, &m.id, text, "base_url");
        }
    }
    if let Some(oauth) = &m.oauth {
        for var in [
            &oauth.client_id_env,
            &oauth.client_secret_env,
            &oauth.redirect_uri_env,
        ]
        .into_iter()
        .flatten()
        {
            check_var(&mut p, var, var, "oauth");
        }
    }
    for dep in &m.dependencies.npm {
        if let Some(when) = dep.when() {
            let at = Located::new(dep.name().to_owned());
            check_when(
                &mut p,
                &at,
                when,
                &format!("npm dependency `{}`", dep.name()),
            );
        }
    }

    // Templates.
    for files in m.templates.values() {
        for t in files {
            if let Some(reason) = unsafe_destination(&t.dest) {
                p.add(
                    &t.dest,
                    format!(
                        "template destination `{}` {reason}; it must be a relative path inside the project",
                        *t.dest
                    ),
                );
            }
            if !template_exists(&t.src) {
                p.add(&t.src, format!("template file `{}` does not exist", *t.src));
            }
            check_when(&mut p, &t.dest, &t.when, &format!("template `{}`", *t.src));
        }
    }
    p.errors
}

/// Why a destination path would leave the project, if it would.
pub fn unsafe_destination(dest: &str) -> Option<&'static str> {
    if dest.is_empty() {
        return Some("is empty");
    }
    if dest.starts_with('/') || dest.starts_with('\\') || dest.get(1..2) == Some(":") {
        return Some("is absolute");
    }
    let path = Path::new(dest);
    for comp in path.components() {
        match comp {
            Component::ParentDir => return Some("escapes the project with `..`"),
            Component::RootDir | Component::Prefix(_) => return Some("is absolute"),
            _ => {}
        }
    }
    if dest.split(['/', '\\']).any(|seg| seg == "..") {
        return Some("escapes the project with `..`");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations() {
        assert_eq!(unsafe_destination("lib/x/config.ts"), None);
        assert_eq!(unsafe_destination("/etc/passwd"), Some("is absolute"));
        assert_eq!(
            unsafe_destination("lib/../../x"),
            Some("escapes the project with `..`")
        );
        assert_eq!(unsafe_destination("C:/x"), Some("is absolute"));
        assert_eq!(
            unsafe_destination("..\\x"),
            Some("escapes the project with `..`")
        );
    }
}
