//! MLLP framing: `<VT> message <FS><CR>`. The framer takes bytes as they arrive (any chunking)
//! and yields whole frames; a frame larger than the limit is skipped to its end and reported
//! with its first bytes (so the receiver can still answer with the sender's control id), and
//! the connection goes on with the next frame. Bytes outside a frame are counted and dropped.

use std::collections::VecDeque;

pub const START_BLOCK: u8 = 0x0B;
pub const END_BLOCK: u8 = 0x1C;
pub const CARRIAGE_RETURN: u8 = 0x0D;

/// How much of an oversized frame is kept, to read its MSH.
pub const OVERSIZE_PREFIX: usize = 4096;

/// What the framer found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameEvent {
    /// A whole frame's payload.
    Frame(Vec<u8>),
    /// A frame over the limit: its first bytes and its full size.
    Oversize { prefix: Vec<u8>, size: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Between,
    Inside,
    Skipping,
}

/// An incremental MLLP decoder with a maximum frame size.
#[derive(Debug)]
pub struct Framer {
    max: usize,
    state: State,
    buffer: Vec<u8>,
    /// The last byte seen was END_BLOCK; it ends the frame only if CR follows.
    end_pending: bool,
    oversize: usize,
    events: VecDeque<FrameEvent>,
    /// Bytes seen outside any frame (noise, keep-alives), for the operator.
    pub stray_bytes: u64,
}

impl Framer {
    pub fn new(max_frame: usize) -> Self {
        Self {
            max: max_frame,
            state: State::Between,
            buffer: Vec::new(),
            end_pending: false,
            oversize: 0,
            events: VecDeque::new(),
            stray_bytes: 0,
        }
    }

    /// Whether a frame has started and not ended (bytes are owed).
    pub fn in_frame(&self) -> bool {
        self.state != State::Between
    }

    pub fn next_event(&mut self) -> Option<FrameEvent> {
        self.events.pop_front()
    }

    pub fn push(&mut self, mut input: &[u8]) {
        while !input.is_empty() {
            if self.end_pending {
                self.end_pending = false;
                if input.first() == Some(&CARRIAGE_RETURN) {
                    self.finish();
                    input = input.get(1..).unwrap_or_default();
                    continue;
                }
                self.append(&[END_BLOCK]);
            }
            match self.state {
                State::Between => match memchr::memchr(START_BLOCK, input) {
                    Some(at) => {
                        self.stray_bytes += at as u64;
                        self.state = State::Inside;
                        self.buffer.clear();
                        self.oversize = 0;
                        input = input.get(at + 1..).unwrap_or_default();
                    }
                    None => {
                        self.stray_bytes += input.len() as u64;
                        input = &[];
                    }
                },
                State::Inside | State::Skipping => {
                    match memchr::memchr2(END_BLOCK, START_BLOCK, input) {
                        Some(at) => {
                            let (data, rest) = input.split_at(at);
                            self.append(data);
                            let marker = rest.first().copied();
                            input = rest.get(1..).unwrap_or_default();
                            if marker == Some(START_BLOCK) {
                                // The sender abandoned the frame and started again.
                                self.stray_bytes += (self.buffer.len() + self.oversize) as u64;
                                self.state = State::Inside;
                                self.buffer.clear();
                                self.oversize = 0;
                            } else {
                                self.end_pending = true;
                            }
                        }
                        None => {
                            self.append(input);
                            input = &[];
                        }
                    }
                }
            }
        }
    }

    fn append(&mut self, data: &[u8]) {
        match self.state {
            State::Between => self.stray_bytes += data.len() as u64,
            State::Inside => {
                if self.buffer.len() + data.len() > self.max {
                    self.oversize = self.buffer.len() + data.len();
                    let room = OVERSIZE_PREFIX.saturating_sub(self.buffer.len());
                    self.buffer
                        .extend_from_slice(data.get(..room.min(data.len())).unwrap_or_default());
                    self.buffer.truncate(OVERSIZE_PREFIX);
                    self.state = State::Skipping;
                } else {
                    self.buffer.extend_from_slice(data);
                }
            }
            State::Skipping => {
                // Keep filling the prefix to its size whatever the chunking, so the ACK is
                // addressed from the same bytes however the frame arrived.
                let room = OVERSIZE_PREFIX.saturating_sub(self.buffer.len());
                self.buffer
                    .extend_from_slice(data.get(..room.min(data.len())).unwrap_or_default());
                self.oversize = self.oversize.saturating_add(data.len());
            }
        }
    }

    fn finish(&mut self) {
        let payload = std::mem::take(&mut self.buffer);
        let event = match self.state {
            State::Skipping => FrameEvent::Oversize {
                prefix: payload,
                size: self.oversize,
            },
            _ => FrameEvent::Frame(payload),
        };
        self.events.push_back(event);
        self.state = State::Between;
        self.oversize = 0;
    }
}

/// `payload` framed for sending.
pub fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 3);
    out.push(START_BLOCK);
    out.extend_from_slice(payload);
    out.push(END_BLOCK);
    out.push(CARRIAGE_RETURN);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    fn events(framer: &mut Framer) -> Vec<FrameEvent> {
        std::iter::from_fn(|| framer.next_event()).collect()
    }

    #[test]
    fn frames_are_found_whatever_the_chunking() {
        let mut stream = frame(b"MSH|one");
        stream.extend(b"\r\n");
        stream.extend(frame(b"MSH|two\x1cstill two"));
        for chunk in 1..stream.len() {
            let mut framer = Framer::new(1024);
            for piece in stream.chunks(chunk) {
                framer.push(piece);
            }
            assert_eq!(
                events(&mut framer),
                [
                    FrameEvent::Frame(b"MSH|one".to_vec()),
                    FrameEvent::Frame(b"MSH|two\x1cstill two".to_vec())
                ],
                "chunk {chunk}"
            );
            assert_eq!(framer.stray_bytes, 2);
            assert!(!framer.in_frame());
        }
    }

    #[test]
    fn an_oversized_frame_is_reported_and_the_next_one_still_reads() {
        let mut framer = Framer::new(10);
        let mut stream = frame(b"MSH|0123456789abcdef");
        stream.extend(frame(b"MSH|ok"));
        framer.push(&stream);
        assert_eq!(
            events(&mut framer),
            [
                FrameEvent::Oversize {
                    prefix: b"MSH|0123456789abcdef".to_vec(),
                    size: 20
                },
                FrameEvent::Frame(b"MSH|ok".to_vec())
            ]
        );
    }

    #[test]
    fn an_oversized_frame_keeps_the_same_prefix_whatever_the_chunking() {
        // Found by the `mllp` fuzz target: the prefix stopped at the chunk that crossed the limit.
        let payload: Vec<u8> = (0..6000u32).map(|i| b'A' + (i % 26) as u8).collect();
        let stream = frame(&payload);
        let whole = {
            let mut framer = Framer::new(256);
            framer.push(&stream);
            events(&mut framer)
        };
        let mut framer = Framer::new(256);
        for piece in stream.chunks(7) {
            framer.push(piece);
        }
        assert_eq!(events(&mut framer), whole);
        assert!(
            matches!(&whole[..], [FrameEvent::Oversize { prefix, size: 6000 }] if prefix.len() == OVERSIZE_PREFIX)
        );
    }

    #[test]
    fn a_restarted_frame_drops_the_partial_one() {
        let mut framer = Framer::new(100);
        framer.push(b"\x0bMSH|partial\x0bMSH|whole\x1c\x0d");
        assert_eq!(
            events(&mut framer),
            [FrameEvent::Frame(b"MSH|whole".to_vec())]
        );
    }
}
