//! Text that came from outside (a customer's cell, a server's answer) made safe to show and
//! to keep: control characters that a terminal obeys instead of printing (ESC starts colour,
//! cursor and title sequences; BEL rings; NUL hides what follows) and the bidirectional
//! overrides that make text read differently from what it holds are hidden characters. They
//! are written as visible escapes (`\u{1b}`) wherever such text is shown, and a value holding
//! them is reported, never sent. Tab, line feed and carriage return are layout, not hidden.
//! Also the one place long text is cut for display.

use std::borrow::Cow;

/// Whether `c` is a hidden character: a C0 or C1 control other than tab, LF and CR, DEL, or
/// a bidirectional embedding, override or isolate (U+202A–U+202E, U+2066–U+2069).
pub fn is_hidden(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => false,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

/// Whether `text` holds a hidden character. Looks at bytes first: most text has none of the
/// bytes that can start one.
pub fn has_hidden(text: &str) -> bool {
    text.bytes()
        .any(|b| b < 0x20 || b == 0x7f || b == 0xc2 || b == 0xe2)
        && text.chars().any(is_hidden)
}

/// `text` with every hidden character written as a visible escape (`\u{1b}`); borrowed when
/// there is none.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !has_hidden(text) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hidden(c) {
            shown.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

/// `text` without its hidden characters: what a value probably meant.
pub fn without_hidden(text: &str) -> String {
    text.chars().filter(|c| !is_hidden(*c)).collect()
}

/// `text` cut to at most `max` characters, with "…" after the cut; borrowed when it fits.
pub fn cut_chars(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((at, _)) => Cow::Owned(format!("{}…", &text[..at])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_sequences_are_shown_not_obeyed() {
        assert_eq!(
            visible("Room\u{1b}]0;pwned\u{7}"),
            "Room\\u{1b}]0;pwned\\u{7}"
        );
        assert_eq!(visible("a\u{0}b"), "a\\u{0}b");
        assert_eq!(visible("x\u{9b}31m"), "x\\u{9b}31m");
        assert_eq!(visible("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert!(matches!(visible("Café, 2nd floor\tA"), Cow::Borrowed(_)));
        assert!(!has_hidden("line\nbreak\r\ttab — “quotes” é"));
        assert_eq!(without_hidden("HQ\u{7}\u{1b}"), "HQ");
    }

    #[test]
    fn cutting_keeps_whole_characters() {
        assert_eq!(cut_chars("abcdef", 3), "abc…");
        assert_eq!(cut_chars("éééé", 2), "éé…");
        assert_eq!(cut_chars("éé", 2), "éé");
        assert!(matches!(cut_chars("short", 10), Cow::Borrowed(_)));
    }
}
