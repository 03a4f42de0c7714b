//! Moderating accounts (Mastodon's admin accounts API,
//! docs.joinmastodon.org/methods/admin/accounts): listing them for staff,
//! acting on one (warn, mark sensitive, disable, silence, suspend) and
//! undoing it. Each change, its warning, the warned user's notification
//! and its audit entry are one transaction.
//!
//! The effects are not applied here but where they belong: a suspended
//! account's tokens and sign-in are refused by `oauth`, its statuses and
//! profile vanish through the one read pipeline (`visibility`), a
//! silenced one reaches only its followers (`visibility`), a sensitized
//! one's media show behind a warning (`statuses::view`).

use chrono::{DateTime, Utc};
use tertulia_core::Id;
use tertulia_db::accounts::{self, AccountRow};
use tertulia_db::moderation::{self, WarningRow};
pub use tertulia_db::moderation::{AccountAction, AccountFilter, AccountStatus};
use tertulia_db::notifications::{NotificationKind, NotificationRow};
use tertulia_db::page::Page;
use tertulia_db::users::UserRow;
use tertulia_db::{Db, DbConn, DbError, users};

use crate::audit::{self, Actor, Target};
use crate::events::Event;
use crate::outbox::{self, Outgoing};
use crate::roles::{self, Role};
use crate::sign_in_addresses::{self, SignInAddress};
use crate::{AccountView, Context, DomainError};

/// An account as staff see it (Mastodon's `Admin::Account`).
#[derive(Debug, Clone)]
pub struct ModeratedAccount {
    pub account: AccountView,
    /// The sign-in identity; `None` for accounts of other sites.
    pub user: Option<UserState>,
}

/// What staff see of a local user.
#[derive(Debug, Clone)]
pub struct UserState {
    pub email: String,
    pub role: Role,
    pub approved: bool,
    pub disabled: bool,
    pub locale: String,
    pub created_at: DateTime<Utc>,
    /// Where they signed in from, newest first.
    pub addresses: Vec<SignInAddress>,
}

/// `rows` as staff see them, with the users' sign-in addresses.
pub(crate) fn moderated(
    conn: &mut DbConn,
    rows: Vec<(AccountRow, Option<UserRow>)>,
) -> Result<Vec<ModeratedAccount>, DbError> {
    let user_ids: Vec<i64> = rows.iter().filter_map(|(_, user)| user.as_ref().map(|u| u.id)).collect();
    let addresses = sign_in_addresses::of_users(conn, &user_ids)?;
    Ok(rows
        .into_iter()
        .map(|(account, user)| {
            let user = user.map(|user| {
                let (id, mut state) = (user.id, UserState::from(user));
                state.addresses =
                    addresses.iter().filter(|(owner, _)| *owner == id).map(|(_, address)| address.clone()).collect();
                state
            });
            ModeratedAccount { user, account: account.into() }
        })
        .collect())
}

impl From<UserRow> for UserState {
    fn from(user: UserRow) -> Self {
        UserState {
            email: user.email,
            role: user.role,
            approved: user.approved,
            disabled: user.disabled,
            locale: user.locale,
            created_at: user.created_at.and_utc(),
            addresses: Vec::new(),
        }
    }
}

/// One page of the accounts that match `filter`, newest first.
pub async fn list(db: &Db, filter: AccountFilter, page: Page) -> Result<Vec<ModeratedAccount>, DomainError> {
    Ok(db
        .read(move |conn| {
            let rows = moderation::list(conn, &filter, &page)?;
            moderated(conn, rows)
        })
        .await?)
}

/// One account, suspended or not.
pub async fn get(db: &Db, id: Id) -> Result<ModeratedAccount, DomainError> {
    db.read(move |conn| {
        let found = moderation::find(conn, id.0)?;
        Ok(moderated(conn, found.into_iter().collect())?.pop())
    })
    .await?
    .ok_or_else(|| not_found(id))
}

/// A moderator's action on an account, with the note its owner is shown
/// (Mastodon's AccountWarning).
#[derive(Debug, Clone)]
pub struct ActionRequest {
    pub action: AccountAction,
    pub text: String,
    /// The report this action answers, if any.
    pub report_id: Option<Id>,
    /// Tell the account's owner (Mastodon's `send_email_notification`).
    pub notify: bool,
}

/// A warning as its owner sees it (Mastodon's `AccountWarning`).
#[derive(Debug, Clone)]
pub struct WarningView {
    pub id: Id,
    pub action: AccountAction,
    pub text: String,
    pub target: AccountView,
    pub created_at: DateTime<Utc>,
}

impl WarningView {
    pub(crate) fn new(row: WarningRow, target: AccountView) -> WarningView {
        WarningView { id: Id(row.id), action: row.action, text: row.text, target, created_at: row.created_at.and_utc() }
    }
}

/// Takes `request.action` against account `id` and records the warning.
/// A user of this site is notified of it (`moderation_warning`) when the
/// moderator wrote to them or asked for them to be told, as on Mastodon.
pub async fn act(ctx: &Context, actor: Actor, id: Id, request: ActionRequest) -> Result<ModeratedAccount, DomainError> {
    ctx.committed(move |conn| {
        let (account, user) = load(conn, &actor, id)?;
        let now = tertulia_db::now();
        match request.action {
            AccountAction::None => {}
            AccountAction::Sensitive => moderation::set_sensitized(conn, id.0, Some(now))?,
            AccountAction::Disable if user.is_none() => {
                return Err(DomainError::invalid(
                    "type",
                    "only accounts of this site can be disabled: they sign in here",
                ));
            }
            AccountAction::Disable => moderation::set_disabled(conn, id.0, true)?,
            AccountAction::Silence => moderation::set_silenced(conn, id.0, Some(now))?,
            AccountAction::Suspend => {
                accounts::set_suspended(conn, id.0, Some(now))?;
                // Other sites drop the actor and its posts, as for a
                // deletion; the account stays here, so it can come back.
                if account.domain.is_none() {
                    let inboxes = tertulia_db::actors::remote_contact_inboxes(conn, id.0)?;
                    outbox::record(conn, &Outgoing::AccountDeleted { account: id.0, inboxes })?;
                }
            }
        }
        let tell = user.is_some() && (request.notify || !request.text.trim().is_empty());
        let warning = WarningRow {
            id: Id::generate().0,
            account_id: id.0,
            action: request.action,
            text: request.text,
            report_id: request.report_id.map(|r| r.0),
            created_at: now,
        };
        moderation::insert_warning(conn, &warning)?;
        let events = if tell { vec![notify_warned(conn, &warning)?] } else { Vec::new() };
        let verb = match request.action {
            AccountAction::None => "warn",
            other => other.as_str(),
        };
        audit::record(conn, &actor, verb, &target_of(&account))?;
        Ok((reload(conn, id)?, events))
    })
    .await
}

/// The warned user's `moderation_warning` notification. It comes from
/// their own account, as on Mastodon: the moderator stays unnamed. It
/// bypasses the notification policy, which is about other people.
fn notify_warned(conn: &mut DbConn, warning: &WarningRow) -> Result<Event, DbError> {
    let notification = crate::statuses::new_notification(
        warning.account_id,
        warning.account_id,
        NotificationKind::ModerationWarning,
        None,
        format!("ungrouped-warning-{}", warning.id),
    );
    crate::statuses::deliver_row(conn, NotificationRow { account_warning_id: Some(warning.id), ..notification })
}

/// What can be undone, each the reverse of one action (or of sign-up's
/// wait for approval).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reversal {
    Approve,
    Enable,
    Unsilence,
    Unsuspend,
    Unsensitive,
}

impl Reversal {
    pub const ALL: [Reversal; 5] =
        [Reversal::Approve, Reversal::Enable, Reversal::Unsilence, Reversal::Unsuspend, Reversal::Unsensitive];

    /// The reversal named `verb`, as in the admin API's paths.
    pub fn parse(verb: &str) -> Option<Reversal> {
        Reversal::ALL.into_iter().find(|reversal| reversal.verb() == verb)
    }

    pub fn verb(self) -> &'static str {
        match self {
            Reversal::Approve => "approve",
            Reversal::Enable => "enable",
            Reversal::Unsilence => "unsilence",
            Reversal::Unsuspend => "unsuspend",
            Reversal::Unsensitive => "unsensitive",
        }
    }
}

/// Undoes an action on account `id`. Undoing what was not done changes
/// nothing (and is still logged), as on Mastodon.
pub async fn undo(db: &Db, actor: Actor, id: Id, reversal: Reversal) -> Result<ModeratedAccount, DomainError> {
    db.write(move |conn| {
        let (account, user) = load(conn, &actor, id)?;
        let local_only = || DomainError::invalid("id", format!("{} is not an account of this site", account.username));
        match reversal {
            Reversal::Approve => {
                user.as_ref().ok_or_else(local_only)?;
                moderation::approve(conn, id.0)?;
            }
            Reversal::Enable => {
                user.as_ref().ok_or_else(local_only)?;
                moderation::set_disabled(conn, id.0, false)?;
            }
            Reversal::Unsilence => moderation::set_silenced(conn, id.0, None)?,
            Reversal::Unsensitive => moderation::set_sensitized(conn, id.0, None)?,
            Reversal::Unsuspend => {
                let was_suspended = account.suspended_at.is_some();
                accounts::set_suspended(conn, id.0, None)?;
                // Other sites dropped the actor; its profile brings it back.
                if was_suspended && account.domain.is_none() {
                    outbox::record(conn, &Outgoing::ProfileUpdated { account: id.0 })?;
                }
            }
        }
        audit::record(conn, &actor, reversal.verb(), &target_of(&account))?;
        reload(conn, id)
    })
    .await
}

/// Turns down a sign-up waiting for approval: the user and their account
/// go (Mastodon's `reject`).
pub async fn reject(db: &Db, actor: Actor, id: Id) -> Result<(), DomainError> {
    db.write(move |conn| {
        let (account, user) = load(conn, &actor, id)?;
        if user.is_none_or(|user| user.approved) {
            return Err(DomainError::invalid("id", format!("{} is not waiting for approval", account.username)));
        }
        accounts::delete(conn, id.0)?;
        audit::record(conn, &actor, "reject", &target_of(&account)).map_err(DomainError::from)
    })
    .await
}

/// Deletes a suspended account for good (Mastodon's `DELETE`): asking for
/// a suspension first gives a moderator the time to change their mind.
pub async fn delete(db: &Db, actor: Actor, id: Id) -> Result<(), DomainError> {
    let account = db.read(move |conn| accounts::find(conn, id.0)).await?.ok_or_else(|| not_found(id))?;
    if account.suspended_at.is_none() {
        return Err(DomainError::Forbidden(format!(
            "{} is not suspended: suspend the account first, then delete it",
            account.username
        )));
    }
    match account.domain {
        // A local account leaves a tombstone and tells other sites.
        None => crate::users::delete(db, &account.username).await.map(drop)?,
        Some(_) => db.write(move |conn| accounts::delete(conn, id.0)).await?,
    }
    audit::log(db, &actor, "delete", target_of(&account)).await
}

/// The account with its user, refusing to let staff act on themselves.
fn load(conn: &mut DbConn, actor: &Actor, id: Id) -> Result<(AccountRow, Option<UserRow>), DomainError> {
    let Actor::Staff { account: staff, .. } = actor else {
        // A shell on the server outranks every role.
        return moderation::find(conn, id.0)?.ok_or_else(|| not_found(id));
    };
    if *staff == id {
        return Err(DomainError::Forbidden("staff cannot moderate their own account; ask another admin".into()));
    }
    let (account, user) = moderation::find(conn, id.0)?.ok_or_else(|| not_found(id))?;
    if let Some(target) = &user {
        let own = users::find_by_accounts(conn, &[staff.0])?.first().map_or(Role::User, |me| me.role);
        if !roles::outranks(own, target.role) {
            return Err(DomainError::Forbidden(format!(
                "@{} is {} here, which a {own} cannot act on; ask someone of a higher role",
                account.username, target.role
            )));
        }
    }
    Ok((account, user))
}

fn reload(conn: &mut DbConn, id: Id) -> Result<ModeratedAccount, DomainError> {
    let found = moderation::find(conn, id.0)?.ok_or(DbError::NotFound)?;
    moderated(conn, vec![found])?.pop().ok_or(DomainError::from(DbError::NotFound))
}

fn target_of(account: &AccountRow) -> Target {
    let handle = match &account.domain {
        Some(domain) => format!("@{}@{domain}", account.username),
        None => format!("@{}", account.username),
    };
    Target::new("account", account.id, handle)
}

fn not_found(id: Id) -> DomainError {
    DomainError::NotFound(format!("account {id}"))
}
