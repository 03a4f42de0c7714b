//! Queries on `instance_rules`: the community rules shown at sign-up and in
//! clients' "about" pages.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::instance_rules;
use crate::{DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = instance_rules)]
pub struct RuleRow {
    pub id: i64,
    pub text: String,
    pub hint: String,
    pub position: i32,
}

/// Every rule, in display order.
pub fn list(conn: &mut DbConn) -> Result<Vec<RuleRow>, DbError> {
    Ok(instance_rules::table
        .order((instance_rules::position.asc(), instance_rules::id.asc()))
        .select(RuleRow::as_select())
        .load(conn)?)
}

/// Appends a rule after the existing ones.
pub fn add(conn: &mut DbConn, id: i64, text: &str, hint: &str, now: NaiveDateTime) -> Result<(), DbError> {
    let last: Option<i32> = instance_rules::table.select(diesel::dsl::max(instance_rules::position)).first(conn)?;
    diesel::insert_into(instance_rules::table)
        .values((
            instance_rules::id.eq(id),
            instance_rules::text.eq(text),
            instance_rules::hint.eq(hint),
            instance_rules::position.eq(last.map_or(0, |p| p + 1)),
            instance_rules::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn remove(conn: &mut DbConn, id: i64) -> Result<(), DbError> {
    if diesel::delete(instance_rules::table.find(id)).execute(conn)? == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}
