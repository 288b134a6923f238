//! Activation checks: one HTTP request per check (after a token exchange where the manifest
//! says so) proving the provider accepts the credentials. They run concurrently on one tokio
//! runtime with bounded concurrency, a per-request timeout, retries with exponential backoff and
//! jitter on connection errors, timeouts and 5xx, a bounded wait on 429 `Retry-After`, and no
//! redirect that would carry credentials to another host. Plain http only for loopback.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use regex::Regex;
use reqwest::{Method, StatusCode};
use tokio::sync::Semaphore;

use super::preflight::is_loopback;
use super::{CheckResult, Kind, Status};
use crate::generate::Installed;
use crate::manifest::{ActivationCheck, CheckAuth, CheckRequest, HttpMethod, PerEnv, when_matches};

/// How checks run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub timeout: Duration,
    pub concurrency: usize,
    pub retries: u32,
    /// The longest `Retry-After` we wait for before giving up on a 429.
    pub max_retry_after: Duration,
    /// First backoff delay; doubled on each retry, plus jitter.
    pub backoff: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timeout: Duration::from_secs(10),
            concurrency: 16,
            retries: 2,
            max_retry_after: Duration::from_secs(30),
            backoff: Duration::from_millis(200),
        }
    }
}

/// One activation check with everything it needs, owned so it can run on its own task.
#[derive(Debug, Clone)]
pub struct Job {
    pub integration: String,
    pub alias: Option<String>,
    pub provider: String,
    pub check: ActivationCheck,
    pub base_url: Option<PerEnv>,
    pub env: String,
    /// Values by manifest name (`STRIPE_SECRET_KEY`, even for an alias).
    pub values: BTreeMap<String, String>,
    /// Manifest name → the name the user knows (aliased), for messages.
    pub names: BTreeMap<String, String>,
}

/// The activation checks of one installed integration in `env` whose `when` matches its
/// variant and options, as jobs. `values` holds the values known for its variables, by
/// manifest name (`STRIPE_SECRET_KEY`, even under an alias); a check that needs a missing
/// one reports it instead of running.
pub fn jobs_for(inst: &Installed, env: &str, values: BTreeMap<String, String>) -> Vec<Job> {
    let names: BTreeMap<String, String> = inst
        .vars
        .iter()
        .map(|v| (v.base.clone(), v.name.clone()))
        .collect();
    inst.manifest
        .checks
        .activation
        .iter()
        .filter(|c| when_matches(&c.when, &inst.entry.config, &inst.entry.options))
        .map(|check| Job {
            integration: inst.label(),
            alias: inst.entry.alias.clone(),
            provider: inst.entry.provider.clone(),
            check: check.clone(),
            base_url: inst.manifest.base_url.clone(),
            env: env.to_owned(),
            values: values.clone(),
            names: names.clone(),
        })
        .collect()
}

/// A host to resolve in DNS (a callback URL's host).
#[derive(Debug, Clone)]
pub struct Lookup {
    pub integration: String,
    pub alias: Option<String>,
    pub var: String,
    pub host: String,
}

/// The environment variable that overrides a provider's base URL: `INTEGRATIONS_BASE_URL_STC_PAY`.
pub fn base_url_override_var(provider: &str) -> String {
    format!(
        "INTEGRATIONS_BASE_URL_{}",
        provider.to_ascii_uppercase().replace('-', "_")
    )
}

enum Failure {
    /// A referenced variable is not set: the check cannot run.
    Missing(String),
    Fail(String),
}

/// Replace every `${VAR}` with its value. A check that names a variable needs it: when one is
/// not set, the check is skipped (the preflight checks report required variables).
fn substitute(text: &str, job: &Job) -> Result<String, Failure> {
    static VAR: std::sync::LazyLock<Regex> =
        std::sync::LazyLock::new(|| Regex::new(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}").unwrap());
    let mut missing = None;
    let out = VAR.replace_all(text, |c: &regex::Captures| {
        let name = &c[1];
        match job.values.get(name) {
            Some(v) => v.clone(),
            None => {
                missing
                    .get_or_insert_with(|| job.names.get(name).cloned().unwrap_or(name.to_owned()));
                String::new()
            }
        }
    });
    match missing {
        Some(name) => Err(Failure::Missing(name)),
        None => Ok(out.into_owned()),
    }
}

/// The URL of `path` for this job: on the base URL, or a full URL; an override
/// (`INTEGRATIONS_BASE_URL_<ID>`) replaces the origin of both.
fn url_for(path: &str, job: &Job) -> Result<url::Url, Failure> {
    let path = substitute(path, job)?;
    let overridden = std::env::var(base_url_override_var(&job.provider))
        .ok()
        .filter(|v| !v.is_empty());
    let full = if path.starts_with("https://") || path.starts_with("http://") {
        match &overridden {
            Some(base) => {
                let u = url::Url::parse(&path)
                    .map_err(|e| Failure::Fail(format!("invalid URL {path}: {e}")))?;
                let rest = match u.query() {
                    Some(q) => format!("{}?{q}", u.path()),
                    None => u.path().to_owned(),
                };
                join(base, &rest)
            }
            None => path,
        }
    } else {
        let base = match overridden {
            Some(b) => b,
            None => {
                let Some(base) = job.base_url.as_ref().and_then(|b| b.get(&job.env)) else {
                    return Err(Failure::Fail(format!(
                        "the manifest gives no base URL for {}; set {}",
                        job.env,
                        base_url_override_var(&job.provider)
                    )));
                };
                substitute(base, job)?
            }
        };
        join(&base, &path)
    };
    let url =
        url::Url::parse(&full).map_err(|e| Failure::Fail(format!("invalid URL {full}: {e}")))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(url.host_str().unwrap_or_default()) => Ok(url),
        _ => Err(Failure::Fail(format!(
            "refusing to send credentials to {}: only https is allowed (plain http only for loopback addresses)",
            url.origin().ascii_serialization()
        ))),
    }
}

fn join(base: &str, path: &str) -> String {
    if path.is_empty() {
        return base.to_owned();
    }
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

fn method(m: HttpMethod) -> Method {
    match m {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Head => Method::HEAD,
    }
}

/// A small pseudo-random jitter (no crate needed for this): 0..100 ms.
fn jitter() -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    Duration::from_millis(u64::from(nanos % 100))
}

/// Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date).
fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    let value = resp.headers().get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate(value)?;
    Some(
        when.saturating_sub(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?,
        ),
    )
}

/// Parse an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) as time since the epoch.
fn httpdate(s: &str) -> Option<Duration> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() != 6 {
        return None;
    }
    let day: i64 = parts[1].parse().ok()?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == parts[2])? as i64
        + 1;
    let year: i64 = parts[3].parse().ok()?;
    let hms: Vec<i64> = parts[4].split(':').filter_map(|x| x.parse().ok()).collect();
    if hms.len() != 3 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    let secs = days * 86400 + hms[0] * 3600 + hms[1] * 60 + hms[2];
    u64::try_from(secs).ok().map(Duration::from_secs)
}

/// Build the HTTP client: rustls, a User-Agent, a per-request timeout, and redirects followed
/// only within the same host (credentials never travel elsewhere).
pub fn client(settings: &Settings) -> reqwest::Result<reqwest::Client> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        let same_host = attempt
            .previous()
            .first()
            .is_some_and(|first| first.host_str() == attempt.url().host_str());
        if attempt.previous().len() >= 5 || !same_host {
            attempt.stop()
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .user_agent(concat!("integrations/", env!("CARGO_PKG_VERSION")))
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .redirect(policy)
        .build()
}

struct Answer {
    status: StatusCode,
    body: String,
    location: Option<String>,
    url: String,
}

/// Send one request with retries; `Err` carries the reason it never got a final answer.
async fn send(
    settings: &Settings,
    build: impl Fn() -> reqwest::RequestBuilder,
) -> Result<Answer, String> {
    let mut attempt = 0;
    loop {
        let result = build().send().await;
        let retryable = attempt < settings.retries;
        match result {
            Ok(resp) if resp.status() == StatusCode::TOO_MANY_REQUESTS => {
                let wait = retry_after(&resp).unwrap_or(settings.backoff * 2u32.pow(attempt));
                if !retryable {
                    return Err(format!(
                        "rate limited (HTTP 429) by {} after {} attempts",
                        resp.url().origin().ascii_serialization(),
                        attempt + 1
                    ));
                }
                if wait > settings.max_retry_after {
                    return Err(format!(
                        "rate limited (HTTP 429); Retry-After asks for {} s, more than the {} s we wait",
                        wait.as_secs(),
                        settings.max_retry_after.as_secs()
                    ));
                }
                tokio::time::sleep(wait).await;
            }
            Ok(resp) if resp.status().is_server_error() && retryable => {
                tokio::time::sleep(settings.backoff * 2u32.pow(attempt) + jitter()).await;
            }
            Ok(resp) => {
                let status = resp.status();
                let url = resp.url().to_string();
                let location = resp
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .map(str::to_owned);
                let body = resp.text().await.unwrap_or_default();
                return Ok(Answer {
                    status,
                    body,
                    location,
                    url,
                });
            }
            Err(e) if (e.is_timeout() || e.is_connect() || e.is_request()) && retryable => {
                tokio::time::sleep(settings.backoff * 2u32.pow(attempt) + jitter()).await;
            }
            Err(e) => {
                let what = if e.is_timeout() {
                    format!(
                        "timed out after {} s (--timeout)",
                        settings.timeout.as_secs_f32()
                    )
                } else if e.is_connect() {
                    "could not connect".to_owned()
                } else {
                    "request failed".to_owned()
                };
                let url = e.url().map(|u| u.to_string()).unwrap_or_default();
                return Err(format!(
                    "{what}: {url} ({} attempt{})",
                    attempt + 1,
                    if attempt == 0 { "" } else { "s" }
                ));
            }
        }
        attempt += 1;
    }
}

fn snippet(body: &str) -> String {
    let body = body.trim();
    let mut s: String = body.chars().take(200).collect();
    if body.chars().count() > 200 {
        s.push('…');
    }
    s.replace('\n', " ")
}

/// A check request's headers, query and body with every `${VAR}` substituted.
struct Prepared {
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    json: Option<String>,
    form: Vec<(String, String)>,
}

impl Prepared {
    fn new(r: &CheckRequest, job: &Job) -> Result<Self, Failure> {
        let mut headers = Vec::new();
        for (k, v) in &r.headers {
            headers.push((k.clone(), substitute(v, job)?));
        }
        let mut query = Vec::new();
        for (k, v) in &r.query {
            query.push((k.clone(), substitute(v, job)?));
        }
        let json = match &r.json {
            Some(body) => Some(substitute(
                &serde_json::to_string(body).unwrap_or_default(),
                job,
            )?),
            None => None,
        };
        let mut form = Vec::new();
        for (k, v) in &r.form {
            form.push((k.clone(), substitute(v, job)?));
        }
        Ok(Prepared {
            headers,
            query,
            json,
            form,
        })
    }

    fn apply(&self, mut req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        if !self.query.is_empty() {
            req = req.query(&self.query);
        }
        if let Some(body) = &self.json {
            req = req
                .header("content-type", "application/json")
                .body(body.clone());
        } else if !self.form.is_empty() {
            req = req.form(&self.form);
        }
        req
    }
}

/// Run the token exchange of a `token` auth and return the token.
async fn exchange(
    client: &reqwest::Client,
    settings: &Settings,
    t: &crate::manifest::TokenExchange,
    job: &Job,
) -> Result<String, Failure> {
    let url = url_for(&t.path, job)?;
    let mut headers = Vec::new();
    for (k, v) in &t.headers {
        headers.push((k.clone(), substitute(v, job)?));
    }
    let mut form = Vec::new();
    for (k, v) in &t.form {
        form.push((k.clone(), substitute(v, job)?));
    }
    let basic = match &t.basic {
        Some(b) => Some((substitute(&b.username, job)?, substitute(&b.password, job)?)),
        None => None,
    };
    let m = method(t.method);
    let answer = send(settings, || {
        let mut req = client.request(m.clone(), url.clone());
        for (k, v) in &headers {
            req = req.header(k, v);
        }
        if let Some((u, p)) = &basic {
            req = req.basic_auth(u, Some(p));
        }
        if !form.is_empty() {
            req = req.form(&form);
        }
        req
    })
    .await
    .map_err(|e| Failure::Fail(format!("token request: {e}")))?;
    if !answer.status.is_success() {
        return Err(Failure::Fail(format!(
            "token request rejected: HTTP {} from {}: {}",
            answer.status.as_u16(),
            answer.url,
            snippet(&answer.body)
        )));
    }
    let json: serde_json::Value = serde_json::from_str(&answer.body)
        .map_err(|_| Failure::Fail("token response is not JSON".into()))?;
    json.pointer(&t.pointer)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .ok_or_else(|| Failure::Fail(format!("token response has no {}", t.pointer)))
}

async fn run_one(client: reqwest::Client, settings: Settings, job: Job) -> (Status, String) {
    match attempt(&client, &settings, &job).await {
        Ok(msg) => (Status::Pass, msg),
        Err(Failure::Missing(var)) => (
            Status::Skip,
            format!("needs {var}, which is not set (see the preflight checks)"),
        ),
        Err(Failure::Fail(msg)) => (Status::Fail, msg),
    }
}

/// How the check request carries its credential.
enum Auth {
    None,
    Header(String, String),
    Basic(String, String),
    Query(String, String),
}

async fn attempt(
    client: &reqwest::Client,
    settings: &Settings,
    job: &Job,
) -> Result<String, Failure> {
    let r = &job.check.request;
    let url = url_for(&r.path, job)?;
    let auth = match &r.auth {
        Some(CheckAuth::Bearer(var)) => {
            let value = job.values.get(var.as_str()).ok_or_else(|| {
                Failure::Missing(
                    job.names
                        .get(var.as_str())
                        .cloned()
                        .unwrap_or(var.value.clone()),
                )
            })?;
            Auth::Header("authorization".into(), format!("Bearer {value}"))
        }
        Some(CheckAuth::Basic { username, password }) => {
            Auth::Basic(substitute(username, job)?, substitute(password, job)?)
        }
        Some(CheckAuth::Header { name, value }) => {
            Auth::Header(name.clone(), substitute(value, job)?)
        }
        Some(CheckAuth::Query { name, value }) => {
            Auth::Query(name.clone(), substitute(value, job)?)
        }
        Some(CheckAuth::Token(t)) => {
            let token = exchange(client, settings, t, job).await?;
            Auth::Header("authorization".into(), format!("Bearer {token}"))
        }
        None => Auth::None,
    };
    finish(client, settings, job, url, auth).await
}

async fn finish(
    client: &reqwest::Client,
    settings: &Settings,
    job: &Job,
    url: url::Url,
    auth: Auth,
) -> Result<String, Failure> {
    let r = &job.check.request;
    let prepared = Prepared::new(r, job)?;
    let m = method(r.method);
    let started = Instant::now();
    let answer = send(settings, || {
        let mut req = client.request(m.clone(), url.clone());
        req = match &auth {
            Auth::None => req,
            Auth::Header(k, v) => req.header(k, v),
            Auth::Basic(u, p) => req.basic_auth(u, Some(p)),
            Auth::Query(k, v) => req.query(&[(k, v)]),
        };
        prepared.apply(req)
    })
    .await
    .map_err(Failure::Fail)?;
    let ms = started.elapsed().as_millis();
    let code = answer.status.as_u16();
    let what = format!("{} {}", m, answer.url);
    if answer.status.is_redirection() {
        return Err(Failure::Fail(format!(
            "HTTP {code} from {what}: redirected to {}, which was not followed (credentials stay with the original host)",
            answer.location.unwrap_or_default()
        )));
    }
    let expect = &job.check.expect;
    if !expect.status.contains(&code) {
        let hint = match code {
            401 | 403 => {
                let names: Vec<String> = job.names.values().cloned().collect();
                format!(
                    "; the provider rejected the credentials: check {} for {}",
                    names.join(", "),
                    job.env
                )
            }
            404 => "; check the base URL and ids in the configuration".to_owned(),
            _ => String::new(),
        };
        return Err(Failure::Fail(format!(
            "HTTP {code} from {what} (expected {}): {}{hint}",
            expect
                .status
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or "),
            snippet(&answer.body)
        )));
    }
    if !expect.json.is_empty() {
        let json: serde_json::Value = serde_json::from_str(&answer.body).map_err(|_| {
            Failure::Fail(format!(
                "HTTP {code} from {what}, but the body is not JSON: {}",
                snippet(&answer.body)
            ))
        })?;
        for e in &expect.json {
            match (json.pointer(&e.pointer), &e.equals) {
                (None, _) => {
                    return Err(Failure::Fail(format!(
                        "HTTP {code} from {what}, but the response has no {}",
                        e.pointer
                    )));
                }
                (Some(actual), Some(wanted)) if actual != wanted => {
                    return Err(Failure::Fail(format!(
                        "HTTP {code} from {what}, but {} is {actual} (expected {wanted})",
                        e.pointer
                    )));
                }
                _ => {}
            }
        }
    }
    Ok(format!("HTTP {code} from {what} in {ms} ms"))
}

/// Run every job (and DNS lookup) concurrently; results come back in input order.
pub fn run_all(
    jobs: Vec<Job>,
    lookups: Vec<Lookup>,
    settings: &Settings,
    progress: Option<indicatif::ProgressBar>,
) -> Vec<CheckResult> {
    // Every check fails with the same reason when the machinery itself cannot start.
    let all_fail = |jobs: &[Job], why: String| -> Vec<CheckResult> {
        jobs.iter()
            .map(|j| {
                CheckResult::new(
                    &j.integration,
                    j.alias.as_deref(),
                    Kind::Activation,
                    &j.check.name,
                    Status::Fail,
                    why.clone(),
                )
            })
            .collect()
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return all_fail(&jobs, format!("could not start the async runtime: {e}")),
    };
    runtime.block_on(async move {
        let client = match client(settings) {
            Ok(c) => c,
            Err(e) => return all_fail(&jobs, format!("could not build the HTTP client: {e}")),
        };
        let limit = Arc::new(Semaphore::new(settings.concurrency.max(1)));
        let mut set = tokio::task::JoinSet::new();
        let total = jobs.len() + lookups.len();
        for (i, job) in jobs.into_iter().enumerate() {
            let (client, settings, limit) = (client.clone(), settings.clone(), limit.clone());
            set.spawn(async move {
                let _permit = limit.acquire_owned().await;
                let started = Instant::now();
                let (status, message) = run_one(client, settings, job.clone()).await;
                let mut r = CheckResult::new(
                    &job.integration,
                    job.alias.as_deref(),
                    Kind::Activation,
                    &job.check.name,
                    status,
                    message,
                );
                r.duration_ms = started.elapsed().as_millis() as u64;
                (i, r)
            });
        }
        let offset = set.len();
        for (i, l) in lookups.into_iter().enumerate() {
            let timeout = settings.timeout;
            let limit = limit.clone();
            set.spawn(async move {
                let _permit = limit.acquire_owned().await;
                let started = Instant::now();
                let found =
                    tokio::time::timeout(timeout, tokio::net::lookup_host((l.host.as_str(), 443)))
                        .await
                        .map(|r| r.map(|addrs| addrs.count()));
                let (status, message) = match found {
                    Ok(Ok(n)) if n > 0 => (Status::Pass, format!("{} resolves", l.host)),
                    Ok(_) => (
                        Status::Fail,
                        format!("{} does not resolve in DNS: check {}", l.host, l.var),
                    ),
                    Err(_) => (Status::Fail, format!("resolving {} timed out", l.host)),
                };
                let mut r = CheckResult::new(
                    &l.integration,
                    l.alias.as_deref(),
                    Kind::Preflight,
                    format!("{} host resolves", l.var),
                    status,
                    message,
                );
                r.duration_ms = started.elapsed().as_millis() as u64;
                (offset + i, r)
            });
        }
        let mut results: Vec<Option<CheckResult>> = vec![None; total];
        while let Some(joined) = set.join_next().await {
            if let Ok((i, r)) = joined {
                results[i] = Some(r);
            }
            if let Some(p) = &progress {
                p.inc(1);
            }
        }
        results.into_iter().flatten().collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        assert_eq!(
            httpdate("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::from_secs(784111777))
        );
        assert_eq!(httpdate("nonsense"), None);
    }

    #[test]
    fn override_var_names() {
        assert_eq!(
            base_url_override_var("stc-pay"),
            "INTEGRATIONS_BASE_URL_STC_PAY"
        );
    }
}
