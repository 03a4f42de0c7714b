//! The claim shared by the job tables with a lease (`delivery_jobs`,
//! `push_deliveries`): each has `id`, `next_attempt_at` and `locked_until`.
//!
//! A claim selects up to `limit` due rows that no live lease holds, leases
//! them until `now + lease` and loads them, in one transaction. Two workers
//! never get the same row: on PostgreSQL the rows are locked with `FOR
//! UPDATE SKIP LOCKED`, so even several processes share a queue; on SQLite
//! the claim is a write transaction like any other, which admits one writer
//! at a time, so the select and the lease cannot interleave with another
//! claim. Macros, because diesel's table types differ per table while the
//! query is the same.

/// One engine's body of [`claim_leased!`]; `$lock` adds the row locking.
macro_rules! claim_leased_rows {
    ($conn:expr, $table:ident, $row:ty, $now:expr, $limit:expr, $until:expr, [$($filter:expr),*] $(, $lock:ident)*) => {{
        let ids: Vec<i64> = $table::table
            $(.filter($filter))*
            .filter($table::next_attempt_at.le($now))
            .filter($table::locked_until.is_null().or($table::locked_until.le($now)))
            .order($table::next_attempt_at.asc())
            .limit($limit)
            .select($table::id)
            $(.$lock())*
            .load($conn)?;
        diesel::update($table::table.filter($table::id.eq_any(&ids)))
            .set($table::locked_until.eq(Some($until)))
            .execute($conn)?;
        $table::table
            .filter($table::id.eq_any(&ids))
            .order($table::next_attempt_at.asc())
            .select(<$row>::as_select())
            .load($conn)
    }};
}

/// Claims due rows of `$table` as `$row`s for `$lease`; `[filters]` narrows
/// which rows are due (for example, not failed for good).
macro_rules! claim_leased {
    ($conn:expr, $table:ident, $row:ty, $now:expr, $limit:expr, $lease:expr, [$($filter:expr),*]) => {{
        let (now, limit) = ($now, $limit);
        let until = now + $lease;
        crate::transaction($conn, |conn| {
            let rows = match conn {
                crate::DbConn::Postgres(pg) => {
                    claim_leased_rows!(pg, $table, $row, now, limit, until, [$($filter),*], for_update, skip_locked)?
                }
                crate::DbConn::Sqlite(lite) => claim_leased_rows!(lite, $table, $row, now, limit, until, [$($filter),*])?,
            };
            Ok(rows)
        })
    }};
}

pub(crate) use {claim_leased, claim_leased_rows};
