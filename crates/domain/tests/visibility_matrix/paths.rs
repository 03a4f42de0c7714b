//! Every read path of the client API, called as its handler calls it, for
//! every viewer of a case; each answer is compared with the model.

use tertulia_core::Id;
use tertulia_domain::notifications::{NotificationFilter, NotificationKind};
use tertulia_domain::search::{self, Kind, SearchQuery};
use tertulia_domain::statuses::{self, StatusView};
use tertulia_domain::timelines::{self, TagQuery};
use tertulia_domain::{
    AccountStatusFilter, DomainError, Origin, Page, PublicFilter, conversations, lists, notifications, polls, trends,
};

use crate::model::{Case, Viewer};
use crate::world::{REMOTE_HOST, Rig, Step, World};

/// Where the server and the model disagree, one line each.
#[derive(Default)]
pub struct Findings(Vec<String>);

impl Findings {
    fn compare(&mut self, path: &str, viewer: Viewer, expected: bool, shown: bool) {
        if expected != shown {
            let (should, did) = if expected { ("show", "hid") } else { ("hide", "showed") };
            self.0.push(format!("{path}, as {viewer:?}: should {should} it, but {did} it"));
        }
    }

    pub fn into_lines(self) -> Vec<String> {
        self.0
    }
}

/// Whether a path that answers "not found" for what may not be seen
/// answered at all; any other error fails the case.
fn opened<T>(path: &str, result: Result<T, DomainError>) -> Step<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(DomainError::NotFound(_)) => Ok(None),
        Err(e) => Err(format!("{path} failed: {e}")),
    }
}

fn listed<T>(path: &str, result: Result<T, DomainError>) -> Step<T> {
    result.map_err(|e| format!("{path} failed: {e}"))
}

fn holds(statuses: &[StatusView], id: Id) -> bool {
    statuses.iter().any(|s| s.id == id)
}

/// The case's own slice of timelines that every case writes to.
fn page(world: &World) -> Page {
    Page { since_id: Some(world.since.0), ..Page::first(40) }
}

pub async fn check(rig: &Rig, case: &Case, world: &World) -> Step<Findings> {
    let mut findings = Findings::default();
    for viewer in case.viewers() {
        single_status_paths(rig, case, world, viewer, &mut findings).await?;
        listing_paths(rig, case, world, viewer, &mut findings).await?;
    }
    reader_paths(rig, case, world, &mut findings).await?;
    if case.viewers().contains(&Viewer::Author) {
        author_paths(rig, case, world, &mut findings).await?;
    }
    Ok(findings)
}

/// Paths that show one status on request.
async fn single_status_paths(
    rig: &Rig,
    case: &Case,
    world: &World,
    viewer: Viewer,
    findings: &mut Findings,
) -> Step<()> {
    let id = world.account_of(viewer);
    let (ctx, db) = (&rig.ctx, &rig.ctx.db);
    let status = world.status;
    let may_open = case.may_open(viewer);
    let path = "GET /api/v1/statuses/:id";
    findings.compare(path, viewer, may_open, opened(path, statuses::get(db, id, status).await)?.is_some());
    let path = "GET /api/v1/statuses/:id/history";
    findings.compare(path, viewer, may_open, opened(path, statuses::history(db, id, status).await)?.is_some());
    let path = "GET /api/v1/statuses/:id/favourited_by";
    let answer = statuses::favourited_by(db, id, status, Page::first(40)).await;
    findings.compare(path, viewer, may_open, opened(path, answer)?.is_some());
    let path = "GET /api/v1/statuses/:id/reblogged_by";
    let answer = statuses::reblogged_by(db, id, status, Page::first(40)).await;
    findings.compare(path, viewer, may_open, opened(path, answer)?.is_some());
    let path = "GET /api/v1/polls/:id";
    findings.compare(path, viewer, may_open, opened(path, polls::get(ctx, id, world.poll).await)?.is_some());

    let path = "GET /api/v1/statuses/:id/context";
    let thread = opened(path, statuses::context(db, id, status).await)?;
    findings.compare(path, viewer, may_open, thread.is_some());
    let reply_shown = thread.is_some_and(|(_, descendants)| holds(&descendants, world.reply));
    findings.compare(
        "the reply among the status's descendants",
        viewer,
        may_open && case.may_open_reply(viewer),
        reply_shown,
    );
    let path = "GET /api/v1/statuses/:id/context of the reply";
    let thread = opened(path, statuses::context(db, id, world.reply).await)?;
    findings.compare(path, viewer, case.may_open_reply(viewer), thread.is_some());
    let status_shown = thread.is_some_and(|(ancestors, _)| holds(&ancestors, status));
    findings.compare(
        "the status among the reply's ancestors",
        viewer,
        may_open && case.may_open_reply(viewer),
        status_shown,
    );

    if let Some(boost) = world.boost {
        let path = "GET /api/v1/statuses/:id of the boost";
        let shown = opened(path, statuses::get(db, id, boost).await)?.is_some();
        findings.compare(path, viewer, case.may_open_boost(viewer), shown);
    }
    Ok(())
}

/// Timelines, profiles, search and trends: lists where the status may or
/// may not appear.
async fn listing_paths(rig: &Rig, case: &Case, world: &World, viewer: Viewer, findings: &mut Findings) -> Step<()> {
    let id = world.account_of(viewer);
    let db = &rig.ctx.db;
    let status = world.status;
    let only = |origin| PublicFilter { origin, ..Default::default() };
    // The world's one other site: its company timeline holds what
    // `remote=true` does.
    let remote_site = PublicFilter { remote_domain: Some(REMOTE_HOST.into()), ..only(Origin::OtherSites) };
    for (filter, this_site_only, path) in [
        (only(Origin::Everywhere), None, "GET /api/v1/timelines/public"),
        (only(Origin::ThisSite), Some(true), "GET /api/v1/timelines/public?local=true"),
        (only(Origin::OtherSites), Some(false), "GET /api/v1/timelines/public?remote=true"),
        (remote_site, Some(false), "GET /api/v1/timelines/public?site=remote.example"),
    ] {
        let timeline = listed(path, timelines::public(db, id, filter, page(world)).await)?;
        findings.compare(path, viewer, case.in_public_timeline(viewer, this_site_only), holds(&timeline, status));
    }
    let path = "GET /api/v1/timelines/tag/:hashtag";
    let tags = TagQuery { any: vec![world.tag.clone()], ..Default::default() };
    let timeline = listed(path, timelines::hashtag(db, id, tags, PublicFilter::default(), page(world)).await)?;
    findings.compare(path, viewer, case.in_hashtag_timeline(viewer), holds(&timeline, status));

    let path = "GET /api/v1/accounts/:id/statuses of the author";
    let profile = timelines::account_statuses(db, id, world.author, AccountStatusFilter::default(), page(world)).await;
    findings.compare(path, viewer, case.on_profile(viewer), holds(&listed(path, profile)?, status));
    let path = "GET /api/v1/accounts/:id/statuses?pinned=true of the author";
    let pinned = listed(path, statuses::pinned(db, id, world.author).await)?;
    findings.compare(path, viewer, case.in_pinned(viewer), holds(&pinned, status));
    if let Some(boost) = world.boost {
        let path = "GET /api/v1/accounts/:id/statuses of the booster";
        let profile =
            timelines::account_statuses(db, id, world.booster, AccountStatusFilter::default(), page(world)).await;
        findings.compare(path, viewer, case.may_open_boost(viewer), holds(&listed(path, profile)?, boost));
    }

    let path = "GET /api/v2/search?type=statuses";
    let query = SearchQuery {
        q: world.word.clone(),
        kind: Some(Kind::Statuses),
        following: false,
        account_id: None,
        limit: 40,
        offset: 0,
    };
    let found = listed(path, search::search(db, id, &rig.ctx.config.domain, query).await)?;
    findings.compare(path, viewer, case.in_search(viewer), holds(&found.statuses, status));
    let path = "GET /api/v1/trends/statuses";
    // Every case's public status trends (no review required): look at all of them.
    let everything = trends::Window { limit: 100_000, offset: 0 };
    let trending = listed(path, trends::statuses(db, id, everything, false).await)?;
    findings.compare(path, viewer, case.in_trends(viewer), holds(&trending, status));
    Ok(())
}

/// What every signed-in user has of their own: the home timeline and
/// direct-message threads.
async fn own_paths(
    rig: &Rig,
    case: &Case,
    world: &World,
    viewer: Viewer,
    account: Id,
    findings: &mut Findings,
) -> Step<Vec<StatusView>> {
    let path = "GET /api/v1/timelines/home";
    let home = listed(path, timelines::home(&rig.ctx.db, account, page(world)).await)?;
    findings.compare(path, viewer, case.in_home(viewer), holds(&home, world.status));
    let path = "GET /api/v1/conversations";
    let threads = listed(path, conversations::list(&rig.ctx.db, account, page(world)).await)?;
    let in_threads = threads.iter().any(|t| t.last_status.as_ref().is_some_and(|s| s.id == world.status));
    findings.compare(path, viewer, case.in_conversations(viewer), in_threads);
    Ok(home)
}

/// Whether `account` has a notification of `kind` from `from` about the
/// status.
async fn notified(rig: &Rig, world: &World, account: Id, kind: NotificationKind, from: Id) -> Step<bool> {
    let path = "GET /api/v1/notifications";
    let all = notifications::list(&rig.ctx, account, NotificationFilter::default(), page(world)).await;
    Ok(listed(path, all)?
        .iter()
        .any(|n| n.kind == kind && n.account.id == from && n.status.as_ref().is_some_and(|s| s.id == world.status)))
}

/// What only the reader has: the boost at home, the list, the mention,
/// saved statuses, and favouriting now.
async fn reader_paths(rig: &Rig, case: &Case, world: &World, findings: &mut Findings) -> Step<()> {
    let (ctx, db) = (&rig.ctx, &rig.ctx.db);
    let (reader, status, viewer) = (world.reader, world.status, Viewer::Reader);
    let home = own_paths(rig, case, world, viewer, reader, findings).await?;
    if let Some(boost) = world.boost {
        findings.compare("the boost in GET /api/v1/timelines/home", viewer, case.boost_in_home(), holds(&home, boost));
    }
    let path = "GET /api/v1/timelines/list/:id";
    let listed_status = match world.list {
        Some(list) => holds(&listed(path, lists::timeline(db, reader, list, page(world)).await)?, status),
        None => false,
    };
    findings.compare(path, viewer, case.in_reader_list(), listed_status);
    let mentioned = notified(rig, world, reader, NotificationKind::Mention, world.author).await?;
    findings.compare("GET /api/v1/notifications (mention)", viewer, case.reader_notified_of_mention(), mentioned);

    let still_saved = world.reader_saved_it && case.may_open(viewer);
    for (bookmarks, path) in [(false, "GET /api/v1/favourites"), (true, "GET /api/v1/bookmarks")] {
        let saved = listed(path, statuses::saved(db, reader, bookmarks, page(world)).await)?;
        findings.compare(path, viewer, still_saved, saved.iter().any(|(_, s)| s.id == status));
    }

    // Last, as it writes: acting on a status needs the right to open it.
    let path = "POST /api/v1/statuses/:id/favourite";
    let acted = opened(path, statuses::favourite(ctx, reader, status, true).await)?.is_some();
    findings.compare(path, viewer, case.may_open(viewer), acted);
    Ok(())
}

/// What only the author has: the notification of the reader's favourite.
async fn author_paths(rig: &Rig, case: &Case, world: &World, findings: &mut Findings) -> Step<()> {
    let viewer = Viewer::Author;
    own_paths(rig, case, world, viewer, world.author, findings).await?;
    let favourited = notified(rig, world, world.author, NotificationKind::Favourite, world.reader).await?;
    let path = "GET /api/v1/notifications (the reader's favourite)";
    findings.compare(path, viewer, case.author_notified_of_favourite(), favourited);
    Ok(())
}
