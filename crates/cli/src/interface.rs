//! EMR interfaces on the command line: `cleanclaim listen` (the MLLP listener alone; `serve
//! --mllp` runs it beside the API), `cleanclaim import` (a file or folder of HL7 messages
//! through the same receive path), and `cleanclaim interface` (the error queue: list,
//! reprocess after fixing a channel file).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use cleanclaim_app::interfaces::{Receipt, Status, receive_hl7, reprocess};
use cleanclaim_emr::{Channel, Channels};
use cleanclaim_store::Store;

use crate::Outcome;
use crate::setup::{self, DatabaseArgs};

/// The channel files and limits every interface command shares.
#[derive(Debug, Clone, Args)]
pub struct ChannelArgs {
    /// A channel file (TOML), or a folder of them: how each sender's messages map (see
    /// docs/interfaces.md). Repeat for several.
    #[arg(long = "channel")]
    pub channels: Vec<PathBuf>,
}

/// The engine's reference data, as for `serve`.
#[derive(Debug, Clone, Args)]
pub struct EngineArgs {
    /// A folder of rule packs (*.toml) replacing or added to the built-in ones.
    #[arg(long)]
    rules: Option<PathBuf>,
    /// An NCCI PTP edits file in CMS's layout.
    #[arg(long)]
    ncci: Option<PathBuf>,
    /// An MUE table in CMS's CSV layout.
    #[arg(long)]
    mue: Option<PathBuf>,
}

impl EngineArgs {
    fn engine(&self) -> anyhow::Result<cleanclaim_billing::Engine> {
        setup::engine(
            self.rules.as_deref(),
            self.ncci.as_deref(),
            self.mue.as_deref(),
        )
    }
}

#[derive(Debug, Args)]
pub struct ListenArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(flatten)]
    channels: ChannelArgs,
    #[command(flatten)]
    engine: EngineArgs,
    /// The address to listen on (MLLP has no encryption: keep it on loopback or a VPN).
    #[arg(long, default_value = "127.0.0.1:2575")]
    listen: SocketAddr,
    /// The largest message accepted, in bytes; a larger frame is refused with AR.
    #[arg(long, default_value_t = 4 << 20)]
    max_frame: usize,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(flatten)]
    channels: ChannelArgs,
    #[command(flatten)]
    engine: EngineArgs,
    /// A file of HL7 messages (one or many; CR, LF or CRLF), a FHIR R4 Bundle (`.json`), a
    /// folder of `.hl7` files and bundles, or a `.csv` export (one row per procedure line; see
    /// docs/interfaces.md).
    path: PathBuf,
    /// For a CSV export: the mapping file naming its columns, separator and date format.
    #[arg(long)]
    mapping: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum InterfaceCommand {
    /// The messages not processed (error queue), oldest first, with their issues.
    Errors {
        #[command(flatten)]
        database: DatabaseArgs,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Map the messages of the error queue again with the channel files given.
    Reprocess {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        channels: ChannelArgs,
        #[command(flatten)]
        engine: EngineArgs,
        /// Only these message ids (default: the whole queue).
        #[arg(long = "id")]
        ids: Vec<i64>,
    },
}

/// Reads channel files (or folders of `*.toml`), refusing two for the same sender.
pub fn load_channels(paths: &[PathBuf]) -> anyhow::Result<Channels> {
    if paths.is_empty() {
        bail!("give the channel files with --channel (see docs/interfaces.md)");
    }
    let mut channels = Channels::default();
    for path in paths {
        let files = if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("reading the folder {}", path.display()))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect();
            files.sort();
            files
        } else {
            vec![path.clone()]
        };
        for file in files {
            let name = file.display().to_string();
            let text = crate::files::read_text(&file, "channel file", crate::files::SMALL)?;
            channels.add(&name, Channel::from_toml(&text, &name)?)?;
        }
    }
    if channels.is_empty() {
        bail!(
            "no channel files found in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(channels)
}

/// Every channel's clinic must exist: a visit of an unknown clinic is seen by nobody.
pub async fn check_clinics(store: &Store, channels: &Channels) -> anyhow::Result<()> {
    let known: Vec<String> = store.clinics().await?.into_iter().map(|c| c.id).collect();
    for channel in channels.iter() {
        if !known.contains(&channel.clinic) {
            bail!(
                "channel {} names the clinic `{}`, which does not exist: add it first (`cleanclaim clinic add {} NAME`)",
                channel.id,
                channel.clinic,
                channel.clinic
            );
        }
    }
    Ok(())
}

pub fn run_listen(args: &ListenArgs) -> anyhow::Result<Outcome> {
    crate::serve::init_tracing();
    let engine = args.engine.engine()?;
    let channels = Arc::new(load_channels(&args.channels.channels)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = Store::connect(&args.database.url()).await?;
        check_clinics(&store, &channels).await?;
        let state = cleanclaim_server::AppState::new(store.clone(), engine)?;
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        eprintln!(
            "cleanclaim listening for HL7 (MLLP) on {}",
            listener.local_addr()?
        );
        let options = cleanclaim_server::mllp::MllpOptions {
            max_frame: args.max_frame,
            ..Default::default()
        };
        cleanclaim_server::mllp::serve_mllp(
            listener,
            state,
            channels,
            options,
            crate::serve::shutdown(),
        )
        .await?;
        store.close().await;
        anyhow::Ok(())
    })?;
    Ok(Outcome::Clean)
}

/// The messages of a file (or a folder's `.hl7` files), each with where it came from.
/// The files of a folder with this extension (any case), sorted; or the path itself.
fn files_with(path: &Path, extension: &str) -> anyhow::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        let matches = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case(extension));
        return Ok(if matches {
            vec![path.to_path_buf()]
        } else {
            Vec::new()
        });
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .with_context(|| format!("reading the folder {}", path.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case(extension))
        })
        .collect();
    files.sort();
    Ok(files)
}

fn messages_in(files: Vec<PathBuf>) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut messages = Vec::new();
    for file in files {
        let bytes = crate::files::read_bytes(&file, "HL7 file", crate::files::RECORDS)?;
        let text = cleanclaim_hl7::decode(&bytes).with_context(|| file.display().to_string())?;
        let parts =
            cleanclaim_hl7::split_messages(&text).with_context(|| file.display().to_string())?;
        for (offset, message) in parts {
            messages.push((
                format!("{}@{offset}", file.display()),
                message.as_bytes().to_vec(),
            ));
        }
    }
    Ok(messages)
}

pub fn run_import(args: &ImportArgs) -> anyhow::Result<Outcome> {
    if args
        .path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    {
        return run_csv_import(args);
    }
    if args.mapping.is_some() {
        bail!("--mapping is for CSV exports; HL7 messages map through --channel files");
    }
    let bundles = files_with(&args.path, "json")?;
    let mut hl7_files = files_with(&args.path, "hl7")?;
    if !args.path.is_dir() && bundles.is_empty() {
        hl7_files = vec![args.path.clone()];
    }
    if bundles.is_empty() && hl7_files.is_empty() {
        bail!(
            "{} holds no .hl7 files or FHIR bundles (.json)",
            args.path.display()
        );
    }
    let mut outcome = Outcome::Clean;
    if !bundles.is_empty() {
        outcome = outcome.max(run_fhir_import(args, &bundles)?);
    }
    if hl7_files.is_empty() {
        return Ok(outcome);
    }
    let engine = args.engine.engine()?;
    let channels = load_channels(&args.channels.channels)?;
    let messages = messages_in(hl7_files)?;
    let (runtime, store) = setup::store(&args.database)?;
    runtime.block_on(async {
        check_clinics(&store, &channels).await?;
        let mut counts = [0usize; 5];
        for (origin, bytes) in &messages {
            let received = receive_hl7(&store, &engine, &channels, bytes).await;
            let (slot, line) = match &received.receipt {
                Receipt::Stored {
                    id,
                    status: Status::Processed,
                } => (0, format!("stored as message {id}")),
                Receipt::Stored { id, status } => (
                    1,
                    format!(
                        "kept in the error queue as message {id} ({})",
                        status.as_str()
                    ),
                ),
                Receipt::Duplicate { id } => (2, format!("already stored as message {id}")),
                Receipt::AckIgnored => (4, "an acknowledgment, not a message to import".to_owned()),
                Receipt::ControlIdReused { id } => (
                    3,
                    format!("refused: its control id was used by message {id}"),
                ),
                Receipt::Unreadable | Receipt::Failed(_) => {
                    (4, "refused: not readable or not stored".to_owned())
                }
            };
            if let Some(count) = counts.get_mut(slot) {
                *count += 1;
            }
            if slot != 0 {
                println!("{origin}: {line}");
            }
        }
        println!(
            "{} messages: {} stored, {} in the error queue, {} already stored, {} refused",
            messages.len(),
            counts[0],
            counts[1],
            counts[2],
            counts[3] + counts[4]
        );
        store.close().await;
        let clean = counts[1] + counts[3] + counts[4] == 0;
        anyhow::Ok(outcome.max(if clean {
            Outcome::Clean
        } else {
            Outcome::Findings
        }))
    })
}

/// FHIR bundles from files: each stored whole (one intake) or refused with its outcome.
fn run_fhir_import(args: &ImportArgs, files: &[PathBuf]) -> anyhow::Result<Outcome> {
    use cleanclaim_app::fhir::{BundleError, record_bundle};
    let engine = args.engine.engine()?;
    let (runtime, store) = setup::store(&args.database)?;
    let operator = cleanclaim_app::access::Principal::operator();
    let (mut stored, mut refused, mut visits) = (0usize, 0usize, 0usize);
    for file in files {
        let text = crate::files::read_text(file, "FHIR bundle", crate::files::RECORDS)?;
        let result = match cleanclaim_emr::fhir::read_bundle(&text, None) {
            Err(outcome) => Err(outcome),
            Ok(bundle) => {
                let count = bundle.encounters.len();
                match runtime.block_on(record_bundle(&store, &engine, &operator, bundle)) {
                    Ok(_) => Ok(count),
                    Err(BundleError::Refused(outcome) | BundleError::OutOfScope(outcome)) => {
                        Err(outcome)
                    }
                    Err(BundleError::Intake(error)) => return Err(error.into()),
                }
            }
        };
        match result {
            Ok(count) => {
                stored += 1;
                visits += count;
            }
            Err(outcome) => {
                refused += 1;
                for issue in &outcome.issues {
                    println!(
                        "{}: {}: {}",
                        file.display(),
                        issue.expression,
                        issue.diagnostics
                    );
                }
            }
        }
    }
    runtime.block_on(store.close());
    println!(
        "{} bundles: {stored} stored ({visits} visits), {refused} refused",
        files.len()
    );
    Ok(if refused == 0 {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

fn run_csv_import(args: &ImportArgs) -> anyhow::Result<Outcome> {
    use cleanclaim_emr::{CsvImport, CsvMapping, RejectedRow};
    if !args.channels.channels.is_empty() {
        bail!("--channel is for HL7 messages; a CSV export maps through --mapping");
    }
    let mapping = match &args.mapping {
        Some(path) => CsvMapping::from_toml(&crate::files::read_text(
            path,
            "CSV mapping",
            crate::files::SMALL,
        )?)
        .with_context(|| path.display().to_string())?,
        None => CsvMapping::default(),
    };
    let text = crate::files::read_text(&args.path, "CSV export", crate::files::RECORDS)?;
    let mut import =
        CsvImport::read(&text, &mapping).with_context(|| args.path.display().to_string())?;
    let engine = args.engine.engine()?;
    let (runtime, store) = setup::store(&args.database)?;
    let known: Vec<String> = runtime
        .block_on(store.clinics())?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let (encounters, unknown): (Vec<_>, Vec<_>) = std::mem::take(&mut import.encounters)
        .into_iter()
        .partition(|(e, _)| {
            e.administrative
                .location
                .as_ref()
                .is_some_and(|l| known.contains(l))
        });
    for (encounter, rows) in unknown {
        import.rejected.push(RejectedRow {
            row: rows.first().copied().unwrap_or(0),
            column: None,
            reason: format!(
                "visit {}: its clinic `{}` does not exist (`cleanclaim clinic add`, or `clinic` in the mapping)",
                encounter.id,
                encounter.administrative.location.as_deref().unwrap_or("")
            ),
        });
    }
    import.rejected.sort_by_key(|r| r.row);
    let visits: Vec<_> = encounters.into_iter().map(|(e, _)| e).collect();
    let report = runtime.block_on(cleanclaim_app::intake(
        &store,
        &engine,
        &cleanclaim_scrub::ContextData::default(),
        &visits,
        &[],
    ))?;
    runtime.block_on(store.close());
    for rejected in &import.rejected {
        match &rejected.column {
            Some(column) => println!(
                "{}: line {}, column {column}: {}",
                args.path.display(),
                rejected.row,
                rejected.reason
            ),
            None => println!(
                "{}: line {}: {}",
                args.path.display(),
                rejected.row,
                rejected.reason
            ),
        }
    }
    println!(
        "{} visits imported ({} new, {} corrected, {} unchanged); {} rows rejected",
        visits.len(),
        report.new_encounters,
        report.corrected,
        report.unchanged,
        import.rejected.len()
    );
    Ok(if import.rejected.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

pub fn run_interface(command: &InterfaceCommand) -> anyhow::Result<Outcome> {
    match command {
        InterfaceCommand::Errors { database, limit } => {
            let (runtime, store) = setup::store(database)?;
            let rows = runtime.block_on(store.inbound_unprocessed(*limit))?;
            for row in &rows {
                println!(
                    "{}\t{}\t{}^{}\t{}\t{}\t{}",
                    row.id,
                    row.status,
                    row.sending_application,
                    row.sending_facility,
                    row.control_id,
                    row.message_type,
                    row.received_at.format("%Y-%m-%dT%H:%M:%SZ")
                );
                let issues: Vec<serde_json::Value> = row
                    .issues
                    .as_deref()
                    .and_then(|i| serde_json::from_str(i).ok())
                    .unwrap_or_default();
                for issue in issues {
                    let at = issue
                        .get("location")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or("-");
                    let message = issue
                        .get("message")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default();
                    println!("    {at}: {message}");
                }
            }
            println!("{} messages waiting", rows.len());
            runtime.block_on(store.close());
            Ok(if rows.is_empty() {
                Outcome::Clean
            } else {
                Outcome::Findings
            })
        }
        InterfaceCommand::Reprocess {
            database,
            channels,
            engine,
            ids,
        } => {
            let engine = engine.engine()?;
            let channels = load_channels(&channels.channels)?;
            let (runtime, store) = setup::store(database)?;
            let only = (!ids.is_empty()).then_some(ids.as_slice());
            let done = runtime.block_on(async {
                check_clinics(&store, &channels).await?;
                anyhow::Ok(reprocess(&store, &engine, &channels, only).await?)
            })?;
            let processed = done
                .iter()
                .filter(|d| d.status == Status::Processed)
                .count();
            for item in &done {
                match item.status {
                    Status::Processed => println!("{}\tprocessed", item.id),
                    status => {
                        println!("{}\t{}", item.id, status.as_str());
                        for issue in &item.issues {
                            let at = issue
                                .location
                                .as_ref()
                                .map(ToString::to_string)
                                .unwrap_or_else(|| "-".into());
                            println!("    {at}: {}", issue.message);
                        }
                    }
                }
            }
            println!(
                "{} reprocessed: {processed} processed, {} still waiting",
                done.len(),
                done.len() - processed
            );
            runtime.block_on(store.close());
            Ok(if processed == done.len() {
                Outcome::Clean
            } else {
                Outcome::Findings
            })
        }
    }
}
