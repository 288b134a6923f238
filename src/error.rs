//! The one error type of the tool.
//!
//! Every failure a user can see is an [`Error`]: a message written for a person, an optional
//! place in a file (with the offending source line), an optional hint saying what to do, and a
//! [`Kind`] that decides the exit code. Lower layers build errors with the constructors below;
//! only `main` turns them into text and an exit status.

use std::fmt;
use std::path::{Path, PathBuf};

/// What sort of failure this is; decides the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Bad usage or invalid input: unknown provider/option/env, malformed manifest or project
    /// file, a path that escapes the project. Exit code 2.
    Invalid,
    /// A check or an operation failed (a conflict, a rejected credential, an I/O error while
    /// applying). Exit code 1.
    Failed,
    /// The user cancelled an interactive command (Ctrl-C, Esc) before it changed anything.
    /// Exit code 130, as for an interrupted program.
    Cancelled,
}

/// A place in a file: 1-based line and column, and the text of that line when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: u64,
    pub column: u64,
    pub source_line: Option<String>,
}

impl Location {
    /// A location in `file`, with the source line looked up in `source` when it is given.
    pub fn new(file: impl Into<PathBuf>, line: u64, column: u64, source: Option<&str>) -> Self {
        let source_line = source.and_then(|s| {
            s.lines()
                .nth(line.saturating_sub(1) as usize)
                .map(str::to_owned)
        });
        Location {
            file: file.into(),
            line,
            column,
            source_line,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

#[derive(Debug, Clone)]
pub struct Error {
    pub kind: Kind,
    pub message: String,
    pub location: Option<Location>,
    pub hint: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Invalid input or usage (exit 2).
    pub fn invalid(message: impl Into<String>) -> Self {
        Error {
            kind: Kind::Invalid,
            message: message.into(),
            location: None,
            hint: None,
        }
    }

    /// A failed operation or check (exit 1).
    pub fn failed(message: impl Into<String>) -> Self {
        Error {
            kind: Kind::Failed,
            ..Error::invalid(message)
        }
    }

    /// The user cancelled an interactive command (exit 130).
    pub fn cancelled(message: impl Into<String>) -> Self {
        Error {
            kind: Kind::Cancelled,
            ..Error::invalid(message)
        }
    }

    /// An I/O failure on `path`, phrased for a person.
    pub fn io(action: &str, path: &Path, err: std::io::Error) -> Self {
        Error::failed(format!("could not {action} {}: {err}", path.display()))
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn exit_code(&self) -> i32 {
        match self.kind {
            Kind::Invalid => 2,
            Kind::Failed => 1,
            Kind::Cancelled => 130,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) => {
                write!(f, "{loc}: {}", self.message)?;
                if let Some(line) = &loc.source_line {
                    let gutter = loc.line.to_string().len();
                    let col = (loc.column.max(1) - 1) as usize;
                    write!(
                        f,
                        "\n{:gutter$} |\n{} | {}\n{:gutter$} | {:col$}^",
                        "", loc.line, line, "", ""
                    )?;
                }
            }
            None => write!(f, "{}", self.message)?,
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The closest candidates to `wanted` among `candidates`, best first, for "did you mean" hints.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let wanted = wanted.to_ascii_lowercase();
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| {
            let lower = c.to_ascii_lowercase();
            let mut score = strsim::jaro_winkler(&wanted, &lower);
            if lower.starts_with(&wanted) || wanted.starts_with(&lower) {
                score += 0.1;
            }
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    // Only candidates about as close as the best one: one clear winner is named alone.
    let best = scored.first().map_or(0.0, |s| s.0);
    scored
        .into_iter()
        .take_while(|(score, _)| *score >= best - 0.04)
        .take(3)
        .map(|(_, c)| c)
        .collect()
}

/// "did you mean stripe?" / "did you mean stripe or tap?", or `None` when nothing is close.
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let close = closest(wanted, candidates);
    match close.as_slice() {
        [] => None,
        [one] => Some(format!("did you mean {one}?")),
        [init @ .., last] => Some(format!("did you mean {} or {last}?", init.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_ids() {
        let ids = ["stripe", "slack", "sentry", "tap"];
        assert_eq!(
            did_you_mean("strpe", ids).as_deref(),
            Some("did you mean stripe?")
        );
        assert_eq!(did_you_mean("zzzzzz", ids), None);
    }

    #[test]
    fn display_points_at_the_column() {
        let err = Error::invalid("bad value").at(Location::new(
            "m.yaml",
            2,
            7,
            Some("id: x\nname: Foo\n"),
        ));
        let text = err.to_string();
        assert!(text.starts_with("m.yaml:2:7: bad value"), "{text}");
        assert!(text.contains("2 | name: Foo"), "{text}");
        assert!(text.contains("|       ^"), "{text}");
    }
}
