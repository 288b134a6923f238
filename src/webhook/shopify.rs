//! Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>`, keyed with the app's
//! client secret (or the webhook signing secret shown in the admin). No timestamp is signed;
//! `X-Shopify-Webhook-Id` identifies a delivery and `X-Shopify-Topic` names the event.

use crate::manifest::{HmacAlgorithm, HmacParams, SignatureEncoding};

pub fn params() -> HmacParams {
    HmacParams {
        algorithm: HmacAlgorithm::Sha256,
        encoding: SignatureEncoding::Base64,
        header: "X-Shopify-Hmac-Sha256".into(),
        prefix: String::new(),
        timestamp_header: None,
    }
}

#[cfg(test)]
mod tests {
    use crate::webhook::{Headers, Incoming, Scheme, SignContext, VerifyError, Window};

    #[test]
    fn base64_of_the_body_hmac() {
        let scheme = Scheme::named("shopify", None).unwrap();
        // echo -n '{"id":1}' | openssl dgst -sha256 -hmac hush -binary | base64
        let signed = scheme
            .sign("hush", br#"{"id":1}"#, &SignContext::default())
            .unwrap();
        assert_eq!(signed.headers[0].0, "X-Shopify-Hmac-Sha256");
        assert_eq!(
            signed.headers[0].1,
            "VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY="
        );
        let headers = Headers(signed.headers);
        let req = Incoming {
            body: br#"{"id":1}"#,
            headers: &headers,
            url: None,
        };
        assert_eq!(scheme.verify("hush", &req, &Window::new(300)), Ok(()));
        assert_eq!(
            scheme.verify("hush!", &req, &Window::new(300)),
            Err(VerifyError::SignatureMismatch)
        );
    }
}
