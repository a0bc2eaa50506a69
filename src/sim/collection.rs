//! How both simulators store a kind of record: one id-ordered map per kind in the API's state,
//! with the id and name every generic handler needs. Each simulator declares its kinds with
//! [`collection!`] (one line a kind) and serves them with generic handlers; what a kind adds
//! (rendering, filters, body rules, deletes) lives in that simulator's own trait. It knows
//! nothing of HTTP or of either API's JSON.

use std::collections::BTreeMap;

/// A kind of record kept in `State`, one map entry per record, keyed by its id.
pub(super) trait Collection<State>: Clone + Send + Sync + 'static {
    /// The word used in messages ("location").
    const KIND: &'static str;
    /// Where the collection lives under the API's base ("/buildings").
    const PATH: &'static str;
    fn table(state: &State) -> &BTreeMap<u64, Self>;
    fn table_mut(state: &mut State) -> &mut BTreeMap<u64, Self>;
    fn id(&self) -> u64;
    fn set_id(&mut self, id: u64);
    fn name(&self) -> &str;
}

/// `collection!(State: Kind => table_field, id_field, "word", "/path"; ...)`: the
/// [`Collection`] impl of each kind, read from its fields.
macro_rules! collection {
    ($state:ty: $($kind:ty => $table:ident, $id:ident, $word:literal, $path:literal;)*) => {$(
        impl $crate::sim::collection::Collection<$state> for $kind {
            const KIND: &'static str = $word;
            const PATH: &'static str = $path;
            fn table(state: &$state) -> &::std::collections::BTreeMap<u64, Self> {
                &state.$table
            }
            fn table_mut(state: &mut $state) -> &mut ::std::collections::BTreeMap<u64, Self> {
                &mut state.$table
            }
            fn id(&self) -> u64 {
                self.$id
            }
            fn set_id(&mut self, id: u64) {
                self.$id = id;
            }
            fn name(&self) -> &str {
                &self.name
            }
        }
    )*};
}

pub(super) use collection;
