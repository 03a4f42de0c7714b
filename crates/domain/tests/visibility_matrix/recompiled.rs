//! Statements stay compiled (issue 17): once diesel has prepared a read,
//! running it again with other values must not make SQLite compile it
//! anew. SQLite does that when a bound value may change the plan (a
//! `LIMIT ?`, a parameter compared with a partial index's condition), and
//! then a cached statement costs a parse and a plan on every request. The
//! database's own counter (`SQLITE_STMTSTATUS_REPREPARE`) is read for every
//! statement the rig's connections hold.
#![allow(unsafe_code)] // SQLite's C API: diesel does not show a connection's statements

use std::ffi::{CStr, c_char, c_int};
use std::sync::Mutex;

use libsqlite3_sys as ffi;

use crate::budget::{busy_home, statements_for_home_page};
use crate::world::Rig;

/// Every SQLite connection this process opened: its handle and file.
static OPENED: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::new());

unsafe extern "C" fn remember(
    db: *mut ffi::sqlite3,
    _: *mut *mut c_char,
    _: *const ffi::sqlite3_api_routines,
) -> c_int {
    // SAFETY: `db` is the connection being opened; its file name is a C
    // string SQLite owns (empty for a memory database, never null).
    let file = unsafe { CStr::from_ptr(ffi::sqlite3_db_filename(db, c"main".as_ptr())) };
    OPENED.lock().unwrap().push((db as usize, file.to_string_lossy().into_owned()));
    ffi::SQLITE_OK
}

/// The statements of the connections open on `file` that SQLite compiled
/// again since the last call, with how many times.
fn recompiled(file: &str) -> Vec<(String, c_int)> {
    let mut found = Vec::new();
    // Only the rig's connections, which it keeps open, are looked at; those
    // of other tests may be closed by now.
    for (db, _) in OPENED.lock().unwrap().iter().filter(|(_, name)| name == file) {
        let db = *db as *mut ffi::sqlite3;
        // SAFETY: the connection is open (the rig holds it) and idle; SQLite
        // walks its statement list under the connection's own mutex.
        let mut statement = unsafe { ffi::sqlite3_next_stmt(db, std::ptr::null_mut()) };
        while !statement.is_null() {
            // SAFETY: `statement` is a live statement of `db`.
            let (count, sql) = unsafe {
                let count = ffi::sqlite3_stmt_status(statement, ffi::SQLITE_STMTSTATUS_REPREPARE, 1);
                (count, CStr::from_ptr(ffi::sqlite3_sql(statement)).to_string_lossy().into_owned())
            };
            if count > 0 {
                found.push((sql, count));
            }
            // SAFETY: as above.
            statement = unsafe { ffi::sqlite3_next_stmt(db, statement) };
        }
    }
    found
}

#[test]
fn home_pages_of_any_size_reuse_their_compiled_statements() {
    // SAFETY: `remember` has the signature of an automatic extension.
    assert_eq!(unsafe { ffi::sqlite3_auto_extension(Some(remember)) }, ffi::SQLITE_OK);
    let runtime = crate::runtime();
    let rig = runtime.block_on(Rig::start());
    let Some(file) = rig.sqlite_path().map(str::to_owned) else {
        eprintln!("PostgreSQL keeps its plans per statement: nothing to count");
        return;
    };
    let reader = runtime.block_on(busy_home(&rig));
    // Migrations changed the schema under the statements used to apply
    // them: those were compiled again, rightly. Count from here.
    recompiled(&file);
    for limit in [3, 40, 20, 40, 3] {
        statements_for_home_page(&rig, &runtime, reader, limit);
    }
    let recompiled = recompiled(&file);
    assert!(recompiled.is_empty(), "statements SQLite compiled again after new values were bound: {recompiled:#?}");
}
