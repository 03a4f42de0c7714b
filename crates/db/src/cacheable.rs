//! Statement pieces whose text is the same on every call, so that diesel's
//! prepared-statement cache keeps the statements that use them.
//!
//! diesel prepares a statement again on every call when it holds a list of
//! bound values (`eq_any(&[..])` writes `IN (?, ?, …)` on SQLite, one `?`
//! per value) or raw SQL (`diesel::dsl::sql`), since their text may change
//! from call to call. SQLite then parses and plans the statement each time,
//! which was most of the CPU of a timeline page (docs/benchmarks.md, "Issue
//! 17: reads"). A statement made only of the pieces here and of diesel's
//! own cacheable ones is cached by its text and bind types, which is
//! always correct: a different text is a different cache entry.

use std::fmt::Write;
use std::marker::PhantomData;

use diesel::QueryResult;
use diesel::backend::Backend;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, TypedExpressionType, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{Array, BigInt, Bool, HasSqlType, Nullable, Text};
use diesel::sqlite::Sqlite;

use crate::conn::MultiBackend;

/// `column IN ids` with one parameter whatever the number of ids: see
/// [`id_in`].
#[derive(Debug, Clone)]
pub struct IdIn<C> {
    column: C,
    ids: IdList,
}

/// `column IN ids`, written `column IN (SELECT value FROM json_each(?))` on
/// SQLite (the ids bound as one JSON array) and `column = ANY(?)` on
/// PostgreSQL (bound as one array), so the statement's text does not depend
/// on how many ids there are. SQLite still walks `column`'s index once per
/// id, as for a written-out list.
pub fn id_in<C>(column: C, ids: &[i64]) -> IdIn<C> {
    IdIn { column, ids: IdList(ids.to_vec()) }
}

/// Ids bound as one parameter: a JSON array on SQLite, an array on
/// PostgreSQL.
#[derive(Debug, Clone)]
struct IdList(Vec<i64>);

impl ToSql<Text, Sqlite> for IdList {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        let mut json = String::with_capacity(self.0.len() * 20 + 2);
        json.push('[');
        for (n, id) in self.0.iter().enumerate() {
            let separator = if n > 0 { "," } else { "" };
            // Writing to a String cannot fail.
            let _ = write!(json, "{separator}{id}");
        }
        json.push(']');
        out.set_value(json);
        Ok(serialize::IsNull::No)
    }
}

impl ToSql<Array<BigInt>, Pg> for IdList {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        ToSql::<Array<BigInt>, Pg>::to_sql(&self.0, out)
    }
}

impl<C: Expression<SqlType = BigInt>> Expression for IdIn<C> {
    type SqlType = Bool;
}

impl<C: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for IdIn<C> where Self: Expression {}

impl<C: SelectableExpression<QS>, QS> SelectableExpression<QS> for IdIn<C> where Self: AppearsOnTable<QS> {}

impl<C: ValidGrouping<GB>, GB> ValidGrouping<GB> for IdIn<C> {
    type IsAggregate = C::IsAggregate;
}

impl<C: QueryId> QueryId for IdIn<C> {
    // The text depends on the column alone, as for diesel's own nodes.
    type QueryId = IdIn<C::QueryId>;
    const HAS_STATIC_QUERY_ID: bool = C::HAS_STATIC_QUERY_ID;
}

impl<C: QueryFragment<Sqlite>> QueryFragment<Sqlite> for IdIn<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, _>(&self.ids)?;
        out.push_sql("))");
        Ok(())
    }
}

impl<C: QueryFragment<Pg>> QueryFragment<Pg> for IdIn<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" = ANY(");
        out.push_bind_param::<Array<BigInt>, _>(&self.ids)?;
        out.push_sql(")");
        Ok(())
    }
}

impl<C: QueryFragment<Sqlite> + QueryFragment<Pg>> QueryFragment<MultiBackend> for IdIn<C> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        MultiBackend::walk_variant_ast(self, pass)
    }
}

/// Raw SQL of type `ST` that the statement cache may keep, unlike
/// `diesel::dsl::sql`: see [`fixed_sql`].
#[derive(Debug, Clone)]
pub struct FixedSql<ST> {
    text: String,
    /// A nullable id bound after `text`, and the SQL that follows it.
    parameter: Option<(Option<i64>, &'static str)>,
    sql_type: PhantomData<ST>,
}

/// Raw SQL whose text depends on nothing but the backend (per-backend
/// function names, never a value), so its statement can be cached.
pub fn fixed_sql<ST>(text: String) -> FixedSql<ST> {
    FixedSql { text, parameter: None, sql_type: PhantomData }
}

impl<ST> FixedSql<ST> {
    /// The SQL, then `id` as a bound parameter, then `then`.
    pub fn bind_id(self, id: Option<i64>, then: &'static str) -> FixedSql<ST> {
        FixedSql { parameter: Some((id, then)), ..self }
    }
}

impl<ST: TypedExpressionType> Expression for FixedSql<ST> {
    type SqlType = ST;
}

impl<ST, QS> AppearsOnTable<QS> for FixedSql<ST> where Self: Expression {}

impl<ST, QS> SelectableExpression<QS> for FixedSql<ST> where Self: Expression {}

impl<ST, GB> ValidGrouping<GB> for FixedSql<ST> {
    // Like diesel's `sql`: the caller answers for how the text groups.
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl<ST> QueryId for FixedSql<ST> {
    // No static id: the text is not known from the type, so the cache keys
    // the statement by its text.
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST, DB> QueryFragment<DB> for FixedSql<ST>
where
    DB: Backend + HasSqlType<BigInt>,
    Option<i64>: ToSql<Nullable<BigInt>, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(&self.text);
        if let Some((id, then)) = &self.parameter {
            out.push_bind_param::<Nullable<BigInt>, _>(id)?;
            out.push_sql(then);
        }
        Ok(())
    }
}

/// `column IN values` for a constant list: see [`fixed_in`].
#[derive(Debug)]
pub struct FixedIn<C, T: 'static> {
    column: C,
    values: &'static [T],
}

/// `column IN (?, …)` with one parameter per value of a constant list
/// (the visibilities a timeline shows). Its text depends only on how many
/// values there are, and constant lists have only a few lengths, so the
/// statement may be cached by its text, which diesel's `eq_any` never
/// allows. SQLite keeps using an index on `column` as for `eq_any`.
pub fn fixed_in<C, T: 'static>(column: C, values: &'static [T]) -> FixedIn<C, T> {
    FixedIn { column, values }
}

impl<C: Expression, T: 'static> Expression for FixedIn<C, T> {
    type SqlType = Bool;
}

impl<C: AppearsOnTable<QS>, T: 'static, QS> AppearsOnTable<QS> for FixedIn<C, T> where Self: Expression {}

impl<C: SelectableExpression<QS>, T: 'static, QS> SelectableExpression<QS> for FixedIn<C, T> where
    Self: AppearsOnTable<QS>
{
}

impl<C: ValidGrouping<GB>, T: 'static, GB> ValidGrouping<GB> for FixedIn<C, T> {
    type IsAggregate = C::IsAggregate;
}

impl<C, T: 'static> QueryId for FixedIn<C, T> {
    // The text depends on the number of values: cached by text.
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C, T, DB> QueryFragment<DB> for FixedIn<C, T>
where
    DB: Backend + HasSqlType<C::SqlType>,
    C: Expression + QueryFragment<DB>,
    T: ToSql<C::SqlType, DB> + 'static,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        if self.values.is_empty() {
            // As diesel writes an empty `eq_any`: matches nothing.
            out.push_sql("1 = 0");
            return Ok(());
        }
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (");
        for (n, value) in self.values.iter().enumerate() {
            if n > 0 {
                out.push_sql(", ");
            }
            out.push_bind_param::<C::SqlType, _>(value)?;
        }
        out.push_sql(")");
        Ok(())
    }
}
