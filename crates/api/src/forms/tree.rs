//! Request parameters as one tree, whatever the client sent: a form or a
//! query string with Rack's nested names (`a[b]=`, `a[]=`, `a[][k]=`,
//! `a[0][k]=`), the text fields of a multipart form, or a JSON body.
//!
//! Form names are read by the rules of Rack's `QueryParser#normalize_params`
//! (Rack 3), which is what Mastodon (Rails) reads them by, so every name a
//! Mastodon client sends means here what it means there. In particular
//! `a[][k]=1&a[][k]=2` is two records: a key already present in the last
//! record starts a new one.

use indexmap::IndexMap;

/// How deep names may nest (`a[b][c]…`), as Rack's `param_depth_limit`.
pub const MAX_DEPTH: usize = 32;

/// One parameter value. Forms only give `Text`, `List` and `Map`; JSON
/// bodies give the rest too.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Text(String),
    List(Vec<Node>),
    Map(Params),
}

/// Named parameters, in the order the client sent them.
pub type Params = IndexMap<String, Node>;

/// A form whose names contradict each other, or nest too deeply.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TreeError {
    #[error("'{0}' is nested more than {MAX_DEPTH} levels deep")]
    TooDeep(String),
    #[error("'{name}' is given both as {was} and as {now}")]
    Conflict { name: String, was: &'static str, now: &'static str },
}

impl Node {
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Number(_) => "a number",
            Node::Text(_) => "text",
            Node::List(_) => "a list",
            Node::Map(_) => "a set of named values",
        }
    }
}

/// The parameters of a form-encoded text (a body or a query string).
/// Bytes that are not UTF-8 after percent-decoding become U+FFFD.
pub fn parse_form(text: &str) -> Result<Params, TreeError> {
    from_pairs(url::form_urlencoded::parse(text.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())))
}

/// The parameters of name–value pairs, in order (a later plain value
/// replaces an earlier one, as in Rack).
pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Result<Params, TreeError> {
    let mut params = Params::new();
    for (name, value) in pairs {
        normalize(&mut params, &name, Node::Text(value), 0)?;
    }
    Ok(params)
}

/// Rack's `normalize_params`: adds `value` under `name` to `params`. It
/// answers `Some` only for a bare `[]` inside a record (`a[][]=v`), whose
/// value is a list of its own that the caller stores.
fn normalize(params: &mut Params, name: &str, value: Node, depth: usize) -> Result<Option<Node>, TreeError> {
    if depth >= MAX_DEPTH {
        return Err(TreeError::TooDeep(name.to_owned()));
    }
    let (key, after) = split_name(name, depth);
    if key.is_empty() {
        return Ok(None);
    }
    if after.is_empty() {
        if key == "[]" && depth != 0 {
            return Ok(Some(Node::List(vec![value])));
        }
        params.insert(key.to_owned(), value);
    } else if after == "[" {
        params.insert(name.to_owned(), value);
    } else if after == "[]" {
        list_at(params, key)?.push(value);
    } else if let Some(rest) = after.strip_prefix("[]") {
        let child = record_key(rest).unwrap_or(rest);
        let list = list_at(params, key)?;
        if let Some(Node::Map(last)) = list.last_mut()
            && !has_key(last, child)
        {
            normalize(last, child, value, depth + 1)?;
        } else {
            let mut fresh = Params::new();
            let single = normalize(&mut fresh, child, value, depth + 1)?;
            list.push(single.unwrap_or(Node::Map(fresh)));
        }
    } else {
        let entry = params.entry(key.to_owned()).or_insert_with(|| Node::Map(Params::new()));
        let Node::Map(inner) = entry else {
            return Err(conflict(key, entry, "a set of named values"));
        };
        if let Some(single) = normalize(inner, after, value, depth + 1)? {
            *entry = single;
        }
    }
    Ok(None)
}

/// The first key of `name` and what follows it.
fn split_name(name: &str, depth: usize) -> (&str, &str) {
    if depth == 0 {
        // At the start, a leading `[` is part of the key.
        return match name.char_indices().skip(1).find(|&(_, c)| c == '[') {
            Some((start, _)) => name.split_at(start),
            None => (name, ""),
        };
    }
    if name.starts_with("[]") {
        return name.split_at(2);
    }
    if let Some(end) = name.strip_prefix('[').and_then(|rest| rest.find(']')).map(|i| i + 1)
        && end > 1
    {
        return (&name[1..end], &name[end + 1..]);
    }
    // Nested but not bracketed: the whole rest is the key, as Rack does.
    (name, "")
}

/// `k` of `[k]`, when the rest of an `a[]…` name is exactly one plain key.
fn record_key(rest: &str) -> Option<&str> {
    let key = rest.strip_prefix('[')?.strip_suffix(']')?;
    (!key.is_empty() && !key.contains(['[', ']'])).then_some(key)
}

/// Rack's `params_hash_has_key?`: whether the path `name` (`k` or
/// `[k][j]`) already holds a value in `record`.
fn has_key(record: &Params, name: &str) -> bool {
    if name.contains("[]") {
        return false;
    }
    let mut current = record;
    let mut parts = name.split(['[', ']']).filter(|p| !p.is_empty()).peekable();
    while let Some(part) = parts.next() {
        match current.get(part) {
            None => return false,
            Some(Node::Map(inner)) => current = inner,
            Some(_) if parts.peek().is_none() => return true,
            Some(_) => return false,
        }
    }
    true
}

fn list_at<'a>(params: &'a mut Params, key: &str) -> Result<&'a mut Vec<Node>, TreeError> {
    let entry = params.entry(key.to_owned()).or_insert_with(|| Node::List(Vec::new()));
    match entry {
        Node::List(list) => Ok(list),
        other => Err(conflict(key, other, "a list")),
    }
}

fn conflict(name: &str, was: &Node, now: &'static str) -> TreeError {
    TreeError::Conflict { name: name.to_owned(), was: was.kind(), now }
}

impl<'de> serde::Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> serde::de::Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a parameter value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Node::Null, Node::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Text(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Text(v))
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut params = Params::new();
        while let Some((key, value)) = map.next_entry::<String, Node>()? {
            params.insert(key, value);
        }
        Ok(Node::Map(params))
    }
}
