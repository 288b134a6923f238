//! Svix and Standard Webhooks (one algorithm, two header spellings): `<prefix>-signature:
//! v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed with the base64 bytes of a
//! `whsec_…` secret. Svix (Clerk, Resend) sends `svix-id`/`svix-timestamp`/`svix-signature`;
//! Standard Webhooks (OpenAI, Anthropic) sends `webhook-id`/`webhook-timestamp`/
//! `webhook-signature`. Verifying accepts either spelling, as the official libraries do.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{
    Incoming, SignContext, SignError, Signed, VerifyError, Window, mac, mac_matches,
    parse_timestamp, sample,
};
use crate::manifest::HmacAlgorithm;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    Svix,
    Standard,
}

impl Spelling {
    fn prefix(self) -> &'static str {
        match self {
            Spelling::Svix => "svix",
            Spelling::Standard => "webhook",
        }
    }
}

/// The signing key: the base64-decoded part after `whsec_`.
fn key(secret: &str) -> Result<Vec<u8>, String> {
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    STANDARD
        .decode(encoded.trim())
        .map_err(|_| "a Svix / Standard Webhooks secret is `whsec_` followed by base64".to_owned())
}

pub fn sign(
    spelling: Spelling,
    secret: &str,
    body: &[u8],
    ctx: &SignContext,
) -> Result<Signed, SignError> {
    let key = key(secret).map_err(SignError::Secret)?;
    let id = ctx
        .id
        .clone()
        .unwrap_or_else(|| format!("msg_{}", sample::alnum(27)));
    let ts = ctx.timestamp.to_string();
    let tag = mac(
        HmacAlgorithm::Sha256,
        &key,
        &[id.as_bytes(), b".", ts.as_bytes(), b".", body],
    );
    let p = spelling.prefix();
    Ok(Signed {
        headers: vec![
            (format!("{p}-id"), id),
            (format!("{p}-timestamp"), ts),
            (
                format!("{p}-signature"),
                format!("v1,{}", STANDARD.encode(tag)),
            ),
        ],
        query: Vec::new(),
    })
}

/// A header in either spelling: `svix-<name>` or `webhook-<name>`.
fn header<'a>(req: &'a Incoming, name: &str) -> Result<(String, &'a str), VerifyError> {
    for p in ["svix", "webhook"] {
        let full = format!("{p}-{name}");
        if let Some(v) = req.headers.get(&full) {
            return Ok((full, v.trim()));
        }
    }
    Err(VerifyError::MissingHeader(format!(
        "svix-{name} (or webhook-{name})"
    )))
}

pub fn verify(secret: &str, req: &Incoming, window: &Window) -> Result<(), VerifyError> {
    let key = key(secret).map_err(VerifyError::Secret)?;
    let (_, id) = header(req, "id")?;
    let (ts_name, ts_text) = header(req, "timestamp")?;
    let (sig_name, signatures) = header(req, "signature")?;
    let timestamp = parse_timestamp(&ts_name, ts_text)?;
    let v1: Vec<&str> = signatures
        .split_whitespace()
        .filter_map(|s| s.strip_prefix("v1,"))
        .collect();
    if v1.is_empty() {
        return Err(VerifyError::malformed(
            &sig_name,
            "no `v1,<base64>` signature",
        ));
    }
    let parts: [&[u8]; 5] = [id.as_bytes(), b".", ts_text.as_bytes(), b".", req.body];
    let matched = v1.iter().any(|sig| {
        STANDARD
            .decode(sig)
            .is_ok_and(|tag| mac_matches(HmacAlgorithm::Sha256, &key, &parts, &tag))
    });
    if !matched {
        return Err(VerifyError::SignatureMismatch);
    }
    window.check(timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::Headers;

    /// The example in Svix's "Verifying webhooks manually".
    #[test]
    fn documented_vector() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let ctx = SignContext {
            timestamp: 1_614_265_330,
            id: Some("msg_p5jXN8AQM9LWM0D4loKWxJek".into()),
            url: None,
        };
        let body = br#"{"test": 2432232314}"#;
        let signed = sign(Spelling::Svix, secret, body, &ctx).unwrap();
        assert_eq!(
            signed.headers[2],
            (
                "svix-signature".to_owned(),
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".to_owned()
            )
        );
        let w = Window {
            now: 1_614_265_330,
            tolerance: 300,
        };
        // Standard Webhooks spelling, several signatures (a rolled secret): still valid.
        let standard = Headers(vec![
            ("webhook-id".into(), "msg_p5jXN8AQM9LWM0D4loKWxJek".into()),
            ("webhook-timestamp".into(), "1614265330".into()),
            (
                "webhook-signature".into(),
                "v1,AAAA v1a,ignored v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".into(),
            ),
        ]);
        let req = Incoming {
            body,
            headers: &standard,
            url: None,
        };
        assert_eq!(verify(secret, &req, &w), Ok(()));
        assert_eq!(
            verify(secret, &Incoming { body: b"{}", ..req }, &w),
            Err(VerifyError::SignatureMismatch)
        );
        assert!(matches!(
            verify("whsec_%%%", &req, &w),
            Err(VerifyError::Secret(_))
        ));
        let none = Headers::default();
        assert_eq!(
            verify(
                secret,
                &Incoming {
                    headers: &none,
                    ..req
                },
                &w
            )
            .unwrap_err()
            .to_string(),
            "missing header svix-id (or webhook-id)"
        );
    }

    #[test]
    fn standard_spelling_signs_webhook_headers() {
        let ctx = SignContext {
            timestamp: 1,
            ..Default::default()
        };
        let signed = sign(Spelling::Standard, "whsec_c2VjcmV0", b"{}", &ctx).unwrap();
        let names: Vec<&str> = signed.headers.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            ["webhook-id", "webhook-timestamp", "webhook-signature"]
        );
        assert!(signed.headers[0].1.starts_with("msg_"));
    }
}
