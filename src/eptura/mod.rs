//! The Eptura Workplace v2 client: one method per endpoint of `spec/eptura-api.md` (bare-array
//! paging, `/count`, `modifiedOrCreatedAfter`, CRUD). Wire types are private to this module.
//! Not yet built: see issue 3.
