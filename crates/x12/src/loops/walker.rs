//! Places each segment of a transaction set in its loop (see `spec.rs`) and reports segments
//! out of order, repeated too often, missing, or not allowed where they appear.

use super::spec::LoopSpec;
use crate::error::{ErrorKind, X12Error};
use crate::token::Segment;

#[derive(Debug)]
struct Frame {
    spec: &'static LoopSpec,
    pos: usize,
    segment_counts: Vec<usize>,
    child_counts: Vec<usize>,
    /// Missing entries already reported, so a loop that is skipped past and later closed
    /// reports each gap once.
    segment_reported: Vec<bool>,
    child_reported: Vec<bool>,
}

impl Frame {
    fn new(spec: &'static LoopSpec) -> Self {
        let mut segment_counts = vec![0; spec.segments.len()];
        if let Some(first) = segment_counts.first_mut() {
            *first = 1;
        }
        Self {
            spec,
            pos: 0,
            segment_counts,
            child_counts: vec![0; spec.children.len()],
            segment_reported: vec![false; spec.segments.len()],
            child_reported: vec![false; spec.children.len()],
        }
    }

    /// Reports required segments before `segment_end` and required child loops before
    /// `child_end` that never appeared, positioned at `at`.
    fn report_gaps(
        &mut self,
        segment_end: usize,
        child_end: usize,
        at: &Segment<'_>,
        errors: &mut Vec<X12Error>,
    ) {
        let spec = self.spec;
        for (index, entry) in spec.segments.iter().enumerate().take(segment_end) {
            let count = self.segment_counts.get(index).copied().unwrap_or(0);
            if let Some(reported) = self.segment_reported.get_mut(index)
                && count < entry.min
                && !*reported
            {
                *reported = true;
                errors.push(at.error(ErrorKind::Structure(format!(
                    "required segment {} ({}) is missing from loop {} ({})",
                    entry.id, entry.name, spec.id, spec.name
                ))));
            }
        }
        for (index, child) in spec.children.iter().enumerate().take(child_end) {
            let count = self.child_counts.get(index).copied().unwrap_or(0);
            if let Some(reported) = self.child_reported.get_mut(index)
                && count < child.min
                && !*reported
            {
                *reported = true;
                errors.push(at.error(ErrorKind::Structure(format!(
                    "required loop {} ({}) is missing from loop {} ({})",
                    child.spec.id, child.spec.name, spec.id, spec.name
                ))));
            }
        }
    }
}

/// An earlier entry of the run of same-id entries the loop is in, that `segment` matches.
///
/// A guide splits one position of the standard into several entries by qualifier (the
/// 835's NM1*QC, NM1*IL, NM1*74...; its DTM*232, DTM*036, DTM*050), and the standard does not
/// order segments that share a position: DTM*050 before DTM*232 is as valid as after. The
/// guide lists them in a sequence, but a same-id run is one position, so any order within
/// it is accepted (repeat limits still count per entry).
fn same_position(frame: &Frame, segment: &Segment<'_>) -> Option<usize> {
    let entries = frame.spec.segments;
    let current = entries.get(frame.pos)?;
    if current.tag != segment.tag() {
        return None;
    }
    (1..frame.pos)
        .rev()
        .map_while(|index| {
            entries
                .get(index)
                .filter(|e| e.tag == current.tag)
                .map(|e| (index, e))
        })
        .find(|(_, entry)| entry.matches(segment))
        .map(|(index, _)| index)
}

enum Placement {
    Own(usize, usize),
    Child(usize, usize),
}

/// Tracks the loop stack of one transaction set.
#[derive(Debug)]
pub struct LoopWalker {
    stack: Vec<Frame>,
    /// The guide's short name for messages (`837P`, `835`).
    guide: &'static str,
}

impl LoopWalker {
    /// Starts at ST, the trigger of `header`.
    pub fn new(header: &'static LoopSpec, guide: &'static str) -> Self {
        Self {
            stack: vec![Frame::new(header)],
            guide,
        }
    }

    /// The id of the loop the last segment was placed in.
    pub fn current_loop(&self) -> &'static str {
        self.stack.last().map_or("HEADER", |f| f.spec.id)
    }

    fn place(&self, segment: &Segment<'_>) -> Option<Placement> {
        for (depth, frame) in self.stack.iter().enumerate().rev() {
            let own = frame
                .spec
                .segments
                .iter()
                .enumerate()
                .skip(frame.pos.max(1))
                .find(|(_, spec)| spec.matches(segment))
                .map(|(index, _)| index)
                .or_else(|| same_position(frame, segment));
            if let Some(index) = own {
                return Some(Placement::Own(depth, index));
            }
            let child = frame.spec.children.iter().position(|c| {
                c.spec
                    .segments
                    .first()
                    .is_some_and(|trigger| trigger.matches(segment))
            });
            if let Some(index) = child {
                return Some(Placement::Child(depth, index));
            }
        }
        None
    }

    /// Places a segment (ST itself is placed by [`LoopWalker::new`]).
    pub fn feed(&mut self, segment: &Segment<'_>, errors: &mut Vec<X12Error>) {
        let Some(placement) = self.place(segment) else {
            errors.push(self.misplaced(segment));
            return;
        };
        let depth = match placement {
            Placement::Own(depth, _) | Placement::Child(depth, _) => depth,
        };
        while self.stack.len() > depth + 1 {
            self.close(segment, errors);
        }
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        match placement {
            Placement::Own(_, index) => {
                frame.report_gaps(index, 0, segment, errors);
                frame.pos = index;
                if let (Some(count), Some(spec)) = (
                    frame.segment_counts.get_mut(index),
                    frame.spec.segments.get(index),
                ) {
                    *count += 1;
                    if *count > spec.max {
                        errors.push(segment.error(ErrorKind::Structure(format!(
                            "{} ({}) repeats more than {} time(s) in loop {}",
                            spec.id, spec.name, spec.max, frame.spec.id
                        ))));
                    }
                }
            }
            Placement::Child(_, index) => {
                frame.report_gaps(frame.spec.segments.len(), index, segment, errors);
                frame.pos = frame.spec.segments.len();
                let Some(child) = frame.spec.children.get(index) else {
                    return;
                };
                if let Some(count) = frame.child_counts.get_mut(index) {
                    *count += 1;
                    if *count > child.max {
                        errors.push(segment.error(ErrorKind::Structure(format!(
                            "loop {} ({}) repeats more than {} time(s) in loop {}",
                            child.spec.id, child.spec.name, child.max, frame.spec.id
                        ))));
                    }
                }
                self.stack.push(Frame::new(child.spec));
            }
        }
    }

    /// Closes every open loop at SE.
    pub fn finish(&mut self, se: &Segment<'_>, errors: &mut Vec<X12Error>) {
        while !self.stack.is_empty() {
            self.close(se, errors);
        }
    }

    /// Pops the innermost loop, reporting what it required and never received. The error is
    /// positioned at `at`, the segment that ended the loop.
    fn close(&mut self, at: &Segment<'_>, errors: &mut Vec<X12Error>) {
        if let Some(mut frame) = self.stack.pop() {
            frame.report_gaps(usize::MAX, usize::MAX, at, errors);
        }
    }

    /// Explains a segment that fits nowhere: a known segment with a qualifier not allowed
    /// here, or a segment out of order or unknown to the guide.
    fn misplaced(&self, segment: &Segment<'_>) -> X12Error {
        let loop_id = self.current_loop();
        let same_id = self.stack.iter().rev().flat_map(|frame| {
            frame.spec.segments.iter().skip(1).chain(
                frame
                    .spec
                    .children
                    .iter()
                    .filter_map(|c| c.spec.segments.first()),
            )
        });
        let mut qualifiers: Vec<&str> = Vec::new();
        let mut position = None;
        for spec in same_id.filter(|s| s.tag == segment.tag()) {
            if let Some((n, codes)) = spec.qualifier {
                position = Some(n);
                for code in codes.iter().copied() {
                    if !qualifiers.contains(&code) {
                        qualifiers.push(code);
                    }
                }
            }
        }
        if let Some(n) = position
            && !qualifiers.is_empty()
            && !qualifiers.contains(&segment.component(n, 1))
        {
            return segment.element_error(
                n,
                None,
                ErrorKind::BadCode {
                    value: segment.component(n, 1).to_owned(),
                    expected: qualifiers.join(", "),
                },
            );
        }
        segment.error(ErrorKind::Structure(format!(
            "{} is not expected here (after loop {loop_id}): out of order, repeated, or not part of the {}",
            segment.id(),
            self.guide
        )))
    }
}
