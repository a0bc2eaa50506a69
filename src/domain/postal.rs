//! The US state or Canadian province a postal code belongs to: US ZIP codes by their first
//! three digits (the USPS sectional-center ranges), Canadian postal codes by their first
//! letter. Used when a record has a postal code but no state (a Condeco extract); a best
//! effort, never a validation.

use super::geo::{self, Region};

/// ZIP-3 ranges (inclusive) and their state codes, in order.
const ZIP3: &[(u16, u16, &str)] = &[
    (5, 5, "NY"),
    (6, 7, "PR"),
    (8, 8, "VI"),
    (9, 9, "PR"),
    (10, 27, "MA"),
    (28, 29, "RI"),
    (30, 38, "NH"),
    (39, 49, "ME"),
    (50, 54, "VT"),
    (55, 55, "MA"),
    (56, 59, "VT"),
    (60, 69, "CT"),
    (70, 89, "NJ"),
    (100, 149, "NY"),
    (150, 196, "PA"),
    (197, 199, "DE"),
    (200, 200, "DC"),
    (201, 201, "VA"),
    (202, 205, "DC"),
    (206, 219, "MD"),
    (220, 246, "VA"),
    (247, 268, "WV"),
    (270, 289, "NC"),
    (290, 299, "SC"),
    (300, 319, "GA"),
    (320, 339, "FL"),
    (341, 349, "FL"),
    (350, 369, "AL"),
    (370, 385, "TN"),
    (386, 397, "MS"),
    (398, 399, "GA"),
    (400, 427, "KY"),
    (430, 459, "OH"),
    (460, 479, "IN"),
    (480, 499, "MI"),
    (500, 528, "IA"),
    (530, 549, "WI"),
    (550, 567, "MN"),
    (569, 569, "DC"),
    (570, 577, "SD"),
    (580, 588, "ND"),
    (590, 599, "MT"),
    (600, 629, "IL"),
    (630, 658, "MO"),
    (660, 679, "KS"),
    (680, 693, "NE"),
    (700, 715, "LA"),
    (716, 729, "AR"),
    (730, 732, "OK"),
    (733, 733, "TX"),
    (734, 749, "OK"),
    (750, 799, "TX"),
    (800, 816, "CO"),
    (820, 831, "WY"),
    (832, 838, "ID"),
    (840, 847, "UT"),
    (850, 865, "AZ"),
    (870, 884, "NM"),
    (885, 885, "TX"),
    (889, 898, "NV"),
    (900, 961, "CA"),
    (967, 968, "HI"),
    (969, 969, "GU"),
    (970, 979, "OR"),
    (980, 994, "WA"),
    (995, 999, "AK"),
];

/// Canadian postal districts by first letter.
const CANADA: &[(char, &str)] = &[
    ('A', "NL"),
    ('B', "NS"),
    ('C', "PE"),
    ('E', "NB"),
    ('G', "QC"),
    ('H', "QC"),
    ('J', "QC"),
    ('K', "ON"),
    ('L', "ON"),
    ('M', "ON"),
    ('N', "ON"),
    ('P', "ON"),
    ('R', "MB"),
    ('S', "SK"),
    ('T', "AB"),
    ('V', "BC"),
    ('X', "NT"),
    ('Y', "YT"),
];

/// The region of a US ZIP ("02134", "77002-1234", "2134" as a number lost its zero) or a
/// Canadian postal code ("M5V 2T6").
pub fn region_for_postal_code(code: &str) -> Option<&'static Region> {
    let code = code.trim();
    let first = code.chars().next()?;
    if first.is_ascii_alphabetic() {
        let is_canadian =
            code.len() >= 6 && code.chars().nth(1).is_some_and(|c| c.is_ascii_digit());
        let upper = first.to_ascii_uppercase();
        return CANADA
            .iter()
            .find(|(letter, _)| is_canadian && *letter == upper)
            .and_then(|(_, region)| geo::region(region));
    }
    let digits: String = code.chars().take_while(char::is_ascii_digit).collect();
    let zip5 = match digits.len() {
        5 => digits,
        3 | 4 => format!("{digits:0>5}"),
        _ => return None,
    };
    let zip3: u16 = zip5[..3].parse().ok()?;
    ZIP3.iter()
        .find(|(low, high, _)| (*low..=*high).contains(&zip3))
        .and_then(|(_, _, region)| geo::region(region))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_and_postal_codes_to_regions() {
        let code = |c: &str| region_for_postal_code(c).map(|r| r.code);
        assert_eq!(code("77002"), Some("TX"));
        assert_eq!(code("02134"), Some("MA"));
        assert_eq!(code("2134"), Some("MA"));
        assert_eq!(code("10001-1234"), Some("NY"));
        assert_eq!(code("60601"), Some("IL"));
        assert_eq!(code("20001"), Some("DC"));
        assert_eq!(code("94105"), Some("CA"));
        assert_eq!(code("M5V 2T6"), Some("ON"));
        assert_eq!(code("H3B 1A7"), Some("QC"));
        assert_eq!(code("SW1A 1AA"), None, "a UK postcode is not Canadian");
        assert_eq!(code(""), None);
        assert_eq!(code("1"), None);
    }
}
