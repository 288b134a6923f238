//! Shell completion and the man page: the committed scripts in completions/ are what the
//! binary prints, and real bash, zsh and fish, loading the scripts from where install.sh puts
//! them, complete provider ids (the catalog's and the project's own) and recipe names.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{Project, assert_code, require_tool, stdout};
use expectrl::Expect;
use expectrl::session::OsSession as Session;

const SHELLS: [(&str, &str); 5] = [
    ("bash", "integrations.bash"),
    ("zsh", "_integrations"),
    ("fish", "integrations.fish"),
    ("powershell", "_integrations.ps1"),
    ("elvish", "integrations.elv"),
];

#[test]
fn committed_completion_scripts_are_current() {
    let p = Project::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let mut stale = Vec::new();
    for (shell, file) in SHELLS {
        let o = p.run(&["completions", shell]);
        assert_code(&o, 0);
        let path = dir.join(file);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != stdout(&o) {
            if std::env::var_os("UPDATE_COMPLETIONS").is_some() {
                std::fs::write(&path, stdout(&o)).unwrap();
            } else {
                stale.push(format!("completions/{file}"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale completion scripts: {}\nregenerate them with `UPDATE_COMPLETIONS=1 cargo test --test completions`",
        stale.join(", ")
    );
}

#[test]
fn man_page_renders() {
    let p = Project::new();
    let o = p.run(&["man"]);
    assert_code(&o, 0);
    let page = stdout(&o);
    assert!(page.contains(".TH integrations"), "{page}");
    assert!(page.contains("setup"), "{page}");
    assert!(page.contains("recipe"), "{page}");
}

/// A project with its own manifest `acme-pay`, and the scripts installed under a prefix
/// as install.sh lays them out.
struct Setup {
    project: Project,
    prefix: tempfile::TempDir,
}

impl Setup {
    fn new() -> Self {
        let project = Project::new();
        let stripe = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("manifests/stripe.yaml"),
        )
        .unwrap();
        project.write(
            ".integrations/manifests/acme-pay.yaml",
            &stripe.replacen("id: stripe", "id: acme-pay", 1).replacen(
                "name: Stripe",
                "name: Acme Pay",
                1,
            ),
        );
        project.write(
            ".integrations/recipes/acme-shop.yaml",
            "name: acme-shop\ndescription: Acme's shop\nintegrations:\n  - provider: acme-pay\n",
        );
        let prefix = tempfile::tempdir().unwrap();
        for (shell, dest) in [
            ("bash", "share/bash-completion/completions/integrations"),
            ("zsh", "share/zsh/site-functions/_integrations"),
            ("fish", "share/fish/vendor_completions.d/integrations.fish"),
        ] {
            let o = project.run(&["completions", shell]);
            assert_code(&o, 0);
            let path = prefix.path().join(dest);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, o.stdout).unwrap();
        }
        Setup { project, prefix }
    }

    fn installed(&self, rel: &str) -> PathBuf {
        self.prefix.path().join(rel)
    }

    /// PATH with the binary under test first.
    fn path_var() -> String {
        let bin = assert_cmd::cargo::cargo_bin("integrations");
        format!(
            "{}:{}",
            bin.parent().unwrap().display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    fn shell(&self, program: &str, args: &[&str]) -> Session {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(self.project.path())
            .env("HOME", self.project.home.path())
            .env("PATH", Self::path_var())
            .env("TERM", "dumb")
            .env("PS1", "$ ")
            .env("NO_COLOR", "1")
            .env_remove("INTEGRATIONS_MANIFEST_PATH")
            .env_remove("COMPLETE");
        let mut s = Session::spawn(cmd).expect("spawn the shell on a pty");
        s.set_expect_timeout(Some(Duration::from_secs(20)));
        s
    }
}

#[track_caller]
fn expect(s: &mut Session, text: &str, what: &str) {
    if let Err(e) = s.expect(text) {
        panic!("{what}: waiting for {text:?}: {e}");
    }
}

/// Type `line`, press TAB, then run the completed line through `echo` and wait for
/// `wanted` in what it prints.
fn tab(s: &mut Session, line: &str, wanted: &str, what: &str) {
    s.send(line).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    s.send("\t").unwrap();
    std::thread::sleep(Duration::from_millis(800));
    // Ctrl-A: to the start of the line, to turn it into `echo <completed line>`.
    s.send("\x01echo \r").unwrap();
    expect(s, wanted, what);
}

#[test]
fn bash_completes_providers_and_recipes() {
    if !require_tool("bash", "apt-get install bash") {
        return;
    }
    let t = Setup::new();
    let mut s = t.shell("bash", &["--norc", "--noprofile", "-i"]);
    let script = t.installed("share/bash-completion/completions/integrations");
    s.send_line(format!("source {}; echo load''ed", script.display()))
        .unwrap();
    expect(&mut s, "loaded", "bash");
    tab(
        &mut s,
        "integrations add str",
        "integrations add stripe",
        "bash: add str<TAB>",
    );
    tab(
        &mut s,
        "integrations add acm",
        "integrations add acme-pay",
        "bash: project manifest",
    );
    tab(
        &mut s,
        "integrations recipe apply nordic",
        "apply nordic-saas",
        "bash: recipe",
    );
    tab(
        &mut s,
        "integrations recipe apply acme",
        "apply acme-shop",
        "bash: project recipe",
    );
    tab(&mut s, "integrations info vip", "info vipps", "bash: info");
    s.send_line("exit").unwrap();
}

#[test]
fn zsh_completes_providers_from_fpath() {
    if !require_tool("zsh", "apt-get install zsh") {
        return;
    }
    let t = Setup::new();
    let mut s = t.shell("zsh", &["-f", "-i"]);
    let dir = t.installed("share/zsh/site-functions");
    s.send_line(format!(
        "fpath=({} $fpath); autoload -Uz compinit; compinit -u; echo load''ed",
        dir.display()
    ))
    .unwrap();
    expect(&mut s, "loaded", "zsh");
    tab(
        &mut s,
        "integrations add str",
        "integrations add stripe",
        "zsh: add str<TAB>",
    );
    tab(
        &mut s,
        "integrations add acm",
        "integrations add acme-pay",
        "zsh: project manifest",
    );
    tab(
        &mut s,
        "integrations recipe apply mena",
        "apply mena-ecommerce",
        "zsh: recipe",
    );
    s.send_line("exit").unwrap();
}

#[test]
fn fish_completes_providers() {
    if !require_tool("fish", "apt-get install fish") {
        return;
    }
    let t = Setup::new();
    let script = t.installed("share/fish/vendor_completions.d/integrations.fish");
    let complete_in = |dir: &Path, line: &str| {
        let o = Command::new("fish")
            .args([
                "--no-config",
                "-c",
                &format!("source {}; complete -C '{line}'", script.display()),
            ])
            .current_dir(dir)
            .env("HOME", t.project.home.path())
            .env("PATH", Setup::path_var())
            .env_remove("INTEGRATIONS_MANIFEST_PATH")
            .env_remove("COMPLETE")
            .output()
            .expect("run fish");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let complete = |line: &str| complete_in(t.project.path(), line);
    let out = complete("integrations add str");
    assert!(out.lines().any(|l| l.starts_with("stripe")), "{out}");
    let out = complete("integrations add acm");
    assert!(out.lines().any(|l| l.starts_with("acme-pay")), "{out}");
    let out = complete("integrations recipe apply ");
    for name in ["global-saas", "nordic-saas", "mena-ecommerce", "acme-shop"] {
        assert!(out.lines().any(|l| l.starts_with(name)), "{name}: {out}");
    }
    // --dir points completion at another project.
    let elsewhere = Project::new();
    let out = complete_in(
        elsewhere.path(),
        &format!("integrations --dir {} add acm", t.project.path().display()),
    );
    assert!(out.contains("acme-pay"), "{out}");
}
