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

/// A dotenv value written so that the common parsers (python-dotenv, npm dotenv, dotenvy)
/// read back exactly the same string: bare when it is plain, single-quoted (literal in all of
/// them: `$`, `#`, `"` and newlines survive) when it has no `'` or `\\`, and double-quoted with
/// escapes otherwise.
pub fn quote(value: &str) -> String {
    if value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./:@+,".contains(c))
    {
        return value.to_owned();
    }
    if !value.contains('\'') && !value.contains('\\') {
        return format!("'{value}'");
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

/// Where each assignment of a dotenv text starts and ends (0-based, inclusive line numbers),
/// following quoted values over several lines.
pub fn assignments(text: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start();
        let body = line
            .strip_prefix("export ")
            .map(str::trim_start)
            .unwrap_or(line);
        let Some((name, value)) = body.split_once('=') else {
            i += 1;
            continue;
        };
        let name = name.trim();
        if name.is_empty()
            || name.starts_with('#')
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            i += 1;
            continue;
        }
        let value = value.trim_start();
        let start = i;
        if let Some(q) = value
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\'' | '`'))
        {
            let closed = |s: &str| {
                let mut escaped = false;
                for c in s.chars() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' && q == '"' {
                        escaped = true;
                    } else if c == q {
                        return true;
                    }
                }
                false
            };
            if !closed(&value[1..]) {
                while i + 1 < lines.len() {
                    i += 1;
                    if closed(lines[i]) {
                        break;
                    }
                }
            }
        }
        out.push((name.to_owned(), start, i));
        i += 1;
    }
    out
}

/// `text` without the assignments of `names` (and nothing else).
pub fn without(text: &str, names: &[&str]) -> String {
    let drop: Vec<(usize, usize)> = assignments(text)
        .into_iter()
        .filter(|(n, _, _)| names.contains(&n.as_str()))
        .map(|(_, a, b)| (a, b))
        .collect();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if !drop.iter().any(|(a, b)| (*a..=*b).contains(&i)) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
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
    fn multi_line_assignments() {
        let text = "# c\nA=1\nexport B=\"x\ny\"\nC='p\nq\nr'\nD=2 # note\n";
        let found = assignments(text);
        let spans: Vec<(&str, usize, usize)> =
            found.iter().map(|(n, a, b)| (n.as_str(), *a, *b)).collect();
        assert_eq!(spans, [("A", 1, 1), ("B", 2, 3), ("C", 4, 6), ("D", 7, 7)]);
        assert_eq!(without(text, &["B", "C"]), "# c\nA=1\nD=2 # note\n");
        let parsed = parse_dotenv(text).unwrap();
        assert_eq!(parsed["B"], "x\ny");
        assert_eq!(parsed["C"], "p\nq\nr");
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("https://x.io/a"), "https://x.io/a");
        assert_eq!(quote("a b#c"), "'a b#c'");
        assert_eq!(quote("it's"), "\"it's\"");
        assert_eq!(quote(""), "");
    }
}
