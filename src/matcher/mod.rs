//! Merge matching (`spec/matching.md`): for every Eptura entity, the Condeco entity that is the
//! same real thing, so that the sync links it instead of creating it twice, and never links two
//! different things. Countries, regions, locations, floors and resources are matched top-down,
//! each inside its parent's match ([`levels`]); names are compared in a normalised form
//! ([`normal`]) and every pair gets a score in [0, 1] with its reasons ([`score`]); one-to-one
//! assignment ([`assign`]) sends competing claims to review; bands: auto, review, new, not
//! evaluated ([`outcome`]). Decisions of the operator and links of earlier syncs are certain.
//!
//! Pure: no I/O, no clock, no randomness. It must not know where its input came from (the sync
//! builds it from the two services and the store; tests from fixtures).

pub mod assign;
pub mod input;
pub mod levels;
pub mod normal;
pub mod outcome;
pub mod score;

pub use input::{
    BadThresholds, CondecoEntity, EpturaEntity, Facts, Input, Level, MatchConfig, SpaceKind,
};
pub use levels::match_entities;
pub use outcome::{Band, Flag, Item, Outcome, RunnerUp, Unpartnered};
pub use score::{Field, Reason, Verdict};
