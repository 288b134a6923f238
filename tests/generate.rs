//! The generation engine end to end: init, add, remove, status, diff and update on temp
//! projects, through the real binary.

mod common;

use common::{Project, assert_code, json, stderr, stdout};

#[test]
fn init_creates_the_project_file_once() {
    let p = Project::new();
    let o = p.run(&["init"]);
    assert_code(&o, 0);
    let text = p.read("integrations.toml");
    let folder = p.path().file_name().unwrap().to_string_lossy().into_owned();
    assert!(text.contains(&format!("name = \"{folder}\"")), "{text}");
    assert!(text.contains("id = \"prj_"), "{text}");
    assert!(text.contains("framework = \"nextjs\""));
    assert!(text.contains("environments = [\"dev\", \"staging\", \"prod\"]"));

    let before = p.snapshot();
    let o = p.run(&["init", "--name", "other"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("already exists") && stderr(&o).contains("--force"));
    assert_eq!(p.snapshot(), before);

    let o = p.run(&["init", "--name", "other", "--force"]);
    assert_code(&o, 0);
    assert!(p.read("integrations.toml").contains("name = \"other\""));
}

#[test]
fn add_writes_config_env_files_stubs_and_lock() {
    let p = Project::new();
    let o = p.run(&["add", "stripe"]);
    assert_code(&o, 0);
    let err = stderr(&o);
    assert!(
        err.contains("creating one with defaults"),
        "says it initialised: {err}"
    );
    assert!(
        err.contains("integrations secrets set STRIPE_SECRET_KEY --env dev"),
        "{err}"
    );
    assert!(err.contains("npm install stripe"), "{err}");
    assert!(err.contains("lib/integrations/stripe/config.ts"), "{err}");

    let toml = p.read("integrations.toml");
    assert!(
        toml.contains("[integrations.stripe]\nprovider = \"stripe\"\nconfig = \"payment\""),
        "{toml}"
    );
    let example = p.read(".env.example");
    assert!(
        example.contains("STRIPE_SECRET_KEY=\n"),
        "placeholder only: {example}"
    );
    assert!(
        example.contains("sk_live_") && example.contains("Dashboard"),
        "{example}"
    );
    for env in ["dev", "staging", "prod"] {
        let f = p.read(&format!(".env.{env}"));
        assert!(f.contains("NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY="), "{f}");
        assert!(
            !f.contains("STRIPE_SECRET_KEY"),
            "no secrets in per-env files: {f}"
        );
    }
    assert!(p.read(".gitignore").lines().any(|l| l == ".env.local"));
    for f in [
        "lib/integrations/stripe/config.ts",
        "lib/integrations/stripe/client.ts",
        "app/api/webhooks/stripe/route.ts",
    ] {
        assert!(p.exists(f), "{f}");
    }
    let lock = p.read("integrations.lock");
    assert!(lock.contains("manifest_version = \"1.0.0\""), "{lock}");
    assert!(
        lock.contains("\"lib/integrations/stripe/config.ts\" = \"sha256:"),
        "{lock}"
    );
}

#[test]
fn add_json_reports_the_same() {
    let p = Project::new();
    let o = p.run(&["add", "stripe", "--json"]);
    assert_code(&o, 0);
    let v = json(&o);
    assert_eq!(v["integration"], "stripe");
    assert_eq!(v["up_to_date"], false);
    assert!(
        v["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "STRIPE_SECRET_KEY")
    );
    assert_eq!(v["npm"][0], "stripe");
    let o = p.run(&["add", "stripe", "--json"]);
    assert_eq!(json(&o)["up_to_date"], true);
}

#[test]
fn dry_run_prints_a_diff_and_writes_nothing() {
    let p = Project::new();
    let before = p.snapshot();
    let o = p.run(&["add", "stripe", "--dry-run"]);
    assert_code(&o, 0);
    assert_eq!(p.snapshot(), before, "fresh folder untouched");
    let out = stdout(&o);
    assert!(
        out.contains("+++ b/lib/integrations/stripe/config.ts"),
        "{out}"
    );
    assert!(out.contains("+++ b/integrations.toml"), "{out}");

    assert_code(&p.run(&["add", "stripe"]), 0);
    let before = p.snapshot();
    let o = p.run(&["add", "stripe", "--alias", "eu", "--dry-run"]);
    assert_code(&o, 0);
    assert!(stdout(&o).contains("STRIPE_EU_SECRET_KEY"));
    let o2 = p.run(&["remove", "stripe", "--dry-run"]);
    assert_code(&o2, 0);
    assert!(stdout(&o2).contains("+++ /dev/null"), "{}", stdout(&o2));
    assert_eq!(p.snapshot(), before, "existing project untouched");
}

#[test]
fn adding_twice_changes_nothing() {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe"]), 0);
    let before = p.snapshot();
    let o = p.run(&["add", "stripe"]);
    assert_code(&o, 0);
    assert!(stderr(&o).contains("up to date"), "{}", stderr(&o));
    assert_eq!(p.snapshot(), before);
    assert_eq!(
        p.read(".env.example")
            .matches(">>> integrations: stripe")
            .count(),
        1
    );
}

const COMMENTED: &str = r#"# Our project file. Keep this comment.
[project]
# the display name
name = "shop"   # trailing comment
id = "prj_0123456789abcdef"
framework = "nextjs"
environments = ["dev", "staging", "prod"]   # all three

# Payments go below.
"#;

#[test]
fn user_comments_and_formatting_survive() {
    let p = Project::new();
    p.write("integrations.toml", COMMENTED);
    assert_code(&p.run(&["add", "stripe", "--webhooks=false"]), 0);
    let toml = p.read("integrations.toml");
    assert!(toml.starts_with(COMMENTED), "{toml}");
    // Editing the entry keeps a comment the user put in it.
    let edited = toml.replace(
        "config = \"payment\"",
        "config = \"payment\" # chosen by finance",
    );
    p.write("integrations.toml", &edited);
    assert_code(&p.run(&["add", "stripe", "--webhooks=true"]), 0);
    let toml = p.read("integrations.toml");
    assert!(
        toml.contains("config = \"payment\" # chosen by finance"),
        "{toml}"
    );
    assert!(toml.contains("webhooks = \"true\""), "{toml}");
    assert_code(&p.run(&["remove", "stripe"]), 0);
    assert_eq!(p.read("integrations.toml"), COMMENTED);
}

#[test]
fn an_alias_is_an_independent_connection() {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe"]), 0);
    let first = p.snapshot();
    let o = p.run(&["add", "stripe", "--alias", "eu", "--webhooks=false"]);
    assert_code(&o, 0);
    assert!(
        stderr(&o).contains("integrations secrets set STRIPE_EU_SECRET_KEY"),
        "{}",
        stderr(&o)
    );
    let cfg = p.read("lib/integrations/stripe-eu/config.ts");
    assert!(
        cfg.contains("\"STRIPE_EU_SECRET_KEY\"") && cfg.contains("StripeEuConfig"),
        "{cfg}"
    );
    assert!(
        !p.exists("app/api/webhooks/stripe-eu/route.ts"),
        "its own options"
    );
    assert!(p.read(".env.example").contains("STRIPE_EU_SECRET_KEY="));
    // The first connection's files are untouched.
    for f in [
        "lib/integrations/stripe/config.ts",
        "app/api/webhooks/stripe/route.ts",
    ] {
        assert_eq!(
            std::fs::read(p.path().join(f)).unwrap(),
            first[std::path::Path::new(f)]
        );
    }
    assert_code(&p.run(&["remove", "stripe:eu"]), 0);
    let mut after = p.snapshot();
    let mut first = first;
    let lock = std::path::Path::new("integrations.lock");
    after.remove(lock);
    first.remove(lock);
    assert_eq!(
        after, first,
        "removing the alias leaves the first as it was"
    );
}

#[test]
fn modified_files_are_never_overwritten_without_force() {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe"]), 0);
    let cfg = "lib/integrations/stripe/config.ts";
    p.write(cfg, "// my own version\n");
    let before = p.snapshot();
    let o = p.run(&["add", "stripe", "--webhooks=false"]);
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains(cfg) && stderr(&o).contains("--force"),
        "{}",
        stderr(&o)
    );
    assert_eq!(p.snapshot(), before, "nothing written on conflict");

    let o = p.run(&["add", "stripe", "--webhooks=false", "--force"]);
    assert_code(&o, 0);
    assert!(p.read(cfg).contains("StripeConfig"));
    assert!(!p.exists("app/api/webhooks/stripe/route.ts"));

    // A file in the way that integrations did not write is a conflict too.
    let q = Project::new();
    q.write(
        "lib/integrations/stripe/client.ts",
        "export const mine = 1;\n",
    );
    let o = q.run(&["add", "stripe"]);
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains("not generated by integrations"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_failure_part_way_rolls_everything_back() {
    let p = Project::new();
    p.write(".gitignore", "node_modules/\n");
    p.write(".env.example", "# my vars\nAPP_URL=\n");
    assert_code(&p.run(&["init"]), 0);
    let before = p.snapshot();
    let o = p
        .cmd()
        .args(["add", "stripe"])
        .env("INTEGRATIONS_FAILPOINT", "app/api/webhooks/stripe/route.ts")
        .output()
        .unwrap();
    assert_code(&o, 1);
    assert!(stderr(&o).contains("rolled back"), "{}", stderr(&o));
    assert_eq!(
        p.snapshot(),
        before,
        "tree byte-identical after the failure"
    );

    // Also when the project file itself is the last thing to fail.
    let o = p
        .cmd()
        .args(["add", "stripe"])
        .env("INTEGRATIONS_FAILPOINT", "integrations.lock")
        .output()
        .unwrap();
    assert_code(&o, 1);
    assert_eq!(p.snapshot(), before);
}

#[test]
fn add_then_remove_restores_the_tree() {
    let p = Project::new();
    p.write("package.json", "{\"name\": \"shop\"}\n");
    p.write(".gitignore", "node_modules/\n.next/\n");
    p.write(
        ".env.example",
        "# app settings\nAPP_URL=http://localhost:3000\n",
    );
    assert_code(&p.run(&["init"]), 0);
    let before = p.snapshot();
    for args in [
        vec!["add", "stripe"],
        vec!["add", "stripe", "--alias", "eu"],
        vec!["add", "postgres", "--orm=drizzle"],
        vec!["add", "vipps", "--config=auth"],
    ] {
        assert_code(&p.run(&args), 0);
    }
    for spec in ["vipps", "postgres", "stripe:eu", "stripe"] {
        assert_code(&p.run(&["remove", spec]), 0);
    }
    let mut after = p.snapshot();
    after.remove(std::path::Path::new("integrations.lock"));
    assert_eq!(after, before);
}

#[test]
fn remove_keeps_modified_files_and_names_them() {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe"]), 0);
    p.write("lib/integrations/stripe/client.ts", "// edited\n");
    let o = p.run(&["remove", "stripe"]);
    assert_code(&o, 0);
    assert!(
        stderr(&o).contains("kept lib/integrations/stripe/client.ts"),
        "{}",
        stderr(&o)
    );
    assert!(p.exists("lib/integrations/stripe/client.ts"));
    assert!(!p.exists("lib/integrations/stripe/config.ts"));
    assert!(!p.read("integrations.lock").contains("stripe"));
}

#[test]
fn bad_add_input_exits_2_and_writes_nothing() {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe"]), 0);
    let before = p.snapshot();
    let cases: &[(&[&str], &str)] = &[
        (&["add", "s3", "--provider=gcs"], "aws"),
        (&["add", "s3", "--color=blue"], "--provider"),
        (&["add", "vipps", "--config=checkout"], "auth, payment"),
        (&["add", "stripe", "--env", "qa"], "dev, staging, prod"),
        (&["add", "stripe", "--alias", "EU!"], "invalid alias"),
        (&["add", "nosuchprovider"], "unknown provider"),
    ];
    for (args, needle) in cases {
        let o = p.run(args);
        assert_code(&o, 2);
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
        assert_eq!(p.snapshot(), before, "{args:?} wrote something");
    }
}

#[test]
fn options_choose_what_is_generated() {
    let p = Project::new();
    assert_code(&p.run(&["add", "postgres", "--orm=prisma"]), 0);
    assert!(p.exists("prisma/schema.prisma"));
    assert_code(&p.run(&["add", "s3", "--provider=r2"]), 0);
    let example = p.read(".env.example");
    assert!(
        example.contains("S3_ENDPOINT") || example.contains("R2_"),
        "{example}"
    );
    let toml = p.read("integrations.toml");
    assert!(toml.contains("provider = \"r2\""), "{toml}");
}

#[test]
fn env_limits_where_an_integration_is_enabled() {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe", "--env", "prod"]), 0);
    assert!(
        p.read("integrations.toml")
            .contains("environments = [\"prod\"]")
    );
    assert!(p.exists(".env.prod"));
    assert!(!p.exists(".env.dev"));
}

#[test]
fn malformed_project_file_is_reported_with_its_location() {
    let p = Project::new();
    p.write("integrations.toml", "[project]\nname = \"x\"\nid = \n");
    let before = p.snapshot();
    let o = p.run(&["add", "stripe"]);
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("integrations.toml:3:"),
        "{}",
        stderr(&o)
    );
    assert_eq!(p.snapshot(), before);

    p.write(
        "integrations.toml",
        "[project]\nname = \"x\"\nid = \"prj_1\"\n\n[integrations.pay]\nprovider = \"strype\"\nconfig = \"payment\"\n",
    );
    let before = p.snapshot();
    for args in [&["update"][..], &["status"][..], &["add", "slack"][..]] {
        let o = p.run(args);
        assert_code(&o, 2);
        let err = stderr(&o);
        assert!(
            err.contains("integrations.toml:6:") && err.contains("strype"),
            "{args:?}: {err}"
        );
        assert!(err.contains("did you mean stripe?"), "{err}");
        assert_eq!(p.snapshot(), before);
    }
}

const LOCAL: &str = "id: acme
name: Acme
version: 1.0.0
category: payment
description: Local test provider
docs: https://example.com/docs
markets: [global]
capabilities: [payment.capture]
auth: [api_key]
configs:
  main: { default: true, templates: [main] }
env:
  - { name: ACME_KEY, secret: true, required: true, description: The key }
  - { name: ACME_REGION, description: Region, default: { dev: eu-test, prod: eu } }
templates:
  main:
    - { src: acme/client.ts.tera, dest: \"lib/integrations/{{ module }}/client.ts\" }
";

fn local_project() -> Project {
    let p = Project::new();
    p.write(".integrations/manifests/acme.yaml", LOCAL);
    p.write(
        ".integrations/templates/acme/client.ts.tera",
        "export const region = \"{{ env.ACME_REGION }}\";\n",
    );
    p
}

#[test]
fn defaults_land_in_per_environment_files() {
    let p = local_project();
    assert_code(&p.run(&["add", "acme"]), 0);
    assert!(p.read(".env.dev").contains("ACME_REGION=eu-test"));
    assert!(p.read(".env.prod").contains("ACME_REGION=eu"));
    assert!(!p.read(".env.prod").contains("ACME_KEY"));
}

#[test]
fn diff_and_update_follow_manifest_changes() {
    let p = local_project();
    assert_code(&p.run(&["add", "acme"]), 0);
    let o = p.run(&["diff"]);
    assert_code(&o, 0);
    assert!(stderr(&o).contains("up to date"));

    p.write(
        ".integrations/manifests/acme.yaml",
        &LOCAL.replace("version: 1.0.0", "version: 1.1.0"),
    );
    p.write(
        ".integrations/templates/acme/client.ts.tera",
        "export const region = \"{{ env.ACME_REGION }}\";\nexport const v = 2;\n",
    );
    let o = p.run(&["status", "--json"]);
    assert_code(&o, 0);
    let drift = json(&o)["integrations"][0]["drift"].clone();
    assert!(
        drift
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"] == "behind"),
        "{drift}"
    );

    let before = p.snapshot();
    let o = p.run(&["diff", "acme"]);
    assert_code(&o, 0);
    assert!(
        stdout(&o).contains("+export const v = 2;"),
        "{}",
        stdout(&o)
    );
    assert_eq!(p.snapshot(), before);

    assert_code(&p.run(&["update"]), 0);
    assert!(p.read("lib/integrations/acme/client.ts").contains("v = 2"));
    assert!(
        p.read("integrations.lock")
            .contains("manifest_version = \"1.1.0\"")
    );
    let o = p.run(&["status", "--json"]);
    assert_eq!(json(&o)["integrations"][0]["drift"], serde_json::json!([]));

    // A user edit is protected from update too.
    p.write("lib/integrations/acme/client.ts", "// mine\n");
    p.write(
        ".integrations/templates/acme/client.ts.tera",
        "export const v = 3;\n",
    );
    let o = p.run(&["update"]);
    assert_code(&o, 1);
    assert_eq!(p.read("lib/integrations/acme/client.ts"), "// mine\n");
    let o = p.run(&["status", "--json"]);
    let drift = json(&o)["integrations"][0]["drift"].clone();
    assert!(
        drift
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"] == "modified"),
        "{drift}"
    );
    std::fs::remove_file(p.path().join("lib/integrations/acme/client.ts")).unwrap();
    let o = p.run(&["status", "--json"]);
    let drift = json(&o)["integrations"][0]["drift"].clone();
    assert!(
        drift
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"] == "deleted"),
        "{drift}"
    );
}

#[test]
fn status_lists_missing_vars_per_environment() {
    let p = local_project();
    assert_code(&p.run(&["add", "acme"]), 0);
    let o = p.run(&["status", "--json"]);
    assert_code(&o, 0);
    let item = json(&o)["integrations"][0].clone();
    assert_eq!(item["missing"]["dev"], serde_json::json!(["ACME_KEY"]));
    let o = p
        .cmd()
        .args(["status", "--json"])
        .env("ACME_KEY", "k_123456")
        .output()
        .unwrap();
    assert_eq!(
        json(&o)["integrations"][0]["missing"]["dev"],
        serde_json::json!([])
    );
    let o = p.run(&["status"]);
    assert_code(&o, 0);
    assert!(
        stdout(&o).contains("acme [dev] missing ACME_KEY"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_template_error_names_the_template_and_writes_nothing() {
    let p = local_project();
    p.write(
        ".integrations/templates/acme/client.ts.tera",
        "line one\n{{ no_such_variable }}\n",
    );
    let before = p.snapshot();
    let o = p.run(&["add", "acme"]);
    assert_code(&o, 2);
    let err = stderr(&o);
    assert!(err.contains("acme/client.ts.tera"), "{err}");
    assert!(err.contains("no_such_variable"), "{err}");
    assert_eq!(p.snapshot(), before);
}

#[test]
fn unknown_integration_on_remove() {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe"]), 0);
    let o = p.run(&["remove", "slack"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("installed: stripe"), "{}", stderr(&o));
}
