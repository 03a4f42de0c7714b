//! Lists: named groups of followed accounts, each with its own timeline.
//! A list belongs to one user; to anyone else it does not exist.

use tertulia_core::Id;
pub use tertulia_db::lists::RepliesPolicy;
use tertulia_db::lists::{self, ListRow};
use tertulia_db::page::Page;
use tertulia_db::statuses::StatusRow;
use tertulia_db::{Db, DbConn, DbError, accounts, social};

use crate::present::{self, Reading};
use crate::statuses::StatusView;
use crate::{AccountView, DomainError};

const MAX_TITLE_CHARS: usize = 200;

#[derive(Debug, Clone)]
pub struct ListView {
    pub id: Id,
    pub title: String,
    pub replies_policy: RepliesPolicy,
    pub exclusive: bool,
}

impl From<ListRow> for ListView {
    fn from(row: ListRow) -> Self {
        ListView { id: Id(row.id), title: row.title, replies_policy: row.replies_policy, exclusive: row.exclusive }
    }
}

/// Fields of a list to set; `None` keeps the current value (or the
/// default, for a new list).
#[derive(Debug, Clone, Default)]
pub struct ListChanges {
    pub title: Option<String>,
    pub replies_policy: Option<String>,
    pub exclusive: Option<bool>,
}

fn not_found() -> DomainError {
    DomainError::NotFound("list".into())
}

/// Runs `work` in a transaction on `owner`'s list `id`; not found if the
/// list is someone else's or does not exist.
async fn with_list<T: Send + 'static>(
    db: &Db,
    owner: Id,
    id: Id,
    work: impl FnOnce(&mut DbConn, ListRow) -> Result<T, DomainError> + Send + 'static,
) -> Result<T, DomainError> {
    db.run(move |conn| {
        tertulia_db::transaction(conn, |conn| match lists::find(conn, owner.0, id.0)? {
            Some(list) => work(conn, list),
            None => Err(not_found()),
        })
    })
    .await
}

fn apply_changes(list: &mut ListRow, changes: ListChanges) -> Result<(), DomainError> {
    if let Some(title) = changes.title {
        let title = title.trim().to_owned();
        if title.is_empty() {
            return Err(DomainError::blank("title"));
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(DomainError::too_long("title", MAX_TITLE_CHARS));
        }
        list.title = title;
    }
    if let Some(policy) = changes.replies_policy.filter(|p| !p.is_empty()) {
        list.replies_policy = policy.parse().map_err(|unknown| DomainError::not_one_of("replies_policy", unknown))?;
    }
    if let Some(exclusive) = changes.exclusive {
        list.exclusive = exclusive;
    }
    Ok(())
}

pub async fn all(db: &Db, owner: Id) -> Result<Vec<ListView>, DomainError> {
    Ok(db.run(move |conn| lists::of_owner(conn, owner.0)).await?.into_iter().map(ListView::from).collect())
}

pub async fn get(db: &Db, owner: Id, id: Id) -> Result<ListView, DomainError> {
    with_list(db, owner, id, |_, list| Ok(list.into())).await
}

pub async fn create(db: &Db, owner: Id, changes: ListChanges) -> Result<ListView, DomainError> {
    if changes.title.is_none() {
        return Err(DomainError::blank("title"));
    }
    let mut list = ListRow {
        id: Id::generate().0,
        account_id: owner.0,
        title: String::new(),
        replies_policy: RepliesPolicy::List,
        exclusive: false,
        created_at: tertulia_db::now(),
    };
    apply_changes(&mut list, changes)?;
    let row = list.clone();
    db.write(move |conn| lists::insert(conn, &row)).await?;
    Ok(list.into())
}

pub async fn update(db: &Db, owner: Id, id: Id, changes: ListChanges) -> Result<ListView, DomainError> {
    with_list(db, owner, id, move |conn, mut list| {
        apply_changes(&mut list, changes)?;
        lists::update(conn, &list)?;
        Ok(list.into())
    })
    .await
}

pub async fn delete(db: &Db, owner: Id, id: Id) -> Result<(), DomainError> {
    with_list(db, owner, id, |conn, list| Ok(lists::delete(conn, list.id)?)).await
}

pub async fn members(db: &Db, owner: Id, id: Id, page: Page) -> Result<Vec<AccountView>, DomainError> {
    with_list(db, owner, id, move |conn, list| {
        Ok(lists::members(conn, list.id, page)?.into_iter().map(AccountView::from).collect())
    })
    .await
}

/// Adds accounts to the list. As on Mastodon, only accounts the owner
/// follows may be added.
pub async fn add_members(db: &Db, owner: Id, id: Id, account_ids: Vec<Id>) -> Result<(), DomainError> {
    with_list(db, owner, id, move |conn, list| {
        let ids: Vec<i64> = account_ids.iter().map(|a| a.0).collect();
        let known: Vec<i64> = accounts::find_many(conn, &ids)?.into_iter().map(|a| a.id).collect();
        if let Some(unknown) = ids.iter().find(|id| !known.contains(id)) {
            return Err(DomainError::NotFound(format!("account {unknown}")));
        }
        let followed: Vec<i64> =
            social::following_among(conn, owner.0, &ids)?.into_iter().map(|f| f.target_account_id).collect();
        if ids.iter().any(|id| !followed.contains(id)) {
            return Err(DomainError::invalid("account_ids", "you can only add accounts you follow to a list"));
        }
        lists::add_members(conn, list.id, &ids)?;
        Ok(())
    })
    .await
}

pub async fn remove_members(db: &Db, owner: Id, id: Id, account_ids: Vec<Id>) -> Result<(), DomainError> {
    with_list(db, owner, id, move |conn, list| {
        let ids: Vec<i64> = account_ids.iter().map(|a| a.0).collect();
        Ok(lists::remove_members(conn, list.id, &ids)?)
    })
    .await
}

/// `owner`'s lists that include `account`.
pub async fn containing(db: &Db, owner: Id, account: Id) -> Result<Vec<ListView>, DomainError> {
    Ok(db.run(move |conn| lists::containing(conn, owner.0, account.0)).await?.into_iter().map(ListView::from).collect())
}

/// The list's timeline: statuses by its members that the owner may see,
/// newest first, with the owner's home filters applied.
pub async fn timeline(db: &Db, owner: Id, id: Id, page: Page) -> Result<Vec<StatusView>, DomainError> {
    with_list(db, owner, id, move |conn, list| {
        let rows = timeline_rows(conn, owner, &list, page)?;
        Ok(present::statuses(conn, Some(owner.0), rows, Reading::Home)?)
    })
    .await
}

/// Whether the list's timeline takes `status` (for the `list` stream): the
/// timeline's own query, asked for that one status. Whether the owner may
/// see it is decided when the stream presents it.
pub async fn shows(db: &Db, owner: Id, id: Id, status: Id) -> Result<bool, DomainError> {
    let just_this = Page { max_id: Some(status.0 + 1), since_id: Some(status.0 - 1), min_id: None, limit: 1 };
    with_list(db, owner, id, move |conn, list| Ok(!timeline_rows(conn, owner, &list, just_this)?.is_empty())).await
}

/// Whether `account` is on the list (a deleted status can no longer be
/// looked up; its author decides whether the `list` stream hears of it).
pub async fn includes(db: &Db, owner: Id, id: Id, account: Id) -> Result<bool, DomainError> {
    with_list(db, owner, id, move |conn, list| Ok(lists::member_ids(conn, list.id)?.contains(&account.0))).await
}

/// The rows of a list timeline: its members' statuses, without replies to
/// people outside the replies policy's circle. What the owner may see of
/// them is the read pipeline's to decide ([`present`]).
fn timeline_rows(conn: &mut DbConn, owner: Id, list: &ListRow, page: Page) -> Result<Vec<StatusRow>, DbError> {
    let members = lists::member_ids(conn, list.id)?;
    if members.is_empty() {
        return Ok(Vec::new());
    }
    let reply_targets = match list.replies_policy {
        RepliesPolicy::None => Vec::new(),
        RepliesPolicy::List => members.clone(),
        RepliesPolicy::Followed => {
            let mut followed = social::following_ids(conn, owner.0)?;
            followed.push(owner.0);
            followed
        }
    };
    lists::statuses_by(conn, &members, &reply_targets, page)
}
