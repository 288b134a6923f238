//! `integrations webhook`: signatures checked independently by each provider's official
//! library (Python `stripe`, `slack_sdk`, `svix`, `twilio`; npm `@octokit/webhooks-methods`),
//! every failure reason of `verify`, and listen → forward → replay → dedup with real HTTP
//! servers on 127.0.0.1.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::mock::{MockServer, Reply, Request};
use common::{Project, assert_code, require_python_module, stderr, stdout};
use serde_json::{Value, json};

/// One secret for every scheme: text for most, and a valid `whsec_` base64 key for Svix.
const SECRET: &str = "whsec_aW50ZWdyYXRpb25zIHdlYmhvb2sgdGVzdCBzZWNyZXQ=";

/// Providers of the catalog with webhooks, with the `add` flags that turn them on and the
/// variable holding their secret.
const PROVIDERS: [(&str, &[&str], &str); 10] = [
    ("stripe", &[], "STRIPE_WEBHOOK_SECRET"),
    ("github", &["--config", "app"], "GITHUB_WEBHOOK_SECRET"),
    ("slack", &[], "SLACK_SIGNING_SECRET"),
    ("twilio", &[], "TWILIO_AUTH_TOKEN"),
    ("paymob", &[], "PAYMOB_HMAC_SECRET"),
    ("vipps", &["--config", "payment"], "VIPPS_WEBHOOK_SECRET"),
    ("clerk", &[], "CLERK_WEBHOOK_SIGNING_SECRET"),
    ("resend", &[], "RESEND_WEBHOOK_SECRET"),
    ("openai", &["--webhooks=true"], "OPENAI_WEBHOOK_SECRET"),
    (
        "anthropic",
        &["--webhooks=true"],
        "ANTHROPIC_WEBHOOK_SIGNING_KEY",
    ),
];

fn ok_app() -> MockServer {
    MockServer::start(vec![Reply::json(200, r#"{"received":true}"#)])
}

/// `webhook trigger <provider>` to a fresh receiver, secret on stdin; returns what arrived.
fn trigger(p: &Project, provider: &str, event: Option<&str>) -> (Request, String) {
    let app = ok_app();
    let url = format!("{}/api/webhooks/{provider}", app.url());
    let mut args = vec![
        "webhook",
        "trigger",
        provider,
        "--url",
        &url,
        "--secret-stdin",
    ];
    if let Some(e) = event {
        args.extend(["--event", e]);
    }
    let o = p.run_with_input(&args, SECRET);
    assert_code(&o, 0);
    assert!(stdout(&o).contains("→ HTTP 200 in "), "{}", stdout(&o));
    let reqs = app.requests();
    assert_eq!(reqs.len(), 1, "{provider}: one request");
    let req = reqs[0].clone();
    let full_url = format!("{}{}", app.url(), req.path);
    (req, full_url)
}

/// Run `webhook verify` on a body with headers (and the URL for URL-signed schemes).
fn verify(
    p: &Project,
    provider: &str,
    body: &[u8],
    headers: &[(String, String)],
    url: &str,
) -> std::process::Output {
    p.write("body.bin", "");
    std::fs::write(p.path().join("body.bin"), body).unwrap();
    let mut args: Vec<String> = [
        "webhook",
        "verify",
        provider,
        "--payload",
        "body.bin",
        "--url",
        url,
        "--secret-stdin",
    ]
    .map(str::to_owned)
    .to_vec();
    for (k, v) in headers {
        if !["host", "content-length", "accept", "user-agent"]
            .contains(&k.to_ascii_lowercase().as_str())
        {
            args.push("-H".into());
            args.push(format!("{k}: {v}"));
        }
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    p.run_with_input(&args, SECRET)
}

/// `body` with one signed value changed, still well-formed.
fn tampered(body: &str) -> String {
    // Paymob signs only some fields: change the amount, which it signs.
    if body.contains("\"amount_cents\": 100000") {
        return body.replacen("\"amount_cents\": 100000", "\"amount_cents\": 1000000", 1);
    }
    let i = body
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_ascii_digit())
        .map(|(i, _)| i)
        .unwrap_or(0);
    let c = &body[i..i + 1];
    let replacement = if c == "1" { "2" } else { "1" };
    format!("{}{replacement}{}", &body[..i], &body[i + 1..])
}

#[test]
fn trigger_signs_what_verify_accepts_for_every_provider_and_tampering_fails() {
    let p = Project::new();
    for (provider, _, _) in PROVIDERS {
        let (req, url) = trigger(&p, provider, None);
        let o = verify(&p, provider, req.body.as_bytes(), &req.headers, &url);
        assert_code(&o, 0);
        assert!(
            stdout(&o).starts_with(&format!("valid {provider} ")),
            "{}",
            stdout(&o)
        );
        let o = verify(
            &p,
            provider,
            tampered(&req.body).as_bytes(),
            &req.headers,
            &url,
        );
        assert_code(&o, 1);
        assert!(stderr(&o).contains("invalid"), "{provider}: {}", stderr(&o));
        assert!(!stdout(&o).contains(SECRET) && !stderr(&o).contains(SECRET));
    }
}

#[test]
fn sign_prints_headers_that_verify_accepts() {
    let p = Project::new();
    for (provider, _, _) in PROVIDERS {
        let (req, _) = trigger(&p, provider, None);
        p.write("payload", &req.body);
        let url = "http://127.0.0.1:3000/api/webhooks/x?a=1";
        let o = p.run_with_input(
            &[
                "webhook",
                "sign",
                provider,
                "--payload",
                "payload",
                "--url",
                url,
                "--secret-stdin",
            ],
            SECRET,
        );
        assert_code(&o, 0);
        let mut headers = Vec::new();
        let mut signed_url = url.to_owned();
        for line in stdout(&o).lines() {
            let (k, v) = line.split_once(": ").unwrap();
            if k == "URL" {
                signed_url = v.to_owned();
            } else {
                headers.push((k.to_owned(), v.to_owned()));
            }
        }
        assert!(!stdout(&o).contains(SECRET));
        let o = verify(&p, provider, req.body.as_bytes(), &headers, &signed_url);
        assert_code(&o, 0);
    }
}

/// Run a checker with `input` as JSON on stdin; its stdout is JSON.
fn run_json(mut cmd: Command, input: &Value) -> Value {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut child.stdin.take().unwrap(),
        input.to_string().as_bytes(),
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn python(script: &str, input: &Value) -> Value {
    let mut cmd = Command::new("python3");
    cmd.args(["-c", script]);
    run_json(cmd, input)
}

fn header(req: &Request, name: &str) -> String {
    req.header(name).unwrap_or_default().to_owned()
}

#[test]
fn stripe_library_accepts_our_signatures_and_we_accept_its() {
    if !require_python_module("stripe", "stripe") {
        return;
    }
    let p = Project::new();
    for event in ["payment_intent.succeeded", "checkout.session.completed"] {
        let (req, url) = trigger(&p, "stripe", Some(event));
        let r = python(
            r#"
import json, sys, stripe
d = json.load(sys.stdin)
def check(body):
    try:
        e = stripe.Webhook.construct_event(body, d["sig"], d["secret"])
        return e["type"]
    except stripe.SignatureVerificationError as e:
        return "rejected: " + str(e)
print(json.dumps({
    "ours": check(d["body"]),
    "tampered": check(d["tampered"]),
    "theirs": stripe.WebhookSignature.generate_signature_header(d["body"], d["secret"]),
}))
"#,
            &json!({"body": req.body, "tampered": tampered(&req.body), "sig": header(&req, "stripe-signature"), "secret": SECRET}),
        );
        assert_eq!(r["ours"], event, "stripe library: {r}");
        assert!(
            r["tampered"].as_str().unwrap().starts_with("rejected"),
            "{r}"
        );
        let theirs = vec![(
            "Stripe-Signature".to_owned(),
            r["theirs"].as_str().unwrap().to_owned(),
        )];
        assert_code(&verify(&p, "stripe", req.body.as_bytes(), &theirs, &url), 0);
    }
}

#[test]
fn slack_sdk_accepts_our_signatures_and_we_accept_its() {
    if !require_python_module("slack_sdk", "slack_sdk") {
        return;
    }
    let p = Project::new();
    let (req, url) = trigger(&p, "slack", None);
    let r = python(
        r#"
import json, sys, time
from slack_sdk.signature import SignatureVerifier
d = json.load(sys.stdin)
v = SignatureVerifier(d["secret"])
ts = str(int(time.time()))
print(json.dumps({
    "ours": v.is_valid(d["body"], d["ts"], d["sig"]),
    "tampered": v.is_valid(d["tampered"], d["ts"], d["sig"]),
    "ts": ts,
    "theirs": v.generate_signature(timestamp=ts, body=d["body"]),
}))
"#,
        &json!({"body": req.body, "tampered": tampered(&req.body), "ts": header(&req, "x-slack-request-timestamp"), "sig": header(&req, "x-slack-signature"), "secret": SECRET}),
    );
    assert_eq!(r["ours"], true, "{r}");
    assert_eq!(r["tampered"], false, "{r}");
    let theirs = vec![
        (
            "X-Slack-Request-Timestamp".to_owned(),
            r["ts"].as_str().unwrap().to_owned(),
        ),
        (
            "X-Slack-Signature".to_owned(),
            r["theirs"].as_str().unwrap().to_owned(),
        ),
    ];
    assert_code(&verify(&p, "slack", req.body.as_bytes(), &theirs, &url), 0);
}

#[test]
fn svix_library_accepts_both_spellings_and_we_accept_its_signatures() {
    if !require_python_module("svix", "svix") {
        return;
    }
    let p = Project::new();
    for (provider, prefix) in [
        ("clerk", "svix"),
        ("resend", "svix"),
        ("openai", "webhook"),
        ("anthropic", "webhook"),
    ] {
        let (req, url) = trigger(&p, provider, None);
        let headers: serde_json::Map<String, Value> = ["id", "timestamp", "signature"]
            .iter()
            .map(|n| {
                let name = format!("{prefix}-{n}");
                let value = req
                    .header(&name)
                    .unwrap_or_else(|| panic!("{provider}: no {name}"));
                (name, json!(value))
            })
            .collect();
        let r = python(
            r#"
import json, sys
from datetime import datetime, timezone
from svix.webhooks import Webhook, WebhookVerificationError
d = json.load(sys.stdin)
wh = Webhook(d["secret"])
def check(body):
    try:
        wh.verify(body, d["headers"])
        return "ok"
    except WebhookVerificationError as e:
        return "rejected: " + str(e)
now = datetime.now(tz=timezone.utc)
print(json.dumps({
    "ours": check(d["body"]),
    "tampered": check(d["tampered"]),
    "ts": str(int(now.timestamp())),
    "theirs": wh.sign("msg_from_the_svix_library", now, d["body"]),
}))
"#,
            &json!({"body": req.body, "tampered": tampered(&req.body), "headers": headers, "secret": SECRET}),
        );
        assert_eq!(r["ours"], "ok", "{provider}: {r}");
        assert!(
            r["tampered"].as_str().unwrap().starts_with("rejected"),
            "{r}"
        );
        let theirs = vec![
            (
                format!("{prefix}-id"),
                "msg_from_the_svix_library".to_owned(),
            ),
            (
                format!("{prefix}-timestamp"),
                r["ts"].as_str().unwrap().to_owned(),
            ),
            (
                format!("{prefix}-signature"),
                r["theirs"].as_str().unwrap().to_owned(),
            ),
        ];
        assert_code(&verify(&p, provider, req.body.as_bytes(), &theirs, &url), 0);
    }
}

#[test]
fn twilio_request_validator_accepts_our_signatures_and_we_accept_its() {
    if !require_python_module("twilio", "twilio") {
        return;
    }
    let p = Project::new();
    for event in ["received", "delivered"] {
        let (req, url) = trigger(&p, "twilio", Some(event));
        assert_eq!(
            req.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        let r = python(
            r#"
import json, sys
from urllib.parse import parse_qsl
from twilio.request_validator import RequestValidator
d = json.load(sys.stdin)
v = RequestValidator(d["secret"])
params = dict(parse_qsl(d["body"], keep_blank_values=True))
bad = dict(parse_qsl(d["tampered"], keep_blank_values=True))
print(json.dumps({
    "ours": v.validate(d["url"], params, d["sig"]),
    "tampered": v.validate(d["url"], bad, d["sig"]),
    "theirs": v.compute_signature(d["url"], params),
}))
"#,
            &json!({"body": req.body, "tampered": tampered(&req.body), "url": url, "sig": header(&req, "x-twilio-signature"), "secret": SECRET}),
        );
        assert_eq!(r["ours"], true, "{r}");
        assert_eq!(r["tampered"], false, "{r}");
        let theirs = vec![(
            "X-Twilio-Signature".to_owned(),
            r["theirs"].as_str().unwrap().to_owned(),
        )];
        assert_code(&verify(&p, "twilio", req.body.as_bytes(), &theirs, &url), 0);
    }
}

#[test]
fn octokit_webhooks_methods_accept_our_signatures_and_we_accept_its() {
    if !common::require_tool("node", "apt-get install nodejs npm") {
        return;
    }
    let Some(node_modules) = std::env::var_os("INTEGRATIONS_TEST_NODE_MODULES") else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("@octokit/webhooks-methods is not installed: run ./scripts/test.sh");
        }
        eprintln!("skipping: @octokit/webhooks-methods is not installed: run ./scripts/test.sh");
        return;
    };
    let p = Project::new();
    let (req, url) = trigger(&p, "github", Some("pull_request"));
    assert_eq!(req.header("x-github-event"), Some("pull_request"));
    assert!(req.header("x-github-delivery").is_some());
    let input = json!({"body": req.body, "tampered": tampered(&req.body), "sig": header(&req, "x-hub-signature-256"), "secret": SECRET});
    // The package is ESM-only: import it from a module evaluated next to node_modules.
    let dir = std::path::Path::new(&node_modules)
        .parent()
        .unwrap()
        .to_path_buf();
    let mut cmd = Command::new("node");
    cmd.args([
        "--input-type=module",
        "-e",
        r#"
import { sign, verify } from "@octokit/webhooks-methods";
let text = "";
for await (const chunk of process.stdin) text += chunk;
const d = JSON.parse(text);
console.log(JSON.stringify({
  ours: await verify(d.secret, d.body, d.sig),
  tampered: await verify(d.secret, d.tampered, d.sig),
  theirs: await sign(d.secret, d.body),
}));
"#,
    ])
    .current_dir(dir);
    let r = run_json(cmd, &input);
    assert_eq!(r["ours"], true, "{r}");
    assert_eq!(r["tampered"], false, "{r}");
    let theirs = vec![(
        "X-Hub-Signature-256".to_owned(),
        r["theirs"].as_str().unwrap().to_owned(),
    )];
    assert_code(&verify(&p, "github", req.body.as_bytes(), &theirs, &url), 0);
}

/// `sign` at a given time, as header lines.
fn sign_at(p: &Project, provider: &str, timestamp: i64) -> Vec<(String, String)> {
    let o = p.run_with_input(
        &[
            "webhook",
            "sign",
            provider,
            "--payload",
            "payload.json",
            "--timestamp",
            &timestamp.to_string(),
            "--secret-stdin",
        ],
        SECRET,
    );
    assert_code(&o, 0);
    stdout(&o)
        .lines()
        .map(|l| {
            let (k, v) = l.split_once(": ").unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn verify_names_every_failure_reason() {
    let p = Project::new();
    p.write(
        "payload.json",
        r#"{"id":"evt_1","type":"payment_intent.succeeded"}"#,
    );
    let run = |provider: &str, headers: &[(String, String)], extra: &[&str]| {
        let mut args: Vec<String> = [
            "webhook",
            "verify",
            provider,
            "--payload",
            "payload.json",
            "--secret-stdin",
        ]
        .map(str::to_owned)
        .to_vec();
        for (k, v) in headers {
            args.push("-H".into());
            args.push(format!("{k}: {v}"));
        }
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        p.run_with_input(&args, SECRET)
    };
    let expect = |o: &std::process::Output, code: i32, reason: &str| {
        assert_code(o, code);
        assert!(
            stderr(o).contains(reason),
            "expected `{reason}`:\n{}",
            stderr(o)
        );
        assert!(!stderr(o).contains(SECRET) && !stdout(o).contains(SECRET));
    };

    let good = sign_at(&p, "stripe", now());
    assert_code(&run("stripe", &good, &[]), 0);
    expect(
        &run("stripe", &[], &[]),
        1,
        "missing header Stripe-Signature",
    );
    expect(
        &run(
            "stripe",
            &[("Stripe-Signature".into(), "v1=abc".into())],
            &[],
        ),
        1,
        "malformed header Stripe-Signature: no timestamp",
    );
    expect(
        &run(
            "stripe",
            &[(
                "Stripe-Signature".into(),
                format!("t={},v1={}", now(), "ab".repeat(32)),
            )],
            &[],
        ),
        1,
        "signature mismatch",
    );
    let old = sign_at(&p, "stripe", now() - 3600);
    expect(&run("stripe", &old, &[]), 1, "timestamp too old");
    assert_code(&run("stripe", &old, &["--tolerance", "7200"]), 0);
    let future = sign_at(&p, "stripe", now() + 3600);
    expect(&run("stripe", &future, &[]), 1, "timestamp in the future");

    // The same reasons from schemes with separate headers.
    let slack = sign_at(&p, "slack", now() - 600);
    expect(&run("slack", &slack, &[]), 1, "timestamp too old");
    expect(
        &run("slack", &slack[1..], &[]),
        1,
        "missing header X-Slack-Request-Timestamp",
    );
    let clerk = sign_at(&p, "clerk", now());
    expect(
        &run("clerk", &clerk[..2], &[]),
        1,
        "missing header svix-signature",
    );
    let mut broken = clerk.clone();
    broken[2].1 = "v2,abc".into();
    expect(
        &run("clerk", &broken, &[]),
        1,
        "malformed header svix-signature",
    );
    let github = vec![("X-Hub-Signature-256".to_owned(), "sha256=zz".to_owned())];
    expect(
        &run("github", &github, &[]),
        1,
        "malformed header X-Hub-Signature-256",
    );

    // Usage errors: exit 2.
    expect(&run("twilio", &[], &[]), 2, "pass --url");
    expect(
        &run("stripe", &[("no colon".into(), String::new())], &[]),
        2,
        "--header",
    );
    let o = p.run(&["webhook", "verify", "stripe", "--payload", "payload.json"]);
    expect(&o, 2, "--secret-stdin");
    expect(&run("postgres", &[], &[]), 2, "sends no webhooks");
}

#[test]
fn the_secret_comes_from_the_installed_integration() {
    let p = Project::new();
    assert_code(&p.run(&["init", "--name", "demo"]), 0);
    assert_code(&p.run(&["add", "stripe", "--yes"]), 0);
    p.write("payload.json", r#"{"id":"evt_1"}"#);
    let o = p
        .cmd()
        .args(["webhook", "sign", "stripe", "--payload", "payload.json"])
        .env("STRIPE_WEBHOOK_SECRET", SECRET)
        .output()
        .unwrap();
    assert_code(&o, 0);
    assert!(
        stdout(&o).starts_with("Stripe-Signature: t="),
        "{}",
        stdout(&o)
    );
    // An alias that is not installed, and a provider that is not: usage errors with a hint.
    let o = p.run(&["webhook", "sign", "stripe:eu", "--payload", "payload.json"]);
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("stripe:eu is not installed"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("--secret-stdin"), "{}", stderr(&o));
    let o = p.run(&["webhook", "sign", "slack", "--payload", "payload.json"]);
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("integrations add slack"),
        "{}",
        stderr(&o)
    );
    // Installed but no secret anywhere (the keychain, if any, holds none for this project).
    let o = p
        .cmd()
        .args(["webhook", "sign", "stripe", "--payload", "payload.json"])
        .env_remove("STRIPE_WEBHOOK_SECRET")
        .output()
        .unwrap();
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("STRIPE_WEBHOOK_SECRET"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_secret_can_come_from_the_keychain() {
    if !common::require_keychain() {
        return;
    }
    let p = Project::new();
    assert_code(&p.run(&["init", "--name", "demo"]), 0);
    assert_code(&p.run(&["add", "stripe", "--yes"]), 0);
    let o = p.run_with_input(
        &["secrets", "set", "STRIPE_WEBHOOK_SECRET", "--env", "dev"],
        SECRET,
    );
    assert_code(&o, 0);
    p.write("payload.json", r#"{"id":"evt_1"}"#);
    let o = p.run(&["webhook", "sign", "stripe", "--payload", "payload.json"]);
    assert_code(&o, 0);
    let sig = stdout(&o);
    let o = p.run(&[
        "webhook",
        "verify",
        "stripe",
        "--payload",
        "payload.json",
        "-H",
        sig.trim(),
    ]);
    assert_code(&o, 0);
    let _ = p.run(&["secrets", "rm", "STRIPE_WEBHOOK_SECRET", "--env", "dev"]);
}

/// A running `webhook listen`, killed when dropped.
struct Listener {
    child: Child,
    port: u16,
    lines: mpsc::Receiver<String>,
}

impl Listener {
    fn start(p: &Project, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_integrations"));
        cmd.current_dir(p.path())
            .env("HOME", p.home.path())
            .env("NO_COLOR", "1")
            .env_remove("INTEGRATIONS_MANIFEST_PATH")
            .args(["webhook", "listen", "--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let err = BufReader::new(child.stderr.take().unwrap());
        let (ptx, prx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in err.lines().map_while(Result::ok) {
                if !sent && let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    let _ = ptx.send(digits.parse::<u16>().unwrap_or(0));
                    sent = true;
                }
                eprintln!("listen: {line}");
            }
        });
        let port = prx
            .recv_timeout(Duration::from_secs(20))
            .expect("listen did not start");
        Listener { child, port, lines }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn line(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(20))
            .expect("no event line from listen")
    }

    /// Wait for the process to exit by itself (`--max-events`).
    fn wait(mut self) -> i32 {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("listen did not stop after --max-events");
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn saved_id(line: &str) -> String {
    line.rsplit_once('[')
        .and_then(|(_, rest)| rest.strip_suffix(']'))
        .unwrap_or_else(|| panic!("no saved id in `{line}`"))
        .to_owned()
}

#[test]
fn listen_forwards_verified_events_replays_and_drops_duplicates() {
    let p = Project::new();
    assert_code(&p.run(&["init", "--name", "demo"]), 0);
    assert_code(&p.run(&["add", "stripe", "--yes"]), 0);
    let app = MockServer::start(vec![Reply::json(201, r#"{"handled":true}"#)]);
    let forward = format!("{}/api/webhooks/stripe", app.url());
    let l = Listener::start(
        &p,
        &["--forward-to", &forward, "--max-events", "4"],
        &[("STRIPE_WEBHOOK_SECRET", SECRET)],
    );

    // 1. A signed event: verified, forwarded with its headers, the app's answer sent back.
    let o = p
        .cmd()
        .args(["webhook", "trigger", "stripe", "--url", &l.url("/stripe")])
        .env("STRIPE_WEBHOOK_SECRET", SECRET)
        .output()
        .unwrap();
    assert_code(&o, 0);
    assert!(stdout(&o).contains("→ HTTP 201"), "{}", stdout(&o));
    let first = l.line();
    assert!(
        first.contains(" stripe payment_intent.succeeded evt_"),
        "{first}"
    );
    assert!(first.contains(" valid → HTTP 201 in "), "{first}");
    let id = saved_id(&first);
    let forwarded = app.requests();
    assert_eq!(forwarded.len(), 1);
    assert!(forwarded[0].path.starts_with("/api/webhooks/stripe"));
    let signature = forwarded[0].header("stripe-signature").unwrap().to_owned();

    // 2. A bad signature: rejected with the reason, not forwarded.
    let o = p.run_with_input(
        &[
            "webhook",
            "trigger",
            "stripe",
            "--url",
            &l.url("/stripe"),
            "--secret-stdin",
        ],
        "whsec_not_the_right_one",
    );
    assert_code(&o, 1);
    let line = l.line();
    assert!(line.contains("invalid (signature mismatch"), "{line}");
    assert_eq!(app.requests().len(), 1);

    // 3. Replaying the first to the listener: a duplicate, answered 200, not forwarded.
    let o = p.run(&["webhook", "replay", &id, "--to", &l.url("/stripe")]);
    assert_code(&o, 0);
    let line = l.line();
    assert!(line.contains(" duplicate"), "{line}");
    assert!(
        line.contains(&first.split(' ').nth(3).unwrap().to_owned()),
        "{line}"
    );
    assert_eq!(app.requests().len(), 1);

    // 4. Replaying it straight to the app: the original headers and body, byte for byte.
    let direct = format!("{}/direct", app.url());
    // A unique start of the id is enough.
    let o = p.run(&["webhook", "replay", &id[..id.len() - 2], "--to", &direct]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let reqs = app.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].header("stripe-signature"), Some(signature.as_str()));
    assert_eq!(reqs[1].body, forwarded[0].body);

    // 5. A path no integration answers: 404.
    let o = p
        .cmd()
        .args(["webhook", "trigger", "stripe", "--url", &l.url("/nowhere")])
        .env("STRIPE_WEBHOOK_SECRET", SECRET)
        .output()
        .unwrap();
    assert_code(&o, 1);
    assert!(l.line().contains("unrouted"));

    assert_eq!(l.wait(), 0);
    let saved: Vec<_> = std::fs::read_dir(p.path().join(".integrations/webhooks"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
        .collect();
    assert_eq!(saved.len(), 4);
    let first_saved: Value =
        serde_json::from_str(&p.read(&format!(".integrations/webhooks/{id}.json"))).unwrap();
    assert_eq!(first_saved["valid"], true);
    assert_eq!(first_saved["integration"], "stripe");
    assert!(
        p.files_containing(SECRET).is_empty(),
        "the secret was written to a file"
    );
}

#[test]
fn listen_verifies_every_provider_by_path() {
    let p = Project::new();
    assert_code(&p.run(&["init", "--name", "demo"]), 0);
    let mut env: Vec<(&str, &str)> = Vec::new();
    for (provider, flags, var) in PROVIDERS {
        let mut args = vec!["add", provider, "--yes"];
        args.extend(flags);
        assert_code(&p.run(&args), 0);
        env.push((var, SECRET));
    }
    let max = PROVIDERS.len().to_string();
    let l = Listener::start(&p, &["--max-events", &max], &env);
    for (provider, _, _) in PROVIDERS {
        let mut cmd = p.cmd();
        cmd.args([
            "webhook",
            "trigger",
            provider,
            "--url",
            &l.url(&format!("/{provider}")),
        ]);
        for (k, v) in &env {
            cmd.env(k, v);
        }
        let o = cmd.output().unwrap();
        assert_code(&o, 0);
        let line = l.line();
        assert!(line.contains(&format!(" {provider} ")), "{line}");
        assert!(line.contains(" valid ["), "{provider}: {line}");
    }
    assert_eq!(l.wait(), 0);
}

#[test]
fn listen_with_one_provider_and_a_piped_secret() {
    let p = Project::new();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_integrations"));
    // --secret-stdin: start the listener with the secret piped in.
    cmd.current_dir(p.path())
        .env("HOME", p.home.path())
        .env("NO_COLOR", "1")
        .args([
            "webhook",
            "listen",
            "--port",
            "0",
            "--provider",
            "paymob",
            "--secret-stdin",
            "--max-events",
            "1",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), SECRET.as_bytes()).unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut port = 0u16;
    let mut line = String::new();
    while port == 0 && err.read_line(&mut line).unwrap() > 0 {
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            port = rest
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap();
        }
        line.clear();
    }
    assert_ne!(port, 0);
    // Any path: the Paymob hmac travels in the query string.
    let o = p.run_with_input(
        &[
            "webhook",
            "trigger",
            "paymob",
            "--event",
            "TOKEN",
            "--url",
            &format!("http://127.0.0.1:{port}/any/path"),
            "--secret-stdin",
        ],
        SECRET,
    );
    assert_code(&o, 0);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(" paymob TOKEN ") && text.contains(" valid ["),
        "{text}"
    );
}

#[test]
fn trigger_rejects_unknown_events_and_insecure_urls() {
    let p = Project::new();
    let o = p.run_with_input(
        &[
            "webhook",
            "trigger",
            "stripe",
            "--event",
            "nope.nope",
            "--url",
            "http://127.0.0.1:9/x",
            "--secret-stdin",
        ],
        SECRET,
    );
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("payment_intent.succeeded"),
        "{}",
        stderr(&o)
    );
    let o = p.run_with_input(
        &[
            "webhook",
            "trigger",
            "stripe",
            "--url",
            "http://example.com/hook",
            "--secret-stdin",
        ],
        SECRET,
    );
    assert_code(&o, 2);
    assert!(stderr(&o).contains("only https"), "{}", stderr(&o));
    // An event the manifest lists without a sample: says which have one.
    let o = p.run_with_input(
        &[
            "webhook",
            "trigger",
            "stripe",
            "--event",
            "invoice.payment_failed",
            "--url",
            "http://127.0.0.1:9/x",
            "--secret-stdin",
        ],
        SECRET,
    );
    assert_code(&o, 2);
    assert!(stderr(&o).contains("samples exist for"), "{}", stderr(&o));
    // Your own payload is sent as is.
    let app = ok_app();
    p.write("mine.json", r#"{"id":"evt_mine","type":"invoice.paid"}"#);
    let o = p.run_with_input(
        &[
            "webhook",
            "trigger",
            "stripe",
            "--payload",
            "mine.json",
            "--url",
            &app.url(),
            "--secret-stdin",
        ],
        SECRET,
    );
    assert_code(&o, 0);
    assert!(
        stdout(&o).contains("invoice.paid evt_mine"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        app.requests()[0].body,
        r#"{"id":"evt_mine","type":"invoice.paid"}"#
    );
}
