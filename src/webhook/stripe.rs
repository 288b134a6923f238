//! Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed
//! with the whole endpoint secret (`whsec_…` as text). Several `v1` entries may be present
//! while a secret is rolled; any one matching is enough.

use super::{
    Incoming, SignContext, Signed, VerifyError, Window, mac, mac_matches, parse_timestamp,
};
use crate::manifest::HmacAlgorithm;

const HEADER: &str = "Stripe-Signature";

pub fn sign(secret: &str, body: &[u8], ctx: &SignContext) -> Signed {
    let t = ctx.timestamp.to_string();
    let tag = mac(
        HmacAlgorithm::Sha256,
        secret.as_bytes(),
        &[t.as_bytes(), b".", body],
    );
    Signed::header(HEADER, format!("t={t},v1={}", hex::encode(tag)))
}

pub fn verify(secret: &str, req: &Incoming, window: &Window) -> Result<(), VerifyError> {
    let value = req.headers.require(HEADER)?;
    let mut t = None;
    let mut signatures = Vec::new();
    for item in value.split(',') {
        let Some((key, val)) = item.trim().split_once('=') else {
            return Err(VerifyError::malformed(
                HEADER,
                format!("`{}` is not key=value", item.trim()),
            ));
        };
        match key {
            "t" => t = Some(val),
            "v1" => signatures.push(val),
            _ => {}
        }
    }
    let Some(t) = t else {
        return Err(VerifyError::malformed(HEADER, "no timestamp (t=…)"));
    };
    let timestamp = parse_timestamp(HEADER, t)?;
    if signatures.is_empty() {
        return Err(VerifyError::malformed(HEADER, "no v1 signature"));
    }
    let matched = signatures.iter().any(|sig| {
        hex::decode(sig).is_ok_and(|tag| {
            mac_matches(
                HmacAlgorithm::Sha256,
                secret.as_bytes(),
                &[t.as_bytes(), b".", req.body],
                &tag,
            )
        })
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

    const SECRET: &str = "whsec_test_secret";

    fn req<'a>(headers: &'a Headers, body: &'a [u8]) -> Incoming<'a> {
        Incoming {
            body,
            headers,
            url: None,
        }
    }

    #[test]
    fn signs_and_verifies() {
        let ctx = SignContext {
            timestamp: 1_492_774_577,
            ..Default::default()
        };
        let signed = sign(SECRET, b"{\"id\":\"evt_1\"}", &ctx);
        // python3 -c 'import hmac,hashlib;print(hmac.new(b"whsec_test_secret",b"1492774577.{\"id\":\"evt_1\"}",hashlib.sha256).hexdigest())'
        assert_eq!(
            signed.headers[0].1,
            "t=1492774577,v1=799c4ba7bb339f3c8601adfd112f0e477c930a268be1243d341abb8286501c2f"
        );
        let headers = Headers(signed.headers);
        let w = Window {
            now: 1_492_774_600,
            tolerance: 300,
        };
        assert_eq!(
            verify(SECRET, &req(&headers, b"{\"id\":\"evt_1\"}"), &w),
            Ok(())
        );
        assert_eq!(
            verify(SECRET, &req(&headers, b"{\"id\":\"evt_2\"}"), &w),
            Err(VerifyError::SignatureMismatch)
        );
    }

    #[test]
    fn a_second_v1_for_a_rolled_secret_is_accepted() {
        let ctx = SignContext {
            timestamp: 100,
            ..Default::default()
        };
        let good = sign(SECRET, b"x", &ctx).headers[0].1.clone();
        let v1 = good.split("v1=").nth(1).unwrap_or_default();
        let both = Headers(vec![(
            HEADER.into(),
            format!("t=100,v1={},v1={v1},v0=ignored", "00".repeat(32)),
        )]);
        let w = Window {
            now: 100,
            tolerance: 300,
        };
        assert_eq!(verify(SECRET, &req(&both, b"x"), &w), Ok(()));
    }

    #[test]
    fn malformed_headers_say_what_is_wrong() {
        let w = Window {
            now: 100,
            tolerance: 300,
        };
        for (value, why) in [
            ("v1=ab", "no timestamp"),
            ("t=100", "no v1 signature"),
            ("t=abc,v1=ab", "not Unix seconds"),
            ("garbage", "not key=value"),
        ] {
            let h = Headers(vec![(HEADER.into(), value.into())]);
            let err = verify(SECRET, &req(&h, b"x"), &w).unwrap_err();
            assert!(err.to_string().contains(why), "{value}: {err}");
        }
    }
}
