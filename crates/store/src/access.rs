//! Who may use the service: clinics, users and the clinics they are assigned to, login
//! sessions and API tokens. Secrets are never stored: a password as its Argon2id PHC string
//! (hashed by the caller), a session or API token as its SHA-256.

use chrono::{DateTime, Utc};

use crate::connect::Db;
use crate::{Store, StoreError};

/// A clinic (location).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Clinic {
    pub id: String,
    pub name: String,
}

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: Option<String>,
    pub role: String,
    pub npi: Option<String>,
    pub all_clinics: bool,
    pub active: bool,
    pub failed_logins: i32,
    pub locked_until: Option<DateTime<Utc>>,
}

const USER_COLUMNS: &str =
    "id, username, password_hash, role, npi, all_clinics, active, failed_logins, locked_until";

/// A user to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub password_hash: Option<String>,
    pub role: String,
    pub npi: Option<String>,
    pub all_clinics: bool,
    pub clinics: Vec<String>,
}

/// A login session as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

impl Store {
    /// Adds a clinic, or renames it.
    pub async fn put_clinic(&self, clinic: &Clinic) -> Result<(), StoreError> {
        crate::on_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO clinics (id, name, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name",
            )
            .bind(&clinic.id)
            .bind(&clinic.name)
            .bind(Utc::now())
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn clinics(&self) -> Result<Vec<Clinic>, StoreError> {
        Ok(crate::on_pool!(&self.db, pool => {
            sqlx::query_as("SELECT id, name FROM clinics ORDER BY id").fetch_all(pool).await?
        }))
    }

    /// Creates a user with their clinics, in one transaction. A name already taken is
    /// [`StoreError::Conflict`]; a clinic that does not exist is [`StoreError::NotFound`].
    pub async fn create_user(&self, user: &NewUser) -> Result<i64, StoreError> {
        macro_rules! create {
            ($pool:expr) => {{
                let mut tx = $pool.begin().await?;
                let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
                    .bind(&user.username)
                    .fetch_optional(&mut *tx)
                    .await?;
                if taken.is_some() {
                    return Err(StoreError::Conflict {
                        what: "user",
                        key: user.username.clone(),
                    });
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO users (username, password_hash, role, npi, all_clinics, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(&user.username)
                .bind(user.password_hash.as_deref())
                .bind(&user.role)
                .bind(user.npi.as_deref())
                .bind(user.all_clinics)
                .bind(Utc::now())
                .fetch_one(&mut *tx)
                .await
                .map_err(|error| match error.as_database_error() {
                    // Another session added the same name since the check above.
                    Some(db) if db.is_unique_violation() => StoreError::Conflict {
                        what: "user",
                        key: user.username.clone(),
                    },
                    _ => StoreError::from(error),
                })?;
                for clinic in &user.clinics {
                    let known: Option<String> =
                        sqlx::query_scalar("SELECT id FROM clinics WHERE id = $1")
                            .bind(clinic)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if known.is_none() {
                        return Err(StoreError::NotFound {
                            what: "clinic",
                            key: clinic.clone(),
                        });
                    }
                    sqlx::query("INSERT INTO user_clinics (user_id, clinic_id) VALUES ($1, $2)")
                        .bind(id)
                        .bind(clinic)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                id
            }};
        }
        Ok(match &self.db {
            Db::Postgres(pool) => create!(pool),
            Db::Sqlite(pool) => create!(pool),
        })
    }

    pub async fn user_count(&self) -> Result<i64, StoreError> {
        Ok(crate::on_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await?
        }))
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<UserRow>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        Ok(crate::on_pool!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(pool).await?
        }))
    }

    /// The clinics a user is assigned to.
    pub async fn user_clinics(&self, user_id: i64) -> Result<Vec<String>, StoreError> {
        Ok(crate::on_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT clinic_id FROM user_clinics WHERE user_id = $1 ORDER BY clinic_id")
                .bind(user_id)
                .fetch_all(pool)
                .await?
        }))
    }

    /// Records a failed password: the count goes up, and the account locks until `lock_until`
    /// when given.
    pub async fn record_login_failure(
        &self,
        user_id: i64,
        lock_until: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        crate::on_pool!(&self.db, pool => {
            sqlx::query(
                "UPDATE users SET failed_logins = CASE WHEN $2 IS NULL THEN failed_logins + 1 ELSE 0 END,
                   locked_until = COALESCE($2, locked_until)
                 WHERE id = $1",
            )
            .bind(user_id)
            .bind(lock_until)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn record_login_success(&self, user_id: i64) -> Result<(), StoreError> {
        crate::on_pool!(&self.db, pool => {
            sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
                .bind(user_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        crate::on_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The open session with this token hash, and its user.
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let sql = format!(
            "SELECT s.created_at, s.last_seen_at, {} FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.ended_at IS NULL",
            prefixed("u", USER_COLUMNS)
        );
        Ok(crate::on_pool!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(token_hash)
                .fetch_optional(pool)
                .await?
        }))
    }

    pub async fn touch_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        crate::on_pool!(&self.db, pool => {
            sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
                .bind(token_hash)
                .bind(now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn end_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        crate::on_pool!(&self.db, pool => {
            sqlx::query("UPDATE sessions SET ended_at = $2 WHERE token_hash = $1 AND ended_at IS NULL")
                .bind(token_hash)
                .bind(now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn create_api_token(
        &self,
        token_hash: &str,
        user_id: i64,
        name: &str,
    ) -> Result<(), StoreError> {
        crate::on_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(name)
            .bind(Utc::now())
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The user of an API token that has not been revoked.
    pub async fn token_user(&self, token_hash: &str) -> Result<Option<UserRow>, StoreError> {
        let sql = format!(
            "SELECT {} FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
            prefixed("u", USER_COLUMNS)
        );
        Ok(crate::on_pool!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(token_hash).fetch_optional(pool).await?
        }))
    }
}

fn prefixed(alias: &str, columns: &str) -> String {
    columns
        .split(", ")
        .map(|column| format!("{alias}.{column}"))
        .collect::<Vec<_>>()
        .join(", ")
}
