//! A stable fingerprint of the fields last written to a Condeco entity: SHA-256 of their
//! canonical JSON (object keys sorted, no whitespace), in hex. Stable across releases and
//! machines, unlike std's `DefaultHasher`, so a daily sync can tell "unchanged" from a
//! fingerprint stored months earlier.

use std::fmt;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The fields could not be turned into JSON (a map with non-text keys, say).
#[derive(Debug, thiserror::Error)]
#[error("cannot fingerprint the fields written to Condeco: {0}")]
pub struct FingerprintError(#[from] serde_json::Error);

/// SHA-256 of canonical JSON, 64 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// Fingerprints any serialisable set of fields; field order does not matter.
    pub fn of<T: Serialize + ?Sized>(fields: &T) -> Result<Fingerprint, FingerprintError> {
        let value = serde_json::to_value(fields)?;
        let mut canonical = String::new();
        write_canonical(&value, &mut canonical);
        Ok(Fingerprint(format!(
            "{:x}",
            Sha256::digest(canonical.as_bytes())
        )))
    }

    /// A fingerprint as the store kept it.
    pub(crate) fn from_stored(hex: String) -> Fingerprint {
        Fingerprint(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// JSON with object keys in byte order and no whitespace, whatever order serde produced.
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (index, (key, item)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&Value::from(key.as_str()).to_string());
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    #[test]
    fn key_order_does_not_change_the_fingerprint() {
        let a = Fingerprint::of(&json!({"name": "HQ", "capacity": 4, "tags": ["a", "b"]}));
        let b = Fingerprint::of(&json!({"tags": ["a", "b"], "capacity": 4, "name": "HQ"}));
        assert_eq!(a.unwrap(), b.unwrap());
    }

    #[test]
    fn any_changed_field_changes_the_fingerprint() {
        let base = Fingerprint::of(&json!({"name": "HQ", "capacity": 4})).unwrap();
        let renamed = Fingerprint::of(&json!({"name": "HQ ", "capacity": 4})).unwrap();
        let resized = Fingerprint::of(&json!({"name": "HQ", "capacity": 5})).unwrap();
        assert_ne!(base, renamed);
        assert_ne!(base, resized);
        assert_ne!(renamed, resized);
    }

    /// Pinned: `printf '{"a":"x","b":[1,null]}' | sha256sum`. If this changes, every stored
    /// fingerprint would read as "changed" and a daily sync would rewrite everything.
    #[test]
    fn the_fingerprint_is_sha256_of_canonical_json() {
        let mut fields = BTreeMap::new();
        fields.insert("b", json!([1, null]));
        fields.insert("a", json!("x"));
        let fingerprint = Fingerprint::of(&fields).unwrap();
        assert_eq!(
            fingerprint.as_str(),
            "a8d71f64d3dc772b9eb4e657b383397a3aadf01d32947e3bc05925eaf48e41bf"
        );
    }

    #[test]
    fn fields_that_are_not_json_are_an_error() {
        let mut odd = BTreeMap::new();
        odd.insert((1, 2), "pair keys have no JSON form");
        assert!(Fingerprint::of(&odd).is_err());
    }
}
