//! Loop structures of implementation guides, as data: each loop's segments in order with
//! their repeat limits, and its child loops. A loop starts with its first segment (its
//! trigger), qualified where several loops share a segment id (NM101, HL03, N101). Each
//! guide's tables live beside its reader (`x837/schema.rs`, `x835/schema.rs`).

use crate::token::{Segment, tag};

/// A segment's place in a loop.
#[derive(Debug)]
pub struct SegmentSpec {
    pub id: &'static str,
    /// `id` as a [`tag`], compared for every segment read.
    pub tag: u32,
    /// Element position and the codes it must hold for this entry to match (the first
    /// component when the element is a composite, as in HI01-1).
    pub qualifier: Option<(usize, &'static [&'static str])>,
    pub name: &'static str,
    pub min: usize,
    pub max: usize,
}

#[derive(Debug)]
pub struct ChildLoop {
    pub spec: &'static LoopSpec,
    pub min: usize,
    pub max: usize,
}

#[derive(Debug)]
pub struct LoopSpec {
    pub id: &'static str,
    pub name: &'static str,
    /// The first entry is the loop's trigger.
    pub segments: &'static [SegmentSpec],
    pub children: &'static [ChildLoop],
}

impl SegmentSpec {
    pub fn matches(&self, segment: &Segment<'_>) -> bool {
        self.tag == segment.tag()
            && self
                .qualifier
                .is_none_or(|(n, codes)| codes.contains(&segment.component(n, 1)))
    }
}

pub const MANY: usize = usize::MAX;

pub const fn seg(id: &'static str, name: &'static str, min: usize, max: usize) -> SegmentSpec {
    SegmentSpec {
        id,
        tag: tag(id),
        qualifier: None,
        name,
        min,
        max,
    }
}

pub const fn qual(
    id: &'static str,
    element: usize,
    codes: &'static [&'static str],
    name: &'static str,
    min: usize,
    max: usize,
) -> SegmentSpec {
    SegmentSpec {
        id,
        tag: tag(id),
        qualifier: Some((element, codes)),
        name,
        min,
        max,
    }
}

pub const fn child(spec: &'static LoopSpec, min: usize, max: usize) -> ChildLoop {
    ChildLoop { spec, min, max }
}
