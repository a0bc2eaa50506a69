//! The form in which the matcher compares names: accents folded to ASCII, case folded,
//! punctuation and spacing ignored, camel case split ("ConfRm" = "Conf Rm"), common
//! abbreviations expanded ("Rm" = "Room", "Bldg" = "Building", "HQ" = "Headquarters"), spelling
//! variants unified ("Centre" = "Center"), and the parts that tell one room from its neighbour
//! (numbers, a number's letter suffix, short letter codes) kept apart from the words, numbers
//! compared as numbers ("05" = "5"). Pure; what to make of two names is `score`'s business.

/// A name as the matcher compares it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Name {
    /// Words of three letters or more (and expanded abbreviations), in order.
    pub words: Vec<String>,
    /// The words joined by single spaces.
    pub text: String,
    /// The words sorted, joined by single spaces: "Room Galveston" = "Galveston Room".
    pub sorted: String,
    /// What tells one entity from its neighbours: numbers without leading zeros, with a letter
    /// suffix when one is attached ("3A" → "3a"), and short letter codes ("GA" → "ga"), in order.
    pub codes: Vec<String>,
    /// Every digit of the name with leading zeros dropped ("3.01" and "301" → "301").
    pub digits: String,
    /// The letters of the codes, in order ("3A", "GA" → "aga").
    pub code_letters: String,
}

/// Abbreviations and spelling variants of names, and what they stand for.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("rm", "room"),
    ("rms", "rooms"),
    ("conf", "conference"),
    ("mtg", "meeting"),
    ("mtng", "meeting"),
    ("bldg", "building"),
    ("bld", "building"),
    ("bdg", "building"),
    ("fl", "floor"),
    ("flr", "floor"),
    ("lvl", "level"),
    ("lev", "level"),
    ("hq", "headquarters"),
    ("st", "street"),
    ("str", "street"),
    ("ave", "avenue"),
    ("av", "avenue"),
    ("rd", "road"),
    ("blvd", "boulevard"),
    ("dr", "drive"),
    ("ln", "lane"),
    ("pl", "place"),
    ("sq", "square"),
    ("pkwy", "parkway"),
    ("hwy", "highway"),
    ("ct", "court"),
    ("ste", "suite"),
    ("ctr", "center"),
    ("cntr", "center"),
    ("centre", "center"),
    ("trng", "training"),
    ("ofc", "office"),
    ("wkst", "workstation"),
    ("wks", "workstation"),
    ("bsmt", "basement"),
    ("mezz", "mezzanine"),
    ("intl", "international"),
    ("dept", "department"),
    ("mgmt", "management"),
    ("grd", "ground"),
    ("theatre", "theater"),
];

/// Compass points, expanded in addresses only ("250 W 34th St" = "250 West 34th Street"): in a
/// room name a single letter is more often a code ("Room E").
const DIRECTIONS: &[(&str, &str)] = &[
    ("n", "north"),
    ("s", "south"),
    ("e", "east"),
    ("w", "west"),
    ("o", "ouest"),
    ("ne", "northeast"),
    ("nw", "northwest"),
    ("se", "southeast"),
    ("sw", "southwest"),
];

/// Words that say nothing about which entity is meant.
const STOP_WORDS: &[&str] = &["the", "of", "and", "at", "no", "nr", "num", "number"];

/// Ordinal suffixes of numbers ("3rd").
const ORDINALS: &[&str] = &["st", "nd", "rd", "th"];

/// One run of letters or digits, and whether a separator came before it.
#[derive(Debug, Clone)]
struct Token {
    text: String,
    digits: bool,
    /// No separator between this token and the one before it.
    joined: bool,
    /// Where a lower case letter was followed by an upper case one ("ConfRm": 4).
    camel: Vec<usize>,
}

impl Name {
    /// The comparison form of an entity's name.
    pub fn of(text: &str) -> Name {
        build(text, false)
    }

    /// The comparison form of a street address (compass points expanded too).
    pub fn of_address(text: &str) -> Name {
        build(text, true)
    }

    /// Whether the name has neither words nor codes.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.codes.is_empty()
    }

    /// The numbers among the codes (the first number of an address is its house number).
    pub fn numbers(&self) -> impl Iterator<Item = &str> {
        self.codes
            .iter()
            .map(String::as_str)
            .filter(|c| c.starts_with(|ch: char| ch.is_ascii_digit()))
    }

    /// The same name without the tokens of `code` (a building code written into a name:
    /// "HOU1 - Houston Energy Center" less "HOU1"), or `None` when the name does not hold it.
    pub fn without(&self, code: &Name) -> Option<Name> {
        if code.is_empty() {
            return None;
        }
        let words = remove_all(&self.words, &code.words)?;
        let codes = remove_all(&self.codes, &code.codes)?;
        let digits: String = codes
            .iter()
            .flat_map(|c| c.chars().filter(char::is_ascii_digit))
            .collect();
        Some(assemble(words, codes, &digits))
    }
}

/// `from` less one of each item of `gone`, if every one of them is there.
fn remove_all(from: &[String], gone: &[String]) -> Option<Vec<String>> {
    let mut left = from.to_vec();
    for item in gone {
        let at = left.iter().position(|x| x == item)?;
        left.remove(at);
    }
    Some(left)
}

fn build(text: &str, address: bool) -> Name {
    let tokens = tokens(text);
    let raw_digits: String = tokens
        .iter()
        .filter(|t| t.digits)
        .map(|t| t.text.as_str())
        .collect();
    let mut words = Vec::new();
    let mut codes = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        let next = tokens.get(i + 1).filter(|t| t.joined && !t.digits);
        if token.digits {
            let number = canonical_number(&token.text);
            match next {
                Some(n) if ORDINALS.contains(&n.text.as_str()) => {
                    codes.push(number);
                    i += 2;
                }
                Some(n) if n.text.len() == 1 => {
                    codes.push(format!("{number}{}", n.text));
                    i += 2;
                }
                _ => {
                    codes.push(number);
                    i += 1;
                }
            }
            continue;
        }
        i += 1;
        let word = token.text.as_str();
        if STOP_WORDS.contains(&word) {
            continue;
        }
        let expanded = lookup(ABBREVIATIONS, word)
            .or_else(|| address.then(|| lookup(DIRECTIONS, word)).flatten());
        match expanded {
            Some(full) => words.push(full.to_string()),
            None if word.len() <= 2 => codes.push(word.to_string()),
            None => words.push(word.to_string()),
        }
    }
    assemble(words, codes, &raw_digits)
}

fn assemble(words: Vec<String>, codes: Vec<String>, raw_digits: &str) -> Name {
    let text = words.join(" ");
    let mut sorted_words: Vec<&str> = words.iter().map(String::as_str).collect();
    sorted_words.sort_unstable();
    let sorted = sorted_words.join(" ");
    let digits = canonical_number(raw_digits);
    let code_letters = codes
        .iter()
        .flat_map(|c| c.chars().filter(char::is_ascii_alphabetic))
        .collect();
    Name {
        words,
        text,
        sorted,
        codes,
        digits,
        code_letters,
    }
}

fn lookup(table: &[(&str, &'static str)], word: &str) -> Option<&'static str> {
    table.iter().find(|(short, _)| *short == word).map(|e| e.1)
}

/// "007" → "7", "0" → "0", "" → "".
fn canonical_number(digits: &str) -> String {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() && !digits.is_empty() {
        "0".to_string()
    } else {
        trimmed.to_string()
    }
}

/// Runs of ASCII letters or digits of the folded text, lower case, with where camel case
/// broke a run of letters.
fn tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut separated = true;
    let mut previous_lower = false;
    for original in text.chars() {
        let mut buffer = [0u8; 4];
        let folded: &str = if original.is_ascii() {
            original.encode_utf8(&mut buffer)
        } else {
            deunicode::deunicode_char(original).unwrap_or(" ")
        };
        for c in folded.chars() {
            if !c.is_ascii_alphanumeric() {
                separated = true;
                previous_lower = false;
                continue;
            }
            let digit = c.is_ascii_digit();
            let camel_break = c.is_ascii_uppercase() && previous_lower;
            previous_lower = c.is_ascii_lowercase();
            let lower = c.to_ascii_lowercase();
            match out.last_mut() {
                Some(last) if !separated && last.digits == digit => {
                    if camel_break {
                        last.camel.push(last.text.len());
                    }
                    last.text.push(lower);
                }
                _ => out.push(Token {
                    text: lower.to_string(),
                    digits: digit,
                    joined: !separated,
                    camel: Vec::new(),
                }),
            }
            separated = false;
        }
    }
    out.into_iter().flat_map(split_camel).collect()
}

/// "ConfRm" as "conf" and "rm" when a part is a known abbreviation; "SoHo" stays "soho".
fn split_camel(token: Token) -> Vec<Token> {
    if token.camel.is_empty() {
        return vec![token];
    }
    let mut cuts = vec![0];
    cuts.extend(&token.camel);
    cuts.push(token.text.len());
    let parts: Vec<&str> = cuts.windows(2).map(|w| &token.text[w[0]..w[1]]).collect();
    if !parts.iter().any(|p| lookup(ABBREVIATIONS, p).is_some()) {
        return vec![Token {
            camel: Vec::new(),
            ..token
        }];
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| Token {
            text: (*part).to_string(),
            digits: false,
            joined: token.joined || i > 0,
            camel: Vec::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> String {
        Name::of(text).text
    }

    fn codes(text: &str) -> Vec<String> {
        Name::of(text).codes
    }

    #[test]
    fn case_accents_punctuation_and_spacing_fold() {
        assert_eq!(words("  Montréal   Centre-Ville "), "montreal center ville");
        assert_eq!(words("MONTREAL centre ville"), "montreal center ville");
        assert_eq!(words("SoHo Room"), "soho room");
        assert_eq!(words("Zürich Büro"), "zurich buro");
    }

    #[test]
    fn abbreviations_expand() {
        assert_eq!(Name::of("Conf Rm 3A"), Name::of("Conference Room 3A"));
        assert_eq!(Name::of("ConfRm 3A"), Name::of("Conference Room 3A"));
        assert_eq!(words("Mtg Rm"), "meeting room");
        assert_eq!(words("Bldg HQ"), "building headquarters");
        assert_eq!(
            Name::of_address("250 W 34th St"),
            Name::of_address("250 West 34th Street")
        );
        assert_ne!(
            words("Room E"),
            words("Room East"),
            "a letter is a code in a name"
        );
    }

    #[test]
    fn numbers_are_numbers_with_their_letter_suffix() {
        assert_eq!(codes("Room 05"), codes("Room 5"));
        assert_eq!(codes("Huddle 02A"), vec!["2a"]);
        assert_eq!(codes("HOU-01-001"), vec!["1", "1"]);
        assert_eq!(codes("3rd Floor"), vec!["3"]);
        assert_eq!(codes("Level 0"), vec!["0"]);
        assert_eq!(Name::of("3.01").digits, Name::of("301").digits);
        assert_eq!(codes("Huddle GA"), vec!["ga"]);
        assert_eq!(Name::of("Huddle 3A").code_letters, "a");
    }

    #[test]
    fn word_order_is_kept_and_also_sorted() {
        let a = Name::of("Galveston Room");
        let b = Name::of("Room Galveston");
        assert_ne!(a.text, b.text);
        assert_eq!(a.sorted, b.sorted);
    }

    #[test]
    fn stop_words_and_ordinals_say_nothing() {
        assert_eq!(words("The Office of the CEO"), "office ceo");
        assert_eq!(codes("Room No. 5"), vec!["5"]);
    }

    #[test]
    fn a_code_written_into_a_name_can_be_taken_out() {
        let name = Name::of("HOU1 - Houston Energy Center");
        let code = Name::of("HOU1");
        assert_eq!(name.without(&code), Some(Name::of("Houston Energy Center")));
        assert_eq!(Name::of("Houston").without(&code), None);
    }

    #[test]
    fn non_latin_names_fold_to_something_comparable() {
        assert!(!Name::of("東京 Room").words.is_empty());
        assert!(Name::of("—").is_empty());
    }
}
