//! Enums stored in text columns. With the `diesel` feature (which the
//! storage crate turns on) such an enum is read and written by its name, so
//! rows hold the enum rather than a `String`, and a name this program does
//! not know fails the read instead of becoming a guessed default.

/// A stored (or sent) name that is not one of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{name}' is not a {kind} ({expected})")]
pub struct UnknownName {
    /// What the enum is called, as in "quote state".
    pub kind: &'static str,
    pub name: String,
    /// The names it knows, for the message.
    pub expected: &'static str,
}

/// Makes `$ty` a diesel `Text` value on every backend, the
/// `MultiConnection`'s included: written as `as_str()`, read back with
/// `FromStr` (whose error becomes the read's error). The type also derives
/// `AsExpression` and `FromSqlRow` with `sql_type = Text`.
#[macro_export]
macro_rules! text_column {
    ($ty:ty) => {
        impl<DB> ::diesel::deserialize::FromSql<::diesel::sql_types::Text, DB> for $ty
        where
            DB: ::diesel::backend::Backend,
            String: ::diesel::deserialize::FromSql<::diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> ::diesel::deserialize::Result<Self> {
                let name = <String as ::diesel::deserialize::FromSql<::diesel::sql_types::Text, DB>>::from_sql(bytes)?;
                Ok(name.parse::<$ty>()?)
            }
        }

        impl<DB> ::diesel::serialize::ToSql<::diesel::sql_types::Text, DB> for $ty
        where
            DB: ::diesel::backend::Backend,
            str: ::diesel::serialize::ToSql<::diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut ::diesel::serialize::Output<'b, '_, DB>) -> ::diesel::serialize::Result {
                <str as ::diesel::serialize::ToSql<::diesel::sql_types::Text, DB>>::to_sql(self.as_str(), out)
            }
        }
    };
}
