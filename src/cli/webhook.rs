//! `integrations webhook sign|verify|trigger|listen|replay`: what `stripe listen` and
//! `stripe trigger` give for one provider, for every provider in the catalog with webhooks.
//!
//! The signing secret is the integration's webhook secret var (process environment, then the
//! keychain), or standard input with `--secret-stdin`; never an argument, never printed.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Context;
use crate::catalog::Entry;
use crate::error::{Error, Result};
use crate::generate::installed;
use crate::manifest::{Webhooks, when_matches};
use crate::project::Project;
use crate::render::integration_key;
use crate::secrets::{Origin, Resolver, Secret, remember};
use crate::webhook::listen::{self, Outcome, Route};
use crate::webhook::send::{self, Outgoing};
use crate::webhook::trigger::{self, Trigger};
use crate::webhook::{
    DEFAULT_TOLERANCE, Headers, Incoming, Scheme, SignContext, Window, clock, store,
};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print the headers that sign a payload as the provider would
    Sign(SignArgs),
    /// Check a delivery's signature: exit 0 when valid, 1 with the reason when not
    Verify(VerifyArgs),
    /// Send a signed sample event (or your own payload) to a URL, as the provider would
    Trigger(TriggerArgs),
    /// Receive webhooks on 127.0.0.1: verify, print, save, drop duplicates, forward to the app
    Listen(ListenArgs),
    /// Send a request saved by `listen` again, with its original headers and body
    Replay(ReplayArgs),
}

/// Where the signing secret comes from.
#[derive(Debug, Clone, clap::Args)]
pub struct SecretArgs {
    /// Alias of the integration (or write the provider as `provider:alias`)
    #[arg(long)]
    alias: Option<String>,
    /// Environment whose secret to use (default: dev)
    #[arg(long)]
    env: Option<String>,
    /// Read the webhook secret from standard input instead of the environment or keychain
    #[arg(long)]
    secret_stdin: bool,
}

#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// Provider (`stripe`) or installed integration (`stripe:eu`)
    #[arg(add = clap_complete::ArgValueCompleter::new(super::complete::providers))]
    provider: String,
    /// The exact body to sign
    #[arg(long, value_name = "FILE")]
    payload: PathBuf,
    /// Unix seconds to sign at (default: now)
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    timestamp: Option<i64>,
    /// The URL the request goes to (Twilio, Vipps and Paymob sign it)
    #[arg(long)]
    url: Option<String>,
    /// Message id to sign (Svix / Standard Webhooks; default: a fresh one)
    #[arg(long)]
    id: Option<String>,
    #[command(flatten)]
    secret: SecretArgs,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Provider (`stripe`) or installed integration (`stripe:eu`)
    #[arg(add = clap_complete::ArgValueCompleter::new(super::complete::providers))]
    provider: String,
    /// The exact body received
    #[arg(long, value_name = "FILE")]
    payload: PathBuf,
    /// A received header, as 'Name: value' (repeatable)
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// The URL the provider called, with its query (Twilio, Vipps and Paymob sign it)
    #[arg(long)]
    url: Option<String>,
    /// Seconds a signed timestamp may differ from this clock
    #[arg(long, default_value_t = DEFAULT_TOLERANCE, value_name = "SECONDS")]
    tolerance: i64,
    #[command(flatten)]
    secret: SecretArgs,
}

#[derive(Debug, clap::Args)]
pub struct TriggerArgs {
    /// Provider (`stripe`) or installed integration (`stripe:eu`)
    #[arg(add = clap_complete::ArgValueCompleter::new(super::complete::providers))]
    provider: String,
    /// One of the provider's events (default: its first); picks the sample payload
    #[arg(long)]
    event: Option<String>,
    /// Send this body instead of the sample
    #[arg(long, value_name = "FILE")]
    payload: Option<PathBuf>,
    /// Where to send it: https, or http to localhost
    #[arg(long)]
    url: String,
    /// Seconds to wait for the answer
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    timeout: f64,
    #[command(flatten)]
    secret: SecretArgs,
}

#[derive(Debug, clap::Args)]
pub struct ListenArgs {
    /// Port on 127.0.0.1 (0: any free port, printed at start)
    #[arg(long, default_value_t = 4242)]
    port: u16,
    /// Verify every request as this provider or integration, whatever its path (default: by
    /// path, `/stripe`, `/stripe-eu`, for every installed integration with webhooks)
    #[arg(long)]
    #[arg(add = clap_complete::ArgValueCompleter::new(super::complete::providers))]
    provider: Option<String>,
    /// Forward verified events to this URL (your app's webhook route)
    #[arg(long, value_name = "URL")]
    forward_to: Option<String>,
    /// Seconds a signed timestamp may differ from this clock
    #[arg(long, default_value_t = DEFAULT_TOLERANCE, value_name = "SECONDS")]
    tolerance: i64,
    /// Stop after this many requests (for scripts and tests; default: run until Ctrl-C)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_events: Option<u64>,
    /// Seconds to wait for the app when forwarding
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    timeout: f64,
    #[command(flatten)]
    secret: SecretArgs,
}

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// Id of a request saved by `listen` (or a unique start of it)
    id: String,
    /// Where to send it: https, or http to localhost
    #[arg(long, value_name = "URL")]
    to: String,
    /// Seconds to wait for the answer
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    timeout: f64,
}

pub fn run(ctx: &Context, cmd: Command) -> Result<i32> {
    match cmd {
        Command::Sign(args) => sign(ctx, args),
        Command::Verify(args) => verify(ctx, args),
        Command::Trigger(args) => trigger_cmd(ctx, args),
        Command::Listen(args) => listen_cmd(ctx, args),
        Command::Replay(args) => replay(ctx, args),
    }
}

/// A provider's webhook setup and the secret to use with it.
struct Target<'c> {
    label: String,
    entry: &'c Entry,
    hooks: Webhooks,
    scheme: Scheme,
    secret: Secret,
}

/// `provider` or `provider:alias`, reconciled with `--alias`.
fn split_spec(spec: &str, alias: Option<&str>) -> Result<(String, Option<String>)> {
    let (provider, from_spec) = match spec.split_once(':') {
        Some((p, a)) => (p, Some(a)),
        None => (spec, None),
    };
    match (from_spec, alias) {
        (Some(a), Some(b)) if a != b => Err(Error::invalid(format!(
            "`{spec}` and --alias {b} name different integrations; give one of them"
        ))),
        (a, b) => Ok((provider.to_owned(), a.or(b).map(str::to_owned))),
    }
}

fn webhooks_of<'m>(ctx: &Context, entry: &'m Entry) -> Result<&'m Webhooks> {
    let m = entry.manifest()?;
    m.webhooks.as_ref().ok_or_else(|| {
        let with: Vec<String> = ctx
            .catalog()
            .and_then(|c| c.manifests())
            .map(|all| {
                all.into_iter()
                    .filter(|m| m.webhooks.is_some())
                    .map(|m| m.id.value.clone())
                    .collect()
            })
            .unwrap_or_default();
        Error::invalid(format!("{} sends no webhooks", m.name))
            .hint(format!("providers with webhooks: {}", with.join(", ")))
    })
}

fn target<'c>(ctx: &'c Context, spec: &str, s: &SecretArgs, command: &str) -> Result<Target<'c>> {
    let (provider, alias) = split_spec(spec, s.alias.as_deref())?;
    let entry = ctx.catalog()?.entry(&provider)?;
    let hooks = webhooks_of(ctx, entry)?.clone();
    let scheme = Scheme::from_manifest(&hooks)?;
    let label = integration_key(&provider, alias.as_deref());
    let secret = if s.secret_stdin {
        secret_from_stdin(ctx, &label, command)?
    } else {
        installed_secret(
            ctx,
            &provider,
            alias.as_deref(),
            s.env.clone(),
            &hooks,
            command,
        )?
    };
    Ok(Target {
        label,
        entry,
        hooks,
        scheme,
        secret,
    })
}

fn secret_from_stdin(ctx: &Context, label: &str, command: &str) -> Result<Secret> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(
            Error::invalid("--secret-stdin reads the secret from standard input").hint(format!(
                "pipe it: `printf %s \"$SECRET\" | integrations webhook {command} {label} --secret-stdin …`"
            )),
        );
    }
    let mut value = String::new();
    stdin.lock().read_to_string(&mut value).map_err(|e| {
        Error::failed(format!(
            "could not read the secret from standard input: {e}"
        ))
    })?;
    let value = value.trim_end_matches(['\n', '\r']).to_owned();
    if value.is_empty() {
        return Err(Error::invalid("--secret-stdin: standard input was empty"));
    }
    Ok(remember(&ctx.printer.redactor, value))
}

/// The webhook secret of an installed integration, looked up as every command does.
fn installed_secret(
    ctx: &Context,
    provider: &str,
    alias: Option<&str>,
    env: Option<String>,
    hooks: &Webhooks,
    command: &str,
) -> Result<Secret> {
    let label = integration_key(provider, alias);
    let stdin_hint = format!(
        "or pipe the secret: `printf %s \"$SECRET\" | integrations webhook {command} {label} --secret-stdin …`"
    );
    let Some(project) = Project::load(&ctx.dir)? else {
        return Err(Error::invalid(format!(
            "no integrations.toml here, so no webhook secret for {label}"
        ))
        .hint(format!("run in your project (or pass --dir), {stdin_hint}")));
    };
    let catalog = ctx.catalog()?;
    let all = installed(catalog, &project.file)?;
    let Some(inst) = all
        .iter()
        .find(|i| i.entry.provider == provider && i.entry.alias.as_deref() == alias)
    else {
        return Err(
            Error::invalid(format!("{label} is not installed in this project")).hint(format!(
                "add it with `integrations add {provider}{}`, {stdin_hint}",
                alias.map(|a| format!(" --alias {a}")).unwrap_or_default()
            )),
        );
    };
    let env = ctx.environment(&project, env)?;
    let resolver = ctx.resolver(&project, &env)?;
    lookup_secret(&resolver, inst, hooks, &env).map_err(|mut why| {
        why.hint = Some(match why.hint.take() {
            Some(first) => format!("{first} {stdin_hint}"),
            None => stdin_hint,
        });
        why
    })
}

/// The secret of one installed integration, or an error saying how to provide it.
fn lookup_secret(
    resolver: &Resolver,
    inst: &crate::generate::Installed,
    hooks: &Webhooks,
    env: &str,
) -> Result<Secret> {
    let label = inst.label();
    if !when_matches(&hooks.when, &inst.entry.config, &inst.entry.options) {
        let mut flags: Vec<String> = hooks
            .when
            .iter()
            .filter_map(|(key, values)| {
                let value = values.values().first().copied()?;
                Some(if key == "config" {
                    format!("--config {value}")
                } else {
                    format!("--{key}={value}")
                })
            })
            .collect();
        if let Some(alias) = &inst.entry.alias {
            flags.push(format!("--alias {alias}"));
        }
        return Err(
            Error::invalid(format!("{label} is installed with its webhooks turned off")).hint(
                format!(
                    "turn them on with `integrations add {} {}`,",
                    inst.entry.provider,
                    flags.join(" ")
                ),
            ),
        );
    }
    let Some(base) = hooks.secret_env.as_ref() else {
        return Err(Error::invalid(format!(
            "the {} manifest names no webhook secret (webhooks.secret_env)",
            inst.entry.provider
        )));
    };
    let Some(var) = inst.vars.iter().find(|v| v.base == base.as_str()) else {
        return Err(Error::invalid(format!(
            "{label} does not use {} with its current options",
            base.as_str()
        )));
    };
    let lookup = resolver.lookup(&label, var);
    match (lookup.value, lookup.origin) {
        (Some(secret), _) => Ok(secret),
        (None, Origin::Unavailable) => Err(Error::invalid(format!(
            "{} is not in the process environment and no keychain is available",
            var.name
        ))
        .hint(format!("export {},", var.name))),
        (None, _) => Err(
            Error::invalid(format!("{} is not set for {env}", var.name)).hint(format!(
                "store it with `integrations secrets set {} --env {env}`, export it,",
                var.name
            )),
        ),
    }
}

fn read_payload(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::invalid(format!("--payload {}: {e}", path.display())))
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::failed(format!("could not start the async runtime: {e}")))
}

fn timeout(flag: &str, seconds: f64) -> Result<Duration> {
    if seconds > 0.0 && seconds <= 3600.0 {
        Ok(Duration::from_secs_f64(seconds))
    } else {
        Err(Error::invalid(format!(
            "{flag} {seconds} is out of range; give seconds between 0 and 3600"
        )))
    }
}

fn tolerance(seconds: i64) -> Result<i64> {
    if seconds >= 0 {
        Ok(seconds)
    } else {
        Err(Error::invalid("--tolerance must be 0 seconds or more"))
    }
}

fn sign(ctx: &Context, args: SignArgs) -> Result<i32> {
    let body = read_payload(&args.payload)?;
    let t = target(ctx, &args.provider, &args.secret, "sign")?;
    if t.scheme.signs_url() && args.url.is_none() {
        return Err(Error::invalid(format!(
            "the {} scheme signs the request URL: pass --url",
            t.hooks.scheme.as_str()
        )));
    }
    let sign_ctx = SignContext {
        timestamp: args.timestamp.unwrap_or_else(clock::now),
        url: args.url.clone(),
        id: args.id,
    };
    let signed = t
        .scheme
        .sign(t.secret.expose(), &body, &sign_ctx)
        .map_err(trigger::sign_error)?;
    let mut out: Vec<String> = signed
        .headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    if !signed.query.is_empty() {
        // The signature travels in the URL (Paymob's `hmac`, Twilio's `bodySHA256`).
        out.push(match &args.url {
            Some(url) => format!("URL: {}", signed.url(url)),
            None => format!("Query: {}", signed.url("").trim_start_matches('?')),
        });
    }
    ctx.printer.data(&out.join("\n"));
    Ok(0)
}

fn verify(ctx: &Context, args: VerifyArgs) -> Result<i32> {
    let tolerance = tolerance(args.tolerance)?;
    let body = read_payload(&args.payload)?;
    let headers = Headers(
        args.headers
            .iter()
            .map(|h| {
                Headers::parse_line(h).map_err(|why| Error::invalid(format!("--header {why}")))
            })
            .collect::<Result<_>>()?,
    );
    let t = target(ctx, &args.provider, &args.secret, "verify")?;
    if t.scheme.signs_url() && args.url.is_none() {
        return Err(Error::invalid(format!(
            "the {} scheme signs the request URL: pass --url with the URL the provider called",
            t.hooks.scheme.as_str()
        )));
    }
    let req = Incoming {
        body: &body,
        headers: &headers,
        url: args.url.as_deref(),
    };
    match t
        .scheme
        .verify(t.secret.expose(), &req, &Window::new(tolerance))
    {
        Ok(()) => {
            let info = crate::webhook::event::describe(&t.hooks, &body, &headers);
            ctx.printer.data(&format!(
                "valid {} {}",
                t.label,
                describe(info.event_type.as_deref(), info.id.as_deref())
            ));
            Ok(0)
        }
        Err(e) if e.is_usage() => Err(Error::invalid(e.to_string())),
        Err(e) => Err(Error::failed(format!("invalid {} webhook: {e}", t.label))),
    }
}

/// `type id`, with `-` for what is unknown.
fn describe(event_type: Option<&str>, id: Option<&str>) -> String {
    format!("{} {}", event_type.unwrap_or("-"), id.unwrap_or("-"))
}

fn trigger_cmd(ctx: &Context, args: TriggerArgs) -> Result<i32> {
    let timeout = timeout("--timeout", args.timeout)?;
    send::check_url("--url", &args.url)?;
    let payload = args.payload.as_deref().map(read_payload).transpose()?;
    let t = target(ctx, &args.provider, &args.secret, "trigger")?;
    let prepared = trigger::prepare(Trigger {
        entry: t.entry,
        hooks: &t.hooks,
        scheme: &t.scheme,
        secret: t.secret.expose(),
        event: args.event.as_deref(),
        payload,
        url: &args.url,
        now_millis: clock::now_millis(),
    })?;
    ctx.printer.verbose(&format!(
        "POST {} ({} bytes)",
        prepared.outgoing.url,
        prepared.outgoing.body.len()
    ));
    let answer = deliver(&prepared.outgoing, timeout)?;
    let what = format!(
        "{} {}",
        t.label,
        describe(
            prepared
                .info
                .event_type
                .as_deref()
                .or(prepared.event.as_deref()),
            prepared.info.id.as_deref()
        )
    );
    report_answer(ctx, &what, answer)
}

fn deliver(out: &Outgoing, timeout: Duration) -> Result<std::result::Result<send::Answer, String>> {
    let client = send::client(timeout)?;
    Ok(runtime()?.block_on(send::send(&client, out)))
}

/// Print `what → HTTP 200 in 12 ms`; exit 1 when there was no 2xx answer.
fn report_answer(
    ctx: &Context,
    what: &str,
    answer: std::result::Result<send::Answer, String>,
) -> Result<i32> {
    match answer {
        Ok(a) => {
            ctx.printer.data(&format!(
                "{what} → HTTP {} in {}",
                a.status,
                send::millis(a.elapsed)
            ));
            if !a.body.is_empty() {
                ctx.printer
                    .verbose(&format!("response: {}", String::from_utf8_lossy(&a.body)));
            }
            if a.success() {
                Ok(0)
            } else {
                ctx.printer.warn(&format!(
                    "the endpoint answered {}: {}",
                    a.status,
                    String::from_utf8_lossy(&a.body).trim()
                ));
                Ok(1)
            }
        }
        Err(why) => Err(Error::failed(format!("{what}: {why}"))),
    }
}

fn replay(ctx: &Context, args: ReplayArgs) -> Result<i32> {
    let timeout = timeout("--timeout", args.timeout)?;
    send::check_url("--to", &args.to)?;
    let saved = store::load(&ctx.dir, &args.id)?;
    let out = Outgoing {
        method: saved.method.clone(),
        url: listen::forward_url(&args.to, &saved.path),
        headers: saved.headers.0.clone(),
        body: saved.body_bytes()?,
    };
    let answer = deliver(&out, timeout)?;
    let what = format!(
        "{} {} {}",
        saved.id,
        saved.integration.as_deref().unwrap_or("-"),
        describe(saved.event_type.as_deref(), saved.event_id.as_deref())
    );
    report_answer(ctx, &what, answer)
}

/// Routes for `listen`: one integration (`--provider`), or every installed one with webhooks.
fn routes(ctx: &Context, args: &ListenArgs) -> Result<(Vec<Route>, bool)> {
    if let Some(spec) = &args.provider {
        let t = target(ctx, spec, &args.secret, "listen")?;
        let (provider, alias) = split_spec(spec, args.secret.alias.as_deref())?;
        return Ok((
            vec![Route {
                path: crate::render::module_name(&provider, alias.as_deref()),
                label: t.label,
                scheme: t.scheme,
                hooks: t.hooks,
                secret: Ok(t.secret),
            }],
            true,
        ));
    }
    if args.secret.secret_stdin {
        return Err(Error::invalid(
            "--secret-stdin needs --provider: one secret verifies one provider",
        ));
    }
    let Some(project) = Project::load(&ctx.dir)? else {
        return Err(
            Error::invalid("no integrations.toml here: nothing to verify webhooks for")
                .hint("run in your project, or name one with --provider X --secret-stdin"),
        );
    };
    let env = ctx.environment(&project, args.secret.env.clone())?;
    let resolver = ctx.resolver(&project, &env)?;
    let mut routes = Vec::new();
    for inst in installed(ctx.catalog()?, &project.file)? {
        let Some(hooks) = &inst.manifest.webhooks else {
            continue;
        };
        if !when_matches(&hooks.when, &inst.entry.config, &inst.entry.options) {
            continue;
        }
        routes.push(Route {
            label: inst.label(),
            path: inst.key.clone(),
            scheme: Scheme::from_manifest(hooks)?,
            hooks: hooks.clone(),
            secret: lookup_secret(&resolver, &inst, hooks, &env).map_err(|e| e.message),
        });
    }
    if routes.is_empty() {
        return Err(
            Error::invalid("no installed integration has webhooks").hint(
                "add one (`integrations add stripe`), or name one with --provider X --secret-stdin",
            ),
        );
    }
    Ok((routes, false))
}

fn listen_cmd(ctx: &Context, args: ListenArgs) -> Result<i32> {
    let tolerance = tolerance(args.tolerance)?;
    let timeout = timeout("--timeout", args.timeout)?;
    if let Some(to) = &args.forward_to {
        send::check_url("--forward-to", to)?;
    }
    let (routes, fixed) = routes(ctx, &args)?;
    for r in &routes {
        if let Err(why) = &r.secret {
            ctx.printer
                .warn(&format!("{}: requests will be rejected: {why}", r.label));
        }
    }
    let settings = listen::Settings {
        routes: routes.clone(),
        fixed,
        forward_to: args.forward_to.clone(),
        root: ctx.dir.clone(),
        tolerance,
        max_events: args.max_events,
        timeout,
    };
    let printer = ctx.printer.clone();
    let rt = runtime()?;
    let handled = rt.block_on(async {
        let listener = listen::bind(args.port).await?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(args.port);
        let paths: Vec<String> = if fixed {
            vec![format!("http://127.0.0.1:{port}/ ({})", routes[0].label)]
        } else {
            routes
                .iter()
                .map(|r| format!("http://127.0.0.1:{port}/{} ({})", r.path, r.label))
                .collect()
        };
        ctx.printer
            .status("Listening", &format!("on http://127.0.0.1:{port}"));
        for p in &paths {
            ctx.printer.info(&format!("  {p}"));
        }
        if let Some(to) = &args.forward_to {
            ctx.printer
                .info(&format!("  verified events are forwarded to {to}"));
        }
        ctx.printer.info(&format!(
            "  requests are saved under {}; Ctrl-C to stop",
            store::DIR
        ));
        listen::serve(
            listener,
            settings,
            Box::new(move |ev| print_event(&printer, ev)),
        )
        .await
    })?;
    ctx.printer.status(
        "Stopped",
        &format!("after {handled} request{}", plural(handled)),
    );
    Ok(0)
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// One line per request: time, integration, event type, id, verdict, forward result, saved id.
fn print_event(p: &crate::ui::Printer, ev: &listen::Event) {
    let verdict = match &ev.outcome {
        Outcome::Valid => p.green("valid"),
        Outcome::Duplicate => p.yellow("duplicate"),
        Outcome::Invalid(why) => format!("{} ({why})", p.red("invalid")),
        Outcome::Unrouted(why) => format!("{} ({why})", p.red("unrouted")),
    };
    let mut line = format!(
        "{} {} {} {}",
        clock::time_of_day(ev.at),
        ev.integration.as_deref().unwrap_or("-"),
        describe(ev.event_type.as_deref(), ev.event_id.as_deref()),
        verdict
    );
    match &ev.forwarded {
        Some(Ok(a)) => line.push_str(&format!(
            " → HTTP {} in {}",
            a.status,
            send::millis(a.elapsed)
        )),
        Some(Err(why)) => line.push_str(&format!(" → {} ({why})", p.red("forward failed"))),
        None => {}
    }
    match &ev.saved {
        Ok(id) => line.push_str(&format!(" [{id}]")),
        Err(why) => line.push_str(&format!(" [not saved: {why}]")),
    }
    p.data(&line);
}
