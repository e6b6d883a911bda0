//! A person working a queue item (assign, comment, change its status), with the audit events
//! of the action written in the same transaction: an action is never kept without its audit
//! row, nor an audit row without its action.

use crate::audit::{AuditEvent, append};
use crate::connect::{Conn, Db};
use crate::{Store, StoreError};

/// What to do to a queue item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueAction {
    Assign {
        owner: String,
    },
    Comment {
        author: String,
        text: String,
    },
    /// `resolved`, `billed`, `denied` and `patient_pay` end the item's stay;
    /// `extension_requested` and `open` keep it in its queue.
    Status {
        status: String,
    },
}

/// Statuses that end a stay in a queue.
pub const ENDING_STATUSES: [&str; 4] = ["resolved", "billed", "denied", "patient_pay"];

impl Store {
    /// Applies an action to an item and appends `events`, in one transaction. `false` (and
    /// nothing kept) when no item has this id, or (assign, status) none that is open.
    pub async fn act_on_queue_item(
        &self,
        item_id: i64,
        action: &QueueAction,
        events: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        let now = self.now();
        macro_rules! act {
            ($tx:expr) => {{
                let changed = match action {
                    QueueAction::Assign { owner } => sqlx::query(
                        "UPDATE queue_items SET owner = $2 WHERE id = $1 AND left_at IS NULL",
                    )
                    .bind(item_id)
                    .bind(owner)
                    .execute(&mut *$tx)
                    .await?
                    .rows_affected(),
                    QueueAction::Comment { author, text } => sqlx::query(
                        "INSERT INTO queue_comments (item_id, author, text, written_at)
                         SELECT id, $2, $3, $4 FROM queue_items WHERE id = $1",
                    )
                    .bind(item_id)
                    .bind(author)
                    .bind(text)
                    .bind(now)
                    .execute(&mut *$tx)
                    .await?
                    .rows_affected(),
                    QueueAction::Status { status } => sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE queue_items SET status = $2,
                           left_at = CASE WHEN $3 THEN $4 ELSE left_at END,
                           ended_seq = CASE WHEN $3 THEN {} ELSE ended_seq END
                         WHERE id = $1 AND left_at IS NULL",
                        crate::pipeline::next_ended_seq(self.backend())
                    )))
                    .bind(item_id)
                    .bind(status)
                    .bind(ENDING_STATUSES.contains(&status.as_str()))
                    .bind(now)
                    .execute(&mut *$tx)
                    .await?
                    .rows_affected(),
                };
                changed
            }};
        }
        match &self.db {
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                if act!(tx) != 1 {
                    return Ok(false);
                }
                append(Conn::Postgres(&mut tx), events).await?;
                tx.commit().await?;
            }
            Db::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                if act!(tx) != 1 {
                    return Ok(false);
                }
                append(Conn::Sqlite(&mut tx), events).await?;
                tx.commit().await?;
            }
        }
        Ok(true)
    }
}
