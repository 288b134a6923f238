//! The core of `integrations setup`, the guided flow of the onboarding playbook: Connect
//! (choose providers or a recipe), Configure (variant, options, environments, credentials),
//! Test (each provider's activation checks, with the values just entered), Complete (show the
//! plan, and on confirmation apply it).
//!
//! The wizard keeps every answer and every secret in memory until the user confirms, so
//! cancelling at any earlier point changes nothing. [`commit`] then applies the file plan and
//! writes the keychain entries as one unit: if a keychain write fails, the files and the
//! entries written before it are put back as they were. Nothing here prints or prompts; the
//! prompts are in `ui::wizard`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use crate::check::CheckResult;
use crate::check::activation::{self, Job, Settings};
use crate::error::{Error, Result};
use crate::generate::Installed;
use crate::plan::{self, Plan};
use crate::project::envfile;
use crate::secrets::{Secret, SecretStore, StoreError, service};

/// A secret entered in the wizard, waiting for the user's confirmation to be stored.
#[derive(Debug, Clone)]
pub struct SecretValue {
    /// The integration it belongs to (`stripe`, `stripe:eu`).
    pub integration: String,
    pub env: String,
    /// The variable's name as the application reads it (aliased).
    pub var: String,
    pub value: Secret,
}

/// The activation checks of `inst` in `env`, fed with the secrets entered for it (passed
/// explicitly, never through the process environment) and, for non-secret variables, the
/// values of `.env.<env>` or the manifest's default.
pub fn test_jobs(root: &Path, inst: &Installed, env: &str, secrets: &[SecretValue]) -> Vec<Job> {
    let env_file = envfile::read_values(root, env).unwrap_or_default();
    let mut values = BTreeMap::new();
    for v in &inst.vars {
        let value = if v.secret {
            secrets
                .iter()
                .find(|s| s.env == env && s.var == v.name)
                .map(|s| s.value.expose().to_owned())
        } else {
            env_file
                .get(&v.name)
                .filter(|x| !x.is_empty())
                .cloned()
                .or_else(|| {
                    v.spec
                        .default
                        .as_ref()
                        .and_then(|d| d.get(env))
                        .map(str::to_owned)
                })
        };
        if let Some(value) = value {
            values.insert(v.base.clone(), value);
        }
    }
    activation::jobs_for(inst, env, values)
}

/// Run activation checks as `check` does (bounded time, retries on transient failures).
pub fn run_tests(jobs: Vec<Job>, progress: Option<indicatif::ProgressBar>) -> Vec<CheckResult> {
    let settings = Settings {
        timeout: Duration::from_secs(10),
        ..Settings::default()
    };
    activation::run_all(jobs, Vec::new(), &settings, progress)
}

/// Apply `plan` under `root` and store `secrets` in `store` for the project `project_id`, as
/// one unit. The keychain is read first (which also proves it is reachable) so nothing is
/// written when it cannot be used; if a write fails part-way, every entry written is put back
/// (or deleted) and the files are restored.
pub fn commit(
    root: &Path,
    plan: &Plan,
    store: &dyn SecretStore,
    project_id: &str,
    secrets: &[SecretValue],
) -> Result<()> {
    let store_error = |e: StoreError| e.into_error("store the secrets");
    let mut previous: Vec<(String, &SecretValue, Option<Secret>)> = Vec::new();
    for s in secrets {
        let svc = service(project_id, &s.env);
        let before = store.get(&svc, &s.var).map_err(store_error)?;
        previous.push((svc, s, before));
    }
    plan::apply(root, plan)?;
    for (i, (svc, s, _)) in previous.iter().enumerate() {
        if let Err(e) = store.set(svc, &s.var, &s.value) {
            for (svc, s, before) in previous[..i].iter().rev() {
                let _ = match before {
                    Some(v) => store.set(svc, &s.var, v),
                    None => store.delete(svc, &s.var).map(|_| ()),
                };
            }
            let restored = plan::apply(root, &plan.inverse());
            let err = store_error(e);
            return Err(match restored {
                Ok(()) => err.hint(
                    "nothing was changed: the files were restored and no secret was kept; \
                     fix the keychain and run `integrations setup` again",
                ),
                Err(r) => Error::failed(format!(
                    "{}; restoring the files failed too: {}",
                    err.message, r.message
                )),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::ProjectPath;
    use crate::secrets::MemoryStore;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A store that fails its n-th write.
    struct Failing {
        inner: MemoryStore,
        writes: AtomicUsize,
        fail_at: usize,
    }

    impl SecretStore for Failing {
        fn get(&self, s: &str, v: &str) -> Result<Option<Secret>, StoreError> {
            self.inner.get(s, v)
        }
        fn set(&self, s: &str, v: &str, value: &Secret) -> Result<(), StoreError> {
            if self.writes.fetch_add(1, Ordering::SeqCst) == self.fail_at {
                return Err(StoreError::Failed("locked".into()));
            }
            self.inner.set(s, v, value)
        }
        fn delete(&self, s: &str, v: &str) -> Result<bool, StoreError> {
            self.inner.delete(s, v)
        }
    }

    fn secret(env: &str, var: &str, value: &str) -> SecretValue {
        SecretValue {
            integration: "stripe".into(),
            env: env.into(),
            var: var.into(),
            value: Secret::new(value),
        }
    }

    #[test]
    fn a_failed_keychain_write_undoes_everything() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "old").unwrap();
        let mut plan = Plan::default();
        plan.set(
            ProjectPath::new("a.txt").unwrap(),
            Some("old".into()),
            Some("new".into()),
        );
        plan.set(
            ProjectPath::new("lib/b.ts").unwrap(),
            None,
            Some("b".into()),
        );
        let store = Failing {
            inner: MemoryStore::default(),
            writes: AtomicUsize::new(0),
            fail_at: 2,
        };
        store
            .inner
            .set(&service("p", "dev"), "B", &Secret::new("kept"))
            .unwrap();
        let secrets = [
            secret("dev", "A", "a1"),
            secret("dev", "B", "b1"),
            secret("prod", "C", "c1"),
        ];
        let err = commit(dir.path(), &plan, &store, "p", &secrets).unwrap_err();
        assert!(err.to_string().contains("nothing was changed"), "{err}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.txt")).unwrap(),
            "old"
        );
        assert!(!dir.path().join("lib").exists());
        assert_eq!(store.inner.get(&service("p", "dev"), "A").unwrap(), None);
        assert_eq!(
            store.inner.get(&service("p", "dev"), "B").unwrap(),
            Some(Secret::new("kept"))
        );
    }

    #[test]
    fn commit_stores_every_secret() {
        let dir = tempfile::tempdir().unwrap();
        let store = MemoryStore::default();
        commit(
            dir.path(),
            &Plan::default(),
            &store,
            "p",
            &[secret("dev", "A", "a1")],
        )
        .unwrap();
        assert_eq!(
            store.get(&service("p", "dev"), "A").unwrap(),
            Some(Secret::new("a1"))
        );
    }
}
