//! Webhooks: the signature schemes providers use, implemented once and named by manifests,
//! and what is built on them — signing a payload, verifying a delivery, sending sample events
//! (`trigger`), receiving them (`listen`) and sending saved ones again (`replay`).
//!
//! Guarantees: a signature is always compared in constant time (`Mac::verify_slice`); a signed
//! timestamp outside the tolerance fails in both directions; a secret is only ever an input
//! (it is never part of a [`Signed`] value, an error or a saved request).

mod calcom;
pub mod clock;
pub mod event;
mod generic;
mod github;
pub mod listen;
mod paymob;
pub mod sample;
pub mod send;
mod shopify;
mod slack;
pub mod store;
mod stripe;
mod svix;
pub mod trigger;
mod twilio;
mod vipps;

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::manifest::{HmacAlgorithm, HmacParams, SignatureEncoding, Webhooks};

/// The default signature timestamp tolerance, in seconds (as Stripe, Slack and Svix use).
pub const DEFAULT_TOLERANCE: i64 = 300;

/// One signature scheme, as a manifest's `webhooks.scheme` names it.
#[derive(Debug, Clone)]
pub enum Scheme {
    /// `Stripe-Signature: t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<body>">`.
    Stripe,
    /// `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<ts>:<body>">`.
    Slack,
    /// Svix / Standard Webhooks: base64 HMAC-SHA256 of `<id>.<ts>.<body>` with a `whsec_` key;
    /// the spelling decides which header names are sent (both are accepted).
    Svix(svix::Spelling),
    /// HMAC-SHA1 of the URL followed by the sorted form parameters (`X-Twilio-Signature`).
    Twilio,
    /// HMAC-SHA512 of fixed fields of the JSON body, sent as the `hmac` query parameter.
    Paymob,
    /// Vipps MobilePay: HMAC-SHA256 of method, path, date, host and content hash.
    Vipps,
    /// An HMAC of the body (optionally `<ts>.<body>`) in one header: GitHub, Shopify, Cal.com
    /// and the manifest-configured `hmac` scheme.
    Hmac(HmacParams),
}

impl Scheme {
    /// The scheme a manifest's `webhooks` block names.
    pub fn from_manifest(hooks: &Webhooks) -> Result<Scheme> {
        Scheme::named(hooks.scheme.as_str(), hooks.hmac.as_ref())
    }

    pub fn named(name: &str, params: Option<&HmacParams>) -> Result<Scheme> {
        Ok(match name {
            "stripe" => Scheme::Stripe,
            "slack" => Scheme::Slack,
            "svix" => Scheme::Svix(svix::Spelling::Svix),
            "standard-webhooks" => Scheme::Svix(svix::Spelling::Standard),
            "twilio" => Scheme::Twilio,
            "paymob" => Scheme::Paymob,
            "vipps" => Scheme::Vipps,
            "github" => Scheme::Hmac(github::params()),
            "shopify" => Scheme::Hmac(shopify::params()),
            "calcom" => Scheme::Hmac(calcom::params()),
            "hmac" => Scheme::Hmac(params.cloned().ok_or_else(|| {
                Error::invalid("the `hmac` webhook scheme needs an `hmac:` block in the manifest")
            })?),
            other => {
                return Err(Error::invalid(format!(
                    "unknown webhook scheme `{other}`; known schemes: {}",
                    crate::manifest::validate::WEBHOOK_SCHEMES.join(", ")
                )));
            }
        })
    }

    /// Whether the signature covers the request URL, so signing and verifying need it.
    pub fn signs_url(&self) -> bool {
        matches!(self, Scheme::Twilio | Scheme::Vipps | Scheme::Paymob)
    }

    /// The headers (and query parameters) that sign `body` as the provider would.
    pub fn sign(&self, secret: &str, body: &[u8], ctx: &SignContext) -> Result<Signed, SignError> {
        match self {
            Scheme::Stripe => Ok(stripe::sign(secret, body, ctx)),
            Scheme::Slack => Ok(slack::sign(secret, body, ctx)),
            Scheme::Svix(spelling) => svix::sign(*spelling, secret, body, ctx),
            Scheme::Twilio => twilio::sign(secret, body, ctx),
            Scheme::Paymob => paymob::sign(secret, body),
            Scheme::Vipps => vipps::sign(secret, body, ctx),
            Scheme::Hmac(params) => Ok(generic::sign(params, secret, body, ctx)),
        }
    }

    /// Check a received request; `Err` says why it is not authentic.
    pub fn verify(&self, secret: &str, req: &Incoming, window: &Window) -> Result<(), VerifyError> {
        match self {
            Scheme::Stripe => stripe::verify(secret, req, window),
            Scheme::Slack => slack::verify(secret, req, window),
            Scheme::Svix(_) => svix::verify(secret, req, window),
            Scheme::Twilio => twilio::verify(secret, req),
            Scheme::Paymob => paymob::verify(secret, req),
            Scheme::Vipps => vipps::verify(secret, req, window),
            Scheme::Hmac(params) => generic::verify(params, secret, req, window),
        }
    }
}

/// What a signature may cover besides the body.
#[derive(Debug, Clone, Default)]
pub struct SignContext {
    /// Unix seconds the signature is made at.
    pub timestamp: i64,
    /// The URL the request is sent to, exactly as the receiver is configured with it.
    pub url: Option<String>,
    /// The message id (Svix), when the caller chooses one.
    pub id: Option<String>,
}

/// A signature: headers to send, and query parameters to add to the URL (Paymob, Twilio's
/// `bodySHA256`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signed {
    pub headers: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
}

impl Signed {
    fn header(name: &str, value: String) -> Self {
        Signed {
            headers: vec![(name.to_owned(), value)],
            query: Vec::new(),
        }
    }

    /// `url` with the signature's query parameters appended.
    pub fn url(&self, url: &str) -> String {
        with_query(url, &self.query)
    }
}

/// `url` with `pairs` appended to its query string.
pub fn with_query(url: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return url.to_owned();
    }
    let encoded: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let sep = if base.contains('?') {
        if base.ends_with('?') || base.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    match fragment {
        Some(f) => format!("{base}{sep}{encoded}#{f}"),
        None => format!("{base}{sep}{encoded}"),
    }
}

/// Why a payload cannot be signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignError {
    /// The scheme signs the URL and none was given.
    NeedsUrl(&'static str),
    /// The secret has the wrong shape (a Svix secret that is not base64).
    Secret(String),
    /// The body is not what the scheme signs (Paymob needs its JSON callback).
    Body(String),
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignError::NeedsUrl(scheme) => write!(
                f,
                "the {scheme} scheme signs the request URL: pass --url with the URL the provider calls"
            ),
            SignError::Secret(why) => write!(f, "unusable webhook secret: {why}"),
            SignError::Body(why) => write!(f, "cannot sign this payload: {why}"),
        }
    }
}

/// Why a request is not authentic. `Display` is the reason shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    MissingHeader(String),
    /// The scheme signs the URL and none is known.
    NeedsUrl(&'static str),
    MissingQuery(&'static str),
    MalformedHeader {
        header: String,
        why: String,
    },
    SignatureMismatch,
    TimestampTooOld {
        age: i64,
        tolerance: i64,
    },
    TimestampInFuture {
        ahead: i64,
        tolerance: i64,
    },
    /// The body is not what the scheme signs (Paymob's JSON, Twilio's body hash).
    Body(String),
    Secret(String),
}

impl VerifyError {
    /// Whether this is the caller's mistake (a usage error) rather than a bad request.
    pub fn is_usage(&self) -> bool {
        matches!(self, VerifyError::NeedsUrl(_) | VerifyError::Secret(_))
    }

    fn malformed(header: &str, why: impl Into<String>) -> Self {
        VerifyError::MalformedHeader {
            header: header.to_owned(),
            why: why.into(),
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::MissingHeader(h) => write!(f, "missing header {h}"),
            VerifyError::NeedsUrl(scheme) => write!(
                f,
                "the {scheme} scheme signs the request URL: pass --url with the URL the provider called"
            ),
            VerifyError::MissingQuery(p) => write!(f, "missing `{p}` query parameter in the URL"),
            VerifyError::MalformedHeader { header, why } => {
                write!(f, "malformed header {header}: {why}")
            }
            VerifyError::SignatureMismatch => write!(
                f,
                "signature mismatch: the body, the URL or the secret differ from what was signed"
            ),
            VerifyError::TimestampTooOld { age, tolerance } => write!(
                f,
                "timestamp too old: signed {age} s ago, the tolerance is {tolerance} s"
            ),
            VerifyError::TimestampInFuture { ahead, tolerance } => write!(
                f,
                "timestamp in the future: {ahead} s ahead of this clock, the tolerance is {tolerance} s"
            ),
            VerifyError::Body(why) => write!(f, "unexpected body: {why}"),
            VerifyError::Secret(why) => write!(f, "unusable webhook secret: {why}"),
        }
    }
}

/// HTTP headers of a request, in order, looked up case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Headers(pub Vec<(String, String)>);

impl Headers {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of `name`, or the error naming the missing header.
    fn require(&self, name: &str) -> Result<&str, VerifyError> {
        self.get(name)
            .map(str::trim)
            .ok_or_else(|| VerifyError::MissingHeader(name.to_owned()))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Parse `Name: value` (as `--header` takes it).
    pub fn parse_line(line: &str) -> Result<(String, String), String> {
        match line.split_once(':') {
            Some((name, value))
                if !name.trim().is_empty() && name.trim().bytes().all(|b| b.is_ascii_graphic()) =>
            {
                Ok((name.trim().to_owned(), value.trim().to_owned()))
            }
            _ => Err(format!(
                "`{line}` is not a header; write it as 'Name: value'"
            )),
        }
    }
}

/// A received request, as far as a signature can cover it.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    pub body: &'a [u8],
    pub headers: &'a Headers,
    /// The URL the sender called (scheme, host, path and query), when known.
    pub url: Option<&'a str>,
}

/// The clock a timestamp is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Unix seconds now.
    pub now: i64,
    /// Seconds a signed timestamp may differ from `now`, either way.
    pub tolerance: i64,
}

impl Window {
    pub fn new(tolerance: i64) -> Self {
        Window {
            now: clock::now(),
            tolerance,
        }
    }

    fn check(&self, timestamp: i64) -> Result<(), VerifyError> {
        let age = self.now.saturating_sub(timestamp);
        if age > self.tolerance {
            Err(VerifyError::TimestampTooOld {
                age,
                tolerance: self.tolerance,
            })
        } else if -age > self.tolerance {
            Err(VerifyError::TimestampInFuture {
                ahead: -age,
                tolerance: self.tolerance,
            })
        } else {
            Ok(())
        }
    }
}

/// A Unix timestamp in seconds from a header value.
fn parse_timestamp(header: &str, value: &str) -> Result<i64, VerifyError> {
    value.trim().parse().map_err(|_| {
        VerifyError::malformed(header, format!("timestamp `{value}` is not Unix seconds"))
    })
}

/// HMAC of the concatenation of `parts`.
fn mac(algorithm: HmacAlgorithm, key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    fn run<M: Mac + KeyInit>(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        match <M as KeyInit>::new_from_slice(key) {
            Ok(mut m) => {
                for p in parts {
                    m.update(p);
                }
                m.finalize().into_bytes().to_vec()
            }
            // HMAC takes keys of any length; this arm is unreachable in practice.
            Err(_) => Vec::new(),
        }
    }
    match algorithm {
        HmacAlgorithm::Sha1 => run::<Hmac<sha1::Sha1>>(key, parts),
        HmacAlgorithm::Sha256 => run::<Hmac<sha2::Sha256>>(key, parts),
        HmacAlgorithm::Sha512 => run::<Hmac<sha2::Sha512>>(key, parts),
    }
}

/// Whether `tag` is the HMAC of `parts`, compared in constant time.
fn mac_matches(algorithm: HmacAlgorithm, key: &[u8], parts: &[&[u8]], tag: &[u8]) -> bool {
    fn run<M: Mac + KeyInit>(key: &[u8], parts: &[&[u8]], tag: &[u8]) -> bool {
        let Ok(mut m) = <M as KeyInit>::new_from_slice(key) else {
            return false;
        };
        for p in parts {
            m.update(p);
        }
        m.verify_slice(tag).is_ok()
    }
    match algorithm {
        HmacAlgorithm::Sha1 => run::<Hmac<sha1::Sha1>>(key, parts, tag),
        HmacAlgorithm::Sha256 => run::<Hmac<sha2::Sha256>>(key, parts, tag),
        HmacAlgorithm::Sha512 => run::<Hmac<sha2::Sha512>>(key, parts, tag),
    }
}

fn encode(encoding: SignatureEncoding, bytes: &[u8]) -> String {
    use base64::Engine as _;
    match encoding {
        SignatureEncoding::Hex => hex::encode(bytes),
        SignatureEncoding::Base64 => base64::engine::general_purpose::STANDARD.encode(bytes),
    }
}

/// Decode a signature as it appears in `header`.
fn decode(encoding: SignatureEncoding, header: &str, text: &str) -> Result<Vec<u8>, VerifyError> {
    use base64::Engine as _;
    match encoding {
        SignatureEncoding::Hex => hex::decode(text.trim())
            .map_err(|_| VerifyError::malformed(header, "the signature is not hexadecimal")),
        SignatureEncoding::Base64 => base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| VerifyError::malformed(header, "the signature is not base64")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::validate::WEBHOOK_SCHEMES;

    #[test]
    fn every_manifest_scheme_name_is_implemented() {
        let params = HmacParams {
            algorithm: HmacAlgorithm::Sha256,
            encoding: SignatureEncoding::Hex,
            header: "X-Signature".into(),
            prefix: String::new(),
            timestamp_header: None,
        };
        for name in WEBHOOK_SCHEMES {
            assert!(Scheme::named(name, Some(&params)).is_ok(), "{name}");
        }
        assert!(Scheme::named("hmac", None).is_err());
        assert!(Scheme::named("carrier-pigeon", None).is_err());
    }

    #[test]
    fn windows_fail_both_ways() {
        let w = Window {
            now: 1_000_000,
            tolerance: 300,
        };
        assert!(w.check(1_000_000 - 300).is_ok());
        assert!(w.check(1_000_000 + 300).is_ok());
        assert_eq!(
            w.check(1_000_000 - 301),
            Err(VerifyError::TimestampTooOld {
                age: 301,
                tolerance: 300
            })
        );
        assert!(matches!(
            w.check(1_000_000 + 400),
            Err(VerifyError::TimestampInFuture { ahead: 400, .. })
        ));
    }

    #[test]
    fn query_is_appended() {
        let q = vec![("hmac".to_owned(), "ab".to_owned())];
        assert_eq!(with_query("http://x/cb", &q), "http://x/cb?hmac=ab");
        assert_eq!(with_query("http://x/cb?a=1", &q), "http://x/cb?a=1&hmac=ab");
        assert_eq!(
            with_query("http://x/cb?a=1#f", &q),
            "http://x/cb?a=1&hmac=ab#f"
        );
    }

    #[test]
    fn header_lines() {
        assert_eq!(
            Headers::parse_line("Stripe-Signature: t=1,v1=ab"),
            Ok(("Stripe-Signature".into(), "t=1,v1=ab".into()))
        );
        assert!(Headers::parse_line("no colon").is_err());
        assert!(Headers::parse_line(": empty").is_err());
        let h = Headers(vec![("X-A".into(), "1".into())]);
        assert_eq!(h.get("x-a"), Some("1"));
    }
}
