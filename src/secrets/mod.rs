//! Secrets: where they live (the OS keychain, behind [`SecretStore`]), how every consumer
//! looks a value up (process environment first, then the keychain; non-secret values from
//! `.env.<env>`), and the rules a value must follow for an environment (prefix, pattern).
//!
//! Keychain entries are named by service `integrations/<project-id>/<environment>` and account
//! (user name) `<VAR>`, so two projects or two environments never see each other's values.
//! A value never leaves this module except through [`Secret::expose`], and every value read is
//! registered with the [`Redactor`] so no output can print it by accident.

pub mod keychain;
pub mod values;

use std::collections::BTreeMap;
use std::fmt;

pub use keychain::KeychainStore;
pub use values::{Lookup, Origin, Resolver};

use crate::error::{Error, Result};
use crate::manifest::{ENVIRONMENTS, EnvVar};
use crate::ui::Redactor;

/// A secret value. `Debug` and `Display` print `********`; only [`Secret::expose`] gives the
/// value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::ui::redact::MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::ui::redact::MASK)
    }
}

/// The keychain service an entry lives under.
pub fn service(project_id: &str, env: &str) -> String {
    format!("integrations/{project_id}/{env}")
}

/// Why the keychain could not be used.
#[derive(Debug, Clone)]
pub enum StoreError {
    /// No Secret Service / keychain is reachable (headless box, no D-Bus session).
    Unavailable(String),
    /// The keychain answered with an error.
    Failed(String),
}

impl StoreError {
    pub fn into_error(self, action: &str) -> Error {
        match self {
            StoreError::Unavailable(detail) => Error::failed(format!(
                "no keychain available to {action}: {detail}"
            ))
            .hint(
                "start a Secret Service (e.g. `gnome-keyring-daemon --unlock --components=secrets` \
                 inside a D-Bus session, or KeePassXC with Secret Service enabled), or provide the \
                 values as environment variables; nothing was written in plaintext",
            ),
            StoreError::Failed(detail) => {
                Error::failed(format!("the keychain refused to {action}: {detail}"))
            }
        }
    }
}

/// Where secrets are kept. The real one is [`KeychainStore`]; [`MemoryStore`] serves unit
/// tests of code that only needs *a* store.
pub trait SecretStore {
    fn get(&self, service: &str, var: &str) -> Result<Option<Secret>, StoreError>;
    fn set(&self, service: &str, var: &str, value: &Secret) -> Result<(), StoreError>;
    /// Delete an entry; `Ok(false)` when there was none.
    fn delete(&self, service: &str, var: &str) -> Result<bool, StoreError>;
}

/// An in-process store for unit tests.
#[derive(Default)]
pub struct MemoryStore {
    entries: std::sync::Mutex<BTreeMap<(String, String), Secret>>,
}

impl SecretStore for MemoryStore {
    fn get(&self, service: &str, var: &str) -> Result<Option<Secret>, StoreError> {
        let entries = self
            .entries
            .lock()
            .map_err(|e| StoreError::Failed(e.to_string()))?;
        Ok(entries.get(&(service.to_owned(), var.to_owned())).cloned())
    }

    fn set(&self, service: &str, var: &str, value: &Secret) -> Result<(), StoreError> {
        let mut entries = self
            .entries
            .lock()
            .map_err(|e| StoreError::Failed(e.to_string()))?;
        entries.insert((service.to_owned(), var.to_owned()), value.clone());
        Ok(())
    }

    fn delete(&self, service: &str, var: &str) -> Result<bool, StoreError> {
        let mut entries = self
            .entries
            .lock()
            .map_err(|e| StoreError::Failed(e.to_string()))?;
        Ok(entries
            .remove(&(service.to_owned(), var.to_owned()))
            .is_some())
    }
}

/// Check `value` against the manifest's rules for `var` in environment `env`. The error says
/// what was expected and why ("a sk_live_ key in dev").
pub fn check_value(spec: &EnvVar, name: &str, env: &str, value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err(format!("{name} is empty"));
    }
    let expected = spec
        .prefix
        .iter()
        .find(|(e, _)| e.as_str() == env)
        .or_else(|| spec.prefix.iter().find(|(e, _)| e.as_str() == "any"))
        .map(|(_, p)| p.as_str());
    if let Some(prefix) = expected
        && !value.starts_with(prefix)
    {
        // Name the environment the value looks like it belongs to, when it does.
        let belongs = spec
            .prefix
            .iter()
            .filter(|(e, p)| e.as_str() != env && !p.is_empty() && value.starts_with(p.as_str()))
            .map(|(e, p)| format!("{p} (a {} key)", e.as_str()))
            .next();
        return Err(match belongs {
            Some(other) => format!("{name} starts with {other}, but {env} needs {prefix}",),
            None => format!("{name} should start with {prefix} in {env}"),
        });
    }
    if let Some(pattern) = &spec.pattern
        && let Ok(re) = regex::Regex::new(&format!("^(?:{})$", pattern.as_str()))
        && !re.is_match(value)
    {
        return Err(format!(
            "{name} does not look right: it should match {}",
            pattern.as_str()
        ));
    }
    Ok(())
}

/// The environments a project may use, for error messages.
pub fn known_environments() -> &'static [&'static str] {
    &ENVIRONMENTS
}

/// Register a value with the redactor and wrap it.
pub fn remember(redactor: &Redactor, value: String) -> Secret {
    redactor.add(&value);
    Secret(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Located;

    fn spec() -> EnvVar {
        EnvVar {
            name: Located::new("STRIPE_SECRET_KEY".into()),
            secret: true,
            required: true,
            description: String::new(),
            prefix: [
                (Located::new("dev".to_owned()), "sk_test_".to_owned()),
                (Located::new("prod".to_owned()), "sk_live_".to_owned()),
            ]
            .into(),
            pattern: Some(Located::new("sk_(test|live)_[A-Za-z0-9]+".into())),
            format: Default::default(),
            example: None,
            default: None,
            when: Default::default(),
        }
    }

    #[test]
    fn prefixes_per_environment() {
        let s = spec();
        assert!(check_value(&s, "K", "dev", "sk_test_abc123").is_ok());
        let err = check_value(&s, "K", "prod", "sk_test_abc123").unwrap_err();
        assert_eq!(
            err,
            "K starts with sk_test_ (a dev key), but prod needs sk_live_"
        );
        let err = check_value(&s, "K", "dev", "sk_live_abc123").unwrap_err();
        assert!(err.contains("dev needs sk_test_"), "{err}");
        assert!(
            check_value(&s, "K", "dev", "sk_test_a-b")
                .unwrap_err()
                .contains("match")
        );
    }

    #[test]
    fn secret_does_not_print() {
        let s = Secret::new("sk_test_123");
        assert_eq!(format!("{s} {s:?}"), "******** ********");
        let m = MemoryStore::default();
        m.set("svc", "A", &s).unwrap();
        assert_eq!(m.get("svc", "A").unwrap(), Some(s));
        assert!(m.delete("svc", "A").unwrap());
        assert!(!m.delete("svc", "A").unwrap());
    }
}
