//! Shared by the end-to-end test files: the binary under test.

use tertulia_testrig::TestInstance;

pub const BINARY: &str = env!("CARGO_BIN_EXE_tertulia");

pub async fn start() -> TestInstance {
    TestInstance::start(BINARY).await
}
