//! Looking up the values of a project's variables for one environment, in the order every
//! consumer (`check`, `run`, `env`, `status`, `secrets list`) shares: the process environment
//! first, then the keychain for secrets or `.env.<env>` for non-secret values. CI that injects
//! secrets as environment variables works with no keychain at all.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::{Secret, SecretStore, StoreError, remember, service};
use crate::error::Result;
use crate::generate::Installed;
use crate::project::envfile;
use crate::render::ActiveVar;
use crate::ui::Redactor;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Set in the process environment.
    Process,
    /// Stored in the OS keychain.
    Keychain,
    /// A non-secret value from `.env.<env>`.
    EnvFile,
    /// Not set anywhere we looked.
    Missing,
    /// A secret we could not look up because no keychain is available.
    Unavailable,
}

impl Origin {
    pub fn describe(self) -> &'static str {
        match self {
            Origin::Process => "process environment",
            Origin::Keychain => "keychain",
            Origin::EnvFile => "env file",
            Origin::Missing => "missing",
            Origin::Unavailable => "keychain unavailable",
        }
    }
}

/// One variable's value in one environment.
#[derive(Debug, Clone)]
pub struct Lookup {
    pub integration: String,
    pub var: ActiveVar,
    pub value: Option<Secret>,
    pub origin: Origin,
}

pub struct Resolver<'a> {
    pub project_id: String,
    pub env: String,
    store: &'a dyn SecretStore,
    redactor: Redactor,
    env_file: BTreeMap<String, String>,
    keychain_error: RefCell<Option<StoreError>>,
}

impl<'a> Resolver<'a> {
    pub fn new(
        root: &Path,
        project_id: &str,
        env: &str,
        store: &'a dyn SecretStore,
        redactor: Redactor,
    ) -> Result<Self> {
        Ok(Resolver {
            project_id: project_id.to_owned(),
            env: env.to_owned(),
            store,
            redactor,
            env_file: envfile::read_values(root, env)?,
            keychain_error: RefCell::new(None),
        })
    }

    /// The non-secret values of `.env.<env>` (all of them, declared or not).
    pub fn env_file(&self) -> &BTreeMap<String, String> {
        &self.env_file
    }

    /// Why the keychain could not be read, when it could not.
    pub fn keychain_error(&self) -> Option<StoreError> {
        self.keychain_error.borrow().clone()
    }

    pub fn lookup(&self, integration: &str, var: &ActiveVar) -> Lookup {
        let found = |value: String, origin| {
            let value = if var.secret {
                remember(&self.redactor, value)
            } else {
                Secret::new(value)
            };
            Lookup {
                integration: integration.to_owned(),
                var: var.clone(),
                value: Some(value),
                origin,
            }
        };
        if let Some(v) = std::env::var_os(&var.name).filter(|v| !v.is_empty()) {
            return found(v.to_string_lossy().into_owned(), Origin::Process);
        }
        if var.secret {
            if self.keychain_error.borrow().is_none() {
                match self
                    .store
                    .get(&service(&self.project_id, &self.env), &var.name)
                {
                    Ok(Some(s)) => return found(s.expose().to_owned(), Origin::Keychain),
                    Ok(None) => {}
                    Err(e) => *self.keychain_error.borrow_mut() = Some(e),
                }
            }
            if self.keychain_error.borrow().is_some() {
                return Lookup {
                    integration: integration.to_owned(),
                    var: var.clone(),
                    value: None,
                    origin: Origin::Unavailable,
                };
            }
        } else if let Some(v) = self.env_file.get(&var.name).filter(|v| !v.is_empty()) {
            return found(v.clone(), Origin::EnvFile);
        }
        Lookup {
            integration: integration.to_owned(),
            var: var.clone(),
            value: None,
            origin: Origin::Missing,
        }
    }

    /// Every variable of every integration enabled in this environment.
    pub fn resolve_all(&self, installed: &[Installed]) -> Vec<Lookup> {
        installed
            .iter()
            .filter(|i| i.environments.contains(&self.env))
            .flat_map(|i| i.vars.iter().map(|v| self.lookup(&i.label(), v)))
            .collect()
    }
}
