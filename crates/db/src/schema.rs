//! The single Diesel schema for both backends (SQLite and PostgreSQL).
//!
//! Hand-written, not generated: it must match `migrations/sqlite/` and
//! `migrations/postgres/` alike (column order and nullability included), so it
//! only uses SQL types both engines share: `BigInt`, `Integer`, `Text`, `Bool`,
//! `Timestamp` and `Nullable<_>` of those. JSON documents are `Text`.
//! Timestamps are UTC. Ids are application-generated snowflakes.

diesel::table! {
    /// Remote and local sites known to us.
    instances (id) {
        id -> BigInt,
        domain -> Text,
        software -> Nullable<Text>,
        software_version -> Nullable<Text>,
        shared_inbox_url -> Nullable<Text>,
        first_seen_at -> Timestamp,
        last_success_at -> Nullable<Timestamp>,
        last_failure_at -> Nullable<Timestamp>,
        unreachable_since -> Nullable<Timestamp>,
        failure_count -> Integer,
    }
}

diesel::table! {
    /// Local and remote actors.
    accounts (id) {
        id -> BigInt,
        username -> Text,
        /// `None` for local accounts.
        domain -> Nullable<Text>,
        display_name -> Text,
        /// Sanitized HTML.
        note -> Text,
        /// Plain text as typed.
        note_source -> Text,
        /// ActivityPub actor id.
        uri -> Text,
        /// Profile page.
        url -> Nullable<Text>,
        inbox_url -> Text,
        shared_inbox_url -> Nullable<Text>,
        outbox_url -> Nullable<Text>,
        followers_url -> Nullable<Text>,
        following_url -> Nullable<Text>,
        featured_url -> Nullable<Text>,
        public_key_pem -> Text,
        private_key_pem -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        /// Not a foreign key (would be a cycle with `media_attachments`).
        avatar_media_id -> Nullable<BigInt>,
        header_url -> Nullable<Text>,
        /// Not a foreign key (would be a cycle with `media_attachments`).
        header_media_id -> Nullable<BigInt>,
        locked -> Bool,
        bot -> Bool,
        discoverable -> Bool,
        indexable -> Bool,
        hide_collections -> Bool,
        /// JSON array of `{name, value, verified_at}`.
        fields -> Text,
        /// JSON `{name, country, region, time_zone, default_language}` a
        /// remote actor publishes; `None` for local accounts (`[site]`).
        site -> Nullable<Text>,
        /// JSON array of actor URIs.
        also_known_as -> Text,
        moved_to_account_id -> Nullable<BigInt>,
        actor_type -> Text,
        suspended_at -> Nullable<Timestamp>,
        silenced_at -> Nullable<Timestamp>,
        followers_count -> Integer,
        following_count -> Integer,
        statuses_count -> Integer,
        last_status_at -> Nullable<Timestamp>,
        fetched_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        /// The keyId remote servers sign with; `None` for local accounts.
        public_key_id -> Nullable<Text>,
        show_featured -> Bool,
        show_media -> Bool,
        show_media_replies -> Bool,
        /// JSON array of domain names.
        attribution_domains -> Text,
        /// A moderator marked all its media sensitive.
        sensitized_at -> Nullable<Timestamp>,
        /// Recognitions received (rows of `kudos`), kept by the domain.
        kudos_count -> Integer,
    }
}

diesel::table! {
    /// Local sign-in identities.
    users (id) {
        id -> BigInt,
        account_id -> BigInt,
        email -> Text,
        /// Argon2 PHC string.
        password_hash -> Text,
        /// `user` | `moderator` | `admin`.
        role -> Text,
        approved -> Bool,
        confirmed_at -> Nullable<Timestamp>,
        locale -> Text,
        /// JSON object.
        settings -> Text,
        last_sign_in_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        /// A moderator disabled sign-in.
        disabled -> Bool,
    }
}

diesel::table! {
    oauth_applications (id) {
        id -> BigInt,
        name -> Text,
        website -> Nullable<Text>,
        /// Newline separated.
        redirect_uris -> Text,
        /// Space separated.
        scopes -> Text,
        client_id -> Text,
        client_secret_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    oauth_access_tokens (id) {
        id -> BigInt,
        /// SHA-256 hex of the token; the token itself is never stored.
        token_hash -> Text,
        refresh_token_hash -> Nullable<Text>,
        application_id -> Nullable<BigInt>,
        /// `None` for client_credentials tokens.
        user_id -> Nullable<BigInt>,
        scopes -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    oauth_authorization_codes (id) {
        id -> BigInt,
        code_hash -> Text,
        application_id -> BigInt,
        user_id -> BigInt,
        redirect_uri -> Text,
        scopes -> Text,
        code_challenge -> Nullable<Text>,
        code_challenge_method -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    conversations (id) {
        id -> BigInt,
        uri -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    statuses (id) {
        id -> BigInt,
        uri -> Text,
        url -> Nullable<Text>,
        account_id -> BigInt,
        in_reply_to_id -> Nullable<BigInt>,
        in_reply_to_account_id -> Nullable<BigInt>,
        reblog_of_id -> Nullable<BigInt>,
        conversation_id -> Nullable<BigInt>,
        /// `public` | `unlisted` | `private` | `direct` | `local`.
        visibility -> Text,
        /// Authored on this instance.
        local -> Bool,
        /// Source as typed.
        text -> Text,
        /// Sanitized HTML.
        content -> Text,
        spoiler_text -> Text,
        sensitive -> Bool,
        language -> Nullable<Text>,
        application_id -> Nullable<BigInt>,
        replies_count -> Integer,
        reblogs_count -> Integer,
        favourites_count -> Integer,
        created_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Edit history of statuses.
    status_edits (id) {
        id -> BigInt,
        status_id -> BigInt,
        account_id -> BigInt,
        text -> Text,
        content -> Text,
        spoiler_text -> Text,
        sensitive -> Bool,
        /// JSON snapshot.
        media_attachments -> Text,
        /// JSON.
        poll_options -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mentions (id) {
        id -> BigInt,
        status_id -> BigInt,
        account_id -> BigInt,
        silent -> Bool,
    }
}

diesel::table! {
    tags (id) {
        id -> BigInt,
        /// Lower-cased.
        name -> Text,
        display_name -> Text,
        usable -> Bool,
        trendable -> Bool,
        last_status_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        /// When a moderator approved or rejected it as a trend (`trendable`).
        reviewed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    status_tags (status_id, tag_id) {
        status_id -> BigInt,
        tag_id -> BigInt,
    }
}

diesel::table! {
    tag_follows (id) {
        id -> BigInt,
        account_id -> BigInt,
        tag_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    favourites (id) {
        id -> BigInt,
        account_id -> BigInt,
        status_id -> BigInt,
        uri -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    bookmarks (id) {
        id -> BigInt,
        account_id -> BigInt,
        status_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Quote posts: the quoting status, what it quotes, and the consent.
    quotes (status_id) {
        status_id -> BigInt,
        quoted_status_id -> Nullable<BigInt>,
        quoted_uri -> Text,
        quoted_account_id -> Nullable<BigInt>,
        /// `pending` | `accepted` | `rejected` | `revoked`.
        state -> Text,
        authorization_uri -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Who may quote a status: `public` | `followers` | `nobody`.
    quote_policies (status_id) {
        status_id -> BigInt,
        policy -> Text,
    }
}

diesel::table! {
    status_pins (id) {
        id -> BigInt,
        account_id -> BigInt,
        status_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    conversation_mutes (id) {
        id -> BigInt,
        account_id -> BigInt,
        conversation_id -> BigInt,
    }
}

diesel::table! {
    /// `account_id` follows `target_account_id`.
    follows (id) {
        id -> BigInt,
        account_id -> BigInt,
        target_account_id -> BigInt,
        show_reblogs -> Bool,
        notify -> Bool,
        languages -> Nullable<Text>,
        uri -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    follow_requests (id) {
        id -> BigInt,
        account_id -> BigInt,
        target_account_id -> BigInt,
        show_reblogs -> Bool,
        notify -> Bool,
        languages -> Nullable<Text>,
        uri -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    blocks (id) {
        id -> BigInt,
        account_id -> BigInt,
        target_account_id -> BigInt,
        uri -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mutes (id) {
        id -> BigInt,
        account_id -> BigInt,
        target_account_id -> BigInt,
        hide_notifications -> Bool,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    media_attachments (id) {
        id -> BigInt,
        account_id -> BigInt,
        status_id -> Nullable<BigInt>,
        /// `image` | `gifv` | `video` | `audio` | `unknown`.
        kind -> Text,
        content_type -> Text,
        /// Relative to the media directory.
        file_path -> Nullable<Text>,
        preview_path -> Nullable<Text>,
        remote_url -> Nullable<Text>,
        file_size -> BigInt,
        description -> Nullable<Text>,
        /// `"x,y"`.
        focus -> Nullable<Text>,
        /// JSON object.
        meta -> Text,
        blurhash -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        /// Reserved for this scheduled status until it is published.
        scheduled_status_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    polls (id) {
        id -> BigInt,
        status_id -> BigInt,
        account_id -> BigInt,
        /// JSON array of option titles.
        options -> Text,
        /// JSON array of cached per-option vote counts.
        votes -> Text,
        multiple -> Bool,
        hide_totals -> Bool,
        votes_count -> Integer,
        voters_count -> Integer,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    poll_votes (id) {
        id -> BigInt,
        poll_id -> BigInt,
        account_id -> BigInt,
        choice -> Integer,
        uri -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        /// Recipient.
        account_id -> BigInt,
        from_account_id -> BigInt,
        kind -> Text,
        status_id -> Nullable<BigInt>,
        /// Grouping key for v2 grouped notifications.
        group_key -> Text,
        created_at -> Timestamp,
        /// Held back by the recipient's notification policy, until its
        /// request is accepted.
        filtered -> Bool,
        /// The report an `admin.report` notification is about.
        report_id -> Nullable<BigInt>,
        /// The warning a `moderation_warning` notification is about.
        account_warning_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// A user's notification policy; no row means the defaults.
    notification_policies (account_id) {
        account_id -> BigInt,
        for_not_following -> Text,
        for_not_followers -> Text,
        for_new_accounts -> Text,
        for_private_mentions -> Text,
        for_limited_accounts -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Filtered notifications gathered per sender; `accepted` ones let the
    /// sender through from then on.
    notification_requests (id) {
        id -> BigInt,
        account_id -> BigInt,
        from_account_id -> BigInt,
        last_status_id -> Nullable<BigInt>,
        notifications_count -> BigInt,
        accepted -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Fan-out-on-write home timelines; the primary key is the timeline index.
    home_feed_entries (account_id, status_id) {
        /// The reader.
        account_id -> BigInt,
        status_id -> BigInt,
        /// Author of the entry (the booster for boosts).
        author_account_id -> BigInt,
        /// The original status when the entry is a boost.
        reblog_of_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    lists (id) {
        id -> BigInt,
        account_id -> BigInt,
        title -> Text,
        replies_policy -> Text,
        exclusive -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    list_accounts (list_id, account_id) {
        list_id -> BigInt,
        account_id -> BigInt,
    }
}

diesel::table! {
    /// Direct-message threads per participant.
    account_conversations (id) {
        id -> BigInt,
        account_id -> BigInt,
        conversation_id -> BigInt,
        /// JSON array of account ids.
        participant_account_ids -> Text,
        last_status_id -> Nullable<BigInt>,
        unread -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    markers (account_id, timeline) {
        account_id -> BigInt,
        /// `home` | `notifications`.
        timeline -> Text,
        last_read_id -> BigInt,
        version -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    filters (id) {
        id -> BigInt,
        account_id -> BigInt,
        title -> Text,
        /// JSON array.
        context -> Text,
        action -> Text,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    filter_keywords (id) {
        id -> BigInt,
        filter_id -> BigInt,
        keyword -> Text,
        whole_word -> Bool,
    }
}

diesel::table! {
    filter_statuses (id) {
        id -> BigInt,
        filter_id -> BigInt,
        status_id -> BigInt,
    }
}

diesel::table! {
    push_subscriptions (id) {
        id -> BigInt,
        access_token_id -> BigInt,
        endpoint -> Text,
        key_p256dh -> Text,
        key_auth -> Text,
        /// JSON object.
        alerts -> Text,
        policy -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (account_id, key) {
        account_id -> BigInt,
        key -> Text,
        status_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    instance_rules (id) {
        id -> BigInt,
        text -> Text,
        hint -> Text,
        position -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Persistent ActivityPub delivery queue: one row per (activity, inbox).
    delivery_jobs (id) {
        id -> BigInt,
        /// The activity URI.
        activity_id -> Text,
        /// Whose key signs the delivery.
        actor_account_id -> BigInt,
        inbox_url -> Text,
        inbox_host -> Text,
        /// JSON.
        payload -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        /// Lease of the worker that claimed the job.
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        /// Set when the job failed for good; kept for inspection.
        failed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Changes to federate, written in the transaction that made them.
    federation_outbox (id) {
        id -> BigInt,
        kind -> Text,
        /// JSON.
        payload -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    /// Received activities, deduplicated by `activity_uri`.
    inbox_activities (id) {
        id -> BigInt,
        activity_uri -> Text,
        actor_uri -> Text,
        kind -> Text,
        payload -> Text,
        received_at -> Timestamp,
        processed_at -> Nullable<Timestamp>,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        actor_host -> Text,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Instance-level domain blocks (admin), not a user's `account_domain_blocks`.
    federation_domain_blocks (id) {
        id -> BigInt,
        domain -> Text,
        /// `noop`, `silence` or `suspend`.
        severity -> Text,
        reject_media -> Bool,
        reject_reports -> Bool,
        private_comment -> Nullable<Text>,
        public_comment -> Nullable<Text>,
        obfuscate -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Domains admitted when `federation.mode` is `allowlist`.
    federation_domain_allows (id) {
        id -> BigInt,
        domain -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// One row: bumped with every policy change, so processes know to reload.
    federation_policy_version (id) {
        id -> Integer,
        version -> BigInt,
    }
}

diesel::table! {
    /// Posts to publish later; each row is also the job that publishes it.
    scheduled_statuses (id) {
        id -> BigInt,
        account_id -> BigInt,
        scheduled_at -> Timestamp,
        /// JSON: the post as the client sent it.
        params -> Text,
        application_id -> Nullable<BigInt>,
        idempotency_key -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// A user's private note about another account.
    account_notes (id) {
        id -> BigInt,
        account_id -> BigInt,
        target_account_id -> BigInt,
        comment -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Accounts a user endorses on their profile.
    account_pins (id) {
        id -> BigInt,
        account_id -> BigInt,
        target_account_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Hashtags a user features on their profile.
    featured_tags (id) {
        id -> BigInt,
        account_id -> BigInt,
        tag_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Sites a user does not want to hear from.
    account_domain_blocks (id) {
        id -> BigInt,
        account_id -> BigInt,
        /// Lower-cased host.
        domain -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Follow suggestions a user dismissed.
    suggestion_dismissals (id) {
        id -> BigInt,
        account_id -> BigInt,
        target_account_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Announcements admins show to everyone on the site; company-wide
    /// ones received from HQ carry `origin_domain` and `remote_uri`.
    announcements (id) {
        id -> BigInt,
        text -> Text,
        starts_at -> Nullable<Timestamp>,
        ends_at -> Nullable<Timestamp>,
        all_day -> Bool,
        published -> Bool,
        published_at -> Nullable<Timestamp>,
        scheduled_at -> Nullable<Timestamp>,
        company_wide -> Bool,
        origin_domain -> Nullable<Text>,
        remote_uri -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    announcement_dismissals (announcement_id, account_id) {
        announcement_id -> BigInt,
        account_id -> BigInt,
    }
}

diesel::table! {
    announcement_reactions (announcement_id, account_id, name) {
        announcement_id -> BigInt,
        account_id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Reports to this site's moderators (Mastodon's Report).
    reports (id) {
        id -> BigInt,
        /// Who filed it: a local account, or the site actor of a `Flag`.
        account_id -> BigInt,
        target_account_id -> BigInt,
        category -> Text,
        comment -> Text,
        forwarded -> Bool,
        /// JSON array of status ids.
        status_ids -> Text,
        /// JSON array of rule ids.
        rule_ids -> Text,
        assigned_account_id -> Nullable<BigInt>,
        action_taken_at -> Nullable<Timestamp>,
        action_taken_by_account_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Days a local account was active (and whether engaged); see docs/analytics.md.
    analytics_account_days (account_id, day) {
        account_id -> BigInt,
        /// `YYYY-MM-DD`, UTC.
        day -> Text,
        engaged -> Bool,
    }
}

diesel::table! {
    /// The daily roll-up's counters: `metric` for `subject` (and `detail`) on `day`.
    analytics_counts (metric, subject, day, detail) {
        metric -> Text,
        subject -> Text,
        day -> Text,
        detail -> Text,
        value -> BigInt,
    }
}

diesel::table! {
    /// Days the roll-up has counted; `complete` once the day was over.
    analytics_rollups (day) {
        day -> Text,
        complete -> Bool,
        rolled_up_at -> Timestamp,
    }
}

// One `joinable!` per (child, parent) pair with a single foreign key column.
// Omitted on purpose: self-references (accounts.moved_to_account_id,
// statuses.in_reply_to_id / reblog_of_id) and pairs with two foreign keys to
// the same parent (statuses.in_reply_to_account_id, follows, follow_requests,
// blocks, mutes, notifications and home_feed_entries toward accounts); join
// those with an explicit `ON` clause.

diesel::table! {
    /// The server's VAPID key pair (RFC 8292): one row, id 1.
    vapid_keys (id) {
        id -> Integer,
        /// PKCS#8 DER, base64.
        private_key -> Text,
        /// Uncompressed P-256 point, base64url without padding.
        public_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Web Push queue: one row per (notification, subscription).
    push_deliveries (id) {
        id -> BigInt,
        subscription_id -> BigInt,
        notification_id -> BigInt,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        expires_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(users -> accounts (account_id));
diesel::joinable!(oauth_access_tokens -> oauth_applications (application_id));
diesel::joinable!(oauth_access_tokens -> users (user_id));
diesel::joinable!(oauth_authorization_codes -> oauth_applications (application_id));
diesel::joinable!(oauth_authorization_codes -> users (user_id));
diesel::joinable!(statuses -> accounts (account_id));
diesel::joinable!(statuses -> conversations (conversation_id));
diesel::joinable!(statuses -> oauth_applications (application_id));
diesel::joinable!(status_edits -> statuses (status_id));
diesel::joinable!(status_edits -> accounts (account_id));
diesel::joinable!(mentions -> statuses (status_id));
diesel::joinable!(mentions -> accounts (account_id));
diesel::joinable!(status_tags -> statuses (status_id));
diesel::joinable!(status_tags -> tags (tag_id));
diesel::joinable!(tag_follows -> accounts (account_id));
diesel::joinable!(tag_follows -> tags (tag_id));
diesel::joinable!(favourites -> accounts (account_id));
diesel::joinable!(favourites -> statuses (status_id));
diesel::joinable!(bookmarks -> accounts (account_id));
diesel::joinable!(bookmarks -> statuses (status_id));
diesel::joinable!(status_pins -> accounts (account_id));
diesel::joinable!(status_pins -> statuses (status_id));
diesel::joinable!(conversation_mutes -> accounts (account_id));
diesel::joinable!(conversation_mutes -> conversations (conversation_id));
diesel::joinable!(media_attachments -> accounts (account_id));
diesel::joinable!(media_attachments -> statuses (status_id));
diesel::joinable!(polls -> statuses (status_id));
diesel::joinable!(polls -> accounts (account_id));
diesel::joinable!(poll_votes -> polls (poll_id));
diesel::joinable!(poll_votes -> accounts (account_id));
diesel::joinable!(notifications -> statuses (status_id));
diesel::joinable!(home_feed_entries -> statuses (status_id));
diesel::joinable!(lists -> accounts (account_id));
diesel::joinable!(list_accounts -> lists (list_id));
diesel::joinable!(list_accounts -> accounts (account_id));
diesel::joinable!(account_conversations -> accounts (account_id));
diesel::joinable!(account_conversations -> conversations (conversation_id));
diesel::joinable!(account_conversations -> statuses (last_status_id));
diesel::joinable!(markers -> accounts (account_id));
diesel::joinable!(filters -> accounts (account_id));
diesel::joinable!(filter_keywords -> filters (filter_id));
diesel::joinable!(filter_statuses -> filters (filter_id));
diesel::joinable!(filter_statuses -> statuses (status_id));
diesel::joinable!(push_subscriptions -> oauth_access_tokens (access_token_id));
diesel::joinable!(idempotency_keys -> accounts (account_id));
diesel::joinable!(idempotency_keys -> statuses (status_id));
diesel::joinable!(delivery_jobs -> accounts (actor_account_id));
diesel::joinable!(push_deliveries -> push_subscriptions (subscription_id));
diesel::joinable!(push_deliveries -> notifications (notification_id));
diesel::joinable!(featured_tags -> tags (tag_id));
diesel::joinable!(account_domain_blocks -> accounts (account_id));
diesel::joinable!(announcement_dismissals -> announcements (announcement_id));
diesel::joinable!(announcement_reactions -> announcements (announcement_id));
diesel::joinable!(analytics_account_days -> accounts (account_id));

diesel::table! {
    /// ActivityPub relays the site actor subscribes to.
    relays (id) {
        id -> BigInt,
        inbox_url -> Text,
        /// Known for LitePub relays from the start; for Mastodon relays
        /// from the signer of their `Accept`.
        actor_uri -> Nullable<Text>,
        /// `litepub` or `mastodon`.
        protocol -> Text,
        /// `pending`, `accepted` or `rejected`.
        state -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Mastodon's AccountWarning: a moderation action and its note to the
    /// account's owner.
    account_warnings (id) {
        id -> BigInt,
        account_id -> BigInt,
        /// `none`, `sensitive`, `disable`, `silence` or `suspend`.
        action -> Text,
        text -> Text,
        report_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Every moderation and admin action (Mastodon's admin action log).
    audit_log (id) {
        id -> BigInt,
        /// `None`: done from the server's command line.
        actor_account_id -> Nullable<BigInt>,
        actor -> Text,
        action -> Text,
        target_type -> Text,
        target_id -> Text,
        human_identifier -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(account_warnings -> accounts (account_id));

diesel::table! {
    /// The addresses users signed in from (Admin::Account `ips`).
    sign_in_addresses (user_id, ip) {
        user_id -> BigInt,
        ip -> Text,
        used_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    sign_in_addresses,
    instances,
    accounts,
    users,
    oauth_applications,
    oauth_access_tokens,
    oauth_authorization_codes,
    conversations,
    statuses,
    status_edits,
    mentions,
    tags,
    status_tags,
    tag_follows,
    favourites,
    bookmarks,
    status_pins,
    conversation_mutes,
    follows,
    follow_requests,
    blocks,
    mutes,
    media_attachments,
    polls,
    poll_votes,
    notifications,
    home_feed_entries,
    lists,
    list_accounts,
    account_conversations,
    markers,
    filters,
    filter_keywords,
    filter_statuses,
    push_subscriptions,
    idempotency_keys,
    instance_rules,
    delivery_jobs,
    inbox_activities,
    federation_outbox,
    vapid_keys,
    push_deliveries,
    account_notes,
    account_pins,
    featured_tags,
    account_domain_blocks,
    suggestion_dismissals,
    quotes,
    quote_policies,
    announcements,
    announcement_dismissals,
    announcement_reactions,
    account_warnings,
    audit_log,
    reports,
    analytics_account_days,
    analytics_counts,
    analytics_rollups,
    kudos,
);

diesel::table! {
    /// Company identities (LDAP, OpenID Connect) linked to local users.
    external_identities (provider, subject) {
        provider -> Text,
        subject -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// E-mail domains refused at sign-up (Mastodon's email domain blocks).
    email_domain_blocks (id) {
        id -> BigInt,
        domain -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Canonical e-mail addresses refused at sign-up, as SHA-256 hex.
    canonical_email_blocks (id) {
        id -> BigInt,
        canonical_email_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Address ranges held back at sign-up or sign-in (Mastodon's IP blocks).
    ip_blocks (id) {
        id -> BigInt,
        /// CIDR with the host bits cleared.
        ip -> Text,
        /// `sign_up_requires_approval`, `sign_up_block` or `no_access`.
        severity -> Text,
        comment -> Text,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// What only a group (a local account of type `Group`) has.
    groups (account_id) {
        account_id -> BigInt,
        rules -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Who may remove a group's posts and members.
    group_moderators (group_id, account_id) {
        group_id -> BigInt,
        account_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(group_moderators -> groups (group_id));
diesel::allow_tables_to_appear_in_same_query!(groups, group_moderators, accounts);

diesel::table! {
    /// Another site's published adoption counts per day (docs/analytics.md).
    site_adoption_days (domain, day) {
        domain -> Text,
        /// `YYYY-MM-DD`, UTC.
        day -> Text,
        active -> BigInt,
        engaged -> BigInt,
        new_users -> BigInt,
        statuses -> BigInt,
        interactions -> BigInt,
    }
}

diesel::table! {
    /// The last pull of another site's adoption counts.
    site_adoption_pulls (domain) {
        domain -> Text,
        attempted_at -> Timestamp,
        pulled_at -> Nullable<Timestamp>,
        /// JSON: the figures over ranges, as of the site's last published day.
        summary -> Nullable<Text>,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    oidc_sign_ins (state) {
        state -> Text,
        app_request -> Text,
        pkce_verifier -> Text,
        nonce -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    /// Events: a status with a name, a time span (UTC) and a place or link.
    events (status_id) {
        status_id -> BigInt,
        name -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        /// The organiser's IANA time zone, for showing local times.
        timezone -> Nullable<Text>,
        location -> Nullable<Text>,
        url -> Nullable<Text>,
        created_at -> Timestamp,
        /// Answer totals the organiser's site reported, for another site's
        /// event; `None` for this site's (counted from `event_attendances`).
        reported_going -> Nullable<BigInt>,
        reported_maybe -> Nullable<BigInt>,
        reported_not_going -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// Answers to events: `going`, `maybe` or `not_going`.
    event_attendances (status_id, account_id) {
        status_id -> BigInt,
        account_id -> BigInt,
        answer -> Text,
        updated_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(events, event_attendances, statuses);
diesel::allow_tables_to_appear_in_same_query!(events, accounts);

diesel::table! {
    /// Recognitions: one per (post with the kudos hashtag, colleague it
    /// mentions); the post's author gave it.
    kudos (status_id, receiver_id) {
        status_id -> BigInt,
        receiver_id -> BigInt,
        giver_id -> BigInt,
        /// One of `communities.kudos_badges`; `None` for none.
        badge -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(kudos -> statuses (status_id));

diesel::table! {
    /// Idea campaigns: a hashtag, a question and a deadline.
    campaigns (id) {
        id -> BigInt,
        /// Lower-case, without `#`.
        tag -> Text,
        question -> Text,
        deadline -> Timestamp,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        /// Closed early; `None` while open (until the deadline).
        closed_at -> Nullable<Timestamp>,
        description -> Text,
        /// The group whose posts are the ideas; `None`: the whole site.
        group_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// The ideas of a campaign: posts carrying its hashtag, with the state
    /// moderators gave them.
    campaign_ideas (campaign_id, status_id) {
        campaign_id -> BigInt,
        status_id -> BigInt,
        /// `new` | `under_review` | `accepted` | `done` | `declined`.
        state -> Text,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(campaign_ideas -> campaigns (campaign_id));
diesel::joinable!(campaign_ideas -> statuses (status_id));
diesel::allow_tables_to_appear_in_same_query!(campaigns, campaign_ideas, statuses);

diesel::table! {
    /// Moderators' decisions on statuses as trends; no row: never reviewed.
    status_trend_reviews (status_id) {
        status_id -> BigInt,
        /// Whether it may trend.
        trendable -> Bool,
        reviewed_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(status_trend_reviews, statuses);
