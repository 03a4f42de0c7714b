//! Log output: text for a terminal, JSON for a log collector.

use std::io::IsTerminal;
use tertulia_core::ConfigError;
use tertulia_core::config::{LogConfig, LogFormat};

use tracing_subscriber::EnvFilter;

pub fn init(config: &LogConfig) -> Result<(), ConfigError> {
    let filter = EnvFilter::try_new(&config.level).map_err(|e| ConfigError::Invalid {
        key: "log.level".into(),
        message: format!("'{}' is not a level or filter: {e}", config.level),
    })?;
    // Colours only for a person at a terminal, never in files or journald.
    let ansi = std::io::stderr().is_terminal();
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(std::io::stderr);
    // A second initialisation (only possible in tests) keeps the first.
    let _ = match config.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    Ok(())
}
