//! Space types and their usage: `ME` (spaces for one person, synced as Condeco personal
//! spaces), `WE` (spaces for groups, synced as meeting spaces) or `NONE` (not synced). Eptura may
//! say the usage itself; when it does not, a rule table decides, and the rule that decided is
//! kept so the operator can see why.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Eptura's Me/We/None usage of a space type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Usage {
    Me,
    We,
    None,
}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Usage::Me => "ME",
            Usage::We => "WE",
            Usage::None => "NONE",
        })
    }
}

/// Why a space type has the usage it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", content = "detail", rename_all = "kebab-case")]
pub enum UsageRule {
    /// Eptura Workplace gave the usage.
    FromEptura,
    /// The name contains a keyword of the rule table.
    NameKeyword(String),
    /// Some space of this type holds more than one person.
    CapacityOverOne,
    /// No rule applied.
    NoRule,
}

impl fmt::Display for UsageRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UsageRule::FromEptura => f.write_str("usage from Eptura"),
            UsageRule::NameKeyword(k) => write!(f, "name contains \"{k}\""),
            UsageRule::CapacityOverOne => f.write_str("a space of this type seats more than one"),
            UsageRule::NoRule => f.write_str("no rule matched"),
        }
    }
}

/// A space type with its classification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpaceType {
    pub name: String,
    pub usage: Usage,
    pub rule: UsageRule,
}

/// The configurable table that classifies a space type when Eptura does not say its usage.
#[derive(Debug, Clone)]
pub struct UsageRules {
    pub me_keywords: Vec<String>,
    pub we_keywords: Vec<String>,
}

impl Default for UsageRules {
    fn default() -> Self {
        let words = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        UsageRules {
            me_keywords: words(&[
                "desk",
                "workstation",
                "office",
                "locker",
                "parking",
                "booth",
            ]),
            we_keywords: words(&[
                "meeting",
                "conference",
                "huddle",
                "boardroom",
                "board room",
                "training",
                "collaboration",
            ]),
        }
    }
}

impl UsageRules {
    /// Classify a type by name first (WE keywords win over ME ones: "Meeting Office" is a
    /// room for groups), then by the largest capacity among its spaces.
    pub fn classify(&self, name: &str, max_capacity: u32) -> SpaceType {
        let folded = super::names::normalise(name);
        let keyword = |list: &[String]| list.iter().find(|k| folded.contains(k.as_str())).cloned();
        let (usage, rule) = if let Some(k) = keyword(&self.we_keywords) {
            (Usage::We, UsageRule::NameKeyword(k))
        } else if let Some(k) = keyword(&self.me_keywords) {
            (Usage::Me, UsageRule::NameKeyword(k))
        } else if max_capacity > 1 {
            (Usage::We, UsageRule::CapacityOverOne)
        } else {
            (Usage::None, UsageRule::NoRule)
        };
        SpaceType {
            name: name.to_string(),
            usage,
            rule,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_table_classifies_by_name_then_capacity() {
        let rules = UsageRules::default();
        assert_eq!(rules.classify("Workstation", 1).usage, Usage::Me);
        assert_eq!(rules.classify("Conference Room", 1).usage, Usage::We);
        assert_eq!(rules.classify("Meeting Office", 1).usage, Usage::We);
        let lab = rules.classify("Lab", 6);
        assert_eq!(
            (lab.usage, lab.rule),
            (Usage::We, UsageRule::CapacityOverOne)
        );
        assert_eq!(rules.classify("Corridor", 0).usage, Usage::None);
        assert_eq!(
            rules.classify("Phone Booth", 1).rule,
            UsageRule::NameKeyword("booth".into())
        );
    }
}
