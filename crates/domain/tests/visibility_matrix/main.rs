//! The visibility matrix (issue 14, item 12): for generated combinations of
//! visibility (public, unlisted, followers-only, direct, site-only), the
//! author's site (here or elsewhere), the reader's follow (none, accepted,
//! pending), a block either way, a mute (with or without notifications),
//! a mention of the reader and the author's suspension, every read path of
//! the domain must show the status to exactly those the model in
//! `model.rs` allows: anonymous visitors, a signed-in bystander, the reader
//! and the author.
//!
//! Runs on a real database: SQLite by default, PostgreSQL with
//! `TERTULIA_TEST_DB=postgres` (tests/run.sh runs both). Failing cases are
//! saved in `proptest-regressions/visibility_matrix.txt` and tried first on
//! every later run. `PROPTEST_CASES` changes the number of cases for a
//! longer run by hand.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod budget;
mod model;
mod paths;
mod recompiled;
mod shared;
mod world;

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use tertulia_core::visibility::Visibility;

use model::{Block, Case, Follow, Mute, Site};
use world::Rig;

/// Enough to meet every value of every dimension many times over, in well
/// under a minute per backend.
const CASES: u32 = 64;

fn cases() -> impl Strategy<Value = Case> {
    let visibility = prop_oneof![
        Just(Visibility::Public),
        Just(Visibility::Unlisted),
        Just(Visibility::Private),
        Just(Visibility::Direct),
        Just(Visibility::Local),
    ];
    let site = prop_oneof![Just(Site::Here), Just(Site::Elsewhere)];
    let follow = prop_oneof![Just(Follow::None), Just(Follow::Following), Just(Follow::Requested)];
    let block = prop_oneof![Just(Block::None), Just(Block::ReaderBlocksAuthor), Just(Block::AuthorBlocksReader)];
    let mute = prop_oneof![Just(Mute::None), Just(Mute::KeepNotifications), Just(Mute::HideNotifications)];
    (visibility, site, follow, block, mute, any::<bool>(), any::<bool>())
        .prop_map(|(visibility, site, follow, block, mute, mentions_reader, author_suspended)| Case {
            visibility,
            site,
            follow,
            block,
            mute,
            mentions_reader,
            author_suspended,
        })
        // Other sites never send site-only posts: they have no such thing.
        .prop_filter("site-only posts are only written here", |case| {
            case.site == Site::Here || case.visibility != Visibility::Local
        })
}

/// Builds `case` and reads it back through every path; the findings are
/// the failure message.
async fn check(rig: &Rig, case: &Case) -> Result<(), TestCaseError> {
    let world = world::build(rig, case).await.map_err(TestCaseError::fail)?;
    let findings = paths::check(rig, case, &world).await.map_err(TestCaseError::fail)?.into_lines();
    if findings.is_empty() { Ok(()) } else { Err(TestCaseError::fail(findings.join("\n"))) }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

#[test]
fn every_read_path_shows_a_status_to_exactly_whom_the_model_allows() {
    let runtime = runtime();
    let rig = runtime.block_on(Rig::start());
    let config = Config {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(CASES),
        source_file: Some(file!()),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/visibility_matrix.txt",
        ))),
        ..Config::default()
    };
    let result = TestRunner::new(config).run(&cases(), |case| runtime.block_on(check(&rig, &case)));
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

/// What the matrix found, kept as named cases: a muted author's public
/// post was shown in the reader's list timeline and in trending statuses
/// (both read paths skipped the mute filter the other timelines apply).
#[test]
fn a_muted_authors_posts_stay_out_of_lists_and_trends() {
    let runtime = runtime();
    let rig = runtime.block_on(Rig::start());
    let muted = Case {
        visibility: Visibility::Public,
        site: Site::Here,
        follow: Follow::Following,
        block: Block::None,
        mute: Mute::KeepNotifications,
        mentions_reader: false,
        author_suspended: false,
    };
    for case in [muted, Case { site: Site::Elsewhere, mute: Mute::HideNotifications, ..muted }] {
        if let Err(failure) = runtime.block_on(check(&rig, &case)) {
            panic!("{case:?}:\n{failure}");
        }
    }
}
