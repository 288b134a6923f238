//! placeholder
use super::Context;
use crate::error::Result;
#[derive(Debug, clap::Args)]
pub struct Args {}
pub fn run(_ctx: &Context, _args: Args) -> Result<i32> {
    Ok(0)
}
