//! Name rules: how names are compared (folded case, spacing and punctuation), what Condeco
//! accepts (at most 100 characters, no commas, extended ASCII only) and how a name is made
//! acceptable, plus the edit distance that suggestions and matching use.

/// Longest name Condeco accepts.
pub const CONDECO_NAME_MAX: usize = 100;

/// The comparison form of a name: lower case, punctuation as spaces, runs of spaces folded.
/// "Houston  HQ." and "houston-hq" both become "houston hq".
pub fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_space = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// What Condeco would reject in a name, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CondecoNameIssue {
    Comma,
    NotExtendedAscii,
    TooLong,
}

impl CondecoNameIssue {
    pub fn describe(self) -> &'static str {
        match self {
            CondecoNameIssue::Comma => "contains a comma",
            CondecoNameIssue::NotExtendedAscii => "has characters outside extended ASCII",
            CondecoNameIssue::TooLong => "is longer than 100 characters",
        }
    }
}

/// Every reason Condeco would reject `name`, in a fixed order.
pub fn condeco_name_issues(name: &str) -> Vec<CondecoNameIssue> {
    let mut issues = Vec::new();
    if name.contains(',') {
        issues.push(CondecoNameIssue::Comma);
    }
    if name.chars().any(|c| u32::from(c) > 0xFF) {
        issues.push(CondecoNameIssue::NotExtendedAscii);
    }
    if name.chars().count() > CONDECO_NAME_MAX {
        issues.push(CondecoNameIssue::TooLong);
    }
    issues
}

/// The name sync will send to Condeco: commas become spaces (runs folded), characters outside
/// extended ASCII become `?`, and the result is cut to 100 characters and trimmed.
pub fn sanitise_for_condeco(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let c = match c {
            ',' => ' ',
            c if u32::from(c) > 0xFF => '?',
            c => c,
        };
        if c == ' ' && out.ends_with(' ') {
            continue;
        }
        out.push(c);
    }
    let cut: String = out.trim().chars().take(CONDECO_NAME_MAX).collect();
    cut.trim_end().to_string()
}

/// Levenshtein distance over characters.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The Condeco floor number a floor name stands for, when the name says it: "3", "Floor 3",
/// "3rd Floor", "Level 03", "L3" → 3; "Ground", "G", "GF", "Lobby" (and the ground floor's
/// names in German, French and Spanish: "EG", "RDC", "PB") → 0; "B1", "Basement", "Lower
/// Level 1", "LL1", "Lower Ground", "LG" → -1. `None` when the name holds no number.
pub fn floor_number(name: &str) -> Option<i32> {
    let n = normalise(name);
    match n.as_str() {
        "ground" | "g" | "gf" | "lobby" | "ground floor" | "main" | "main floor" | "eg"
        | "erdgeschoss" | "rdc" | "rez de chaussee" | "rez de chaussée" | "pb" | "planta baja" => {
            return Some(0);
        }
        "basement" | "lower level" | "b" | "lower ground" | "lower ground floor" | "lg" => {
            return Some(-1);
        }
        _ => {}
    }
    let below = ["b", "ll", "lower level", "basement", "p", "sub"];
    let above = ["floor", "level", "l", "fl", "flr", "lvl"];
    let words: Vec<&str> = n.split(' ').collect();
    let compact = n.replace(' ', "");
    for prefix in below {
        if let Some(rest) = compact.strip_prefix(&prefix.replace(' ', ""))
            && let Ok(number) = rest.parse::<i32>()
        {
            return Some(-number);
        }
    }
    for prefix in above {
        if let Some(rest) = compact.strip_prefix(prefix)
            && let Some(number) = leading_number(rest)
        {
            return Some(number);
        }
    }
    words.iter().find_map(|w| leading_number(w))
}

/// "3" → 3, "3rd" → 3, "03" → 3, "2nd" → 2; digits must lead and any suffix be an ordinal.
fn leading_number(word: &str) -> Option<i32> {
    let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
    let suffix = &word[digits.len()..];
    if digits.is_empty() || !matches!(suffix, "" | "st" | "nd" | "rd" | "th" | "floor") {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_folds_case_spacing_and_punctuation() {
        assert_eq!(normalise("  Houston  HQ. "), "houston hq");
        assert_eq!(normalise("houston-hq"), "houston hq");
        assert_eq!(normalise("Zürich Büro"), "zürich büro");
    }

    #[test]
    fn condeco_names_are_sanitised() {
        assert_eq!(sanitise_for_condeco("Desk, Window"), "Desk Window");
        assert_eq!(sanitise_for_condeco("東京 Room"), "?? Room");
        assert_eq!(sanitise_for_condeco("Montréal"), "Montréal");
        assert_eq!(sanitise_for_condeco(&"x".repeat(150)).len(), 100);
        assert_eq!(
            condeco_name_issues("a, 東"),
            vec![CondecoNameIssue::Comma, CondecoNameIssue::NotExtendedAscii]
        );
        assert!(condeco_name_issues("Conference Room 3A").is_empty());
    }

    #[test]
    fn edit_distance() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("Confernce Room", "Conference Room"), 1);
    }

    #[test]
    fn floor_numbers_from_names() {
        for (name, number) in [
            ("3", Some(3)),
            ("Floor 3", Some(3)),
            ("3rd Floor", Some(3)),
            ("Level 03", Some(3)),
            ("L3", Some(3)),
            ("Ground", Some(0)),
            ("G", Some(0)),
            ("GF", Some(0)),
            ("Lobby", Some(0)),
            ("B1", Some(-1)),
            ("Basement", Some(-1)),
            ("Lower Level 1", Some(-1)),
            ("LL1", Some(-1)),
            ("LL2", Some(-2)),
            ("Lower Ground", Some(-1)),
            ("LG", Some(-1)),
            ("EG", Some(0)),
            ("RDC", Some(0)),
            ("Mezzanine", None),
            ("Roof", None),
        ] {
            assert_eq!(floor_number(name), number, "{name}");
        }
    }
}
