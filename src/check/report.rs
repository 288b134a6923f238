//! Rendering a check [`Report`]: a human checklist, JSON, JUnit XML and GitHub workflow
//! annotations. Pure functions of the report, so every format says the same thing.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Kind, Report, Status};
use crate::ui::Printer;

fn symbol(p: &Printer, s: Status) -> String {
    match s {
        Status::Pass => p.green("✓ pass"),
        Status::Fail => p.red("✗ fail"),
        Status::Warn => p.yellow("! warn"),
        Status::Skip => p.dim("- skip"),
    }
}

pub fn summary(r: &Report) -> String {
    format!(
        "{} passed, {} failed, {} warnings, {} skipped",
        r.count(Status::Pass),
        r.count(Status::Fail),
        r.count(Status::Warn),
        r.count(Status::Skip)
    )
}

/// The checklist, grouped by integration, then the totals and the verdict.
pub fn human(r: &Report, p: &Printer) -> String {
    let mut s = String::new();
    let mut groups: BTreeMap<&str, Vec<&super::CheckResult>> = BTreeMap::new();
    for c in &r.checks {
        groups.entry(c.integration.as_str()).or_default().push(c);
    }
    let _ = writeln!(s, "{}", p.bold(&format!("Checks for {}", r.env)));
    for (integration, checks) in groups {
        let _ = writeln!(s, "\n{}", p.bold(integration));
        for c in checks {
            let kind = match c.kind {
                Kind::Preflight => "preflight",
                Kind::Activation => "activation",
            };
            let _ = writeln!(
                s,
                "  {}  {}  {}{}",
                symbol(p, c.status),
                p.dim(kind),
                c.name,
                if c.message.is_empty() {
                    String::new()
                } else {
                    format!(": {}", c.message)
                }
            );
        }
    }
    let _ = writeln!(s, "\n{}", summary(r));
    if r.ok {
        let _ = write!(s, "{}", p.green("all green: ready to deploy"));
    } else {
        let blocking: Vec<String> = r
            .checks
            .iter()
            .filter(|c| c.status == Status::Fail)
            .map(|c| format!("{} ({})", c.name, c.integration))
            .collect();
        let _ = write!(
            s,
            "{} {}",
            p.red("not ready to deploy; blocked by:"),
            blocking.join(", ")
        );
    }
    s
}

pub fn json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default()
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: a testsuite per integration, a testcase per check.
pub fn junit(r: &Report) -> String {
    let mut groups: BTreeMap<&str, Vec<&super::CheckResult>> = BTreeMap::new();
    for c in &r.checks {
        groups.entry(c.integration.as_str()).or_default().push(c);
    }
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total_ms: u64 = r.checks.iter().map(|c| c.duration_ms).sum();
    let _ = writeln!(
        s,
        "<testsuites name=\"integrations check ({})\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
        xml_escape(&r.env),
        r.checks.len(),
        r.count(Status::Fail),
        r.count(Status::Skip),
        total_ms as f64 / 1000.0
    );
    for (integration, checks) in groups {
        let fails = checks.iter().filter(|c| c.status == Status::Fail).count();
        let skips = checks.iter().filter(|c| c.status == Status::Skip).count();
        let ms: u64 = checks.iter().map(|c| c.duration_ms).sum();
        let _ = writeln!(
            s,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{fails}\" errors=\"0\" skipped=\"{skips}\" time=\"{:.3}\">",
            xml_escape(integration),
            checks.len(),
            ms as f64 / 1000.0
        );
        for c in checks {
            let kind = match c.kind {
                Kind::Preflight => "preflight",
                Kind::Activation => "activation",
            };
            let _ = write!(
                s,
                "    <testcase classname=\"{}.{kind}\" name=\"{}\" time=\"{:.3}\"",
                xml_escape(integration),
                xml_escape(&c.name),
                c.duration_ms as f64 / 1000.0
            );
            match c.status {
                Status::Pass => {
                    let _ = writeln!(s, " />");
                }
                Status::Fail => {
                    let _ = writeln!(
                        s,
                        ">\n      <failure message=\"{0}\">{0}</failure>\n    </testcase>",
                        xml_escape(&c.message)
                    );
                }
                Status::Skip => {
                    let _ = writeln!(
                        s,
                        ">\n      <skipped message=\"{}\" />\n    </testcase>",
                        xml_escape(&c.message)
                    );
                }
                Status::Warn => {
                    let _ = writeln!(
                        s,
                        ">\n      <system-out>warning: {}</system-out>\n    </testcase>",
                        xml_escape(&c.message)
                    );
                }
            }
        }
        let _ = writeln!(s, "  </testsuite>");
    }
    s.push_str("</testsuites>\n");
    s
}

/// GitHub Actions workflow commands: `::error title=…::message` per failure and warning,
/// then a notice with the totals.
pub fn github(r: &Report) -> String {
    // Workflow command values escape %, CR and LF; properties also `:` and `,`.
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut s = String::new();
    for c in &r.checks {
        let level = match c.status {
            Status::Fail => "error",
            Status::Warn => "warning",
            _ => continue,
        };
        let _ = writeln!(
            s,
            "::{level} title={}::{}",
            prop(&format!("{}: {}", c.integration, c.name)),
            data(&c.message)
        );
    }
    let _ = writeln!(
        s,
        "::notice title={}::{}",
        prop(&format!("integrations check ({})", r.env)),
        data(&summary(r))
    );
    s
}
