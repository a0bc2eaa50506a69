//! Sync planning (a pure diff) and applying (the executor), resume and schedule, with progress
//! events for the TUI and CLI. Not yet built.
