//! Merge scoring between incoming Eptura entities and existing Condeco ones: bands (auto,
//! review, new) and one-to-one assignment. Pure: no I/O. Not yet built.
