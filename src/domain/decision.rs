//! The operator's decisions in the merge review, one per Eptura entity: accept the proposed
//! Condeco entity, reject it, link another one, or have a new one created. The matcher honours
//! them, the store keeps them. Plain data, no I/O.

use std::fmt;

use super::ids::{CondecoKey, ExternalId};

/// What the operator decided for an Eptura entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// This Condeco entity, the one proposed, is the same thing.
    Accept(CondecoKey),
    /// This Condeco entity is not the same thing: never propose it again for this entity, and
    /// do not create the entity either until the operator decides what it is.
    Reject(CondecoKey),
    /// This Condeco entity (not the proposed one) is the same thing.
    LinkTo(CondecoKey),
    /// Nothing in Condeco is the same thing: create it.
    New,
}

impl Decision {
    /// The word the store and the command line use.
    pub const fn word(&self) -> &'static str {
        match self {
            Decision::Accept(_) => "accept",
            Decision::Reject(_) => "reject",
            Decision::LinkTo(_) => "link-to",
            Decision::New => "new",
        }
    }

    /// The Condeco entity the decision names, if any.
    pub const fn condeco(&self) -> Option<CondecoKey> {
        match self {
            Decision::Accept(key) | Decision::Reject(key) | Decision::LinkTo(key) => Some(*key),
            Decision::New => None,
        }
    }

    /// The Condeco entity the Eptura entity is linked to by this decision.
    pub const fn linked(&self) -> Option<CondecoKey> {
        match self {
            Decision::Accept(key) | Decision::LinkTo(key) => Some(*key),
            Decision::Reject(_) | Decision::New => None,
        }
    }
}

/// One change to the stored decisions: record (or replace) an Eptura entity's decision, or
/// forget it. What `decide` and the TUI's Merge screen hand to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionChange {
    Set(ExternalId, Decision),
    Undo(ExternalId),
}

impl DecisionChange {
    /// The Eptura entity the change is about.
    pub const fn entity(&self) -> &ExternalId {
        match self {
            DecisionChange::Set(entity, _) | DecisionChange::Undo(entity) => entity,
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.condeco() {
            Some(key) => write!(f, "{} {key}", self.word()),
            None => f.write_str(self.word()),
        }
    }
}
