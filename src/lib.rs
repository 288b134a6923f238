//! `integrations`: add third-party services to an application project and keep them working.
//!
//! The binary is a thin shell over this library: [`cli`] parses arguments and calls the core
//! ([`catalog`], [`manifest`], …), which returns values and errors and never prints; the
//! [`ui::Printer`] does all printing.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod cache;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod error;
pub mod generate;
pub mod manifest;
pub mod plan;
pub mod project;
pub mod recipe;
pub mod render;
pub mod secrets;
pub mod setup;
pub mod ui;
pub mod webhook;
