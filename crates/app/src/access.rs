//! Who is calling: users and roles, passwords (Argon2id), login sessions that expire after
//! inactivity, API tokens for integrations, and the scope each caller sees. The server and
//! the CLI (`cleanclaim user add`) both come here.
//!
//! Secrets are random 256-bit tokens shown once; the store keeps only their SHA-256. A login
//! that fails five times in a row locks the account for fifteen minutes; every login,
//! failed or not, is audited.

use std::fmt;
use std::str::FromStr;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use chrono::{DateTime, Duration, Utc};
use cleanclaim_store::{AuditEvent, AuditOutcome, NewUser, Scope, Store, StoreError, UserRow};
use sha2::{Digest, Sha256};

/// A session unused for this long has ended (HIPAA automatic logoff; reliability-anchors.md).
pub const SESSION_IDLE: Duration = Duration::minutes(20);
/// A session ends this long after login, however busy.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);
/// How stale a session's last use may be before a request records it again.
const SESSION_TOUCH: Duration = Duration::seconds(30);
/// Failed logins in a row that lock an account.
pub const MAX_FAILED_LOGINS: i32 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT: Duration = Duration::minutes(15);

/// What a session token starts with; an API token starts with [`API_TOKEN_PREFIX`].
const SESSION_PREFIX: &str = "ccs_";
const API_TOKEN_PREFIX: &str = "cct_";

/// What a user may do; each route of the service names the roles it admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Admin,
    Biller,
    Therapist,
    FrontDesk,
    Auditor,
    /// An EMR or other system, signing in with an API token.
    Integration,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Biller,
        Role::Therapist,
        Role::FrontDesk,
        Role::Auditor,
        Role::Integration,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Biller => "biller",
            Self::Therapist => "therapist",
            Self::FrontDesk => "front_desk",
            Self::Auditor => "auditor",
            Self::Integration => "integration",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = AccessError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| AccessError::UnknownRole(text.to_owned()))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Wrong user name or password; which of the two is not said.
    #[error("the user name or password is wrong")]
    BadCredentials,
    #[error("the account is locked after repeated failed logins until {until}")]
    Locked { until: DateTime<Utc> },
    /// No such token, a revoked one, or an ended session.
    #[error("the token is not valid (signed out, revoked, or never issued)")]
    InvalidToken,
    #[error("the session has expired; sign in again")]
    Expired,
    #[error("the account is disabled")]
    Disabled,
    #[error("`{0}` is not a role (admin, biller, therapist, front_desk, auditor, integration)")]
    UnknownRole(String),
    #[error("a password must be at least 12 characters")]
    WeakPassword,
    #[error("a therapist needs their NPI: they see the visits they rendered")]
    TherapistWithoutNpi,
    #[error("hashing the password: {0}")]
    Hash(String),
    #[error("the system's random source failed: {0}")]
    Random(String),
}

/// A caller the service has identified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    /// What they may see.
    pub scope: Scope,
}

impl Principal {
    /// The operator at the command line on the database's host: every clinic, audited as
    /// `cli:` and the account name the process runs under.
    pub fn operator() -> Self {
        let account = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "unknown".into());
        Self {
            user_id: 0,
            username: format!("cli:{account}"),
            role: Role::Admin,
            scope: Scope::everything(),
        }
    }

    /// An audit event of this caller.
    pub fn event(&self, action: &str, resource: &str, outcome: AuditOutcome) -> AuditEvent {
        AuditEvent {
            actor: self.username.clone(),
            action: action.to_owned(),
            resource: resource.to_owned(),
            resource_id: None,
            patient_id: None,
            clinic_id: None,
            outcome,
        }
    }
}

/// A user to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub username: String,
    /// None for an integration that signs in with API tokens only.
    pub password: Option<String>,
    pub role: Role,
    pub npi: Option<String>,
    pub all_clinics: bool,
    pub clinics: Vec<String>,
}

/// A successful login: the session token (shown once) and when it would expire if unused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub token: String,
    pub role: Role,
    pub idle_expires_at: DateTime<Utc>,
}

/// The SHA-256 of a token, as the store keeps it.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random token with the prefix, and its hash.
fn new_token(prefix: &str) -> Result<(String, String), AccessError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AccessError::Random(e.to_string()))?;
    let token = format!("{prefix}{}", hex::encode(bytes));
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// A random token for a form (the sign-in form's anti-forgery token): 32 bytes, hex.
pub fn form_token() -> Result<String, AccessError> {
    Ok(new_token("")?.0)
}

/// A random password for the first administrator: 24 characters from 62.
pub fn random_password() -> Result<String, AccessError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| AccessError::Random(e.to_string()))?;
    Ok(bytes
        .iter()
        .map(|b| {
            let index = usize::from(*b) % ALPHABET.len();
            ALPHABET.get(index).copied().map_or('x', char::from)
        })
        .collect())
}

/// Argon2id with the crate's defaults (m = 19 MiB, t = 2, p = 1: OWASP's floor), in PHC form.
pub fn hash_password(password: &str) -> Result<String, AccessError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| AccessError::Hash(e.to_string()))
}

fn password_matches(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// A hash of a random password (made once, with the same parameters as every user's), checked
/// when the user does not exist so that a wrong name takes as long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        random_password()
            .and_then(|password| hash_password(&password))
            .unwrap_or_default()
    })
}

/// Adds a user. A therapist must have an NPI; a password must have 12 characters.
pub async fn add_user(store: &Store, account: &NewAccount) -> Result<i64, AccessError> {
    if account.role == Role::Therapist && account.npi.is_none() {
        return Err(AccessError::TherapistWithoutNpi);
    }
    let password_hash = match &account.password {
        Some(password) if password.chars().count() < 12 => return Err(AccessError::WeakPassword),
        Some(password) => Some(hash_password(password)?),
        None => None,
    };
    let id = store
        .create_user(&NewUser {
            username: account.username.clone(),
            password_hash,
            role: account.role.as_str().to_owned(),
            npi: account.npi.clone(),
            all_clinics: account.all_clinics,
            clinics: account.clinics.clone(),
        })
        .await?;
    Ok(id)
}

/// The administrator a new installation starts with.
pub const FIRST_ADMIN: &str = "admin";

/// With no users yet, creates [`FIRST_ADMIN`] (every clinic) with a random password and
/// returns it, to be shown once. There is no default password. Two servers starting on one
/// new database create it once; the other returns `None`.
pub async fn ensure_first_admin(store: &Store) -> Result<Option<String>, AccessError> {
    if store.user_count().await? > 0 {
        return Ok(None);
    }
    let password = random_password()?;
    let account = NewAccount {
        username: FIRST_ADMIN.to_owned(),
        password: Some(password.clone()),
        role: Role::Admin,
        npi: None,
        all_clinics: true,
        clinics: Vec::new(),
    };
    match add_user(store, &account).await {
        Ok(_) => Ok(Some(password)),
        Err(AccessError::Store(StoreError::Conflict { .. })) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Issues an API token for a user (shown once).
pub async fn issue_api_token(
    store: &Store,
    username: &str,
    name: &str,
) -> Result<String, AccessError> {
    let user = store
        .user_by_name(username)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "user",
            key: username.to_owned(),
        })?;
    let (token, hash) = new_token(API_TOKEN_PREFIX)?;
    store.create_api_token(&hash, user.id, name).await?;
    Ok(token)
}

/// Checks a password and opens a session. Every attempt is audited; five failures in a row
/// lock the account.
pub async fn login(
    store: &Store,
    username: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<Login, AccessError> {
    let user = store.user_by_name(username).await?;
    let outcome = check_password(store, user.as_ref(), password, now).await;
    let audit_outcome = match &outcome {
        Ok(_) => AuditOutcome::Success,
        Err(AccessError::Store(_)) => AuditOutcome::Failed,
        Err(_) => AuditOutcome::Denied,
    };
    store
        .audit(&[AuditEvent {
            actor: username.to_owned(),
            action: "login".into(),
            resource: "session".into(),
            resource_id: None,
            patient_id: None,
            clinic_id: None,
            outcome: audit_outcome,
        }])
        .await?;
    let user = outcome?;
    let role: Role = user.role.parse()?;
    let (token, hash) = new_token(SESSION_PREFIX)?;
    store.create_session(&hash, user.id, now).await?;
    Ok(Login {
        token,
        role,
        idle_expires_at: now + SESSION_IDLE,
    })
}

async fn check_password(
    store: &Store,
    user: Option<&UserRow>,
    password: &str,
    now: DateTime<Utc>,
) -> Result<UserRow, AccessError> {
    let Some(user) = user else {
        password_matches(password, decoy_hash());
        return Err(AccessError::BadCredentials);
    };
    if let Some(until) = user.locked_until.filter(|until| *until > now) {
        return Err(AccessError::Locked { until });
    }
    let Some(hash) = &user.password_hash else {
        password_matches(password, decoy_hash());
        return Err(AccessError::BadCredentials);
    };
    if !password_matches(password, hash) {
        let lock = (user.failed_logins + 1 >= MAX_FAILED_LOGINS).then(|| now + LOCKOUT);
        store.record_login_failure(user.id, lock).await?;
        return Err(AccessError::BadCredentials);
    }
    if !user.active {
        return Err(AccessError::Disabled);
    }
    if user.failed_logins > 0 || user.locked_until.is_some() {
        store.record_login_success(user.id).await?;
    }
    Ok(user.clone())
}

/// Ends a session.
pub async fn logout(store: &Store, token: &str, now: DateTime<Utc>) -> Result<(), AccessError> {
    store.end_session(&token_hash(token), now).await?;
    Ok(())
}

/// Who a bearer token belongs to: a session (unused for less than [`SESSION_IDLE`], younger
/// than [`SESSION_LIFETIME`]; using it keeps it alive) or an API token.
pub async fn authenticate(
    store: &Store,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Principal, AccessError> {
    let hash = token_hash(token);
    let user = if token.starts_with(SESSION_PREFIX) {
        let session = store
            .session(&hash)
            .await?
            .ok_or(AccessError::InvalidToken)?;
        if now - session.last_seen_at > SESSION_IDLE || now - session.created_at > SESSION_LIFETIME
        {
            store.end_session(&hash, now).await?;
            return Err(AccessError::Expired);
        }
        // A write per request would serialise every reader on SQLite's one writer; the idle
        // clock only needs to know of use to within a small fraction of its 20 minutes.
        if now - session.last_seen_at > SESSION_TOUCH {
            store.touch_session(&hash, now).await?;
        }
        session.user
    } else if token.starts_with(API_TOKEN_PREFIX) {
        store
            .token_user(&hash)
            .await?
            .ok_or(AccessError::InvalidToken)?
    } else {
        return Err(AccessError::InvalidToken);
    };
    if !user.active {
        return Err(AccessError::Disabled);
    }
    let role: Role = user.role.parse()?;
    let clinics = if user.all_clinics {
        None
    } else {
        Some(store.user_clinics(user.id).await?)
    };
    let rendering_npi = match role {
        // A therapist without an NPI on file sees nothing rather than everything.
        Role::Therapist => Some(user.npi.clone().unwrap_or_default()),
        _ => None,
    };
    Ok(Principal {
        user_id: user.id,
        username: user.username,
        role,
        scope: Scope {
            clinics,
            rendering_npi,
        },
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn a_password_matches_its_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches("correct horse battery", &hash));
        assert!(!password_matches("correct horse batterY", &hash));
        assert!(
            PasswordHash::new(decoy_hash()).is_ok(),
            "the decoy costs a real check"
        );
        assert!(!password_matches("correct horse battery", decoy_hash()));
    }

    #[test]
    fn roles_read_back_from_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!(matches!(
            "root".parse::<Role>(),
            Err(AccessError::UnknownRole(_))
        ));
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, hash_a) = new_token(SESSION_PREFIX).unwrap();
        let (b, hash_b) = new_token(SESSION_PREFIX).unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with(SESSION_PREFIX));
        assert_eq!(a.len(), SESSION_PREFIX.len() + 64);
        // What is kept is the SHA-256 of the token, not the token.
        assert_eq!(hash_a, token_hash(&a));
        assert_eq!(hash_a.len(), 64);
        assert_ne!(hash_a, hash_b);
        assert_ne!(&hash_a, &a[SESSION_PREFIX.len()..]);
    }
}
