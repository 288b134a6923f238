//! `integrations check` against a real HTTP server on 127.0.0.1 standing in for providers:
//! every catalog manifest's activation checks in the success, 401, 500-then-success, timeout and
//! 429-with-Retry-After cases; the preflight rules; every output format; exit codes.

mod common;

use std::time::{Duration, Instant};

use common::mock::{MockServer, Reply};
use common::{Project, assert_code, json, stderr, stdout};
use serde_json::{Value, json};

/// One activation check of the catalog, with the choice of variant/options that enables it.
#[derive(Debug, Clone)]
struct Case {
    provider: String,
    name: String,
    flags: Vec<String>,
    env: Vec<(String, String)>,
    status: u16,
    body: String,
    bearer: Option<String>,
}

/// Set `pointer` in `v` to `value`, creating objects on the way.
fn set_pointer(v: &mut Value, pointer: &str, value: Value) {
    let mut cur = v;
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        let part = part.replace("~1", "/").replace("~0", "~");
        if !cur.is_object() {
            *cur = json!({});
        }
        let obj = cur.as_object_mut().unwrap();
        if i + 1 == parts.len() {
            obj.insert(part, value);
            return;
        }
        cur = obj.entry(part).or_insert(json!({}));
    }
}

fn catalog_cases() -> Vec<Case> {
    let p = Project::new();
    let mut cases = Vec::new();
    for item in json(&p.run(&["list", "--json"])).as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        let info = json(&p.run(&["info", id, "--json"]));
        let checks = info["checks"]["activation"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for check in checks {
            let mut flags = Vec::new();
            if let Some(when) = check["when"].as_object() {
                for (k, v) in when {
                    let value = if let Some(a) = v.as_array() {
                        a[0].as_str().unwrap().to_owned()
                    } else {
                        v.as_str().unwrap().to_owned()
                    };
                    flags.push(if k == "config" {
                        format!("--config={value}")
                    } else {
                        format!("--{k}={value}")
                    });
                }
            }
            let mut env = Vec::new();
            for var in info["env"].as_array().unwrap() {
                let name = var["name"].as_str().unwrap().to_owned();
                let value = if var["format"] == "url" {
                    "https://provider.example.test".to_owned()
                } else {
                    let prefix = var["prefix"]["dev"]
                        .as_str()
                        .or(var["prefix"]["any"].as_str())
                        .unwrap_or("");
                    format!("{prefix}Xk3v9Qm2Lp7Rt5Wz8Yb4")
                };
                env.push((name, value));
            }
            let mut body = json!({});
            for e in check["expect"]["json"].as_array().into_iter().flatten() {
                let value = e.get("equals").cloned().unwrap_or(json!("present"));
                set_pointer(&mut body, e["pointer"].as_str().unwrap(), value);
            }
            if let Some(t) = check["request"]["auth"].get("token") {
                set_pointer(
                    &mut body,
                    t["pointer"].as_str().unwrap_or("/access_token"),
                    json!("tok_from_exchange"),
                );
            }
            let status = check["expect"]["status"][0].as_u64().unwrap_or(200) as u16;
            let bearer = check["request"]["auth"]["bearer"].as_str().map(|var| {
                env.iter()
                    .find(|(n, _)| n == var)
                    .map(|(_, v)| v.clone())
                    .unwrap()
            });
            cases.push(Case {
                provider: id.to_owned(),
                name: check["name"].as_str().unwrap().to_owned(),
                flags,
                env,
                status,
                body: body.to_string(),
                bearer,
            });
        }
    }
    cases
}

/// Add the case's provider to a fresh project and run `check --kind activation` against `mock`.
fn run_case(case: &Case, mock: &MockServer, extra: &[&str]) -> (std::process::Output, Duration) {
    let p = Project::new();
    let mut add = vec!["add".to_owned(), case.provider.clone(), "-q".to_owned()];
    add.extend(case.flags.iter().cloned());
    let add: Vec<&str> = add.iter().map(String::as_str).collect();
    assert_code(&p.run(&add), 0);
    let mut cmd = p.cmd();
    cmd.args(["check", "--kind", "activation", "--format", "json"])
        .args(extra);
    for (k, v) in &case.env {
        cmd.env(k, v);
    }
    cmd.env(
        format!(
            "INTEGRATIONS_BASE_URL_{}",
            case.provider.to_uppercase().replace('-', "_")
        ),
        mock.url(),
    );
    let started = Instant::now();
    let out = cmd.output().unwrap();
    (out, started.elapsed())
}

fn result_of(out: &std::process::Output, case: &Case) -> Value {
    let report = json(out);
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == case.name.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("{} / {} not in report: {report}", case.provider, case.name))
}

fn success(case: &Case) -> Reply {
    Reply::json(case.status, &case.body)
}

/// Run `f` over the cases on a few threads (each case spins up its own server and project).
fn each_case(f: impl Fn(&Case) + Sync) {
    let cases = catalog_cases();
    assert!(
        cases.len() >= 20,
        "only {} activation checks in the catalog",
        cases.len()
    );
    let chunks: Vec<&[Case]> = cases.chunks(cases.len().div_ceil(6)).collect();
    std::thread::scope(|s| {
        for chunk in chunks {
            let f = &f;
            s.spawn(move || chunk.iter().for_each(f));
        }
    });
}

#[test]
fn every_activation_check_passes_against_a_provider_that_accepts() {
    each_case(|case| {
        let mock = MockServer::start(vec![success(case)]);
        let (out, _) = run_case(case, &mock, &[]);
        let r = result_of(&out, case);
        assert_eq!(
            r["status"],
            "pass",
            "{} / {}: {r}\n{}",
            case.provider,
            case.name,
            stderr(&out)
        );
        assert_eq!(r["kind"], "activation");
        assert!(!mock.requests().is_empty());
        if let Some(token) = &case.bearer {
            let want = format!("Bearer {token}");
            assert!(
                mock.requests()
                    .iter()
                    .any(|q| q.header("authorization") == Some(want.as_str())),
                "{}: the credential was not sent as a bearer token",
                case.provider
            );
            assert!(
                !stdout(&out).contains(token.as_str()),
                "{}: secret in output",
                case.provider
            );
        }
        assert!(mock.requests().iter().all(|q| {
            q.header("user-agent")
                .is_some_and(|u| u.starts_with("integrations/"))
        }));
    });
}

#[test]
fn every_activation_check_fails_on_401() {
    each_case(|case| {
        let mock = MockServer::start(vec![Reply::json(
            401,
            "{\"error\":\"invalid credentials\"}",
        )]);
        let (out, _) = run_case(case, &mock, &[]);
        assert_code(&out, 1);
        let r = result_of(&out, case);
        assert_eq!(r["status"], "fail", "{}: {r}", case.provider);
        assert!(
            r["message"].as_str().unwrap().contains("401"),
            "{}: {r}",
            case.provider
        );
        assert_eq!(json(&out)["ok"], false);
    });
}

#[test]
fn every_activation_check_retries_a_500() {
    each_case(|case| {
        let mock = MockServer::start(vec![Reply::json(500, "{}"), success(case)]);
        let (out, _) = run_case(case, &mock, &[]);
        let r = result_of(&out, case);
        assert_eq!(r["status"], "pass", "{}: {r}", case.provider);
        assert!(mock.requests().len() >= 2, "{}: no retry", case.provider);
    });
}

#[test]
fn every_activation_check_times_out() {
    each_case(|case| {
        let mock = MockServer::start(vec![success(case).delay(Duration::from_secs(3))]);
        let (out, elapsed) = run_case(case, &mock, &["--timeout", "0.3"]);
        assert_code(&out, 1);
        let r = result_of(&out, case);
        assert_eq!(r["status"], "fail", "{}: {r}", case.provider);
        assert!(
            r["message"].as_str().unwrap().contains("timed out"),
            "{}: {r}",
            case.provider
        );
        assert!(
            elapsed < Duration::from_secs(3),
            "{}: timeout not applied ({elapsed:?})",
            case.provider
        );
    });
}

#[test]
fn every_activation_check_honours_retry_after() {
    each_case(|case| {
        let mock = MockServer::start(vec![
            Reply::json(429, "{}").header("retry-after", "1"),
            success(case),
        ]);
        let (out, elapsed) = run_case(case, &mock, &[]);
        let r = result_of(&out, case);
        assert_eq!(r["status"], "pass", "{}: {r}", case.provider);
        assert!(
            elapsed >= Duration::from_secs(1),
            "{}: did not wait for Retry-After",
            case.provider
        );
        let reqs = mock.requests();
        assert!(reqs.len() >= 2);
    });
}

#[test]
fn a_retry_after_beyond_the_bound_fails_without_waiting() {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe", "-q"]), 0);
    let mock = MockServer::start(vec![Reply::json(429, "{}").header("retry-after", "3600")]);
    let started = Instant::now();
    let o = p
        .cmd()
        .args(["check", "--kind", "activation"])
        .env("STRIPE_SECRET_KEY", "sk_test_abcdefghijklmnop")
        .env("INTEGRATIONS_BASE_URL_STRIPE", mock.url())
        .output()
        .unwrap();
    assert_code(&o, 1);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        stdout(&o).contains("Retry-After asks for 3600 s"),
        "{}",
        stdout(&o)
    );
}

fn stripe_env(cmd: &mut assert_cmd::Command, key: &str) {
    cmd.env("STRIPE_SECRET_KEY", key)
        .env("STRIPE_WEBHOOK_SECRET", "whsec_abcdefghijklmnop")
        .env(
            "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY",
            "pk_live_abcdefghijklmnop",
        );
}

#[test]
fn a_test_key_in_prod_fails_preflight_with_the_reason() {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe", "-q"]), 0);
    let mut cmd = p.cmd();
    cmd.args(["check", "--env", "prod", "--offline"]);
    stripe_env(&mut cmd, "sk_test_abcdefghijklmnop");
    let o = cmd.output().unwrap();
    assert_code(&o, 1);
    let out = stdout(&o);
    assert!(
        out.contains("STRIPE_SECRET_KEY starts with sk_test_ (a dev key), but prod needs sk_live_"),
        "{out}"
    );
    assert!(out.contains("not ready to deploy"), "{out}");
    assert!(
        !out.contains("sk_test_abcdefghijklmnop"),
        "secret printed: {out}"
    );
    assert!(out.contains("skipped with --offline"));

    let mut cmd = p.cmd();
    cmd.args(["check", "--env", "prod", "--offline"]);
    stripe_env(&mut cmd, "sk_live_FAKE0000002");
    let o = cmd.output().unwrap();
    assert_code(&o, 0);
    let out = stdout(&o);
    assert!(out.contains("all green: ready to deploy"), "{out}");
    assert!(out.contains("passed, 0 failed"), "{out}");
}

#[test]
fn preflight_reports_missing_values_webhook_secret_urls_files_and_packages() {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe", "-q"]), 0);
    p.write("package.json", "{\"dependencies\": {\"react\": \"19\"}}");
    p.write("lib/integrations/stripe/client.ts", "// changed\n");
    let o = p.run(&["check", "--offline", "--format", "json"]);
    assert_code(&o, 1);
    let report = json(&o);
    let find = |name: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name}: {report}"))
    };
    assert_eq!(find("STRIPE_SECRET_KEY is set")["status"], "fail");
    assert!(
        find("STRIPE_SECRET_KEY is set")["message"]
            .as_str()
            .unwrap()
            .contains("integrations secrets set STRIPE_SECRET_KEY --env dev")
    );
    assert_eq!(find("webhook signing secret")["status"], "fail");
    assert_eq!(find("generated files")["status"], "warn");
    assert!(
        find("generated files")["message"]
            .as_str()
            .unwrap()
            .contains("modified: lib/integrations/stripe/client.ts")
    );
    assert_eq!(find("npm packages")["status"], "warn");
    assert!(
        find("npm packages")["message"]
            .as_str()
            .unwrap()
            .contains("npm install stripe")
    );

    // URL variables: https required; http only for localhost outside prod.
    let q = Project::new();
    assert_code(&q.run(&["add", "vipps", "--config=auth", "-q"]), 0);
    let info = json(&q.run(&["info", "vipps", "--json"]));
    let url_var = info["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["format"] == "url")
        .map(|v| v["name"].as_str().unwrap().to_owned());
    if let Some(var) = url_var {
        let o = q
            .cmd()
            .args(["check", "--offline", "--env", "prod", "--format", "json"])
            .env(&var, "http://shop.example.com/cb")
            .output()
            .unwrap();
        let r = json(&o);
        let c = r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == format!("{var} is valid for prod"))
            .cloned()
            .unwrap();
        assert_eq!(c["status"], "fail", "{c}");
        assert!(c["message"].as_str().unwrap().contains("plain http"), "{c}");
        let o = q
            .cmd()
            .args(["check", "--offline", "--env", "dev", "--format", "json"])
            .env(&var, "http://localhost:3000/cb")
            .output()
            .unwrap();
        let r = json(&o);
        let c = r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == format!("{var} is valid for dev"))
            .cloned()
            .unwrap();
        assert_eq!(c["status"], "pass", "{c}");
    }
}

#[test]
fn callback_hosts_are_resolved_unless_offline() {
    let p = Project::new();
    assert_code(&p.run(&["add", "vipps", "--config=auth", "-q"]), 0);
    let o = p
        .cmd()
        .args(["check", "--kind", "preflight", "--format", "json"])
        .env(
            "VIPPS_REDIRECT_URI",
            "http://localhost:3000/api/auth/vipps/callback",
        )
        .output()
        .unwrap();
    let r = json(&o);
    let c = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "VIPPS_REDIRECT_URI host resolves")
        .cloned()
        .unwrap_or_else(|| panic!("{r}"));
    assert_eq!(c["status"], "pass", "{c}");
    let o = p
        .cmd()
        .args(["check", "--offline", "--format", "json"])
        .env("VIPPS_REDIRECT_URI", "http://localhost:3000/cb")
        .output()
        .unwrap();
    let r = json(&o);
    let c = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "VIPPS_REDIRECT_URI host resolves")
        .cloned()
        .unwrap();
    assert_eq!(c["status"], "skip");
}

#[test]
fn json_format_has_the_documented_shape() {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe", "-q"]), 0);
    assert_code(&p.run(&["add", "stripe", "--alias", "eu", "-q"]), 0);
    let o = p.run(&["check", "--offline", "--format", "json"]);
    let v = json(&o);
    assert!(v["ok"].is_boolean() && v["env"] == "dev");
    for c in v["checks"].as_array().unwrap() {
        assert!(c["integration"].is_string());
        assert!(c["alias"].is_null() || c["alias"].is_string());
        assert!(["preflight", "activation"].contains(&c["kind"].as_str().unwrap()));
        assert!(c["name"].is_string() && c["message"].is_string());
        assert!(["pass", "fail", "warn", "skip"].contains(&c["status"].as_str().unwrap()));
        assert!(c["duration_ms"].is_u64());
    }
    assert!(
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["integration"] == "stripe:eu" && c["alias"] == "eu")
    );
}

#[test]
fn junit_is_valid_xml_with_a_suite_per_integration() {
    if !common::require_tool("python3", "apt-get install python3") {
        return;
    }
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe", "-q"]), 0);
    assert_code(&p.run(&["add", "slack", "-q"]), 0);
    let o = p.run(&["check", "--offline", "--format", "junit"]);
    assert_code(&o, 1);
    p.write("report.xml", &stdout(&o));
    let script = r#"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == 'testsuites', root.tag
suites = {s.get('name'): s for s in root.findall('testsuite')}
assert set(suites) == {'stripe', 'slack'}, suites.keys()
for s in suites.values():
    cases = s.findall('testcase')
    assert int(s.get('tests')) == len(cases)
    assert int(s.get('failures')) == len([c for c in cases if c.find('failure') is not None])
fails = [c for s in suites.values() for c in s.findall('testcase') if c.find('failure') is not None]
assert fails and all(f.find('failure').get('message') for f in fails)
print(len(fails))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(p.path().join("report.xml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        stdout(&o)
    );
}

#[test]
fn github_format_emits_workflow_annotations() {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe", "-q"]), 0);
    p.write("lib/integrations/stripe/client.ts", "// changed\n");
    let o = p.run(&["check", "--offline", "--format", "github"]);
    assert_code(&o, 1);
    let out = stdout(&o);
    assert!(
        out.lines()
            .any(|l| l.starts_with("::error title=stripe%3A STRIPE_SECRET_KEY is set::")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("::warning title=stripe%3A generated files::")),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.starts_with("::notice title=")),
        "{out}"
    );
}

#[test]
fn only_and_kind_select_checks() {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe", "-q"]), 0);
    assert_code(&p.run(&["add", "slack", "-q"]), 0);
    let o = p.run(&["check", "--offline", "--only", "slack", "--format", "json"]);
    let v = json(&o);
    assert!(
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["integration"] == "slack")
    );
    let o = p.run(&[
        "check",
        "--offline",
        "--kind",
        "preflight",
        "--format",
        "json",
    ]);
    assert!(
        json(&o)["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["kind"] == "preflight")
    );
    let o = p.run(&["check", "--only", "twilio"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("installed: "), "{}", stderr(&o));
}

#[test]
fn bad_input_exits_2() {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe", "-q"]), 0);
    assert_code(&p.run(&["check", "--env", "qa"]), 2);
    assert_code(&p.run(&["check", "--format", "xml"]), 2);
    assert_code(&p.run(&["check", "--timeout", "-1"]), 2);
    assert_code(&p.run(&["check", "--concurrency", "0"]), 2);
    let q = Project::new();
    assert_code(&q.run(&["check"]), 2);
}

#[test]
fn plain_http_to_a_remote_host_is_refused_and_redirects_do_not_leak() {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe", "-q"]), 0);
    let o = p
        .cmd()
        .args(["check", "--kind", "activation"])
        .env("STRIPE_SECRET_KEY", "sk_test_abcdefghijklmnop")
        .env("INTEGRATIONS_BASE_URL_STRIPE", "http://api.example.com")
        .output()
        .unwrap();
    assert_code(&o, 1);
    assert!(
        stdout(&o).contains("only https is allowed"),
        "{}",
        stdout(&o)
    );

    let mock = MockServer::start(vec![
        Reply::json(302, "").header("location", "https://attacker.example.com/steal"),
    ]);
    let o = p
        .cmd()
        .args(["check", "--kind", "activation"])
        .env("STRIPE_SECRET_KEY", "sk_test_abcdefghijklmnop")
        .env("INTEGRATIONS_BASE_URL_STRIPE", mock.url())
        .output()
        .unwrap();
    assert_code(&o, 1);
    assert!(stdout(&o).contains("was not followed"), "{}", stdout(&o));
    assert_eq!(mock.requests().len(), 1);
}

#[test]
fn provider_echoes_of_secrets_are_redacted() {
    let p = Project::new();
    assert_code(&p.run(&["add", "stripe", "-q"]), 0);
    let key = "sk_test_echoedbacksecret42";
    let mock = MockServer::start(vec![Reply::json(
        401,
        &format!("{{\"error\":\"Invalid API Key provided: {key}\"}}"),
    )]);
    for format in ["human", "json", "junit", "github"] {
        let o = p
            .cmd()
            .args(["check", "--kind", "activation", "--format", format])
            .env("STRIPE_SECRET_KEY", key)
            .env("INTEGRATIONS_BASE_URL_STRIPE", mock.url())
            .output()
            .unwrap();
        assert_code(&o, 1);
        assert!(
            !stdout(&o).contains(key) && !stderr(&o).contains(key),
            "{format} leaked the key"
        );
        assert!(
            stdout(&o).contains("Invalid API Key provided: ********"),
            "{format}: {}",
            stdout(&o)
        );
    }
}

#[test]
fn checks_run_concurrently_within_the_bound() {
    let p = Project::new();
    for i in 0..8 {
        assert_code(
            &p.run(&["add", "stripe", "--alias", &format!("a{i}"), "-q"]),
            0,
        );
    }
    let mock = MockServer::start(vec![
        Reply::json(200, "{\"object\":\"balance\"}").delay(Duration::from_millis(500)),
    ]);
    let mut cmd = p.cmd();
    cmd.args([
        "check",
        "--kind",
        "activation",
        "--concurrency",
        "8",
        "--format",
        "json",
    ]);
    for i in 0..8 {
        cmd.env(
            format!("STRIPE_A{i}_SECRET_KEY"),
            "sk_test_abcdefghijklmnop",
        );
    }
    cmd.env("INTEGRATIONS_BASE_URL_STRIPE", mock.url());
    let o = cmd.output().unwrap();
    assert_code(&o, 0);
    assert_eq!(mock.requests().len(), 8);
    // All eight were in flight together: none waited for another to finish.
    assert_eq!(mock.max_in_flight(), 8, "checks did not run concurrently");
    let o = {
        let mut cmd = p.cmd();
        cmd.args(["check", "--kind", "activation", "--concurrency", "2"]);
        for i in 0..8 {
            cmd.env(
                format!("STRIPE_A{i}_SECRET_KEY"),
                "sk_test_abcdefghijklmnop",
            );
        }
        let bounded = MockServer::start(vec![
            Reply::json(200, "{\"object\":\"balance\"}").delay(Duration::from_millis(200)),
        ]);
        cmd.env("INTEGRATIONS_BASE_URL_STRIPE", bounded.url());
        let o = cmd.output().unwrap();
        assert_eq!(
            bounded.max_in_flight(),
            2,
            "--concurrency 2 was not respected"
        );
        o
    };
    assert_code(&o, 0);
}
