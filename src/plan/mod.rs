//! A plan is the list of file changes a command would make. Commands build one, then either
//! show it (`--dry-run`, as a unified diff) or [`apply`] it.
//!
//! Applying is all-or-nothing: every new content is first written to a temporary sibling,
//! then the temporaries are renamed into place; if any step fails, every file already changed
//! is restored to its previous content (or removed when it did not exist), and directories the
//! plan created are removed again.

pub mod path;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

pub use path::ProjectPath;

use crate::error::{Error, Result};

/// One file's change: `before` is `None` for a new file, `after` is `None` for a deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: ProjectPath,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl FileChange {
    pub fn action(&self) -> Action {
        match (&self.before, &self.after) {
            (None, Some(_)) => Action::Create,
            (Some(_), None) => Action::Delete,
            _ => Action::Update,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    pub fn verb(self) -> &'static str {
        match self {
            Action::Create => "Created",
            Action::Update => "Updated",
            Action::Delete => "Deleted",
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct Plan {
    pub changes: Vec<FileChange>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Record that `path` should hold `after` (or be deleted when `None`), given what it
    /// holds now. A change that changes nothing is dropped; a later change to the same path
    /// replaces an earlier one.
    pub fn set(&mut self, path: ProjectPath, before: Option<String>, after: Option<String>) {
        let before = match self.changes.iter().position(|c| c.path == path) {
            Some(i) => self.changes.remove(i).before,
            None => before,
        };
        if before != after {
            self.changes.push(FileChange {
                path,
                before,
                after,
            });
        }
    }

    /// The content `path` will have after this plan, given its current content on disk.
    pub fn content_after(&self, root: &Path, path: &ProjectPath) -> Result<Option<String>> {
        match self.changes.iter().find(|c| &c.path == path) {
            Some(c) => Ok(c.after.clone()),
            None => read_optional(&path.under(root)),
        }
    }

    /// The plan that undoes this one once it has been applied: every file back to its
    /// `before` content (new files deleted, deleted files restored).
    pub fn inverse(&self) -> Plan {
        Plan {
            changes: self
                .changes
                .iter()
                .rev()
                .map(|c| FileChange {
                    path: c.path.clone(),
                    before: c.after.clone(),
                    after: c.before.clone(),
                })
                .collect(),
        }
    }

    /// The plan as a unified diff, one section per file.
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for c in &self.changes {
            let before = c.before.as_deref().unwrap_or("");
            let after = c.after.as_deref().unwrap_or("");
            let old = if c.before.is_some() {
                format!("a/{}", c.path)
            } else {
                "/dev/null".to_owned()
            };
            let new = if c.after.is_some() {
                format!("b/{}", c.path)
            } else {
                "/dev/null".to_owned()
            };
            let diff = similar::TextDiff::from_lines(before, after);
            out.push_str(&format!("diff --integrations a/{0} b/{0}\n", c.path));
            out.push_str(
                &diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&old, &new)
                    .to_string(),
            );
            if !out.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
        out
    }
}

/// Names a project path whose replacement fails, so tests can prove that a failure part-way
/// through applying a plan rolls every earlier change back.
pub const FAILPOINT: &str = "INTEGRATIONS_FAILPOINT";

/// Read a file that may not exist.
pub fn read_optional(path: &Path) -> Result<Option<String>> {
    match fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("read", path, e)),
    }
}

fn temp_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.integrations-{}.tmp", std::process::id()))
}

/// Apply `plan` under `root`, all or nothing.
pub fn apply(root: &Path, plan: &Plan) -> Result<()> {
    let mut created_dirs: Vec<PathBuf> = Vec::new();
    let mut temps: Vec<PathBuf> = Vec::new();
    let cleanup = |temps: &[PathBuf], dirs: &[PathBuf]| {
        for t in temps {
            let _ = fs::remove_file(t);
        }
        for d in dirs.iter().rev() {
            let _ = fs::remove_dir(d);
        }
    };

    // Phase 1: write every new content to a temporary sibling.
    for change in &plan.changes {
        let target = change.path.under(root);
        let Some(after) = &change.after else {
            continue;
        };
        if let Some(parent) = target.parent()
            && let Err(e) = create_dirs(parent, &mut created_dirs)
        {
            cleanup(&temps, &created_dirs);
            return Err(Error::io("create directory", parent, e)
                .hint("nothing was changed; fix the path and run the command again"));
        }
        let temp = temp_sibling(&target);
        if let Err(e) = fs::write(&temp, after) {
            cleanup(&temps, &created_dirs);
            return Err(Error::io("write", &target, e)
                .hint("nothing was changed; fix the path and run the command again"));
        }
        temps.push(temp);
    }

    // Phase 2: move them into place; undo everything on the first failure.
    let failpoint = std::env::var(FAILPOINT).ok();
    let mut done: Vec<&FileChange> = Vec::new();
    for change in &plan.changes {
        let target = change.path.under(root);
        let result = if failpoint.as_deref() == Some(change.path.as_str()) {
            Err(std::io::Error::other(format!(
                "failure injected by {FAILPOINT}"
            )))
        } else {
            match &change.after {
                Some(_) => fs::rename(temp_sibling(&target), &target),
                None => fs::remove_file(&target),
            }
        };
        if let Err(e) = result {
            for undone in done.iter().rev() {
                let path = undone.path.under(root);
                let _ = match &undone.before {
                    Some(before) => fs::write(&path, before),
                    None => fs::remove_file(&path),
                };
            }
            cleanup(&temps, &created_dirs);
            return Err(Error::io("replace", &target, e)
                .hint("every change was rolled back; the project is as it was"));
        }
        done.push(change);
    }

    // Directories emptied by deletions go too, up to the project root.
    let mut emptied: BTreeSet<PathBuf> = BTreeSet::new();
    for change in plan.changes.iter().filter(|c| c.after.is_none()) {
        let mut dir = change.path.under(root);
        while let Some(parent) = dir.parent() {
            if parent == root || !parent.starts_with(root) {
                break;
            }
            emptied.insert(parent.to_path_buf());
            dir = parent.to_path_buf();
        }
    }
    for dir in emptied.iter().rev() {
        let _ = fs::remove_dir(dir);
    }
    Ok(())
}

/// `create_dir_all` that records which directories it made, outermost first.
fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dirs(parent, created)?;
    }
    fs::create_dir(dir)?;
    created.push(dir.to_path_buf());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> ProjectPath {
        ProjectPath::new(s).unwrap()
    }

    #[test]
    fn set_merges_and_drops_no_ops() {
        let mut plan = Plan::default();
        plan.set(p("a"), None, Some("1".into()));
        plan.set(p("a"), Some("1".into()), Some("2".into()));
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(plan.changes[0].before, None);
        assert_eq!(plan.changes[0].after.as_deref(), Some("2"));
        plan.set(p("a"), None, None);
        assert!(plan.is_empty());
    }

    #[test]
    fn inverse_restores_the_project() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("keep.txt"), "old").unwrap();
        let before = std::collections::BTreeMap::from([("keep.txt", "old")]);
        let mut plan = Plan::default();
        plan.set(p("keep.txt"), Some("old".into()), Some("new".into()));
        plan.set(p("a/b/new.txt"), None, Some("x".into()));
        apply(root, &plan).unwrap();
        apply(root, &plan.inverse()).unwrap();
        let names: Vec<_> = fs::read_dir(root)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["keep.txt"]);
        assert_eq!(
            fs::read_to_string(root.join("keep.txt")).unwrap(),
            before["keep.txt"]
        );
    }

    #[test]
    fn failure_rolls_back() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("keep.txt"), "old").unwrap();
        fs::create_dir_all(root.join("blocked/file.txt")).unwrap();
        let mut plan = Plan::default();
        plan.set(p("keep.txt"), Some("old".into()), Some("new".into()));
        plan.set(p("new/dir/x.txt"), None, Some("x".into()));
        plan.set(p("blocked/file.txt"), None, Some("y".into()));
        assert!(apply(root, &plan).is_err());
        assert_eq!(fs::read_to_string(root.join("keep.txt")).unwrap(), "old");
        assert!(!root.join("new").exists());
        let names: Vec<_> = fs::read_dir(root)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
