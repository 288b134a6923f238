//! The catalog: every built-in manifest is valid, validation errors point at lines, the JSON
//! Schema holds for every manifest (checked by an independent validator), and browsing
//! (list, search, info) filters and prints what it should.

mod common;

use common::{Project, assert_code, json, stderr, stdout};

const REQUIRED_IDS: [&str; 26] = [
    "stripe",
    "vipps",
    "bankid",
    "altinn",
    "feide",
    "slack",
    "teams",
    "sendgrid",
    "resend",
    "postmark",
    "twilio",
    "posthog",
    "sentry",
    "s3",
    "postgres",
    "redis",
    "openai",
    "anthropic",
    "github",
    "clerk",
    "supabase",
    "cloudinary",
    "tap",
    "paymob",
    "tabby",
    "unifonic",
];

fn ids(p: &Project, args: &[&str]) -> Vec<String> {
    let o = p.run(args);
    assert_code(&o, 0);
    json(&o)
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_builtin_manifest_is_valid() {
    let p = Project::new();
    let o = p.run(&["manifest", "validate"]);
    assert_code(&o, 0);
    let o = p.run(&[
        "manifest",
        "validate",
        concat!(env!("CARGO_MANIFEST_DIR"), "/manifests"),
    ]);
    assert_code(&o, 0);
    assert!(stderr(&o).contains("no problems"), "{}", stderr(&o));
}

#[test]
fn catalog_has_the_required_providers() {
    let p = Project::new();
    let all = ids(&p, &["list", "--json"]);
    for id in REQUIRED_IDS {
        assert!(all.iter().any(|i| i == id), "{id} missing from the catalog");
    }
    assert!(all.len() >= 25);
}

#[test]
fn list_json_shape() {
    let p = Project::new();
    let o = p.run(&["list", "--json"]);
    assert_code(&o, 0);
    for item in json(&o).as_array().unwrap() {
        for key in ["id", "name", "category", "auth", "capabilities", "markets"] {
            assert!(item.get(key).is_some(), "{key} missing in {item}");
        }
        assert!(item["auth"].is_array() && item["capabilities"].is_array());
    }
}

#[test]
fn list_filters() {
    let p = Project::new();
    let payments = ids(&p, &["list", "--category", "payment", "--json"]);
    assert!(payments.contains(&"stripe".to_owned()));
    assert!(payments.contains(&"tap".to_owned()));
    assert!(!payments.contains(&"slack".to_owned()));

    // Norway: Norwegian providers and global ones, not Gulf-only ones.
    let no = ids(&p, &["list", "--market", "NO", "--json"]);
    assert!(no.contains(&"vipps".to_owned()) && no.contains(&"bankid".to_owned()));
    assert!(
        no.contains(&"stripe".to_owned()),
        "global providers match every market"
    );
    assert!(!no.contains(&"tabby".to_owned()));
    // Lower-case market codes work too.
    assert_eq!(ids(&p, &["list", "--market", "no", "--json"]), no);

    // Every capability must match.
    let both = ids(
        &p,
        &[
            "list",
            "--capability",
            "payment.capture",
            "--capability",
            "payment.refund",
            "--json",
        ],
    );
    assert!(both.contains(&"stripe".to_owned()));
    let o = p.run(&["info", "stripe", "--json"]);
    let caps = json(&o)["capabilities"].clone();
    assert!(
        caps.as_array()
            .unwrap()
            .iter()
            .any(|c| c == "payment.capture")
    );
    let none = ids(
        &p,
        &[
            "list",
            "--capability",
            "payment.capture",
            "--capability",
            "email.send",
            "--json",
        ],
    );
    assert!(none.is_empty(), "{none:?}");

    let oauth = ids(&p, &["list", "--auth", "oauth2", "--json"]);
    assert!(oauth.contains(&"vipps".to_owned()));
    assert!(!oauth.contains(&"openai".to_owned()));
}

#[test]
fn list_rejects_bad_filter_values() {
    let p = Project::new();
    let o = p.run(&["list", "--category", "nonsense"]);
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("payment"),
        "lists valid values: {}",
        stderr(&o)
    );
    let o = p.run(&["list", "--market", "Norway"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("two-letter"));
}

#[test]
fn list_table_is_readable() {
    let p = Project::new();
    let o = p.run(&["list"]);
    assert_code(&o, 0);
    let out = stdout(&o);
    assert!(out.starts_with("ID"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("stripe ") && l.contains("payment"))
    );
}

#[test]
fn search_ranks_id_first() {
    let p = Project::new();
    let found = ids(&p, &["search", "stripe", "--json"]);
    assert_eq!(found.first().map(String::as_str), Some("stripe"));
    let email = ids(&p, &["search", "email", "--json"]);
    for id in ["sendgrid", "resend", "postmark"] {
        assert!(
            email.contains(&id.to_owned()),
            "{id} not found by `email`: {email:?}"
        );
    }
    let nothing = ids(&p, &["search", "zzzqqq", "--json"]);
    assert!(nothing.is_empty());
}

#[test]
fn info_json_shape() {
    let p = Project::new();
    let o = p.run(&["info", "vipps", "--json"]);
    assert_code(&o, 0);
    let v = json(&o);
    for key in ["id", "name", "configs", "env", "webhooks", "docs", "source"] {
        assert!(v.get(key).is_some(), "{key} missing");
    }
    let configs: Vec<&str> = v["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        configs.contains(&"auth") && configs.contains(&"payment"),
        "{configs:?}"
    );
    for var in v["env"].as_array().unwrap() {
        assert!(
            var["name"].is_string() && var["secret"].is_boolean() && var["required"].is_boolean()
        );
    }
    assert_eq!(v["source"]["kind"], "builtin");
}

#[test]
fn info_human_shows_setup_facts() {
    let p = Project::new();
    let o = p.run(&["info", "stripe"]);
    assert_code(&o, 0);
    let out = stdout(&o);
    for needle in [
        "STRIPE_SECRET_KEY",
        "sk_live_",
        "secret",
        "payment_intent.succeeded",
        "https://docs.stripe.com",
        "/v1/balance",
    ] {
        assert!(out.contains(needle), "{needle} not in:\n{out}");
    }
}

#[test]
fn unknown_provider_suggests_the_closest() {
    let p = Project::new();
    let o = p.run(&["info", "strpe"]);
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("did you mean stripe?"),
        "{}",
        stderr(&o)
    );
    let o = p.run(&["add", "stirpe"]);
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("did you mean stripe?"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn norway_market_code_stays_a_string() {
    let p = Project::new();
    let o = p.run(&["info", "vipps", "--json"]);
    let markets = json(&o)["markets"].clone();
    assert!(
        markets.as_array().unwrap().iter().any(|m| m == "NO"),
        "{markets}"
    );
}

const GOOD: &str = "id: acme
name: Acme
version: 1.0.0
category: payment
description: Test provider
docs: https://example.com/docs
markets: [NO]
capabilities: [payment.capture]
auth: [api_key]
configs:
  default: { default: true, templates: [main] }
env:
  - name: ACME_KEY
    secret: true
    required: true
    description: The key
    prefix: { dev: ak_test_, prod: ak_live_ }
templates:
  main:
    - { src: _shared/config.ts.tera, dest: \"lib/integrations/{{ module }}/config.ts\" }
";

/// Write a manifest made from GOOD with one substitution and validate it; return stderr.
fn invalid(p: &Project, from: &str, to: &str) -> String {
    let text = GOOD.replace(from, to);
    assert_ne!(text, GOOD, "substitution {from:?} did not apply");
    p.write("bad/acme.yaml", &text);
    let o = p.run(&["manifest", "validate", "bad/acme.yaml"]);
    assert_code(&o, 2);
    stderr(&o)
}

#[test]
fn a_good_manifest_validates() {
    let p = Project::new();
    p.write("good/acme.yaml", GOOD);
    let o = p.run(&["manifest", "validate", "good"]);
    assert_code(&o, 0);
}

#[test]
fn validation_errors_name_the_line() {
    let p = Project::new();
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "name: ACME_KEY",
            "name: acme-key",
            "bad/acme.yaml:13:11:",
            "must match ^[A-Z][A-Z0-9_]*$",
        ),
        (
            "prod: ak_live_",
            "production: ak_live_",
            "bad/acme.yaml:17:30:",
            "environment `production`, which does not exist",
        ),
        (
            "    prefix: { dev: ak_test_, prod: ak_live_ }",
            "    prefix: { dev: ak_test_, prod: ak_live_ }\n    pattern: \"^ak_(\"",
            "bad/acme.yaml:18:14:",
            "not a valid regular expression",
        ),
        (
            "dest: \"lib/",
            "dest: \"/etc/",
            "bad/acme.yaml:20:",
            "is absolute",
        ),
        (
            "dest: \"lib/",
            "dest: \"../../",
            "bad/acme.yaml:20:",
            "escapes the project with `..`",
        ),
        (
            "src: _shared/config.ts.tera",
            "src: acme/missing.ts.tera",
            "bad/acme.yaml:20:14:",
            "template file `acme/missing.ts.tera` does not exist",
        ),
        (
            "templates:\n  main:",
            "webhooks:\n  scheme: carrier-pigeon\ntemplates:\n  main:",
            "bad/acme.yaml:19:11:",
            "unknown webhook scheme `carrier-pigeon`",
        ),
        (
            "category: payment",
            "category: [payment",
            "bad/acme.yaml:4:11:",
            "invalid manifest",
        ),
        (
            "category: payment",
            "category: teleport",
            "bad/acme.yaml:4:11:",
            "teleport",
        ),
        (
            "docs: https://",
            "docs: http://",
            "bad/acme.yaml:6:7:",
            "https://",
        ),
    ];
    for (from, to, at, message) in cases {
        let err = invalid(&p, from, to);
        assert!(
            err.contains(at),
            "expected location {at} for {to:?}:\n{err}"
        );
        assert!(
            err.contains(message),
            "expected {message:?} for {to:?}:\n{err}"
        );
    }
}

#[test]
fn duplicate_ids_are_reported() {
    let p = Project::new();
    p.write("a/acme.yaml", GOOD);
    p.write("b/acme.yaml", GOOD);
    let o = p.run(&["manifest", "validate", "a", "b"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("duplicate id `acme`"), "{}", stderr(&o));
}

#[test]
fn project_manifest_overrides_and_is_reported() {
    let p = Project::new();
    p.write(
        ".integrations/manifests/stripe.yaml",
        &GOOD
            .replace("id: acme", "id: stripe")
            .replace("name: Acme", "name: Stripe Local"),
    );
    let o = p.run(&["info", "stripe", "--json"]);
    assert_code(&o, 0);
    let v = json(&o);
    assert_eq!(v["name"], "Stripe Local");
    assert_eq!(v["source"]["kind"], "project");
    assert!(
        v["source"]["path"]
            .as_str()
            .unwrap()
            .ends_with(".integrations/manifests/stripe.yaml")
    );

    // INTEGRATIONS_MANIFEST_PATH comes later and wins.
    p.write(
        "extra/stripe.yaml",
        &GOOD
            .replace("id: acme", "id: stripe")
            .replace("name: Acme", "name: Stripe Path"),
    );
    let o = p
        .cmd()
        .args(["info", "stripe", "--json"])
        .env("INTEGRATIONS_MANIFEST_PATH", p.path().join("extra"))
        .output()
        .unwrap();
    assert_code(&o, 0);
    assert_eq!(json(&o)["name"], "Stripe Path");
    assert_eq!(json(&o)["source"]["kind"], "manifest-path");
}

#[test]
fn malformed_project_manifest_is_an_error_not_a_panic() {
    let p = Project::new();
    p.write(
        ".integrations/manifests/acme.yaml",
        "id: acme\nname: [unclosed\n",
    );
    let o = p.run(&["list"]);
    assert_code(&o, 2);
    let err = stderr(&o);
    assert!(err.contains(".integrations/manifests/acme.yaml:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn json_schema_accepts_every_manifest_and_rejects_a_broken_one() {
    if !common::require_python_module("jsonschema", "jsonschema")
        || !common::require_python_module("yaml", "pyyaml")
    {
        return;
    }
    let p = Project::new();
    let o = p.run(&["manifest", "schema"]);
    assert_code(&o, 0);
    p.write("schema.json", &stdout(&o));
    p.write(
        "broken/acme.yaml",
        &GOOD.replace("category: payment", "category: 42\nsurprise: true"),
    );
    let script = r#"
import json, sys, pathlib, yaml, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
class Loader(yaml.SafeLoader):
    pass
# YAML 1.2 booleans only (the tool's rule): yes/no/on/off stay strings.
Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != 'tag:yaml.org,2002:bool'] for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
import re
Loader.add_implicit_resolver('tag:yaml.org,2002:bool', re.compile(r'^(?:true|false)$'), list('tf'))
bad = 0
for path in sorted(pathlib.Path(sys.argv[2]).glob('*.yaml')):
    errors = list(validator.iter_errors(yaml.load(open(path), Loader=Loader)))
    for e in errors:
        print(f"{path}: {e.message} at {list(e.path)}")
    bad += bool(errors)
broken = list(validator.iter_errors(yaml.load(open(sys.argv[3]), Loader=Loader)))
print(f"broken manifest: {len(broken)} errors")
sys.exit(1 if bad or not broken else 0)
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(p.path().join("schema.json"))
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/manifests"))
        .arg(p.path().join("broken/acme.yaml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_manifest_with_webhooks_names_its_scheme_events_and_a_sample() {
    let p = Project::new();
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/manifests/samples");
    let mut with_webhooks = Vec::new();
    for id in ids(&p, &["list", "--json"]) {
        let info = json(&p.run(&["info", &id, "--json"]));
        let hooks = &info["webhooks"];
        if hooks.is_null() {
            continue;
        }
        // The scheme is one the tool implements: it signs with it.
        p.write("payload.json", r#"{"type":"TRANSACTION","obj":{"id":1}}"#);
        let o = p.run_with_input(
            &[
                "webhook",
                "sign",
                &id,
                "--payload",
                "payload.json",
                "--url",
                "https://example.com/hook",
                "--secret-stdin",
            ],
            "whsec_c2VjcmV0LWZvci10aGUtY2F0YWxvZy10ZXN0",
        );
        assert_code(&o, 0);
        let first = hooks["events"][0]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: no events"));
        assert!(
            ["json", "form"]
                .iter()
                .any(
                    |ext| std::path::Path::new(&format!("{samples}/{id}/{first}.{ext}")).is_file()
                ),
            "{id}: no sample for its first event {first}"
        );
        assert!(!hooks["event_type"].is_null(), "{id}: no event_type");
        // Cal.com deliveries carry no unique id (payload.uid is the booking's, shared by its
        // created/rescheduled/cancelled events), so `listen` cannot drop duplicates for it.
        if id != "calcom" {
            assert!(!hooks["event_id"].is_null(), "{id}: no event_id");
        }
        with_webhooks.push(id);
    }
    assert!(with_webhooks.len() >= 10, "{with_webhooks:?}");
}

#[test]
fn webhooks_need_events_a_first_sample_and_valid_locators() {
    let p = Project::new();
    let hooks = "webhooks:\n  scheme: stripe\n  secret_env: ACME_KEY\n  event_type: /type\n  \
                 event_id: header:X-Acme-Id\n  events: [order.paid]\ntemplates:\n  main:";
    let err = invalid(&p, "templates:\n  main:", hooks);
    assert!(
        err.contains("no sample payload for the first event `order.paid`"),
        "{err}"
    );
    // A sample next to the manifest satisfies the rule.
    p.write(
        "bad/samples/acme/order.paid.json",
        r#"{"type":"order.paid"}"#,
    );
    p.write("bad/acme.yaml", &GOOD.replace("templates:\n  main:", hooks));
    assert_code(&p.run(&["manifest", "validate", "bad/acme.yaml"]), 0);
    let err = invalid(&p, "templates:\n  main:", &hooks.replace("/type", "type"));
    assert!(
        err.contains("webhooks.event_type: `type` is neither"),
        "{err}"
    );
    let err = invalid(
        &p,
        "templates:\n  main:",
        "webhooks:\n  scheme: stripe\n  events: []\ntemplates:\n  main:",
    );
    assert!(err.contains("list the `events`"), "{err}");
}

#[test]
fn every_builtin_recipe_is_valid_and_applies() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("recipes");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let p = e.path();
            if p.extension()? != "yaml" {
                return None;
            }
            Some(p.file_stem()?.to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    for wanted in ["global-saas", "mena-ecommerce", "nordic-saas"] {
        assert!(
            names.iter().any(|n| n == wanted),
            "{wanted} missing: {names:?}"
        );
    }
    let p = Project::new();
    let listed = json(&p.run(&["recipe", "list", "--json"]));
    for name in &names {
        let recipe = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name.as_str())
            .unwrap_or_else(|| panic!("{name} is not embedded"));
        assert_eq!(recipe["source"], "builtin");
        let o = p.run(&["recipe", "apply", name, "--dry-run"]);
        assert_code(&o, 0);
        assert!(stdout(&o).contains("integrations.toml"), "{name}");
    }
    assert!(p.snapshot().is_empty());
}
