//! Vipps MobilePay (Webhooks API, used by ePayment): `Authorization: HMAC-SHA256
//! SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<base64>`, the HMAC-SHA256
//! (keyed with the secret returned when the webhook was registered, as text) of
//! `POST\n<path and query>\n<x-ms-date>;<host>;<x-ms-content-sha256>`, where
//! `x-ms-content-sha256` is the base64 SHA-256 of the body and `x-ms-date` an HTTP date. The
//! path, query and host are those of the URL Vipps called (the registered webhook URL).

use std::time::{Duration, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use super::{Incoming, SignContext, SignError, Signed, VerifyError, Window, mac, mac_matches};
use crate::manifest::HmacAlgorithm;

const DATE: &str = "x-ms-date";
const CONTENT: &str = "x-ms-content-sha256";
const AUTHORIZATION: &str = "Authorization";
const SCHEME_PREFIX: &str =
    "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=";

/// The path and query, and the host (with a non-default port) of a URL.
fn target(url: &str) -> Option<(String, String)> {
    let u = url::Url::parse(url).ok()?;
    let mut path = u.path().to_owned();
    if let Some(q) = u.query() {
        path.push('?');
        path.push_str(q);
    }
    let host = match u.port() {
        Some(p) => format!("{}:{p}", u.host_str()?),
        None => u.host_str()?.to_owned(),
    };
    Some((path, host))
}

fn signed_text(path: &str, date: &str, host: &str, content: &str) -> String {
    format!("POST\n{path}\n{date};{host};{content}")
}

pub fn sign(secret: &str, body: &[u8], ctx: &SignContext) -> Result<Signed, SignError> {
    let url = ctx.url.as_deref().ok_or(SignError::NeedsUrl("vipps"))?;
    let (path, host) = target(url).ok_or(SignError::NeedsUrl("vipps"))?;
    let secs = u64::try_from(ctx.timestamp).unwrap_or_default();
    let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs));
    let content = STANDARD.encode(Sha256::digest(body));
    let text = signed_text(&path, &date, &host, &content);
    let tag = mac(HmacAlgorithm::Sha256, secret.as_bytes(), &[text.as_bytes()]);
    Ok(Signed {
        headers: vec![
            (DATE.to_owned(), date),
            (CONTENT.to_owned(), content),
            (
                AUTHORIZATION.to_owned(),
                format!("{SCHEME_PREFIX}{}", STANDARD.encode(tag)),
            ),
        ],
        query: Vec::new(),
    })
}

pub fn verify(secret: &str, req: &Incoming, window: &Window) -> Result<(), VerifyError> {
    let authorization = req.headers.require(AUTHORIZATION)?;
    let date = req.headers.require(DATE)?;
    let content = req.headers.require(CONTENT)?;
    let url = req.url.ok_or(VerifyError::NeedsUrl("vipps"))?;
    let (path, host) = target(url).ok_or(VerifyError::NeedsUrl("vipps"))?;
    let Some(signature) = authorization.strip_prefix(SCHEME_PREFIX) else {
        return Err(VerifyError::malformed(
            AUTHORIZATION,
            "expected `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=…`",
        ));
    };
    let tag = STANDARD
        .decode(signature)
        .map_err(|_| VerifyError::malformed(AUTHORIZATION, "the signature is not base64"))?;
    let signed_at = httpdate::parse_http_date(date)
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .ok_or_else(|| VerifyError::malformed(DATE, format!("`{date}` is not an HTTP date")))?;
    let actual = STANDARD.encode(Sha256::digest(req.body));
    if actual != content {
        return Err(VerifyError::Body(format!(
            "its SHA-256 differs from the {CONTENT} header"
        )));
    }
    let text = signed_text(&path, date, &host, content);
    if !mac_matches(
        HmacAlgorithm::Sha256,
        secret.as_bytes(),
        &[text.as_bytes()],
        &tag,
    ) {
        return Err(VerifyError::SignatureMismatch);
    }
    window.check(signed_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::Headers;

    const SECRET: &str =
        "A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A==";
    const URL: &str = "https://webhook.site/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63";
    const BODY: &[u8] =
        br#"{"some-unique-content":"ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world"}"#;
    /// Thu, 30 Mar 2023 08:38:32 GMT
    const AT: i64 = 1_680_165_512;

    /// The sample values in Vipps MobilePay's "Webhooks API: Request authentication".
    #[test]
    fn documented_vector() {
        let ctx = SignContext {
            timestamp: AT,
            url: Some(URL.into()),
            id: None,
        };
        let signed = sign(SECRET, BODY, &ctx).unwrap();
        assert_eq!(
            signed.headers,
            vec![
                (DATE.to_owned(), "Thu, 30 Mar 2023 08:38:32 GMT".to_owned()),
                (
                    CONTENT.to_owned(),
                    "lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4=".to_owned()
                ),
                (
                    AUTHORIZATION.to_owned(),
                    "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U="
                        .to_owned()
                ),
            ]
        );
        let headers = Headers(signed.headers);
        let req = Incoming {
            body: BODY,
            headers: &headers,
            url: Some(URL),
        };
        let then = Window {
            now: AT + 5,
            tolerance: 300,
        };
        assert_eq!(verify(SECRET, &req, &then), Ok(()));
        assert!(matches!(
            verify(SECRET, &req, &Window::new(300)),
            Err(VerifyError::TimestampTooOld { .. })
        ));
        assert!(matches!(
            verify(SECRET, &Incoming { body: b"{}", ..req }, &then),
            Err(VerifyError::Body(_))
        ));
        let elsewhere = Incoming {
            url: Some("https://webhook.site/other"),
            ..req
        };
        assert_eq!(
            verify(SECRET, &elsewhere, &then),
            Err(VerifyError::SignatureMismatch)
        );
    }

    #[test]
    fn host_keeps_a_non_default_port() {
        assert_eq!(
            target("http://127.0.0.1:3000/api/webhooks/vipps?x=1"),
            Some((
                "/api/webhooks/vipps?x=1".to_owned(),
                "127.0.0.1:3000".to_owned()
            ))
        );
    }
}
