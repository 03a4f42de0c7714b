//! Shared by the end-to-end test files: the binary under test.

use tertulia_testrig::TestInstance;

pub const BINARY: &str = env!("CARGO_BIN_EXE_tertulia");

pub async fn start() -> TestInstance {
    TestInstance::start(BINARY).await
}

/// Creates a user through the CLI, failing the test with the CLI's output
/// if that does not work.
pub async fn create_user(instance: &TestInstance, username: &str, extra: &[&str]) {
    let email = format!("{username}@acme.example");
    let mut args = vec!["admin", "user", "create", "--username", username, "--email", &email, "--password-stdin"];
    args.extend_from_slice(extra);
    let out = instance.cli_with_stdin(&args, "correct horse battery staple\n").await;
    assert!(out.status.success(), "create {username}: {}{}", out.stdout, out.stderr);
}
