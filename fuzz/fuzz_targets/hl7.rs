//! HL7 v2: any bytes through decoding, splitting, parsing, every accessor, and the DFT/ADT/SIU
//! mapping with a channel that knows a few senders' ids. None may panic; a parsed message's
//! values written back must read back the same.

#![no_main]

use cleanclaim_emr::{Channel, map_message};
use cleanclaim_hl7::{Location, Message, MessageWriter, decode, split_messages};
use libfuzzer_sys::fuzz_target;

const CHANNEL: &str = r#"
id = "fuzz"
sending_application = "A"
clinic = "north"
[fields]
minutes = "ZTM-2"
[payers.MCR]
id = "04412"
name = "Medicare"
plan = "medicare_part_b"
[providers.20]
npi = "1245319599"
role = "pt"
"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = decode(data) else { return };
    let Ok(messages) = split_messages(&text) else { return };
    let Ok(channel) = Channel::from_toml(CHANNEL, "fuzz.toml") else { return };
    for (_, part) in messages {
        let Ok(message) = Message::parse(part) else { continue };
        let header = message.header();
        for segment in message.segments() {
            for field in 0..segment.field_count().min(60) + 2 {
                let f = segment.field(field);
                for (r, rep) in f.repetitions().enumerate().take(8) {
                    for c in 0..6 {
                        let component = rep.component(c);
                        let _ = component.sub(0);
                        let value = component.sub(2);
                        if r == 0 && c == 1 {
                            let writer = MessageWriter::new(*message.delimiters());
                            let written = writer.clone().push(writer.header().field(3, &value)).finish();
                            let back = Message::parse(&written).map(|m| m.header().sending_application);
                            assert_eq!(back.ok().as_deref(), Some(value.as_ref()));
                        }
                    }
                }
            }
            let _ = segment.value(&Location::field(segment.id(), 3));
            // The iterators see what indexing sees.
            for (n, field) in segment.fields().enumerate().take(60) {
                assert_eq!(field.raw(), segment.field(n + 1).raw());
                for rep in field.repetitions().take(4) {
                    for component in rep.components().take(6) {
                        let _ = component.subcomponents().count();
                    }
                }
            }
        }
        let _ = map_message(&channel, &message);
        let _ = header;
    }
});
