//! Twilio: `X-Twilio-Signature: <base64 HMAC-SHA1>`, keyed with the account's auth token, of
//! the full URL Twilio called followed by every POST parameter, sorted by name, as name then
//! value. A JSON body is covered instead by a `bodySHA256` URL parameter (hex SHA-256 of the
//! body) and the signature covers the URL alone. Like Twilio's own validators, verification
//! accepts the URL with or without its port.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use super::{Incoming, SignContext, SignError, Signed, VerifyError, mac, mac_matches, with_query};
use crate::manifest::HmacAlgorithm;

const HEADER: &str = "X-Twilio-Signature";
const BODY_HASH: &str = "bodySHA256";

/// Whether a body is JSON rather than form parameters.
fn is_json(body: &[u8]) -> bool {
    body.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{' || *b == b'[')
}

/// The text signed for `url` and a form body: the URL, then each parameter (sorted by name,
/// each name's distinct values sorted) as name + value.
fn signed_text(url: &str, form: Option<&[u8]>) -> String {
    let mut text = url.to_owned();
    if let Some(body) = form {
        let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in url::form_urlencoded::parse(body) {
            params
                .entry(k.into_owned())
                .or_default()
                .push(v.into_owned());
        }
        for (name, mut values) in params {
            values.sort();
            values.dedup();
            for v in values {
                text.push_str(&name);
                text.push_str(&v);
            }
        }
    }
    text
}

pub fn sign(secret: &str, body: &[u8], ctx: &SignContext) -> Result<Signed, SignError> {
    let url = ctx.url.as_deref().ok_or(SignError::NeedsUrl("twilio"))?;
    let (text, query) = if is_json(body) {
        let query = vec![(BODY_HASH.to_owned(), hex::encode(Sha256::digest(body)))];
        (signed_text(&with_query(url, &query), None), query)
    } else {
        (signed_text(url, Some(body)), Vec::new())
    };
    let tag = mac(HmacAlgorithm::Sha1, secret.as_bytes(), &[text.as_bytes()]);
    Ok(Signed {
        headers: vec![(HEADER.to_owned(), STANDARD.encode(tag))],
        query,
    })
}

/// `url` with its port replaced (`Some`) or removed (`None`), text otherwise untouched.
fn with_port(url: &str, port: Option<&str>) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host = match authority.rsplit_once(':') {
        Some((host, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    };
    match port {
        Some(p) => format!("{scheme}://{host}:{p}{tail}"),
        None => format!("{scheme}://{host}{tail}"),
    }
}

pub fn verify(secret: &str, req: &Incoming) -> Result<(), VerifyError> {
    let value = req.headers.require(HEADER)?;
    let url = req.url.ok_or(VerifyError::NeedsUrl("twilio"))?;
    let tag = STANDARD
        .decode(value)
        .map_err(|_| VerifyError::malformed(HEADER, "the signature is not base64"))?;
    let body_hash = url::Url::parse(url).ok().and_then(|u| {
        u.query_pairs()
            .find(|(k, _)| k == BODY_HASH)
            .map(|(_, v)| v.into_owned())
    });
    let form = match &body_hash {
        Some(expected) => {
            let actual = hex::encode(Sha256::digest(req.body));
            if !actual.eq_ignore_ascii_case(expected) {
                return Err(VerifyError::Body(format!(
                    "its SHA-256 differs from the {BODY_HASH} URL parameter"
                )));
            }
            None
        }
        None => Some(req.body),
    };
    let default_port = if url.starts_with("https:") {
        "443"
    } else {
        "80"
    };
    let candidates = [
        url.to_owned(),
        with_port(url, None),
        with_port(url, Some(default_port)),
    ];
    let mut matched = false;
    for candidate in &candidates {
        let text = signed_text(candidate, form);
        matched |= mac_matches(
            HmacAlgorithm::Sha1,
            secret.as_bytes(),
            &[text.as_bytes()],
            &tag,
        );
    }
    if matched {
        Ok(())
    } else {
        Err(VerifyError::SignatureMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::Headers;

    /// The example in Twilio's "Webhooks security" docs, also what the official library gives:
    /// `twilio.request_validator.RequestValidator("12345").compute_signature(url, params)`.
    #[test]
    fn matches_the_official_library() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let body = b"CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212";
        let ctx = SignContext {
            url: Some(url.into()),
            ..Default::default()
        };
        let signed = sign("12345", body, &ctx).unwrap();
        assert_eq!(signed.headers[0].1, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
        let headers = Headers(signed.headers);
        let req = Incoming {
            body,
            headers: &headers,
            url: Some(url),
        };
        assert_eq!(verify("12345", &req), Ok(()));
        // The same URL with its default port is the same URL to Twilio.
        let with_port = Incoming {
            url: Some("https://mycompany.com:443/myapp.php?foo=1&bar=2"),
            ..req
        };
        assert_eq!(verify("12345", &with_port), Ok(()));
        let other_url = Incoming {
            url: Some("https://mycompany.com/myapp.php?foo=1&bar=3"),
            ..req
        };
        assert_eq!(
            verify("12345", &other_url),
            Err(VerifyError::SignatureMismatch)
        );
        assert_eq!(
            verify("12345", &Incoming { url: None, ..req }),
            Err(VerifyError::NeedsUrl("twilio"))
        );
    }

    #[test]
    fn json_bodies_are_covered_by_body_sha256() {
        let ctx = SignContext {
            url: Some("https://example.com/hook".into()),
            ..Default::default()
        };
        let body = br#"{"status":"delivered"}"#;
        let signed = sign("token", body, &ctx).unwrap();
        assert_eq!(signed.query[0].0, "bodySHA256");
        let url = signed.url("https://example.com/hook");
        let headers = Headers(signed.headers);
        let req = Incoming {
            body,
            headers: &headers,
            url: Some(&url),
        };
        assert_eq!(verify("token", &req), Ok(()));
        assert!(matches!(
            verify("token", &Incoming { body: b"{}", ..req }),
            Err(VerifyError::Body(_))
        ));
    }

    #[test]
    fn ports() {
        assert_eq!(with_port("http://h:8080/x?a=1", None), "http://h/x?a=1");
        assert_eq!(with_port("http://h/x", Some("80")), "http://h:80/x");
        assert_eq!(with_port("https://h", Some("443")), "https://h:443");
    }
}
