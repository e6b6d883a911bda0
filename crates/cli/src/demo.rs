//! `cleanclaim demo`: a synthetic organization's months through intake, scrub, claims, the
//! payer simulator and posting on an embedded SQLite database, with a baseline period where the
//! scrubber only observes and a period where holds are worked; then the before/after figures,
//! and the dashboard served on loopback (`app::demo` has the workflow).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use clap::Args;
use cleanclaim_app::kpi_periods::period_figures;
use cleanclaim_app::kpis::{KpiFilter, KpiIndex};
use cleanclaim_app::{DemoEvent, DemoOptions, DemoReport, access, run_demo};
use cleanclaim_store::{Clock, Store};
use cleanclaim_synth::Organization;

use crate::generate_org::{OrgShape, months_ago};
use crate::{Outcome, setup};

/// The billing profile the demo's claims are written with (the example clinic's).
const PROFILE: &str = include_str!("../../../examples/billing.toml");

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    shape: OrgShape,
    /// Months of visits; the first half (rounded down) is the baseline.
    #[arg(long, default_value_t = 6)]
    months: u32,
    /// Months in which the scrubber only observes (default: half the period).
    #[arg(long)]
    baseline_months: Option<u32>,
    /// The first day of the period (default: the first of the month `months` + 2 before today,
    /// so the run-out ends before today).
    #[arg(long)]
    start: Option<NaiveDate>,
    /// The folder for the database (`demo.db`) and, with --keep-files, the X12 files. It must
    /// not hold a demo database already.
    #[arg(long, default_value = "cleanclaim-demo")]
    dir: PathBuf,
    /// Keep every 837P, 999, 277CA and 835 in DIR/x12.
    #[arg(long)]
    keep_files: bool,
    /// Serve the dashboard on this address when done.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Print the figures and stop, without serving.
    #[arg(long)]
    no_serve: bool,
}

pub fn run(args: &DemoArgs) -> anyhow::Result<Outcome> {
    if args.months < 2 {
        anyhow::bail!("--months must be at least 2: a baseline and a worked period");
    }
    let baseline_months = args.baseline_months.unwrap_or(args.months / 2);
    if baseline_months == 0 || baseline_months >= args.months {
        anyhow::bail!("--baseline-months must leave both periods at least a month");
    }
    let start = args.start.unwrap_or_else(|| months_ago(args.months + 2));
    let spec = args.shape.spec(args.months, start)?;
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create `{}`", args.dir.display()))?;
    let db_path = args.dir.join("demo.db");
    if db_path.exists() {
        anyhow::bail!(
            "`{}` exists: remove it, or give another --dir",
            db_path.display()
        );
    }
    let files = args.keep_files.then(|| args.dir.join("x12"));
    if let Some(folder) = &files {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create `{}`", folder.display()))?;
    }
    let engine = setup::engine(None, None, None)?;
    let options = DemoOptions {
        baseline_months,
        profile: toml::from_str(PROFILE).context("the built-in billing profile")?,
        payer_rules: cleanclaim_payer::Rules::builtin()?,
        categories: cleanclaim_remit::CategoryMap::builtin()?,
    };
    // Bound before the run, so a port in use is said at once rather than after the months.
    let listener =
        if args.no_serve {
            None
        } else {
            Some(std::net::TcpListener::bind(args.listen).with_context(|| {
                format!("cannot listen on {} (give another --listen)", args.listen)
            })?)
        };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let url = format!("sqlite://{}", db_path.display());
        let clock = Clock::simulated(start.and_hms_opt(8, 0, 0).unwrap_or_default().and_utc());
        let store = Store::connect(&url).await?.with_clock(clock.clone());
        let org = Organization::new(spec);
        for clinic in &org.clinics {
            store
                .put_clinic(&cleanclaim_store::Clinic {
                    id: clinic.id.clone(),
                    name: clinic.name.clone(),
                })
                .await?;
        }
        eprintln!(
            "cleanclaim demo: {} clinics, {} months from {start} ({} of baseline), seed {}, into {}",
            org.clinics.len(),
            args.months,
            baseline_months,
            args.shape.seed(),
            db_path.display()
        );
        let began = Instant::now();
        let mut write_error: Option<anyhow::Error> = None;
        let report = run_demo(&store, &clock, &engine, org, &options, |event| match event {
            DemoEvent::Week { date, counts } => {
                if date.day() <= 7 {
                    eprintln!(
                        "  {date}: {} visits, {} claims sent, {} paid, {} denied, {} rejected ({:.0} s)",
                        counts.visits,
                        counts.claims,
                        counts.paid,
                        counts.denied,
                        counts.rejected_front_end,
                        began.elapsed().as_secs_f64()
                    );
                }
            }
            DemoEvent::File { date, kind, text } => {
                if let Some(folder) = &files
                    && write_error.is_none()
                    && let Err(error) = keep(folder, date, kind, text)
                {
                    write_error = Some(error);
                }
            }
        })
        .await?;
        if let Some(error) = write_error {
            return Err(error);
        }
        let facts = KpiIndex::build(&store.kpi_facts().await?);
        print_summary(&report, &facts, began.elapsed().as_secs_f64());
        let Some(listener) = listener else {
            store.close().await;
            return anyhow::Ok(());
        };
        serve(store, engine, options, listener).await
    })?;
    Ok(Outcome::Clean)
}

/// Writes one file of the exchange as DIR/x12/DATE-N.KIND.
fn keep(folder: &Path, date: NaiveDate, kind: &str, text: &str) -> anyhow::Result<()> {
    let path = (1..)
        .map(|n| folder.join(format!("{date}-{n}.{kind}")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| folder.join(format!("{date}.{kind}")));
    std::fs::write(&path, text).with_context(|| format!("cannot write `{}`", path.display()))
}

fn print_summary(report: &DemoReport, facts: &KpiIndex, seconds: f64) {
    let c = &report.counts;
    println!(
        "\n{} visits; {} claims in {} files: {} paid, {} denied, {} rejected at the front end; {} holds corrected, {} authorizations granted ({seconds:.1} s)",
        c.visits,
        c.claims,
        c.files,
        c.paid,
        c.denied,
        c.rejected_front_end,
        c.corrected,
        c.authorized
    );
    let steps = report
        .times
        .steps()
        .map(|(name, time)| format!("{name} {:.1} s", time.as_secs_f64()));
    println!("Where the time went: {}", steps.join(", "));
    // Each period is counted the same time after it ended: the run-out.
    let [before, after] = [report.baseline, report.worked].map(|range| {
        period_figures(
            facts,
            &KpiFilter::default(),
            range,
            cleanclaim_app::RUN_OUT_DAYS,
            None,
        )
    });
    print!(
        "{}",
        crate::kpi_compare::table(
            [
                &format!("baseline {}", report.baseline.0),
                &format!("worked {}", report.worked.0)
            ],
            [&before, &after]
        )
    );
}

async fn serve(
    store: Store,
    engine: cleanclaim_billing::Engine,
    options: DemoOptions,
    listener: std::net::TcpListener,
) -> anyhow::Result<()> {
    let password = access::ensure_first_admin(&store).await?;
    let state = cleanclaim_server::AppState::with_billing(
        store.clone(),
        engine,
        Some(options.profile),
        options.categories,
    );
    let address = listener.local_addr()?;
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    println!("\nThe dashboard: http://{address}/dashboard");
    match password {
        Some(password) => println!(
            "Sign in as `{}` with the password {password}",
            access::FIRST_ADMIN
        ),
        None => println!("Sign in as `{}`", access::FIRST_ADMIN),
    }
    println!("Ctrl-C stops the server; the database stays in its folder.");
    cleanclaim_server::serve(
        listener,
        state,
        cleanclaim_server::ServeOptions::default(),
        crate::serve::shutdown(),
    )
    .await?;
    store.close().await;
    Ok(())
}
