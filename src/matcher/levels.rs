//! The match itself, one level after another (country, region, location, floor, resource), each
//! Eptura entity searched for inside the Condeco entity its parent matched:
//!
//! 1. Certain first: an operator's decision, a mapping of an earlier sync, a Condeco
//!    `externalId` naming the entity. What they link is no one else's candidate.
//! 2. Candidates: the Condeco entities of the level under the parent's match; when the parent
//!    has none, under the nearest matched ancestor (flagged, never automatic). Condeco entities
//!    carrying an external id that names no entity here belong to something else and are left
//!    out. Each candidate is scored ([`score`]); resources whose name codes conflict are skipped
//!    without scoring, which keeps 50,000 × 50,000 under a second.
//! 3. One-to-one assignment ([`assign`]) and bands: auto for a high score clearly ahead of the
//!    runner-up and of any competing claim, review for the plausible rest, new below.
//! 4. What is left gets a second look, for review only: an entity filed under another parent
//!    in Condeco (same grandparent, a score fit for auto), and the only unmatched pair under one
//!    parent (a room renamed on one side).
//!
//! Pure and deterministic: the same input gives the same outcome.

use std::collections::{HashMap, HashSet};

use super::assign::{Assigned, Pair, assign};
use super::input::{CondecoEntity, EpturaEntity, Facts, Input, Level, MatchConfig, SpaceKind};
use super::outcome::{Band, Flag, Item, Outcome, RunnerUp, Unpartnered};
use super::score::{self, Field, Prepared, Reason, Side, round};
use crate::domain::{CondecoKey, Decision, ExternalId};

/// Match `input` with the thresholds of `config`.
pub fn match_entities(input: &Input, config: &MatchConfig) -> Outcome {
    let mut matcher = Matcher::new(input, *config);
    for level in Level::ALL {
        matcher.level(level);
    }
    matcher.outcome
}

/// Where an Eptura entity's candidates are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The whole level (countries).
    Whole,
    /// Under this Condeco entity; `wide` when it is not the parent's match.
    Under { key: CondecoKey, wide: bool },
    /// No ancestor matched: nothing to search.
    Nothing,
    /// The candidates could not be read.
    Unread,
}

/// A certain link and why.
struct Certain {
    c: usize,
    reason: Reason,
}

/// An Eptura entity on its way through one level.
struct Open {
    e: usize,
    scope: Scope,
    rejected: Option<CondecoKey>,
    /// Candidates by score, best first.
    candidates: Vec<(usize, f64)>,
}

struct Matcher<'a> {
    input: &'a Input,
    config: MatchConfig,
    eptura_prepared: Vec<Prepared>,
    condeco_prepared: Vec<Prepared>,
    condeco_by_key: HashMap<CondecoKey, usize>,
    /// Condeco entities of a level by ancestor (`None`: all of the level).
    under: HashMap<(Level, Option<CondecoKey>), Vec<usize>>,
    /// Condeco entities by the Eptura entity their external id names.
    by_external: HashMap<ExternalId, usize>,
    /// Carrying an external id that names no Eptura entity here.
    foreign: Vec<bool>,
    /// Linked for certain, or proposed to someone: not free.
    taken: Vec<bool>,
    /// What each Eptura entity's children search under.
    proposal: HashMap<&'a ExternalId, CondecoKey>,
    band: HashMap<&'a ExternalId, Band>,
    outcome: Outcome,
}

impl<'a> Matcher<'a> {
    fn new(input: &'a Input, config: MatchConfig) -> Self {
        let prepare = |level: Option<Level>, facts| level.map(|l| Prepared::of(l, facts));
        let placeholder = || Prepared::of(Level::Country, &super::input::Facts::default());
        let eptura_prepared = input
            .eptura
            .iter()
            .map(|e| prepare(e.level(), &e.facts).unwrap_or_else(placeholder))
            .collect();
        let condeco_prepared = input
            .condeco
            .iter()
            .map(|c| prepare(c.level(), &c.facts).unwrap_or_else(placeholder))
            .collect();
        let eptura_keys: HashSet<&ExternalId> = input.eptura.iter().map(|e| &e.key).collect();
        let mut under: HashMap<(Level, Option<CondecoKey>), Vec<usize>> = HashMap::new();
        let mut by_external = HashMap::new();
        let mut foreign = vec![false; input.condeco.len()];
        for (i, c) in input.condeco.iter().enumerate() {
            let Some(level) = c.level() else { continue };
            under.entry((level, None)).or_default().push(i);
            for ancestor in &c.ancestors {
                under.entry((level, Some(*ancestor))).or_default().push(i);
            }
            if let Some(text) = c.external_id.as_deref().filter(|t| !t.trim().is_empty()) {
                match ExternalId::parse(c.key.kind(), text.trim()) {
                    Ok(named) if eptura_keys.contains(&named) => {
                        by_external.insert(named, i);
                    }
                    _ => foreign[i] = true,
                }
            }
        }
        Matcher {
            input,
            config,
            eptura_prepared,
            condeco_prepared,
            condeco_by_key: input
                .condeco
                .iter()
                .enumerate()
                .map(|(i, c)| (c.key, i))
                .collect(),
            under,
            by_external,
            foreign,
            taken: vec![false; input.condeco.len()],
            proposal: HashMap::new(),
            band: HashMap::new(),
            outcome: Outcome::default(),
        }
    }

    fn eptura(&self, e: usize) -> &'a EpturaEntity {
        &self.input.eptura[e]
    }

    fn condeco(&self, c: usize) -> &'a CondecoEntity {
        &self.input.condeco[c]
    }

    fn side_e(&self, e: usize) -> Side<'_> {
        Side {
            facts: &self.input.eptura[e].facts,
            prepared: &self.eptura_prepared[e],
        }
    }

    fn side_c(&self, c: usize) -> Side<'_> {
        Side {
            facts: &self.input.condeco[c].facts,
            prepared: &self.condeco_prepared[c],
        }
    }

    fn level(&mut self, level: Level) {
        let entities: Vec<usize> = (0..self.input.eptura.len())
            .filter(|&e| self.eptura(e).level() == Some(level))
            .collect();
        let mut open = Vec::new();
        let mut items = Vec::new();
        for &e in &entities {
            match self.settle(level, e) {
                Ok(item) => items.push((e, item, true)),
                Err(entity) => open.push(entity),
            }
        }
        for entity in &mut open {
            entity.candidates = self.candidates(level, entity);
        }
        let pairs = open
            .iter()
            .flat_map(|o| {
                let wide = matches!(o.scope, Scope::Under { wide: true, .. });
                o.candidates
                    .iter()
                    .filter(|(_, s)| *s >= self.config.review)
                    .map(move |&(c, score)| Pair {
                        e: o.e,
                        c,
                        score,
                        wide,
                    })
            })
            .collect();
        let mut assigned = assign(pairs, self.config.margin);
        let found = self.second_look(level, &open, &mut assigned);
        for entity in &open {
            let got = assigned.get(&entity.e);
            let item = self.banded(level, entity, got, found.get(&entity.e).copied());
            items.push((entity.e, item, got.is_some_and(|g| g.owner)));
        }
        self.record(level, &entities, items);
    }

    /// Certain, decided, or not evaluated: an item now; otherwise the entity to search for.
    fn settle(&mut self, level: Level, e: usize) -> Result<Item, Open> {
        let entity = self.eptura(e);
        let decision = self.input.decisions.get(&entity.key).copied();
        let scope = self.scope(level, entity);
        if scope == Scope::Unread {
            return Ok(self.item(level, e, None, Band::NotEvaluated, vec![]));
        }
        match self.certain(entity, decision) {
            Ok(Some(Certain { c, reason })) => {
                self.taken[c] = true;
                let mut item = self.item(level, e, Some(c), Band::Auto, vec![]);
                item.reasons.insert(0, reason);
                item.score = 1.0;
                return Ok(item);
            }
            Ok(None) => {}
            Err(stale) => {
                let mut item = self.item(level, e, None, Band::Review, vec![Flag::DecisionStale]);
                item.condeco_id = stale;
                return Ok(item);
            }
        }
        if decision == Some(Decision::New) {
            return Ok(self.item(level, e, None, Band::New, vec![]));
        }
        let rejected = match decision {
            Some(Decision::Reject(key)) => Some(key),
            _ => None,
        };
        Err(Open {
            e,
            scope,
            rejected,
            candidates: Vec::new(),
        })
    }

    /// The certain link of an entity, if any; `Err` with the key of a decision that can no
    /// longer hold (its Condeco entity gone, or linked to another entity for certain).
    fn certain(
        &self,
        entity: &EpturaEntity,
        decision: Option<Decision>,
    ) -> Result<Option<Certain>, Option<CondecoKey>> {
        if let Some(key) = self.input.mapped.get(&entity.key)
            && let Some(&c) = self.condeco_by_key.get(key)
        {
            let reason = Reason::certain(Field::Mapping, None, Some(&key.to_string()));
            return Ok(Some(Certain { c, reason }));
        }
        if let Some(key) = decision.and_then(|d| d.linked()) {
            return match self.condeco_by_key.get(&key) {
                Some(&c) if !self.taken[c] && !self.names_another(c, entity) => {
                    let words = decision.map_or("decided", |d| d.word());
                    let reason =
                        Reason::certain(Field::Decision, Some(words), Some(&key.to_string()));
                    Ok(Some(Certain { c, reason }))
                }
                _ => Err(Some(key)),
            };
        }
        if let Some(&c) = self.by_external.get(&entity.key)
            && !self.taken[c]
        {
            let text = entity.key.to_string();
            let reason = Reason::certain(Field::ExternalId, Some(&text), Some(&text));
            return Ok(Some(Certain { c, reason }));
        }
        Ok(None)
    }

    /// Whether Condeco entity `c` carries the external id of an Eptura entity other than this.
    fn names_another(&self, c: usize, entity: &EpturaEntity) -> bool {
        let carried = self.condeco(c).external_id.as_deref().unwrap_or("").trim();
        !carried.is_empty() && carried != entity.key.to_string()
    }

    fn scope(&self, level: Level, entity: &EpturaEntity) -> Scope {
        let unread = |key: Option<CondecoKey>| {
            self.input
                .unread
                .iter()
                .any(|(l, k)| *l == level && (k.is_none() || *k == key))
        };
        if entity.ancestors.is_empty() {
            return if unread(None) {
                Scope::Unread
            } else {
                Scope::Whole
            };
        }
        for (i, ancestor) in entity.ancestors.iter().enumerate() {
            if self.band.get(ancestor) == Some(&Band::NotEvaluated) {
                return Scope::Unread;
            }
            if let Some(&key) = self.proposal.get(ancestor) {
                if unread(Some(key)) {
                    return Scope::Unread;
                }
                return Scope::Under { key, wide: i > 0 };
            }
        }
        Scope::Nothing
    }

    /// The free Condeco entities of the scope with a score above zero, best first.
    fn candidates(&self, level: Level, entity: &Open) -> Vec<(usize, f64)> {
        let list = match entity.scope {
            Scope::Whole => self.under.get(&(level, None)),
            Scope::Under { key, .. } => self.under.get(&(level, Some(key))),
            Scope::Nothing | Scope::Unread => None,
        };
        let Some(list) = list else {
            return Vec::new();
        };
        self.scored(level, entity.e, entity.rejected, list)
    }

    fn scored(
        &self,
        level: Level,
        e: usize,
        rejected: Option<CondecoKey>,
        list: &[usize],
    ) -> Vec<(usize, f64)> {
        // Conflicting name codes cap a resource's score below any band that matters.
        let skip_conflicts = level == Level::Resource
            && score::CONFLICT_CAP < self.config.review
            && score::CONFLICT_CAP < self.config.auto - self.config.margin;
        let name = &self.eptura_prepared[e].name;
        let mut out: Vec<(usize, f64)> = list
            .iter()
            .copied()
            .filter(|&c| !self.taken[c] && !self.foreign[c])
            .filter(|&c| Some(self.condeco(c).key) != rejected)
            .filter(|&c| {
                !(skip_conflicts && score::codes_conflict(name, &self.condeco_prepared[c].name))
            })
            .map(|c| (c, score::score(level, self.side_e(e), self.side_c(c), None)))
            .filter(|(_, s)| *s > 0.0)
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    /// The second look at what the assignment left: an entity filed under another parent in
    /// Condeco, then the only unmatched pair under one parent. Both only ever go to review.
    fn second_look(
        &self,
        level: Level,
        open: &[Open],
        assigned: &mut HashMap<usize, Assigned>,
    ) -> HashMap<usize, Flag> {
        let mut found = HashMap::new();
        let used: HashSet<usize> = assigned.values().map(|a| a.c).collect();
        let mut pairs = Vec::new();
        if matches!(level, Level::Location | Level::Resource) {
            for entity in open.iter().filter(|o| !assigned.contains_key(&o.e)) {
                let Scope::Under { wide: false, key } = entity.scope else {
                    continue;
                };
                let Some(grand) = self
                    .eptura(entity.e)
                    .ancestors
                    .get(1)
                    .and_then(|a| self.proposal.get(a))
                else {
                    continue;
                };
                let Some(list) = self.under.get(&(level, Some(*grand))) else {
                    continue;
                };
                let elsewhere: Vec<usize> = list
                    .iter()
                    .copied()
                    .filter(|c| !used.contains(c))
                    .filter(|&c| !self.condeco(c).ancestors.contains(&key))
                    .collect();
                for (c, score) in self.scored(level, entity.e, entity.rejected, &elsewhere) {
                    if score >= self.config.auto {
                        pairs.push(Pair {
                            e: entity.e,
                            c,
                            score,
                            wide: true,
                        });
                    }
                }
            }
        }
        for (e, got) in assign(pairs, self.config.margin) {
            assigned.insert(e, got);
            found.insert(e, Flag::OtherParent);
        }
        if level != Level::Country {
            for e in self.last_pairs(level, open, assigned) {
                found.insert(e, Flag::LastPair);
            }
        }
        found
    }

    /// Under each parent match, what is left on both sides may be the same things renamed on
    /// one side: where exactly one Eptura entity and one free Condeco entity are left of one
    /// kind and capacity (or at all, if nothing known about them disagrees), they are paired
    /// for review.
    fn last_pairs(
        &self,
        level: Level,
        open: &[Open],
        assigned: &mut HashMap<usize, Assigned>,
    ) -> Vec<usize> {
        let used: HashSet<usize> = assigned.values().map(|a| a.c).collect();
        let mut left: HashMap<CondecoKey, Vec<&Open>> = HashMap::new();
        for entity in open.iter().filter(|o| !assigned.contains_key(&o.e)) {
            if let Scope::Under { key, wide: false } = entity.scope {
                left.entry(key).or_default().push(entity);
            }
        }
        let mut parents: Vec<&CondecoKey> = left.keys().collect();
        parents.sort();
        let mut paired = Vec::new();
        for parent in parents {
            let free: Vec<usize> = self
                .under
                .get(&(level, Some(*parent)))
                .into_iter()
                .flatten()
                .copied()
                .filter(|c| self.condeco(*c).ancestors.first() == Some(parent))
                .filter(|&c| !self.taken[c] && !self.foreign[c] && !used.contains(&c))
                .collect();
            for (entity, c) in last_of_a_kind(
                &left[parent],
                &free,
                |e| &self.eptura(e).facts,
                |c| &self.condeco(c).facts,
            ) {
                if Some(self.condeco(c).key) == entity.rejected {
                    continue;
                }
                let score = score::score(level, self.side_e(entity.e), self.side_c(c), None);
                let got = Assigned {
                    c,
                    score,
                    wide: true,
                    competing: false,
                    owner: true,
                };
                assigned.insert(entity.e, got);
                paired.push(entity.e);
            }
        }
        paired
    }

    /// The item of a searched entity, from what the assignment (or the second look, `found`)
    /// gave it.
    fn banded(
        &self,
        level: Level,
        entity: &Open,
        got: Option<&Assigned>,
        found: Option<Flag>,
    ) -> Item {
        let mut flags = Vec::new();
        if entity.rejected.is_some() {
            flags.push(Flag::Rejected);
        }
        let Some(got) = got else {
            let band = if entity.rejected.is_some() {
                Band::Review
            } else {
                Band::New
            };
            let mut item = self.item(level, entity.e, None, band, flags);
            item.runner_up = entity
                .candidates
                .first()
                .map(|&(c, s)| self.runner_up(c, s));
            return item;
        };
        let top = entity.candidates.first().map(|&(c, _)| c);
        let runner = entity.candidates.iter().find(|(c, _)| *c != got.c).copied();
        let margin = got.score - runner.map_or(0.0, |r| r.1);
        if matches!(entity.scope, Scope::Under { wide: true, .. }) {
            flags.push(Flag::UnmatchedParent);
        }
        flags.extend(found);
        if got.competing {
            flags.push(Flag::CompetingClaim);
        }
        if found.is_none() && top != Some(got.c) {
            flags.push(Flag::BestTaken);
        }
        let clear = got.score >= self.config.auto && margin >= self.config.margin;
        let band = if flags.is_empty() && clear {
            Band::Auto
        } else {
            Band::Review
        };
        let mut item = self.item(level, entity.e, Some(got.c), band, flags);
        item.runner_up = runner.map(|(c, s)| self.runner_up(c, s));
        item
    }

    fn runner_up(&self, c: usize, score: f64) -> RunnerUp {
        let condeco = self.condeco(c);
        RunnerUp {
            condeco_id: condeco.key,
            condeco_name: condeco.facts.name.clone(),
            score: round(score),
        }
    }

    /// An item with the score and reasons of its pair, if it has a Condeco entity.
    fn item(&self, level: Level, e: usize, c: Option<usize>, band: Band, flags: Vec<Flag>) -> Item {
        let entity = self.eptura(e);
        let mut reasons = Vec::new();
        let score = c.map_or(0.0, |c| {
            score::score(level, self.side_e(e), self.side_c(c), Some(&mut reasons))
        });
        let mut flags = flags;
        if entity
            .ancestors
            .first()
            .is_some_and(|p| self.band.get(p) == Some(&Band::Review))
        {
            flags.push(Flag::ParentInReview);
        }
        Item {
            level,
            eptura_id: entity.key.clone(),
            eptura_name: entity.facts.name.clone(),
            ancestors: entity.ancestors.clone(),
            condeco_id: c.map(|c| self.condeco(c).key),
            condeco_name: c.map(|c| self.condeco(c).facts.name.clone()),
            band,
            score: round(score),
            reasons,
            runner_up: None,
            flags,
            decision: self.input.decisions.get(&entity.key).copied(),
        }
    }

    /// Keep the level's items (in input order, `entities` giving each item's Eptura entity)
    /// and what their children search under (the proposal of each item that `blocks`: certain,
    /// or the first claim on its candidate); list the Condeco entities of the level left
    /// without a partner.
    fn record(&mut self, level: Level, entities: &[usize], items: Vec<(usize, Item, bool)>) {
        let mut ordered: Vec<Option<(Item, bool)>> = vec![None; entities.len()];
        let position: HashMap<usize, usize> =
            entities.iter().enumerate().map(|(i, &e)| (e, i)).collect();
        for (e, item, blocks) in items {
            if let Some(&at) = position.get(&e) {
                ordered[at] = Some((item, blocks));
            }
        }
        for (&e, slot) in entities.iter().zip(&ordered) {
            let Some((item, blocks)) = slot else { continue };
            let key = &self.input.eptura[e].key;
            self.band.insert(key, item.band);
            if !matches!(item.band, Band::Auto | Band::Review) {
                continue;
            }
            let Some(&c) = item
                .condeco_id
                .as_ref()
                .and_then(|k| self.condeco_by_key.get(k))
            else {
                continue;
            };
            self.taken[c] = true;
            if *blocks {
                self.proposal.insert(key, self.condeco(c).key);
            }
        }
        for c in self.under.get(&(level, None)).into_iter().flatten() {
            if !self.taken[*c] {
                let condeco = self.condeco(*c);
                self.outcome.unpartnered.push(Unpartnered {
                    level,
                    condeco_id: condeco.key,
                    condeco_name: condeco.facts.name.clone(),
                    external_id: condeco.external_id.clone().filter(|_| self.foreign[*c]),
                });
            }
        }
        self.outcome
            .items
            .extend(ordered.into_iter().flatten().map(|(item, _)| item));
    }
}

/// The pairs left alone in their group of one kind and capacity (a meeting space's), or the
/// single pair left at all when nothing known about it disagrees.
fn last_of_a_kind<'o>(
    left: &[&'o Open],
    free: &[usize],
    eptura: impl Fn(usize) -> &'o Facts,
    condeco: impl Fn(usize) -> &'o Facts,
) -> Vec<(&'o Open, usize)> {
    if let ([entity], [c]) = (left, free) {
        let (e, c_facts) = (eptura(entity.e), condeco(*c));
        let disagree = differs(e.kind, c_facts.kind) || differs(e.capacity, c_facts.capacity);
        return if disagree {
            vec![]
        } else {
            vec![(*entity, *c)]
        };
    }
    let group = |f: &Facts| {
        let capacity = f.capacity.filter(|_| f.kind == Some(SpaceKind::Meeting));
        f.kind.map(|kind| (kind, capacity))
    };
    let mut pairs = Vec::new();
    for entity in left {
        let Some(key) = group(eptura(entity.e)) else {
            continue;
        };
        let same = |f: &Facts| group(f) == Some(key);
        let rivals = left.iter().filter(|o| same(eptura(o.e))).count();
        let matches: Vec<usize> = free.iter().copied().filter(|&c| same(condeco(c))).collect();
        if let (1, [c]) = (rivals, matches.as_slice()) {
            pairs.push((*entity, *c));
        }
    }
    pairs
}

/// Both known and not the same.
fn differs<T: PartialEq>(a: Option<T>, b: Option<T>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a != b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CountryCode;
    use crate::domain::ids::{
        CondecoCountryId, CondecoFloorKey, CondecoLocationId, CondecoRegionId, CondecoResourceId,
        EpturaBuildingId, EpturaCountryId, EpturaFloorId, EpturaSpaceId,
    };
    use crate::matcher::input::{Facts, SpaceKind};

    fn named(name: &str) -> Facts {
        Facts {
            name: name.into(),
            ..Facts::default()
        }
    }

    fn room(name: &str) -> Facts {
        Facts {
            kind: Some(SpaceKind::Meeting),
            capacity: Some(6),
            ..named(name)
        }
    }

    /// One country, region, location and floor on each side, matched by name; rooms on the
    /// floor as given.
    fn estate(eptura_rooms: &[&str], condeco_rooms: &[&str]) -> Input {
        let country = ExternalId::country(EpturaCountryId::new(1));
        let region = ExternalId::region(CountryCode::US, "Houston");
        let location = ExternalId::location(EpturaBuildingId::new(2));
        let floor = ExternalId::floor(EpturaFloorId::new(3));
        let mut eptura = vec![
            EpturaEntity {
                key: country.clone(),
                ancestors: vec![],
                facts: Facts {
                    code: Some("US".into()),
                    ..named("United States")
                },
            },
            EpturaEntity {
                key: region.clone(),
                ancestors: vec![country.clone()],
                facts: named("Houston"),
            },
            EpturaEntity {
                key: location.clone(),
                ancestors: vec![region.clone(), country.clone()],
                facts: named("Houston Energy Center"),
            },
            EpturaEntity {
                key: floor.clone(),
                ancestors: vec![location.clone(), region.clone(), country.clone()],
                facts: Facts {
                    floor_number: Some(3),
                    ..named("Level 3")
                },
            },
        ];
        for (i, name) in eptura_rooms.iter().enumerate() {
            eptura.push(EpturaEntity {
                key: ExternalId::resource(EpturaSpaceId::new(100 + i as i64)),
                ancestors: vec![
                    floor.clone(),
                    location.clone(),
                    region.clone(),
                    country.clone(),
                ],
                facts: room(name),
            });
        }
        let c_country = CondecoKey::Country(CondecoCountryId::new(10));
        let c_region = CondecoKey::Region(CondecoRegionId::new(11));
        let c_location = CondecoKey::Location(CondecoLocationId::new(12));
        let c_floor = CondecoKey::Floor(CondecoFloorKey {
            location: CondecoLocationId::new(12),
            number: 3,
        });
        let condeco_entity = |key, ancestors, facts| CondecoEntity {
            key,
            ancestors,
            external_id: None,
            facts,
        };
        let mut condeco = vec![
            condeco_entity(
                c_country,
                vec![],
                Facts {
                    code: Some("US".into()),
                    ..named("USA")
                },
            ),
            condeco_entity(c_region, vec![c_country], named("Houston")),
            condeco_entity(
                c_location,
                vec![c_region, c_country],
                named("Houston Energy Centre"),
            ),
            condeco_entity(
                c_floor,
                vec![c_location, c_region, c_country],
                Facts {
                    floor_number: Some(3),
                    ..named("3rd Floor")
                },
            ),
        ];
        for (i, name) in condeco_rooms.iter().enumerate() {
            condeco.push(condeco_entity(
                CondecoKey::Resource(CondecoResourceId::new(200 + i as i64)),
                vec![c_floor, c_location, c_region, c_country],
                room(name),
            ));
        }
        Input {
            eptura,
            condeco,
            ..Input::default()
        }
    }

    fn resource(outcome: &Outcome, i: i64) -> &Item {
        outcome
            .item(&ExternalId::resource(EpturaSpaceId::new(100 + i)))
            .unwrap()
    }

    fn condeco_room(i: i64) -> Option<CondecoKey> {
        Some(CondecoKey::Resource(CondecoResourceId::new(200 + i)))
    }

    #[test]
    fn a_drifted_estate_links_top_down_and_lists_the_one_sided() {
        let mut input = estate(
            &["Conf Rm 3A", "Galveston Room", "Heights Room"],
            &["Galvestn Room", "Conference Room 3A", "Hudson Room"],
        );
        // Another capacity: not the last pair of the floor renamed.
        input.condeco[6].facts.capacity = Some(12);
        let outcome = match_entities(&input, &MatchConfig::default());
        for level in [Level::Country, Level::Region, Level::Location, Level::Floor] {
            let item = outcome.level(level).next().unwrap();
            assert_eq!(item.band, Band::Auto, "{level}: {item:?}");
        }
        assert_eq!(resource(&outcome, 0).condeco_id, condeco_room(1));
        assert_eq!(resource(&outcome, 0).band, Band::Auto);
        assert_eq!(resource(&outcome, 1).condeco_id, condeco_room(0));
        assert_eq!(resource(&outcome, 2).band, Band::New);
        let left: Vec<&str> = outcome
            .unpartnered
            .iter()
            .map(|u| u.condeco_name.as_str())
            .collect();
        assert_eq!(left, ["Hudson Room"]);
    }

    #[test]
    fn the_last_unmatched_pair_under_a_parent_goes_to_review() {
        let input = estate(&["Bayou Room", "Boardroom"], &["Board Room", "Oak Room"]);
        let outcome = match_entities(&input, &MatchConfig::default());
        let bayou = resource(&outcome, 0);
        assert_eq!(bayou.band, Band::Review);
        assert_eq!(bayou.condeco_id, condeco_room(1));
        assert!(bayou.flags.contains(&Flag::LastPair));
    }

    #[test]
    fn competing_claims_go_to_review_with_the_contested_candidate() {
        let input = estate(
            &["Training Room 1", "Training Room-1"],
            &["Training Room 1"],
        );
        let outcome = match_entities(&input, &MatchConfig::default());
        for i in 0..2 {
            let item = resource(&outcome, i);
            assert_eq!(item.band, Band::Review);
            assert_eq!(item.condeco_id, condeco_room(0));
            assert!(item.flags.contains(&Flag::CompetingClaim));
        }
    }

    #[test]
    fn an_external_id_naming_the_entity_is_certain_and_a_foreign_one_is_no_candidate() {
        let mut input = estate(&["Oak Room", "Elm Room"], &["Something Else", "Elm Room"]);
        input.condeco[4].external_id = Some("100".into());
        input.condeco[5].external_id = Some("999".into());
        let outcome = match_entities(&input, &MatchConfig::default());
        let oak = resource(&outcome, 0);
        assert_eq!((oak.band, oak.score), (Band::Auto, 1.0));
        assert_eq!(oak.reasons[0].field, Field::ExternalId);
        assert_eq!(resource(&outcome, 1).band, Band::New);
        assert_eq!(outcome.unpartnered[0].external_id.as_deref(), Some("999"));
    }

    #[test]
    fn decisions_are_honoured() {
        let mut input = estate(
            &["Oak Room", "Elm Room", "Ash Room", "Fir Room"],
            &["Oak Room", "Elm Room", "Ash Room", "Pine Room"],
        );
        let key = |i: i64| ExternalId::resource(EpturaSpaceId::new(100 + i));
        input
            .decisions
            .insert(key(0), Decision::Reject(condeco_room(0).unwrap()));
        input.decisions.insert(key(1), Decision::New);
        input
            .decisions
            .insert(key(3), Decision::LinkTo(condeco_room(3).unwrap()));
        let outcome = match_entities(&input, &MatchConfig::default());
        let oak = resource(&outcome, 0);
        assert_eq!(oak.band, Band::Review, "rejected: never auto again");
        assert_ne!(oak.condeco_id, condeco_room(0));
        assert_eq!(resource(&outcome, 1).band, Band::New);
        assert_eq!(resource(&outcome, 2).band, Band::Auto);
        let fir = resource(&outcome, 3);
        assert_eq!((fir.band, fir.condeco_id), (Band::Auto, condeco_room(3)));
        assert_eq!(fir.reasons[0].field, Field::Decision);
    }

    #[test]
    fn a_room_filed_on_another_floor_and_an_unmatched_parent_are_found_for_review() {
        let mut input = estate(&["Quiet Room"], &[]);
        let other_floor = CondecoKey::Floor(CondecoFloorKey {
            location: CondecoLocationId::new(12),
            number: 4,
        });
        let location = input.condeco[2].key;
        let (region, country) = (input.condeco[1].key, input.condeco[0].key);
        input.condeco.push(CondecoEntity {
            key: CondecoKey::Resource(CondecoResourceId::new(300)),
            ancestors: vec![other_floor, location, region, country],
            external_id: None,
            facts: room("Quiet Room"),
        });
        let outcome = match_entities(&input, &MatchConfig::default());
        let quiet = resource(&outcome, 0);
        assert_eq!(quiet.band, Band::Review);
        assert!(quiet.flags.contains(&Flag::OtherParent), "{quiet:?}");

        // Without the floor in Condeco, the room is searched in the whole location.
        let mut input = estate(&["Quiet Room"], &["Quiet Room"]);
        input.condeco.remove(3);
        let outcome = match_entities(&input, &MatchConfig::default());
        assert_eq!(outcome.level(Level::Floor).next().unwrap().band, Band::New);
        let quiet = resource(&outcome, 0);
        assert_eq!(quiet.band, Band::Review);
        assert!(quiet.flags.contains(&Flag::UnmatchedParent), "{quiet:?}");
    }

    #[test]
    fn entities_whose_candidates_were_not_read_are_not_evaluated_nor_new() {
        let mut input = estate(&["Oak Room"], &["Oak Room"]);
        let floor = input.condeco[3].key;
        input.unread.push((Level::Resource, Some(floor)));
        let outcome = match_entities(&input, &MatchConfig::default());
        assert_eq!(resource(&outcome, 0).band, Band::NotEvaluated);
    }

    #[test]
    fn the_outcome_does_not_depend_on_hash_order() {
        let input = estate(
            &["Room 1", "Room 2", "Room 01", "Huddle A", "Huddle B"],
            &["Room 1", "Room 2", "Huddle A", "Huddle C"],
        );
        let first = match_entities(&input, &MatchConfig::default());
        for _ in 0..5 {
            assert_eq!(match_entities(&input, &MatchConfig::default()), first);
        }
    }
}
