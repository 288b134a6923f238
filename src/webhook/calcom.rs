//! Cal.com: `X-Cal-Signature-256: <hex HMAC-SHA256 of the body>`, keyed with the webhook's
//! secret. No timestamp is signed; the body's `triggerEvent` names the event.

use crate::manifest::{HmacAlgorithm, HmacParams, SignatureEncoding};

pub fn params() -> HmacParams {
    HmacParams {
        algorithm: HmacAlgorithm::Sha256,
        encoding: SignatureEncoding::Hex,
        header: "X-Cal-Signature-256".into(),
        prefix: String::new(),
        timestamp_header: None,
    }
}

#[cfg(test)]
mod tests {
    use crate::webhook::{Headers, Incoming, Scheme, SignContext, VerifyError, Window};

    #[test]
    fn hex_of_the_body_hmac() {
        let scheme = Scheme::named("calcom", None).unwrap();
        let body = br#"{"triggerEvent":"BOOKING_CREATED"}"#;
        // echo -n "$body" | openssl dgst -sha256 -hmac cal-secret
        let signed = scheme
            .sign("cal-secret", body, &SignContext::default())
            .unwrap();
        assert_eq!(
            signed.headers,
            vec![(
                "X-Cal-Signature-256".to_owned(),
                "cf51df2893fd71b1980d99a59a5eee3d05546826f8dadd9e562d4cde9f50acf4".to_owned()
            )]
        );
        let headers = Headers(signed.headers);
        let req = Incoming {
            body,
            headers: &headers,
            url: None,
        };
        assert_eq!(scheme.verify("cal-secret", &req, &Window::new(300)), Ok(()));
        let missing = Headers::default();
        assert_eq!(
            scheme.verify(
                "cal-secret",
                &Incoming {
                    headers: &missing,
                    ..req
                },
                &Window::new(300)
            ),
            Err(VerifyError::MissingHeader("X-Cal-Signature-256".into()))
        );
    }
}
