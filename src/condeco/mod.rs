//! The Condeco client: one method per operation of `spec/condeco-api.md` (token flow, paging
//! envelope, CRUD of every entity). Wire types are private to this module; it returns
//! [`crate::domain`] types. Not yet built: see issue 3.
