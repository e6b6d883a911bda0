//! The MLLP framer: any bytes, in any chunking, never panic, never hold more than the frame
//! limit (plus the kept prefix of an oversized frame), and give the same frames whatever the
//! chunk size.

#![no_main]

use cleanclaim_hl7::mllp::{FrameEvent, Framer, OVERSIZE_PREFIX};
use libfuzzer_sys::fuzz_target;

const LIMIT: usize = 256;

fn frames(data: &[u8], chunk: usize) -> Vec<FrameEvent> {
    let mut framer = Framer::new(LIMIT);
    let mut events = Vec::new();
    for piece in data.chunks(chunk.max(1)) {
        framer.push(piece);
        while let Some(event) = framer.next_event() {
            match &event {
                FrameEvent::Frame(payload) => assert!(payload.len() <= LIMIT),
                FrameEvent::Oversize { prefix, size } => {
                    assert!(prefix.len() <= OVERSIZE_PREFIX && *size > LIMIT);
                }
            }
            events.push(event);
        }
    }
    events
}

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, rest)) = data.split_first() else { return };
    assert_eq!(frames(rest, usize::from(chunk)), frames(rest, rest.len().max(1)));
});
