//! Env files the tool manages: `.env.example` (every var of every integration, documented,
//! placeholders only), `.env.<environment>` (non-secret values per environment) and the
//! `.gitignore` lines that keep secret-bearing env files out of git.
//!
//! Each integration owns one marked block per file; re-rendering replaces the block in place,
//! removing deletes it (and the file, when nothing else is left), and text outside the markers
//! is never touched.

use std::fmt::Write as _;

use crate::manifest::Manifest;
use crate::render::ActiveVar;

pub const EXAMPLE: &str = ".env.example";
pub const GITIGNORE: &str = ".gitignore";

/// The per-environment file of non-secret values: `.env.dev`, `.env.prod`.
pub fn env_file(env: &str) -> String {
    format!(".env.{env}")
}

fn begin(id: &str) -> String {
    format!("# >>> integrations: {id}")
}

fn end(id: &str) -> String {
    format!("# <<< integrations: {id}")
}

/// Replace (or insert, or with `None` remove) the block `id` in `content`.
/// Returns `None` when the file would be left with nothing in it.
pub fn set_block(content: Option<&str>, id: &str, body: Option<&str>) -> Option<String> {
    let content = content.unwrap_or("");
    let (b, e) = (begin(id), end(id));
    let lines: Vec<&str> = content.lines().collect();
    let start = lines.iter().position(|l| l.trim_end() == b);
    let stop = start.and_then(|s| {
        lines[s..]
            .iter()
            .position(|l| l.trim_end() == e)
            .map(|i| s + i)
    });
    let block = body.map(|body| {
        let mut s = format!("{b}\n{body}");
        if !s.ends_with('\n') {
            s.push('\n');
        }
        s.push_str(&e);
        s
    });
    let mut out = String::new();
    match (start, stop) {
        (Some(s), Some(t)) => {
            // Lines before the block, minus the blank separator we put there when removing.
            let mut before = &lines[..s];
            let after = &lines[t + 1..];
            if block.is_none() && before.last().is_some_and(|l| l.is_empty()) {
                before = &before[..before.len() - 1];
            }
            for l in before {
                out.push_str(l);
                out.push('\n');
            }
            if let Some(block) = &block {
                out.push_str(block);
                out.push('\n');
            }
            let mut after = after;
            if block.is_none() && before.is_empty() && after.first().is_some_and(|l| l.is_empty()) {
                after = &after[1..];
            }
            for l in after {
                out.push_str(l);
                out.push('\n');
            }
        }
        _ => {
            out.push_str(content);
            if let Some(block) = &block {
                if !out.is_empty() {
                    if !out.ends_with('\n') {
                        out.push('\n');
                    }
                    out.push('\n');
                }
                out.push_str(block);
                out.push('\n');
            }
        }
    }
    if out.trim().is_empty() {
        None
    } else {
        Some(out)
    }
}

/// The `.env.example` block of one integration.
pub fn example_block(m: &Manifest, key: &str, vars: &[ActiveVar], envs: &[String]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {} ({key}) — {}. Docs: {}",
        m.name, m.description, *m.docs
    );
    let _ = writeln!(
        s,
        "# Secrets belong in the keychain: `integrations secrets set <NAME> --env <env>`; environments: {}",
        envs.join(", ")
    );
    for v in vars {
        let _ = writeln!(s, "#");
        let _ = writeln!(s, "# {}", v.description);
        let mut facts = vec![if v.secret { "secret" } else { "not secret" }.to_owned()];
        facts.push(if v.required { "required" } else { "optional" }.to_owned());
        if !v.spec.prefix.is_empty() {
            let p: Vec<String> = v
                .spec
                .prefix
                .iter()
                .map(|(env, prefix)| format!("{}: {prefix}", env.as_str()))
                .collect();
            facts.push(format!("starts with {}", p.join(", ")));
        }
        if let Some(example) = &v.spec.example {
            facts.push(format!("e.g. {example}"));
        }
        let _ = writeln!(s, "# {}", facts.join(" · "));
        let placeholder = if v.secret {
            String::new()
        } else {
            v.spec
                .default
                .as_ref()
                .and_then(|d| d.get("dev"))
                .unwrap_or("")
                .to_owned()
        };
        let _ = writeln!(s, "{}={}", v.name, quote(&placeholder));
    }
    s
}

/// The `.env.<env>` block of one integration: its non-secret vars with their default for
/// that environment. `None` when it has no non-secret var.
pub fn env_block(key: &str, vars: &[ActiveVar], env: &str) -> Option<String> {
    let plain: Vec<&ActiveVar> = vars.iter().filter(|v| !v.secret).collect();
    if plain.is_empty() {
        return None;
    }
    let mut s =
        format!("# {key}: non-secret values for {env} (secrets: `integrations secrets set`)\n");
    for v in plain {
        let value = v
            .spec
            .default
            .as_ref()
            .and_then(|d| d.get(env))
            .unwrap_or("");
        let _ = writeln!(s, "{}={}", v.name, quote(value));
    }
    Some(s)
}

/// The `.gitignore` block keeping env files that may hold secrets out of git.
pub fn gitignore_block() -> String {
    "# Env files that may hold secrets (secrets belong in the keychain)\n.env\n.env.local\n.env.*.local\n"
        .to_owned()
}

/// A dotenv value, double-quoted when it needs to be.
pub fn quote(value: &str) -> String {
    if value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./:@+,".contains(c))
    {
        return value.to_owned();
    }
    let mut s = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// The values of `.env.<env>` in `root` (empty when the file does not exist).
pub fn read_values(
    root: &std::path::Path,
    env: &str,
) -> crate::error::Result<std::collections::BTreeMap<String, String>> {
    let path = root.join(env_file(env));
    let Some(text) = crate::plan::read_optional(&path)? else {
        return Ok(Default::default());
    };
    parse_dotenv(&text)
        .map_err(|msg| crate::error::Error::invalid(format!("{}: {msg}", path.display())))
}

/// Parse dotenv text (quotes, escapes, `export `, comments, multi-line values).
pub fn parse_dotenv(text: &str) -> Result<std::collections::BTreeMap<String, String>, String> {
    let mut out = std::collections::BTreeMap::new();
    for item in dotenvy::from_read_iter(text.as_bytes()) {
        let (k, v) = item.map_err(|e| e.to_string())?;
        out.insert(k, v);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_insert_replace_remove() {
        let user = "# mine\nFOO=1\n";
        let a = set_block(Some(user), "x", Some("A=1\n")).unwrap();
        assert_eq!(
            a,
            "# mine\nFOO=1\n\n# >>> integrations: x\nA=1\n# <<< integrations: x\n"
        );
        let b = set_block(Some(&a), "x", Some("A=2\n")).unwrap();
        assert!(b.contains("A=2") && !b.contains("A=1"));
        assert_eq!(b.matches(">>> integrations: x").count(), 1);
        let c = set_block(Some(&b), "y", Some("B=1\n")).unwrap();
        let d = set_block(Some(&c), "y", None).unwrap();
        assert_eq!(d, b);
        assert_eq!(set_block(Some(&d), "x", None).unwrap(), user);
        assert_eq!(
            set_block(None, "x", Some("A=1")).and_then(|s| set_block(Some(&s), "x", None)),
            None
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("https://x.io/a"), "https://x.io/a");
        assert_eq!(quote("a b#c"), "\"a b#c\"");
        assert_eq!(quote(""), "");
    }
}
