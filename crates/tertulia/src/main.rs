//! The `tertulia` binary: command-line parsing and wiring. Logic lives in
//! the library crates; this crate only connects them.

mod admin;
mod allocator;
mod cli;
mod logging;
mod runtime;
mod serve;

use std::process::ExitCode;

use clap::Parser;
use tertulia_core::Config;
use tertulia_core::config::LoadedConfig;

use crate::cli::{Cli, Command, ConfigCommand};

/// Every failure a command can end with; printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Config(#[from] tertulia_core::ConfigError),
    #[error("{0}")]
    Database(#[from] tertulia_db::DbError),
    #[error("{0}")]
    Domain(#[from] tertulia_domain::DomainError),
    #[error("federation: {0}")]
    Federation(#[from] tertulia_federation::FederationError),
    #[error("{0}")]
    Metrics(#[from] tertulia_core::metrics::MetricsError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line, whatever the source (libpq's messages span several),
            // so it reads well in a terminal and in a service log.
            let message: Vec<String> = error.to_string().lines().map(|l| l.trim().to_owned()).collect();
            eprintln!("error: {}", message.join(" ").trim());
            ExitCode::FAILURE
        }
    }
}

/// Loads the configuration, then runs the command on a runtime sized
/// from it.
fn run(cli: Cli) -> Result<(), CliError> {
    allocator::limit_arenas();
    let loaded = Config::load(cli.config.as_deref(), std::env::vars())?;
    runtime::system(&loaded.config)?.block_on(dispatch(cli.command, loaded))
}

async fn dispatch(command: Command, loaded: LoadedConfig) -> Result<(), CliError> {
    match command {
        Command::Config { command: ConfigCommand::Check } => {
            print_config(&loaded);
            Ok(())
        }
        Command::Serve => {
            logging::init(&loaded.config.log)?;
            serve::run(loaded).await
        }
        Command::Migrate => {
            logging::init(&loaded.config.log)?;
            let db = tertulia_db::Db::connect(&loaded.config.database)?;
            let report = db.migrate()?;
            if report.applied.is_empty() {
                println!("The {} database is up to date.", db.backend_name());
            } else {
                println!("Applied {} migration(s): {}", report.applied.len(), report.applied.join(", "));
            }
            Ok(())
        }
        Command::Admin { command } => admin::run(&loaded.config, command).await,
    }
}

fn print_config(loaded: &LoadedConfig) {
    match &loaded.file {
        Some(path) => println!("# Configuration file: {}", path.display()),
        None => println!("# No configuration file: built-in defaults"),
    }
    if !loaded.env_overrides.is_empty() {
        println!("# Overridden by environment: {}", loaded.env_overrides.join(", "));
    }
    println!("# The configuration is valid. Effective values (secrets masked):\n");
    print!("{}", loaded.config.to_redacted_toml());
}
