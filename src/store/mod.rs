//! The SQLite mapping store: migrations, mappings of external ids, intents, decisions, runs and
//! rejected items. Never holds secrets. Not yet built.
