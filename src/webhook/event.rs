//! Where a delivery says what it is: the manifest's `webhooks.event_type` and
//! `webhooks.event_id` name a JSON pointer into the body (`/type`), a header
//! (`header:X-GitHub-Event`) or a form field (`form:MessageStatus`); with a list, the first
//! that is present wins. `listen` uses them to print and de-duplicate events, `trigger` to
//! send the headers a provider would.

use serde_json::Value;

use super::Headers;
use crate::manifest::{OneOrMany, Webhooks};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Locator {
    /// An RFC 6901 JSON pointer into the body.
    Pointer(String),
    Header(String),
    Form(String),
}

impl Locator {
    pub fn parse(text: &str) -> Result<Locator, String> {
        if text.starts_with('/') {
            Ok(Locator::Pointer(text.to_owned()))
        } else if let Some(name) = text.strip_prefix("header:").filter(|n| !n.is_empty()) {
            Ok(Locator::Header(name.to_owned()))
        } else if let Some(name) = text.strip_prefix("form:").filter(|n| !n.is_empty()) {
            Ok(Locator::Form(name.to_owned()))
        } else {
            Err(format!(
                "`{text}` is neither a JSON pointer (`/type`), `header:<Name>` nor `form:<field>`"
            ))
        }
    }
}

/// The locators of a manifest field (invalid ones are reported by manifest validation).
pub fn locators(spec: Option<&OneOrMany>) -> Vec<Locator> {
    spec.map(|s| {
        s.values()
            .into_iter()
            .filter_map(|t| Locator::parse(t).ok())
            .collect()
    })
    .unwrap_or_default()
}

/// What a delivery says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventInfo {
    pub event_type: Option<String>,
    pub id: Option<String>,
}

/// A parsed body, parsed once for any number of lookups.
struct Body<'a> {
    raw: &'a [u8],
    json: Option<Option<Value>>,
}

impl Body<'_> {
    fn find(&mut self, locator: &Locator, headers: &Headers) -> Option<String> {
        let text = match locator {
            Locator::Header(name) => headers.get(name).map(str::to_owned),
            Locator::Form(name) => url::form_urlencoded::parse(self.raw)
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned()),
            Locator::Pointer(pointer) => {
                let raw = self.raw;
                let json = self
                    .json
                    .get_or_insert_with(|| serde_json::from_slice(raw).ok());
                match json.as_ref()?.pointer(pointer)? {
                    Value::String(s) => Some(s.clone()),
                    Value::Null => None,
                    other => Some(other.to_string()),
                }
            }
        };
        text.filter(|t| !t.is_empty())
    }

    fn first(&mut self, locators: &[Locator], headers: &Headers) -> Option<String> {
        locators.iter().find_map(|l| self.find(l, headers))
    }
}

/// The event type and id of a delivery, as the manifest says to find them.
pub fn describe(hooks: &Webhooks, body: &[u8], headers: &Headers) -> EventInfo {
    let mut b = Body {
        raw: body,
        json: None,
    };
    EventInfo {
        event_type: b.first(&locators(hooks.event_type.as_deref()), headers),
        id: b.first(&locators(hooks.event_id.as_deref()), headers),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_finds() {
        assert_eq!(
            Locator::parse("/data/type"),
            Ok(Locator::Pointer("/data/type".into()))
        );
        assert_eq!(
            Locator::parse("header:X-GitHub-Event"),
            Ok(Locator::Header("X-GitHub-Event".into()))
        );
        assert!(Locator::parse("type").is_err());
        assert!(Locator::parse("header:").is_err());

        let headers = Headers(vec![("x-github-event".into(), "push".into())]);
        let mut json = Body {
            raw: br#"{"id":42,"event":{"type":"app_mention"}}"#,
            json: None,
        };
        assert_eq!(
            json.first(
                &[
                    Locator::Pointer("/nope".into()),
                    Locator::Pointer("/event/type".into())
                ],
                &headers
            ),
            Some("app_mention".into())
        );
        assert_eq!(
            json.find(&Locator::Pointer("/id".into()), &headers),
            Some("42".into())
        );
        assert_eq!(
            json.find(&Locator::Header("X-GitHub-Event".into()), &headers),
            Some("push".into())
        );
        let mut form = Body {
            raw: b"SmsStatus=received&MessageSid=SM1",
            json: None,
        };
        assert_eq!(
            form.first(
                &[
                    Locator::Form("MessageStatus".into()),
                    Locator::Form("SmsStatus".into())
                ],
                &headers
            ),
            Some("received".into())
        );
    }
}
