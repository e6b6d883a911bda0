//! Writing messages: every value escaped, segments ended by CR (the standard's terminator).

use crate::{Delimiters, escape};

/// A segment under construction: fields of components, each value escaped as it is set.
#[derive(Debug, Clone)]
pub struct SegmentWriter {
    id: String,
    fields: Vec<Vec<String>>,
    delimiters: Delimiters,
}

impl SegmentWriter {
    pub fn new(id: &str, delimiters: Delimiters) -> Self {
        Self {
            id: id.to_owned(),
            fields: Vec::new(),
            delimiters,
        }
    }

    /// Sets component `component` of field `field` (both 1-based) to `value`, escaped.
    pub fn set(mut self, field: usize, component: usize, value: &str) -> Self {
        self.put(
            field,
            component,
            escape(value, &self.delimiters).into_owned(),
        );
        self
    }

    /// Sets field `field` to repetitions of `values`, each escaped.
    pub fn repeated(mut self, field: usize, values: &[&str]) -> Self {
        let separator = char::from(self.delimiters.repetition).to_string();
        let joined = values
            .iter()
            .map(|v| escape(v, &self.delimiters).into_owned())
            .collect::<Vec<_>>()
            .join(&separator);
        self.put(field, 1, joined);
        self
    }

    /// Sets field `field` to `value`, escaped.
    pub fn field(self, field: usize, value: &str) -> Self {
        self.set(field, 1, value)
    }

    fn put(&mut self, field: usize, component: usize, text: String) {
        let (Some(f), Some(c)) = (field.checked_sub(1), component.checked_sub(1)) else {
            return;
        };
        if self.fields.len() <= f {
            self.fields.resize_with(f + 1, Vec::new);
        }
        if let Some(components) = self.fields.get_mut(f) {
            if components.len() <= c {
                components.resize_with(c + 1, String::new);
            }
            if let Some(slot) = components.get_mut(c) {
                *slot = text;
            }
        }
    }

    fn write_to(&self, out: &mut String) {
        out.push_str(&self.id);
        let is_header = self.id == "MSH";
        if is_header {
            // MSH-1 is the separator itself: written once, then MSH-2 follows it directly.
            out.push(char::from(self.delimiters.field));
        }
        for (i, components) in self.fields.iter().enumerate().skip(usize::from(is_header)) {
            if !is_header || i > 1 {
                out.push(char::from(self.delimiters.field));
            }
            for (j, component) in components.iter().enumerate() {
                if j > 0 {
                    out.push(char::from(self.delimiters.component));
                }
                out.push_str(component);
            }
        }
    }
}

/// A message under construction. The MSH segment's first two fields are the delimiters.
#[derive(Debug, Clone)]
pub struct MessageWriter {
    delimiters: Delimiters,
    segments: Vec<SegmentWriter>,
}

impl MessageWriter {
    pub fn new(delimiters: Delimiters) -> Self {
        Self {
            delimiters,
            segments: Vec::new(),
        }
    }

    /// An MSH with MSH-1 and MSH-2 set; set MSH-3 onwards on what it returns.
    pub fn header(&self) -> SegmentWriter {
        let mut msh = SegmentWriter::new("MSH", self.delimiters);
        msh.put(1, 1, char::from(self.delimiters.field).to_string());
        msh.put(2, 1, self.delimiters.encoding_characters());
        msh
    }

    pub fn segment(&self, id: &str) -> SegmentWriter {
        SegmentWriter::new(id, self.delimiters)
    }

    pub fn push(mut self, segment: SegmentWriter) -> Self {
        self.segments.push(segment);
        self
    }

    /// The message, each segment ended by CR.
    pub fn finish(&self) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            segment.write_to(&mut out);
            out.push('\r');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use crate::Message;

    #[test]
    fn written_values_read_back_unchanged() {
        let d = Delimiters::default();
        let writer = MessageWriter::new(d);
        let msh = writer
            .header()
            .field(3, "CLEAN|CLAIM")
            .field(9, "ACK")
            .set(9, 2, "P03")
            .field(10, "C1")
            .field(12, "2.5.1");
        let note = "minutes: 23 ^ 8-minute rule\r\nsecond line & more ~ \\";
        let text = writer
            .clone()
            .push(msh)
            .push(writer.segment("NTE").field(3, note))
            .finish();
        assert!(
            text.starts_with("MSH|^~\\&|CLEAN\\F\\CLAIM||||||ACK^P03|C1||2.5.1\r"),
            "{text}"
        );
        let message = Message::parse(&text).unwrap();
        assert_eq!(message.header().sending_application, "CLEAN|CLAIM");
        assert_eq!(message.header().trigger_event, "P03");
        assert_eq!(message.segment("NTE").unwrap().field(3).value(), note);
        assert_eq!(message.segments().len(), 2);
    }
}
