//! Statuses as other sites read them (`statuses::shared`): a page of the
//! outbox costs the same statements whatever its size, and carries the
//! URIs its notes link to, so rendering them queries nothing.

use tertulia_core::Id;
use tertulia_domain::Page;
use tertulia_domain::statuses::{self, NewStatus, shared};

use crate::world::{Rig, local_user};

/// An author with twelve posts, every third one a reply to the first.
async fn busy_author(rig: &Rig) -> (Id, String) {
    let ctx = &rig.ctx;
    let author = local_user(rig, "shared_author").await.unwrap();
    let first = statuses::create(ctx, author, NewStatus { text: "first".into(), ..Default::default() }).await.unwrap();
    for n in 1..12 {
        let status = NewStatus {
            text: format!("post {n}"),
            in_reply_to_id: (n % 3 == 0).then_some(first.id),
            ..Default::default()
        };
        statuses::create(ctx, author, status).await.unwrap();
    }
    (author, first.uri)
}

fn outbox_page(
    rig: &Rig,
    runtime: &tokio::runtime::Runtime,
    author: Id,
    limit: i64,
) -> (Vec<shared::SharedStatus>, usize) {
    runtime
        .block_on(rig.ctx.db.run(move |conn| {
            let (page, count) = tertulia_db::count_statements(conn, |conn| {
                shared::outbox_page(conn, None, author.0, Page::first(limit))
            });
            Ok::<_, tertulia_db::DbError>((page?, count))
        }))
        .unwrap()
}

#[test]
fn an_outbox_page_costs_the_same_statements_whatever_its_size_and_names_what_it_replies_to() {
    let runtime = crate::runtime();
    let rig = runtime.block_on(Rig::start());
    let (author, first_uri) = runtime.block_on(busy_author(&rig));
    // Three, so the short page has a reply too (no replies, no query for them).
    let (short, short_cost) = outbox_page(&rig, &runtime, author, 3);
    let (long, long_cost) = outbox_page(&rig, &runtime, author, 12);
    assert_eq!((short.len(), long.len()), (3, 12));
    assert_eq!(short_cost, long_cost, "a page of 12 costs what a page of 3 does");
    let replies: Vec<_> = long.iter().filter(|status| status.view.in_reply_to_id.is_some()).collect();
    assert_eq!(replies.len(), 3);
    assert!(replies.iter().all(|reply| reply.in_reply_to_uri.as_deref() == Some(first_uri.as_str())));
    assert!(long.iter().all(|status| status.conversation.is_some()), "every local post has a thread");
}

#[test]
fn featured_posts_come_newest_pin_first_and_private_ones_stay_out() {
    let runtime = crate::runtime();
    let rig = runtime.block_on(Rig::start());
    let ctx = &rig.ctx;
    let pinned = runtime.block_on(async {
        let author = local_user(&rig, "shared_pinner").await.unwrap();
        let mut ids = Vec::new();
        for (text, visibility) in [("older", "public"), ("private", "private"), ("newer", "unlisted")] {
            let status = NewStatus { text: text.into(), visibility: Some(visibility.into()), ..Default::default() };
            ids.push(statuses::create(ctx, author, status).await.unwrap().id);
        }
        // Pinned oldest post first: the newest pin is the newest post, the
        // reverse of the order the rows are stored in.
        for id in &ids {
            statuses::pin(&ctx.db, author, *id, true).await.unwrap();
        }
        (author, ids)
    });
    let (author, ids) = pinned;
    let featured = runtime.block_on(rig.ctx.db.run(move |conn| shared::featured(conn, None, author.0))).unwrap();
    let shown: Vec<Id> = featured.iter().map(|status| status.view.id).collect();
    assert_eq!(shown, vec![ids[2], ids[0]], "the last pinned first, without the private post");
}
