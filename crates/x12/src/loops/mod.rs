//! Implementation-guide loop structures as data, and the walker that checks a transaction
//! set against one.

mod spec;
mod walker;

pub use spec::{ChildLoop, LoopSpec, MANY, SegmentSpec, child, qual, seg};
pub use walker::LoopWalker;
