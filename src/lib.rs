//! spacebridge: onboard a customer into the Condeco + Eptura Workplace integration and keep the
//! two systems in sync.
//!
//! Data flows one way (see `../shared/spec/architecture.md`): a Space Data template is read by
//! [`template`] into a [`domain::Portfolio`], uploaded to Eptura Workplace by the [`eptura`]
//! client, matched against Condeco by [`matcher`], planned and applied by [`sync`], with
//! external ids kept in the [`store`]. The [`tui`] and [`cli`] only render and dispatch.

// Bad input, a lost network or a full disk is an error to report, never a panic. Unit tests may
// unwrap (`clippy.toml`); the rest of the lints live in `Cargo.toml`.
#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod cli;
pub mod condeco;
pub mod config;
pub mod domain;
pub mod eptura;
#[cfg(fuzzing)]
pub mod fuzzing;
pub mod http;
pub mod matcher;
pub mod sim;
pub mod store;
pub mod sync;
pub mod template;
pub mod tui;
