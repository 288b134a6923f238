//! `webhook trigger`: build the request a provider would send for one of its events — a
//! sample payload with fresh ids and the current time, signed exactly as the provider signs,
//! with the headers the manifest says carry the event type and id.

use super::event::{self, EventInfo, Locator};
use super::send::Outgoing;
use super::{Scheme, SignContext, SignError, sample};
use crate::catalog::Entry;
use crate::error::{Error, Result};
use crate::manifest::Webhooks;

/// A request ready to send.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub event: Option<String>,
    pub outgoing: Outgoing,
    pub info: EventInfo,
}

/// What to send.
pub struct Trigger<'a> {
    pub entry: &'a Entry,
    pub hooks: &'a Webhooks,
    pub scheme: &'a Scheme,
    pub secret: &'a str,
    /// One of the manifest's events (default: the first).
    pub event: Option<&'a str>,
    /// The caller's own body instead of a sample.
    pub payload: Option<Vec<u8>>,
    pub url: &'a str,
    pub now_millis: i64,
}

pub fn sign_error(e: SignError) -> Error {
    Error::invalid(e.to_string())
}

/// The sample body for `event` with its placeholders filled in.
pub fn sample_body(
    entry: &Entry,
    hooks: &Webhooks,
    event: &str,
    now_millis: i64,
) -> Result<Vec<u8>> {
    let provider = &entry.id;
    let Some(text) = sample::find(entry, event) else {
        let with: Vec<&str> = hooks
            .events
            .iter()
            .filter(|e| sample::find(entry, e).is_some())
            .map(String::as_str)
            .collect();
        return Err(
            Error::invalid(format!("{provider} has no sample payload for `{event}`")).hint(
                format!(
                    "samples exist for: {}; or send your own with --payload FILE",
                    with.join(", ")
                ),
            ),
        );
    };
    sample::render(&text, now_millis)
        .map(String::into_bytes)
        .map_err(|why| Error::invalid(format!("sample samples/{provider}/{event}: {why}")))
}

pub fn prepare(t: Trigger) -> Result<Prepared> {
    let provider = &t.entry.id;
    if let Some(e) = t.event
        && !t.hooks.events.iter().any(|known| known == e)
    {
        return Err(Error::invalid(format!("{provider} sends no `{e}` event"))
            .hint(format!("its events: {}", t.hooks.events.join(", "))));
    }
    let event = t.event.or(t.hooks.events.first().map(String::as_str));
    let body = match t.payload {
        Some(body) => body,
        None => {
            let Some(event) = event else {
                return Err(
                    Error::invalid(format!("{provider} lists no webhook events"))
                        .hint("send your own with --payload FILE"),
                );
            };
            sample_body(t.entry, t.hooks, event, t.now_millis)?
        }
    };
    let ctx = SignContext {
        timestamp: t.now_millis / 1000,
        url: Some(t.url.to_owned()),
        id: None,
    };
    let signed = t.scheme.sign(t.secret, &body, &ctx).map_err(sign_error)?;
    let mut headers = vec![(
        "Content-Type".to_owned(),
        sample::content_type(&body).to_owned(),
    )];
    headers.extend(signed.headers.iter().cloned());
    let present = |headers: &[(String, String)], name: &str| {
        headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
    };
    for l in event::locators(t.hooks.event_type.as_deref()) {
        if let (Locator::Header(name), Some(e)) = (l, event)
            && !present(&headers, &name)
        {
            headers.push((name, e.to_owned()));
        }
    }
    for l in event::locators(t.hooks.event_id.as_deref()) {
        if let Locator::Header(name) = l
            && !present(&headers, &name)
        {
            headers.push((name, sample::uuid()));
        }
    }
    let info = event::describe(t.hooks, &body, &super::Headers(headers.clone()));
    Ok(Prepared {
        event: event.map(str::to_owned),
        outgoing: Outgoing {
            method: "POST".to_owned(),
            url: signed.url(t.url),
            headers,
            body,
        },
        info,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::webhook::{Headers, Incoming, Window};

    /// Every sample of every built-in provider renders, is signed so that the scheme accepts
    /// it, and names its event type and id where the manifest says.
    #[test]
    fn every_builtin_sample_triggers_a_valid_request() {
        let secret = "whsec_dGhpcyBpcyBhIHRlc3Qgc2VjcmV0IGZvciBzYW1wbGVz";
        let catalog = Catalog::builtin();
        let mut checked = 0;
        for entry in catalog.entries() {
            let m = entry.manifest().unwrap();
            let Some(hooks) = &m.webhooks else { continue };
            let scheme = Scheme::from_manifest(hooks).unwrap();
            for e in &hooks.events {
                if sample::find(entry, e).is_none() {
                    continue;
                }
                let url = format!("http://127.0.0.1:3000/api/webhooks/{}", entry.id);
                let p = prepare(Trigger {
                    entry,
                    hooks,
                    scheme: &scheme,
                    secret,
                    event: Some(e),
                    payload: None,
                    url: &url,
                    now_millis: crate::webhook::clock::now_millis(),
                })
                .unwrap_or_else(|err| panic!("{}/{e}: {err}", entry.id));
                let headers = Headers(p.outgoing.headers.clone());
                let req = Incoming {
                    body: &p.outgoing.body,
                    headers: &headers,
                    url: Some(&p.outgoing.url),
                };
                assert_eq!(
                    scheme.verify(secret, &req, &Window::new(300)),
                    Ok(()),
                    "{}/{e}",
                    entry.id
                );
                let kind = p.info.event_type.clone().unwrap_or_default().to_lowercase();
                assert!(
                    !kind.is_empty() && e.to_lowercase().contains(&kind),
                    "{}/{e}: event type `{kind}`",
                    entry.id
                );
                // Providers that send a delivery id declare where; Cal.com sends none.
                let declares_id = hooks.event_id.is_some();
                assert_eq!(
                    p.info.id.is_some(),
                    declares_id,
                    "{}/{e}: event id",
                    entry.id
                );
                if p.outgoing.headers[0].1 == "application/json" {
                    serde_json::from_slice::<serde_json::Value>(&p.outgoing.body)
                        .unwrap_or_else(|err| panic!("{}/{e}: {err}", entry.id));
                }
                checked += 1;
            }
        }
        assert!(checked >= 10, "only {checked} samples");
    }
}
