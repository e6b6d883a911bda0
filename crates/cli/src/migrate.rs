//! `cleanclaim migrate`: bring the database's schema up to date and say what was applied.
//! Every command that uses the database does the same on connect; this is for operators who
//! migrate before starting the service, and for seeing where a database stands.

use std::io::Write;

use clap::Args;
use cleanclaim_store::Backend;

use crate::Outcome;
use crate::setup::{self, DatabaseArgs};

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// List the migrations and whether each is applied; change nothing.
    #[arg(long)]
    status: bool,
}

pub fn run(args: &MigrateArgs) -> anyhow::Result<Outcome> {
    let (runtime, store) = setup::open(&args.database)?;
    if args.status {
        let mut out = crate::output::stdout();
        for (version, description, applied) in runtime.block_on(store.migrations())? {
            writeln!(
                out,
                "{version} {description}: {}",
                if applied { "applied" } else { "pending" }
            )?;
        }
        out.flush()?;
        return Ok(Outcome::Clean);
    }
    let applied = runtime.block_on(store.migrate())?;
    let migrations = runtime.block_on(store.migrations())?;
    let latest = migrations.last().map_or(0, |m| m.0);
    eprintln!(
        "applied {applied} migration(s); the {} database is at schema version {latest}",
        match store.backend() {
            Backend::Postgres => "PostgreSQL",
            Backend::Sqlite => "SQLite",
        }
    );
    Ok(Outcome::Clean)
}
