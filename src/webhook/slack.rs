//! Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<ts>:<body>">` with the timestamp in
//! `X-Slack-Request-Timestamp`, keyed with the app's signing secret.

use super::{
    Incoming, SignContext, Signed, VerifyError, Window, mac, mac_matches, parse_timestamp,
};
use crate::manifest::HmacAlgorithm;

const SIGNATURE: &str = "X-Slack-Signature";
const TIMESTAMP: &str = "X-Slack-Request-Timestamp";

pub fn sign(secret: &str, body: &[u8], ctx: &SignContext) -> Signed {
    let ts = ctx.timestamp.to_string();
    let tag = mac(
        HmacAlgorithm::Sha256,
        secret.as_bytes(),
        &[b"v0:", ts.as_bytes(), b":", body],
    );
    Signed {
        headers: vec![
            (TIMESTAMP.to_owned(), ts),
            (SIGNATURE.to_owned(), format!("v0={}", hex::encode(tag))),
        ],
        query: Vec::new(),
    }
}

pub fn verify(secret: &str, req: &Incoming, window: &Window) -> Result<(), VerifyError> {
    let signature = req.headers.require(SIGNATURE)?;
    let ts_text = req.headers.require(TIMESTAMP)?;
    let timestamp = parse_timestamp(TIMESTAMP, ts_text)?;
    let Some(hex_tag) = signature.strip_prefix("v0=") else {
        return Err(VerifyError::malformed(
            SIGNATURE,
            "expected it to start with `v0=`",
        ));
    };
    let tag = hex::decode(hex_tag)
        .map_err(|_| VerifyError::malformed(SIGNATURE, "the signature is not hexadecimal"))?;
    if !mac_matches(
        HmacAlgorithm::Sha256,
        secret.as_bytes(),
        &[b"v0:", ts_text.as_bytes(), b":", req.body],
        &tag,
    ) {
        return Err(VerifyError::SignatureMismatch);
    }
    window.check(timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::Headers;

    /// The example in Slack's "Verifying requests from Slack".
    #[test]
    fn documented_vector() {
        let secret = "8f742231b10e8888abcd99yyyzzz85a5";
        let body = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        let ctx = SignContext {
            timestamp: 1_531_420_618,
            ..Default::default()
        };
        let signed = sign(secret, body, &ctx);
        assert_eq!(
            signed.headers[1].1,
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
        );
        let headers = Headers(signed.headers);
        let req = Incoming {
            body,
            headers: &headers,
            url: None,
        };
        let then = Window {
            now: 1_531_420_618 + 60,
            tolerance: 300,
        };
        assert_eq!(verify(secret, &req, &then), Ok(()));
        let later = Window {
            now: 1_531_420_618 + 301,
            ..then
        };
        assert!(matches!(
            verify(secret, &req, &later),
            Err(VerifyError::TimestampTooOld { age: 301, .. })
        ));
        let only_sig = Headers(vec![headers.0[1].clone()]);
        assert_eq!(
            verify(
                secret,
                &Incoming {
                    headers: &only_sig,
                    ..req
                },
                &then
            ),
            Err(VerifyError::MissingHeader(TIMESTAMP.into()))
        );
    }
}
