//! `integrations check`: the activation checklist. Preflight checks look at the project and
//! the values without calling anyone; activation checks ask each provider whether it accepts
//! the credentials. "All green = deploy."
//!
//! The core returns a [`Report`]; rendering it (human, JSON, JUnit, GitHub annotations) is
//! [`report`]'s job, and nothing here prints.

pub mod activation;
pub mod preflight;
pub mod report;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Preflight,
    Activation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Warn,
    Skip,
}

/// One line of the checklist.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// The integration (`stripe`, or `stripe:eu` for an alias).
    pub integration: String,
    pub alias: Option<String>,
    pub kind: Kind,
    pub name: String,
    pub status: Status,
    /// What was found, and for a failure what to do.
    pub message: String,
    pub duration_ms: u64,
}

impl CheckResult {
    pub fn new(
        integration: &str,
        alias: Option<&str>,
        kind: Kind,
        name: impl Into<String>,
        status: Status,
        message: impl Into<String>,
    ) -> Self {
        CheckResult {
            integration: integration.to_owned(),
            alias: alias.map(str::to_owned),
            kind,
            name: name.into(),
            status,
            message: message.into(),
            duration_ms: 0,
        }
    }
}

/// Everything `check` found for one environment.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub ok: bool,
    pub env: String,
    pub checks: Vec<CheckResult>,
}

impl Report {
    pub fn new(env: &str, checks: Vec<CheckResult>) -> Self {
        Report {
            ok: !checks.iter().any(|c| c.status == Status::Fail),
            env: env.to_owned(),
            checks,
        }
    }

    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }
}
