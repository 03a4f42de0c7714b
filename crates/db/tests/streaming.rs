//! Who may share a streaming render of a status: the one query that tells
//! plain viewers from those whose render is their own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;

use common::{local_account, open, t0};
use tertulia_core::Id;
use tertulia_core::visibility::Visibility;
use tertulia_db::social::{self, FollowRow};
use tertulia_db::statuses::{self, StatusRow, ViewerStanding};
use tertulia_db::{DbConn, blocks};
use tertulia_testrig::TestDatabase;

fn post(conn: &mut DbConn, author: i64, visibility: Visibility, reblog_of: Option<i64>) -> i64 {
    let id = Id::generate().0;
    let mut row = StatusRow::new_local(id, format!("https://local.example/statuses/{id}"), author, visibility, t0());
    row.reblog_of_id = reblog_of;
    statuses::insert(conn, &row).unwrap();
    id
}

fn follow(conn: &mut DbConn, follower: i64, target: i64) {
    let row = FollowRow {
        id: Id::generate().0,
        account_id: follower,
        target_account_id: target,
        show_reblogs: true,
        notify: false,
        languages: None,
        uri: None,
        created_at: t0(),
    };
    social::upsert_follow(conn, &row).unwrap();
}

fn standings(conn: &mut DbConn, status: i64, viewers: &[i64]) -> HashMap<i64, ViewerStanding> {
    statuses::viewer_standings(conn, status, viewers).unwrap().into_iter().map(|s| (s.viewer, s)).collect()
}

#[test]
fn plain_viewers_are_told_apart_from_those_with_a_relation_to_the_status() {
    let test_db = TestDatabase::create();
    let db = open(&test_db);
    db.run_blocking(|conn| {
        let (booster, original_author) = (local_account(conn, "booster"), local_account(conn, "author"));
        let [follower, stranger, favouriter, blocker] =
            ["follower", "stranger", "favouriter", "blocker"].map(|name| local_account(conn, name));
        let original = post(conn, original_author, Visibility::Public, None);
        let boost = post(conn, booster, Visibility::Public, Some(original));
        follow(conn, follower, booster);
        social::insert_favourite(conn, favouriter, original, None, t0()).unwrap();
        blocks::insert_block(conn, blocker, original_author, t0()).unwrap();

        let viewers = [follower, stranger, favouriter, blocker, booster];
        let found = standings(conn, boost, &viewers);
        let plain = |viewer: i64, follows_author: bool| ViewerStanding {
            viewer,
            special: false,
            follows_author,
            follows_original_author: false,
        };
        assert_eq!(found[&follower], plain(follower, true));
        assert_eq!(found[&stranger], plain(stranger, false));
        for viewer in [favouriter, blocker, booster] {
            assert!(found[&viewer].special, "{viewer} has a relation to the boost or its original");
        }

        let private = post(conn, booster, Visibility::Private, None);
        assert!(standings(conn, private, &viewers).values().all(|s| s.special), "only public posts are shared");
        Ok::<_, tertulia_db::DbError>(())
    })
    .unwrap();
}
