//! `webhook listen`: a receiver on 127.0.0.1 for local development. Each request is routed to
//! an integration (by `--provider`, or by its first path segment: `/stripe`, `/stripe-eu`),
//! verified with that integration's secret, saved under `.integrations/webhooks/`, dropped as
//! a duplicate when its event id was seen before in this session, and, when verified and
//! asked, forwarded with its original headers, body and query to the app, whose answer goes
//! back to the sender. It stops on Ctrl-C or after `max_events` requests.
//!
//! hyper (already built for reqwest) does the HTTP/1.1 parsing; keep-alive is off so every
//! request is answered on its own connection and nothing lingers at shutdown.

use std::collections::HashSet;
use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming as Body};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use super::send::{self, Outgoing};
use super::store::{self, Saved};
use super::{Headers, Incoming, Scheme, Window, clock, event, with_query};
use crate::error::{Error, Result};
use crate::manifest::Webhooks;
use crate::secrets::Secret;

/// The largest body accepted (providers send far less).
const MAX_BODY: usize = 10 * 1024 * 1024;

/// One integration the receiver verifies for.
#[derive(Debug, Clone)]
pub struct Route {
    /// `stripe` or `stripe:eu`.
    pub label: String,
    /// The first path segment that reaches it: `stripe`, `stripe-eu`.
    pub path: String,
    pub scheme: Scheme,
    pub hooks: Webhooks,
    /// The signing secret, or why there is none.
    pub secret: std::result::Result<Secret, String>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub routes: Vec<Route>,
    /// Every request goes to the only route (`--provider`), whatever its path.
    pub fixed: bool,
    pub forward_to: Option<String>,
    /// The project root (requests are saved under it).
    pub root: PathBuf,
    pub tolerance: i64,
    pub max_events: Option<u64>,
    pub timeout: Duration,
}

/// What happened to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Valid,
    Invalid(String),
    /// Valid, but its event id was already received.
    Duplicate,
    /// No integration for its path.
    Unrouted(String),
}

/// One received request, for the report line.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: i64,
    pub integration: Option<String>,
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    pub outcome: Outcome,
    /// The app's answer to the forwarded request, or why it failed.
    pub forwarded: Option<std::result::Result<send::Answer, String>>,
    /// The saved request's id, or why it could not be saved.
    pub saved: std::result::Result<String, String>,
}

type Report = dyn Fn(&Event) + Send + Sync;

struct State {
    settings: Settings,
    port: u16,
    client: reqwest::Client,
    seen: Mutex<HashSet<(String, String)>>,
    handled: AtomicU64,
    report: Box<Report>,
}

/// Bind the receiver to 127.0.0.1:`port` (0: any free port).
pub async fn bind(port: u16) -> Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
        Error::failed(format!("could not listen on 127.0.0.1:{port}: {e}"))
            .hint("another process uses that port; pick another with --port")
    })
}

/// Serve until Ctrl-C or `max_events` requests; returns how many were handled.
pub async fn serve(listener: TcpListener, settings: Settings, report: Box<Report>) -> Result<u64> {
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    let state = Arc::new(State {
        client: send::client(settings.timeout)?,
        settings,
        port,
        seen: Mutex::new(HashSet::new()),
        handled: AtomicU64::new(0),
        report,
    });
    let done = Arc::new(Notify::new());
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let state = state.clone();
                let done = done.clone();
                tokio::spawn(async move {
                    let service = service_fn(|req| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(handle(&state, req).await) }
                    });
                    let _ = http1::Builder::new()
                        .keep_alive(false)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                    if let Some(max) = state.settings.max_events
                        && state.handled.load(Ordering::SeqCst) >= max
                    {
                        done.notify_one();
                    }
                });
            }
            _ = &mut ctrl_c => break,
            () = done.notified() => break,
        }
    }
    Ok(state.handled.load(Ordering::SeqCst))
}

fn text(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(body.into()));
    *resp.status_mut() = status;
    resp
}

async fn handle(state: &State, req: Request<Body>) -> Response<Full<Bytes>> {
    let millis = clock::now_millis();
    let method = req.method().as_str().to_owned();
    let path = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let headers = Headers(
        req.headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
    );
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return text(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body too large or cut short\n",
            );
        }
    };
    // Count before answering, so `max_events` stops right after this request's answer.
    state.handled.fetch_add(1, Ordering::SeqCst);

    let route = find_route(&state.settings, &path);
    let mut ev = Event {
        at: millis / 1000,
        integration: route.as_ref().ok().map(|r| r.label.clone()),
        event_type: None,
        event_id: None,
        outcome: Outcome::Valid,
        forwarded: None,
        saved: Err(String::new()),
    };
    let response = match &route {
        Err(why) => {
            ev.outcome = Outcome::Unrouted(why.clone());
            text(StatusCode::NOT_FOUND, format!("{why}\n"))
        }
        Ok(route) => {
            let info = event::describe(&route.hooks, &body, &headers);
            ev.event_type = info.event_type;
            ev.event_id = info.id;
            let url = called_url(&headers, &path, state.port);
            ev.outcome = match &route.secret {
                Err(why) => Outcome::Invalid(why.clone()),
                Ok(secret) => {
                    let incoming = Incoming {
                        body: &body,
                        headers: &headers,
                        url: Some(&url),
                    };
                    match route.scheme.verify(
                        secret.expose(),
                        &incoming,
                        &Window::new(state.settings.tolerance),
                    ) {
                        Err(e) => Outcome::Invalid(e.to_string()),
                        Ok(()) => match &ev.event_id {
                            Some(id) if !remember(state, &route.label, id) => Outcome::Duplicate,
                            _ => Outcome::Valid,
                        },
                    }
                }
            };
            match &ev.outcome {
                Outcome::Invalid(why) => text(StatusCode::BAD_REQUEST, format!("{why}\n")),
                Outcome::Duplicate => text(StatusCode::OK, "{\"duplicate\":true}\n"),
                _ => match &state.settings.forward_to {
                    None => text(StatusCode::OK, "{\"received\":true}\n"),
                    Some(to) => {
                        let out = Outgoing {
                            method: method.clone(),
                            url: forward_url(to, &path),
                            headers: headers.0.clone(),
                            body: body.to_vec(),
                        };
                        let answer = send::send(&state.client, &out).await;
                        let resp = match &answer {
                            Ok(a) => {
                                let status = StatusCode::from_u16(a.status)
                                    .unwrap_or(StatusCode::BAD_GATEWAY);
                                let mut resp = text(status, a.body.clone());
                                if let Some(ct) = a
                                    .content_type
                                    .as_ref()
                                    .and_then(|c| hyper::header::HeaderValue::from_str(c).ok())
                                {
                                    resp.headers_mut().insert(hyper::header::CONTENT_TYPE, ct);
                                }
                                resp
                            }
                            Err(why) => text(
                                StatusCode::BAD_GATEWAY,
                                format!("forwarding failed: {why}\n"),
                            ),
                        };
                        ev.forwarded = Some(answer);
                        resp
                    }
                },
            }
        }
    };

    let mut saved = Saved {
        id: store::new_id(millis),
        received_at: clock::rfc3339_millis(millis),
        integration: ev.integration.clone(),
        method,
        path,
        headers,
        body: None,
        body_base64: None,
        event_type: ev.event_type.clone(),
        event_id: ev.event_id.clone(),
        valid: matches!(ev.outcome, Outcome::Valid | Outcome::Duplicate),
        reason: match &ev.outcome {
            Outcome::Invalid(why) | Outcome::Unrouted(why) => Some(why.clone()),
            _ => None,
        },
        duplicate: ev.outcome == Outcome::Duplicate,
    };
    saved.set_body(&body);
    ev.saved = store::save(&state.settings.root, &saved)
        .map(|_| saved.id.clone())
        .map_err(|e| e.message);
    (state.report)(&ev);
    response
}

/// Record an event id; false when it was already seen.
fn remember(state: &State, label: &str, id: &str) -> bool {
    match state.seen.lock() {
        Ok(mut seen) => seen.insert((label.to_owned(), id.to_owned())),
        Err(_) => true,
    }
}

fn find_route<'a>(settings: &'a Settings, path: &str) -> std::result::Result<&'a Route, String> {
    if settings.fixed
        && let Some(only) = settings.routes.first()
    {
        return Ok(only);
    }
    let segment = path
        .trim_start_matches('/')
        .split(['/', '?'])
        .next()
        .unwrap_or_default();
    if let Some(route) = settings
        .routes
        .iter()
        .find(|r| r.path == segment || r.label == segment)
    {
        return Ok(route);
    }
    let paths: Vec<String> = settings
        .routes
        .iter()
        .map(|r| format!("/{}", r.path))
        .collect();
    Err(if paths.is_empty() {
        "no integration with webhooks to verify for".to_owned()
    } else {
        format!("no integration at /{segment}; send to {}", paths.join(", "))
    })
}

/// The URL the sender called, as far as the request tells: `X-Forwarded-Proto`/`-Host` from a
/// tunnel, else the Host header, else this receiver.
fn called_url(headers: &Headers, path: &str, port: u16) -> String {
    let first = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let proto = first("x-forwarded-proto").unwrap_or_else(|| "http".to_owned());
    let host = first("x-forwarded-host")
        .or_else(|| first("host"))
        .unwrap_or_else(|| format!("127.0.0.1:{port}"));
    format!("{proto}://{host}{path}")
}

/// `--forward-to`, with the received query string (Paymob's `hmac`, Twilio's `bodySHA256`)
/// when it has none of its own.
pub fn forward_url(to: &str, received_path: &str) -> String {
    match received_path.split_once('?') {
        Some((_, query)) if !to.contains('?') && !query.is_empty() => {
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            with_query(to, &pairs)
        }
        _ => to.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let h = Headers(vec![("host".into(), "127.0.0.1:4242".into())]);
        assert_eq!(
            called_url(&h, "/twilio?x=1", 9),
            "http://127.0.0.1:4242/twilio?x=1"
        );
        let tunnel = Headers(vec![
            ("host".into(), "127.0.0.1:4242".into()),
            ("x-forwarded-proto".into(), "https".into()),
            ("x-forwarded-host".into(), "abc.example.dev".into()),
        ]);
        assert_eq!(called_url(&tunnel, "/t", 9), "https://abc.example.dev/t");
        assert_eq!(
            called_url(&Headers::default(), "/", 9),
            "http://127.0.0.1:9/"
        );
        assert_eq!(
            forward_url(
                "http://localhost:3000/api/webhooks/paymob",
                "/paymob?hmac=ab"
            ),
            "http://localhost:3000/api/webhooks/paymob?hmac=ab"
        );
        assert_eq!(forward_url("http://x/?a=1", "/p?hmac=ab"), "http://x/?a=1");
    }
}
