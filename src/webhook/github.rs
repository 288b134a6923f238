//! GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, keyed with the
//! webhook secret. GitHub signs no timestamp; `X-GitHub-Delivery` identifies a delivery.

use crate::manifest::{HmacAlgorithm, HmacParams, SignatureEncoding};

pub fn params() -> HmacParams {
    HmacParams {
        algorithm: HmacAlgorithm::Sha256,
        encoding: SignatureEncoding::Hex,
        header: "X-Hub-Signature-256".into(),
        prefix: "sha256=".into(),
        timestamp_header: None,
    }
}

#[cfg(test)]
mod tests {
    use crate::webhook::{Headers, Incoming, Scheme, SignContext, VerifyError, Window};

    /// The example in GitHub's "Validating webhook deliveries".
    #[test]
    fn documented_vector() {
        let scheme = Scheme::named("github", None).unwrap();
        let signed = scheme
            .sign(
                "It's a Secret to Everybody",
                b"Hello, World!",
                &SignContext::default(),
            )
            .unwrap();
        assert_eq!(
            signed.headers,
            vec![(
                "X-Hub-Signature-256".to_owned(),
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
                    .to_owned()
            )]
        );
        let headers = Headers(signed.headers);
        let req = Incoming {
            body: b"Hello, World!",
            headers: &headers,
            url: None,
        };
        let w = Window::new(300);
        assert_eq!(
            scheme.verify("It's a Secret to Everybody", &req, &w),
            Ok(())
        );
        assert_eq!(
            scheme.verify(
                "It's a Secret to Everybody",
                &Incoming {
                    body: b"Hello, World?",
                    ..req
                },
                &w
            ),
            Err(VerifyError::SignatureMismatch)
        );
        let bare = Headers(vec![("X-Hub-Signature-256".into(), "757107ea".into())]);
        assert!(matches!(
            scheme.verify(
                "x",
                &Incoming {
                    headers: &bare,
                    ..req
                },
                &w
            ),
            Err(VerifyError::MalformedHeader { .. })
        ));
    }
}
