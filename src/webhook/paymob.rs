//! Paymob (Accept): the transaction processed callback is not signed as a whole. Paymob sends
//! `?hmac=<hex HMAC-SHA512>`, keyed with the account's HMAC secret, of the values of fixed
//! fields of the body's `obj`, concatenated in the documented (alphabetical) order. Booleans
//! are `true`/`false`, numbers as written, a missing or null value is empty. No timestamp is
//! signed.

use serde_json::Value;

use super::{Incoming, SignError, Signed, VerifyError, mac, mac_matches};
use crate::manifest::HmacAlgorithm;

const PARAM: &str = "hmac";

/// Fields of a TRANSACTION callback's `obj`, in the order Paymob concatenates them.
const TRANSACTION_FIELDS: [&str; 20] = [
    "amount_cents",
    "created_at",
    "currency",
    "error_occured",
    "has_parent_transaction",
    "id",
    "integration_id",
    "is_3d_secure",
    "is_auth",
    "is_capture",
    "is_refunded",
    "is_standalone_payment",
    "is_voided",
    "order.id",
    "owner",
    "pending",
    "source_data.pan",
    "source_data.sub_type",
    "source_data.type",
    "success",
];

/// Fields of a TOKEN (saved card) callback's `obj`, in order.
const TOKEN_FIELDS: [&str; 8] = [
    "card_subtype",
    "created_at",
    "email",
    "id",
    "masked_pan",
    "merchant_id",
    "order_id",
    "token",
];

/// The concatenated field values of a callback body.
fn signed_text(body: &[u8]) -> Result<String, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("a Paymob callback is JSON ({e})"))?;
    let Some(obj) = value.get("obj").filter(|o| o.is_object()) else {
        return Err("a Paymob callback has an `obj` object".into());
    };
    let fields: &[&str] = match value.get("type").and_then(Value::as_str) {
        Some("TOKEN") => &TOKEN_FIELDS,
        _ => &TRANSACTION_FIELDS,
    };
    let mut text = String::new();
    for field in fields {
        let found = field.split('.').try_fold(obj, |v, key| v.get(key));
        match found {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => text.push_str(s),
            Some(Value::Bool(b)) => text.push_str(if *b { "true" } else { "false" }),
            Some(other) => text.push_str(&other.to_string()),
        }
    }
    Ok(text)
}

pub fn sign(secret: &str, body: &[u8]) -> Result<Signed, SignError> {
    let text = signed_text(body).map_err(SignError::Body)?;
    let tag = mac(HmacAlgorithm::Sha512, secret.as_bytes(), &[text.as_bytes()]);
    Ok(Signed {
        headers: Vec::new(),
        query: vec![(PARAM.to_owned(), hex::encode(tag))],
    })
}

pub fn verify(secret: &str, req: &Incoming) -> Result<(), VerifyError> {
    let url = req.url.ok_or(VerifyError::NeedsUrl("paymob"))?;
    let received = url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == PARAM)
                .map(|(_, v)| v.into_owned())
        })
        .ok_or(VerifyError::MissingQuery(PARAM))?;
    let tag = hex::decode(received.trim()).map_err(|_| VerifyError::MalformedHeader {
        header: "hmac query parameter".into(),
        why: "the signature is not hexadecimal".into(),
    })?;
    let text = signed_text(req.body).map_err(VerifyError::Body)?;
    if mac_matches(
        HmacAlgorithm::Sha512,
        secret.as_bytes(),
        &[text.as_bytes()],
        &tag,
    ) {
        Ok(())
    } else {
        Err(VerifyError::SignatureMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::Headers;

    const BODY: &str = r#"{"type":"TRANSACTION","obj":{"id":192036465,"pending":false,"amount_cents":100000,"success":true,"is_auth":false,"is_capture":false,"is_standalone_payment":true,"is_voided":false,"is_refunded":false,"is_3d_secure":true,"integration_id":4097558,"has_parent_transaction":false,"order":{"id":217503754},"created_at":"2024-06-13T11:33:44.592345","currency":"EGP","source_data":{"pan":"2346","type":"card","sub_type":"MasterCard"},"error_occured":false,"owner":302852}}"#;

    #[test]
    fn concatenates_the_documented_fields() {
        assert_eq!(
            signed_text(BODY.as_bytes()).unwrap(),
            "1000002024-06-13T11:33:44.592345EGPfalsefalse1920364654097558truefalsefalsefalsetruefalse217503754302852false2346MasterCardcardtrue"
        );
        let token = r#"{"type":"TOKEN","obj":{"id":1,"token":"t","masked_pan":"xxxx-2346","merchant_id":9,"card_subtype":"MasterCard","created_at":"c","email":"a@b.c","order_id":"7"}}"#;
        assert_eq!(
            signed_text(token.as_bytes()).unwrap(),
            "MasterCardca@b.c1xxxx-234697t"
        );
    }

    #[test]
    fn signs_into_the_query_and_verifies() {
        let signed = sign("paymob-hmac", BODY.as_bytes()).unwrap();
        // python3: hmac.new(b"paymob-hmac", text.encode(), hashlib.sha512).hexdigest()
        assert_eq!(
            signed.query[0].1,
            "4b62e6ba46dd1c73c49b4e576358578f48b6033390c12b179bd11a2000a754d9c6155cb17463524cb18d78320eb6bc19ead256a35e80af30ede0a7955371c3a7"
        );
        let url = signed.url("http://127.0.0.1:3000/api/webhooks/paymob");
        let none = Headers::default();
        let req = Incoming {
            body: BODY.as_bytes(),
            headers: &none,
            url: Some(&url),
        };
        assert_eq!(verify("paymob-hmac", &req), Ok(()));
        let tampered = BODY.replace("100000", "1");
        assert_eq!(
            verify(
                "paymob-hmac",
                &Incoming {
                    body: tampered.as_bytes(),
                    ..req
                }
            ),
            Err(VerifyError::SignatureMismatch)
        );
        assert_eq!(
            verify(
                "paymob-hmac",
                &Incoming {
                    url: Some("http://x/cb"),
                    ..req
                }
            ),
            Err(VerifyError::MissingQuery("hmac"))
        );
    }
}
