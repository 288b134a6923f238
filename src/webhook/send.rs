//! Sending a webhook request (`trigger`, `replay`, `listen --forward-to`): one POST with the
//! given headers and body, timed, never redirected (providers don't follow redirects either).
//! Plain http only to loopback addresses, as for checks.

use std::time::{Duration, Instant};

use crate::check::preflight::is_loopback;
use crate::error::{Error, Result};

/// Headers that describe one connection, not the request: never copied from a received or
/// saved request to a new one.
pub const HOP_BY_HOP: [&str; 9] = [
    "host",
    "content-length",
    "connection",
    "transfer-encoding",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "proxy-connection",
];

pub fn is_hop_by_hop(name: &str) -> bool {
    HOP_BY_HOP.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What the receiver answered.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub elapsed: Duration,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Check a URL given with `flag`: it must parse and be https, or http to a loopback address.
pub fn check_url(flag: &str, url: &str) -> Result<url::Url> {
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::invalid(format!("{flag} `{url}` is not a valid URL: {e}")))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(parsed.host_str().unwrap_or_default()) => Ok(parsed),
        _ => Err(Error::invalid(format!(
            "{flag} `{url}`: only https URLs, or plain http to localhost / 127.0.0.1, are allowed"
        ))),
    }
}

/// The HTTP client for webhook sends.
pub fn client(timeout: Duration) -> Result<reqwest::Client> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(concat!("integrations/", env!("CARGO_PKG_VERSION")))
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::failed(format!("could not set up the HTTP client: {e}")))
}

/// Send `out`; `Err` says why no answer came.
pub async fn send(client: &reqwest::Client, out: &Outgoing) -> std::result::Result<Answer, String> {
    let method = reqwest::Method::from_bytes(out.method.as_bytes())
        .map_err(|_| format!("invalid HTTP method `{}`", out.method))?;
    let mut req = client.request(method, &out.url).body(out.body.clone());
    for (name, value) in &out.headers {
        if !is_hop_by_hop(name) {
            req = req.header(name.as_str(), value.as_str());
        }
    }
    let started = Instant::now();
    let resp = req.send().await.map_err(|e| describe(&e))?;
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    Ok(Answer {
        status,
        elapsed: started.elapsed(),
        content_type,
        body,
    })
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer before the timeout".into()
    } else if e.is_connect() {
        "could not connect (is the app running?)".into()
    } else {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            text = format!("{text}: {s}");
            source = s.source();
        }
        text
    }
}

/// "12 ms" / "1.4 s".
pub fn millis(d: Duration) -> String {
    if d < Duration::from_secs(10) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}
