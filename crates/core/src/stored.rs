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

/// Declares an enum stored (and sent) by name: the enum with `ALL`,
/// `as_str`, `Display`, `FromStr` (an [`UnknownName`] error) and
/// [`text_column!`]. Each variant is written with its name:
///
/// ```ignore
/// stored_enum! {
///     /// What a user may do beyond posting.
///     pub enum Role("role") { User = "user", Admin = "admin" }
/// }
/// ```
///
/// The calling crate needs diesel (the storage crate and those above it).
#[macro_export]
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $ty:ident ($kind:literal) {
            $( $(#[$variant_meta:meta])* $variant:ident = $name:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $ty {
            $( $(#[$variant_meta])* $variant ),+
        }

        impl $ty {
            /// Every value, in the order declared.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $( $ty::$variant => $name ),+
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::stored::UnknownName;
            fn from_str(name: &str) -> Result<Self, Self::Err> {
                match name {
                    $( $name => Ok($ty::$variant), )+
                    _ => Err($crate::stored::UnknownName {
                        kind: $kind,
                        name: name.to_owned(),
                        expected: $crate::__join!($($name),+),
                    }),
                }
            }
        }

        $crate::text_column!($ty);
    };
}

/// `"a, b, c"` from `"a", "b", "c"`, at compile time (for [`stored_enum!`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __join {
    ($first:literal $(, $rest:literal)*) => { concat!($first $(, ", ", $rest)*) };
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
