//! Received webhook requests saved under `.integrations/webhooks/<id>.json`, so `replay` can
//! send one again byte for byte. A saved request holds what arrived (method, path, headers,
//! body) and what `listen` made of it; never a secret. The folder gets its own `.gitignore`:
//! bodies can hold customer data.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use super::{Headers, clock, sample};
use crate::error::{Error, Result};

/// Where saved requests live, relative to the project root.
pub const DIR: &str = ".integrations/webhooks";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Saved {
    pub id: String,
    /// RFC 3339 UTC.
    pub received_at: String,
    /// The integration it was addressed to (`stripe`, `stripe:eu`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration: Option<String>,
    pub method: String,
    /// Path and query as received.
    pub path: String,
    pub headers: Headers,
    /// The body when it is UTF-8 text…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// …else base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    pub valid: bool,
    /// Why it was not valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default)]
    pub duplicate: bool,
}

impl Saved {
    pub fn set_body(&mut self, body: &[u8]) {
        match std::str::from_utf8(body) {
            Ok(text) => {
                self.body = Some(text.to_owned());
                self.body_base64 = None;
            }
            Err(_) => {
                self.body = None;
                self.body_base64 = Some(STANDARD.encode(body));
            }
        }
    }

    pub fn body_bytes(&self) -> Result<Vec<u8>> {
        match (&self.body, &self.body_base64) {
            (Some(text), _) => Ok(text.as_bytes().to_vec()),
            (None, Some(b64)) => STANDARD.decode(b64).map_err(|_| {
                Error::invalid(format!(
                    "saved webhook {}: body_base64 is not base64",
                    self.id
                ))
            }),
            (None, None) => Ok(Vec::new()),
        }
    }
}

/// A new id, sortable by time: `20250601-140307-123-a1b2c3`.
pub fn new_id(millis: i64) -> String {
    let t = clock::rfc3339_millis(millis);
    let compact: String = t
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .collect::<String>()
        .replacen('T', "-", 1);
    let (date_time, ms) = compact.split_at(compact.len().saturating_sub(3));
    format!(
        "{}-{}-{}-{}",
        &date_time[..8],
        &date_time[9..],
        ms,
        sample::alnum(6).to_ascii_lowercase()
    )
}

fn dir(root: &Path) -> PathBuf {
    root.join(DIR)
}

/// Write `saved` as `<id>.json` (through a temporary sibling, then a rename).
pub fn save(root: &Path, saved: &Saved) -> Result<PathBuf> {
    let dir = dir(root);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(
            &ignore,
            "# Saved webhook requests (may hold customer data)\n*\n",
        )
        .map_err(|e| Error::io("write", &ignore, e))?;
    }
    let path = dir.join(format!("{}.json", saved.id));
    let tmp = dir.join(format!(".{}.json.tmp", saved.id));
    let text = serde_json::to_string_pretty(saved)
        .map_err(|e| Error::failed(format!("could not encode the saved webhook: {e}")))?;
    std::fs::write(&tmp, text + "\n").map_err(|e| Error::io("write", &tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::io("write", &path, e))?;
    Ok(path)
}

/// The saved request `id` (or the only one whose id starts with it).
pub fn load(root: &Path, id: &str) -> Result<Saved> {
    if id.is_empty() || id.contains(['/', '\\']) || id.starts_with('.') {
        return Err(Error::invalid(format!("`{id}` is not a saved webhook id")));
    }
    let dir = dir(root);
    let mut ids: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.strip_suffix(".json")
                        .filter(|n| !n.starts_with('.'))
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    let chosen = if ids.iter().any(|i| i == id) {
        id.to_owned()
    } else {
        let matching: Vec<&String> = ids.iter().filter(|i| i.starts_with(id)).collect();
        match matching.as_slice() {
            [one] => (*one).clone(),
            [] => {
                let latest: Vec<&str> = ids.iter().rev().take(3).map(String::as_str).collect();
                let err = Error::invalid(format!("no saved webhook `{id}` in {DIR}"));
                return Err(if latest.is_empty() {
                    err.hint("`integrations webhook listen` saves every request it receives")
                } else {
                    err.hint(format!("the latest: {}", latest.join(", ")))
                });
            }
            many => {
                return Err(Error::invalid(format!(
                    "`{id}` matches {} saved webhooks; give more of the id",
                    many.len()
                )));
            }
        }
    };
    let path = dir.join(format!("{chosen}.json"));
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
    serde_json::from_str(&text)
        .map_err(|e| Error::invalid(format!("{} is not a saved webhook: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time() {
        let a = new_id(1_680_165_512_045);
        assert!(a.starts_with("20230330-083832-045-"), "{a}");
        assert!(new_id(1_680_165_513_000) > a);
    }

    #[test]
    fn round_trip_and_prefix_lookup() {
        let dir = tempfile::tempdir().unwrap();
        let mut saved = Saved {
            id: "20230330-083832-045-abcdef".into(),
            received_at: "2023-03-30T08:38:32.045Z".into(),
            integration: Some("stripe".into()),
            method: "POST".into(),
            path: "/stripe".into(),
            headers: Headers(vec![("content-type".into(), "application/json".into())]),
            body: None,
            body_base64: None,
            event_type: None,
            event_id: None,
            valid: true,
            reason: None,
            duplicate: false,
        };
        saved.set_body(&[0xff, 0x00]);
        save(dir.path(), &saved).unwrap();
        let back = load(dir.path(), "20230330-0838").unwrap();
        assert_eq!(back.body_bytes().unwrap(), vec![0xff, 0x00]);
        assert!(load(dir.path(), "nope").is_err());
        assert!(load(dir.path(), "../x").is_err());
        assert!(dir.path().join(DIR).join(".gitignore").exists());
    }
}
