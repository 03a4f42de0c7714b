//! Who may do what on this site: the one answer to "may this user do X".
//! Roles and permissions follow Mastodon's `UserRole`
//! (docs.joinmastodon.org/entities/Role/): each permission is one bit of
//! the `permissions` number clients read, with Mastodon's bit values, so
//! a client shows the same admin menus it would on Mastodon.

pub use tertulia_db::users::Role;

/// One thing staff may do. The value is Mastodon's bit for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Permission {
    /// Every permission, present and future (the owner).
    Administrator = 1 << 0,
    ViewAuditLog = 1 << 2,
    ViewDashboard = 1 << 3,
    ManageReports = 1 << 4,
    ManageFederation = 1 << 5,
    ManageSettings = 1 << 6,
    ManageBlocks = 1 << 7,
    ManageTaxonomies = 1 << 8,
    ManageAppeals = 1 << 9,
    ManageUsers = 1 << 10,
    ManageInvites = 1 << 11,
    ManageRules = 1 << 12,
    ManageAnnouncements = 1 << 13,
    ManageCustomEmojis = 1 << 14,
    ManageWebhooks = 1 << 15,
    InviteUsers = 1 << 16,
    ManageRoles = 1 << 17,
    ManageUserAccess = 1 << 18,
    DeleteUserData = 1 << 19,
}

impl Permission {
    /// Mastodon's name for it, as in its admin documentation.
    pub fn name(self) -> &'static str {
        match self {
            Permission::Administrator => "administrator",
            Permission::ViewAuditLog => "view_audit_log",
            Permission::ViewDashboard => "view_dashboard",
            Permission::ManageReports => "manage_reports",
            Permission::ManageFederation => "manage_federation",
            Permission::ManageSettings => "manage_settings",
            Permission::ManageBlocks => "manage_blocks",
            Permission::ManageTaxonomies => "manage_taxonomies",
            Permission::ManageAppeals => "manage_appeals",
            Permission::ManageUsers => "manage_users",
            Permission::ManageInvites => "manage_invites",
            Permission::ManageRules => "manage_rules",
            Permission::ManageAnnouncements => "manage_announcements",
            Permission::ManageCustomEmojis => "manage_custom_emojis",
            Permission::ManageWebhooks => "manage_webhooks",
            Permission::InviteUsers => "invite_users",
            Permission::ManageRoles => "manage_roles",
            Permission::ManageUserAccess => "manage_user_access",
            Permission::DeleteUserData => "delete_user_data",
        }
    }
}

/// What a moderator may do: handle people and reports, not the site's
/// federation, settings or announcements (Mastodon's default Moderator).
const MODERATOR: &[Permission] = &[
    Permission::ViewAuditLog,
    Permission::ViewDashboard,
    Permission::ManageReports,
    Permission::ManageTaxonomies,
    Permission::ManageUsers,
    Permission::InviteUsers,
];

/// What an admin may do: everything named, but not grant the owner's
/// blanket bit.
const ADMIN: &[Permission] = &[
    Permission::ViewAuditLog,
    Permission::ViewDashboard,
    Permission::ManageReports,
    Permission::ManageFederation,
    Permission::ManageSettings,
    Permission::ManageBlocks,
    Permission::ManageTaxonomies,
    Permission::ManageAppeals,
    Permission::ManageUsers,
    Permission::ManageInvites,
    Permission::ManageRules,
    Permission::ManageAnnouncements,
    Permission::ManageCustomEmojis,
    Permission::ManageWebhooks,
    Permission::InviteUsers,
    Permission::ManageRoles,
    Permission::ManageUserAccess,
    Permission::DeleteUserData,
];

/// The role's permission bits, as Mastodon's `Role.permissions`: the owner
/// has the administrator bit (all), an admin every bit but that one.
pub fn permission_bits(role: Role) -> u32 {
    let all = |permissions: &[Permission]| permissions.iter().fold(0, |bits, p| bits | *p as u32);
    match role {
        Role::Owner => Permission::Administrator as u32,
        Role::Admin => all(ADMIN),
        Role::Moderator => all(MODERATOR),
        Role::User => 0,
    }
}

/// Whether a user with `role` may do what `permission` covers.
pub fn permits(role: Role, permission: Permission) -> bool {
    let bits = permission_bits(role);
    bits & Permission::Administrator as u32 != 0 || bits & permission as u32 != 0
}

/// Whether staff of role `actor` may act on an account whose role is
/// `target`: only on lower ranks (Mastodon's role positions), so a
/// moderator cannot suspend an admin, nor an admin another admin.
pub fn outranks(actor: Role, target: Role) -> bool {
    fn rank(role: Role) -> u8 {
        match role {
            Role::User => 0,
            Role::Moderator => 1,
            Role::Admin => 2,
            Role::Owner => 3,
        }
    }
    rank(actor) > rank(target)
}

/// Whether the role shows as staff (a badge in clients; the `staff`
/// filter of the admin account list).
pub fn is_staff(role: Role) -> bool {
    role != Role::User
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moderators_handle_people_but_not_the_site() {
        assert!(permits(Role::Moderator, Permission::ManageUsers));
        assert!(permits(Role::Moderator, Permission::ViewAuditLog));
        assert!(!permits(Role::Moderator, Permission::ManageFederation));
        assert!(!permits(Role::Moderator, Permission::ManageAnnouncements));
        assert!(!permits(Role::User, Permission::ManageUsers));
        for permission in [Permission::ManageFederation, Permission::DeleteUserData, Permission::ManageRoles] {
            assert!(permits(Role::Admin, permission));
            assert!(permits(Role::Owner, permission));
        }
    }

    #[test]
    fn staff_act_only_on_lower_ranks() {
        assert!(outranks(Role::Moderator, Role::User));
        assert!(outranks(Role::Admin, Role::Moderator));
        assert!(outranks(Role::Owner, Role::Admin));
        assert!(!outranks(Role::Moderator, Role::Admin), "a moderator cannot suspend an admin");
        assert!(!outranks(Role::Admin, Role::Admin), "nor an admin another admin");
    }
}
