//! `integrations list`: the catalog as a table or JSON, with filters.

use serde_json::json;

use super::Context;
use crate::catalog::Filter;
use crate::error::{Error, Result};
use crate::manifest::{AuthMethod, Category, Manifest};
use crate::ui::table;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this category
    #[arg(long, value_parser = category_parser())]
    category: Option<String>,
    /// Only providers with this capability (repeatable; all must match)
    #[arg(long = "capability", value_name = "CAP")]
    capabilities: Vec<String>,
    /// Only providers serving this market (ISO country code; global providers always match)
    #[arg(long, value_name = "CC")]
    market: Option<String>,
    /// Only providers supporting this auth method
    #[arg(long, value_parser = auth_parser())]
    auth: Option<String>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn category_parser() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(Category::ALL.map(Category::as_str))
}

fn auth_parser() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(AuthMethod::ALL.map(AuthMethod::as_str))
}

pub fn parse_category(s: &str) -> Option<Category> {
    Category::ALL.into_iter().find(|c| c.as_str() == s)
}

pub fn run(ctx: &Context, args: Args) -> Result<i32> {
    let catalog = ctx.catalog()?;
    if let Some(market) = &args.market
        && !(market.len() == 2 && market.chars().all(|c| c.is_ascii_alphabetic()))
    {
        return Err(Error::invalid(format!(
            "--market `{market}` is not a two-letter country code"
        ))
        .hint("use an ISO 3166-1 code such as NO, SA or AE"));
    }
    let filter = Filter {
        category: args.category.as_deref().and_then(parse_category),
        capabilities: args.capabilities,
        market: args.market,
        auth: args
            .auth
            .as_deref()
            .and_then(|a| AuthMethod::ALL.into_iter().find(|m| m.as_str() == a)),
    };
    let found = catalog.filter(&filter)?;
    if args.json {
        let items: Vec<_> = found.iter().map(|m| summary(m)).collect();
        ctx.printer
            .data(&serde_json::to_string_pretty(&items).unwrap_or_default());
        return Ok(0);
    }
    if found.is_empty() {
        ctx.printer
            .info("no provider matches these filters; try fewer filters or `integrations search`");
        return Ok(0);
    }
    ctx.printer.data(&table_of(ctx, &found));
    Ok(0)
}

/// The JSON object `list` and `search` print for one provider.
pub fn summary(m: &Manifest) -> serde_json::Value {
    json!({
        "id": m.id.as_str(),
        "name": m.name,
        "category": m.category.as_str(),
        "description": m.description,
        "auth": m.auth.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        "capabilities": m.capabilities.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "markets": m.markets.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "configs": m.configs.keys().collect::<Vec<_>>(),
    })
}

pub fn table_of(ctx: &Context, found: &[&Manifest]) -> String {
    let mut rows = vec![
        ["ID", "NAME", "CATEGORY", "MARKETS", "DESCRIPTION"]
            .map(|h| ctx.printer.bold(h))
            .to_vec(),
    ];
    for m in found {
        let markets: Vec<&str> = m.markets.iter().map(|c| c.as_str()).collect();
        rows.push(vec![
            ctx.printer.cyan(&m.id),
            m.name.clone(),
            m.category.as_str().to_owned(),
            markets.join(","),
            m.description.clone(),
        ]);
    }
    table::render(&rows)
}
