//! The prompts of `integrations setup`, step by step (Connect, Configure, Test, Complete).
//! Each step asks, and hands the answers back; the decisions (planning, checking, applying)
//! are the core's (`crate::setup`, `crate::generate`). Esc at any prompt, like Ctrl-C, cancels
//! the whole setup before anything is written.

use console::{Key, Term};
use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Confirm, FuzzySelect, MultiSelect, Select};

use super::Printer;
use crate::catalog::Catalog;
use crate::check::Status;
use crate::error::{Error, Result};
use crate::generate::{Installed, resolve_choice};
use crate::manifest::Category;
use crate::project::IntegrationEntry;
use crate::secrets::{check_value, remember};
use crate::setup::{SecretValue, run_tests, test_jobs};

/// What the user is told when they cancel.
pub const CANCELLED: &str = "setup cancelled: nothing was written and no secret was stored";

fn cancelled() -> Error {
    Error::cancelled(CANCELLED)
}

fn terminal(e: impl std::fmt::Display) -> Error {
    Error::failed(format!("the terminal stopped answering: {e}"))
        .hint("nothing was written; run `integrations setup` again")
}

/// A recipe offered in the Connect step.
pub struct RecipeChoice {
    pub name: String,
    pub description: String,
    pub entries: Vec<IntegrationEntry>,
}

pub struct Wizard<'a> {
    printer: &'a Printer,
    catalog: &'a Catalog,
    term: Term,
    theme: Box<dyn Theme>,
    /// The project's environments.
    environments: Vec<String>,
}

impl<'a> Wizard<'a> {
    pub fn new(printer: &'a Printer, catalog: &'a Catalog, environments: Vec<String>) -> Self {
        let theme: Box<dyn Theme> = if printer.color {
            Box::new(ColorfulTheme::default())
        } else {
            Box::new(SimpleTheme)
        };
        Wizard {
            printer,
            catalog,
            term: Term::stderr(),
            theme,
            environments,
        }
    }

    /// The step's heading: "Step 1 of 4 · Connect — choose the providers to add".
    pub fn step(&self, n: u8, title: &str, what: &str) {
        self.printer.info(&format!(
            "\n{} {}",
            self.printer.bold(&format!("Step {n} of 4 · {title}")),
            self.printer.dim(&format!("— {what}"))
        ));
    }

    fn width(&self) -> usize {
        usize::from(self.term.size().1).saturating_sub(6).max(40)
    }

    fn select(&self, prompt: &str, items: &[String], default: usize) -> Result<usize> {
        Select::with_theme(&*self.theme)
            .with_prompt(prompt)
            .items(items)
            .default(default)
            .interact_on_opt(&self.term)
            .map_err(terminal)?
            .ok_or_else(cancelled)
    }

    /// Step 1: a recipe, or providers picked one by one from the catalog.
    /// Returns the entries and whether they came from a recipe.
    pub fn connect(&self, recipes: &[RecipeChoice]) -> Result<(Vec<IntegrationEntry>, bool)> {
        self.step(1, "Connect", "choose the services to connect");
        if !recipes.is_empty() {
            let width = self.width();
            let mut items = vec!["Choose providers from the catalog".to_owned()];
            items.extend(recipes.iter().map(|r| {
                console::truncate_str(&format!("Recipe {}: {}", r.name, r.description), width, "…")
                    .into_owned()
            }));
            let pick = self.select("Start from", &items, 0)?;
            if let Some(r) = pick.checked_sub(1).and_then(|i| recipes.get(i)) {
                let ids: Vec<&str> = r.entries.iter().map(|e| e.provider.as_str()).collect();
                self.printer
                    .info(&format!("  recipe {}: {}", r.name, ids.join(", ")));
                return Ok((r.entries.clone(), true));
            }
        }
        Ok((self.pick_providers()?, false))
    }

    /// Providers from a fuzzy-filterable list grouped by category, until "Done".
    fn pick_providers(&self) -> Result<Vec<IntegrationEntry>> {
        let mut rows: Vec<(usize, String, String)> = Vec::new();
        for entry in self.catalog.entries() {
            let Ok(m) = entry.manifest() else { continue };
            let rank = Category::ALL
                .iter()
                .position(|c| *c == m.category)
                .unwrap_or(usize::MAX);
            let text = format!(
                "{:<13} {:<12} {}: {}",
                m.category.as_str(),
                *m.id,
                m.name,
                m.description
            );
            rows.push((rank, m.id.value.clone(), text));
        }
        rows.sort();
        let width = self.width();
        let mut chosen: Vec<String> = Vec::new();
        loop {
            let available: Vec<&(usize, String, String)> =
                rows.iter().filter(|r| !chosen.contains(&r.1)).collect();
            let mut items: Vec<String> = Vec::new();
            if !chosen.is_empty() {
                items.push(format!("✔ Done: continue with {}", chosen.join(", ")));
            }
            let offset = items.len();
            items.extend(
                available
                    .iter()
                    .map(|r| console::truncate_str(&r.2, width, "…").into_owned()),
            );
            let prompt = if chosen.is_empty() {
                "Add a provider (type to filter, ↑↓ to move, Enter to pick)"
            } else {
                "Add another provider, or pick Done"
            };
            let sel = FuzzySelect::with_theme(&*self.theme)
                .with_prompt(prompt)
                .items(&items)
                .default(0)
                .max_length(12)
                .report(false)
                .interact_on_opt(&self.term)
                .map_err(terminal)?
                .ok_or_else(cancelled)?;
            match sel.checked_sub(offset).and_then(|i| available.get(i)) {
                Some(row) => {
                    self.printer
                        .info(&format!("{} {}", self.printer.green("+"), row.1));
                    chosen.push(row.1.clone());
                }
                None => break,
            }
            if available.len() == 1 {
                break;
            }
        }
        chosen
            .into_iter()
            .map(|id| {
                let m = self.catalog.get(&id)?;
                Ok(IntegrationEntry {
                    config: m.default_config().unwrap_or_default().to_owned(),
                    provider: id,
                    alias: None,
                    environments: None,
                    options: Default::default(),
                })
            })
            .collect()
    }

    /// Step 2, first half: each entry's variant and options (a recipe's are kept unless the
    /// user wants to adjust them), then the environments to enable them in.
    pub fn configure(
        &self,
        mut entries: Vec<IntegrationEntry>,
        from_recipe: bool,
    ) -> Result<(Vec<IntegrationEntry>, Vec<String>)> {
        self.step(
            2,
            "Configure",
            "variants, options, environments and credentials",
        );
        let adjust = !from_recipe
            || Confirm::with_theme(&*self.theme)
                .with_prompt("Adjust the recipe's variants and options?")
                .default(false)
                .interact_on_opt(&self.term)
                .map_err(terminal)?
                .ok_or_else(cancelled)?;
        for e in &mut entries {
            let m = self.catalog.get(&e.provider)?;
            if adjust && m.configs.len() > 1 {
                let names: Vec<&String> = m.configs.keys().collect();
                let items: Vec<String> = m
                    .configs
                    .iter()
                    .map(|(name, v)| {
                        if v.description.is_empty() {
                            name.clone()
                        } else {
                            format!("{name}: {}", v.description)
                        }
                    })
                    .collect();
                let current = names.iter().position(|n| **n == e.config).unwrap_or(0);
                let pick = self.select(&format!("{} variant", m.name), &items, current)?;
                if let Some(name) = names.get(pick) {
                    e.config = (*name).clone();
                }
            }
            if adjust {
                for opt in &m.options {
                    let current = e.options.get(opt.name.as_str()).unwrap_or(&opt.default);
                    let at = opt.values.iter().position(|v| v == current).unwrap_or(0);
                    let prompt = if opt.description.is_empty() {
                        format!("{} · {}", *m.id, *opt.name)
                    } else {
                        format!("{} · {} ({})", *m.id, *opt.name, opt.description)
                    };
                    let pick = self.select(&prompt, &opt.values, at)?;
                    if let Some(v) = opt.values.get(pick) {
                        e.options.insert(opt.name.value.clone(), v.clone());
                    }
                }
            }
            resolve_choice(m, e)?;
        }
        let envs = loop {
            let defaults = vec![true; self.environments.len()];
            let picked = MultiSelect::with_theme(&*self.theme)
                .with_prompt("Enable in which environments? (Space toggles, Enter confirms)")
                .items(&self.environments)
                .defaults(&defaults)
                .interact_on_opt(&self.term)
                .map_err(terminal)?
                .ok_or_else(cancelled)?;
            if picked.is_empty() {
                self.printer
                    .warn("pick at least one environment (Space toggles), or Esc to cancel");
                continue;
            }
            break picked
                .into_iter()
                .filter_map(|i| self.environments.get(i).cloned())
                .collect::<Vec<_>>();
        };
        if envs.len() < self.environments.len() {
            for e in &mut entries {
                e.environments = Some(envs.clone());
            }
        }
        Ok((entries, envs))
    }

    /// A masked prompt: one `*` per character typed. `None` on Esc or Ctrl-C.
    fn secret(&self, prompt: &str) -> Result<Option<String>> {
        let t = &self.term;
        t.write_str(&format!("{} {prompt} › ", self.printer.cyan("?")))
            .map_err(terminal)?;
        let mut value = String::new();
        loop {
            match t.read_key_raw().map_err(terminal)? {
                Key::Enter => {
                    t.write_line("").map_err(terminal)?;
                    return Ok(Some(value));
                }
                Key::Escape | Key::CtrlC => {
                    t.write_line("").map_err(terminal)?;
                    return Ok(None);
                }
                Key::Backspace if value.pop().is_some() => {
                    t.clear_chars(1).map_err(terminal)?;
                }
                Key::Char(c) if !c.is_control() => {
                    value.push(c);
                    t.write_str("*").map_err(terminal)?;
                }
                _ => {}
            }
        }
    }

    /// Ask for the secrets of `inst` in `env`, each checked against the manifest's rules for
    /// that environment (asked again until it fits; Enter alone skips it).
    fn ask_secrets(&self, inst: &Installed, env: &str) -> Result<Vec<SecretValue>> {
        let mut out = Vec::new();
        for v in inst.vars.iter().filter(|v| v.secret) {
            let prefix = v
                .spec
                .prefix
                .iter()
                .find(|(e, _)| e.as_str() == env)
                .or_else(|| v.spec.prefix.iter().find(|(e, _)| e.as_str() == "any"))
                .map(|(_, p)| p.clone());
            self.printer.info(&format!(
                "  {} {}",
                self.printer.dim(&format!("{}:", v.name)),
                self.printer.dim(&v.description)
            ));
            let prompt = format!(
                "{} ({env}){}{}",
                v.name,
                prefix
                    .map(|p| format!(", starts with {p}"))
                    .unwrap_or_default(),
                if v.required {
                    ", Enter to skip"
                } else {
                    ", optional: Enter to skip"
                }
            );
            loop {
                let value = self.secret(&prompt)?.ok_or_else(cancelled)?;
                if value.is_empty() {
                    self.printer.info(&format!(
                        "  skipped; store it later with `integrations secrets set {} --env {env}`",
                        v.name
                    ));
                    break;
                }
                match check_value(&v.spec, &v.name, env, &value) {
                    Ok(()) => {
                        out.push(SecretValue {
                            integration: inst.label(),
                            env: env.to_owned(),
                            var: v.name.clone(),
                            value: remember(&self.printer.redactor, value),
                        });
                        break;
                    }
                    Err(msg) => self.printer.error(&format!(
                        "{msg}; enter it again (Enter alone skips it, Esc cancels)"
                    )),
                }
            }
        }
        Ok(out)
    }

    /// Step 2, second half: every secret of every integration, environment by environment.
    pub fn credentials(&self, insts: &[&Installed], envs: &[String]) -> Result<Vec<SecretValue>> {
        let mut out = Vec::new();
        for env in envs {
            for inst in insts.iter().filter(|i| i.environments.contains(env)) {
                if inst.vars.iter().any(|v| v.secret) {
                    self.printer.info(&format!(
                        "\n  {} in {}",
                        self.printer.bold(&inst.label()),
                        self.printer.cyan(env)
                    ));
                }
                out.extend(self.ask_secrets(inst, env)?);
            }
        }
        Ok(out)
    }

    /// Step 3: run each integration's activation checks with the entered values, per
    /// environment; on a failure offer retry, new credentials, skip or abort.
    pub fn test(
        &self,
        root: &std::path::Path,
        insts: &[&Installed],
        envs: &[String],
        secrets: &mut Vec<SecretValue>,
    ) -> Result<()> {
        self.step(
            3,
            "Test",
            "ask each provider whether it accepts the credentials",
        );
        let p = self.printer;
        for env in envs {
            for inst in insts.iter().filter(|i| i.environments.contains(env)) {
                let label = inst.label();
                loop {
                    if !secrets
                        .iter()
                        .any(|s| s.integration == label && s.env == *env)
                    {
                        p.info(&format!(
                            "  {} {label} ({env}): not tested, no credentials entered",
                            p.dim("–")
                        ));
                        break;
                    }
                    let jobs = test_jobs(root, inst, env, secrets);
                    if jobs.is_empty() {
                        p.info(&format!(
                            "  {} {label}: its manifest has no activation check",
                            p.dim("–")
                        ));
                        break;
                    }
                    let spinner = p.spinner(&format!("testing {label} in {env}"));
                    let results = run_tests(jobs, None);
                    if let Some(s) = spinner {
                        s.finish_and_clear();
                    }
                    let mut failed = false;
                    for r in &results {
                        let what = format!("{label} ({env}): {}", r.name);
                        match r.status {
                            Status::Pass => p.info(&format!("  {}", p.success(&what))),
                            Status::Skip => {
                                p.info(&format!("  {} {what}: {}", p.dim("–"), r.message))
                            }
                            Status::Fail | Status::Warn => {
                                failed |= r.status == Status::Fail;
                                p.info(&format!("  {}: {}", p.failure(&what), r.message));
                            }
                        }
                    }
                    if !failed {
                        break;
                    }
                    let items = [
                        "Retry".to_owned(),
                        "Enter the credentials again".to_owned(),
                        format!("Skip: keep these credentials, fix {label} later"),
                        "Abort setup (nothing is written)".to_owned(),
                    ];
                    match self.select("The check failed. What now?", &items, 0)? {
                        0 => {}
                        1 => {
                            let fresh = self.ask_secrets(inst, env)?;
                            secrets.retain(|s| !(s.integration == label && s.env == *env));
                            secrets.extend(fresh);
                        }
                        2 => break,
                        _ => return Err(cancelled()),
                    }
                }
            }
        }
        Ok(())
    }

    /// Step 4's question, after the summary: apply or not. "No" cancels.
    pub fn confirm(&self) -> Result<()> {
        let yes = Confirm::with_theme(&*self.theme)
            .with_prompt("Apply these changes?")
            .default(true)
            .interact_on_opt(&self.term)
            .map_err(terminal)?
            .ok_or_else(cancelled)?;
        if yes { Ok(()) } else { Err(cancelled()) }
    }
}
