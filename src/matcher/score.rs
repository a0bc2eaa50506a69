//! How alike an Eptura entity and a Condeco candidate are: a score in [0, 1] per level, and on
//! request its explanation, one [`Reason`] per field that was compared (agreed, partly, differed,
//! with the values and a similarity). Names are compared as [`Name`]s: words by Levenshtein
//! similarity (strsim) over the words in order, sorted, and run together; the codes that tell
//! neighbours apart (numbers, letter suffixes) must agree, and a conflict there outweighs any
//! likeness of the words ("Huddle 3A" is not "Huddle 3B"). Pure.

use serde::Serialize;
use strsim::osa_distance;

use super::input::{Facts, Level, SpaceKind};
use super::normal::Name;
use crate::domain::geo;
use crate::domain::names::floor_number;

/// The field a reason is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    /// A number or letter code in the name ("3A", "01-102").
    NameCode,
    /// A country's ISO code, a building's code.
    Code,
    Street,
    PostalCode,
    City,
    /// A region named after a state or province.
    State,
    FloorNumber,
    Capacity,
    Kind,
    /// The Condeco entity carries the Eptura entity's id.
    ExternalId,
    /// An earlier sync linked them (the mapping store).
    Mapping,
    /// The operator decided.
    Decision,
}

impl Field {
    /// The field as `match --format json` and the TUI name it ("postal_code").
    pub const fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::NameCode => "name_code",
            Field::Code => "code",
            Field::Street => "street",
            Field::PostalCode => "postal_code",
            Field::City => "city",
            Field::State => "state",
            Field::FloorNumber => "floor_number",
            Field::Capacity => "capacity",
            Field::Kind => "kind",
            Field::ExternalId => "external_id",
            Field::Mapping => "mapping",
            Field::Decision => "decision",
        }
    }
}

/// How a field compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Agreed,
    Partly,
    Differed,
}

/// One field compared: both values, the verdict and the similarity (1 agreed, 0 differed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub field: Field,
    pub verdict: Verdict,
    pub eptura: Option<String>,
    pub condeco: Option<String>,
    pub similarity: f64,
    /// What the similarity means, when the verdict alone does not say ("1 edit", "suffix").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Reason {
    fn new(field: Field, similarity: f64, eptura: Option<&str>, condeco: Option<&str>) -> Reason {
        let verdict = if similarity >= 0.999 {
            Verdict::Agreed
        } else if similarity > 0.0 {
            Verdict::Partly
        } else {
            Verdict::Differed
        };
        Reason {
            field,
            verdict,
            eptura: eptura.map(str::to_string),
            condeco: condeco.map(str::to_string),
            similarity: round(similarity),
            note: None,
        }
    }

    fn noted(mut self, note: impl Into<String>) -> Reason {
        self.note = Some(note.into());
        self
    }

    /// A reason that is not a comparison of two values (an external id, a decision).
    pub fn certain(field: Field, eptura: Option<&str>, condeco: Option<&str>) -> Reason {
        Reason::new(field, 1.0, eptura, condeco)
    }
}

/// Scores rounded to three places, so that output and tests do not show float noise.
pub fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Where reasons go: nowhere when only the score is wanted (the fast path).
pub type Reasons<'a> = Option<&'a mut Vec<Reason>>;

fn say(reasons: &mut Reasons<'_>, reason: impl FnOnce() -> Reason) {
    if let Some(list) = reasons.as_mut() {
        list.push(reason());
    }
}

/// An entity's facts in the form the scores read, computed once per entity.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub name: Name,
    code: Option<Name>,
    /// A country's code as ISO alpha-2 ("USA" → "US"), when it is one.
    iso: Option<String>,
    street: Option<Name>,
    postal: Option<String>,
    city: Option<Name>,
    /// The state or province code the name or the facts give.
    state: Option<&'static str>,
    /// The number the name states (floors).
    named_floor: Option<i32>,
}

impl Prepared {
    pub fn of(level: Level, facts: &Facts) -> Prepared {
        fn present(t: &Option<String>) -> Option<&str> {
            t.as_deref().map(str::trim).filter(|t| !t.is_empty())
        }
        let name = match level {
            Level::Region => Name::of_address(&facts.name),
            _ => Name::of(&facts.name),
        };
        Prepared {
            name,
            code: present(&facts.code).map(Name::of),
            iso: present(&facts.code).and_then(iso_alpha2),
            street: present(&facts.street).map(Name::of_address),
            postal: present(&facts.postal_code).map(postal_form),
            city: present(&facts.city).map(Name::of_address),
            state: present(&facts.state)
                .and_then(state_code)
                .or_else(|| (level == Level::Region).then(|| state_code(&facts.name))?),
            named_floor: (level == Level::Floor)
                .then(|| floor_number(&facts.name))
                .flatten(),
        }
    }
}

/// One side of a comparison: the raw facts (for reasons) and their prepared form.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub facts: &'a Facts,
    pub prepared: &'a Prepared,
}

/// How alike `e` (Eptura) and `c` (Condeco) are at `level`, in [0, 1].
pub fn score(level: Level, e: Side<'_>, c: Side<'_>, mut reasons: Reasons<'_>) -> f64 {
    let s = match level {
        Level::Country => country(e, c, &mut reasons),
        Level::Region => region(e, c, &mut reasons),
        Level::Location => location(e, c, &mut reasons),
        Level::Floor => floor(e, c, &mut reasons),
        Level::Resource => resource(e, c, &mut reasons),
    };
    s.clamp(0.0, 1.0)
}

/// A cheap upper bound of [`name_score`]: 0 when the codes conflict (the common case among
/// neighbours, "HOU-01-001" against "HOU-01-002"), which lets the candidate loop skip them.
pub fn codes_conflict(a: &Name, b: &Name) -> bool {
    matches!(compare_codes(a, b), Codes::Conflict)
}

// ---- names ----

/// How the codes of two names compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codes {
    /// Neither has any.
    Neither,
    /// Only one has some ("Boardroom" and "Boardroom 1").
    OneSided,
    /// The same, as numbers ("Room 05" and "Room 5"; "3.01" and "301").
    Equal,
    /// The shorter list ends the longer one ("HOU-03-001" and "001").
    Suffix,
    Conflict,
}

fn compare_codes(a: &Name, b: &Name) -> Codes {
    match (a.codes.is_empty(), b.codes.is_empty()) {
        (true, true) => return Codes::Neither,
        (true, false) | (false, true) => return Codes::OneSided,
        (false, false) => {}
    }
    if a.codes == b.codes
        || (!a.digits.is_empty() && a.digits == b.digits && a.code_letters == b.code_letters)
    {
        return Codes::Equal;
    }
    let (short, long) = if a.codes.len() < b.codes.len() {
        (&a.codes, &b.codes)
    } else {
        (&b.codes, &a.codes)
    };
    if long.ends_with(short) {
        Codes::Suffix
    } else {
        Codes::Conflict
    }
}

/// Similarity of the words alone, in [0, 1]: the best edit similarity (strsim's optimal
/// string alignment, so that a swap of two letters is one typo) of the words in order, sorted,
/// or run together, with each edit counting double (one typo in a fourteen-letter name gives
/// 0.86; unrelated names sharing "Room" fall near 0); a name whose words are all in the other
/// at least the share of the other's letters they make ("Huddle" in "Huddle Room": 0.6; "HOU" in
/// "HOU Phone Booth": 0.23).
fn word_similarity(a: &Name, b: &Name) -> f64 {
    if a.text == b.text {
        return 1.0;
    }
    let ordered = edit_similarity(&a.text, &b.text);
    let sorted = edit_similarity(&a.sorted, &b.sorted);
    let joined = edit_similarity(&a.text.replace(' ', ""), &b.text.replace(' ', ""));
    let best = ordered.max(sorted).max(joined);
    let edits = (1.0 - 2.0 * (1.0 - best)).max(0.0);
    if contained(a, b) {
        let letters = |n: &Name| n.words.iter().map(String::len).sum::<usize>().max(1) as f64;
        edits.max(letters(a).min(letters(b)) / letters(a).max(letters(b)))
    } else {
        edits
    }
}

/// 1 − (optimal string alignment distance) / (the longer length).
fn edit_similarity(a: &str, b: &str) -> f64 {
    let longest = a.chars().count().max(b.chars().count());
    if longest == 0 {
        return 1.0;
    }
    1.0 - osa_distance(a, b) as f64 / longest as f64
}

/// Whether every word of the shorter name is among the longer one's ("London" in "Greater
/// London").
fn contained(a: &Name, b: &Name) -> bool {
    let (short, long) = if a.words.len() <= b.words.len() {
        (a, b)
    } else {
        (b, a)
    };
    !short.words.is_empty() && short.words.iter().all(|w| long.words.contains(w))
}

/// The weight of agreeing codes against agreeing words, when both names have codes.
const CODE_WEIGHT: f64 = 0.7;
/// What a name with words is worth against one without ("HOU-03-001" against "03-001").
const ONE_SIDED_WORDS: f64 = 0.6;
/// The most a name with codes can score against one without ("Boardroom" and "Boardroom 1").
const ONE_SIDED_CODES: f64 = 0.75;
/// The most two names whose codes conflict can score.
pub(super) const CONFLICT_CAP: f64 = 0.3;

/// How alike two names are, in [0, 1], with the reasons (field `Name` and `NameCode`).
fn name_score(e: &Name, c: &Name, shown: (&str, &str), reasons: &mut Reasons<'_>) -> f64 {
    let codes = compare_codes(e, c);
    let words = match (e.words.is_empty(), c.words.is_empty()) {
        (false, false) => word_similarity(e, c),
        (true, true) => 1.0,
        _ => ONE_SIDED_WORDS,
    };
    let (e_shown, c_shown) = shown;
    say(reasons, || {
        let reason = Reason::new(Field::Name, words, Some(e_shown), Some(c_shown));
        match (e.words.is_empty(), c.words.is_empty()) {
            (false, false) if words < 1.0 => {
                reason.noted(format!("words \"{}\" and \"{}\"", e.text, c.text))
            }
            (false, false) | (true, true) => reason,
            _ => reason.noted("words on one side only"),
        }
    });
    let code_similarity = match codes {
        Codes::Neither => return words,
        Codes::OneSided => {
            say(reasons, || {
                Reason::new(Field::NameCode, 0.0, Some(e_shown), Some(c_shown))
                    .noted("a number or code on one side only")
            });
            return ONE_SIDED_CODES * words;
        }
        Codes::Equal => 1.0,
        Codes::Suffix => 0.85,
        Codes::Conflict => 0.0,
    };
    say(reasons, || {
        let note = match codes {
            Codes::Suffix => "one ends the other (a prefix added or dropped)",
            Codes::Conflict => "numbers or codes differ",
            _ => "numbers and codes agree",
        };
        Reason::new(
            Field::NameCode,
            code_similarity,
            Some(&e.codes.join("-")),
            Some(&c.codes.join("-")),
        )
        .noted(note)
    });
    let s = CODE_WEIGHT * code_similarity + (1.0 - CODE_WEIGHT) * words;
    if codes == Codes::Conflict {
        s.min(CONFLICT_CAP * words)
    } else {
        s
    }
}

// ---- levels ----

/// Country: ISO code first, then the name.
fn country(e: Side<'_>, c: Side<'_>, reasons: &mut Reasons<'_>) -> f64 {
    let names = (e.facts.name.as_str(), c.facts.name.as_str());
    let name = name_score(&e.prepared.name, &c.prepared.name, names, reasons);
    match (&e.prepared.iso, &c.prepared.iso) {
        (Some(a), Some(b)) => {
            let same = a == b;
            say(reasons, || {
                Reason::new(
                    Field::Code,
                    f64::from(u8::from(same)),
                    e.facts.code.as_deref(),
                    c.facts.code.as_deref(),
                )
            });
            if same { 1.0 } else { name.min(0.2) }
        }
        _ => name,
    }
}

/// Region: the name, a state code being as good as the state's name ("TX" = "Texas"); a
/// Condeco region named after the state of an Eptura city is plausible, not certain.
fn region(e: Side<'_>, c: Side<'_>, reasons: &mut Reasons<'_>) -> f64 {
    // "Washington" in DC is a city, not the state of Washington.
    let e_state = state_code(&e.facts.name).filter(|s| e.prepared.state.is_none_or(|t| t == *s));
    let c_state = state_code(&c.facts.name);
    if let (Some(a), Some(b)) = (e_state, c_state) {
        say(reasons, || {
            Reason::new(
                Field::State,
                f64::from(u8::from(a == b)),
                Some(&e.facts.name),
                Some(&c.facts.name),
            )
            .noted("state or province, by code or name")
        });
        return if a == b { 1.0 } else { 0.0 };
    }
    let names = (e.facts.name.as_str(), c.facts.name.as_str());
    let mut s = name_score(&e.prepared.name, &c.prepared.name, names, reasons);
    // "London" and "Greater London", "Toronto" and "Greater Toronto Area".
    if contained(&e.prepared.name, &c.prepared.name) {
        s = s.max(0.7);
    }
    if let (Some(state), Some(named)) = (e.prepared.state, c_state) {
        let same = state == named;
        say(reasons, || {
            Reason::new(
                Field::State,
                f64::from(u8::from(same)),
                Some(state),
                Some(&c.facts.name),
            )
            .noted("the Condeco region is named after a state or province")
        });
        // Named after its state: plausible; after another state: a person should look.
        s = if same { s.max(0.8) } else { s.min(0.6) };
    }
    s
}

/// Location: name (a building code written into it is no disagreement), street, postal code
/// and city, weighted; missing fields do not count either way.
fn location(e: Side<'_>, c: Side<'_>, reasons: &mut Reasons<'_>) -> f64 {
    let mut total = 0.0;
    let mut weight = 0.0;
    let mut add = |w: f64, s: f64| {
        total += w * s;
        weight += w;
    };
    let stripped = e
        .prepared
        .code
        .as_ref()
        .and_then(|code| Some((code, c.prepared.name.without(code)?)));
    let c_name = match &stripped {
        Some((_, rest)) if !rest.is_empty() => {
            say(reasons, || {
                Reason::new(
                    Field::Code,
                    1.0,
                    e.facts.code.as_deref(),
                    Some(&c.facts.name),
                )
                .noted("the building code is in the Condeco name")
            });
            add(0.1, 1.0);
            rest
        }
        _ => &c.prepared.name,
    };
    let names = (e.facts.name.as_str(), c.facts.name.as_str());
    add(0.5, name_score(&e.prepared.name, c_name, names, reasons));
    let street = compared(
        Field::Street,
        (&e.prepared.street, &e.facts.street),
        (&c.prepared.street, &c.facts.street),
        street_similarity,
        reasons,
    );
    let postal = compared(
        Field::PostalCode,
        (&e.prepared.postal, &e.facts.postal_code),
        (&c.prepared.postal, &c.facts.postal_code),
        |a, b| postal_similarity(a, b),
        reasons,
    );
    let city = compared(
        Field::City,
        (&e.prepared.city, &e.facts.city),
        (&c.prepared.city, &c.facts.city),
        word_similarity,
        reasons,
    );
    for (weight, similarity) in [(0.25, street), (0.15, postal), (0.1, city)] {
        if let Some(s) = similarity {
            add(weight, s);
        }
    }
    let same_address = street.zip(postal).is_some_and(|(a, b)| a.min(b) >= 0.999);
    let s = total / weight;
    // The same street address and postal code: the same building, renamed, or a neighbour in
    // one complex; either way a person should look.
    if same_address {
        s.max(RENAMED_AT_SAME_ADDRESS)
    } else {
        s
    }
}

/// The score of a building with another name at the same street address and postal code.
const RENAMED_AT_SAME_ADDRESS: f64 = 0.6;

/// The similarity of one field both sides have (prepared, as given), with its reason.
fn compared<T>(
    field: Field,
    (e, e_shown): (&Option<T>, &Option<String>),
    (c, c_shown): (&Option<T>, &Option<String>),
    similarity: impl Fn(&T, &T) -> f64,
    reasons: &mut Reasons<'_>,
) -> Option<f64> {
    let s = similarity(e.as_ref()?, c.as_ref()?);
    say(reasons, || {
        Reason::new(field, s, e_shown.as_deref(), c_shown.as_deref())
    });
    Some(s)
}

/// House number and street words: a different house number is a different building.
fn street_similarity(a: &Name, b: &Name) -> f64 {
    let words = word_similarity(a, b);
    match (a.numbers().next(), b.numbers().next()) {
        (Some(x), Some(y)) if x == y => 0.6 + 0.4 * words,
        (Some(_), Some(_)) => 0.2 * words,
        _ => 0.7 * words,
    }
}

/// Postal codes: US zips by their first five digits as a number (a spreadsheet drops the
/// leading zero of "02210"), others as written without spaces; the same first three
/// characters (the same district) count half.
fn postal_similarity(a: &str, b: &str) -> f64 {
    let zip = |p: &str| -> Option<u32> {
        let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
        (digits.len() >= 4 && digits.len() <= 5 || digits.len() == 9)
            .then(|| digits.chars().take(5).collect::<String>().parse().ok())
            .flatten()
    };
    if let (Some(x), Some(y)) = (zip(a), zip(b)) {
        return f64::from(u8::from(x == y));
    }
    if a == b {
        1.0
    } else if a.len() >= 3 && b.len() >= 3 && a[..3] == b[..3] {
        0.5
    } else {
        0.0
    }
}

/// Floor: the number (Condeco's against the one the Eptura name states), then the names.
fn floor(e: Side<'_>, c: Side<'_>, reasons: &mut Reasons<'_>) -> f64 {
    let wanted = e.facts.floor_number;
    let number = c.facts.floor_number;
    let label = |n: Option<i32>| n.map(|n| n.to_string());
    say(reasons, || {
        let same = wanted.is_some() && wanted == number;
        Reason::new(
            Field::FloorNumber,
            f64::from(u8::from(same)),
            label(wanted).as_deref(),
            label(number).as_deref(),
        )
    });
    let named = c.prepared.named_floor;
    let c_has_name = !c.prepared.name.is_empty();
    match wanted {
        Some(n) if Some(n) == number => {
            if named.is_some_and(|m| m != n) {
                say(reasons, || {
                    Reason::new(Field::Name, 0.0, Some(&e.facts.name), Some(&c.facts.name))
                        .noted("the Condeco floor's name states another number")
                });
                0.6
            } else {
                1.0
            }
        }
        Some(n) if named == Some(n) => {
            say(reasons, || {
                Reason::new(Field::Name, 1.0, Some(&e.facts.name), Some(&c.facts.name))
                    .noted("the Condeco name states this number, its number differs")
            });
            0.7
        }
        None if c_has_name => {
            let names = (e.facts.name.as_str(), c.facts.name.as_str());
            0.9 * name_score(&e.prepared.name, &c.prepared.name, names, reasons)
        }
        Some(_) | None => 0.0,
    }
}

/// Resource: the name; the kind (Condeco cannot change it) and a meeting space's capacity as
/// evidence.
fn resource(e: Side<'_>, c: Side<'_>, reasons: &mut Reasons<'_>) -> f64 {
    let names = (e.facts.name.as_str(), c.facts.name.as_str());
    let mut s = name_score(&e.prepared.name, &c.prepared.name, names, reasons);
    if let (Some(a), Some(b)) = (e.facts.kind, c.facts.kind) {
        let kind = |k: SpaceKind| match k {
            SpaceKind::Meeting => "meeting space",
            SpaceKind::Personal => "personal space",
        };
        say(reasons, || {
            Reason::new(
                Field::Kind,
                f64::from(u8::from(a == b)),
                Some(kind(a)),
                Some(kind(b)),
            )
        });
        if a != b {
            s -= 0.3;
        }
    }
    let meeting =
        e.facts.kind == Some(SpaceKind::Meeting) || c.facts.kind == Some(SpaceKind::Meeting);
    if let (true, Some(a), Some(b)) = (meeting, e.facts.capacity, c.facts.capacity) {
        let (a, b) = (f64::from(a), f64::from(b));
        let similarity = 1.0 - (a - b).abs() / a.max(b).max(1.0);
        say(reasons, || {
            Reason::new(
                Field::Capacity,
                similarity,
                Some(&a.to_string()),
                Some(&b.to_string()),
            )
        });
        s += if a == b {
            0.05
        } else {
            -0.1 * (1.0 - similarity)
        };
    }
    s
}

// ---- codes of places ----

/// The state or province code a text names: its code ("TX") or its name ("Texas").
fn state_code(text: &str) -> Option<&'static str> {
    let wanted = Name::of(text);
    if wanted.is_empty() {
        return None;
    }
    if let Some(region) = geo::region(text) {
        return Some(region.code);
    }
    geo::REGIONS
        .iter()
        .find(|r| Name::of(r.name).text == wanted.text && wanted.codes.is_empty())
        .map(|r| r.code)
}

/// Country codes Condeco tenants write that are not ISO alpha-2, and the alpha-2 they mean.
const COUNTRY_ALIASES: &[(&str, &str)] = &[
    ("USA", "US"),
    ("UK", "GB"),
    ("GBR", "GB"),
    ("CAN", "CA"),
    ("MEX", "MX"),
    ("DEU", "DE"),
    ("GER", "DE"),
    ("FRA", "FR"),
    ("IRL", "IE"),
    ("NLD", "NL"),
    ("ESP", "ES"),
    ("ITA", "IT"),
    ("AUS", "AU"),
    ("IND", "IN"),
    ("JPN", "JP"),
    ("CHN", "CN"),
    ("SGP", "SG"),
    ("CHE", "CH"),
    ("BRA", "BR"),
];

fn iso_alpha2(code: &str) -> Option<String> {
    let upper = code.trim().to_ascii_uppercase();
    if let Some((_, iso)) = COUNTRY_ALIASES.iter().find(|(alias, _)| *alias == upper) {
        return Some((*iso).to_string());
    }
    (upper.len() == 2 && upper.chars().all(|c| c.is_ascii_alphabetic())).then_some(upper)
}

/// A postal code as compared: upper case letters and digits only.
fn postal_form(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(name: &str) -> Facts {
        Facts {
            name: name.into(),
            ..Facts::default()
        }
    }

    fn pair(level: Level, e: &Facts, c: &Facts) -> (f64, Vec<Reason>) {
        let (pe, pc) = (Prepared::of(level, e), Prepared::of(level, c));
        let e = Side {
            facts: e,
            prepared: &pe,
        };
        let c = Side {
            facts: c,
            prepared: &pc,
        };
        let mut reasons = Vec::new();
        let s = score(level, e, c, Some(&mut reasons));
        let fast = score(level, e, c, None);
        assert_eq!(s, fast, "explaining does not change the score");
        (s, reasons)
    }

    fn names(level: Level, e: &str, c: &str) -> f64 {
        pair(level, &facts(e), &facts(c)).0
    }

    #[test]
    fn names_that_differ_only_in_form_score_one() {
        for (e, c) in [
            ("Conf Rm 3A", "Conference Room 3A"),
            ("Room 05", "Room 5"),
            ("SoHo Room", "Soho Room"),
            ("Montréal Centre-Ville", "Montreal Center Ville"),
        ] {
            assert_eq!(names(Level::Resource, e, c), 1.0, "{e} / {c}");
        }
    }

    #[test]
    fn typos_and_reordering_stay_high_and_different_rooms_low() {
        assert!(names(Level::Resource, "Galveston Room", "Galvestn Room") >= 0.85);
        assert!(
            names(Level::Resource, "Juniper Room", "Junpier Room") >= 0.8,
            "a swap is one typo"
        );
        assert!(names(Level::Resource, "HOU-10-001", "HOU Phone Booth 10-1") < 0.85);
        assert!(names(Level::Resource, "Lakeshore Room", "Lake Shore Room") >= 0.85);
        assert!(names(Level::Resource, "Huddle 02A", "Huddle Rm 02A") >= 0.85);
        assert!(names(Level::Resource, "Room Galveston", "Galveston Room") >= 0.85);
        assert!(names(Level::Resource, "Bayou Room", "Buffalo Room") < 0.5);
        assert!(names(Level::Resource, "Huddle 3A", "Huddle 3B") <= 0.3);
        assert!(names(Level::Resource, "HOU-01-001", "HOU-01-002") <= 0.3);
    }

    #[test]
    fn a_field_is_named_as_its_json_names_it() {
        let fields = [
            Field::Name,
            Field::NameCode,
            Field::Code,
            Field::Street,
            Field::PostalCode,
            Field::City,
            Field::State,
            Field::FloorNumber,
            Field::Capacity,
            Field::Kind,
            Field::ExternalId,
            Field::Mapping,
            Field::Decision,
        ];
        for field in fields {
            let json = serde_json::to_value(field).unwrap();
            assert_eq!(json.as_str(), Some(field.as_str()));
        }
    }

    #[test]
    fn a_prefix_added_or_dropped_is_plausible() {
        let s = names(Level::Resource, "HOU-03-001", "03-001");
        assert!((0.85..1.0).contains(&s), "{s}");
        let s = names(Level::Resource, "Desk 001", "HOU-03-001");
        assert!((0.5..0.85).contains(&s), "{s}");
    }

    #[test]
    fn reasons_say_what_differed() {
        let mut e = facts("Conf Rm 4A");
        e.kind = Some(SpaceKind::Meeting);
        e.capacity = Some(8);
        let mut c = facts("Conference Room 4B");
        c.kind = Some(SpaceKind::Meeting);
        c.capacity = Some(10);
        let (s, reasons) = pair(Level::Resource, &e, &c);
        assert!(s < 0.5, "{s}");
        let field = |f: Field| reasons.iter().find(|r| r.field == f).unwrap();
        assert_eq!(field(Field::Name).verdict, Verdict::Agreed);
        assert_eq!(field(Field::NameCode).verdict, Verdict::Differed);
        assert_eq!(field(Field::Capacity).verdict, Verdict::Partly);
        assert_eq!(field(Field::Kind).verdict, Verdict::Agreed);
    }

    #[test]
    fn a_different_kind_costs_a_lot() {
        let mut e = facts("Focus 1");
        e.kind = Some(SpaceKind::Personal);
        let mut c = facts("Focus 1");
        c.kind = Some(SpaceKind::Meeting);
        assert!(pair(Level::Resource, &e, &c).0 < 0.85);
    }

    #[test]
    fn regions_by_state_code_or_name() {
        assert_eq!(names(Level::Region, "Texas", "TX"), 1.0);
        assert_eq!(names(Level::Region, "Texas", "Ohio"), 0.0);
        let mut houston = facts("Houston");
        houston.state = Some("TX".into());
        let (s, _) = pair(Level::Region, &houston, &facts("Texas"));
        assert!(
            (0.5..0.85).contains(&s),
            "a city against its state: review, {s}"
        );
        assert!(names(Level::Region, "London", "Greater London") >= 0.5);
        let mut washington = facts("Washington");
        washington.state = Some("DC".into());
        let (s, _) = pair(Level::Region, &washington, &facts("Washington"));
        assert!(
            s < 0.85,
            "the city in DC is not the state of Washington: {s}"
        );
    }

    #[test]
    fn countries_by_iso_code_with_common_aliases() {
        let mut e = facts("United States of America (the)");
        e.code = Some("US".into());
        let mut c = facts("United States");
        c.code = Some("USA".into());
        assert_eq!(pair(Level::Country, &e, &c).0, 1.0);
        c.code = Some("CA".into());
        assert!(pair(Level::Country, &e, &c).0 <= 0.2);
    }

    #[test]
    fn locations_weigh_name_street_and_postal_code() {
        let building = |name: &str, street: &str, zip: &str| Facts {
            name: name.into(),
            street: Some(street.into()),
            postal_code: Some(zip.into()),
            ..Facts::default()
        };
        let e = building("Boston Seaport", "10 Fan Pier Blvd", "02210");
        let same = building("Boston Seaport", "10 Fan Pier Boulevard", "2210");
        assert_eq!(pair(Level::Location, &e, &same).0, 1.0);
        let renamed = building("Harborside Commons", "10 Fan Pier Blvd", "02210");
        let s = pair(Level::Location, &e, &renamed).0;
        assert!((0.5..0.85).contains(&s), "renamed at the same address: {s}");
        let neighbour = building("Boston Seaport", "12 Fan Pier Blvd", "02210");
        assert!(pair(Level::Location, &e, &neighbour).0 < 0.85);
        let mut coded = e.clone();
        coded.code = Some("BOS1".into());
        let named = building("BOS1 - Boston Seaport", "10 Fan Pier Blvd", "02210");
        assert_eq!(pair(Level::Location, &coded, &named).0, 1.0);
    }

    #[test]
    fn floors_by_number_then_name() {
        let floor = |name: &str, number: Option<i32>| Facts {
            name: name.into(),
            floor_number: number,
            ..Facts::default()
        };
        let f = |n: &str| floor(n, floor_number(n));
        assert_eq!(
            pair(Level::Floor, &f("Level 3"), &floor("3rd Floor", Some(3))).0,
            1.0
        );
        assert_eq!(pair(Level::Floor, &f("Ground"), &floor("", Some(0))).0, 1.0);
        assert_eq!(pair(Level::Floor, &f("B1"), &floor("P1", Some(-1))).0, 1.0);
        assert_eq!(
            pair(Level::Floor, &f("Level 3"), &floor("4", Some(4))).0,
            0.0
        );
        let mezzanine = pair(Level::Floor, &f("Mezzanine"), &floor("Mezz", Some(1))).0;
        assert!(mezzanine >= 0.85, "{mezzanine}");
        let odd = pair(Level::Floor, &f("3"), &floor("Level 4", Some(3))).0;
        assert!((0.5..0.85).contains(&odd), "{odd}");
    }
}
