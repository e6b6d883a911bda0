//! `cleanclaim queue`: the work queues as stored by `ingest`: what is open, an encounter's
//! stays and results, and who owns an item.

use std::io::Write;

use clap::{Args, Subcommand};
use cleanclaim_app::{auto_cleared, queue_figures};
use cleanclaim_billing::Queue;

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
    /// An encounter's queue stays (with comments) and scrub results, oldest first.
    Show(ShowArgs),
    /// Add a comment to an item.
    Comment {
        id: i64,
        text: String,
        /// Who writes it.
        #[arg(long, default_value = "biller")]
        by: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Set an open item's status: `resolved` ends its stay; an authorization item can wait as
    /// `extension_requested`, or end as `denied` or `patient_pay`.
    Status {
        id: i64,
        #[arg(value_parser = ["resolved", "extension_requested", "denied", "patient_pay", "open"])]
        status: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Time in each queue (median and 90th percentile of ended stays) and the share of
    /// encounters cleared with no human touch.
    Stats {
        #[command(flatten)]
        database: DatabaseArgs,
    },
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

pub fn run(command: &QueueCommand) -> anyhow::Result<Outcome> {
    let mut out = crate::output::stdout();
    match command {
        QueueCommand::List {
            queue,
            all,
            database,
        } => {
            let names: Vec<&str> = Queue::ALL.iter().map(|q| q.name()).collect();
            if let Some(queue) = queue
                && !names.contains(&queue.as_str())
            {
                anyhow::bail!("unknown queue `{queue}`; queues: {}", names.join(", "));
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
                if stay.status != "open" && stay.status != "moved" {
                    writeln!(out, "  status: {}", stay.status)?;
                }
                for (author, text, at) in runtime.block_on(store.queue_comments(stay.id))? {
                    writeln!(out, "  {} {author}: {text}", at.format("%Y-%m-%d %H:%M"))?;
                }
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
        QueueCommand::Comment {
            id,
            text,
            by,
            database,
        } => {
            let (runtime, store) = setup::store(database)?;
            if !runtime.block_on(store.comment_queue_item(*id, by, text))? {
                anyhow::bail!("no queue item {id}");
            }
            eprintln!("comment added to item {id}");
        }
        QueueCommand::Status {
            id,
            status,
            database,
        } => {
            let (runtime, store) = setup::store(database)?;
            let items = runtime.block_on(store.queue_items(None, true))?;
            let Some(item) = items.iter().find(|i| i.id == *id) else {
                anyhow::bail!("no open queue item {id}");
            };
            if matches!(
                status.as_str(),
                "extension_requested" | "denied" | "patient_pay"
            ) && item.queue != "authorization"
            {
                anyhow::bail!(
                    "`{status}` is a status of authorization items; item {id} is in {}",
                    item.queue
                );
            }
            // A denied authorization or a patient paying ends the item; an extension waits.
            if !runtime.block_on(store.set_queue_status(*id, status))? {
                anyhow::bail!("no open queue item {id}");
            }
            eprintln!("item {id}: {status}");
        }
        QueueCommand::Stats { database } => {
            let (runtime, store) = setup::store(database)?;
            let items = runtime.block_on(store.queue_items(None, false))?;
            let hours = |h: Option<f64>| h.map_or_else(|| "-".to_owned(), |h| format!("{h:.1}"));
            writeln!(
                out,
                "{:<20} {:>8} {:>6} {:>13} {:>10}",
                "queue", "entered", "open", "median hours", "p90 hours"
            )?;
            for figures in queue_figures(&items) {
                writeln!(
                    out,
                    "{:<20} {:>8} {:>6} {:>13} {:>10}",
                    figures.queue,
                    figures.entered,
                    figures.open,
                    hours(figures.median_hours),
                    hours(figures.p90_hours)
                )?;
            }
            let (cleared, encounters) = auto_cleared(&items);
            writeln!(
                out,
                "auto-cleared: {cleared} of {encounters} encounter(s) ready to bill on their first scrub"
            )?;
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
