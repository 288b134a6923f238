//! Rendering generated files: a manifest plus the user's answers (variant, options, alias)
//! become file contents through Tera templates.
//!
//! The template context is the contract between the engine and template authors; it is
//! documented in docs/manifests.md. Undefined variables are errors, never empty strings.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use crate::catalog::Entry;
use crate::error::{Error, Result};
use crate::manifest::{EnvVar, Manifest, validate::unsafe_destination, when_matches};

/// What the user chose when adding an integration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub config: String,
    pub alias: Option<String>,
    pub options: BTreeMap<String, String>,
}

/// One active env var of an integration, under its effective (aliased) name.
#[derive(Debug, Clone, Serialize)]
pub struct ActiveVar {
    /// The name the application reads: `STRIPE_EU_SECRET_KEY`.
    pub name: String,
    /// The name in the manifest: `STRIPE_SECRET_KEY`.
    pub base: String,
    /// A camelCase property name for generated code: `secretKey`.
    pub key: String,
    pub secret: bool,
    pub required: bool,
    pub description: String,
    #[serde(skip)]
    pub spec: EnvVar,
}

/// A rendered file: where it goes and what it holds.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub dest: String,
    pub content: String,
}

/// The integration's name in the project: `stripe` or `stripe:eu`.
pub fn integration_key(provider: &str, alias: Option<&str>) -> String {
    match alias {
        Some(a) => format!("{provider}:{a}"),
        None => provider.to_owned(),
    }
}

/// The upper-case token of a provider id in env var names: `stc-pay` → `STC_PAY`.
pub fn env_token(id: &str) -> String {
    id.to_ascii_uppercase().replace('-', "_")
}

/// The env var name an alias gives `name`: the alias goes after the provider's token
/// (`STRIPE_SECRET_KEY` → `STRIPE_EU_SECRET_KEY`), keeping a `NEXT_PUBLIC_` prefix first;
/// names without the token get it in front (`DATABASE_URL` → `ANALYTICS_DATABASE_URL`).
pub fn aliased_var(provider: &str, alias: Option<&str>, name: &str) -> String {
    let Some(alias) = alias else {
        return name.to_owned();
    };
    let alias = env_token(alias);
    let token = env_token(provider);
    let (public, rest) = match name.strip_prefix("NEXT_PUBLIC_") {
        Some(rest) => ("NEXT_PUBLIC_", rest),
        None => ("", name),
    };
    if rest == token {
        return format!("{public}{token}_{alias}");
    }
    if let Some(tail) = rest.strip_prefix(&format!("{token}_")) {
        return format!("{public}{token}_{alias}_{tail}");
    }
    format!("{public}{alias}_{rest}")
}

fn camel(words: &[&str], upper_first: bool) -> String {
    let mut out = String::new();
    for (i, w) in words.iter().filter(|w| !w.is_empty()).enumerate() {
        let lower = w.to_ascii_lowercase();
        if i == 0 && !upper_first {
            out.push_str(&lower);
        } else {
            let mut chars = lower.chars();
            if let Some(c) = chars.next() {
                out.push(c.to_ascii_uppercase());
                out.extend(chars);
            }
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// The property name generated code uses for a var: `NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY` →
/// `publishableKey`, `DATABASE_URL` → `databaseUrl`.
pub fn var_key(provider: &str, name: &str) -> String {
    let token = env_token(provider);
    let rest = name.strip_prefix("NEXT_PUBLIC_").unwrap_or(name);
    let rest = rest
        .strip_prefix(&format!("{token}_"))
        .filter(|r| !r.is_empty())
        .unwrap_or(rest);
    let words: Vec<&str> = rest.split('_').collect();
    camel(&words, false)
}

/// The env vars active for `choice`, in manifest order.
pub fn active_vars(m: &Manifest, choice: &Choice) -> Vec<ActiveVar> {
    m.env
        .iter()
        .filter(|v| when_matches(&v.when, &choice.config, &choice.options))
        .map(|v| ActiveVar {
            name: aliased_var(&m.id, choice.alias.as_deref(), &v.name),
            base: v.name.value.clone(),
            key: var_key(&m.id, &v.name),
            secret: v.secret,
            required: v.required,
            // Descriptions land in code comments: never let one close the comment.
            description: v.description.replace("*/", "*\\/"),
            spec: v.clone(),
        })
        .collect()
}

/// The path segment of an integration: `stripe`, `stripe-eu`.
pub fn module_name(provider: &str, alias: Option<&str>) -> String {
    match alias {
        Some(a) => format!("{provider}-{a}"),
        None => provider.to_owned(),
    }
}

/// The Tera context for one integration.
pub fn context(
    m: &Manifest,
    choice: &Choice,
    project_name: &str,
    framework: &str,
) -> serde_json::Value {
    let alias = choice.alias.as_deref();
    let module = module_name(&m.id, alias);
    let words: Vec<&str> = module.split('-').collect();
    let vars = active_vars(m, choice);
    let env: BTreeMap<&str, &str> = vars
        .iter()
        .map(|v| (v.base.as_str(), v.name.as_str()))
        .collect();
    let webhooks = m
        .webhooks
        .as_ref()
        .filter(|w| when_matches(&w.when, &choice.config, &choice.options))
        .map(|w| {
            json!({
                "scheme": w.scheme.as_str(),
                "events": w.events,
                "secret_env": w.secret_env.as_ref().map(|s| aliased_var(&m.id, alias, s)),
            })
        });
    json!({
        "provider": { "id": m.id.as_str(), "name": m.name },
        "alias": alias.unwrap_or(""),
        "module": module,
        "ident": camel(&words, false),
        "type_name": camel(&words, true),
        "config": choice.config,
        "options": choice.options,
        "env": env,
        "vars": vars,
        "webhooks": webhooks,
        "oauth": m.oauth,
        "base_url": m.base_url,
        "project": { "name": project_name, "framework": framework },
    })
}

/// Render every file of `entry`'s manifest for `choice`.
pub fn render(
    entry: &Entry,
    choice: &Choice,
    project_name: &str,
    framework: &str,
) -> Result<Vec<Rendered>> {
    let m = entry.manifest()?;
    let variant = m.configs.get(&choice.config).ok_or_else(|| {
        Error::invalid(format!(
            "{} has no config variant `{}`",
            *m.id, choice.config
        ))
    })?;
    let ctx_value = context(m, choice, project_name, framework);
    let ctx = tera::Context::from_serialize(&ctx_value)
        .map_err(|e| Error::invalid(format!("template context for {}: {e}", *m.id)))?;
    let mut tera = tera::Tera::new();
    tera.autoescape_on(Vec::<&str>::new());
    let mut out = Vec::new();
    for group in &variant.templates {
        let files = m
            .templates
            .get(group.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        for file in files
            .iter()
            .filter(|f| when_matches(&f.when, &choice.config, &choice.options))
        {
            let src = file.src.as_str();
            let text = entry.template(src).ok_or_else(|| {
                Error::invalid(format!("{}: template file `{src}` does not exist", *m.id))
            })?;
            if !tera.contains_template(src) {
                tera.add_raw_template(src, &text)
                    .map_err(|e| template_error(src, &e))?;
            }
            let content = tera
                .render(src, &ctx)
                .map_err(|e| template_error(src, &e))?;
            let dest = tera::Tera::one_off(&file.dest, &ctx, false)
                .map_err(|e| template_error(&format!("destination of {src}"), &e))?;
            if let Some(reason) = unsafe_destination(&dest) {
                return Err(Error::invalid(format!(
                    "{}: destination `{dest}` of {src} {reason}",
                    *m.id
                )));
            }
            out.push(Rendered { dest, content });
        }
    }
    Ok(out)
}

/// A Tera error as one message naming the template and, where Tera says it, the line.
fn template_error(src: &str, err: &tera::Error) -> Error {
    let mut parts = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    Error::invalid(format!(
        "template `{src}` failed to render: {}",
        parts.join(": ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_names() {
        assert_eq!(
            aliased_var("stripe", Some("eu"), "STRIPE_SECRET_KEY"),
            "STRIPE_EU_SECRET_KEY"
        );
        assert_eq!(
            aliased_var("stripe", Some("eu"), "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY"),
            "NEXT_PUBLIC_STRIPE_EU_PUBLISHABLE_KEY"
        );
        assert_eq!(
            aliased_var("postgres", Some("analytics"), "DATABASE_URL"),
            "ANALYTICS_DATABASE_URL"
        );
        assert_eq!(
            aliased_var("stc-pay", Some("b"), "STC_PAY_KEY"),
            "STC_PAY_B_KEY"
        );
        assert_eq!(
            aliased_var("stripe", None, "STRIPE_SECRET_KEY"),
            "STRIPE_SECRET_KEY"
        );
    }

    #[test]
    fn keys() {
        assert_eq!(
            var_key("stripe", "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY"),
            "publishableKey"
        );
        assert_eq!(var_key("postgres", "DATABASE_URL"), "databaseUrl");
        assert_eq!(var_key("s3", "S3_BUCKET"), "bucket");
        assert_eq!(camel(&["360dialog"], true), "_360dialog");
    }
}
