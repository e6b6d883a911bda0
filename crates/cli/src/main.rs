//! `cleanclaim`: scrub therapy encounters into work queues and clean claim lines, check and
//! explain rule packs, write 837P claims, validate X12 files, print the encounter format's JSON
//! Schema, and generate synthetic encounters.
//!
//! Exit codes are a contract: 0 every encounter is clean, 1 some have findings, 2 bad input
//! or a usage error.

// glibc's allocator spent a third of a million-visit demo in malloc, free and heap
// consolidation (the stored records parse into many small strings and are dropped a chunk at a
// time); mimalloc's per-thread free lists take that to a few percent. See BENCHMARKS.md.
// Built without transparent huge pages (`no_thp`): with them the kernel zeroed a 2 MiB page
// for each fault in the heap mimalloc had returned and took back, a twentieth of the demo.
// It also replaces C's malloc (`override`): SQLite allocates through it, and sqlx frees the
// row values its worker copied on the caller's thread, which under glibc contended for the
// arena locks (a seventh of `cleanclaim kpis` at a million visits).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod ack;
mod audit;
mod claims;
mod demo;
mod files;
mod generate;
mod generate_org;
mod grouping;
mod ingest;
mod input;
mod interface;
mod kpi_compare;
mod kpis;
mod migrate;
mod output;
mod queue;
mod remit;
mod report;
mod rules;
mod schedule;
mod scrub;
mod scrub_run;
mod serve;
mod setup;
mod simulate;
mod spill;
mod totals;
mod user;
mod x12;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Turns outpatient therapy documentation into clean claims.
#[derive(Debug, Parser)]
#[command(name = "cleanclaim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Derive units and modifiers for encounters and report what would stop the claim.
    Scrub(scrub::ScrubArgs),
    /// Store encounters and scrub them against the stored history; print what changed.
    Ingest(ingest::IngestArgs),
    /// The stored work queues: list, show, assign, comment, set a status, figures.
    Queue {
        #[command(subcommand)]
        command: queue::QueueCommand,
    },
    /// Print a JSON Schema.
    Schema {
        #[command(subcommand)]
        which: SchemaKind,
    },
    /// Write realistic synthetic encounters as NDJSON.
    Generate(generate::GenerateArgs),
    /// Run a synthetic organization's months end to end (intake, scrub, claims, a simulated
    /// payer, posting) on an embedded database, then serve the dashboard.
    Demo(demo::DemoArgs),
    /// Check scheduled visits against their authorization and annual limit before they happen.
    Schedule {
        #[command(subcommand)]
        command: schedule::ScheduleCommand,
    },
    /// Check rule packs, explain a rule, write the rule reference.
    Rules {
        #[command(subcommand)]
        command: rules::RulesCommand,
    },
    /// Scrub encounters and write the ready-to-bill ones as an X12 837P.
    Claims(claims::ClaimsArgs),
    /// Read an 835: payments and denials with root causes; `--post` posts it.
    Remit(remit::RemitArgs),
    /// Read 999, 277CA and TA1 acknowledgments; `--post` records them per claim.
    Ack(ack::AckArgs),
    /// Create or update the database's schema (every command that uses it does so too).
    Migrate(migrate::MigrateArgs),
    /// Work with X12 files.
    X12 {
        #[command(subcommand)]
        command: x12::X12Command,
    },
    /// Run the REST API (127.0.0.1:8080 on the SQLite file by default).
    Serve(serve::ServeArgs),
    /// Listen for HL7 v2 messages over MLLP (127.0.0.1:2575) and store them.
    Listen(interface::ListenArgs),
    /// Import a file or folder of HL7 v2 messages (back-loading history).
    Import(interface::ImportArgs),
    /// EMR interface messages: the error queue, reprocessing.
    Interface {
        #[command(subcommand)]
        command: interface::InterfaceCommand,
    },
    /// Revenue-cycle KPIs of the stored visits: first-pass rate, denials, lags, auto-clear.
    Kpis(kpis::KpiArgs),
    /// Simulators: `simulate payer` answers an 837P with a 999, a 277CA and an 835.
    Simulate {
        #[command(subcommand)]
        command: simulate::SimulateCommand,
    },
    /// Users of the service: add one, issue an API token.
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// Clinics (locations) of the organization.
    Clinic {
        #[command(subcommand)]
        command: user::ClinicCommand,
    },
    /// The audit log: verify its hash chain.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
enum SchemaKind {
    /// The native encounter format (see docs/encounter-format.md).
    Encounter,
}

/// The process outcome; its exit code is part of the command-line contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Clean = 0,
    Findings = 1,
    BadInput = 2,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scrub(args) => scrub::run(&args),
        Command::Ingest(args) => ingest::run(&args),
        Command::Queue { command } => queue::run(&command),
        Command::Schema {
            which: SchemaKind::Encounter,
        } => print_schema(),
        Command::Generate(args) => generate::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Schedule { command } => schedule::run(&command),
        Command::Rules { command } => rules::run(&command),
        Command::Claims(args) => claims::run(&args),
        Command::Remit(args) => remit::run(&args),
        Command::Ack(args) => ack::run(&args),
        Command::Migrate(args) => migrate::run(&args),
        Command::X12 { command } => x12::run(&command),
        Command::Serve(args) => serve::run(&args),
        Command::Listen(args) => interface::run_listen(&args),
        Command::Import(args) => interface::run_import(&args),
        Command::Interface { command } => interface::run_interface(&command),
        Command::Simulate { command } => simulate::run(&command),
        Command::Kpis(args) => kpis::run(&args),
        Command::User { command } => user::run(&command),
        Command::Clinic { command } => user::run_clinic(&command),
        Command::Audit { command } => audit::run(&command),
    };
    match result {
        Ok(outcome) => ExitCode::from(outcome as u8),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cleanclaim: {err:#}");
            ExitCode::from(Outcome::BadInput as u8)
        }
    }
}

fn print_schema() -> anyhow::Result<Outcome> {
    use std::io::Write;
    let schema = cleanclaim_model::encounter_schema();
    let mut out = output::stdout();
    writeln!(out, "{}", serde_json::to_string_pretty(&schema)?)?;
    out.flush()?;
    Ok(Outcome::Clean)
}

/// `cleanclaim generate | head` closes the pipe early; that is not an error. (Commands whose
/// exit code reports findings write through [`output::stdout`] and finish their work.)
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(std::io::ErrorKind::BrokenPipe)
    })
}
