//! Messages arriving from EMR interfaces (HL7 v2 over MLLP, or a folder of files): each one
//! stored durably with its acknowledgment in the transaction that stores what it became, and
//! only then acknowledged. The same control id from the same sender gets the stored ACK again,
//! byte for byte, and nothing is posted twice. A message that does not map is kept in the
//! error queue with its issues, and [`reprocess`] maps it again once the channel is fixed.
//!
//! ACK codes follow interfaces.md §3: AR when the message is not accepted here (unknown
//! sender, type, event, version or processing id; or storage failed: the sender should send it
//! again), AE when its content must be fixed, AA when stored.

use chrono::Utc;
use cleanclaim_billing::Engine;
use cleanclaim_emr::{Channels, Mapped, MappingIssue, map_message};
use cleanclaim_hl7::{Ack, AckCode, AckIssue, ErrorCode, Header, Location, Message, Severity};
use cleanclaim_store::{AuditEvent, AuditOutcome, NewInbound, NewScheduledVisit, Store};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::intake::{Arrival, Intake, IntakeError};

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receipt {
    /// Stored (`processed`, `error` or `rejected`) under this id.
    Stored { id: i64, status: Status },
    /// Sent before with the same bytes: the first ACK again.
    Duplicate { id: i64 },
    /// The control id was used before for a different message: refused, nothing stored.
    ControlIdReused { id: i64 },
    /// Not readable as HL7 (no usable MSH or control id): refused, nothing stored.
    Unreadable,
    /// Storing failed (the kind of failure: never its message, which can name a record);
    /// nothing was kept and the sender should send it again.
    Failed(&'static str),
    /// An acknowledgment sent to us: never acknowledged (that would loop), nothing stored.
    AckIgnored,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Processed,
    Error,
    Rejected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Processed => "processed",
            Self::Error => "error",
            Self::Rejected => "rejected",
        }
    }
}

/// The ACK to send and what was done.
#[derive(Debug, Clone)]
pub struct Received {
    /// Empty when nothing must be sent back (the message was itself an ACK).
    pub ack: String,
    pub receipt: Receipt,
    /// The sender's control id (MSH-10), when it could be read.
    pub control_id: Option<String>,
}

fn timestamp() -> String {
    Utc::now().format("%Y%m%d%H%M%S").to_string()
}

fn our_control_id(stored: Option<i64>) -> String {
    match stored {
        Some(id) => format!("CC{id:010}"),
        None => format!("CCX{}", Utc::now().timestamp_micros()),
    }
}

fn issue_to_ack(issue: &MappingIssue) -> AckIssue {
    AckIssue {
        location: issue.location.clone(),
        code: issue.code,
        severity: Severity::Error,
        message: issue.message.clone(),
    }
}

fn refusal(header: &Header, code: AckCode, issue: AckIssue) -> String {
    Ack {
        code,
        issues: vec![issue],
    }
    .render(header, &our_control_id(None), &timestamp())
}

/// Receives one message (the payload of one MLLP frame, or one message of a file).
pub async fn receive_hl7(
    store: &Store,
    engine: &Engine,
    channels: &Channels,
    raw: &[u8],
) -> Received {
    let unreadable = |header: &Header, code: ErrorCode, message: String| Received {
        ack: refusal(
            header,
            AckCode::Reject,
            AckIssue {
                location: Some(Location::field("MSH", 1)),
                code,
                severity: Severity::Error,
                message,
            },
        ),
        receipt: Receipt::Unreadable,
        control_id: (!header.control_id.is_empty()).then(|| header.control_id.clone()),
    };
    let text = match cleanclaim_hl7::decode(raw) {
        Ok(text) => text,
        Err(error) => {
            return unreadable(
                &best_effort_header(raw),
                ErrorCode::DataType,
                error.to_string(),
            );
        }
    };
    let message = match Message::parse(&text) {
        Ok(message) => message,
        Err(error) => {
            return unreadable(
                &best_effort_header(raw),
                ErrorCode::SegmentSequence,
                error.to_string(),
            );
        }
    };
    let header = message.header();
    if header.message_type == "ACK" {
        return Received {
            ack: String::new(),
            receipt: Receipt::AckIgnored,
            control_id: Some(header.control_id.clone()),
        };
    }
    if header.control_id.trim().is_empty() {
        return unreadable(
            &header,
            ErrorCode::RequiredFieldMissing,
            "MSH-10 (message control id) is empty".into(),
        );
    }
    match store_and_map(store, engine, channels, raw, &message, &header).await {
        Ok(received) => received,
        Err(error) => Received {
            ack: refusal(
                &header,
                AckCode::Reject,
                AckIssue {
                    location: None,
                    code: ErrorCode::InternalError,
                    severity: Severity::Error,
                    message: "the message could not be stored; send it again".into(),
                },
            ),
            receipt: Receipt::Failed(error.kind()),
            control_id: Some(header.control_id.clone()),
        },
    }
}

/// MSH read from bytes that do not parse, for the refusal's MSA-2 and routing fields.
fn best_effort_header(raw: &[u8]) -> Header {
    let lossy = String::from_utf8_lossy(raw);
    let first_line = lossy.split(['\r', '\n']).next().unwrap_or_default();
    let fields: Vec<&str> = first_line.split('|').collect();
    let component = |n: usize, c: usize| {
        fields
            .get(n.saturating_sub(1))
            .and_then(|f| f.split('^').nth(c.saturating_sub(1)))
            .unwrap_or_default()
            .to_owned()
    };
    let field = |n: usize| component(n, 1);
    if !first_line.starts_with("MSH|") {
        return Header::default();
    }
    Header {
        sending_application: field(3),
        sending_facility: field(4),
        receiving_application: field(5),
        receiving_facility: field(6),
        message_type: field(9),
        trigger_event: component(9, 2),
        control_id: field(10),
        processing_id: field(11),
        version: field(12),
        ..Header::default()
    }
}

async fn store_and_map(
    store: &Store,
    engine: &Engine,
    channels: &Channels,
    raw: &[u8],
    message: &Message<'_>,
    header: &Header,
) -> Result<Received, IntakeError> {
    let sha256 = normalized_digest(message);
    let control_id = Some(header.control_id.clone());
    let mut intake = Intake::begin(store, engine).await?;
    if let Some(previous) = intake
        .session()
        .inbound_by_key(
            &header.sending_application,
            &header.sending_facility,
            &header.control_id,
        )
        .await?
    {
        drop(intake);
        if previous.sha256 == sha256 {
            return Ok(Received {
                ack: previous.ack,
                receipt: Receipt::Duplicate { id: previous.id },
                control_id,
            });
        }
        let ack = refusal(
            header,
            AckCode::Error,
            AckIssue {
                location: Some(Location::field("MSH", 10)),
                code: ErrorCode::DuplicateKey,
                severity: Severity::Error,
                message: format!(
                    "control id {} was used before for a different message (stored as {}): give each message its own control id",
                    header.control_id, previous.id
                ),
            },
        );
        return Ok(Received {
            ack,
            receipt: Receipt::ControlIdReused { id: previous.id },
            control_id,
        });
    }
    let channel = channels.route(&header.sending_application, &header.sending_facility);
    let mapped = match channel {
        None => Err(vec![no_channel(header)]),
        Some(channel) => map_message(channel, message),
    };
    let (status, issues) = match &mapped {
        Ok(_) => (Status::Processed, Vec::new()),
        Err(issues) if channel.is_none() || issues.iter().any(MappingIssue::is_reject) => {
            (Status::Rejected, issues.clone())
        }
        Err(issues) => (Status::Error, issues.clone()),
    };
    let issues_json =
        (!issues.is_empty()).then(|| serde_json::to_string(&issues).unwrap_or_default());
    let message_type = format!("{}^{}", header.message_type, header.trigger_event);
    let channel_id = channel.map(|c| c.id.clone());
    let id = intake
        .session()
        .store_inbound(
            &NewInbound {
                sending_application: &header.sending_application,
                sending_facility: &header.sending_facility,
                control_id: &header.control_id,
                message_type: &message_type,
                channel: channel_id.as_deref(),
                raw,
                sha256: &sha256,
                status: status.as_str(),
                issues: issues_json.as_deref(),
            },
            Utc::now(),
        )
        .await?;
    let records = match mapped {
        Ok(mapped) => Some(
            apply(
                &mut intake,
                mapped,
                id,
                &format!(
                    "hl7:{}:{}",
                    channel_id.as_deref().unwrap_or_default(),
                    header.control_id
                ),
            )
            .await?,
        ),
        Err(_) => None,
    };
    let ack = Ack {
        code: match status {
            Status::Processed => AckCode::Accept,
            Status::Error => AckCode::Error,
            Status::Rejected => AckCode::Reject,
        },
        issues: issues.iter().map(issue_to_ack).collect(),
    }
    .render(header, &our_control_id(Some(id)), &timestamp());
    intake
        .session()
        .finish_inbound(id, &ack, records.as_deref())
        .await?;
    intake
        .session()
        .audit(&[AuditEvent {
            actor: format!("interface:{}", channel_id.as_deref().unwrap_or("unrouted")),
            action: "receive".into(),
            resource: "hl7_message".into(),
            resource_id: Some(id.to_string()),
            patient_id: None,
            clinic_id: channel.map(|c| c.clinic.clone()),
            outcome: if status == Status::Processed {
                AuditOutcome::Success
            } else {
                AuditOutcome::Denied
            },
        }])
        .await?;
    intake.commit(0).await?;
    Ok(Received {
        ack,
        receipt: Receipt::Stored { id, status },
        control_id,
    })
}

/// SHA-256 of the message's segments joined by CR: the same message sent with other line
/// endings or trailing blank lines (a file import, then MLLP) is the same message.
fn normalized_digest(message: &Message<'_>) -> String {
    let mut hasher = Sha256::new();
    for segment in message.segments() {
        hasher.update(segment.text().trim_end().as_bytes());
        hasher.update(b"\r");
    }
    hex::encode(hasher.finalize())
}

/// Stores what a message mapped to, in the open intake; returns it as JSON for the message row.
async fn apply(
    intake: &mut Intake<'_>,
    mapped: Mapped,
    message_id: i64,
    source: &str,
) -> Result<String, IntakeError> {
    Ok(match mapped {
        Mapped::Visits(visits) => {
            let ids: Vec<String> = visits.iter().map(|v| v.id.clone()).collect();
            let arrivals = visits
                .into_iter()
                .map(|encounter| Arrival {
                    source: Some(source.to_owned()),
                    ..Arrival::new(encounter)
                })
                .collect();
            intake.add(arrivals).await?;
            json!({ "encounters": ids }).to_string()
        }
        Mapped::Patient(record) => {
            let (version, changed) = intake
                .session()
                .put_patient_record(
                    &record.patient_id,
                    &record.clinic,
                    &record.record.to_string(),
                    message_id,
                )
                .await?;
            json!({ "patient": record.patient_id, "version": version, "changed": changed })
                .to_string()
        }
        Mapped::Schedule(visit) => {
            let codes = serde_json::to_string(&visit.planned_codes).unwrap_or_else(|_| "[]".into());
            intake
                .session()
                .put_scheduled_visit(
                    &NewScheduledVisit {
                        clinic_id: &visit.clinic,
                        appointment_id: &visit.appointment_id,
                        patient_id: &visit.patient_id,
                        date_of_service: visit.date,
                        start_time: visit.start_time.as_deref(),
                        duration_minutes: visit
                            .duration_minutes
                            .and_then(|m| i32::try_from(m).ok()),
                        status: &visit.status,
                        clinician_npi: visit.clinician_npi.as_deref(),
                        discipline: visit.discipline.as_deref(),
                        planned_codes: &codes,
                        scheduled_by: visit.scheduled_by.as_deref(),
                    },
                    message_id,
                )
                .await?;
            json!({ "appointment": visit.appointment_id, "status": visit.status }).to_string()
        }
    })
}

/// A kept message mapped again: its channel, control id and what it maps to; or its issues.
/// Err from the outer result: the text no longer parses.
type Remapped = Result<(String, String, Mapped), Vec<MappingIssue>>;

fn map_kept(channels: &Channels, text: &str) -> Result<Remapped, cleanclaim_hl7::ParseError> {
    let message = Message::parse(text)?;
    let header = message.header();
    Ok(
        match channels.route(&header.sending_application, &header.sending_facility) {
            None => Err(vec![no_channel(&header)]),
            Some(channel) => map_message(channel, &message)
                .map(|mapped| (channel.id.clone(), header.control_id.clone(), mapped)),
        },
    )
}

/// The issue of a message no channel reads.
fn no_channel(header: &Header) -> MappingIssue {
    MappingIssue {
        location: Some(Location::field("MSH", 3)),
        code: ErrorCode::UnknownKey,
        message: format!(
            "no channel reads {} at {}: add a channel file for this sender",
            header.sending_application, header.sending_facility
        ),
    }
}

/// What a reprocess did with one kept message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reprocessed {
    pub id: i64,
    pub status: Status,
    /// The issues still found (empty when processed).
    pub issues: Vec<MappingIssue>,
}

/// Maps the kept messages that were not processed (all of them, or the ids given) again with
/// `channels`, storing what each becomes. A message that still fails keeps its place in the
/// queue with its new issues. The ACK first sent stays as it was.
pub async fn reprocess(
    store: &Store,
    engine: &Engine,
    channels: &Channels,
    only: Option<&[i64]>,
) -> Result<Vec<Reprocessed>, IntakeError> {
    let queue = store.inbound_unprocessed(i64::MAX).await?;
    let mut done = Vec::new();
    for row in queue
        .into_iter()
        .filter(|r| only.is_none_or(|ids| ids.contains(&r.id)))
    {
        let Some((_, raw)) = store.inbound_message(row.id).await? else {
            continue;
        };
        let outcome = cleanclaim_hl7::decode(&raw)
            .and_then(|text| map_kept(channels, &text))
            .unwrap_or_else(|error| {
                Err(vec![MappingIssue {
                    location: None,
                    code: ErrorCode::SegmentSequence,
                    message: error.to_string(),
                }])
            });
        let mut intake = Intake::begin(store, engine).await?;
        match outcome {
            Ok((channel, control_id, mapped)) => {
                let records = apply(
                    &mut intake,
                    mapped,
                    row.id,
                    &format!("hl7:{channel}:{control_id}"),
                )
                .await?;
                intake
                    .session()
                    .mark_reprocessed(row.id, &channel, &records, Utc::now())
                    .await?;
                intake.commit(0).await?;
                done.push(Reprocessed {
                    id: row.id,
                    status: Status::Processed,
                    issues: Vec::new(),
                });
            }
            Err(issues) => {
                let json = serde_json::to_string(&issues).unwrap_or_default();
                let status = if row.status == "rejected" {
                    Status::Rejected
                } else {
                    Status::Error
                };
                intake
                    .session()
                    .set_inbound_issues(row.id, status.as_str(), &json, Utc::now())
                    .await?;
                intake.commit(0).await?;
                done.push(Reprocessed {
                    id: row.id,
                    status,
                    issues,
                });
            }
        }
    }
    Ok(done)
}

/// The ACK for a frame over the receiver's size limit: AR (the sender may split it and send
/// again), addressed from the frame's first bytes when they hold an MSH.
pub fn refuse_oversize(prefix: &[u8], size: usize, limit: usize) -> String {
    let header = best_effort_header(prefix);
    refusal(
        &header,
        AckCode::Reject,
        AckIssue {
            location: None,
            code: ErrorCode::InternalError,
            severity: Severity::Error,
            message: format!(
                "the message is {size} bytes, over this receiver's limit of {limit} bytes"
            ),
        },
    )
}
