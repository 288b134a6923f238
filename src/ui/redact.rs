//! Replaces every secret value known to the process with `********` in text about to be
//! printed. Secrets are registered as they are read (from the keychain or from a secret var in
//! the environment); all output goes through [`Redactor::redact`].

use std::sync::{Arc, RwLock};

pub const MASK: &str = "********";

/// Shared, cheaply cloned set of values that must never be printed.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Arc<RwLock<Vec<String>>>,
}

impl Redactor {
    /// Remember `value` as secret. Very short values are not registered: masking every `1` or
    /// `a` in the output would hide more than it protects.
    pub fn add(&self, value: &str) {
        if value.len() < 4 {
            return;
        }
        if let Ok(mut secrets) = self.secrets.write()
            && !secrets.iter().any(|s| s == value)
        {
            secrets.push(value.to_owned());
            // Longest first, so a secret containing another is masked whole.
            secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    pub fn redact(&self, text: &str) -> String {
        let Ok(secrets) = self.secrets.read() else {
            return text.to_owned();
        };
        let mut out = text.to_owned();
        for s in secrets.iter() {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), MASK);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_known_values_longest_first() {
        let r = Redactor::default();
        r.add("sk_test_abc");
        r.add("sk_test_abcdef");
        assert_eq!(
            r.redact("got sk_test_abcdef and sk_test_abc"),
            "got ******** and ********"
        );
        r.add("ab");
        assert_eq!(r.redact("ab"), "ab");
    }
}
