//! The HMAC of the body in one header, optionally with a signed timestamp (`<ts>.<body>`):
//! the manifest-configured `hmac` scheme, and the presets GitHub, Shopify and Cal.com use.

use super::{
    Incoming, SignContext, Signed, VerifyError, Window, decode, encode, mac, mac_matches,
    parse_timestamp,
};
use crate::manifest::HmacParams;

fn message<'a>(timestamp: Option<&'a str>, body: &'a [u8]) -> Vec<&'a [u8]> {
    match timestamp {
        Some(ts) => vec![ts.as_bytes(), b".", body],
        None => vec![body],
    }
}

pub fn sign(params: &HmacParams, secret: &str, body: &[u8], ctx: &SignContext) -> Signed {
    let ts = ctx.timestamp.to_string();
    let ts = params.timestamp_header.as_ref().map(|_| ts.as_str());
    let tag = mac(params.algorithm, secret.as_bytes(), &message(ts, body));
    let mut signed = Signed::header(
        &params.header,
        format!("{}{}", params.prefix, encode(params.encoding, &tag)),
    );
    if let (Some(header), Some(ts)) = (&params.timestamp_header, ts) {
        signed.headers.push((header.clone(), ts.to_owned()));
    }
    signed
}

pub fn verify(
    params: &HmacParams,
    secret: &str,
    req: &Incoming,
    window: &Window,
) -> Result<(), VerifyError> {
    let value = req.headers.require(&params.header)?;
    let Some(text) = value.strip_prefix(params.prefix.as_str()) else {
        return Err(VerifyError::malformed(
            &params.header,
            format!("expected it to start with `{}`", params.prefix),
        ));
    };
    let tag = decode(params.encoding, &params.header, text)?;
    let timestamp = match &params.timestamp_header {
        Some(header) => {
            let ts = req.headers.require(header)?;
            Some((ts, parse_timestamp(header, ts)?))
        }
        None => None,
    };
    let parts = message(timestamp.map(|(text, _)| text), req.body);
    if !mac_matches(params.algorithm, secret.as_bytes(), &parts, &tag) {
        return Err(VerifyError::SignatureMismatch);
    }
    match timestamp {
        Some((_, ts)) => window.check(ts),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{HmacAlgorithm, SignatureEncoding};
    use crate::webhook::Headers;

    fn params() -> HmacParams {
        HmacParams {
            algorithm: HmacAlgorithm::Sha512,
            encoding: SignatureEncoding::Base64,
            header: "X-Signature".into(),
            prefix: "v1=".into(),
            timestamp_header: Some("X-Timestamp".into()),
        }
    }

    #[test]
    fn round_trip_with_timestamp() {
        let ctx = SignContext {
            timestamp: 1_700_000_000,
            ..Default::default()
        };
        let signed = sign(&params(), "s3cret", b"{}", &ctx);
        let headers = Headers(signed.headers.clone());
        let req = Incoming {
            body: b"{}",
            headers: &headers,
            url: None,
        };
        let now = Window {
            now: 1_700_000_010,
            tolerance: 300,
        };
        assert_eq!(verify(&params(), "s3cret", &req, &now), Ok(()));
        let late = Window {
            now: 1_700_001_000,
            tolerance: 300,
        };
        assert!(matches!(
            verify(&params(), "s3cret", &req, &late),
            Err(VerifyError::TimestampTooOld { .. })
        ));
        let tampered = Incoming {
            body: b"{ }",
            ..req
        };
        assert_eq!(
            verify(&params(), "s3cret", &tampered, &now),
            Err(VerifyError::SignatureMismatch)
        );
        let no_ts = Headers(vec![signed.headers[0].clone()]);
        assert_eq!(
            verify(
                &params(),
                "s3cret",
                &Incoming {
                    headers: &no_ts,
                    ..req
                },
                &now
            ),
            Err(VerifyError::MissingHeader("X-Timestamp".into()))
        );
    }
}
