//! Statuses shaped for display, loaded in batches: one query per kind of
//! related data for a whole page, never one per status.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use tertulia_core::Id;
use tertulia_core::visibility::Visibility;
use tertulia_db::statuses::{self, StatusRow};
use tertulia_db::{DbConn, DbError, accounts, conversations, pins, social};

use crate::AccountView;
use crate::media::MediaView;
use crate::polls::{self, PollView};
use crate::quotes::{self, QuoteApproval, QuotePolicy, QuoteView};
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
    pub mentions: Vec<AccountView>,
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
    let Visible { rows, originals, accounts: known_accounts, mentions } = visible;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let all: Vec<&StatusRow> = rows.iter().chain(originals.values()).collect();
    let ids: Vec<i64> = all.iter().map(|r| r.id).collect();

    let mentions = match mentions {
        Some(mentions) => mentions,
        None => statuses::mentions_of(conn, &ids)?,
    };
    let mut accounts: HashMap<i64, AccountView> =
        known_accounts.into_iter().map(|(id, row)| (id, AccountView::from(row))).collect();
    let missing: HashSet<i64> = all
        .iter()
        .map(|r| r.account_id)
        .chain(mentions.iter().map(|(_, account)| *account))
        .filter(|id| !accounts.contains_key(id))
        .collect();
    accounts.extend(
        accounts::find_many(conn, &missing.into_iter().collect::<Vec<_>>())?
            .into_iter()
            .map(|a| (a.id, AccountView::from(a))),
    );
    let mut tags: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for (status_id, tag) in statuses::tags_of(conn, &ids)? {
        tags.entry(status_id).or_default().push((tag.name, tag.display_name));
    }
    let mut media: HashMap<i64, Vec<MediaView>> = HashMap::new();
    for row in tertulia_db::media::of_statuses(conn, &ids)? {
        media.entry(row.status_id.unwrap_or_default()).or_default().push(MediaView::from(row));
    }
    let polls = polls::views_of(conn, viewer, &ids)?;
    let (mut favourited, mut bookmarked, mut reblogged) = (HashSet::new(), HashSet::new(), HashSet::new());
    if let Some(viewer) = viewer {
        for marks in statuses::marks_among(conn, viewer, &ids)? {
            let boosted = marks.boosted == Some(true);
            for (marked, set) in
                [(marks.favourited, &mut favourited), (marks.bookmarked, &mut bookmarked), (boosted, &mut reblogged)]
            {
                if marked {
                    set.insert(marks.status_id);
                }
            }
        }
    }
    let (pinned, muted_threads): (HashSet<i64>, HashSet<i64>) = match viewer {
        Some(viewer) => {
            let own: Vec<i64> = all.iter().filter(|r| r.account_id == viewer).map(|r| r.id).collect();
            let threads: Vec<i64> = all.iter().filter_map(|r| r.conversation_id).collect();
            let pinned = if own.is_empty() { Vec::new() } else { pins::pinned_among(conn, &own)? };
            let muted =
                if threads.is_empty() { Vec::new() } else { conversations::muted_among(conn, viewer, &threads)? };
            (pinned.into_iter().collect(), muted.into_iter().collect())
        }
        None => Default::default(),
    };
    let quotes = Quotes::load(conn, viewer, &all, nested)?;
    let context = Related {
        accounts,
        mentions,
        tags,
        media,
        polls,
        favourited,
        bookmarked,
        reblogged,
        pinned,
        muted_threads,
        quotes,
    };
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
    accounts: HashMap<i64, AccountView>,
    mentions: Vec<(i64, i64)>,
    tags: HashMap<i64, Vec<(String, String)>>,
    media: HashMap<i64, Vec<MediaView>>,
    polls: HashMap<i64, PollView>,
    favourited: HashSet<i64>,
    bookmarked: HashSet<i64>,
    reblogged: HashSet<i64>,
    /// The viewer's own statuses they pinned.
    pinned: HashSet<i64>,
    muted_threads: HashSet<i64>,
    quotes: Quotes,
}

/// What the views of a batch need to show quotes: each status's quote and
/// policy, the quoted statuses the viewer may see, counts of quotes.
struct Quotes {
    viewer: Viewer,
    nested: bool,
    rows: HashMap<i64, QuoteRow>,
    /// Quoted statuses the viewer may see (empty when `nested`: only
    /// their ids are shown).
    visible: HashMap<i64, Option<StatusView>>,
    policies: HashMap<i64, String>,
    counts: HashMap<i64, i64>,
    /// Authors (of the batch) the viewer follows.
    followed: HashSet<i64>,
}

impl Quotes {
    fn load(conn: &mut DbConn, viewer: Viewer, all: &[&StatusRow], nested: bool) -> Result<Quotes, DbError> {
        let ids: Vec<i64> = all.iter().map(|r| r.id).collect();
        let rows: HashMap<i64, QuoteRow> =
            tertulia_db::quotes::of_statuses(conn, &ids)?.into_iter().map(|q| (q.status_id, q)).collect();
        let quoted_ids: Vec<i64> = rows.values().filter_map(|q| q.quoted_status_id).collect();
        let quoted = statuses::find_many(conn, &quoted_ids)?;
        let quoted = visibility::visible(conn, viewer, quoted, Mutes::Show)?;
        let visible = if nested {
            quoted.rows.into_iter().map(|q| (q.id, None)).collect()
        } else {
            build_at(conn, viewer, quoted, true)?.into_iter().map(|v| (v.id.0, Some(v))).collect()
        };
        let policies = tertulia_db::quotes::policies_of(conn, &ids)?.into_iter().collect();
        let counts = tertulia_db::quotes::accepted_counts(conn, &ids)?.into_iter().collect();
        let followed = match viewer {
            Some(viewer) => {
                let authors: Vec<i64> = all.iter().map(|r| r.account_id).collect();
                social::following_among(conn, viewer, &authors)?.into_iter().map(|f| f.target_account_id).collect()
            }
            None => HashSet::new(),
        };
        Ok(Quotes { viewer, nested, rows, visible, policies, counts, followed })
    }

    fn quote_of(&self, status: i64) -> Option<QuoteView> {
        let row = self.rows.get(&status)?;
        let shown = row.quoted_status_id.and_then(|id| self.visible.get(&id));
        let state = quotes::state_for(row, shown.is_some());
        let accepted = state == "accepted";
        Some(QuoteView {
            state,
            quoted_id: row.quoted_status_id.filter(|_| accepted).map(Id),
            quoted: shown.filter(|_| accepted).and_then(|v| v.clone()).map(Box::new),
            shallow: self.nested,
        })
    }

    fn approval_of(&self, status: &StatusRow) -> QuoteApproval {
        let policy = QuotePolicy::of(status, self.policies.get(&status.id).map(String::as_str));
        let follows = self.followed.contains(&status.account_id);
        QuoteApproval { policy, viewer_allowed: quotes::allowed(self.viewer, status, policy, follows) }
    }
}

impl Related {
    fn view(&self, row: StatusRow) -> Option<StatusView> {
        let account = self.accounts.get(&row.account_id)?.clone();
        let mentions = self
            .mentions
            .iter()
            .filter(|(status, _)| *status == row.id)
            .filter_map(|(_, account)| self.accounts.get(account).cloned())
            .collect();
        let quote = self.quotes.quote_of(row.id);
        let quote_approval = self.quotes.approval_of(&row);
        let quotes_count = self.quotes.counts.get(&row.id).copied().unwrap_or(0);
        Some(StatusView {
            id: Id(row.id),
            url: crate::views::web_page(row.url.as_deref(), &row.uri),
            uri: row.uri,
            account,
            content: row.content,
            text: row.text,
            spoiler_text: row.spoiler_text,
            sensitive: row.sensitive,
            visibility: row.visibility,
            language: row.language,
            created_at: row.created_at.and_utc(),
            edited_at: row.edited_at.map(|t| t.and_utc()),
            in_reply_to_id: row.in_reply_to_id.map(Id),
            in_reply_to_account_id: row.in_reply_to_account_id.map(Id),
            reblog: None,
            mentions,
            tags: self.tags.get(&row.id).cloned().unwrap_or_default(),
            replies_count: row.replies_count.into(),
            reblogs_count: row.reblogs_count.into(),
            favourites_count: row.favourites_count.into(),
            favourited: self.favourited.contains(&row.id),
            reblogged: self.reblogged.contains(&row.id),
            bookmarked: self.bookmarked.contains(&row.id),
            media: self.media.get(&row.id).cloned().unwrap_or_default(),
            poll: self.polls.get(&row.id).cloned(),
            pinned: self.pinned.contains(&row.id),
            muted: row.conversation_id.is_some_and(|thread| self.muted_threads.contains(&thread)),
            filtered: Vec::new(),
            quote,
            quote_approval,
            quotes_count,
        })
    }
}
