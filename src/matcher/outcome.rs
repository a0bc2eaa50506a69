//! What a match gives: per Eptura entity its band, the proposed Condeco entity with the score
//! and the reasons, the runner-up, flags and the operator's decision; and the Condeco entities
//! left without a partner. Plain data, serialised as `match --format json` prints it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::input::Level;
use super::score::Reason;
use crate::domain::{CondecoKey, Decision, DecisionChange, ExternalId};

/// Where an Eptura entity stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Band {
    /// Linked without review: certain (external id, earlier sync, decision) or a high score
    /// clearly ahead of the runner-up.
    Auto,
    /// Plausible, or close to another candidate or claim: the operator decides; the sync holds
    /// the entity (and its children) until then.
    Review,
    /// No plausible candidate: the sync creates it.
    New,
    /// Its candidates could not be read: neither linked nor created.
    NotEvaluated,
}

impl Band {
    pub const ALL: [Band; 4] = [Band::Auto, Band::Review, Band::New, Band::NotEvaluated];

    pub const fn as_str(self) -> &'static str {
        match self {
            Band::Auto => "auto",
            Band::Review => "review",
            Band::New => "new",
            Band::NotEvaluated => "not-evaluated",
        }
    }
}

/// The next best candidate, to show how clear the choice was.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunnerUp {
    pub condeco_id: CondecoKey,
    pub condeco_name: String,
    pub score: f64,
}

/// Something the operator should know about a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    /// The parent had no match: the candidates came from a higher ancestor's whole next level.
    UnmatchedParent,
    /// Another Eptura entity claims the same Condeco entity with a score close to this one.
    CompetingClaim,
    /// The best candidate went to another Eptura entity with a clearly higher score.
    BestTaken,
    /// Found under another parent than the one its own parent matched (a room filed on another
    /// floor in Condeco).
    OtherParent,
    /// The only unmatched pair under the same parent, whatever their names.
    LastPair,
    /// The operator rejected a candidate for it: never linked without a decision again.
    Rejected,
    /// A decision names a Condeco entity that is gone or already linked to another entity.
    DecisionStale,
    /// Its parent is in review: it waits with it.
    ParentInReview,
}

impl Flag {
    /// What the flag means, for the text output.
    pub const fn describe(self) -> &'static str {
        match self {
            Flag::UnmatchedParent => "its parent has no match: searched more widely",
            Flag::CompetingClaim => "another Eptura entity claims the same Condeco entity",
            Flag::BestTaken => "its best candidate went to another entity",
            Flag::OtherParent => "found under another parent in Condeco",
            Flag::LastPair => "the only unmatched pair under this parent",
            Flag::Rejected => "a candidate was rejected: decide link or new",
            Flag::DecisionStale => "the decided Condeco entity is gone or taken",
            Flag::ParentInReview => "its parent is in review",
        }
    }
}

/// One Eptura entity's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    #[serde(skip)]
    pub level: Level,
    pub eptura_id: ExternalId,
    pub eptura_name: String,
    /// Its parent, grandparent and so on (to act on a whole building's entities).
    #[serde(skip)]
    pub ancestors: Vec<ExternalId>,
    /// The proposed (auto or review) or decided Condeco entity.
    pub condeco_id: Option<CondecoKey>,
    pub condeco_name: Option<String>,
    pub band: Band,
    pub score: f64,
    pub reasons: Vec<Reason>,
    pub runner_up: Option<RunnerUp>,
    pub flags: Vec<Flag>,
    /// The stored decision, as `accept`, `reject`, `link-to` or `new`.
    #[serde(serialize_with = "decision_word")]
    pub decision: Option<Decision>,
}

fn decision_word<S: serde::Serializer>(d: &Option<Decision>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(d.word()),
        None => s.serialize_none(),
    }
}

/// A Condeco entity no Eptura entity is linked or proposed to: left untouched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unpartnered {
    #[serde(skip)]
    pub level: Level,
    pub condeco_id: CondecoKey,
    pub condeco_name: String,
    /// The `externalId` it carries (naming no Eptura entity of this estate), if any.
    pub external_id: Option<String>,
}

/// The whole result, items in level order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub items: Vec<Item>,
    pub unpartnered: Vec<Unpartnered>,
}

impl Outcome {
    /// How many items of each band per level.
    pub fn counts(&self) -> BTreeMap<Level, BTreeMap<Band, usize>> {
        let mut counts: BTreeMap<Level, BTreeMap<Band, usize>> = BTreeMap::new();
        for item in &self.items {
            *counts
                .entry(item.level)
                .or_default()
                .entry(item.band)
                .or_default() += 1;
        }
        counts
    }

    /// The items of one level.
    pub fn level(&self, level: Level) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| i.level == level)
    }

    /// Accept every proposal of `band` under an Eptura entity (itself included) at once, as
    /// decisions to record: every review proposal of a building (`decide accept --under`), or
    /// its auto matches pinned (the TUI's Merge screen). Competing claims are left out: two
    /// entities proposing one Condeco entity need a person each; so are the items already
    /// decided that way.
    pub fn accept_under(&self, root: &ExternalId, band: Band) -> Vec<DecisionChange> {
        (self.items.iter())
            .filter(|i| i.band == band && !i.flags.contains(&Flag::CompetingClaim))
            .filter(|i| &i.eptura_id == root || i.ancestors.contains(root))
            .filter_map(|i| {
                let accept = Decision::Accept(i.condeco_id?);
                (i.decision != Some(accept))
                    .then(|| DecisionChange::Set(i.eptura_id.clone(), accept))
            })
            .collect()
    }

    /// The item of one Eptura entity.
    pub fn item(&self, eptura: &ExternalId) -> Option<&Item> {
        self.items.iter().find(|i| &i.eptura_id == eptura)
    }
}
