//! Shared by the end-to-end test files: the binary under test.

use tertulia_testrig::TestInstance;

pub const BINARY: &str = env!("CARGO_BIN_EXE_tertulia");

// Not every test file starts a lone instance (federation starts three).
#[allow(dead_code)]
pub async fn start() -> TestInstance {
    TestInstance::start(BINARY).await
}
