//! Statuses shaped for display, loaded in batches: one query per kind of
//! related data for a whole page, never one per status.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use tertulia_core::Id;
use tertulia_core::visibility::Visibility;
use tertulia_db::statuses::{self, StatusExtras, StatusRow};
use tertulia_db::{DbConn, DbError};

use crate::AccountView;
use crate::media::MediaView;
use crate::polls::{self, PollView};
use crate::quotes::{self, QuoteApproval, QuotePolicy, QuoteView};
use crate::views::MentionView;
use crate::visibility::{self, Mutes, Viewer, Visible};
use tertulia_db::quotes::QuoteRow;

/// A status as shown to one viewer.
#[derive(Debug, Clone)]
pub struct StatusView {
    pub id: Id,
    pub uri: String,
    pub url: String,
    pub account: AccountView,
    /// Sanitized HTML.
    pub content: String,
    /// The text as typed (for redrafting and editing).
    pub text: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub visibility: Visibility,
    pub language: Option<String>,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub in_reply_to_id: Option<Id>,
    pub in_reply_to_account_id: Option<Id>,
    pub reblog: Option<Box<StatusView>>,
    pub mentions: Vec<MentionView>,
    /// (lower-cased name, name as typed)
    pub tags: Vec<(String, String)>,
    pub replies_count: i64,
    pub reblogs_count: i64,
    pub favourites_count: i64,
    /// The viewer's own relation to the status.
    pub favourited: bool,
    pub reblogged: bool,
    pub bookmarked: bool,
    pub media: Vec<MediaView>,
    pub poll: Option<PollView>,
    /// The viewer's own status, pinned to their profile.
    pub pinned: bool,
    /// The viewer muted the thread.
    pub muted: bool,
    /// The viewer's `warn` filters this status matches (set by
    /// [`crate::filters::apply`] where a timeline is filtered).
    pub filtered: Vec<crate::filters::FilterResult>,
    /// The status this one quotes, as the viewer may see it.
    pub quote: Option<QuoteView>,
    /// Who may quote this status, and whether the viewer may.
    pub quote_approval: QuoteApproval,
    /// Accepted quotes of this status.
    pub quotes_count: i64,
}

/// Builds views for the statuses the rule kept ([`Visible`]), in order,
/// reusing what it loaded. Rows whose author cannot be loaded are dropped.
pub fn build(conn: &mut DbConn, viewer: Viewer, visible: Visible) -> Result<Vec<StatusView>, DbError> {
    build_at(conn, viewer, visible, false)
}

/// [`build`], for top-level statuses or (`nested`) for statuses shown as
/// quoted by another, whose own quotes are only named (one level deep).
fn build_at(conn: &mut DbConn, viewer: Viewer, visible: Visible, nested: bool) -> Result<Vec<StatusView>, DbError> {
    let Visible { rows, originals, accounts, followed } = visible;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let all: Vec<&StatusRow> = rows.iter().chain(originals.values()).collect();
    let ids: Vec<i64> = all.iter().map(|r| r.id).collect();

    let mut accounts: HashMap<i64, AccountView> =
        accounts.into_iter().map(|(id, row)| (id, AccountView::from(row))).collect();
    // Authors the rule did not load: only for statuses it did not judge
    // (`super::view_of`); none, and no statement, on the read pipeline.
    let unloaded: HashSet<i64> = all.iter().map(|r| r.account_id).filter(|id| !accounts.contains_key(id)).collect();
    let unloaded: Vec<i64> = unloaded.into_iter().collect();
    accounts
        .extend(tertulia_db::accounts::find_many(conn, &unloaded)?.into_iter().map(|a| (a.id, AccountView::from(a))));
    let extras: HashMap<i64, StatusExtras> =
        statuses::extras_among(conn, viewer, &ids)?.into_iter().map(|e| (e.status_id, e)).collect();
    let quotes = Quotes::load(conn, viewer, &extras, followed, nested)?;
    let context = Related { viewer, accounts, extras, quotes };
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let reblog = match row.reblog_of_id {
                Some(original) => Some(Box::new(context.view(originals.get(&original)?.clone())?)),
                None => None,
            };
            let mut view = context.view(row)?;
            // A boost answers for its original: clients read `reblogged`
            // on the outer status to light the boost button (Mastodon
            // does the same after `POST /statuses/:id/reblog`).
            if let Some(original) = &reblog {
                view.reblogged = original.reblogged;
            }
            view.reblog = reblog;
            Some(view)
        })
        .collect())
}

/// What a page of statuses needs besides its rows, loaded once for the page.
struct Related {
    viewer: Viewer,
    accounts: HashMap<i64, AccountView>,
    /// The viewer's marks, the mentions, tags, media, poll and the quote
    /// data, per status.
    extras: HashMap<i64, StatusExtras>,
    quotes: Quotes,
}

/// What the views of a batch need to show quotes beyond
/// [`StatusExtras`]: the quoted statuses the viewer may see, and the
/// authors they follow (who may quote followers-only posts).
struct Quotes {
    viewer: Viewer,
    nested: bool,
    /// Quoted statuses the viewer may see (empty when `nested`: only
    /// their ids are shown).
    visible: HashMap<i64, Option<StatusView>>,
    /// Authors (of the batch) the viewer follows.
    followed: HashSet<i64>,
}

impl Quotes {
    fn load(
        conn: &mut DbConn,
        viewer: Viewer,
        extras: &HashMap<i64, StatusExtras>,
        followed: HashSet<i64>,
        nested: bool,
    ) -> Result<Quotes, DbError> {
        let quoted_ids: Vec<i64> =
            extras.values().filter_map(|e| e.quote.as_ref().and_then(|q| q.quoted_status_id)).collect();
        let quoted = statuses::find_many(conn, &quoted_ids)?;
        let quoted = visibility::visible(conn, viewer, quoted, Mutes::Show)?;
        let visible = if nested {
            quoted.rows.into_iter().map(|q| (q.id, None)).collect()
        } else {
            build_at(conn, viewer, quoted, true)?.into_iter().map(|v| (v.id.0, Some(v))).collect()
        };
        Ok(Quotes { viewer, nested, visible, followed })
    }

    fn quote_of(&self, row: &QuoteRow) -> QuoteView {
        let shown = row.quoted_status_id.and_then(|id| self.visible.get(&id));
        let state = quotes::state_for(row, shown.is_some());
        let accepted = state == "accepted";
        QuoteView {
            state,
            quoted_id: row.quoted_status_id.filter(|_| accepted).map(Id),
            quoted: shown.filter(|_| accepted).and_then(|v| v.clone()).map(Box::new),
            shallow: self.nested,
        }
    }

    fn approval_of(&self, status: &StatusRow, policy: Option<&str>) -> QuoteApproval {
        let policy = QuotePolicy::of(status, policy);
        let follows = self.followed.contains(&status.account_id);
        QuoteApproval { policy, viewer_allowed: quotes::allowed(self.viewer, status, policy, follows) }
    }
}

impl Related {
    fn poll_of(&self, extras: &StatusExtras) -> Option<PollView> {
        let own_votes = self.viewer.map(|_| extras.own_choices.iter().copied().map(i64::from).collect());
        Some(polls::view(extras.poll.clone()?, own_votes))
    }

    fn view(&self, row: StatusRow) -> Option<StatusView> {
        let account = self.accounts.get(&row.account_id)?.clone();
        let extras = self.extras.get(&row.id);
        let mark = |marked: fn(&StatusExtras) -> bool| extras.is_some_and(marked);
        let quote = extras.and_then(|e| e.quote.as_ref()).map(|q| self.quotes.quote_of(q));
        let quote_approval = self.quotes.approval_of(&row, extras.and_then(|e| e.quote_policy.as_deref()));
        let media: Vec<MediaView> =
            extras.map(|e| e.media.iter().cloned().map(MediaView::from).collect()).unwrap_or_default();
        // A sensitized account's media are always behind a warning.
        let sensitive = row.sensitive || (account.sensitized && !media.is_empty());
        Some(StatusView {
            id: Id(row.id),
            url: crate::views::web_page(row.url.as_deref(), &row.uri),
            uri: row.uri,
            account,
            content: row.content,
            text: row.text,
            spoiler_text: row.spoiler_text,
            sensitive,
            visibility: row.visibility,
            language: row.language,
            created_at: row.created_at.and_utc(),
            edited_at: row.edited_at.map(|t| t.and_utc()),
            in_reply_to_id: row.in_reply_to_id.map(Id),
            in_reply_to_account_id: row.in_reply_to_account_id.map(Id),
            reblog: None,
            mentions: extras.map(|e| e.mentions.iter().cloned().map(MentionView::from).collect()).unwrap_or_default(),
            tags: extras.map(|e| e.tags.clone()).unwrap_or_default(),
            replies_count: row.replies_count.into(),
            reblogs_count: row.reblogs_count.into(),
            favourites_count: row.favourites_count.into(),
            favourited: mark(|e| e.favourited),
            reblogged: mark(|e| e.boosted == Some(true)),
            bookmarked: mark(|e| e.bookmarked),
            media,
            poll: extras.and_then(|e| self.poll_of(e)),
            pinned: mark(|e| e.pinned),
            muted: mark(|e| e.thread_muted == Some(true)),
            filtered: Vec::new(),
            quote,
            quote_approval,
            quotes_count: extras.map_or(0, |e| e.accepted_quotes),
        })
    }
}
