//! A cache of validated manifests for directories of manifest files (the project's and those
//! on `INTEGRATIONS_MANIFEST_PATH`), so a large catalog is parsed and validated once, not at
//! every command. Entries are keyed by the SHA-256 of a file's content (and the tool's
//! version), hold the manifest as JSON, and only valid manifests are stored. The cache is an
//! optimisation: any problem reading or writing it is ignored.
//!
//! Location: `$INTEGRATIONS_CACHE_DIR`, else `$XDG_CACHE_HOME/integrations`, else
//! `~/.cache/integrations`; one file per manifest directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Default, Serialize, Deserialize)]
struct CacheFile {
    version: String,
    /// Content key → manifest as JSON.
    entries: BTreeMap<String, String>,
}

pub struct ManifestCache {
    path: Option<PathBuf>,
    old: CacheFile,
    new: CacheFile,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn cache_root() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("INTEGRATIONS_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("integrations")))
        .or_else(|| var("HOME").map(|h| h.join(".cache").join("integrations")))
}

impl ManifestCache {
    /// The cache of manifests in `dir` (empty when there is none or it cannot be read).
    pub fn open(dir: &Path) -> Self {
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let path = cache_root().map(|root| {
            let key = hex(&Sha256::digest(dir.to_string_lossy().as_bytes())[..8]);
            root.join("manifests").join(format!("{key}.json"))
        });
        let old = path
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|bytes| serde_json::from_slice::<CacheFile>(&bytes).ok())
            .filter(|c| c.version == env!("CARGO_PKG_VERSION"))
            .unwrap_or_default();
        ManifestCache {
            path,
            old,
            new: CacheFile {
                version: env!("CARGO_PKG_VERSION").to_owned(),
                entries: BTreeMap::new(),
            },
        }
    }

    pub fn key(text: &str) -> String {
        hex(&Sha256::digest(text.as_bytes()))
    }

    /// The cached JSON of a manifest with this content key, if it was valid before.
    pub fn get(&mut self, key: &str) -> Option<String> {
        let json = self.old.entries.get(key)?.clone();
        self.new.entries.insert(key.to_owned(), json.clone());
        Some(json)
    }

    pub fn put(&mut self, key: String, json: String) {
        self.new.entries.insert(key, json);
    }

    /// Write the cache back when its entries changed (stale ones are dropped).
    pub fn save(self) {
        if self.new.entries == self.old.entries {
            return;
        }
        let Some(path) = self.path else { return };
        let Some(parent) = path.parent() else { return };
        if std::fs::create_dir_all(parent).is_err() {
            return;
        }
        let Ok(bytes) = serde_json::to_vec(&self.new) else {
            return;
        };
        let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
        if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}
