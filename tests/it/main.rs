//! The integration tests: one binary, one module per capability, over one harness
//! ([`support`]) that starts the simulators, builds clients and settings, runs the binary and
//! drives the TUI headless. One binary links the crate once, where a binary per file linked it
//! eighteen times.

mod support;

mod annotate;
mod chaos;
mod condeco_client;
mod daily;
mod eptura_client;
mod extract;
mod hostile_files;
mod hostile_servers;
mod http;
mod match_quality;
mod merge;
mod parse_fixtures;
mod schedule;
mod secrets;
mod sim_command;
mod sim_condeco;
mod sim_eptura;
mod sim_faults;
mod sim_restart;
mod sim_state;
mod sim_write_faults;
mod sync;
mod sync_crash;
mod sync_guards;
mod template_rules;
mod template_sheets;
mod tui_history;
mod tui_keys;
mod tui_load_choices;
mod tui_merge;
mod tui_new_user;
mod tui_onboarding;
mod tui_shape;
mod tui_snapshots;
mod tui_sync;
mod tui_upload;
mod upload;
