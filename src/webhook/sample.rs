//! Sample payloads: `samples/<provider>/<event>.json` (or `.form` for form-encoded bodies)
//! next to a manifest, embedded with the built-in ones. A sample is a realistic body modelled
//! on the provider's documentation, with placeholders that `trigger` fills in so every send
//! carries fresh ids and the current time:
//!
//! | placeholder | becomes |
//! |---|---|
//! | `{{id:NAME}}` | 24 random letters and digits (`evt_{{id:evt}}`) |
//! | `{{hex:NAME}}` | 32 random hex digits (Twilio SIDs) |
//! | `{{uuid:NAME}}` | a random UUID |
//! | `{{number:NAME}}` | a random 9-digit number |
//! | `{{timestamp}}`, `{{timestamp_ms}}` | Unix seconds / milliseconds now |
//! | `{{iso_time}}` | RFC 3339 UTC with milliseconds |
//!
//! The same placeholder (with the same NAME) gets the same value throughout one payload.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::clock;
use crate::catalog::{self, Entry};

/// File extensions of samples, in lookup order.
pub const EXTENSIONS: [&str; 2] = ["json", "form"];

/// The raw text of the sample for `event` of the manifest in `entry`: next to the manifest
/// file first, then among the embedded samples of the same provider id.
pub fn find(entry: &Entry, event: &str) -> Option<Cow<'static, str>> {
    if event.is_empty() || event.contains(['/', '\\']) || event.contains("..") {
        return None;
    }
    if let Some(dir) = entry.source.path().and_then(std::path::Path::parent) {
        for ext in EXTENSIONS {
            let path = dir
                .join("samples")
                .join(&entry.id)
                .join(format!("{event}.{ext}"));
            if let Ok(text) = std::fs::read_to_string(path) {
                return Some(text.into());
            }
        }
    }
    EXTENSIONS.iter().find_map(|ext| {
        catalog::embedded_manifest_file(&format!("samples/{}/{event}.{ext}", entry.id))
            .map(Cow::Borrowed)
    })
}

/// The MIME type of a body: JSON when it looks like JSON, else a form.
pub fn content_type(body: &[u8]) -> &'static str {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{' | b'[') => "application/json",
        _ => "application/x-www-form-urlencoded",
    }
}

/// Fill in a sample's placeholders for a send at `now_millis`.
pub fn render(text: &str, now_millis: i64) -> Result<String, String> {
    let mut values: BTreeMap<&str, String> = BTreeMap::new();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err("a `{{` placeholder is not closed with `}}`".into());
        };
        let token = after[..end].trim();
        let value = match values.get(token) {
            Some(v) => v.clone(),
            None => {
                let v = placeholder(token, now_millis)?;
                values.insert(token, v.clone());
                v
            }
        };
        out.push_str(&value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn placeholder(token: &str, now_millis: i64) -> Result<String, String> {
    let kind = token.split_once(':').map_or(token, |(k, _)| k);
    Ok(match kind {
        "id" => alnum(24),
        "hex" => hex::encode(random::<16>()),
        "uuid" => uuid(),
        "number" => {
            let n = u64::from_le_bytes(random::<8>());
            (100_000_000 + n % 900_000_000).to_string()
        }
        "timestamp" => (now_millis / 1000).to_string(),
        "timestamp_ms" => now_millis.to_string(),
        "iso_time" => clock::rfc3339_millis(now_millis),
        _ => {
            return Err(format!(
                "unknown placeholder `{{{{{token}}}}}`; use id:NAME, hex:NAME, uuid:NAME, \
                 number:NAME, timestamp, timestamp_ms or iso_time"
            ));
        }
    })
}

/// `N` random bytes from the OS; if it has none to give, bytes derived from the clock (ids in
/// samples need to be fresh, not secret).
fn random<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    if getrandom::fill(&mut buf).is_err() {
        use sha2::{Digest, Sha256};
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let seed = Sha256::digest(format!(
            "{}-{n}-{}",
            clock::now_millis(),
            std::process::id()
        ));
        for (b, s) in buf.iter_mut().zip(seed.iter().cycle()) {
            *b = *s;
        }
    }
    buf
}

/// `n` random letters and digits.
pub fn alnum(n: usize) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = String::with_capacity(n);
    while out.len() < n {
        for b in random::<32>() {
            if out.len() == n {
                break;
            }
            out.push(char::from(CHARS[usize::from(b) % CHARS.len()]));
        }
    }
    out
}

/// A random (version 4) UUID.
pub fn uuid() -> String {
    let mut b = random::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        let out = render(
            r#"{"id":"evt_{{id:evt}}","again":"{{id:evt}}","other":"{{id:pi}}","t":{{timestamp}},"at":"{{iso_time}}"}"#,
            1_680_165_512_045,
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let id = v["id"].as_str().unwrap();
        assert_eq!(id.len(), 28);
        assert_eq!(&id[4..], v["again"].as_str().unwrap());
        assert_ne!(v["again"], v["other"]);
        assert_eq!(v["t"], 1_680_165_512);
        assert_eq!(v["at"], "2023-03-30T08:38:32.045Z");
        assert!(
            render("{{nope}}", 0)
                .unwrap_err()
                .contains("unknown placeholder `{{nope}}`")
        );
        assert!(render("{{id", 0).is_err());
        assert_eq!(render("no placeholders", 0).unwrap(), "no placeholders");
    }

    #[test]
    fn ids_look_right() {
        let u = uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(alnum(24), alnum(24));
        assert_eq!(content_type(b" {\"a\":1}"), "application/json");
        assert_eq!(content_type(b"a=1"), "application/x-www-form-urlencoded");
    }
}
