//! The provider model: what a manifest says about one third-party service.
//!
//! These types are the single source of truth for a provider. They deserialize from YAML,
//! serialize to JSON for `info --json`, and generate the JSON Schema that
//! `integrations manifest schema` prints. Values whose validity needs more than their type
//! (names, paths, regexes) keep their place in the file via [`Located`] so that semantic
//! errors can point at a line and column.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A value with the place in the YAML file it came from (line 0 when unknown).
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    pub line: u64,
    pub column: u64,
}

impl<T> Located<T> {
    pub fn new(value: T) -> Self {
        Located {
            value,
            line: 0,
            column: 0,
        }
    }
}

impl<T> std::ops::Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(Located {
            line: spanned.referenced.line(),
            column: spanned.referenced.column(),
            value: spanned.value,
        })
    }
}

impl<T: Serialize> Serialize for Located<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl<T: JsonSchema> JsonSchema for Located<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// One provider manifest (`manifests/<id>.yaml`).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Lower-case, hyphenated identifier, the same as the file name: `stripe`, `stc-pay`.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: Located<String>,
    /// Display name: `Stripe`.
    pub name: String,
    /// Version of this manifest (not of the provider's API); bumped when generated files change.
    #[schemars(regex(pattern = r"^[0-9]+\.[0-9]+\.[0-9]+$"))]
    pub version: Located<String>,
    pub category: Category,
    /// One sentence on what the provider does.
    pub description: String,
    /// The provider's developer documentation.
    #[schemars(regex(pattern = r"^https://"))]
    pub docs: Located<String>,
    /// ISO 3166-1 alpha-2 country codes, or `global`.
    #[schemars(length(min = 1))]
    pub markets: Vec<Located<String>>,
    /// ISO 4217 currency codes (payment providers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub currencies: Vec<String>,
    /// Where the provider can keep data: region or country codes (`EU`, `NO`, `US`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_residency: Vec<String>,
    /// Dotted capability names: `payment.capture`, `auth.login`, `email.send`.
    #[schemars(length(min = 1))]
    pub capabilities: Vec<Located<String>>,
    /// How a client authenticates to the provider.
    #[schemars(length(min = 1))]
    pub auth: Vec<AuthMethod>,
    /// Variants chosen with `--config`; exactly one is the default.
    #[schemars(length(min = 1))]
    pub configs: BTreeMap<String, ConfigVariant>,
    /// Choices that become `--<name>=<value>` flags on `add`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionSpec>,
    /// Every environment variable the integration reads.
    #[serde(default)]
    pub env: Vec<EnvVar>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhooks: Option<Webhooks>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limits: Option<RateLimits>,
    /// The API base URL, one for all environments or one per environment (`dev`, `staging`,
    /// `prod`, or `any`). May reference env vars as `${VAR}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<PerEnv>,
    #[serde(default, skip_serializing_if = "Checks::is_empty")]
    pub checks: Checks,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<OAuth>,
    #[serde(default, skip_serializing_if = "Dependencies::is_empty")]
    pub dependencies: Dependencies,
    /// Template groups named by config variants: group name → files to render.
    #[serde(default)]
    pub templates: BTreeMap<String, Vec<TemplateFile>>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Auth,
    Payment,
    Government,
    Communication,
    Email,
    Sms,
    Scheduling,
    Analytics,
    Monitoring,
    Database,
    Storage,
    Search,
    Ai,
    Devtools,
    Jobs,
    Logistics,
    Crm,
}

impl Category {
    pub const ALL: [Category; 17] = [
        Category::Auth,
        Category::Payment,
        Category::Government,
        Category::Communication,
        Category::Email,
        Category::Sms,
        Category::Scheduling,
        Category::Analytics,
        Category::Monitoring,
        Category::Database,
        Category::Storage,
        Category::Search,
        Category::Ai,
        Category::Devtools,
        Category::Jobs,
        Category::Logistics,
        Category::Crm,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Auth => "auth",
            Category::Payment => "payment",
            Category::Government => "government",
            Category::Communication => "communication",
            Category::Email => "email",
            Category::Sms => "sms",
            Category::Scheduling => "scheduling",
            Category::Analytics => "analytics",
            Category::Monitoring => "monitoring",
            Category::Database => "database",
            Category::Storage => "storage",
            Category::Search => "search",
            Category::Ai => "ai",
            Category::Devtools => "devtools",
            Category::Jobs => "jobs",
            Category::Logistics => "logistics",
            Category::Crm => "crm",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    ApiKey,
    Oauth2,
    Basic,
    Certificate,
    WebhookSecret,
    Jwt,
    None,
}

impl AuthMethod {
    pub const ALL: [AuthMethod; 7] = [
        AuthMethod::ApiKey,
        AuthMethod::Oauth2,
        AuthMethod::Basic,
        AuthMethod::Certificate,
        AuthMethod::WebhookSecret,
        AuthMethod::Jwt,
        AuthMethod::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ApiKey => "api_key",
            AuthMethod::Oauth2 => "oauth2",
            AuthMethod::Basic => "basic",
            AuthMethod::Certificate => "certificate",
            AuthMethod::WebhookSecret => "webhook_secret",
            AuthMethod::Jwt => "jwt",
            AuthMethod::None => "none",
        }
    }
}

/// A variant of the integration, chosen with `--config`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigVariant {
    /// The variant used when `--config` is not given.
    #[serde(default)]
    pub default: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Template groups (keys of `templates`) this variant renders.
    #[serde(default)]
    pub templates: Vec<Located<String>>,
}

/// A choice offered as `--<name>=<value>` on `add`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionSpec {
    #[schemars(regex(pattern = r"^[a-z][a-z0-9-]*$"))]
    pub name: Located<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[schemars(length(min = 1))]
    pub values: Vec<String>,
    pub default: Located<String>,
}

/// A condition on the chosen variant and options: every key must match. The key `config`
/// names the variant; any other key names an option. A value may be one string or a list.
pub type When = BTreeMap<String, OneOrMany>;

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn contains(&self, value: &str) -> bool {
        match self {
            OneOrMany::One(v) => v == value,
            OneOrMany::Many(vs) => vs.iter().any(|v| v == value),
        }
    }

    pub fn values(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(v) => vec![v.as_str()],
            OneOrMany::Many(vs) => vs.iter().map(String::as_str).collect(),
        }
    }
}

/// An environment variable the integration reads.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvVar {
    /// Upper-case name: `STRIPE_SECRET_KEY`.
    #[schemars(regex(pattern = r"^[A-Z][A-Z0-9_]*$"))]
    pub name: Located<String>,
    /// A secret lives in the keychain, never in a file.
    #[serde(default)]
    pub secret: bool,
    #[serde(default)]
    pub required: bool,
    /// What the value is and where to get it.
    pub description: String,
    /// Expected value prefix per environment (`dev`, `staging`, `prod`, or `any`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub prefix: BTreeMap<Located<String>, String>,
    /// A regular expression the whole value must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<Located<String>>,
    /// What kind of value it is; `url` values are checked to be https.
    #[serde(default, skip_serializing_if = "VarFormat::is_text")]
    pub format: VarFormat,
    /// An illustrative value (placeholder, never a real credential).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
    /// A non-secret default written to the per-environment env files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<PerEnv>,
    /// Only declared when the variant/options match.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub when: When,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum VarFormat {
    #[default]
    Text,
    Url,
    Email,
    Pem,
    Number,
    Json,
}

impl VarFormat {
    fn is_text(&self) -> bool {
        *self == VarFormat::Text
    }
}

/// A value that is either the same everywhere or given per environment (`any` = fallback).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum PerEnv {
    Same(String),
    ByEnv(BTreeMap<String, String>),
}

impl PerEnv {
    /// The value for `env`, falling back to `any`.
    pub fn get(&self, env: &str) -> Option<&str> {
        match self {
            PerEnv::Same(v) => Some(v),
            PerEnv::ByEnv(map) => map.get(env).or_else(|| map.get("any")).map(String::as_str),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Webhooks {
    /// The signature scheme: stripe, github, slack, svix, standard-webhooks, shopify, twilio,
    /// paymob, calcom, vipps, hmac.
    pub scheme: Located<String>,
    /// The env var holding the signing secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_env: Option<Located<String>>,
    /// Event types the provider sends, the most useful first. Each has a sample payload in
    /// `samples/<id>/<event>.json` (or `.form`) next to the manifest; the first must.
    #[serde(default)]
    pub events: Vec<String>,
    /// Where a delivery names its event type: a JSON pointer into the body (`/type`),
    /// `header:<Name>` or `form:<field>`; with a list, the first present wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<Located<OneOrMany>>,
    /// Where a delivery carries its unique id (used to drop duplicate deliveries); same
    /// forms as `event_type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<Located<OneOrMany>>,
    /// Parameters of the generic `hmac` scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hmac: Option<HmacParams>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub when: When,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HmacParams {
    pub algorithm: HmacAlgorithm,
    pub encoding: SignatureEncoding,
    /// Header that carries the signature.
    pub header: String,
    /// Text before the signature in the header value, e.g. `sha256=`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub prefix: String,
    /// Header carrying a timestamp that is signed as `<timestamp>.<body>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_header: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HmacAlgorithm {
    Sha1,
    Sha256,
    Sha512,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SignatureEncoding {
    Hex,
    Base64,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimits {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests_per_second: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests_per_minute: Option<u32>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Checks {
    /// Rules checked without calling the provider, beyond what `env` already implies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preflight: Vec<PreflightCheck>,
    /// Requests that prove a credential is accepted by the provider.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activation: Vec<ActivationCheck>,
}

impl Checks {
    fn is_empty(&self) -> bool {
        self.preflight.is_empty() && self.activation.is_empty()
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PreflightCheck {
    pub name: String,
    /// At least one of these vars must be set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub require_any: Vec<Located<String>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub when: When,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivationCheck {
    pub name: String,
    pub request: CheckRequest,
    #[serde(default)]
    pub expect: Expect,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub when: When,
}

/// An HTTP request on the provider's base URL. Strings may reference env vars as `${VAR}`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    #[serde(default)]
    pub method: HttpMethod,
    /// Path appended to the base URL, or a full `https://` URL.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<CheckAuth>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
    /// A JSON body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<serde_json::Value>,
    /// A form-encoded body.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub form: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    #[default]
    Get,
    Post,
    Head,
}

/// How the check request authenticates.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum CheckAuth {
    /// `Authorization: Bearer <value of VAR>`.
    Bearer(Located<String>),
    /// HTTP basic auth; `password` may be empty (Stripe-style key as user name).
    Basic {
        username: String,
        #[serde(default)]
        password: String,
    },
    /// A header whose value is a `${VAR}` template.
    Header { name: String, value: String },
    /// A query parameter whose value is a `${VAR}` template.
    Query { name: String, value: String },
    /// Fetch an access token first, then send it as a bearer token.
    Token(Box<TokenExchange>),
}

/// A token request (OAuth client credentials, Vipps access token) made before the check.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenExchange {
    /// Path on the base URL, or a full URL.
    pub path: String,
    #[serde(default = "post")]
    pub method: HttpMethod,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub form: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic: Option<BasicAuth>,
    /// JSON pointer to the token in the response.
    #[serde(default = "access_token_pointer")]
    pub pointer: String,
}

fn post() -> HttpMethod {
    HttpMethod::Post
}

fn access_token_pointer() -> String {
    "/access_token".to_owned()
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    pub username: String,
    #[serde(default)]
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Accepted HTTP status codes.
    #[serde(default = "ok_statuses")]
    pub status: Vec<u16>,
    /// Assertions on the JSON response.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub json: Vec<JsonExpectation>,
}

impl Default for Expect {
    fn default() -> Self {
        Expect {
            status: ok_statuses(),
            json: Vec::new(),
        }
    }
}

fn ok_statuses() -> Vec<u16> {
    vec![200]
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonExpectation {
    /// RFC 6901 JSON pointer: `/object`.
    pub pointer: String,
    /// The value at the pointer must equal this; absent: it must merely exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OAuth {
    /// OpenID Connect issuer; its discovery document is at `/.well-known/openid-configuration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<PerEnv>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<PerEnv>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<PerEnv>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<PerEnv>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_authorization_endpoint: Option<PerEnv>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<PerEnv>,
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Whether the provider supports PKCE (S256).
    #[serde(default)]
    pub pkce: bool,
    /// Env var names of the client id / secret / redirect URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id_env: Option<Located<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_env: Option<Located<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri_env: Option<Located<String>>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dependencies {
    /// npm packages the generated code imports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub npm: Vec<NpmDependency>,
}

impl Dependencies {
    fn is_empty(&self) -> bool {
        self.npm.is_empty()
    }
}

/// An npm package, optionally only for some variants/options: `stripe` or
/// `{ name: "@prisma/client", when: { orm: prisma } }`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum NpmDependency {
    Name(String),
    Conditional {
        name: String,
        #[serde(default)]
        dev: bool,
        #[serde(default)]
        when: When,
    },
}

impl NpmDependency {
    pub fn name(&self) -> &str {
        match self {
            NpmDependency::Name(n) | NpmDependency::Conditional { name: n, .. } => n,
        }
    }

    pub fn when(&self) -> Option<&When> {
        match self {
            NpmDependency::Name(_) => None,
            NpmDependency::Conditional { when, .. } => Some(when),
        }
    }
}

/// One generated file.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateFile {
    /// Template path under `templates/`: `stripe/config.ts.tera`.
    pub src: Located<String>,
    /// Destination relative to the project root; a Tera template itself
    /// (`lib/integrations/{{ module }}/config.ts`). Never absolute, never `..`.
    pub dest: Located<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub when: When,
}

impl Manifest {
    /// The variant used when `--config` is not given.
    pub fn default_config(&self) -> Option<&str> {
        self.configs
            .iter()
            .find(|(_, v)| v.default)
            .or_else(|| self.configs.iter().next())
            .map(|(k, _)| k.as_str())
    }

    pub fn webhook_secret_env(&self) -> Option<&str> {
        self.webhooks
            .as_ref()
            .and_then(|w| w.secret_env.as_ref())
            .map(|s| s.value.as_str())
    }
}

/// Whether a `when` condition holds for the chosen variant and options.
pub fn when_matches(when: &When, config: &str, options: &BTreeMap<String, String>) -> bool {
    when.iter().all(|(key, wanted)| {
        let actual = if key == "config" {
            Some(config)
        } else {
            options.get(key).map(String::as_str)
        };
        actual.is_some_and(|a| wanted.contains(a))
    })
}

// `Located<String>` as a map key (prefix environments) compares by value only.
impl PartialEq for Located<String> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl Eq for Located<String> {}
impl PartialOrd for Located<String> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Located<String> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.value.cmp(&other.value)
    }
}
