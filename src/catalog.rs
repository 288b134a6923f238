//! All the manifests a command can see, from every source, with lookup, search and filters.
//!
//! Sources, in override order (a later one replaces an earlier one by id):
//! 1. the manifests embedded in the binary;
//! 2. the project's `.integrations/manifests/`;
//! 3. each directory of `INTEGRATIONS_MANIFEST_PATH` (colon-separated), in order.
//!
//! A manifest's file name is its id, so finding one provider parses one file: embedded
//! manifests are parsed only when asked for. Files from the project and the manifest path are
//! always parsed and validated, so a broken one is reported by any command that loads the
//! catalog, never silently skipped.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::error::{Error, Result, did_you_mean};
use crate::manifest::{self, AuthMethod, Category, Manifest, validate};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// The directory of project-local manifests, relative to the project root.
pub const PROJECT_MANIFESTS: &str = ".integrations/manifests";

/// Where a manifest came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Embedded,
    Project(PathBuf),
    ManifestPath(PathBuf),
}

impl Source {
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Embedded => "builtin",
            Source::Project(_) => "project",
            Source::ManifestPath(_) => "manifest-path",
        }
    }

    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::Embedded => None,
            Source::Project(p) | Source::ManifestPath(p) => Some(p),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Embedded => write!(f, "built in"),
            Source::Project(p) => write!(f, "project ({})", p.display()),
            Source::ManifestPath(p) => write!(f, "INTEGRATIONS_MANIFEST_PATH ({})", p.display()),
        }
    }
}

/// One manifest file, parsed on first use.
pub struct Entry {
    pub id: String,
    pub source: Source,
    text: std::borrow::Cow<'static, str>,
    /// The same manifest as JSON, when known to be valid (built-in, or from the cache):
    /// parsed instead of the YAML because it is many times faster.
    json: Option<std::borrow::Cow<'static, str>>,
    parsed: OnceLock<Result<Manifest>>,
}

impl Entry {
    /// An entry for a manifest file read from disk; its id is the file's stem.
    pub fn from_file(path: PathBuf, text: String, source: fn(PathBuf) -> Source) -> Self {
        Entry {
            id: path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            source: source(path),
            text: text.into(),
            json: None,
            parsed: OnceLock::new(),
        }
    }

    /// The path used in diagnostics: the real file, or `manifests/<id>.yaml` for built-ins.
    pub fn file(&self) -> PathBuf {
        match self.source.path() {
            Some(p) => p.to_path_buf(),
            None => PathBuf::from(format!("manifests/{}.yaml", self.id)),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn manifest(&self) -> Result<&Manifest> {
        self.parsed
            .get_or_init(|| {
                self.json
                    .as_deref()
                    .and_then(|json| serde_json::from_str(json).ok())
                    .map_or_else(|| manifest::parse(&self.text, &self.file()), Ok)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Directories searched for this manifest's templates before the embedded ones.
    fn template_dirs(&self) -> Vec<PathBuf> {
        match self.source.path().and_then(Path::parent) {
            Some(dir) => vec![dir.join("templates"), dir.join("../templates")],
            None => Vec::new(),
        }
    }

    /// The text of template `src` for this manifest, from its own directory or the
    /// embedded templates.
    pub fn template(&self, src: &str) -> Option<std::borrow::Cow<'static, str>> {
        for dir in self.template_dirs() {
            if let Ok(text) = std::fs::read_to_string(dir.join(src)) {
                return Some(text.into());
            }
        }
        embedded_template(src).map(Into::into)
    }

    /// Every problem of this manifest (empty when valid), from its YAML text so that each
    /// points at a line and column.
    pub fn problems(&self) -> Vec<Error> {
        self.problems_with(true)
    }

    /// Problems, with the rule that webhooks need a sample payload only when `samples` is
    /// set: `manifest validate` and the built-in catalog hold to it; loading a project's own
    /// manifest does not (only `webhook trigger` needs the sample, and says so).
    fn problems_with(&self, samples: bool) -> Vec<Error> {
        match manifest::parse(&self.text, &self.file()) {
            Ok(m) => validate::validate(
                &m,
                &self.file(),
                &self.text,
                &|src| self.template_exists(src),
                &|event| !samples || crate::webhook::sample::find(self, event).is_some(),
            ),
            Err(e) => vec![e],
        }
    }

    fn template_exists(&self, src: &str) -> bool {
        self.template_dirs().iter().any(|d| d.join(src).is_file())
            || embedded_template(src).is_some()
    }
}

pub fn embedded_template(src: &str) -> Option<&'static str> {
    embedded::TEMPLATES
        .iter()
        .find(|(path, _)| *path == src)
        .map(|(_, text)| *text)
}

/// Embedded recipe files: (file name, contents).
pub fn embedded_recipes() -> &'static [(&'static str, &'static str)] {
    embedded::RECIPES
}

/// Embedded files under `manifests/` other than manifests (webhook samples).
pub fn embedded_manifest_file(path: &str) -> Option<&'static str> {
    embedded::MANIFESTS
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, text)| *text)
}

pub struct Catalog {
    entries: BTreeMap<String, Entry>,
}

impl Catalog {
    /// Only the manifests embedded in the binary.
    pub fn builtin() -> Self {
        let mut entries = BTreeMap::new();
        // Only top-level files of manifests/ are manifests; sub-folders hold samples.
        for (path, text) in embedded::MANIFESTS.iter().filter(|(p, _)| !p.contains('/')) {
            if let Some(id) = manifest_id(Path::new(path)) {
                let json = embedded::MANIFESTS_JSON
                    .iter()
                    .find(|(p, _)| p == path)
                    .map(|(_, j)| (*j).into());
                entries.insert(
                    id.clone(),
                    Entry {
                        id,
                        source: Source::Embedded,
                        text: (*text).into(),
                        json,
                        parsed: OnceLock::new(),
                    },
                );
            }
        }
        Catalog { entries }
    }

    /// Every source a command in `project_dir` sees. Fails on the first unreadable, malformed
    /// or invalid manifest in the project or the manifest path.
    pub fn load(project_dir: &Path) -> Result<Self> {
        let paths: Vec<PathBuf> = std::env::var_os("INTEGRATIONS_MANIFEST_PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        Catalog::load_with_paths(project_dir, &paths)
    }

    /// [`Catalog::load`] with the manifest path given instead of read from the environment.
    pub fn load_with_paths(project_dir: &Path, manifest_path: &[PathBuf]) -> Result<Self> {
        let mut catalog = Catalog::builtin();
        catalog.add_dir(&project_dir.join(PROJECT_MANIFESTS), Source::Project)?;
        for dir in manifest_path {
            if dir.as_os_str().is_empty() {
                continue;
            }
            if !dir.is_dir() {
                return Err(Error::invalid(format!(
                    "INTEGRATIONS_MANIFEST_PATH names `{}`, which is not a directory",
                    dir.display()
                )));
            }
            catalog.add_dir(dir, Source::ManifestPath)?;
        }
        Ok(catalog)
    }

    fn add_dir(&mut self, dir: &Path, source: fn(PathBuf) -> Source) -> Result<()> {
        let files = manifest_files(dir)?;
        if files.is_empty() {
            return Ok(());
        }
        let mut cache = crate::cache::ManifestCache::open(dir);
        for path in files {
            let Some(id) = manifest_id(&path) else {
                continue;
            };
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
            let key = crate::cache::ManifestCache::key(&text);
            let mut entry = Entry::from_file(path, text, source);
            match cache.get(&key) {
                Some(json) => entry.json = Some(json.into()),
                None => {
                    if let Some(first) = entry.problems_with(false).into_iter().next() {
                        return Err(first.hint(format!(
                            "run `integrations manifest validate {}` to see every problem",
                            entry.file().display()
                        )));
                    }
                    if let Ok(m) = entry.manifest()
                        && let Ok(json) = serde_json::to_string(m)
                    {
                        cache.put(key, json);
                    }
                }
            }
            self.entries.insert(id, entry);
        }
        cache.save();
        Ok(())
    }

    pub fn into_entries(self) -> Vec<Entry> {
        self.entries.into_values().collect()
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    pub fn entry(&self, id: &str) -> Result<&Entry> {
        self.entries.get(id).ok_or_else(|| {
            let mut err = Error::invalid(format!("unknown provider `{id}`"));
            err = match did_you_mean(id, self.ids()) {
                Some(hint) => err.hint(format!(
                    "{hint} Run `integrations search {id}` to browse the catalog"
                )),
                None => err.hint("run `integrations list` to see every provider"),
            };
            err
        })
    }

    pub fn get(&self, id: &str) -> Result<&Manifest> {
        self.entry(id)?.manifest()
    }

    /// Every manifest, parsed; fails on the first that does not parse.
    pub fn manifests(&self) -> Result<Vec<&Manifest>> {
        self.entries.values().map(Entry::manifest).collect()
    }

    /// Manifests matching all the given filters, in id order.
    pub fn filter(&self, filter: &Filter) -> Result<Vec<&Manifest>> {
        Ok(self
            .manifests()?
            .into_iter()
            .filter(|m| filter.matches(m))
            .collect())
    }

    /// Manifests ranked by how well they match `query`, best first; non-matches left out.
    pub fn search(&self, query: &str) -> Result<Vec<(&Manifest, u32)>> {
        let terms: Vec<String> = query
            .split_whitespace()
            .map(str::to_lowercase)
            .filter(|t| !t.is_empty())
            .collect();
        let mut hits: Vec<(&Manifest, u32)> = self
            .manifests()?
            .into_iter()
            .filter_map(|m| {
                let mut total = 0;
                for term in &terms {
                    let s = score(m, term);
                    if s == 0 {
                        return None;
                    }
                    total += s;
                }
                (total > 0).then_some((m, total))
            })
            .collect();
        hits.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.id.cmp(&b.0.id)));
        Ok(hits)
    }
}

/// How well one search term matches a manifest: exact id beats id prefix beats name beats
/// category beats capability beats description.
fn score(m: &Manifest, term: &str) -> u32 {
    let id = m.id.as_str();
    let name = m.name.to_lowercase();
    let mut s = 0;
    if id == term {
        s += 100;
    } else if id.starts_with(term) {
        s += 60;
    } else if id.contains(term) {
        s += 40;
    }
    if name == term {
        s += 50;
    } else if name.contains(term) {
        s += 30;
    }
    if m.category.as_str() == term {
        s += 25;
    }
    if m.capabilities
        .iter()
        .any(|c| c.split('.').any(|part| part == term))
    {
        s += 20;
    } else if m.capabilities.iter().any(|c| c.contains(term)) {
        s += 12;
    }
    let desc = m.description.to_lowercase();
    if desc
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w == term)
    {
        s += 10;
    } else if desc.contains(term) {
        s += 5;
    }
    s
}

/// Filters of `integrations list`.
#[derive(Debug, Default)]
pub struct Filter {
    pub category: Option<Category>,
    pub capabilities: Vec<String>,
    pub market: Option<String>,
    pub auth: Option<AuthMethod>,
}

impl Filter {
    pub fn matches(&self, m: &Manifest) -> bool {
        if self.category.is_some_and(|c| c != m.category) {
            return false;
        }
        if !self
            .capabilities
            .iter()
            .all(|want| m.capabilities.iter().any(|c| c.as_str() == want))
        {
            return false;
        }
        if let Some(market) = &self.market {
            let market = market.to_ascii_uppercase();
            if !m
                .markets
                .iter()
                .any(|mk| mk.as_str() == "global" || mk.as_str() == market)
            {
                return false;
            }
        }
        if self.auth.is_some_and(|a| !m.auth.contains(&a)) {
            return false;
        }
        true
    }
}

/// The id a manifest file stands for (its stem), when it is a `.yaml`/`.yml` file; recipe
/// files are named the same way.
pub fn manifest_id(path: &Path) -> Option<String> {
    let ext = path.extension()?.to_str()?;
    if ext != "yaml" && ext != "yml" {
        return None;
    }
    Some(path.file_stem()?.to_str()?.to_owned())
}

/// The manifest files directly inside `dir` (none when it does not exist).
pub fn manifest_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("read directory", dir, e)),
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| e == "yaml" || e == "yml")
        })
        .collect();
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON form embedded for speed says exactly what the YAML says.
    #[test]
    fn embedded_json_matches_yaml() {
        for entry in Catalog::builtin().entries() {
            let from_yaml = manifest::parse(entry.text(), &entry.file()).unwrap();
            let from_json = entry.manifest().unwrap();
            assert_eq!(
                serde_json::to_value(&from_yaml).unwrap(),
                serde_json::to_value(from_json).unwrap(),
                "{}",
                entry.id
            );
            assert!(entry.json.is_some(), "{} has no JSON form", entry.id);
        }
    }
}
