//! [`StoredJson`]: a `jsonb` column read without ever failing the statement that read it.

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Jsonb;
use serde_json::Value;
use std::io::Write;

/// The version byte of PostgreSQL's binary `jsonb` format.
const JSONB_VERSION: u8 = 1;

/// A `jsonb` document as read: the value, or why it could not be decoded (e.g. nested deeper
/// than serde_json reads, or written by hand outside the API). Diesel's own `Value` decoding
/// fails the whole statement on one such document, so one bad row would fail every list that
/// contains it; with this type only that row's conversion fails.
#[derive(Debug, Clone, PartialEq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Jsonb)]
pub(crate) struct StoredJson(pub(crate) Result<Value, String>);

impl From<Value> for StoredJson {
    fn from(value: Value) -> Self {
        Self(Ok(value))
    }
}

impl FromSql<Jsonb, Pg> for StoredJson {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        let decoded = match bytes.as_bytes().split_first() {
            Some((&JSONB_VERSION, text)) => {
                serde_json::from_slice(text).map_err(|e| format!("undecodable jsonb: {e}"))
            }
            _ => Err("unsupported jsonb encoding".to_owned()),
        };
        Ok(Self(decoded))
    }
}

impl ToSql<Jsonb, Pg> for StoredJson {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        let value = self.0.as_ref().map_err(|e| e.clone())?;
        out.write_all(&[JSONB_VERSION])?;
        serde_json::to_writer(out, value)?;
        Ok(IsNull::No)
    }
}
