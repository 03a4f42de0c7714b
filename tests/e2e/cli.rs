//! The `tertulia` command line as an admin uses it: users, configuration,
//! migrations and help, against real databases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Command;

use serde_json::Value;
use tertulia_testrig::{CliOutput, TestInstance};

/// Runs the binary outside any instance, in a scratch directory, with only
/// the given `TERTULIA_*` variables.
fn run_bare(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> CliOutput {
    let mut command = Command::new(support::BINARY);
    command.args(args).current_dir(dir);
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("TERTULIA_")) {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let output = command.output().expect("run tertulia");
    CliOutput {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn assert_fails_with(out: &CliOutput, needle: &str) {
    assert!(!out.status.success(), "expected failure, got success: {}", out.stdout);
    let message = out.stderr.trim_end();
    assert_eq!(message.lines().count(), 1, "one readable line, got: {message}");
    assert!(message.starts_with("error: ") && message.contains(needle), "expected '{needle}' in: {message}");
}

async fn users(instance: &TestInstance) -> Vec<Value> {
    let out = instance.cli(&["admin", "user", "list", "--json"]).await;
    assert!(out.status.success(), "{}", out.stderr);
    out.stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

#[tokio::test]
async fn users_created_with_the_cli_survive_a_restart() {
    let mut instance = support::start().await;
    let out = instance
        .cli_with_stdin(
            &[
                "admin",
                "user",
                "create",
                "--username",
                "Ana_Garcia",
                "--email",
                "ana@acme.example",
                "--password-stdin",
                "--admin",
            ],
            "correct horse battery staple\n",
        )
        .await;
    assert!(out.status.success(), "{}", out.stderr);
    assert!(out.stdout.contains(&format!("@Ana_Garcia@{}", instance.domain)), "{}", out.stdout);
    assert!(!out.stdout.contains("Generated password"));

    instance.restart().await;
    let listed = users(&instance).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["username"], "Ana_Garcia");
    assert_eq!(listed[0]["email"], "ana@acme.example");
    assert_eq!(listed[0]["role"], "admin");
    assert_eq!(listed[0]["suspended"], false);
    let table = instance.cli(&["admin", "user", "list"]).await.stdout;
    assert!(table.contains("USERNAME") && table.contains("Ana_Garcia") && table.contains("active"), "{table}");
}

#[tokio::test]
async fn without_a_password_one_is_generated_and_shown_once() {
    let instance = support::start().await;
    let out = instance.cli(&["admin", "user", "create", "--username", "bruno", "--email", "bruno@acme.example"]).await;
    assert!(out.status.success(), "{}", out.stderr);
    let line = out.stdout.lines().find(|l| l.starts_with("Generated password")).expect("generated password line");
    assert!(line.rsplit(' ').next().unwrap().len() >= 16, "{line}");
    assert_eq!(users(&instance).await[0]["role"], "user");
}

#[tokio::test]
async fn taken_usernames_and_emails_bad_emails_and_weak_passwords_are_refused_in_one_line() {
    let instance = support::start().await;
    instance.create_user("ana", &[]).await;
    let create = |username: &'static str, email: &'static str, password: &'static str| {
        let instance = &instance;
        async move {
            instance
                .cli(&["admin", "user", "create", "--username", username, "--email", email, "--password", password])
                .await
        }
    };
    assert_fails_with(
        &create("ANA", "other@acme.example", "correct horse battery").await,
        "username: 'ANA' is already taken",
    );
    assert_fails_with(&create("ana2", "ANA@acme.example", "correct horse battery").await, "already in use");
    assert_fails_with(&create("carmen", "not-an-email", "correct horse battery").await, "email: 'not-an-email'");
    assert_fails_with(&create("carmen", "carmen@acme.example", "short").await, "password: is too short");
    assert_fails_with(&create("carmen", "carmen@acme.example", "password1").await, "common");
    assert_fails_with(&create("bad name", "carmen@acme.example", "correct horse battery").await, "username");
    assert_eq!(users(&instance).await.len(), 1, "no partial user was left behind");
}

#[tokio::test]
async fn passwords_can_be_reset_and_weak_ones_are_refused() {
    let instance = support::start().await;
    instance.create_user("ana", &[]).await;
    let out = instance
        .cli_with_stdin(&["admin", "user", "set-password", "ana", "--password-stdin"], "a brand new secret\n")
        .await;
    assert!(out.status.success(), "{}", out.stderr);
    assert_fails_with(&instance.cli(&["admin", "user", "set-password", "ana", "--password", "123"]).await, "too short");
    assert_fails_with(&instance.cli(&["admin", "user", "set-password", "ana"]).await, "--password");
    assert_fails_with(
        &instance.cli(&["admin", "user", "set-password", "nobody", "--password", "a brand new secret"]).await,
        "user 'nobody' not found",
    );
}

#[tokio::test]
async fn suspension_is_reversible_and_deletion_needs_confirmation() {
    let instance = support::start().await;
    instance.create_user("ana", &["--admin"]).await;
    instance.create_user("bruno", &[]).await;

    assert!(instance.cli(&["admin", "user", "suspend", "bruno"]).await.status.success());
    let listed = users(&instance).await;
    assert_eq!(listed[1]["suspended"], true);
    assert_eq!(
        instance.get_json("/api/v1/instance").await["stats"]["user_count"],
        1,
        "suspended users are not counted"
    );
    assert!(instance.cli(&["admin", "user", "unsuspend", "BRUNO"]).await.status.success());
    assert_eq!(users(&instance).await[1]["suspended"], false);

    assert_fails_with(&instance.cli(&["admin", "user", "delete", "bruno"]).await, "--yes");
    assert_eq!(users(&instance).await.len(), 2);
    assert!(instance.cli(&["admin", "user", "delete", "bruno", "--yes"]).await.status.success());
    let listed = users(&instance).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["username"], "ana");
    assert_fails_with(&instance.cli(&["admin", "user", "delete", "bruno", "--yes"]).await, "user 'bruno' not found");
}

#[tokio::test]
async fn migrate_applies_once_then_reports_up_to_date() {
    let db = tertulia_testrig::TestDatabase::create();
    let env = [("TERTULIA_DATABASE_URL", db.url.as_str())];
    let first = run_bare(db.dir(), &["migrate"], &env);
    assert!(first.status.success(), "{}", first.stderr);
    let shipped = std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/sqlite"))
        .unwrap()
        .count();
    assert!(first.stdout.starts_with(&format!("Applied {shipped} migration(s)")), "{}", first.stdout);
    let second = run_bare(db.dir(), &["migrate"], &env);
    assert!(second.stdout.contains("up to date"), "{}", second.stdout);
}

#[tokio::test]
async fn an_unreachable_database_is_reported_verbatim() {
    let dir = tempfile_dir();
    let out = run_bare(dir.path(), &["migrate"], &[("TERTULIA_DATABASE_URL", "postgres://nobody:pw@127.0.0.1:1/none")]);
    assert_fails_with(&out, "127.0.0.1");
    let out = run_bare(dir.path(), &["migrate"], &[("TERTULIA_DATABASE_URL", "sqlite:///proc/forbidden/t.db")]);
    assert_fails_with(&out, "/proc/forbidden/t.db");
}

#[tokio::test]
async fn config_check_prints_effective_values_with_the_password_masked() {
    let dir = tempfile_dir();
    std::fs::write(dir.path().join("tertulia.toml"), "domain = \"es.acme.example\"\nprotocol = \"https\"\n").unwrap();
    let out = run_bare(
        dir.path(),
        &["config", "check"],
        &[("TERTULIA_DATABASE_URL", "postgres://tertulia:s3cret@db.internal/tertulia")],
    );
    assert!(out.status.success(), "{}", out.stderr);
    assert!(out.stdout.contains("tertulia.toml"), "names the file read: {}", out.stdout);
    assert!(out.stdout.contains("TERTULIA_DATABASE_URL"), "names the override: {}", out.stdout);
    assert!(out.stdout.contains("domain = \"es.acme.example\""), "{}", out.stdout);
    assert!(out.stdout.contains("tertulia:***@db.internal"), "{}", out.stdout);
    assert!(!out.stdout.contains("s3cret"));
}

#[tokio::test]
async fn bad_configuration_stops_start_up_and_names_the_key() {
    let dir = tempfile_dir();
    std::fs::write(dir.path().join("tertulia.toml"), "bind = \"nonsense\"\n").unwrap();
    assert_fails_with(&run_bare(dir.path(), &["serve"], &[]), "config key `bind`");
    assert_fails_with(&run_bare(dir.path(), &["config", "check"], &[]), "config key `bind`");

    let clean = tempfile_dir();
    assert_fails_with(&run_bare(clean.path(), &["serve"], &[("TERTULIA_LOG_FORMAT", "xml")]), "`log.format`");
    let site = [("TERTULIA_SITE_NAME", "ACME Spain"), ("TERTULIA_SITE_TIME_ZONE", "Madrid")];
    assert_fails_with(&run_bare(clean.path(), &["serve"], &site), "config key `site.time_zone`");
    assert_fails_with(&run_bare(clean.path(), &["serve"], &[("TERTULIA_DOMIAN", "x")]), "TERTULIA_DOMIAN");
    assert_fails_with(&run_bare(clean.path(), &["serve"], &[("TERTULIA_LOG_LEVEL", "loud=[")]), "`log.level`");
    let short_home = [("TERTULIA_LIMITS_HOME_TIMELINE_LENGTH", "10")];
    assert_fails_with(
        &run_bare(clean.path(), &["serve"], &short_home),
        "`limits.home_timeline_length`: must be at least 40",
    );
    assert_fails_with(&run_bare(clean.path(), &["--config", "/nonexistent.toml", "serve"], &[]), "/nonexistent.toml");
}

#[tokio::test]
async fn every_command_has_help_an_admin_can_use() {
    let dir = tempfile_dir();
    for (args, expected) in [
        (&["--help"][..], "TERTULIA_"),
        (&["serve", "--help"][..], "SIGTERM"),
        (&["migrate", "--help"][..], "migrations"),
        (&["config", "check", "--help"][..], "masked"),
        (&["admin", "user", "--help"][..], "set-password"),
        (&["admin", "user", "create", "--help"][..], "--password-stdin"),
        (&["admin", "user", "delete", "--help"][..], "--yes"),
    ] {
        let out = run_bare(dir.path(), args, &[]);
        assert!(out.status.success(), "{args:?}: {}", out.stderr);
        assert!(out.stdout.contains(expected), "{args:?} help lacks '{expected}':\n{}", out.stdout);
    }
}

fn tempfile_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[tokio::test]
async fn community_rules_are_managed_from_the_cli_and_shown_to_clients() {
    let instance = support::start().await;
    let out = instance
        .cli(&[
            "admin",
            "rule",
            "add",
            "Be kind to colleagues at every site",
            "--hint",
            "Disagree with ideas, not people",
        ])
        .await;
    assert!(out.status.success(), "{}", out.stderr);
    let id = out.stdout.split_whitespace().nth(2).unwrap().trim_end_matches(':').to_owned();
    assert!(instance.cli(&["admin", "rule", "add", "Keep customer data out of posts"]).await.status.success());
    assert_fails_with(&instance.cli(&["admin", "rule", "add", "  "]).await, "text: can't be blank");

    let rules = instance.get_json("/api/v1/instance/rules").await;
    assert_eq!(rules.as_array().unwrap().len(), 2);
    assert_eq!(rules[0]["text"], "Be kind to colleagues at every site");
    assert_eq!(rules[0]["hint"], "Disagree with ideas, not people");
    tertulia_testrig::openapi::assert_matches(&rules[0], "Rule");
    assert_eq!(instance.get_json("/api/v2/instance").await["rules"], rules);

    assert!(instance.cli(&["admin", "rule", "remove", &id]).await.status.success());
    let listed = instance.cli(&["admin", "rule", "list"]).await.stdout;
    assert!(!listed.contains("Be kind") && listed.contains("Keep customer data"), "{listed}");
    assert_fails_with(&instance.cli(&["admin", "rule", "remove", &id]).await, "not found");
    assert_fails_with(&instance.cli(&["admin", "rule", "remove", "abc"]).await, "not a valid id");
}
