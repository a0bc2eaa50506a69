//! One-to-one assignment of one level: each Eptura entity gets at most one Condeco entity and
//! each Condeco entity at most one Eptura entity. Pairs are taken best first (pairs found in
//! the entity's own parent before those of a wider search); a pair whose Condeco entity is
//! already taken by a score within the margin is a competing claim: both entities then go to
//! review with that candidate, and neither is linked. One clearly behind, or from a wider search
//! against a parent search, moves on to its next candidate. Greedy, `O(p log p)` in the pairs; pure.

use std::collections::HashMap;

/// A scored pair: Eptura entity `e`, Condeco entity `c` (indices of the caller's lists).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    pub e: usize,
    pub c: usize,
    pub score: f64,
    /// Found by a wider search (its parent unmatched, or under another parent).
    pub wide: bool,
}

/// What an Eptura entity got.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Assigned {
    pub c: usize,
    pub score: f64,
    pub wide: bool,
    /// Another entity claims `c` within the margin (the owner too is marked).
    pub competing: bool,
    /// The first (best) claim on `c`: the one whose children search under `c`.
    pub owner: bool,
}

impl Assigned {
    /// What `pair` gives: the first claim on its candidate owns it; a competing one does not.
    fn of(pair: Pair, competing: bool) -> Assigned {
        Assigned {
            c: pair.c,
            score: pair.score,
            wide: pair.wide,
            competing,
            owner: !competing,
        }
    }
}

/// Assign `pairs` (any order) one to one; the result by Eptura index.
pub fn assign(mut pairs: Vec<Pair>, margin: f64) -> HashMap<usize, Assigned> {
    pairs.sort_by(|a, b| {
        a.wide
            .cmp(&b.wide)
            .then(b.score.total_cmp(&a.score))
            .then(a.e.cmp(&b.e))
            .then(a.c.cmp(&b.c))
    });
    let mut owner: HashMap<usize, usize> = HashMap::new();
    let mut got: HashMap<usize, Assigned> = HashMap::new();
    for pair in pairs {
        if got.contains_key(&pair.e) {
            continue;
        }
        let Some(&holder) = owner.get(&pair.c) else {
            owner.insert(pair.c, pair.e);
            got.insert(pair.e, Assigned::of(pair, false));
            continue;
        };
        let Some(held) = got.get(&holder).copied() else {
            continue;
        };
        // A wider search never contests what an entity's own parent search found.
        let contests = pair.wide == held.wide;
        if contests && pair.score >= held.score - margin {
            if let Some(first) = got.get_mut(&holder) {
                first.competing = true;
            }
            got.insert(pair.e, Assigned::of(pair, true));
        }
    }
    got
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(e: usize, c: usize, score: f64) -> Pair {
        Pair {
            e,
            c,
            score,
            wide: false,
        }
    }

    #[test]
    fn the_best_pairs_are_taken_first_and_the_loser_moves_on() {
        let got = assign(
            vec![pair(0, 0, 0.9), pair(1, 0, 0.6), pair(1, 1, 0.55)],
            0.1,
        );
        assert_eq!(got[&0].c, 0);
        assert!(!got[&0].competing);
        assert_eq!(got[&1].c, 1);
    }

    #[test]
    fn close_claims_on_one_candidate_are_both_competing() {
        let got = assign(
            vec![pair(0, 0, 0.9), pair(1, 0, 0.85), pair(1, 1, 0.7)],
            0.1,
        );
        assert!(got[&0].competing && got[&1].competing);
        assert_eq!(
            got[&1].c, 0,
            "the competing claim keeps the contested candidate"
        );
        assert!(got[&0].owner && !got[&1].owner);
    }

    #[test]
    fn a_wide_search_never_takes_what_a_parent_search_found() {
        let wide = Pair {
            wide: true,
            ..pair(1, 0, 1.0)
        };
        let got = assign(vec![wide, pair(0, 0, 0.7)], 0.1);
        assert_eq!(got[&0].c, 0);
        assert!(
            !got.contains_key(&1),
            "a wider search does not contest a parent search"
        );
        assert!(!got[&0].competing);
    }
}
