//! How queues hand out their rows, so that several workers (in one process
//! or in several on one PostgreSQL database) never get the same one. Two
//! shapes, by how long the work takes:
//!
//! - **Leased** ([`claim_leased!`]): `delivery_jobs` and `push_deliveries`,
//!   whose work (a request to another server) must not hold a transaction
//!   open. Each has `id`, `next_attempt_at` and `locked_until`.
//! - **Locked for one transaction** ([`load_skip_locked!`]): the federation
//!   outbox and scheduled statuses, whose work is a few statements that
//!   belong in the same transaction as the removal of the row. The row lock
//!   is the lease: it ends with the transaction, and if the process dies the
//!   server rolls the transaction back and the row is free again at once.
//!
//! (The inbox claims per sender, to keep each sender's order: see
//! [`crate::inbox::claim_senders`].)
//!
//! The leased claim:
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

/// Loads `$query`'s rows as `$row`s (an expression, not a variable: it is
/// built once per engine), leaving out rows another transaction
/// has locked and locking those it returns until the caller's transaction
/// ends: on PostgreSQL `FOR UPDATE SKIP LOCKED`; on SQLite the caller's
/// write transaction already admits one claimer at a time.
macro_rules! load_skip_locked {
    ($conn:expr, $query:expr, $row:ty) => {
        match $conn {
            crate::DbConn::Postgres(pg) => $query.for_update().skip_locked().load::<$row>(pg),
            crate::DbConn::Sqlite(lite) => $query.load::<$row>(lite),
        }
    };
}

pub(crate) use {claim_leased, claim_leased_rows, load_skip_locked};
