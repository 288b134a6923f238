//! Every byte the tool prints passes through the [`Printer`]: data to stdout, status and
//! diagnostics to stderr, both through the redactor so a known secret value can never be
//! printed by accident. Colour and verbosity are decided here, once.

#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod interrupt;
pub mod redact;
pub mod table;
pub mod wizard;

use std::io::{IsTerminal, Write};

use console::Style;

pub use redact::Redactor;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

#[derive(Clone)]
pub struct Printer {
    pub verbosity: Verbosity,
    pub color: bool,
    /// Whether progress bars and spinners may be drawn on stderr.
    pub progress: bool,
    pub redactor: Redactor,
}

impl Printer {
    /// Decide colour and progress from flags and the environment: colour is off with
    /// `--no-color`, `NO_COLOR` or a non-terminal stderr, and forced on with
    /// `CLICOLOR_FORCE=1`; progress needs a terminal, no `CI` and no `--quiet`.
    pub fn new(verbosity: Verbosity, no_color: bool) -> Self {
        let stderr_tty = std::io::stderr().is_terminal();
        let env_set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty() && v != "0");
        let color = if no_color || env_set("NO_COLOR") {
            false
        } else if env_set("CLICOLOR_FORCE") {
            true
        } else {
            stderr_tty
        };
        console::set_colors_enabled(color);
        console::set_colors_enabled_stderr(color);
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        Printer {
            verbosity,
            color,
            progress: stderr_tty && !ci && verbosity != Verbosity::Quiet,
            redactor: Redactor::default(),
        }
    }

    /// A printer for tests and library use: no colour, no progress.
    pub fn plain() -> Self {
        Printer {
            verbosity: Verbosity::Normal,
            color: false,
            progress: false,
            redactor: Redactor::default(),
        }
    }

    /// A progress bar on stderr for `len` steps, or `None` when progress is off (stderr not a
    /// terminal, `CI=true`, `--quiet`): callers then draw nothing at all.
    pub fn bar(&self, len: u64, label: &str) -> Option<indicatif::ProgressBar> {
        if !self.progress {
            return None;
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(len),
            indicatif::ProgressDrawTarget::stderr(),
        );
        bar.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{{spinner:.cyan}} {label} {{pos}}/{{len}} [{{bar:30}}] {{elapsed}}"
            ))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(bar)
    }

    /// A spinner on stderr showing `message`, ticking on its own, or `None` when progress is
    /// off.
    pub fn spinner(&self, message: &str) -> Option<indicatif::ProgressBar> {
        if !self.progress {
            return None;
        }
        let spinner =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        spinner.set_style(
            indicatif::ProgressStyle::with_template("{spinner:.cyan} {msg} {elapsed:.dim}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        spinner.set_message(message.to_owned());
        spinner.enable_steady_tick(std::time::Duration::from_millis(100));
        Some(spinner)
    }

    /// `✔ text` in green: something succeeded.
    pub fn success(&self, text: &str) -> String {
        format!("{} {text}", self.green("✔"))
    }

    /// `✘ text` in red: something failed.
    pub fn failure(&self, text: &str) -> String {
        format!("{} {text}", self.red("✘"))
    }

    fn style(&self, style: Style) -> Style {
        if self.color { style } else { Style::new() }
    }

    /// Data for stdout (a table, JSON, a diff).
    pub fn data(&self, text: &str) {
        let text = self.redactor.redact(text);
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = out.write_all(b"\n");
        }
        let _ = out.flush();
    }

    /// A secret value the user explicitly asked for (`secrets get`, `env --reveal`): the one
    /// output that bypasses the redactor.
    pub fn data_secret(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = out.write_all(b"\n");
        }
        let _ = out.flush();
    }

    fn err_line(&self, line: &str) {
        let line = self.redactor.redact(line);
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
    }

    /// A cargo-style status line on stderr: a right-aligned verb, then the message.
    pub fn status(&self, verb: &str, message: &str) {
        if self.verbosity == Verbosity::Quiet {
            return;
        }
        let verb = self
            .style(Style::new().green().bold())
            .apply_to(format!("{verb:>12}"));
        self.err_line(&format!("{verb} {message}"));
    }

    /// An informational line on stderr (hidden with `--quiet`).
    pub fn info(&self, message: &str) {
        if self.verbosity > Verbosity::Quiet {
            self.err_line(message);
        }
    }

    /// Detail shown only with `--verbose`.
    pub fn verbose(&self, message: &str) {
        if self.verbosity == Verbosity::Verbose {
            self.err_line(&format!("{} {message}", self.dim("verbose:")));
        }
    }

    pub fn warn(&self, message: &str) {
        let label = self
            .style(Style::new().yellow().bold())
            .apply_to("warning:");
        self.err_line(&format!("{label} {message}"));
    }

    pub fn error(&self, message: &str) {
        let label = self.style(Style::new().red().bold()).apply_to("error:");
        self.err_line(&format!("{label} {message}"));
    }

    pub fn bold(&self, text: &str) -> String {
        self.style(Style::new().bold()).apply_to(text).to_string()
    }

    pub fn dim(&self, text: &str) -> String {
        self.style(Style::new().dim()).apply_to(text).to_string()
    }

    pub fn green(&self, text: &str) -> String {
        self.style(Style::new().green()).apply_to(text).to_string()
    }

    pub fn red(&self, text: &str) -> String {
        self.style(Style::new().red()).apply_to(text).to_string()
    }

    pub fn yellow(&self, text: &str) -> String {
        self.style(Style::new().yellow()).apply_to(text).to_string()
    }

    pub fn cyan(&self, text: &str) -> String {
        self.style(Style::new().cyan()).apply_to(text).to_string()
    }
}
