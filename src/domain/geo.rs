//! Geography the template implies: US states (with DC and territories) and Canadian provinces
//! and territories, the country each belongs to, and ISO alpha-2 country codes. The template has
//! no country column, so the country of a building is derived from its state code here.

use std::fmt;

use serde::{Serialize, Serializer};

use super::names::levenshtein;

/// An ISO 3166-1 alpha-2 country code, upper case ("US", "CA").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    pub const US: CountryCode = CountryCode(*b"US");
    pub const CA: CountryCode = CountryCode(*b"CA");

    /// Accepts two ASCII letters in any case; anything else is `None`.
    pub fn parse(text: &str) -> Option<CountryCode> {
        let bytes = text.trim().as_bytes();
        match bytes {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => Some(CountryCode([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
            ])),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CountryCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A first-level subdivision: a US state or territory, or a Canadian province or territory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub code: &'static str,
    pub name: &'static str,
    pub country: CountryCode,
}

const US: CountryCode = CountryCode::US;
const CA: CountryCode = CountryCode::CA;

macro_rules! regions {
    ($($code:literal $name:literal $country:ident),* $(,)?) => {
        &[$(Region { code: $code, name: $name, country: $country }),*]
    };
}

/// Every region the template accepts without a `--country` default.
pub const REGIONS: &[Region] = regions![
    "AL" "Alabama" US, "AK" "Alaska" US, "AZ" "Arizona" US, "AR" "Arkansas" US,
    "CA" "California" US, "CO" "Colorado" US, "CT" "Connecticut" US, "DE" "Delaware" US,
    "FL" "Florida" US, "GA" "Georgia" US, "HI" "Hawaii" US, "ID" "Idaho" US,
    "IL" "Illinois" US, "IN" "Indiana" US, "IA" "Iowa" US, "KS" "Kansas" US,
    "KY" "Kentucky" US, "LA" "Louisiana" US, "ME" "Maine" US, "MD" "Maryland" US,
    "MA" "Massachusetts" US, "MI" "Michigan" US, "MN" "Minnesota" US, "MS" "Mississippi" US,
    "MO" "Missouri" US, "MT" "Montana" US, "NE" "Nebraska" US, "NV" "Nevada" US,
    "NH" "New Hampshire" US, "NJ" "New Jersey" US, "NM" "New Mexico" US, "NY" "New York" US,
    "NC" "North Carolina" US, "ND" "North Dakota" US, "OH" "Ohio" US, "OK" "Oklahoma" US,
    "OR" "Oregon" US, "PA" "Pennsylvania" US, "RI" "Rhode Island" US, "SC" "South Carolina" US,
    "SD" "South Dakota" US, "TN" "Tennessee" US, "TX" "Texas" US, "UT" "Utah" US,
    "VT" "Vermont" US, "VA" "Virginia" US, "WA" "Washington" US, "WV" "West Virginia" US,
    "WI" "Wisconsin" US, "WY" "Wyoming" US, "DC" "District of Columbia" US,
    "PR" "Puerto Rico" US, "GU" "Guam" US, "VI" "U.S. Virgin Islands" US,
    "AS" "American Samoa" US, "MP" "Northern Mariana Islands" US,
    "AB" "Alberta" CA, "BC" "British Columbia" CA, "MB" "Manitoba" CA,
    "NB" "New Brunswick" CA, "NL" "Newfoundland and Labrador" CA, "NS" "Nova Scotia" CA,
    "NT" "Northwest Territories" CA, "NU" "Nunavut" CA, "ON" "Ontario" CA,
    "PE" "Prince Edward Island" CA, "QC" "Quebec" CA, "SK" "Saskatchewan" CA, "YT" "Yukon" CA,
];

/// The region with this code, case-insensitively.
pub fn region(code: &str) -> Option<&'static Region> {
    let code = code.trim();
    REGIONS.iter().find(|r| r.code.eq_ignore_ascii_case(code))
}

/// The state code the customer probably meant: the region whose name matches ("Texas" → TX,
/// "texas " → TX), else the nearest name or code by edit distance when it is close.
pub fn suggest_region(text: &str) -> Option<&'static Region> {
    let wanted = text.trim().to_lowercase();
    if wanted.is_empty() {
        return None;
    }
    if let Some(r) = REGIONS.iter().find(|r| r.name.to_lowercase() == wanted) {
        return Some(r);
    }
    let (best, distance) = REGIONS
        .iter()
        .map(|r| {
            let by_name = levenshtein(&wanted, &r.name.to_lowercase());
            let by_code = levenshtein(&wanted, &r.code.to_lowercase());
            (r, by_name.min(by_code))
        })
        .min_by_key(|(_, d)| *d)?;
    let allowed = if wanted.len() <= 3 {
        1
    } else {
        wanted.len() / 3
    };
    (distance <= allowed).then_some(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_of_states_and_provinces() {
        assert_eq!(region("tx").map(|r| r.country), Some(CountryCode::US));
        assert_eq!(region("ON").map(|r| r.country), Some(CountryCode::CA));
        assert_eq!(region("CA").map(|r| r.name), Some("California"));
        assert!(region("ZZ").is_none());
    }

    #[test]
    fn suggests_the_code_for_a_written_out_name() {
        assert_eq!(suggest_region("Texas").map(|r| r.code), Some("TX"));
        assert_eq!(suggest_region("Ontaro").map(|r| r.code), Some("ON"));
        assert_eq!(suggest_region("Massachusets").map(|r| r.code), Some("MA"));
        assert!(suggest_region("Bavaria").is_none());
    }

    #[test]
    fn country_codes_parse_two_letters_only() {
        assert_eq!(
            CountryCode::parse(" gb").map(|c| c.to_string()),
            Some("GB".into())
        );
        assert!(CountryCode::parse("GBR").is_none());
        assert!(CountryCode::parse("G1").is_none());
    }
}
