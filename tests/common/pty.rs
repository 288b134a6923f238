//! Running the binary on a pseudo-terminal (expectrl), for what only happens on a terminal:
//! prompts, progress, colour.

use std::process::Command;
use std::time::Duration;

use expectrl::Expect;
pub use expectrl::session::OsSession as Session;

use super::Project;

/// The binary with `args` in the project, on a pseudo-terminal, with the environment of
/// [`Project::cmd`] but without `NO_COLOR` and `CI`, plus `envs`.
pub fn spawn(p: &Project, args: &[&str], envs: &[(&str, &str)]) -> Session {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("integrations"));
    cmd.args(args)
        .current_dir(p.path())
        .env("HOME", p.home.path())
        .env("TERM", "xterm")
        .env_remove("CI")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("INTEGRATIONS_MANIFEST_PATH");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut s = Session::spawn(cmd).expect("spawn on a pty");
    s.set_expect_timeout(Some(Duration::from_secs(30)));
    s
}

/// Everything the process prints until it exits.
pub fn output(s: &mut Session) -> String {
    let out = s.expect(expectrl::Eof).expect("output until the end");
    let mut text = String::from_utf8_lossy(out.before()).into_owned();
    for m in out.matches() {
        text.push_str(&String::from_utf8_lossy(m));
    }
    text
}

/// The exit code of the process, once it has finished.
pub fn exit_code(s: &mut Session) -> i32 {
    // Drain what is left so the child is not blocked on a full pty.
    let _ = s.expect(expectrl::Eof);
    match s.get_process().wait().expect("wait for the process") {
        expectrl::process::unix::WaitStatus::Exited(_, code) => code,
        other => panic!("the process did not exit normally: {other:?}"),
    }
}
