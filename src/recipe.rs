//! Recipes: named bundles of integrations with their variants and options ("Global SaaS",
//! "Nordic SaaS", "MENA e-commerce"), applied in one go as one plan.
//!
//! A recipe is a YAML file, `recipes/<name>.yaml` embedded in the binary or
//! `.integrations/recipes/<name>.yaml` in the project (a project recipe replaces a built-in
//! one of the same name). Nothing about it is trusted: every provider, variant, option and
//! alias is checked against the catalog before anything is planned, and a mistake is reported
//! with the recipe file, line and column, as manifests are.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::catalog::{Catalog, embedded_recipes, manifest_files, manifest_id};
use crate::error::{Error, Location, Result, did_you_mean};
use crate::generate::{check_alias, key_for, resolve_choice};
use crate::manifest::{Located, parse_yaml_as};
use crate::project::IntegrationEntry;

/// The directory of project-local recipes, relative to the project root.
pub const PROJECT_RECIPES: &str = ".integrations/recipes";

/// A recipe file's content.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    /// The recipe's name, the same as its file name: `global-saas`.
    pub name: Located<String>,
    /// One sentence on what the bundle is for.
    pub description: String,
    pub integrations: Vec<RecipeItem>,
}

/// One integration of a recipe, as `add` would take it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipeItem {
    pub provider: Located<String>,
    /// The config variant (default: the manifest's default).
    #[serde(default)]
    pub config: Option<Located<String>>,
    /// Needed when a recipe holds the same provider twice (Vipps login and payment).
    #[serde(default)]
    pub alias: Option<Located<String>>,
    /// Option values (`provider: r2`); options not given take the manifest's default.
    #[serde(default)]
    pub options: BTreeMap<String, Located<String>>,
}

/// Where a recipe file comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Embedded,
    Project(PathBuf),
}

impl Source {
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Embedded => "builtin",
            Source::Project(_) => "project",
        }
    }
}

/// A recipe file, parsed on demand.
#[derive(Debug, Clone)]
pub struct RecipeFile {
    /// The file's stem, which is the recipe's name.
    pub name: String,
    pub source: Source,
    text: Cow<'static, str>,
}

impl RecipeFile {
    /// The path used in diagnostics: the real file, or `recipes/<name>.yaml` for built-ins.
    pub fn file(&self) -> PathBuf {
        match &self.source {
            Source::Project(p) => p.clone(),
            Source::Embedded => PathBuf::from(format!("recipes/{}.yaml", self.name)),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Parse the file (syntax and types only; [`RecipeFile::entries`] checks the rest).
    pub fn parse(&self) -> Result<Recipe> {
        let recipe: Recipe = parse_yaml_as(&self.text, &self.file(), "recipe")?;
        if *recipe.name != self.name {
            return Err(self.error_at(
                &recipe.name,
                format!(
                    "recipe name `{}` does not match its file name `{}`",
                    *recipe.name, self.name
                ),
                Some(format!("rename the file or set `name: {}`", self.name)),
            ));
        }
        if recipe.integrations.is_empty() {
            return Err(self.error_at(
                &recipe.name,
                format!("recipe `{}` lists no integrations", self.name),
                Some("add at least one `- provider: <id>` under `integrations:`".into()),
            ));
        }
        Ok(recipe)
    }

    fn error_at<T>(&self, at: &Located<T>, message: String, hint: Option<String>) -> Error {
        let (line, column) = if at.line == 0 {
            (1, 1)
        } else {
            (at.line, at.column)
        };
        let err =
            Error::invalid(message).at(Location::new(self.file(), line, column, Some(&self.text)));
        match hint {
            Some(h) => err.hint(h),
            None => err,
        }
    }

    /// The recipe's integrations as project entries, each checked against the catalog
    /// (provider, variant, options, alias) with option defaults filled in.
    pub fn entries(&self, catalog: &Catalog) -> Result<Vec<IntegrationEntry>> {
        let recipe = self.parse()?;
        let mut out: Vec<(String, IntegrationEntry)> = Vec::new();
        for item in &recipe.integrations {
            let m = catalog.get(&item.provider).map_err(|e| {
                self.error_at(
                    &item.provider,
                    format!("recipe `{}` uses {}", self.name, e.message),
                    e.hint.clone(),
                )
            })?;
            let config = match &item.config {
                Some(c) if !m.configs.contains_key(c.as_str()) => {
                    let valid: Vec<&str> = m.configs.keys().map(String::as_str).collect();
                    return Err(self.error_at(
                        c,
                        format!("{} has no config variant `{}`", *m.id, **c),
                        Some(format!("use one of: {}", valid.join(", "))),
                    ));
                }
                Some(c) => c.value.clone(),
                None => m.default_config().unwrap_or_default().to_owned(),
            };
            for (name, value) in &item.options {
                let Some(spec) = m.options.iter().find(|o| o.name.as_str() == name) else {
                    let valid: Vec<&str> = m.options.iter().map(|o| o.name.as_str()).collect();
                    return Err(self.error_at(
                        value,
                        format!("{} has no option `{name}`", *m.id),
                        Some(if valid.is_empty() {
                            format!("{} takes no options", *m.id)
                        } else {
                            format!("{} accepts: {}", *m.id, valid.join(", "))
                        }),
                    ));
                };
                if !spec.values.contains(value) {
                    return Err(self.error_at(
                        value,
                        format!(
                            "invalid value `{}` for option `{name}` of {}",
                            **value, *m.id
                        ),
                        Some(format!("use one of: {}", spec.values.join(", "))),
                    ));
                }
            }
            if let Some(alias) = &item.alias {
                check_alias(alias).map_err(|e| self.error_at(alias, e.message, e.hint.clone()))?;
            }
            let key = key_for(&m.id, item.alias.as_deref().map(String::as_str));
            if out.iter().any(|(k, _)| *k == key) {
                return Err(self.error_at(
                    &item.provider,
                    format!("recipe `{}` lists `{key}` twice", self.name),
                    Some("give the second one an `alias:`".into()),
                ));
            }
            let mut entry = IntegrationEntry {
                provider: m.id.value.clone(),
                config,
                alias: item.alias.as_ref().map(|a| a.value.clone()),
                environments: None,
                options: item
                    .options
                    .iter()
                    .map(|(k, v)| (k.clone(), v.value.clone()))
                    .collect(),
            };
            resolve_choice(m, &mut entry)
                .map_err(|e| self.error_at(&item.provider, e.message, e.hint.clone()))?;
            out.push((key, entry));
        }
        Ok(out.into_iter().map(|(_, e)| e).collect())
    }
}

/// Every recipe a command in `project_dir` sees, by name: the built-ins, replaced by the
/// project's own of the same name.
pub fn all(project_dir: &Path) -> Result<Vec<RecipeFile>> {
    let mut found: BTreeMap<String, RecipeFile> = BTreeMap::new();
    for (path, text) in embedded() {
        if let Some(name) = manifest_id(Path::new(path)) {
            found.insert(
                name.clone(),
                RecipeFile {
                    name,
                    source: Source::Embedded,
                    text: Cow::Borrowed(text),
                },
            );
        }
    }
    for path in manifest_files(&project_dir.join(PROJECT_RECIPES))? {
        let Some(name) = manifest_id(&path) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
        found.insert(
            name.clone(),
            RecipeFile {
                name,
                source: Source::Project(path),
                text: Cow::Owned(text),
            },
        );
    }
    Ok(found.into_values().collect())
}

/// The recipe called `name`; an unknown name is invalid input, with the closest names.
pub fn find(project_dir: &Path, name: &str) -> Result<RecipeFile> {
    let mut all = all(project_dir)?;
    match all.iter().position(|r| r.name == name) {
        Some(i) => Ok(all.swap_remove(i)),
        None => {
            let names: Vec<&str> = all.iter().map(|r| r.name.as_str()).collect();
            let hint = match did_you_mean(name, names.iter().copied()) {
                Some(d) => format!("{d} Run `integrations recipe list` to see every recipe"),
                None => format!("recipes: {}", names.join(", ")),
            };
            Err(Error::invalid(format!("unknown recipe `{name}`")).hint(hint))
        }
    }
}

/// The names of every recipe, for shell completion: never fails, skips what it cannot read.
pub fn names(project_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = embedded()
        .filter_map(|(p, _)| manifest_id(Path::new(p)))
        .collect();
    for path in manifest_files(&project_dir.join(PROJECT_RECIPES)).unwrap_or_default() {
        names.extend(manifest_id(&path));
    }
    names.sort();
    names.dedup();
    names
}

/// Embedded recipe files: the top level of `recipes/` only.
fn embedded() -> impl Iterator<Item = (&'static str, &'static str)> {
    embedded_recipes()
        .iter()
        .filter(|(p, _)| !p.contains('/'))
        .map(|(p, t)| (*p, *t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> RecipeFile {
        RecipeFile {
            name: name.into(),
            source: Source::Embedded,
            text: Cow::Owned(text.into()),
        }
    }

    #[test]
    fn builtin_recipes_resolve() {
        let catalog = Catalog::builtin();
        for r in all(Path::new("/nonexistent")).unwrap() {
            let entries = r.entries(&catalog).unwrap_or_else(|e| panic!("{e}"));
            assert!(!entries.is_empty(), "{}", r.name);
        }
    }

    #[test]
    fn unknown_option_points_at_its_line() {
        let catalog = Catalog::builtin();
        let r = file(
            "x",
            "name: x\ndescription: d\nintegrations:\n  - provider: stripe\n  - provider: s3\n    options: { provider: gcs }\n",
        );
        let err = r.entries(&catalog).unwrap_err();
        let loc = err.location.clone().unwrap();
        assert_eq!(
            (loc.line, loc.file.clone()),
            (6, PathBuf::from("recipes/x.yaml"))
        );
        assert!(err.message.contains("invalid value `gcs`"), "{err}");
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn unknown_provider_and_duplicates_are_errors() {
        let catalog = Catalog::builtin();
        let r = file(
            "x",
            "name: x\ndescription: d\nintegrations:\n  - provider: strpe\n",
        );
        let err = r.entries(&catalog).unwrap_err();
        assert_eq!(err.location.clone().unwrap().line, 4);
        assert!(err.to_string().contains("did you mean stripe?"), "{err}");
        let r = file(
            "x",
            "name: x\ndescription: d\nintegrations:\n  - provider: tap\n  - provider: tap\n",
        );
        let err = r.entries(&catalog).unwrap_err();
        assert_eq!(err.location.clone().unwrap().line, 5, "{err}");
        let r = file("y", "name: x\ndescription: d\nintegrations: []\n");
        assert!(r.parse().unwrap_err().message.contains("file name"));
    }
}
