#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! The README's service commands, as a user runs them: `serve` with no configuration starts on
//! an SQLite file and prints the first admin's password once; that password signs in; `clinic
//! add` and `user add` work on the same file; `audit verify` finds the chain intact, and names
//! a row edited behind its back.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use cleanclaim_test_support::TestDatabase;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A bare HTTP/1.1 exchange: the status code and the body.
fn http(address: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn cleanclaim(database: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cleanclaim"))
        .args(args)
        .env("CLEANCLAIM_DATABASE", database)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap()
}

#[test]
fn serve_starts_with_no_configuration_and_its_first_admin_signs_in() {
    let database = TestDatabase::sqlite();
    let folder = database
        .url()
        .trim_start_matches("sqlite://")
        .replace("/cleanclaim.db", "");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cleanclaim"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(&folder)
        .env_remove("CLEANCLAIM_DATABASE")
        .env_remove("DATABASE_URL")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let server = Running(child);
    let mut lines = BufReader::new(stderr).lines();
    let mut password = None;
    let mut address = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        let trimmed = line.trim();
        if line.starts_with("    ") && !trimmed.is_empty() {
            password = Some(trimmed.to_owned());
        }
        if let Some(rest) = line.strip_prefix("cleanclaim serving on http://") {
            address = rest.split_whitespace().next().map(str::to_owned);
            break;
        }
    }
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let (password, address) = (password.unwrap(), address.unwrap());
    assert!(password.len() >= 20, "a random password, not a default one");
    assert!(
        std::path::Path::new(&folder).join("cleanclaim.db").exists(),
        "the SQLite file in the working directory"
    );

    let (status, body) = http(&address, "GET", "/api/health", "");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("sqlite"));
    let (status, body) = http(
        &address,
        "POST",
        "/api/session",
        &format!(r#"{{"username":"admin","password":"{password}"}}"#),
    );
    assert_eq!(status, 201, "{body}");
    let (status, _) = http(
        &address,
        "POST",
        "/api/session",
        r#"{"username":"admin","password":"admin"}"#,
    );
    assert_eq!(status, 401, "no default password");
    drop(server);

    let url = database.url().to_owned();
    let added = cleanclaim(&url, &["clinic", "add", "north", "North Clinic"]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let added = cleanclaim(
        &url,
        &[
            "user", "add", "ana", "--role", "biller", "--clinic", "north",
        ],
    );
    let stderr = String::from_utf8_lossy(&added.stderr);
    assert!(added.status.success(), "{stderr}");
    assert!(stderr.contains("password (shown only now)"), "{stderr}");
    let unknown = cleanclaim(
        &url,
        &["user", "add", "bo", "--role", "biller", "--clinic", "west"],
    );
    assert!(!unknown.status.success(), "a clinic that does not exist");

    let verified = cleanclaim(&url, &["audit", "verify"]);
    let out = String::from_utf8_lossy(&verified.stdout);
    assert_eq!(verified.status.code(), Some(0), "{out}");
    assert!(out.contains("intact"), "{out}");
    let head = out
        .lines()
        .find_map(|l| l.split_once("head ").map(|(_, h)| h.to_owned()))
        .unwrap();
    let verified = cleanclaim(&url, &["audit", "verify", "--expect-head", &head]);
    assert_eq!(verified.status.code(), Some(0));
    let verified = cleanclaim(&url, &["audit", "verify", "--expect-head", "1:00ff"]);
    assert_eq!(
        verified.status.code(),
        Some(1),
        "a head that is not in the chain"
    );
}
