//! The files `integrations` owns in a user's project: `integrations.toml` ([`config`]),
//! `integrations.lock` ([`lock`]) and env files ([`envfile`]).

pub mod config;
pub mod envfile;
pub mod lock;

use std::path::{Path, PathBuf};

pub use config::{IntegrationEntry, ProjectFile};
pub use lock::Lock;

use crate::error::{Error, Result};
use crate::plan::read_optional;

/// A project on disk: its root, its parsed `integrations.toml` and lock.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub file: ProjectFile,
    pub lock: Lock,
}

impl Project {
    /// Load the project at `root`; `Ok(None)` when it has no `integrations.toml`.
    pub fn load(root: &Path) -> Result<Option<Self>> {
        let path = root.join(config::FILE);
        let Some(text) = read_optional(&path)? else {
            return Ok(None);
        };
        let file = ProjectFile::parse(text, &display_path(root, config::FILE))?;
        let lock_path = root.join(lock::FILE);
        let lock = match read_optional(&lock_path)? {
            Some(text) => Lock::parse(&text, &display_path(root, lock::FILE))?,
            None => Lock::default(),
        };
        Ok(Some(Project {
            root: root.to_path_buf(),
            file,
            lock,
        }))
    }

    /// Load the project, or fail with a hint to create one.
    pub fn require(root: &Path) -> Result<Self> {
        Project::load(root)?.ok_or_else(|| {
            Error::invalid(format!("no {} in {}", config::FILE, root.display()))
                .hint("run `integrations init` (or `integrations add <provider>`) to create one")
        })
    }
}

/// `root/name` for messages; just `name` when root is the current directory.
pub fn display_path(root: &Path, name: &str) -> PathBuf {
    if root == Path::new(".") {
        PathBuf::from(name)
    } else {
        root.join(name)
    }
}

/// A fresh project id: `prj_` and 16 hex digits from the clock, the process and the path.
pub fn new_project_id(root: &Path) -> String {
    use sha2::{Digest, Sha256};
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let seed = format!("{nanos}:{}:{}", std::process::id(), root.display());
    let digest = Sha256::digest(seed.as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("prj_{hex}")
}
