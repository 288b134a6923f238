//! Shared helpers for integration tests: a temp project and the real binary run inside it
//! with an isolated environment (own HOME, no inherited manifest path, no colour).

#![allow(dead_code)]

pub mod mock;
pub mod pty;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

pub struct Project {
    pub dir: tempfile::TempDir,
    pub home: tempfile::TempDir,
}

impl Project {
    pub fn new() -> Self {
        Project {
            dir: tempfile::Builder::new()
                .prefix("demo-app")
                .tempdir()
                .unwrap(),
            home: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The binary, run in the project with a clean environment.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("integrations").unwrap();
        cmd.current_dir(self.path())
            .env("HOME", self.home.path())
            .env("NO_COLOR", "1")
            .env_remove("INTEGRATIONS_MANIFEST_PATH")
            .env_remove("CLICOLOR_FORCE");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    pub fn write(&self, rel: &str, content: &str) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.path().join(rel).exists()
    }

    /// Every file under the project (relative path → bytes).
    pub fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        snapshot(self.path())
    }
}

pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            if p.is_dir() {
                out.insert(rel.join(""), Vec::new());
                walk(root, &p, out);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Assert the exit code, showing the output when it differs.
#[track_caller]
pub fn assert_code(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", stdout(o)))
}

/// Whether an external tool is on PATH. In CI (CI=true) a missing tool fails the test with a
/// message saying what to install; elsewhere the test is skipped with that message.
pub fn require_tool(tool: &str, install: &str) -> bool {
    let found = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        let msg = format!("`{tool}` is not installed: {install} (or run ./scripts/test.sh)");
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{msg}");
        }
        eprintln!("skipping: {msg}");
    }
    found
}

/// Whether a Python module can be imported (same CI rule as [`require_tool`]).
pub fn require_python_module(module: &str, package: &str) -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        let msg = format!(
            "Python module `{module}` is missing: pip install {package} (or run ./scripts/test.sh)"
        );
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{msg}");
        }
        eprintln!("skipping: {msg}");
    }
    ok
}

/// Whether a Secret Service keychain is reachable (a D-Bus session with gnome-keyring, as
/// ./scripts/test.sh starts). Same CI rule as [`require_tool`].
pub fn require_keychain() -> bool {
    let ok = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        && std::process::Command::new("secret-tool")
            .args([
                "search",
                "service",
                "integrations-probe",
                "username",
                "none",
            ])
            .output()
            .map(|o| !String::from_utf8_lossy(&o.stderr).contains("Cannot autolaunch"))
            .unwrap_or(false);
    if !ok {
        let msg = "no Secret Service keychain: install gnome-keyring, dbus and libsecret-tools and run the tests inside `dbus-run-session` with an unlocked gnome-keyring-daemon (./scripts/test.sh does all that)";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{msg}");
        }
        eprintln!("skipping: {msg}");
    }
    ok
}

impl Project {
    /// The project id from integrations.toml.
    pub fn project_id(&self) -> String {
        let text = self.read("integrations.toml");
        let line = text
            .lines()
            .find(|l| l.starts_with("id = "))
            .expect("id line");
        line.trim_start_matches("id = ")
            .trim_matches('"')
            .to_owned()
    }

    /// Run with `input` on standard input.
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        self.cmd().args(args).write_stdin(input).output().unwrap()
    }

    /// Every file under the project and HOME whose bytes contain `needle`.
    pub fn files_containing(&self, needle: &str) -> Vec<PathBuf> {
        let mut hits = Vec::new();
        for root in [self.path(), self.home.path()] {
            for (rel, bytes) in snapshot(root) {
                if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                    hits.push(root.join(rel));
                }
            }
        }
        hits
    }
}

/// `secret-tool lookup` of an entry, as stored by the tool.
pub fn secret_tool_lookup(project_id: &str, env: &str, var: &str) -> Option<String> {
    let out = std::process::Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            &format!("integrations/{project_id}/{env}"),
            "username",
            var,
        ])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}
