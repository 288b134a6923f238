//! The generation engine: given the project as it is and the `integrations.toml` it should
//! have, compute the [`Plan`] that brings every generated artifact in line: code stubs (guarded
//! by the lock's hashes), env file blocks, the `.gitignore` block and the lock itself.
//!
//! `add`, `remove`, `update`, `diff` and `recipe apply` are all this one reconciliation with a
//! different desired project file, so they cannot disagree about what a project should hold.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::manifest::{Manifest, when_matches};
use crate::plan::{Plan, ProjectPath, read_optional};
use crate::project::config::{self, IntegrationEntry, ProjectFile};
use crate::project::lock::{self, Lock, LockedIntegration, hash};
use crate::project::{Project, envfile};
use crate::render::{self, ActiveVar, module_name};

/// A generated file the user has changed since it was generated, which the plan would
/// overwrite (or, for `remove`, keeps).
#[derive(Debug, Clone)]
pub struct Conflict {
    pub integration: String,
    pub path: String,
    pub reason: &'static str,
}

/// The plan and what the engine noticed while making it.
#[derive(Debug, Default)]
pub struct Outcome {
    pub plan: Plan,
    /// Modified files the plan would overwrite; applying needs `--force`.
    pub conflicts: Vec<Conflict>,
    /// Modified files a removal leaves in place.
    pub kept: Vec<Conflict>,
    /// Generated files per integration key, after the plan.
    pub files: BTreeMap<String, Vec<String>>,
}

/// Check a variant and options against the manifest and fill in option defaults.
pub fn resolve_choice(m: &Manifest, entry: &mut IntegrationEntry) -> Result<()> {
    if !m.configs.contains_key(&entry.config) {
        let valid: Vec<&str> = m.configs.keys().map(String::as_str).collect();
        return Err(Error::invalid(format!(
            "{} has no config variant `{}`",
            *m.id, entry.config
        ))
        .hint(format!("use --config with one of: {}", valid.join(", "))));
    }
    for (name, value) in &entry.options {
        let Some(spec) = m.options.iter().find(|o| o.name.as_str() == name) else {
            let valid: Vec<String> = m
                .options
                .iter()
                .map(|o| format!("--{}=<{}>", *o.name, o.values.join("|")))
                .collect();
            return Err(
                Error::invalid(format!("{} has no option `--{name}`", *m.id)).hint(
                    if valid.is_empty() {
                        format!("{} takes no options", *m.id)
                    } else {
                        format!("{} accepts: {}", *m.id, valid.join(", "))
                    },
                ),
            );
        };
        if !spec.values.contains(value) {
            return Err(Error::invalid(format!(
                "invalid value `{value}` for --{name} of {}",
                *m.id
            ))
            .hint(format!("use one of: {}", spec.values.join(", "))));
        }
    }
    for spec in &m.options {
        entry
            .options
            .entry(spec.name.value.clone())
            .or_insert_with(|| spec.default.value.clone());
    }
    Ok(())
}

/// Aliases are lower-case words: they become part of paths and env var names.
pub fn check_alias(alias: &str) -> Result<()> {
    let ok = !alias.is_empty()
        && alias.starts_with(|c: char| c.is_ascii_lowercase())
        && alias
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "invalid alias `{alias}`: use lower-case letters, digits and `-`, starting with a letter"
        )))
    }
}

/// Resolve one entry of the project file against the catalog: its manifest, its variant and
/// options checked (defaults filled in) and its active vars. Errors point into the file.
fn resolve<'a>(
    catalog: &'a Catalog,
    file: &ProjectFile,
    key: &str,
    entry: &IntegrationEntry,
) -> Result<Installed<'a>> {
    let m = catalog
        .entry(&entry.provider)
        .map_err(|e| {
            let mut located = file.error_at(
                &["integrations", key, "provider"],
                format!("integration `{key}` uses {}", e.message),
            );
            located.hint = e.hint;
            located
        })?
        .manifest()?;
    let mut entry = entry.clone();
    resolve_choice(m, &mut entry).map_err(|e| {
        let mut located = file.error_at(
            &["integrations", key],
            format!("integration `{key}`: {}", e.message),
        );
        located.hint = e.hint;
        located
    })?;
    Ok(Installed {
        key: key.to_owned(),
        manifest: m,
        vars: render::active_vars(m, &entry.choice()),
        environments: file.environments_of(&entry),
        entry,
    })
}

/// The npm packages an integration's generated code imports.
pub fn npm_packages(m: &Manifest, entry: &IntegrationEntry) -> Vec<String> {
    m.dependencies
        .npm
        .iter()
        .filter(|d| {
            d.when()
                .is_none_or(|w| when_matches(w, &entry.config, &entry.options))
        })
        .map(|d| d.name().to_owned())
        .collect()
}

/// Compute the plan that turns `project` (as on disk; `None` for a project not yet created)
/// into one whose project file is `desired`, regenerating the integrations in `scope`.
pub fn reconcile(
    root: &Path,
    catalog: &Catalog,
    project: Option<&Project>,
    desired: &ProjectFile,
    scope: &[String],
    force: bool,
) -> Result<Outcome> {
    let mut out = Outcome::default();
    let empty_lock = Lock::default();
    let old_lock = project.map_or(&empty_lock, |p| &p.lock);
    let mut new_lock = old_lock.clone();
    let plan = &mut out.plan;

    let toml_path = ProjectPath::new(config::FILE)?;
    plan.set(
        toml_path,
        project.map(|p| p.file.text.clone()),
        Some(desired.render()),
    );

    // Every desired integration is resolved (the project-wide blocks need all their vars);
    // only those in scope are rendered.
    let generated: BTreeMap<String, Installed> = installed(catalog, desired)?
        .into_iter()
        .map(|i| (i.key.clone(), i))
        .collect();

    for key in scope {
        let old_files = old_lock
            .integrations
            .get(key)
            .map(|l| l.files.clone())
            .unwrap_or_default();
        let mut new_files: BTreeMap<String, String> = BTreeMap::new();

        if let Some(g) = generated.get(key) {
            let files = render::render(
                catalog.entry(&g.entry.provider)?,
                &g.entry.choice(),
                &desired.project.name,
                &desired.project.framework,
            )?;
            for file in &files {
                let path = ProjectPath::new(&file.dest)?;
                if new_files.contains_key(path.as_str()) {
                    continue;
                }
                if let Some(owner) = old_lock.owner_of(path.as_str())
                    && owner != key
                    && desired.integrations.contains_key(owner)
                {
                    return Err(Error::invalid(format!(
                        "{key} would write {path}, which belongs to the integration `{owner}`"
                    ))
                    .hint("use --alias to add a second connection of a provider"));
                }
                let current = read_optional(&path.under(root))?;
                let locked = old_files.get(path.as_str());
                match (&current, locked) {
                    (Some(cur), _) if *cur == file.content => {}
                    (Some(cur), Some(h)) if hash(cur) == *h => {}
                    (None, _) => {}
                    (Some(_), locked) => {
                        let conflict = Conflict {
                            integration: key.clone(),
                            path: path.to_string(),
                            reason: if locked.is_some() {
                                "modified since it was generated"
                            } else {
                                "exists and was not generated by integrations"
                            },
                        };
                        if !force {
                            out.conflicts.push(conflict);
                            continue;
                        }
                    }
                }
                new_files.insert(path.to_string(), hash(&file.content));
                plan.set(path, current, Some(file.content.clone()));
            }
            for conflict in out.conflicts.iter().filter(|c| &c.integration == key) {
                // Keep the lock's view of a file we did not overwrite.
                if let Some(h) = old_files.get(&conflict.path) {
                    new_files.insert(conflict.path.clone(), h.clone());
                }
            }
        }

        // Files generated before but not any more: delete them unless the user changed them.
        for (path, locked_hash) in &old_files {
            if new_files.contains_key(path) {
                continue;
            }
            let p = ProjectPath::new(path)?;
            match read_optional(&p.under(root))? {
                Some(cur) if hash(&cur) == *locked_hash => plan.set(p, Some(cur), None),
                Some(_) => out.kept.push(Conflict {
                    integration: key.clone(),
                    path: path.clone(),
                    reason: "modified since it was generated, so it was kept",
                }),
                None => {}
            }
        }

        match generated.get(key) {
            Some(g) => {
                out.files
                    .insert(key.clone(), new_files.keys().cloned().collect());
                new_lock.integrations.insert(
                    key.clone(),
                    LockedIntegration {
                        provider: g.manifest.id.value.clone(),
                        manifest_version: g.manifest.version.value.clone(),
                        files: new_files,
                    },
                );
            }
            None => {
                new_lock.integrations.remove(key);
            }
        }

        // Env file blocks of this integration.
        let example = ProjectPath::new(envfile::EXAMPLE)?;
        let before = plan.content_after(root, &example)?;
        let block = generated
            .get(key)
            .map(|g| envfile::example_block(g.manifest, key, &g.vars, &g.environments));
        let after = envfile::set_block(before.as_deref(), key, block.as_deref());
        let on_disk = read_optional(&example.under(root))?;
        plan.set(example, on_disk, after);

        let mut envs: BTreeSet<String> = desired.project.environments.iter().cloned().collect();
        if let Some(p) = project {
            envs.extend(p.file.project.environments.iter().cloned());
        }
        for env in envs {
            let path = ProjectPath::new(&envfile::env_file(&env))?;
            let before = plan.content_after(root, &path)?;
            let block = generated.get(key).and_then(|g| {
                g.environments
                    .contains(&env)
                    .then(|| envfile::env_block(key, &g.vars, &env))
                    .flatten()
            });
            let after = envfile::set_block(before.as_deref(), key, block.as_deref());
            let on_disk = read_optional(&path.under(root))?;
            plan.set(path, on_disk, after);
        }
    }

    // The project-wide .gitignore block, present while any integration has a secret.
    let any_secret = generated.values().any(|g| g.vars.iter().any(|v| v.secret));
    let gitignore = ProjectPath::new(envfile::GITIGNORE)?;
    let current = read_optional(&gitignore.under(root))?;
    let block = any_secret.then(envfile::gitignore_block);
    let after = envfile::set_block(current.as_deref(), "env", block.as_deref());
    plan.set(gitignore, current, after);

    let lock_path = ProjectPath::new(lock::FILE)?;
    let lock_before = read_optional(&lock_path.under(root))?;
    let lock_after = if new_lock.integrations.is_empty() && lock_before.is_none() {
        None
    } else {
        Some(new_lock.render())
    };
    plan.set(lock_path, lock_before, lock_after);
    Ok(out)
}

/// Several integrations added in one go (`add`, `recipe apply`, `setup`): the project file
/// with all of them, their keys, and the one plan for all of them.
#[derive(Debug)]
pub struct Additions {
    pub desired: ProjectFile,
    /// Resolved entries (option defaults filled in), in the order given, with their keys.
    pub added: Vec<(String, IntegrationEntry)>,
    pub outcome: Outcome,
}

/// Set every entry of `entries` in `desired` (the project file as it is, or a new one) and
/// plan the project that results, as one reconciliation over all their keys. Each entry is
/// checked against its manifest (variant, options, environments, alias) before anything is
/// planned; two entries may not share a key, nor take the key of another provider.
pub fn plan_additions(
    root: &Path,
    catalog: &Catalog,
    project: Option<&Project>,
    mut desired: ProjectFile,
    entries: Vec<IntegrationEntry>,
    force: bool,
) -> Result<Additions> {
    let mut added: Vec<(String, IntegrationEntry)> = Vec::new();
    for mut entry in entries {
        let m = catalog.get(&entry.provider)?;
        if let Some(alias) = &entry.alias {
            check_alias(alias)?;
        }
        for env in entry.environments.iter().flatten() {
            if !desired.project.environments.contains(env) {
                return Err(
                    Error::invalid(format!("unknown environment `{env}`")).hint(format!(
                        "this project's environments are: {}",
                        desired.project.environments.join(", ")
                    )),
                );
            }
        }
        let key = key_for(&m.id, entry.alias.as_deref());
        if added.iter().any(|(k, _)| *k == key) {
            return Err(Error::invalid(format!(
                "`{key}` is listed twice; give the second one an alias"
            )));
        }
        if let Some(other) = desired.integrations.get(&key)
            && other.provider != *m.id
        {
            return Err(Error::invalid(format!(
                "`{key}` is already used by the {} integration",
                other.provider
            ))
            .hint("choose another alias"));
        }
        resolve_choice(m, &mut entry)?;
        desired.set_integration(&key, &entry);
        added.push((key, entry));
    }
    let keys: Vec<String> = added.iter().map(|(k, _)| k.clone()).collect();
    let outcome = reconcile(root, catalog, project, &desired, &keys, force)?;
    Ok(Additions {
        desired,
        added,
        outcome,
    })
}

/// The integration key (`[integrations.<key>]`) for a provider and alias.
pub fn key_for(provider: &str, alias: Option<&str>) -> String {
    module_name(provider, alias)
}

/// Find an installed integration by `provider`, `provider:alias` or its key.
pub fn find_key(file: &ProjectFile, spec: &str) -> Result<String> {
    let key = match spec.split_once(':') {
        Some((provider, alias)) => key_for(provider, Some(alias)),
        None => spec.to_owned(),
    };
    if file.integrations.contains_key(&key) {
        return Ok(key);
    }
    let installed: Vec<String> = file
        .integrations
        .iter()
        .map(|(k, e)| match &e.alias {
            Some(a) => format!("{}:{a}", e.provider),
            None => k.clone(),
        })
        .collect();
    let mut err = Error::invalid(format!("`{spec}` is not installed in this project"));
    err = if installed.is_empty() {
        err.hint("nothing is installed yet; add one with `integrations add <provider>`")
    } else {
        err.hint(format!("installed: {}", installed.join(", ")))
    };
    Err(err)
}

/// An integration installed in a project, resolved against its manifest.
pub struct Installed<'a> {
    pub key: String,
    pub manifest: &'a Manifest,
    pub entry: IntegrationEntry,
    pub vars: Vec<ActiveVar>,
    pub environments: Vec<String>,
}

impl Installed<'_> {
    /// `stripe` or `stripe:eu`, as users type it.
    pub fn label(&self) -> String {
        match &self.entry.alias {
            Some(a) => format!("{}:{a}", self.entry.provider),
            None => self.entry.provider.clone(),
        }
    }
}

/// Every integration of `file`, with its manifest, resolved options and active vars.
/// An unknown provider or invalid choice is an error pointing into `integrations.toml`.
pub fn installed<'a>(catalog: &'a Catalog, file: &ProjectFile) -> Result<Vec<Installed<'a>>> {
    file.integrations
        .iter()
        .map(|(key, entry)| resolve(catalog, file, key, entry))
        .collect()
}
