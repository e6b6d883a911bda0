//! A CEL value of only the parts of a serializable value that conditions read. It walks the
//! value's `Serialize` impl, so field names, renames and skipped fields are the serde model's
//! own: what is bound is exactly the whole conversion with unread branches left out.
//!
//! Only structs (and the options and newtypes around them) are pruned. Anything else on a
//! read path (a list, a map, an enum with data, a scalar) is converted whole with
//! `cel::to_value`, so no value is ever built differently from the whole conversion.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::ser::{self, Impossible, Serialize};

/// The field paths read below a value; `whole` when the value itself is read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Paths {
    whole: bool,
    children: BTreeMap<String, Paths>,
}

impl Paths {
    /// Marks a path as read; the empty path reads the value itself.
    pub(crate) fn insert(&mut self, path: &[&str]) {
        if self.whole {
            return;
        }
        match path.split_first() {
            None => {
                self.whole = true;
                self.children.clear();
            }
            Some((first, rest)) => self
                .children
                .entry((*first).to_owned())
                .or_default()
                .insert(rest),
        }
    }

    pub(crate) fn merge(&mut self, other: &Self) {
        if other.whole {
            self.insert(&[]);
        }
        if self.whole {
            return;
        }
        for (name, below) in &other.children {
            self.children.entry(name.clone()).or_default().merge(below);
        }
    }

    #[cfg(test)]
    pub(crate) fn is_whole(&self) -> bool {
        self.whole
    }

    #[cfg(test)]
    pub(crate) fn child(&self, name: &str) -> Option<&Self> {
        self.children.get(name)
    }
}

/// The value with only `paths` in it (all of it when `paths` is whole).
pub(crate) fn project<T: Serialize + ?Sized>(
    value: &T,
    paths: &Paths,
) -> Result<cel::Value, cel::SerializationError> {
    if paths.whole {
        return cel::to_value(value);
    }
    match value.serialize(Projector { paths }) {
        Ok(projected) => Ok(projected),
        Err(Stop::Whole) => cel::to_value(value),
        Err(Stop::Failed(err)) => Err(err),
    }
}

/// Why a projection stopped: the value is not a struct (convert it whole) or the conversion
/// failed.
#[derive(Debug)]
enum Stop {
    Whole,
    Failed(cel::SerializationError),
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Whole => f.write_str("converted whole"),
            Self::Failed(err) => write!(f, "{err}"),
        }
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<M: fmt::Display>(message: M) -> Self {
        Self::Failed(<cel::SerializationError as ser::Error>::custom(message))
    }
}

struct Projector<'p> {
    paths: &'p Paths,
}

struct ProjectedStruct<'p> {
    paths: &'p Paths,
    fields: HashMap<String, cel::Value>,
}

impl ser::SerializeStruct for ProjectedStruct<'_> {
    type Ok = cel::Value;
    type Error = Stop;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        if let Some(below) = self.paths.children.get(key) {
            let value = project(value, below).map_err(Stop::Failed)?;
            self.fields.insert(key.to_owned(), value);
        }
        Ok(())
    }

    fn end(self) -> Result<cel::Value, Stop> {
        Ok(self.fields.into())
    }
}

/// Every shape but a struct, an option or a newtype stops the projection.
macro_rules! whole {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self $(, _: $arg)*) -> Result<cel::Value, Stop> {
            Err(Stop::Whole)
        })*
    };
}

impl<'p> ser::Serializer for Projector<'p> {
    type Ok = cel::Value;
    type Error = Stop;
    type SerializeSeq = Impossible<cel::Value, Stop>;
    type SerializeTuple = Impossible<cel::Value, Stop>;
    type SerializeTupleStruct = Impossible<cel::Value, Stop>;
    type SerializeTupleVariant = Impossible<cel::Value, Stop>;
    type SerializeMap = Impossible<cel::Value, Stop>;
    type SerializeStruct = ProjectedStruct<'p>;
    type SerializeStructVariant = Impossible<cel::Value, Stop>;

    whole! {
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_u8(u8), serialize_u16(u16), serialize_u32(u32),
        serialize_u64(u64), serialize_f32(f32), serialize_f64(f64), serialize_char(char),
        serialize_str(&str), serialize_bytes(&[u8]), serialize_none(), serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<cel::Value, Stop> {
        // The whole conversion converts `Some(x)` as `x`.
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<cel::Value, Stop> {
        // The whole conversion treats some newtypes (durations, timestamps) specially.
        Err(Stop::Whole)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<cel::Value, Stop> {
        Err(Stop::Whole)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Stop> {
        Err(Stop::Whole)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Stop> {
        Err(Stop::Whole)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Stop> {
        Err(Stop::Whole)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Stop> {
        Err(Stop::Whole)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Stop> {
        Err(Stop::Whole)
    }

    fn serialize_struct(self, _: &'static str, len: usize) -> Result<ProjectedStruct<'p>, Stop> {
        Ok(ProjectedStruct {
            paths: self.paths,
            fields: HashMap::with_capacity(self.paths.children.len().min(len)),
        })
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Stop> {
        Err(Stop::Whole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Inner {
        kept: u32,
        dropped: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        maybe: Option<u32>,
    }

    #[derive(serde::Serialize)]
    struct Outer {
        #[serde(rename = "renamed")]
        inner: Inner,
        optional: Option<Inner>,
        list: Vec<Inner>,
        other: String,
    }

    fn sample() -> Outer {
        let inner = || Inner {
            kept: 1,
            dropped: vec!["x".to_owned()],
            maybe: None,
        };
        Outer {
            inner: inner(),
            optional: Some(inner()),
            list: vec![inner()],
            other: "o".to_owned(),
        }
    }

    fn paths(list: &[&[&str]]) -> Paths {
        let mut paths = Paths::default();
        for path in list {
            paths.insert(path);
        }
        paths
    }

    fn get<'v>(value: &'v cel::Value, key: &str) -> Option<&'v cel::Value> {
        let cel::Value::Map(map) = value else {
            return None;
        };
        map.map.get(&cel::objects::Key::String(std::sync::Arc::new(
            key.to_owned(),
        )))
    }

    #[test]
    fn only_read_fields_are_kept_and_each_converts_as_the_whole_does() {
        let value = sample();
        let whole = cel::to_value(&value).unwrap();
        let projected = project(
            &value,
            &paths(&[&["renamed", "kept"], &["optional", "maybe"], &["list"]]),
        )
        .unwrap();
        assert_eq!(
            get(get(&projected, "renamed").unwrap(), "kept"),
            get(get(&whole, "renamed").unwrap(), "kept")
        );
        assert_eq!(get(get(&projected, "renamed").unwrap(), "dropped"), None);
        assert_eq!(get(&projected, "list"), get(&whole, "list"));
        assert_eq!(get(&projected, "other"), None);
        // A skipped field stays absent, so has() answers as it would on the whole value.
        assert_eq!(get(get(&projected, "optional").unwrap(), "maybe"), None);
    }

    #[test]
    fn a_path_through_a_list_or_scalar_converts_that_part_whole() {
        let value = sample();
        let whole = cel::to_value(&value).unwrap();
        let projected = project(&value, &paths(&[&["list", "kept"], &["other", "x"]])).unwrap();
        assert_eq!(get(&projected, "list"), get(&whole, "list"));
        assert_eq!(get(&projected, "other"), get(&whole, "other"));
    }

    #[test]
    fn a_shorter_path_reads_the_whole_branch() {
        let mut tree = paths(&[&["renamed", "kept"]]);
        tree.merge(&paths(&[&["renamed"]]));
        assert!(tree.child("renamed").is_some_and(Paths::is_whole));
        let value = sample();
        let projected = project(&value, &tree).unwrap();
        assert_eq!(
            get(&projected, "renamed"),
            get(&cel::to_value(&value).unwrap(), "renamed")
        );
    }
}
