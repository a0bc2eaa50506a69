//! How both simulators store a kind of record: one [`Table`] (an id-ordered map that remembers
//! its changes) per kind in the API's state,
//! with the id and name every generic handler needs. Each simulator declares its kinds with
//! [`collection!`] (one line a kind) and serves them with generic handlers; what a kind adds
//! (rendering, filters, body rules, deletes) lives in that simulator's own trait. It knows
//! nothing of HTTP or of either API's JSON.

use super::table::Table;

/// A kind of record kept in `State`, one map entry per record, keyed by its id.
pub(super) trait Collection<State>: Clone + Send + Sync + 'static {
    /// The word used in messages ("location").
    const KIND: &'static str;
    /// Where the collection lives under the API's base ("/buildings").
    const PATH: &'static str;
    fn table(state: &State) -> &Table<Self>;
    fn table_mut(state: &mut State) -> &mut Table<Self>;
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
            fn table(state: &$state) -> &$crate::sim::table::Table<Self> {
                &state.$table
            }
            fn table_mut(state: &mut $state) -> &mut $crate::sim::table::Table<Self> {
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
