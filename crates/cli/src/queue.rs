//! `cleanclaim queue`: the work queues as stored by `ingest`: what is open, an encounter's
//! stays and results, and who owns an item.

use std::io::Write;

use clap::{Args, Subcommand};

use crate::Outcome;
use crate::setup::{self, DatabaseArgs};

#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Open items (newest first), of one queue or all.
    List {
        /// documentation_hold, authorization, coding_review or ready_to_bill.
        #[arg(long)]
        queue: Option<String>,
        /// Items that have left their queue too.
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// An encounter's queue stays and scrub results, oldest first.
    Show(ShowArgs),
    /// Give an open item an owner.
    Assign {
        /// The item's id (from `queue list`).
        id: i64,
        owner: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    encounter: String,
    #[command(flatten)]
    database: DatabaseArgs,
}

const QUEUES: [&str; 4] = [
    "documentation_hold",
    "authorization",
    "coding_review",
    "ready_to_bill",
];

pub fn run(command: &QueueCommand) -> anyhow::Result<Outcome> {
    let mut out = crate::output::stdout();
    match command {
        QueueCommand::List {
            queue,
            all,
            database,
        } => {
            if let Some(queue) = queue
                && !QUEUES.contains(&queue.as_str())
            {
                anyhow::bail!("unknown queue `{queue}`; queues: {}", QUEUES.join(", "));
            }
            let (runtime, store) = setup::store(database)?;
            let items = runtime.block_on(store.queue_items(queue.as_deref(), !all))?;
            writeln!(
                out,
                "{:>6}  {:<24} {:<20} {:<17} {:<16} first finding",
                "item", "encounter", "queue", "since (UTC)", "owner"
            )?;
            for item in &items {
                writeln!(
                    out,
                    "{:>6}  {:<24} {:<20} {:<17} {:<16} {}",
                    item.id,
                    item.encounter_id,
                    item.queue,
                    item.entered_at.format("%Y-%m-%d %H:%M"),
                    item.owner.as_deref().unwrap_or("-"),
                    item.findings.lines().next().unwrap_or("-")
                )?;
            }
            out.flush()?;
            eprintln!("{} item(s)", items.len());
        }
        QueueCommand::Show(args) => {
            let (runtime, store) = setup::store(&args.database)?;
            let stays = runtime.block_on(store.queue_history(&args.encounter))?;
            let results = runtime.block_on(store.results_of(&args.encounter))?;
            if stays.is_empty() && results.is_empty() {
                anyhow::bail!("no stored encounter `{}`", args.encounter);
            }
            for stay in &stays {
                writeln!(
                    out,
                    "item {} {} from {}{}{}",
                    stay.id,
                    stay.queue,
                    stay.entered_at.format("%Y-%m-%d %H:%M UTC"),
                    stay.left_at
                        .map(|left| format!(" to {}", left.format("%Y-%m-%d %H:%M UTC")))
                        .unwrap_or_else(|| " (open)".to_owned()),
                    stay.owner
                        .as_deref()
                        .map(|owner| format!(", owner {owner}"))
                        .unwrap_or_default()
                )?;
            }
            for (n, result) in results.iter().enumerate() {
                writeln!(
                    out,
                    "result {}: {} (record version {}, pack {} {}): {}",
                    n + 1,
                    result.queue,
                    result.encounter_version,
                    result.pack_id,
                    result.pack_version,
                    result.reason
                )?;
                for finding in result.findings.lines() {
                    writeln!(out, "  {finding}")?;
                }
            }
            out.flush()?;
        }
        QueueCommand::Assign {
            id,
            owner,
            database,
        } => {
            let (runtime, store) = setup::store(database)?;
            if !runtime.block_on(store.assign_queue_item(*id, owner))? {
                anyhow::bail!("no open queue item {id}");
            }
            eprintln!("item {id} assigned to {owner}");
        }
    }
    Ok(Outcome::Clean)
}
