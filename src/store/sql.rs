//! How the domain's ids and the store's enums become SQLite text and back. A value the store
//! cannot read back (a file edited by hand) is a conversion error naming the bad text.

use rusqlite::Row;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::domain::{CondecoKey, ExternalId, SyncKind};

/// Text columns that hold one of a fixed set of words.
pub(crate) trait Word: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn word(self) -> &'static str;
}

/// Reads a column of words back, refusing one that is not in the set.
pub(crate) fn word_from_sql<T: Word>(value: ValueRef<'_>) -> FromSqlResult<T> {
    let text = value.as_str()?;
    T::ALL
        .iter()
        .copied()
        .find(|item| item.word() == text)
        .ok_or_else(|| FromSqlError::Other(format!("unknown value {text:?}").into()))
}

impl Word for SyncKind {
    const ALL: &'static [SyncKind] = &SyncKind::ALL;
    fn word(self) -> &'static str {
        self.as_str()
    }
}

impl ToSql for SyncKind {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for SyncKind {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        word_from_sql(value)
    }
}

/// Implements `ToSql` and `FromSql` for a [`Word`] type.
macro_rules! word_sql {
    ($($name:ty),*) => {
        $(impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok($crate::store::sql::Word::word(*self).into())
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                $crate::store::sql::word_from_sql(value)
            }
        })*
    };
}
pub(crate) use word_sql;

/// The Eptura key in column `key` of a row whose kind is in column `kind`.
pub(crate) fn external_id(row: &Row<'_>, kind: usize, key: usize) -> rusqlite::Result<ExternalId> {
    let kind_value: SyncKind = row.get(kind)?;
    parse_column(row, key, |text| ExternalId::parse(kind_value, text))
}

/// The Condeco key in column `key` of a row whose kind is in column `kind`.
pub(crate) fn condeco_key(row: &Row<'_>, kind: usize, key: usize) -> rusqlite::Result<CondecoKey> {
    let kind_value: SyncKind = row.get(kind)?;
    parse_column(row, key, |text| CondecoKey::parse(kind_value, text))
}

/// A text column parsed with `parse`, its error reported as a conversion failure.
pub(crate) fn parse_column<T, E>(
    row: &Row<'_>,
    index: usize,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> rusqlite::Result<T>
where
    E: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.get(index)?;
    parse(&text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            Box::new(error),
        )
    })
}
