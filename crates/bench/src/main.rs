//! `tertulia-bench`: seeds a realistic dataset and measures the API on it.
//! Each scenario prints one JSON line per measurement (for scripts and
//! later comparison) and then a table for people. See docs/benchmarks.md.

mod cpu;
mod delivery;
mod federation;
mod followers;
mod inbox;
mod load;
mod memory;
mod posting;
mod remote_site;
mod report;
mod rsa_cost;
mod scale_out;
mod seed;
mod server;
mod target;
mod targets;
mod timelines;
mod workload;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "tertulia-bench", version, about = "Benchmarks for Tertulia")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Fill an empty database with accounts, follows, statuses, favourites
    /// and home timelines, through the storage layer; print a token for
    /// the busiest account.
    Seed(seed::SeedArgs),
    /// Measure timeline latency over HTTP against a running server on
    /// this machine.
    Timelines(timelines::TimelineArgs),
    /// Start one sending and three receiving sites on loopback and measure
    /// how fast posts reach the other sites and how many deliveries per
    /// second the sender makes.
    Federation(federation::FederationArgs),
    /// Measure statuses posted per second through the API by an account
    /// with many followers (fan-out and streaming included) against a
    /// running server on this machine.
    Posting(posting::PostingArgs),
    /// Start a server and measure how many signed activities from another
    /// site (a stand-in on loopback) it accepts and applies per second,
    /// against the RSA verification limit of this machine.
    Inbox(inbox::InboxArgs),
    /// Start a server and measure how many signed deliveries per second it
    /// makes to remote followers on stand-in sites (loopback), with
    /// personal and with shared inboxes, against the RSA signing limit.
    Delivery(delivery::DeliveryArgs),
    /// Start one, then two `tertulia serve` processes on one seeded
    /// PostgreSQL database and measure home timeline requests/s and
    /// statuses posted/s, requests spread round-robin across them.
    ScaleOut(scale_out::ScaleOutArgs),
    /// Print the resident memory of a running server now and at its peak
    /// (Linux), optionally starting a new peak.
    Memory(memory::MemoryArgs),
    /// Start a server and run issue 17's small site (20 users following
    /// each other, sign-ins, 2,000 posts, home reads at 1 and 16
    /// connections); print its peak and idle memory against the targets.
    Workload(workload::WorkloadArgs),
    /// Print issue 17's targets, each met or missed, from the output of a
    /// `bench/run.sh` run.
    Targets(targets::TargetsArgs),
    /// Measure RSA-2048 signatures and verifications per second on one
    /// core, as our HTTP Signatures make them: the limits of delivery and
    /// of the inbox on this machine.
    Rsa,
}

/// Every failure a scenario can end with; printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{0}")]
    Database(#[from] tertulia_db::DbError),
    #[error("{0}")]
    Domain(#[from] tertulia_domain::DomainError),
    #[error("{0}")]
    Http(#[from] reqwest::Error),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Check(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Seed(args) => seed::run(args).await,
            Command::Timelines(args) => timelines::run(args).await,
            Command::Federation(args) => federation::run(args).await,
            Command::Posting(args) => posting::run(args).await,
            Command::ScaleOut(args) => scale_out::run(args).await,
            Command::Memory(args) => memory::run(args),
            Command::Workload(args) => workload::run(args).await,
            Command::Inbox(args) => inbox::run(args).await,
            Command::Delivery(args) => delivery::run(args).await,
            Command::Targets(args) => targets::run(args),
            Command::Rsa => rsa_cost::run().await,
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
