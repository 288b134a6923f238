//! `integrations.toml`, the project's record: name, id, framework, environments, and one table
//! per installed integration. Read into typed values for the engine, edited through
//! `toml_edit` so that a user's comments, key order and formatting survive every change.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml_edit::{Array, DocumentMut, Item, Table, value};

use crate::error::{Error, Location, Result};
use crate::render::Choice;

pub const FILE: &str = "integrations.toml";
pub const DEFAULT_ENVIRONMENTS: [&str; 3] = ["dev", "staging", "prod"];
pub const FRAMEWORKS: [&str; 1] = ["nextjs"];

#[derive(Debug, Clone, Deserialize)]
pub struct ProjectMeta {
    pub name: String,
    pub id: String,
    #[serde(default = "nextjs")]
    pub framework: String,
    #[serde(default = "default_environments")]
    pub environments: Vec<String>,
}

fn nextjs() -> String {
    "nextjs".to_owned()
}

fn default_environments() -> Vec<String> {
    DEFAULT_ENVIRONMENTS.map(str::to_owned).to_vec()
}

/// One installed integration, as recorded in `[integrations.<key>]`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct IntegrationEntry {
    pub provider: String,
    pub config: String,
    #[serde(default)]
    pub alias: Option<String>,
    /// Environments it is enabled in; absent = all of the project's.
    #[serde(default)]
    pub environments: Option<Vec<String>>,
    #[serde(default)]
    pub options: BTreeMap<String, String>,
}

impl IntegrationEntry {
    pub fn choice(&self) -> Choice {
        Choice {
            config: self.config.clone(),
            alias: self.alias.clone(),
            options: self.options.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
struct Typed {
    project: ProjectMeta,
    #[serde(default)]
    integrations: BTreeMap<String, IntegrationEntry>,
}

/// The parsed project file: the editable document and its typed view.
#[derive(Debug, Clone)]
pub struct ProjectFile {
    pub path: PathBuf,
    pub text: String,
    pub doc: DocumentMut,
    pub project: ProjectMeta,
    pub integrations: BTreeMap<String, IntegrationEntry>,
}

/// Line and column (1-based) of byte offset `at` in `text`.
pub fn line_col(text: &str, at: usize) -> (u64, u64) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() as u64 + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    (line, col)
}

impl ProjectFile {
    pub fn parse(text: String, path: &Path) -> Result<Self> {
        let located = |span: Option<std::ops::Range<usize>>, msg: String| {
            let (line, col) = span.map_or((1, 1), |s| line_col(&text, s.start));
            Error::invalid(msg).at(Location::new(path, line, col, Some(&text)))
        };
        let doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
            located(
                e.span(),
                format!("invalid TOML: {}", e.message().trim_end()),
            )
        })?;
        let typed: Typed = toml_edit::de::from_document(doc.clone()).map_err(|e| {
            located(
                e.span(),
                format!("invalid project file: {}", e.message().trim_end()),
            )
        })?;
        let file = ProjectFile {
            path: path.to_path_buf(),
            text: text.clone(),
            doc,
            project: typed.project,
            integrations: typed.integrations,
        };
        for env in &file.project.environments {
            if !valid_env_name(env) {
                return Err(file.error_at(
                    &["project", "environments"],
                    format!(
                        "environment name `{env}` must be lower-case letters, digits, `-` or `_`"
                    ),
                ));
            }
        }
        Ok(file)
    }

    /// An error pointing at the value at `keys` (a path of table keys) when it can be found
    /// in the file as read from disk.
    pub fn error_at(&self, keys: &[&str], message: String) -> Error {
        let spans = toml_edit::Document::parse(self.text.clone()).ok();
        let span = spans.as_ref().and_then(|doc| {
            let mut item: Option<&Item> = doc.as_item().get(keys[0]);
            for k in &keys[1..] {
                item = item.and_then(|i| i.get(k));
            }
            item.and_then(|i| i.span())
        });
        let (line, col) = span.map_or((1, 1), |s| line_col(&self.text, s.start));
        Error::invalid(message).at(Location::new(&self.path, line, col, Some(&self.text)))
    }

    /// A new project file's text.
    pub fn new_text(name: &str, id: &str, framework: &str) -> String {
        format!(
            "# The project's integrations, managed by `integrations`.\n\
             # Edit freely: comments and formatting are kept.\n\n\
             [project]\n\
             name = {}\n\
             id = \"{id}\"\n\
             framework = \"{framework}\"\n\
             environments = [\"dev\", \"staging\", \"prod\"]\n",
            toml_edit::Value::from(name)
        )
    }

    /// Environments an integration is enabled in.
    pub fn environments_of(&self, entry: &IntegrationEntry) -> Vec<String> {
        entry
            .environments
            .clone()
            .unwrap_or_else(|| self.project.environments.clone())
    }

    /// Insert or replace `[integrations.<key>]`, keeping the rest of the document as it is.
    /// Values of an existing table are updated in place so its comments survive.
    pub fn set_integration(&mut self, key: &str, entry: &IntegrationEntry) {
        let is_new = self
            .doc
            .get("integrations")
            .and_then(|i| i.get(key))
            .is_none();
        // A comment at the end of the file ("# integrations go below") stays above a new
        // table instead of ending up under it.
        let mut moved_comment = None;
        if is_new {
            let trailing = self.doc.trailing().as_str().unwrap_or_default().to_owned();
            if trailing.contains('#') {
                moved_comment = Some(trailing);
                self.doc.set_trailing("");
            }
        }
        let root = self.doc.as_table_mut();
        if !root.contains_key("integrations") {
            let mut t = Table::new();
            t.set_implicit(true);
            root.insert("integrations", Item::Table(t));
        }
        let Some(integrations) = root.get_mut("integrations").and_then(Item::as_table_mut) else {
            return;
        };
        if is_new {
            let mut table = Table::new();
            if let Some(comment) = moved_comment {
                table.decor_mut().set_prefix(format!("{comment}\n"));
            }
            integrations.insert(key, Item::Table(table));
        }
        let Some(t) = integrations.get_mut(key).and_then(Item::as_table_like_mut) else {
            return;
        };
        set_value(t, "provider", Some(value(&entry.provider)));
        set_value(t, "alias", entry.alias.as_deref().map(value));
        set_value(t, "config", Some(value(&entry.config)));
        set_value(
            t,
            "environments",
            entry
                .environments
                .as_ref()
                .map(|e| value(e.iter().collect::<Array>())),
        );
        if entry.options.is_empty() {
            t.remove("options");
        } else {
            if !t.contains_key("options") {
                let mut opts = toml_edit::InlineTable::new();
                for (k, v) in &entry.options {
                    opts.insert(k, v.into());
                }
                t.insert("options", value(opts));
            } else if let Some(opts) = t.get_mut("options").and_then(Item::as_table_like_mut) {
                let stale: Vec<String> = opts
                    .iter()
                    .map(|(k, _)| k.to_owned())
                    .filter(|k| !entry.options.contains_key(k))
                    .collect();
                for k in stale {
                    opts.remove(&k);
                }
                for (k, v) in &entry.options {
                    set_value(opts, k, Some(value(v)));
                }
            }
        }
        self.integrations.insert(key.to_owned(), entry.clone());
    }

    pub fn remove_integration(&mut self, key: &str) {
        let mut moved_comment = None;
        if let Some(t) = self
            .doc
            .as_table_mut()
            .get_mut("integrations")
            .and_then(Item::as_table_mut)
        {
            let was_last = t.iter().last().is_some_and(|(k, _)| k == key);
            if let Some(Item::Table(removed)) = t.remove(key) {
                let prefix = removed
                    .decor()
                    .prefix()
                    .and_then(|p| p.as_str())
                    .unwrap_or_default()
                    .to_owned();
                if was_last && prefix.contains('#') {
                    moved_comment = Some(prefix.strip_suffix('\n').unwrap_or(&prefix).to_owned());
                }
            }
        }
        if let Some(comment) = moved_comment {
            self.doc.set_trailing(comment);
        }
        self.integrations.remove(key);
    }

    pub fn render(&self) -> String {
        self.doc.to_string()
    }
}

/// Set `key` to `v` keeping the existing value's decoration (comments), or remove it.
fn set_value(t: &mut dyn toml_edit::TableLike, key: &str, v: Option<Item>) {
    match v {
        None => {
            t.remove(key);
        }
        Some(Item::Value(mut new)) => match t.get_mut(key) {
            Some(Item::Value(old)) => {
                if old.to_string().trim() == new.to_string().trim() {
                    return;
                }
                *new.decor_mut() = old.decor().clone();
                *old = new;
            }
            _ => {
                t.insert(key, Item::Value(new));
            }
        },
        Some(other) => {
            t.insert(key, other);
        }
    }
}

pub fn valid_env_name(env: &str) -> bool {
    !env.is_empty()
        && env
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_keep_comments() {
        let text = "# top comment\n[project] # trailing\nname = \"x\" # the name\nid = \"p\"\n\n# my integrations\n[integrations.slack]\nprovider = \"slack\" # keep me\nconfig = \"bot\"\n";
        let mut f = ProjectFile::parse(text.into(), Path::new("integrations.toml")).unwrap();
        let entry = IntegrationEntry {
            provider: "stripe".into(),
            config: "payment".into(),
            alias: None,
            environments: None,
            options: [("webhooks".to_owned(), "true".to_owned())].into(),
        };
        f.set_integration("stripe", &entry);
        let out = f.render();
        assert!(out.starts_with(text), "{out}");
        assert!(
            out.contains("[integrations.stripe]\nprovider = \"stripe\""),
            "{out}"
        );
        f.remove_integration("stripe");
        assert_eq!(f.render(), text);
    }

    #[test]
    fn malformed_toml_has_location() {
        let err = ProjectFile::parse(
            "[project]\nname = \n".into(),
            Path::new("integrations.toml"),
        )
        .unwrap_err();
        let loc = err.location.clone().unwrap();
        assert_eq!(loc.line, 2, "{err}");
    }
}
