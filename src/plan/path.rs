//! A path inside the project: relative, without `..`, with `/` separators. The type cannot
//! hold a path that escapes the project, so nothing downstream has to check again.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::manifest::validate::unsafe_destination;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProjectPath(String);

impl ProjectPath {
    pub fn new(path: &str) -> Result<Self> {
        let normalized = path.replace('\\', "/");
        let normalized = normalized.trim_start_matches("./");
        if let Some(reason) = unsafe_destination(normalized) {
            return Err(Error::invalid(format!(
                "path `{path}` {reason}; it must be a relative path inside the project"
            )));
        }
        Ok(ProjectPath(normalized.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn under(&self, root: &Path) -> PathBuf {
        root.join(&self.0)
    }
}

impl fmt::Display for ProjectPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_escapes() {
        assert!(ProjectPath::new("../x").is_err());
        assert!(ProjectPath::new("/etc/x").is_err());
        assert!(ProjectPath::new("a/../../x").is_err());
        assert_eq!(ProjectPath::new("./a/b").unwrap().as_str(), "a/b");
    }
}
