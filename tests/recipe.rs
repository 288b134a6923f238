//! `recipe list` and `recipe apply`: built-in and project recipes, one all-or-nothing plan,
//! errors that point into the recipe file. And the output rules every command follows:
//! progress only on a terminal, colour off with NO_COLOR / --no-color, forced with
//! CLICOLOR_FORCE.

mod common;

use std::time::Duration;

use common::mock::{MockServer, Reply};
use common::pty;
use common::{Project, assert_code, json, stderr, stdout};

#[test]
fn list_shows_builtin_and_project_recipes() {
    let p = Project::new();
    p.write(
        ".integrations/recipes/house.yaml",
        "name: house\ndescription: Our usual stack\nintegrations:\n  - provider: stripe\n  - provider: sentry\n",
    );
    let o = p.run(&["recipe", "list"]);
    assert_code(&o, 0);
    let out = stdout(&o);
    for name in ["global-saas", "nordic-saas", "mena-ecommerce", "house"] {
        assert!(out.contains(name), "{out}");
    }
    let v = json(&p.run(&["recipe", "list", "--json"]));
    let house = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "house")
        .unwrap();
    assert_eq!(house["source"], "project");
    assert_eq!(house["integrations"][1]["provider"], "sentry");
    let nordic = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "nordic-saas")
        .unwrap();
    let ids: Vec<&str> = nordic["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["provider"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "vipps", "vipps", "bankid", "altinn", "stripe", "posthog", "postgres"
        ]
    );
}

#[test]
fn apply_adds_every_integration_in_one_change() {
    let p = Project::new();
    let o = p.run(&["recipe", "apply", "global-saas", "--env", "dev"]);
    assert_code(&o, 0);
    let toml = p.read("integrations.toml");
    for key in [
        "supabase",
        "clerk",
        "stripe",
        "resend",
        "posthog",
        "sentry",
        "vercel",
        "cloudflare-r2",
        "cloudinary",
    ] {
        assert!(toml.contains(&format!("[integrations.{key}]")), "{toml}");
    }
    assert!(toml.contains("environments = [\"dev\"]"), "{toml}");
    assert!(p.exists("lib/integrations/cloudflare-r2/client.ts"));
    let err = stderr(&o);
    assert!(err.contains("recipe global-saas: 9 integrations"), "{err}");
    assert!(
        err.contains("integrations secrets set STRIPE_SECRET_KEY --env dev"),
        "{err}"
    );

    // Applying it again changes nothing.
    let before = p.snapshot();
    let o = p.run(&["recipe", "apply", "global-saas", "--env", "dev"]);
    assert_code(&o, 0);
    assert!(stderr(&o).contains("already applied"), "{}", stderr(&o));
    assert_eq!(p.snapshot(), before);

    // The two Vipps connections of the Nordic recipe live side by side.
    let p = Project::new();
    assert_code(&p.run(&["recipe", "apply", "nordic-saas"]), 0);
    let toml = p.read("integrations.toml");
    assert!(toml.contains("[integrations.vipps]"), "{toml}");
    assert!(toml.contains("[integrations.vipps-login]"), "{toml}");
    assert!(toml.contains("alias = \"login\""), "{toml}");
}

#[test]
fn dry_run_writes_nothing() {
    let p = Project::new();
    assert_code(&p.run(&["init"]), 0);
    let before = p.snapshot();
    let o = p.run(&["recipe", "apply", "mena-ecommerce", "--dry-run"]);
    assert_code(&o, 0);
    let out = stdout(&o);
    assert!(out.contains("+[integrations.tap]"), "{out}");
    assert!(out.contains("lib/integrations/unifonic/"), "{out}");
    assert_eq!(p.snapshot(), before);
}

#[test]
fn a_conflict_or_a_failure_leaves_the_project_as_it_was() {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe", "-q"]), 0);
    p.write("lib/integrations/stripe/client.ts", "// mine\n");
    let before = p.snapshot();
    let o = p.run(&["recipe", "apply", "global-saas"]);
    assert_code(&o, 1);
    assert!(stderr(&o).contains("lib/integrations/stripe/client.ts"));
    assert_eq!(p.snapshot(), before, "a partial recipe was applied");

    // A failure while writing rolls every file back.
    let p = Project::new();
    assert_code(&p.run(&["init"]), 0);
    let before = p.snapshot();
    let o = p
        .cmd()
        .env(
            "INTEGRATIONS_FAILPOINT",
            "lib/integrations/sentry/config.ts",
        )
        .args(["recipe", "apply", "global-saas"])
        .output()
        .unwrap();
    assert_code(&o, 1);
    assert!(stderr(&o).contains("rolled back"), "{}", stderr(&o));
    assert_eq!(p.snapshot(), before);
}

#[test]
fn bad_recipes_are_reported_with_file_and_line() {
    let p = Project::new();
    let o = p.run(&["recipe", "apply", "global-sass"]);
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("did you mean global-saas?"),
        "{}",
        stderr(&o)
    );

    p.write(
        ".integrations/recipes/broken.yaml",
        "name: broken\ndescription: x\nintegrations:\n  - provider: stripe\n  - provider: s3\n    options:\n      provider: gcs\n",
    );
    let o = p.run(&["recipe", "apply", "broken"]);
    assert_code(&o, 2);
    let err = stderr(&o);
    assert!(
        err.contains(".integrations/recipes/broken.yaml:7:"),
        "{err}"
    );
    assert!(err.contains("invalid value `gcs`"), "{err}");
    assert!(err.contains("aws, r2, minio"), "{err}");

    p.write(
        ".integrations/recipes/broken.yaml",
        "name: broken\ndescription: x\nintegrations:\n  - provider: nope-pay\n",
    );
    let err = stderr(&p.run(&["recipe", "apply", "broken"]));
    assert!(err.contains("broken.yaml:4:"), "{err}");
    assert!(err.contains("unknown provider `nope-pay`"), "{err}");

    p.write(
        ".integrations/recipes/broken.yaml",
        "name: broken\ndescription: x\nintegrations:\n  - provider: stripe\n    colour: blue\n",
    );
    let o = p.run(&["recipe", "list"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("broken.yaml:5:"), "{}", stderr(&o));
    assert!(!p.exists("integrations.toml"));
}

/// The binary on a pseudo-terminal, with stderr on the terminal; everything it printed.
fn on_terminal(p: &Project, args: &[&str], envs: &[(&str, &str)]) -> String {
    pty::output(&mut pty::spawn(p, args, envs))
}

fn slow_stripe_project() -> (Project, MockServer) {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe", "-q"]), 0);
    let mock = MockServer::start(vec![
        Reply::json(200, r#"{"object":"balance"}"#).delay(Duration::from_millis(1500)),
    ]);
    (p, mock)
}

#[test]
fn progress_is_drawn_only_on_a_terminal() {
    let (p, mock) = slow_stripe_project();
    let envs = [
        ("INTEGRATIONS_BASE_URL_STRIPE", mock.url()),
        ("STRIPE_SECRET_KEY", "sk_test_abcdefghijklmnop".to_owned()),
    ];
    let args = ["check", "--kind", "activation"];

    // Positive control: on a terminal the progress bar is there.
    let envs_ref: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let shown = on_terminal(&p, &args, &envs_ref);
    assert!(
        shown.contains("checking"),
        "no progress on a terminal:\n{shown}"
    );

    // stderr piped: not a byte of it, and no colour either.
    let o = p
        .cmd()
        .env_remove("NO_COLOR")
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .args(args)
        .output()
        .unwrap();
    assert_code(&o, 0);
    let err = stderr(&o);
    assert!(!err.contains('\r') && !err.contains('\x1b'), "{err:?}");
    assert!(!stdout(&o).contains('\x1b'), "{:?}", stdout(&o));

    // CI=true or --quiet on a terminal: no progress.
    let mut ci = envs_ref.clone();
    ci.push(("CI", "true"));
    let shown = on_terminal(&p, &args, &ci);
    assert!(
        !shown.contains("checking"),
        "progress under CI=true:\n{shown}"
    );
    let quiet = ["check", "--kind", "activation", "--quiet"];
    let shown = on_terminal(&p, &quiet, &envs_ref);
    assert!(
        !shown.contains("checking"),
        "progress with --quiet:\n{shown}"
    );

    // recipe apply, piped: status lines only.
    let p = Project::new();
    let o = p
        .cmd()
        .env_remove("NO_COLOR")
        .args(["recipe", "apply", "nordic-saas"])
        .output()
        .unwrap();
    assert_code(&o, 0);
    let err = stderr(&o);
    assert!(!err.contains('\r') && !err.contains('\x1b'), "{err:?}");
    assert!(err.contains("Applied"), "{err}");
}

#[test]
fn colour_follows_no_color_and_clicolor_force() {
    let (p, mock) = slow_stripe_project();
    let run = |envs: &[(&str, &str)], args: &[&str]| {
        let mut cmd = p.cmd();
        cmd.env_remove("NO_COLOR")
            .env("INTEGRATIONS_BASE_URL_STRIPE", mock.url())
            .env("STRIPE_SECRET_KEY", "sk_test_abcdefghijklmnop");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.args(args).output().unwrap()
    };
    let check = ["check", "--kind", "activation"];
    // Forced on, even piped.
    let o = run(&[("CLICOLOR_FORCE", "1")], &check);
    assert!(stdout(&o).contains("\x1b["), "{:?}", stdout(&o));
    let o = run(&[("CLICOLOR_FORCE", "1")], &["list"]);
    assert!(stdout(&o).contains("\x1b["), "{:?}", stdout(&o));
    // NO_COLOR and --no-color win over everything.
    for (envs, extra) in [
        (vec![("NO_COLOR", "1")], None),
        (vec![("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")], None),
        (vec![("CLICOLOR_FORCE", "1")], Some("--no-color")),
    ] {
        let mut args = check.to_vec();
        args.extend(extra);
        let o = run(&envs, &args);
        assert_code(&o, 0);
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert!(!all.contains('\x1b'), "{envs:?} {extra:?}: {all:?}");
    }
    // NO_COLOR on a terminal: no colour, though the progress bar may still move the cursor.
    let shown = on_terminal(
        &p,
        &["list"],
        &[
            ("NO_COLOR", "1"),
            ("INTEGRATIONS_BASE_URL_STRIPE", &mock.url()),
        ],
    );
    assert!(!shown.contains("\x1b["), "{shown:?}");
    assert!(shown.contains("stripe"), "{shown}");
}
