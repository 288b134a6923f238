//! Provider manifests: the model ([`types`]), parsing with source positions, semantic
//! validation, and the published JSON Schema.

mod types;
pub mod validate;

use std::path::Path;

pub use types::*;

use crate::error::{Error, Location, Result};

/// The environments a manifest may name in `prefix`, `base_url` and defaults (`any` is the
/// fallback for all of them).
pub const ENVIRONMENTS: [&str; 3] = ["dev", "staging", "prod"];

/// YAML options shared by everything the tool parses: YAML 1.2 booleans only, so `NO`
/// (Norway) and `yes` stay strings.
pub fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options.with_snippet = false;
    options
}

/// Parse YAML into `T`, turning a syntax or type error into an [`Error`] that names the file,
/// line and column.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(text: &str, file: &Path) -> Result<T> {
    parse_yaml_as(text, file, "manifest")
}

/// [`parse_yaml`] for a file that is not a manifest: `what` names it in the message
/// ("invalid recipe: …").
pub fn parse_yaml_as<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &Path,
    what: &str,
) -> Result<T> {
    serde_saphyr::from_str_with_options::<T>(text, yaml_options()).map_err(|err| {
        let message = yaml_message(&err, what);
        let e = Error::invalid(message);
        match err.location() {
            Some(loc) if loc.line() > 0 => {
                e.at(Location::new(file, loc.line(), loc.column(), Some(text)))
            }
            _ => e.at(Location::new(file, 1, 1, None)),
        }
    })
}

/// The parser's message without its own "at line X column Y" suffix (we print the location
/// ourselves, once).
fn yaml_message(err: &serde_saphyr::Error, what: &str) -> String {
    let text = err.to_string();
    let first = text.lines().next().unwrap_or_default().trim();
    let cut = first
        .find(" at line ")
        .map(|i| &first[..i])
        .unwrap_or(first);
    let cut = cut.strip_prefix("error: ").unwrap_or(cut);
    format!("invalid {what}: {cut}")
}

/// Parse one manifest file (syntax and types only; see [`validate`] for the rest).
pub fn parse(text: &str, file: &Path) -> Result<Manifest> {
    parse_yaml(text, file)
}

/// The JSON Schema every valid manifest satisfies.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Manifest);
    serde_json::to_value(schema).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norway_stays_a_string() {
        #[derive(serde::Deserialize)]
        struct M {
            markets: Vec<String>,
        }
        let m: M = parse_yaml("markets: [NO, SE, yes, off]\n", Path::new("x.yaml")).unwrap();
        assert_eq!(m.markets, ["NO", "SE", "yes", "off"]);
    }

    #[test]
    fn type_error_has_line_and_column() {
        let err = parse("id: x\nname: [1, 2]\n", Path::new("m.yaml")).unwrap_err();
        let loc = err.location.clone().expect("location");
        assert_eq!(loc.line, 2, "{err}");
    }
}
