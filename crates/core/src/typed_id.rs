//! Ids that say what they identify, where an account id and a status id
//! side by side could be swapped without any error: who gets which status
//! in their home timeline, who is notified of what. With the `diesel`
//! feature each is a `BigInt` value on every backend.

/// Declares `$ty` as an `i64` id of one kind of row.
macro_rules! typed_id {
    ($(#[$meta:meta])* $ty:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "diesel", derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow))]
        #[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::BigInt))]
        pub struct $ty(pub i64);

        impl $ty {
            /// Each of `ids`, as this kind of id.
            pub fn all(ids: &[i64]) -> Vec<$ty> {
                ids.iter().map(|&id| $ty(id)).collect()
            }

            /// Each of `ids`, as the plain numbers queries take.
            pub fn raw(ids: &[$ty]) -> Vec<i64> {
                ids.iter().map(|id| id.0).collect()
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        #[cfg(feature = "diesel")]
        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::BigInt, DB> for $ty
        where
            DB: diesel::backend::Backend,
            i64: diesel::deserialize::FromSql<diesel::sql_types::BigInt, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                <i64 as diesel::deserialize::FromSql<diesel::sql_types::BigInt, DB>>::from_sql(bytes).map($ty)
            }
        }

        #[cfg(feature = "diesel")]
        impl<DB> diesel::serialize::ToSql<diesel::sql_types::BigInt, DB> for $ty
        where
            DB: diesel::backend::Backend,
            i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
                <i64 as diesel::serialize::ToSql<diesel::sql_types::BigInt, DB>>::to_sql(&self.0, out)
            }
        }
    };
}

typed_id! {
    /// The id of an account (`accounts.id`), local or remote.
    AccountId
}

typed_id! {
    /// The id of a status (`statuses.id`), a boost included.
    StatusId
}
