//! Simulators of both APIs (axum) with in-memory state, scenarios and fault injection. They
//! depend on [`crate::domain`] only, never on the clients' wire types, so that the contract is
//! checked by two independent implementations. Not yet built: see issue 3.
