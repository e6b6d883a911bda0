//! `cleanclaim serve`: the REST API on the store, until Ctrl-C or SIGTERM. With no users yet,
//! it creates an administrator with a random password and prints it once.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use cleanclaim_app::access;

use crate::Outcome;
use crate::setup::{self, DatabaseArgs};

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The address to listen on. Loopback by default; give a certificate (`--tls-cert`,
    /// `--tls-key`) or put a TLS-terminating proxy in front before opening it to a network.
    #[arg(long, default_value = "127.0.0.1:8080", env = "CLEANCLAIM_LISTEN")]
    listen: SocketAddr,
    /// A folder of rule packs (*.toml) replacing or added to the built-in ones.
    #[arg(long)]
    rules: Option<PathBuf>,
    /// An NCCI PTP edits file in CMS's layout.
    #[arg(long)]
    ncci: Option<PathBuf>,
    /// An MUE table in CMS's CSV layout.
    #[arg(long)]
    mue: Option<PathBuf>,
    /// The billing profile claim batches are written with (see docs/claims.md); without
    /// one, `POST /api/claim-batches` is refused.
    #[arg(long)]
    profile: Option<PathBuf>,
    /// Serve HTTPS with this PEM certificate chain (with `--tls-key`).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of `--tls-cert`.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Background workers in this process (posting 835s sent with `?background=true`).
    /// Several processes on one PostgreSQL share the jobs; 0 leaves them to the others.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// CARC/RARC category entries that replace the built-in ones (as `remit --categories`).
    #[arg(long)]
    categories: Option<PathBuf>,
    /// Also listen for HL7 v2 over MLLP on this address (as `cleanclaim listen`), with the
    /// channel files of `--channel`.
    #[arg(long, requires = "channels")]
    mllp: Option<SocketAddr>,
    /// A channel file or folder for `--mllp` (see docs/interfaces.md). Repeat for several.
    #[arg(long = "channel")]
    channels: Vec<PathBuf>,
}

/// Logs to standard error (never message content: see the server's log module).
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}

pub fn run(args: &ServeArgs) -> anyhow::Result<Outcome> {
    init_tracing();
    let channels = match &args.mllp {
        Some(_) => Some(std::sync::Arc::new(crate::interface::load_channels(
            &args.channels,
        )?)),
        None => None,
    };
    let engine = setup::engine(
        args.rules.as_deref(),
        args.ncci.as_deref(),
        args.mue.as_deref(),
    )?;
    let profile = match &args.profile {
        Some(path) => {
            let text = crate::files::read_text(path, "billing profile", crate::files::SMALL)?;
            let profile: cleanclaim_x12::x837::BillingProfile = toml::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message()))?;
            Some(profile)
        }
        None => None,
    };
    let mut categories = cleanclaim_remit::CategoryMap::builtin()?;
    if let Some(path) = &args.categories {
        let text = crate::files::read_text(path, "category file", crate::files::SMALL)?;
        categories = categories.with_overrides(&path.display().to_string(), &text)?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = cleanclaim_store::Store::connect(&args.database.url()).await?;
        if let Some(password) = access::ensure_first_admin(&store).await? {
            eprintln!(
                "no users yet: created `{}` (admin, every clinic) with the password\n\n    {password}\n\nIt is shown only now. Sign in and add users (POST /api/users, or `cleanclaim user add`).",
                access::FIRST_ADMIN
            );
        }
        let state =
            cleanclaim_server::AppState::with_billing(store.clone(), engine, profile, categories);
        if let (Some(address), Some(channels)) = (args.mllp, channels) {
            crate::interface::check_clinics(&store, &channels).await?;
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .with_context(|| format!("cannot listen for MLLP on {address}"))?;
            eprintln!("cleanclaim listening for HL7 (MLLP) on {}", listener.local_addr()?);
            let state = state.clone();
            tokio::spawn(async move {
                let options = cleanclaim_server::mllp::MllpOptions::default();
                if let Err(error) = cleanclaim_server::mllp::serve_mllp(listener, state, channels, options, shutdown()).await {
                    tracing::error!(%error, "the MLLP listener stopped");
                }
            });
        }
        let options = cleanclaim_server::ServeOptions {
            workers: args.workers,
            ..cleanclaim_server::ServeOptions::default()
        };
        let listener = std::net::TcpListener::bind(args.listen)
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let address = listener.local_addr()?;
        match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => {
                let cert_pem =
                    crate::files::read_bytes(cert, "certificate", crate::files::SMALL)?;
                let key_pem = crate::files::read_bytes(key, "private key", crate::files::SMALL)?;
                eprintln!(
                    "cleanclaim serving on https://{address} (OpenAPI at /api/openapi.json)"
                );
                cleanclaim_server::serve_tls(listener, state, options, shutdown(), cert_pem, key_pem)
                    .await
                    .context("serving HTTPS (is the certificate and key PEM, and do they match?)")?;
            }
            _ => {
                listener.set_nonblocking(true)?;
                let listener = tokio::net::TcpListener::from_std(listener)?;
                eprintln!(
                    "cleanclaim serving on http://{address} (OpenAPI at /api/openapi.json)"
                );
                cleanclaim_server::serve(listener, state, options, shutdown()).await?;
            }
        }
        store.close().await;
        anyhow::Ok(())
    })?;
    Ok(Outcome::Clean)
}

/// Completes on Ctrl-C, or SIGTERM where there is one.
pub async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
