//! `integrations search <query>`: the catalog ranked by relevance.

use super::Context;
use super::list::{summary, table_of};
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Words to look for (all must match)
    #[arg(required = true)]
    query: Vec<String>,
    /// Print JSON (best match first)
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<i32> {
    let catalog = ctx.catalog()?;
    let query = args.query.join(" ");
    let hits = catalog.search(&query)?;
    if args.json {
        let items: Vec<_> = hits
            .iter()
            .map(|(m, score)| {
                let mut v = summary(m);
                v["score"] = (*score).into();
                v
            })
            .collect();
        ctx.printer
            .data(&serde_json::to_string_pretty(&items).unwrap_or_default());
        return Ok(0);
    }
    if hits.is_empty() {
        ctx.printer.info(&format!(
            "nothing in the catalog matches `{query}`; run `integrations list` to see every provider"
        ));
        return Ok(0);
    }
    let found: Vec<_> = hits.iter().map(|(m, _)| *m).collect();
    ctx.printer.data(&table_of(ctx, &found));
    Ok(0)
}
