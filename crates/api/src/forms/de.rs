//! Typed parameters from a [`Node`] tree. Forms carry only text, so text
//! is read as whatever the field wants (a number, a boolean, a list of
//! one); a scalar where named values are expected counts as none sent, as
//! Rails' strong parameters drop it. Errors name the parameter at fault
//! in the client's own notation (`poll[options][1]`).

use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::tree::{Node, Params};

/// Why parameters do not fit what the endpoint takes.
#[derive(Debug, Clone, PartialEq)]
pub struct DeError {
    /// Innermost first.
    path: Vec<String>,
    message: String,
}

impl DeError {
    fn within(mut self, key: &str) -> Self {
        self.path.push(key.to_owned());
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let mut names = self.path.iter().rev();
        if let Some(first) = names.next() {
            f.write_str(first)?;
            for name in names {
                write!(f, "[{name}]")?;
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        DeError { path: Vec::new(), message: message.to_string() }
    }
}

impl Node {
    /// The value as text, for fields that want text or parse it.
    fn into_text(self, wanted: &str) -> Result<String, DeError> {
        match self {
            Node::Text(text) => Ok(text),
            Node::Number(n) => Ok(n.to_string()),
            Node::Bool(b) => Ok(b.to_string()),
            other => Err(de::Error::custom(format!("expected {wanted}, got {}", other.kind()))),
        }
    }

    /// A map whose keys are all positions (`a[0]=…&a[1]=…`), as a list in
    /// their order; otherwise the map itself.
    fn indexed_list(map: Params) -> Result<Vec<Node>, Params> {
        let mut positions = Vec::with_capacity(map.len());
        for key in map.keys() {
            match key.parse::<usize>() {
                Ok(position) => positions.push(position),
                Err(_) => return Err(map),
            }
        }
        let mut entries: Vec<(usize, Node)> = positions.into_iter().zip(map.into_values()).collect();
        entries.sort_by_key(|(position, _)| *position);
        Ok(entries.into_iter().map(|(_, node)| node).collect())
    }
}

/// `true`/`1`/`on`/`yes` and their opposites, as Rails casts booleans.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "on" | "yes" | "t" => Some(true),
        "false" | "0" | "off" | "no" | "f" => Some(false),
        _ => None,
    }
}

macro_rules! number {
    ($method:ident, $visit:ident, $type:ty) => {
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            match self {
                Node::Number(n) => n.deserialize_any(visitor).map_err(de::Error::custom),
                other => {
                    let text = other.into_text("a number")?;
                    let number: $type =
                        text.trim().parse().map_err(|_| de::Error::custom(format!("'{text}' is not a number")))?;
                    visitor.$visit(number)
                }
            }
        }
    };
}

impl<'de> de::Deserializer<'de> for Node {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Node::Null => visitor.visit_unit(),
            Node::Bool(b) => visitor.visit_bool(b),
            Node::Number(n) => n.deserialize_any(visitor).map_err(de::Error::custom),
            Node::Text(text) => visitor.visit_string(text),
            Node::List(items) => visitor.visit_seq(Seq::new(items)),
            Node::Map(map) => visitor.visit_map(Map::new(map)),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if let Node::Bool(b) = self {
            return visitor.visit_bool(b);
        }
        let text = self.into_text("a boolean")?;
        match parse_bool(&text) {
            Some(b) => visitor.visit_bool(b),
            None => Err(de::Error::custom(format!("'{text}' is not a boolean"))),
        }
    }

    number!(deserialize_i8, visit_i8, i8);
    number!(deserialize_i16, visit_i16, i16);
    number!(deserialize_i32, visit_i32, i32);
    number!(deserialize_i64, visit_i64, i64);
    number!(deserialize_u8, visit_u8, u8);
    number!(deserialize_u16, visit_u16, u16);
    number!(deserialize_u32, visit_u32, u32);
    number!(deserialize_u64, visit_u64, u64);
    number!(deserialize_f32, visit_f32, f32);
    number!(deserialize_f64, visit_f64, f64);

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_string(self.into_text("text")?)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_byte_buf(self.into_text("text")?.into_bytes())
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Node::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Node::Null => visitor.visit_unit(),
            Node::Text(text) if text.is_empty() => visitor.visit_unit(),
            other => Err(de::Error::custom(format!("expected nothing, got {}", other.kind()))),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    /// A list; a single value is a list of one (`types=mention`), and
    /// positions (`a[0]=`) are read in order.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Node::List(items) => visitor.visit_seq(Seq::new(items)),
            Node::Null => visitor.visit_seq(Seq::new(Vec::new())),
            Node::Map(map) => match Node::indexed_list(map) {
                Ok(items) => visitor.visit_seq(Seq::new(items)),
                Err(map) => Err(de::Error::custom(format!("expected a list, got {}", Node::Map(map).kind()))),
            },
            single => visitor.visit_seq(Seq::new(vec![single])),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    /// Named values; a scalar here (`poll=undefined`) counts as none.
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Node::Map(map) => visitor.visit_map(Map::new(map)),
            Node::List(_) => Err(de::Error::custom("expected a set of named values, got a list")),
            _ => visitor.visit_map(Map::new(Params::new())),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let name: serde::de::value::StringDeserializer<DeError> = self.into_text("a name")?.into_deserializer();
        visitor.visit_enum(name)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

impl<'de> IntoDeserializer<'de, DeError> for Node {
    type Deserializer = Node;

    fn into_deserializer(self) -> Node {
        self
    }
}

struct Seq {
    items: std::iter::Enumerate<std::vec::IntoIter<Node>>,
}

impl Seq {
    fn new(items: Vec<Node>) -> Self {
        Seq { items: items.into_iter().enumerate() }
    }
}

impl<'de> de::SeqAccess<'de> for Seq {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            Some((position, node)) => seed.deserialize(node).map(Some).map_err(|e| e.within(&position.to_string())),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Map {
    entries: indexmap::map::IntoIter<String, Node>,
    pending: Option<(String, Node)>,
}

impl Map {
    fn new(map: Params) -> Self {
        Map { entries: map.into_iter(), pending: None }
    }
}

impl<'de> de::MapAccess<'de> for Map {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        let Some((key, node)) = self.entries.next() else {
            return Ok(None);
        };
        let name: serde::de::value::StrDeserializer<DeError> = key.as_str().into_deserializer();
        let key_value = seed.deserialize(name).map_err(|e| e.within(&key))?;
        self.pending = Some((key, node));
        Ok(Some(key_value))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let (key, node) = self.pending.take().ok_or_else(|| de::Error::custom("a value without a name"))?;
        seed.deserialize(node).map_err(|e| e.within(&key))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}
