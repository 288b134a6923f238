//! Embeds the catalog (manifests, templates, recipes, webhook samples) in the binary as
//! `(relative path, contents)` tables, so the tool works with nothing but its executable and
//! start-up parses nothing it does not use.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn files_under(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.push((rel, path));
        }
    }
}

fn table(name: &str, dir: &str, code: &mut String) {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest_dir.join(dir);
    println!("cargo:rerun-if-changed={dir}");
    let mut files = Vec::new();
    files_under(&root, &root, &mut files);
    writeln!(code, "pub static {name}: &[(&str, &str)] = &[").unwrap();
    for (rel, path) in files {
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    writeln!(code, "];").unwrap();
}

/// The top-level manifests converted to JSON, so start-up parses JSON (fast) instead of
/// YAML. A manifest that does not parse is left out here: the YAML path then reports the
/// error with its location at run time.
fn manifests_as_json(code: &mut String) {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap()).join("manifests-json");
    fs::create_dir_all(&out_dir).unwrap();
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    let mut entries: Vec<_> = fs::read_dir(manifest_dir.join("manifests"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    writeln!(code, "pub static MANIFESTS_JSON: &[(&str, &str)] = &[").unwrap();
    for path in entries {
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        let Ok(value) =
            serde_saphyr::from_str_with_options::<serde_json::Value>(&text, options.clone())
        else {
            continue;
        };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let json_path = out_dir.join(format!("{name}.json"));
        fs::write(&json_path, value.to_string()).unwrap();
        writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            json_path.display().to_string()
        )
        .unwrap();
    }
    writeln!(code, "];").unwrap();
}

fn main() {
    let mut code = String::new();
    table("MANIFESTS", "manifests", &mut code);
    manifests_as_json(&mut code);
    table("TEMPLATES", "templates", &mut code);
    table("RECIPES", "recipes", &mut code);
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("embedded.rs");
    fs::write(out, code).unwrap();
}
