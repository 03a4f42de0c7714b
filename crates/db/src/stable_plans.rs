//! SQLite's query planner stability guarantee (QPSG) on every connection
//! this process opens.
//!
//! Without it, SQLite lets the value bound to a parameter shape the plan:
//! a `LIMIT ?`, a `LIKE ?` pattern, a parameter compared with a partial
//! index's condition. It then marks the statement to be compiled again the
//! next time that parameter is bound, so diesel's cached statements were
//! parsed and planned anew on almost every request (`sqlite3Reprepare`,
//! 14 % of a home page's instructions: docs/benchmarks.md, "Issue 17").
//! With it, a statement keeps one plan for any values. Constants that an
//! index's plan depends on are written into the SQL text instead
//! (`cacheable::fixed_in`), so the partial indexes still serve.
//! <https://sqlite.org/c3ref/c_dbconfig_defensive.html> (ENABLE_QPSG).
#![allow(unsafe_code)] // SQLite's C API: the only way diesel lets us reach a connection's settings

use std::ffi::{c_char, c_int};
use std::sync::Once;

use libsqlite3_sys as ffi;

/// Makes every SQLite connection opened from now on plan its statements
/// once. Idempotent; called before the pool opens its first connection.
pub(crate) fn enable() {
    static REGISTERED: Once = Once::new();
    REGISTERED.call_once(|| {
        // SAFETY: `stable_plans_on` has the signature SQLite calls an
        // automatic extension with; registering it has no other effect.
        let outcome = unsafe { ffi::sqlite3_auto_extension(Some(stable_plans_on)) };
        if outcome != ffi::SQLITE_OK {
            tracing::warn!(
                code = outcome,
                "SQLite refused the query plan setting; statements will be recompiled more often"
            );
        }
    });
}

/// Run by SQLite on each new connection, before diesel sees it.
unsafe extern "C" fn stable_plans_on(
    db: *mut ffi::sqlite3,
    _error: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    // SAFETY: `db` is the connection SQLite is opening; ENABLE_QPSG takes
    // an int (1: on) and a pointer for the new value, which may be null.
    unsafe { ffi::sqlite3_db_config(db, ffi::SQLITE_DBCONFIG_ENABLE_QPSG, 1 as c_int, std::ptr::null_mut::<c_int>()) };
    ffi::SQLITE_OK
}
