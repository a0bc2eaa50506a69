//! One progress line on stderr, redrawn in place, for the commands that run a while (`sync`,
//! `upload`): drawn only when stderr is a terminal, so a pipe or a log file gets none of it and
//! stdout (the report) is never touched. Each command decides what the line says.

use std::io::{IsTerminal, Stderr, Write};
use std::time::Instant;

/// The line, and when it started (for the request rate).
pub struct ProgressLine<W: Write> {
    /// Where the line is drawn; `None` when nobody would see it.
    out: Option<W>,
    started: Instant,
}

impl ProgressLine<Stderr> {
    /// On stderr when stderr is a terminal; silent otherwise.
    pub fn stderr() -> ProgressLine<Stderr> {
        let stderr = std::io::stderr();
        let shown = stderr.is_terminal();
        ProgressLine::new(shown.then_some(stderr))
    }
}

impl<W: Write> ProgressLine<W> {
    /// A line drawn on `out`, or nowhere.
    pub fn new(out: Option<W>) -> ProgressLine<W> {
        ProgressLine {
            out,
            started: Instant::now(),
        }
    }

    /// Whether the line is drawn at all.
    pub fn is_shown(&self) -> bool {
        self.out.is_some()
    }

    /// Draw `text` over the line.
    pub fn show(&mut self, text: &str) {
        if let Some(out) = &mut self.out {
            // A write error on a progress line is not worth failing the command for.
            let _ = write!(out, "\r\x1b[2K{text}").and_then(|()| out.flush());
        }
    }

    /// Draw `text` and the requests so far with their rate: "…  (130 requests, 19/s)".
    pub fn show_with_rate(&mut self, text: &str, requests: u64) {
        let seconds = self.started.elapsed().as_secs_f64().max(0.001);
        let rate = requests as f64 / seconds;
        self.show(&format!("{text}  ({requests} requests, {rate:.0}/s)"));
    }

    /// Clear the line, so what is printed next starts on a clean line.
    pub fn clear(&mut self) {
        self.show("");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_is_redrawn_in_place_or_not_at_all() {
        let mut shown = ProgressLine::new(Some(Vec::new()));
        shown.show("spaces 1/4");
        shown.show_with_rate("spaces 2/4", 10);
        shown.clear();
        let text = String::from_utf8(shown.out.take().expect("drawn")).expect("utf-8");
        assert!(text.starts_with("\r\x1b[2Kspaces 1/4\r\x1b[2Kspaces 2/4  (10 requests, "));
        assert!(text.ends_with("/s)\r\x1b[2K"), "{text:?}");

        let mut hidden: ProgressLine<Vec<u8>> = ProgressLine::new(None);
        hidden.show("spaces 1/4");
        assert!(!hidden.is_shown());
        assert!(hidden.out.is_none());
    }
}
