//! The expected rule: who may see one status, as a pure function of the
//! situation, written from Mastodon's documented semantics
//! (docs.joinmastodon.org: the Status entity's `visibility`, blocks, mutes)
//! and Tertulia's own documents (docs/api.md for site-only posts,
//! `crates/domain/src/visibility.rs` and `timelines.rs` for the choices
//! Tertulia makes where Mastodon leaves room). Nothing here reads the
//! database or calls the code under test.
//!
//! Where Tertulia is deliberately stricter than Mastodon, the model says so:
//! - a block hides a status from both sides everywhere, also on a direct
//!   link (Mastodon still shows a blocked author's post on its own page);
//! - an account's profile shows followers-only posts to followers only and
//!   direct messages to their author only (Mastodon also lists posts that
//!   mention the viewer there);
//! - private and direct posts also reach the home timeline of the accounts
//!   they mention (Mastodon: of those mentioned who follow the author).

use tertulia_core::visibility::Visibility;

/// Where the author's account lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    Here,
    Elsewhere,
}

/// The reader's follow of the author, set up before the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Follow {
    None,
    Following,
    /// Asked, not yet accepted (a locked local author, or a remote one
    /// whose site has not answered).
    Requested,
}

/// A block between the reader and the author, made after the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    None,
    ReaderBlocksAuthor,
    AuthorBlocksReader,
}

/// The reader's mute of the author, made after the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mute {
    None,
    /// Statuses hidden from timelines, notifications still shown.
    KeepNotifications,
    /// Statuses and notifications hidden (Mastodon's default).
    HideNotifications,
}

/// Who is looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Not signed in.
    Anonymous,
    /// A signed-in user of this site with no tie to the author.
    Bystander,
    /// A signed-in user of this site with the ties the case describes.
    Reader,
    /// The author, when a user of this site who can sign in.
    Author,
}

/// One combination of the matrix: a status and how the reader relates to
/// its author.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    pub visibility: Visibility,
    pub site: Site,
    pub follow: Follow,
    pub block: Block,
    pub mute: Mute,
    /// The status mentions the reader.
    pub mentions_reader: bool,
    /// The author is suspended after posting.
    pub author_suspended: bool,
}

impl Case {
    /// The viewers the case can be seen by: a suspended user cannot sign
    /// in, and a remote author has no session here.
    pub fn viewers(&self) -> Vec<Viewer> {
        let mut viewers = vec![Viewer::Anonymous, Viewer::Bystander, Viewer::Reader];
        if self.site == Site::Here && !self.author_suspended {
            viewers.push(Viewer::Author);
        }
        viewers
    }

    /// A block ends follows both ways, so only an unblocked follow counts.
    fn reader_follows(&self) -> bool {
        self.follow == Follow::Following && self.block == Block::None
    }

    fn muted_for(&self, viewer: Viewer) -> bool {
        viewer == Viewer::Reader && self.mute != Mute::None
    }

    /// Whether the status can be boosted: only statuses everyone here may
    /// already read (Mastodon: public and unlisted; Tertulia adds site-only).
    pub fn boostable(&self) -> bool {
        matches!(self.visibility, Visibility::Public | Visibility::Unlisted | Visibility::Local)
    }

    /// Whether the author can pin it: their own statuses, not direct ones.
    pub fn pinnable(&self) -> bool {
        self.site == Site::Here && self.visibility != Visibility::Direct
    }

    /// The reader's access before blocks and suspension: what decides
    /// whether they could favourite, bookmark or list it back then.
    pub fn reader_could_open_at_first(&self) -> bool {
        match self.visibility {
            Visibility::Public | Visibility::Unlisted | Visibility::Local => true,
            Visibility::Private => self.follow == Follow::Following || self.mentions_reader,
            Visibility::Direct => self.mentions_reader,
        }
    }

    /// Whether `viewer` may open the status at all: its own page, a thread,
    /// search, anything that shows one status on request.
    pub fn may_open(&self, viewer: Viewer) -> bool {
        if self.author_suspended {
            return false;
        }
        match viewer {
            Viewer::Author => true,
            Viewer::Anonymous => matches!(self.visibility, Visibility::Public | Visibility::Unlisted),
            Viewer::Bystander => {
                matches!(self.visibility, Visibility::Public | Visibility::Unlisted | Visibility::Local)
            }
            Viewer::Reader => {
                self.block == Block::None
                    && match self.visibility {
                        Visibility::Public | Visibility::Unlisted | Visibility::Local => true,
                        Visibility::Private => self.reader_follows() || self.mentions_reader,
                        Visibility::Direct => self.mentions_reader,
                    }
            }
        }
    }

    /// The author's public reply to their own status (the thread's second
    /// post): hidden only by suspension and blocks.
    pub fn may_open_reply(&self, viewer: Viewer) -> bool {
        let blocked = viewer == Viewer::Reader && self.block != Block::None;
        !self.author_suspended && !blocked
    }

    /// A boost by an account the reader follows, which nobody blocks or
    /// mutes: it shows exactly when the boosted status does.
    pub fn may_open_boost(&self, viewer: Viewer) -> bool {
        self.boostable() && self.may_open(viewer)
    }

    /// Home timeline: the author's own posts; the posts of followed
    /// accounts except direct messages; private and direct posts that
    /// mention the reader. Mutes hide.
    pub fn in_home(&self, viewer: Viewer) -> bool {
        let delivered = match viewer {
            Viewer::Author => true,
            Viewer::Reader => {
                (self.reader_follows() && self.visibility != Visibility::Direct)
                    || (self.mentions_reader && matches!(self.visibility, Visibility::Private | Visibility::Direct))
            }
            Viewer::Anonymous | Viewer::Bystander => false,
        };
        delivered && self.may_open(viewer) && !self.muted_for(viewer)
    }

    /// The boost in the reader's home timeline (they follow the booster),
    /// unless the status itself was delivered there first: as on
    /// Mastodon, a boost of a status already among the newest home entries
    /// is not added again.
    pub fn boost_in_home(&self) -> bool {
        self.may_open_boost(Viewer::Reader) && !self.muted_for(Viewer::Reader) && self.follow != Follow::Following
    }

    /// Public timelines (all, this site's, other sites'): public posts, and
    /// site-only ones for signed-in users of this site. Mutes hide.
    pub fn in_public_timeline(&self, viewer: Viewer, this_site_only: Option<bool>) -> bool {
        let listed = match self.visibility {
            Visibility::Public => true,
            Visibility::Local => viewer != Viewer::Anonymous,
            Visibility::Unlisted | Visibility::Private | Visibility::Direct => false,
        };
        let from_wanted_site = this_site_only.is_none_or(|here| here == (self.site == Site::Here));
        listed && from_wanted_site && self.may_open(viewer) && !self.muted_for(viewer)
    }

    /// Hashtag timelines follow the public timelines' rule (Mastodon leaves
    /// unlisted posts out of both).
    pub fn in_hashtag_timeline(&self, viewer: Viewer) -> bool {
        self.in_public_timeline(viewer, None)
    }

    /// The author's profile: public and unlisted posts; site-only posts for
    /// signed-in users; followers-only posts for followers; direct messages
    /// for their author only. Mutes do not hide (a profile is visited on
    /// purpose).
    pub fn on_profile(&self, viewer: Viewer) -> bool {
        let listed = match self.visibility {
            Visibility::Public | Visibility::Unlisted => true,
            Visibility::Local => viewer != Viewer::Anonymous,
            Visibility::Private => viewer == Viewer::Author || (viewer == Viewer::Reader && self.reader_follows()),
            Visibility::Direct => viewer == Viewer::Author,
        };
        listed && self.may_open(viewer)
    }

    /// Status search is for signed-in users and finds what they may open.
    pub fn in_search(&self, viewer: Viewer) -> bool {
        viewer != Viewer::Anonymous && self.may_open(viewer)
    }

    /// Trending statuses: public ones with favourites or boosts (the
    /// reader favourites every public status here). Mutes hide, as on
    /// Mastodon.
    pub fn in_trends(&self, viewer: Viewer) -> bool {
        self.visibility == Visibility::Public && self.may_open(viewer) && !self.muted_for(viewer)
    }

    /// The reader's list holding the author (made while following): the
    /// author's posts except direct ones, with the home timeline's mutes.
    pub fn in_reader_list(&self) -> bool {
        self.follow == Follow::Following
            && self.visibility != Visibility::Direct
            && self.may_open(Viewer::Reader)
            && !self.muted_for(Viewer::Reader)
    }

    /// The reader's mention notification: hidden by blocks and by mutes
    /// that hide notifications.
    pub fn reader_notified_of_mention(&self) -> bool {
        self.mentions_reader && self.may_open(Viewer::Reader) && self.mute != Mute::HideNotifications
    }

    /// The author's notification of the reader's favourite (made before
    /// any block): hidden by a block either way.
    pub fn author_notified_of_favourite(&self) -> bool {
        self.reader_could_open_at_first() && self.block == Block::None
    }

    /// The direct-message thread list shows the status to its participants
    /// who may open it.
    pub fn in_conversations(&self, viewer: Viewer) -> bool {
        let participant = match viewer {
            Viewer::Author => true,
            Viewer::Reader => self.mentions_reader,
            Viewer::Anonymous | Viewer::Bystander => false,
        };
        self.visibility == Visibility::Direct && participant && self.may_open(viewer)
    }

    /// The author's pinned statuses, as `viewer` sees them.
    pub fn in_pinned(&self, viewer: Viewer) -> bool {
        self.pinnable() && self.may_open(viewer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(visibility: Visibility) -> Case {
        Case {
            visibility,
            site: Site::Here,
            follow: Follow::None,
            block: Block::None,
            mute: Mute::None,
            mentions_reader: false,
            author_suspended: false,
        }
    }

    #[test]
    fn the_model_agrees_with_the_documented_table() {
        // (visibility, anonymous, signed in, follower, mentioned)
        let table = [
            (Visibility::Public, true, true, true, true),
            (Visibility::Unlisted, true, true, true, true),
            (Visibility::Local, false, true, true, true),
            (Visibility::Private, false, false, true, true),
            (Visibility::Direct, false, false, false, true),
        ];
        for (visibility, anonymous, signed_in, follower, mentioned) in table {
            let plain = case(visibility);
            assert_eq!(plain.may_open(Viewer::Anonymous), anonymous, "{visibility} anonymous");
            assert_eq!(plain.may_open(Viewer::Reader), signed_in, "{visibility} signed in");
            let followed = Case { follow: Follow::Following, ..plain };
            assert_eq!(followed.may_open(Viewer::Reader), follower, "{visibility} follower");
            let mentioning = Case { mentions_reader: true, ..plain };
            assert_eq!(mentioning.may_open(Viewer::Reader), mentioned, "{visibility} mentioned");
            let blocked = Case { block: Block::AuthorBlocksReader, ..mentioning };
            assert!(!blocked.may_open(Viewer::Reader), "{visibility} blocked");
            let suspended = Case { author_suspended: true, ..plain };
            assert!(!suspended.may_open(Viewer::Author), "{visibility} suspended");
        }
    }
}
