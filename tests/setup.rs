//! `integrations setup` driven through a pseudo-terminal, as a person would: arrow keys,
//! typing into the fuzzy filter, masked secrets, Ctrl-C and Esc. Checks hit a mock provider
//! on 127.0.0.1 and secrets go to the real keychain.

mod common;

use std::time::Duration;

use common::mock::{MockServer, Reply};
use common::pty::{self, Session, exit_code};
use common::{Project, assert_code, require_keychain, secret_tool_lookup, stderr};
use expectrl::Expect;

const DOWN: &str = "\x1b[B";

/// `integrations setup` in the project, on a pseudo-terminal, without colour.
fn spawn(p: &Project, envs: &[(&str, &str)]) -> Session {
    let mut envs = envs.to_vec();
    envs.push(("NO_COLOR", "1"));
    pty::spawn(p, &["setup"], &envs)
}

/// Wait for `text` on the screen, showing what was there when it does not come.
#[track_caller]
fn expect(s: &mut Session, text: &str) {
    if let Err(e) = s.expect(text) {
        panic!("waiting for {text:?}: {e}");
    }
}

fn send(s: &mut Session, keys: &str) {
    s.send(keys).expect("send keys");
    std::thread::sleep(Duration::from_millis(150));
}

/// Connect → stripe, Configure → no webhooks, dev only.
fn choose_stripe_for_dev(s: &mut Session) {
    expect(s, "Start from");
    send(s, "\r");
    expect(s, "Add a provider");
    send(s, "stripe");
    send(s, "\r");
    expect(s, "Add another provider");
    send(s, "\r");
    expect(s, "webhooks");
    send(s, DOWN);
    send(s, "\r");
    expect(s, "Enable in which environments");
    // Untick staging and prod.
    send(s, DOWN);
    send(s, " ");
    send(s, DOWN);
    send(s, " ");
    send(s, "\r");
}

#[test]
fn setup_adds_stripe_tests_the_key_and_stores_it() {
    if !require_keychain() {
        return;
    }
    let p = Project::new();
    let mock = MockServer::start(vec![Reply::json(
        200,
        r#"{"object":"balance","available":[]}"#,
    )]);
    let mut s = spawn(&p, &[("INTEGRATIONS_BASE_URL_STRIPE", &mock.url())]);
    choose_stripe_for_dev(&mut s);
    expect(&mut s, "STRIPE_SECRET_KEY (dev)");
    // A live key is refused for dev, and asked again.
    send(&mut s, "sk_live_WRONGENV01\r");
    expect(&mut s, "dev needs sk_test_");
    let key = "sk_test_setupwizard0123456789";
    send(&mut s, &format!("{key}\r"));
    expect(&mut s, "secret key is accepted");
    expect(&mut s, "Apply these changes?");
    send(&mut s, "y");
    expect(&mut s, "set up stripe");
    assert_eq!(exit_code(&mut s), 0);

    let toml = p.read("integrations.toml");
    assert!(toml.contains("[integrations.stripe]"), "{toml}");
    assert!(toml.contains("environments = [\"dev\"]"), "{toml}");
    assert!(toml.contains("webhooks = \"false\""), "{toml}");
    assert!(p.exists("lib/integrations/stripe/client.ts"));
    assert!(!p.exists("app/api/webhooks/stripe/route.ts"));
    assert!(p.exists("integrations.lock"));
    assert!(
        p.files_containing(key).is_empty(),
        "the key was written to a file"
    );

    let id = p.project_id();
    assert_eq!(
        secret_tool_lookup(&id, "dev", "STRIPE_SECRET_KEY").as_deref(),
        Some(key)
    );
    let requests = mock.requests();
    assert!(
        requests.iter().any(|r| r.path == "/v1/balance"
            && r.header("authorization") == Some(&format!("Bearer {key}"))),
        "{requests:?}"
    );
    // The project is a normal one now: `check` finds the stored key.
    let o = p
        .cmd()
        .env("INTEGRATIONS_BASE_URL_STRIPE", mock.url())
        .args(["check", "--env", "dev", "--kind", "activation"])
        .output()
        .unwrap();
    assert_code(&o, 0);
    let _ = p.run(&["secrets", "rm", "STRIPE_SECRET_KEY", "--env", "dev"]);
}

#[test]
fn ctrl_c_mid_flow_changes_nothing() {
    let p = Project::new();
    assert_code(&p.run(&["init"]), 0);
    let id = p.project_id();
    let before = p.snapshot();
    let mut s = spawn(&p, &[]);
    choose_stripe_for_dev(&mut s);
    expect(&mut s, "STRIPE_SECRET_KEY (dev)");
    send(&mut s, "sk_test_typedbutnotconfirmed");
    send(&mut s, "\x03");
    expect(&mut s, "nothing was written");
    assert_eq!(exit_code(&mut s), 130);
    assert_eq!(p.snapshot(), before, "setup changed the project");
    if require_keychain() {
        assert_eq!(secret_tool_lookup(&id, "dev", "STRIPE_SECRET_KEY"), None);
    }

    // Ctrl-C in a list prompt (the terminal in raw mode) and Esc at the confirmation.
    let mut s = spawn(&p, &[]);
    expect(&mut s, "Start from");
    send(&mut s, "\r");
    expect(&mut s, "Add a provider");
    send(&mut s, "\x03");
    expect(&mut s, "nothing was written");
    assert_eq!(exit_code(&mut s), 130);
    assert_eq!(p.snapshot(), before);

    let mut s = spawn(&p, &[]);
    choose_stripe_for_dev(&mut s);
    expect(&mut s, "STRIPE_SECRET_KEY (dev)");
    send(&mut s, "\r");
    expect(&mut s, "Apply these changes?");
    send(&mut s, "\x1b");
    expect(&mut s, "nothing was written");
    assert_eq!(exit_code(&mut s), 130);
    assert_eq!(p.snapshot(), before);
}

#[test]
fn without_a_terminal_setup_names_the_commands() {
    let p = Project::new();
    let o = p.run_with_input(&["setup"], "");
    assert_code(&o, 2);
    let err = stderr(&o);
    for needle in [
        "not a terminal",
        "integrations recipe apply <recipe>",
        "integrations add <provider>",
        "integrations secrets set <VAR>",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
    assert!(p.snapshot().is_empty());

    // CI=true refuses even on a terminal.
    let mut s = spawn(&p, &[("CI", "true")]);
    expect(&mut s, "CI=true is set");
    assert_eq!(exit_code(&mut s), 2);
    assert!(p.snapshot().is_empty());
}
