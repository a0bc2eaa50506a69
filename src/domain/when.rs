//! Times and durations as the operator reads them: the store's UTC timestamps shortened to the
//! second, a number of seconds as "4.2 s", "3 m 07 s" or "2 h 05 m". Shared by `history` and
//! the TUI's Sync and History screens. Pure: no clock.

/// "2026-12-01T22:10:03.123Z" → "2026-12-01 22:10:03".
pub fn short_time(iso: &str) -> String {
    iso.get(..19).unwrap_or(iso).replace('T', " ")
}

/// "4.2 s", "3 m 07 s", "2 h 05 m".
pub fn human_duration(seconds: f64) -> String {
    match seconds {
        s if s < 60.0 => format!("{s:.1} s"),
        s if s < 3600.0 => format!("{:.0} m {:02.0} s", (s / 60.0).floor(), (s % 60.0).floor()),
        s => format!(
            "{:.0} h {:02.0} m",
            (s / 3600.0).floor(),
            ((s % 3600.0) / 60.0).floor()
        ),
    }
}

/// "0:06", "12:40", "1:02:03": a countdown (an ETA) in whole seconds.
pub fn clock(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_at_their_scale() {
        assert_eq!(human_duration(4.24), "4.2 s");
        assert_eq!(human_duration(187.9), "3 m 07 s");
        assert_eq!(human_duration(7530.0), "2 h 05 m");
        assert_eq!(
            short_time("2026-12-01T22:10:03.123Z"),
            "2026-12-01 22:10:03"
        );
        assert_eq!(short_time("soon"), "soon");
        assert_eq!(clock(6), "0:06");
        assert_eq!(clock(760), "12:40");
        assert_eq!(clock(3723), "1:02:03");
    }
}
