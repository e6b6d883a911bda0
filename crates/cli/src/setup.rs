//! Building the engine from the built-in data and the user's files: rule packs (`--rules`),
//! NCCI and MUE tables, context records. Every file is read and checked before the first
//! encounter is touched.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use cleanclaim_billing::pack::BUILTIN_PACKS;
use cleanclaim_billing::{Engine, FeeSchedule, MueTable, PtpTable, RulePacks};
use cleanclaim_scrub::ContextData;

/// The `*.toml` files of a folder, sorted by name, with their text.
pub fn read_pack_dir(dir: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read rule pack folder `{}`", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("`{}` holds no rule packs (*.toml)", dir.display());
    }
    files
        .into_iter()
        .map(|path| {
            let text = crate::files::read_text(&path, "rule pack", crate::files::SMALL)?;
            Ok((path.display().to_string(), text))
        })
        .collect()
}

/// The built-in packs with the user's packs from `dir` replacing or added to them.
pub fn packs(engine: &Engine, dir: Option<&Path>) -> anyhow::Result<RulePacks> {
    let user = match dir {
        Some(dir) => read_pack_dir(dir)?,
        None => Vec::new(),
    };
    let user: Vec<(&str, &str)> = user.iter().map(|(f, t)| (f.as_str(), t.as_str())).collect();
    Ok(RulePacks::load(&BUILTIN_PACKS, &user, engine.diagnoses())?)
}

/// The engine with the user's data files in place of the built-in samples.
pub fn engine(
    rules: Option<&Path>,
    ncci: Option<&Path>,
    mue: Option<&Path>,
) -> anyhow::Result<Engine> {
    let mut engine = Engine::builtin().context("built-in reference data is broken")?;
    if rules.is_some() {
        let packs = packs(&engine, rules)?;
        engine = engine.with_packs(packs);
    }
    if let Some(path) = ncci {
        let bytes = read(path)?;
        engine = engine.with_ptp(PtpTable::parse(&path.display().to_string(), &bytes)?);
    }
    if let Some(path) = mue {
        let bytes = read(path)?;
        engine = engine.with_mue(MueTable::parse(&path.display().to_string(), &bytes)?);
    }
    Ok(engine)
}

/// Adds a fee schedule (docs/rule-packs.md, "Fee schedule"): the KX threshold then counts
/// allowed amounts instead of billed charges.
pub fn with_fee_schedule(engine: Engine, path: Option<&Path>) -> anyhow::Result<Engine> {
    let Some(path) = path else {
        return Ok(engine);
    };
    let bytes = read(path)?;
    Ok(engine.with_fee_schedule(FeeSchedule::parse(&path.display().to_string(), &bytes)?))
}

/// The context records of a folder: each known file that exists.
pub fn context(dir: Option<&Path>) -> anyhow::Result<ContextData> {
    let mut context = ContextData::default();
    let Some(dir) = dir else {
        return Ok(context);
    };
    if dir.is_file() {
        bail!(
            "--context `{}` is a file; it takes the folder that holds plans_of_care.json, authorizations.json, prior_usage.json and schedule.json",
            dir.display()
        );
    }
    if !dir.is_dir() {
        bail!("context folder `{}` does not exist", dir.display());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "json") {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = crate::files::read_text(&path, "context file", crate::files::RECORDS)?;
            context
                .add_file(&name, &text)
                .with_context(|| format!("in context folder `{}`", dir.display()))?;
        }
    }
    Ok(context)
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    crate::files::read_bytes(path, "CMS table", crate::files::TABLE)
}

/// Where the store is. With no `--database` and no environment, an SQLite file in the working
/// directory: nothing to set up.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseArgs {
    /// The database: `sqlite://FILE` or `postgres://user@host:port/database`. Default:
    /// CLEANCLAIM_DATABASE, else DATABASE_URL, else the SQLite file `cleanclaim.db` here.
    #[arg(
        long = "database",
        visible_alias = "database-url",
        env = "CLEANCLAIM_DATABASE"
    )]
    database: Option<String>,
}

impl DatabaseArgs {
    pub fn url(&self) -> String {
        self.database
            .clone()
            .or_else(|| std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()))
            .unwrap_or_else(|| format!("sqlite://{}", cleanclaim_store::DEFAULT_SQLITE_FILE))
    }
}

/// A current-thread runtime and a connected, migrated store: the CLI blocks on the few
/// store calls a command makes. Says so when it creates an SQLite file.
pub fn store(
    database: &DatabaseArgs,
) -> anyhow::Result<(tokio::runtime::Runtime, cleanclaim_store::Store)> {
    let (runtime, store) = open(database)?;
    runtime.block_on(store.migrate())?;
    Ok((runtime, store))
}

/// As [`store`], without applying migrations.
pub fn open(
    database: &DatabaseArgs,
) -> anyhow::Result<(tokio::runtime::Runtime, cleanclaim_store::Store)> {
    let url = database.url();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let new_file = sqlite_path(&url).filter(|path| !path.exists());
    let store = runtime.block_on(cleanclaim_store::Store::open(&url))?;
    if let Some(path) = new_file {
        let shown = std::fs::canonicalize(&path).unwrap_or(path);
        eprintln!(
            "cleanclaim: created the database {} (SQLite; --database or CLEANCLAIM_DATABASE names another)",
            shown.display()
        );
    }
    Ok((runtime, store))
}

/// The file an `sqlite:` URL names.
fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or(rest);
    // `sqlite::memory:` and the like name no file.
    (!path.starts_with(':')).then(|| std::path::PathBuf::from(path))
}

/// A date argument: `YYYY-MM-DD`, or `today` (this machine's local date).
pub fn date_or_today(text: &str) -> Result<chrono::NaiveDate, String> {
    if text == "today" {
        return Ok(chrono::Local::now().date_naive());
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date (YYYY-MM-DD) or `today`"))
}
