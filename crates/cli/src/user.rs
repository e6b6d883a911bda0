//! `cleanclaim user add|token` and `cleanclaim clinic add|list`: the organization, for an
//! administrator at the server's console (the API does the same for a signed-in admin).

use std::io::{BufRead, Write};

use anyhow::Context;
use clap::{Args, Subcommand};
use cleanclaim_app::access::{self, NewAccount, Role};
use cleanclaim_store::Clinic;

use crate::Outcome;
use crate::setup::{self, DatabaseArgs};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. The password is read from standard input (`--password-stdin`), or made
    /// at random and printed once.
    Add(AddArgs),
    /// Issue an API token for a user (an EMR integration); printed once, only its hash kept.
    Token {
        #[command(flatten)]
        database: DatabaseArgs,
        username: String,
        /// What the token is for.
        #[arg(long, default_value = "api")]
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    username: String,
    /// admin, biller, therapist, front_desk, auditor or integration.
    #[arg(long)]
    role: String,
    /// A clinic the user sees (repeat for several).
    #[arg(long = "clinic")]
    clinics: Vec<String>,
    /// The user sees every clinic.
    #[arg(long)]
    all_clinics: bool,
    /// A therapist's NPI: they see the visits they rendered.
    #[arg(long)]
    npi: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
    /// No password: the user signs in with API tokens only (an integration).
    #[arg(long, conflicts_with = "password_stdin")]
    no_password: bool,
}

pub fn run(command: &UserCommand) -> anyhow::Result<Outcome> {
    match command {
        UserCommand::Add(args) => add(args),
        UserCommand::Token {
            database,
            username,
            name,
        } => {
            let (runtime, store) = setup::store(database)?;
            let token = runtime.block_on(access::issue_api_token(&store, username, name))?;
            let mut out = crate::output::stdout();
            writeln!(out, "{token}")?;
            out.flush()?;
            eprintln!("the token is shown only now; send it as `Authorization: Bearer <token>`");
            Ok(Outcome::Clean)
        }
    }
}

fn add(args: &AddArgs) -> anyhow::Result<Outcome> {
    let role: Role = args.role.parse()?;
    let (password, generated) = if args.no_password {
        (None, false)
    } else if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        (Some(line.trim_end_matches(['\r', '\n']).to_owned()), false)
    } else {
        (Some(access::random_password()?), true)
    };
    let (runtime, store) = setup::store(&args.database)?;
    let account = NewAccount {
        username: args.username.clone(),
        password: password.clone(),
        role,
        npi: args.npi.clone(),
        all_clinics: args.all_clinics,
        clinics: args.clinics.clone(),
    };
    runtime.block_on(access::add_user(&store, &account))?;
    eprintln!("added {} ({role})", args.username);
    if let (true, Some(password)) = (generated, password) {
        eprintln!("password (shown only now): {password}");
    }
    Ok(Outcome::Clean)
}

#[derive(Debug, Subcommand)]
pub enum ClinicCommand {
    /// Add a clinic (location), or rename one.
    Add {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Its id, as encounters name it in `administrative.location`.
        id: String,
        name: String,
    },
    /// List the clinics.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

pub fn run_clinic(command: &ClinicCommand) -> anyhow::Result<Outcome> {
    match command {
        ClinicCommand::Add { database, id, name } => {
            let (runtime, store) = setup::store(database)?;
            runtime.block_on(store.put_clinic(&Clinic {
                id: id.clone(),
                name: name.clone(),
            }))?;
            eprintln!("clinic {id} saved");
        }
        ClinicCommand::List { database } => {
            let (runtime, store) = setup::store(database)?;
            let mut out = crate::output::stdout();
            for clinic in runtime.block_on(store.clinics())? {
                writeln!(out, "{}\t{}", clinic.id, clinic.name)?;
            }
            out.flush()?;
        }
    }
    Ok(Outcome::Clean)
}
