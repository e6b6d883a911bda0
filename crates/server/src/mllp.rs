//! The MLLP listener: HL7 v2 over TCP, one message per frame, answered in order. Each frame
//! goes to [`receive_hl7`], which stores it (and what it became) before this writes the ACK:
//! an ACK the sender receives always means the message is durable. A frame over the size
//! limit is read to its end and refused with AR; the connection carries on. A connection idle
//! past the timeout is closed. Logs name the receipt, the stored id and the sender's control
//! id, never the content.

use std::sync::Arc;
use std::time::Duration;

use cleanclaim_app::interfaces::{Receipt, receive_hl7, refuse_oversize};
use cleanclaim_emr::Channels;
use cleanclaim_hl7::mllp::{FrameEvent, Framer, frame};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::AppState;

/// How the listener runs.
#[derive(Debug, Clone)]
pub struct MllpOptions {
    /// The largest message accepted, in bytes.
    pub max_frame: usize,
    /// A connection with nothing to read for this long is closed.
    pub idle: Duration,
    /// Connections served at once; more wait in the kernel's backlog.
    pub max_connections: usize,
}

impl Default for MllpOptions {
    fn default() -> Self {
        Self {
            max_frame: 4 << 20,
            idle: Duration::from_secs(300),
            max_connections: 64,
        }
    }
}

/// Accepts connections until `shutdown` completes; connections in progress finish the message
/// in hand.
pub async fn serve_mllp(
    listener: TcpListener,
    state: AppState,
    channels: Arc<Channels>,
    options: MllpOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(options.max_connections));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => return Ok(()),
            permit = Arc::clone(&permits).acquire_owned() => permit,
        };
        let Ok(permit) = permit else {
            return Ok(());
        };
        let accepted = tokio::select! {
            () = &mut shutdown => return Ok(()),
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(error) => {
                tracing::warn!(%error, "mllp accept failed");
                continue;
            }
        };
        let (state, channels, options) = (state.clone(), Arc::clone(&channels), options.clone());
        tokio::spawn(async move {
            if let Err(error) = connection(stream, &state, &channels, &options).await {
                tracing::info!(%peer, %error, "mllp connection ended");
            }
            drop(permit);
        });
    }
}

async fn connection(
    mut stream: TcpStream,
    state: &AppState,
    channels: &Channels,
    options: &MllpOptions,
) -> std::io::Result<()> {
    let _ = stream.set_nodelay(true);
    let mut framer = Framer::new(options.max_frame);
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = tokio::time::timeout(options.idle, stream.read(&mut buffer)).await;
        let n = match read {
            Err(_) => return Ok(()),
            Ok(result) => result?,
        };
        if n == 0 {
            return Ok(());
        }
        framer.push(buffer.get(..n).unwrap_or_default());
        while let Some(event) = framer.next_event() {
            let ack = match event {
                FrameEvent::Frame(payload) => {
                    let received =
                        receive_hl7(state.store(), state.engine(), channels, &payload).await;
                    log_receipt(
                        &received.receipt,
                        received.control_id.as_deref(),
                        payload.len(),
                    );
                    received.ack
                }
                FrameEvent::Oversize { prefix, size } => {
                    tracing::warn!(
                        size,
                        limit = options.max_frame,
                        "mllp frame over the limit refused"
                    );
                    refuse_oversize(&prefix, size, options.max_frame)
                }
            };
            if !ack.is_empty() {
                stream.write_all(&frame(ack.as_bytes())).await?;
            }
        }
    }
}

fn log_receipt(receipt: &Receipt, control_id: Option<&str>, bytes: usize) {
    let control_id = control_id.unwrap_or("");
    match receipt {
        Receipt::AckIgnored => tracing::info!(control_id, "an ACK was sent to us: not answered"),
        Receipt::Stored { id, status } => tracing::info!(
            id,
            status = status.as_str(),
            control_id,
            bytes,
            "hl7 message stored"
        ),
        Receipt::Duplicate { id } => tracing::info!(
            id,
            control_id,
            "hl7 message sent again: stored ACK replayed"
        ),
        Receipt::ControlIdReused { id } => tracing::warn!(
            id,
            control_id,
            "hl7 control id reused for a different message: refused"
        ),
        Receipt::Unreadable => tracing::warn!(bytes, "hl7 frame not readable: refused"),
        Receipt::Failed(kind) => {
            tracing::error!(
                control_id,
                error_kind = kind,
                "hl7 message could not be stored: AR sent"
            )
        }
    }
}
