//! Secrets against a real Secret Service (gnome-keyring in a D-Bus session, started by
//! ./scripts/test.sh): set/get/list/rm/import, `run`, `env`, isolation between projects and
//! environments, the lookup order, the no-keychain case, and that values never leak.

mod common;

use common::{Project, assert_code, json, require_keychain, secret_tool_lookup, stderr, stdout};

const KEY: &str = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
const LIVE: &str = "sk_live_FAKE0000001";
const HOOK: &str = "whsec_9f8e7d6c5b4a3f2e1d0c";

fn stripe_project() -> Project {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe"]), 0);
    p
}

#[test]
fn set_stores_in_the_keychain_readable_by_secret_tool() {
    if !require_keychain() {
        return;
    }
    let p = stripe_project();
    let o = p.run_with_input(
        &["secrets", "set", "STRIPE_SECRET_KEY", "--env", "dev"],
        &format!("{KEY}\n"),
    );
    assert_code(&o, 0);
    assert!(
        stderr(&o).contains("Stored STRIPE_SECRET_KEY for dev"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        secret_tool_lookup(&p.project_id(), "dev", "STRIPE_SECRET_KEY").as_deref(),
        Some(KEY)
    );
}

#[test]
fn set_get_list_rm_round_trip() {
    if !require_keychain() {
        return;
    }
    let p = stripe_project();
    assert_code(
        &p.run_with_input(&["secrets", "set", "STRIPE_SECRET_KEY"], KEY),
        0,
    );
    let o = p.run(&["secrets", "get", "STRIPE_SECRET_KEY"]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), format!("{KEY}\n"));

    let o = p.run(&["secrets", "list", "--json"]);
    assert_code(&o, 0);
    let items = json(&o);
    let find = |name: &str, env: &str| {
        items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name && i["env"] == env)
            .cloned()
            .unwrap()
    };
    assert_eq!(find("STRIPE_SECRET_KEY", "dev")["set"], true);
    assert_eq!(find("STRIPE_SECRET_KEY", "dev")["source"], "keychain");
    assert_eq!(find("STRIPE_SECRET_KEY", "prod")["set"], false);
    assert_eq!(find("STRIPE_WEBHOOK_SECRET", "dev")["source"], "missing");
    assert_eq!(
        find("NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY", "dev")["secret"],
        false
    );
    assert!(!stdout(&o).contains(KEY));
    let o = p.run(&["secrets", "list"]);
    assert_code(&o, 0);
    assert!(
        stdout(&o).contains("set (keychain)") && !stdout(&o).contains(KEY),
        "{}",
        stdout(&o)
    );

    assert_code(&p.run(&["secrets", "rm", "STRIPE_SECRET_KEY"]), 0);
    let o = p.run(&["secrets", "get", "STRIPE_SECRET_KEY"]);
    assert_code(&o, 1);
    assert!(stderr(&o).contains("not set"));
    assert_eq!(
        secret_tool_lookup(&p.project_id(), "dev", "STRIPE_SECRET_KEY"),
        None
    );
    assert_code(&p.run(&["secrets", "rm", "STRIPE_SECRET_KEY"]), 1);
}

#[test]
fn environments_and_projects_are_isolated() {
    if !require_keychain() {
        return;
    }
    let a = stripe_project();
    let b = stripe_project();
    assert_ne!(a.project_id(), b.project_id());
    assert_code(
        &a.run_with_input(
            &["secrets", "set", "STRIPE_SECRET_KEY", "--env", "dev"],
            KEY,
        ),
        0,
    );
    assert_code(
        &a.run_with_input(
            &["secrets", "set", "STRIPE_SECRET_KEY", "--env", "prod"],
            LIVE,
        ),
        0,
    );
    assert_eq!(
        stdout(&a.run(&["secrets", "get", "STRIPE_SECRET_KEY", "--env", "prod"])),
        format!("{LIVE}\n")
    );
    assert_eq!(
        stdout(&a.run(&["secrets", "get", "STRIPE_SECRET_KEY", "--env", "dev"])),
        format!("{KEY}\n")
    );
    assert_code(
        &a.run(&["secrets", "get", "STRIPE_SECRET_KEY", "--env", "staging"]),
        1,
    );
    assert_code(
        &b.run(&["secrets", "get", "STRIPE_SECRET_KEY", "--env", "dev"]),
        1,
    );
}

#[test]
fn values_are_checked_against_the_environment() {
    if !require_keychain() {
        return;
    }
    let p = stripe_project();
    let o = p.run_with_input(
        &["secrets", "set", "STRIPE_SECRET_KEY", "--env", "prod"],
        KEY,
    );
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("starts with sk_test_ (a dev key), but prod needs sk_live_"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains(KEY), "the refused value is not echoed");
    let o = p.run_with_input(
        &["secrets", "set", "STRIPE_SECRET_KEY", "--env", "dev"],
        LIVE,
    );
    assert_code(&o, 2);
    assert_eq!(
        secret_tool_lookup(&p.project_id(), "dev", "STRIPE_SECRET_KEY"),
        None
    );
    assert_code(
        &p.run_with_input(
            &[
                "secrets",
                "set",
                "STRIPE_SECRET_KEY",
                "--env",
                "dev",
                "--force",
            ],
            LIVE,
        ),
        0,
    );

    let o = p.run_with_input(&["secrets", "set", "STRIPE_SECRET_KEYS"], KEY);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("no installed integration declares STRIPE_SECRET_KEYS"));
    assert!(
        stderr(&o).contains("did you mean STRIPE_SECRET_KEY?"),
        "{}",
        stderr(&o)
    );
    assert_code(
        &p.run_with_input(&["secrets", "set", "OTHER_TOKEN", "--force"], "value-123"),
        0,
    );

    let o = p.run_with_input(&["secrets", "set", "STRIPE_SECRET_KEY", "--env", "qa"], KEY);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("unknown environment `qa`"));
}

#[test]
fn the_value_is_never_an_argument() {
    let p = stripe_project();
    let o = p.run(&["secrets", "set", "STRIPE_SECRET_KEY", KEY]);
    assert_code(&o, 2);
}

#[test]
fn run_injects_values_and_passes_the_exit_code_through() {
    if !require_keychain() {
        return;
    }
    let p = stripe_project();
    assert_code(
        &p.run_with_input(&["secrets", "set", "STRIPE_SECRET_KEY"], KEY),
        0,
    );
    p.write(
        ".env.dev",
        &p.read(".env.dev").replace(
            "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=",
            "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=pk_test_abc",
        ),
    );
    let o = p.run(&["run", "--", "sh", "-c", "printf '%s|%s' \"$STRIPE_SECRET_KEY\" \"$NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY\" > out.txt; exit 7"]);
    assert_code(&o, 7);
    assert_eq!(p.read("out.txt"), format!("{KEY}|pk_test_abc"));
    std::fs::remove_file(p.path().join("out.txt")).unwrap();

    // The process environment wins over the keychain.
    let o = p
        .cmd()
        .args([
            "run",
            "--",
            "sh",
            "-c",
            "printf %s \"$STRIPE_SECRET_KEY\" > out.txt",
        ])
        .env("STRIPE_SECRET_KEY", "sk_test_fromprocessenv123")
        .output()
        .unwrap();
    assert_code(&o, 0);
    assert_eq!(p.read("out.txt"), "sk_test_fromprocessenv123");
    std::fs::remove_file(p.path().join("out.txt")).unwrap();
    let o = p
        .cmd()
        .args(["env", "--reveal", "--format", "json"])
        .env("STRIPE_SECRET_KEY", "sk_test_fromprocessenv123")
        .output()
        .unwrap();
    assert_eq!(json(&o)["STRIPE_SECRET_KEY"], "sk_test_fromprocessenv123");
    let o = p
        .cmd()
        .args(["secrets", "list", "--json"])
        .env("STRIPE_SECRET_KEY", "sk_test_fromprocessenv123")
        .output()
        .unwrap();
    let item = json(&o)
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "STRIPE_SECRET_KEY" && i["env"] == "dev")
        .cloned()
        .unwrap();
    assert_eq!(item["source"], "process");

    // Nothing was written anywhere.
    assert!(
        p.files_containing(KEY).is_empty(),
        "{:?}",
        p.files_containing(KEY)
    );
}

#[test]
fn secrets_never_reach_output_unless_asked() {
    if !require_keychain() {
        return;
    }
    let p = stripe_project();
    assert_code(
        &p.run_with_input(&["secrets", "set", "STRIPE_SECRET_KEY"], KEY),
        0,
    );
    assert_code(
        &p.run_with_input(&["secrets", "set", "STRIPE_WEBHOOK_SECRET"], HOOK),
        0,
    );
    for args in [
        &["secrets", "list"][..],
        &["secrets", "list", "--json"],
        &["env"],
        &["env", "--format", "json"],
        &["env", "--format", "shell"],
        &["status"],
        &["status", "--json"],
        &["add", "stripe"],
        &["add", "stripe", "--alias", "eu", "--dry-run"],
        &["run", "--", "true"],
        &["remove", "stripe", "--dry-run"],
    ] {
        let o = p.run(args);
        for secret in [KEY, HOOK] {
            assert!(
                !stdout(&o).contains(secret) && !stderr(&o).contains(secret),
                "{args:?} printed a secret"
            );
        }
    }
    let o = p.run(&["env"]);
    assert!(
        stdout(&o).contains("STRIPE_SECRET_KEY='********'"),
        "{}",
        stdout(&o)
    );
    let o = p.run(&["env", "--reveal"]);
    assert!(stdout(&o).contains(KEY));
    // A secret from the process environment is masked too, even inside an error.
    let o = p
        .cmd()
        .args(["secrets", "set", "STRIPE_SECRET_KEY", "--env", "prod"])
        .env("STRIPE_SECRET_KEY", KEY)
        .write_stdin(KEY)
        .output()
        .unwrap();
    assert_code(&o, 2);
    assert!(!stderr(&o).contains(KEY));
    assert!(p.files_containing(KEY).is_empty() && p.files_containing(HOOK).is_empty());
}

#[test]
fn without_a_secret_service_writes_fail_clearly_and_reads_fall_back() {
    let p = stripe_project();
    let before = p.snapshot();
    let no_bus = |args: &[&str], input: &str| {
        p.cmd()
            .args(args)
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}/no-bus", p.home.path().display()),
            )
            .write_stdin(input)
            .output()
            .unwrap()
    };
    let o = no_bus(&["secrets", "set", "STRIPE_SECRET_KEY"], KEY);
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(err.contains("no keychain available"), "{err}");
    assert!(
        err.contains("gnome-keyring") && err.contains("environment variables"),
        "{err}"
    );
    assert!(!err.contains(KEY));
    assert_eq!(
        p.snapshot(),
        before,
        "nothing written in plaintext or otherwise"
    );
    assert!(p.files_containing(KEY).is_empty());

    // Readers use the process environment and say what they could not look up.
    let o = p
        .cmd()
        .args(["env", "--reveal", "--format", "json"])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}/no-bus", p.home.path().display()),
        )
        .env("STRIPE_SECRET_KEY", KEY)
        .output()
        .unwrap();
    assert_code(&o, 0);
    assert_eq!(json(&o)["STRIPE_SECRET_KEY"], KEY);
    assert!(
        stderr(&o).contains("could not look up STRIPE_WEBHOOK_SECRET"),
        "{}",
        stderr(&o)
    );
    let o = no_bus(&["secrets", "list"], "");
    assert_code(&o, 0);
    assert!(
        stderr(&o).contains("could not be looked up"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn import_moves_secrets_out_of_a_dotenv_file() {
    if !require_keychain() {
        return;
    }
    let p = stripe_project();
    let original = format!(
        "# local settings\nexport STRIPE_SECRET_KEY=\"{KEY}\" # test key\nAPP_NAME='My \"App\"'\nSTRIPE_WEBHOOK_SECRET='{HOOK}'\nMULTI=\"line one\nline two\"\n"
    );
    p.write(".env.local", &original);
    let o = p.run(&["secrets", "import", ".env.local"]);
    assert_code(&o, 0);
    assert_eq!(
        secret_tool_lookup(&p.project_id(), "dev", "STRIPE_SECRET_KEY").as_deref(),
        Some(KEY)
    );
    assert_eq!(
        secret_tool_lookup(&p.project_id(), "dev", "STRIPE_WEBHOOK_SECRET").as_deref(),
        Some(HOOK)
    );
    assert_eq!(
        p.read(".env.local"),
        original,
        "kept without --remove-from-file"
    );
    assert!(stderr(&o).contains("APP_NAME") && stderr(&o).contains("MULTI"));

    let o = p.run(&["secrets", "import", ".env.local", "--remove-from-file"]);
    assert_code(&o, 0);
    assert_eq!(
        p.read(".env.local"),
        "# local settings\nAPP_NAME='My \"App\"'\nMULTI=\"line one\nline two\"\n"
    );
    assert!(p.files_containing(KEY).is_empty());

    // A live key in dev is refused and nothing is imported.
    p.write(
        ".env.bad",
        &format!("STRIPE_SECRET_KEY={LIVE}\nSTRIPE_WEBHOOK_SECRET=whsec_other123\n"),
    );
    let o = p.run(&["secrets", "import", ".env.bad"]);
    assert_code(&o, 2);
    assert_eq!(
        secret_tool_lookup(&p.project_id(), "dev", "STRIPE_WEBHOOK_SECRET").as_deref(),
        Some(HOOK)
    );
}

#[test]
fn remove_purge_secrets_deletes_keychain_entries() {
    if !require_keychain() {
        return;
    }
    let p = stripe_project();
    assert_code(
        &p.run_with_input(&["secrets", "set", "STRIPE_SECRET_KEY"], KEY),
        0,
    );
    assert_code(
        &p.run_with_input(
            &["secrets", "set", "STRIPE_SECRET_KEY", "--env", "prod"],
            LIVE,
        ),
        0,
    );
    let id = p.project_id();
    assert_code(&p.run(&["remove", "stripe"]), 0);
    assert_eq!(
        secret_tool_lookup(&id, "dev", "STRIPE_SECRET_KEY").as_deref(),
        Some(KEY),
        "kept without --purge-secrets"
    );
    assert_code(&p.run(&["add", "stripe"]), 0);
    let o = p.run(&["remove", "stripe", "--purge-secrets"]);
    assert_code(&o, 0);
    assert!(
        stderr(&o).contains("Purged STRIPE_SECRET_KEY (prod)"),
        "{}",
        stderr(&o)
    );
    assert_eq!(secret_tool_lookup(&id, "dev", "STRIPE_SECRET_KEY"), None);
    assert_eq!(secret_tool_lookup(&id, "prod", "STRIPE_SECRET_KEY"), None);
}

/// Values that are hard for dotenv: quotes, `#`, `$`, spaces and newlines.
/// python-dotenv expands `${NAME}` in every value (quoted or not) unless asked not to, so the
/// `${...}` case is read back with `interpolate=False`; a bare `$` is literal everywhere.
const TRICKY: [(&str, &str); 7] = [
    ("ACME_SPACES", "two words  and more"),
    ("ACME_HASH", "abc#def # not a comment"),
    ("ACME_DOLLAR", "pa$$word $USER $5"),
    ("ACME_BRACES", "keep ${HOME} as is"),
    ("ACME_DOUBLE", "say \"hi\""),
    ("ACME_SINGLE", "it's"),
    ("ACME_NEWLINE", "line one\nline two\n  indented"),
];

#[test]
fn dotenv_output_parses_back_with_the_common_parsers() {
    if !require_keychain() || !common::require_python_module("dotenv", "python-dotenv") {
        return;
    }
    let p = Project::new();
    let mut manifest = String::from(
        "id: acme\nname: Acme\nversion: 1.0.0\ncategory: devtools\ndescription: Test\ndocs: https://example.com\nmarkets: [global]\ncapabilities: [test.run]\nauth: [api_key]\nconfigs:\n  main: { default: true }\nenv:\n",
    );
    for (name, _) in TRICKY {
        manifest.push_str(&format!(
            "  - {{ name: {name}, secret: true, description: tricky }}\n"
        ));
    }
    p.write(".integrations/manifests/acme.yaml", &manifest);
    assert_code(&p.run(&["add", "acme"]), 0);
    for (name, value) in TRICKY {
        assert_code(
            &p.run_with_input(&["secrets", "set", name], &format!("{value}\n")),
            0,
        );
    }
    let o = p.run(&["env", "--reveal"]);
    assert_code(&o, 0);
    p.write("out.env", &stdout(&o));
    let expected: serde_json::Map<String, serde_json::Value> = TRICKY
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
        .collect();

    let py = std::process::Command::new("python3")
        .args(["-c", "import json,sys; from dotenv import dotenv_values; a=dotenv_values(sys.argv[1]); b=dotenv_values(sys.argv[1], interpolate=False); a['ACME_BRACES']=b['ACME_BRACES']; print(json.dumps(a))", "out.env"])
        .current_dir(p.path())
        .output()
        .unwrap();
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&py.stdout).unwrap();
    for (k, v) in &expected {
        assert_eq!(
            &parsed[k],
            v,
            "python-dotenv read {k} differently:\n{}",
            stdout(&o)
        );
    }

    let Some(node_modules) = std::env::var_os("INTEGRATIONS_TEST_NODE_MODULES") else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("npm dotenv is not installed: run ./scripts/test.sh");
        }
        eprintln!("skipping npm dotenv: run ./scripts/test.sh to install it");
        return;
    };
    let node = std::process::Command::new("node")
        .args(["-e", "const fs=require('fs');const d=require('dotenv');process.stdout.write(JSON.stringify(d.parse(fs.readFileSync('out.env'))))"])
        .env("NODE_PATH", node_modules)
        .current_dir(p.path())
        .output()
        .unwrap();
    assert!(
        node.status.success(),
        "{}",
        String::from_utf8_lossy(&node.stderr)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&node.stdout).unwrap();
    for (k, v) in &expected {
        assert_eq!(
            &parsed[k],
            v,
            "npm dotenv read {k} differently:\n{}",
            stdout(&o)
        );
    }
}
