use std::collections::BTreeMap;

use proptest::prelude::*;

use super::tree::{self, MAX_DEPTH, Node, Params, TreeError};
use super::*;

#[derive(serde::Deserialize, Debug, Default)]
struct Sample {
    #[serde(default)]
    types: Vec<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    only_media: Option<bool>,
    limit: Option<u32>,
    #[serde(default, deserialize_with = "string_or_list")]
    redirect_uris: Vec<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(serde::Deserialize, Debug, PartialEq)]
struct Keyword {
    keyword: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    whole_word: Option<bool>,
}

#[derive(serde::Deserialize, Debug)]
struct WithRecords {
    #[serde(default, deserialize_with = "nested")]
    keywords_attributes: Option<Vec<Keyword>>,
    #[serde(default)]
    title: Option<String>,
}

fn keyword(text: &str, whole_word: Option<bool>) -> Keyword {
    Keyword { keyword: Some(text.into()), whole_word }
}

fn text(value: &str) -> Node {
    Node::Text(value.into())
}

fn map(entries: Vec<(&str, Node)>) -> Node {
    Node::Map(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

#[test]
fn bracket_arrays_numbers_and_loose_booleans_parse_from_forms() {
    let parsed: Sample =
        parse_form_text("types[]=mention&types%5B%5D=favourite&only_media=1&limit=20&redirect_uris=a+b&note=").unwrap();
    assert_eq!(parsed.types, ["mention", "favourite"]);
    assert_eq!(parsed.only_media, Some(true));
    assert_eq!(parsed.limit, Some(20));
    assert_eq!(parsed.redirect_uris, ["a b"]);
    assert_eq!(parsed.note.as_deref(), Some(""), "an empty value is sent, not absent: it clears a bio");
}

#[test]
fn json_bodies_read_like_forms() {
    let body = br#"{"only_media": false, "redirect_uris": ["x", "y"], "limit": 5, "types": "mention", "note": null}"#;
    let parsed: Sample = decode_body("application/json", body).unwrap();
    assert_eq!(parsed.only_media, Some(false));
    assert_eq!(parsed.redirect_uris, ["x", "y"]);
    assert_eq!(parsed.limit, Some(5));
    assert_eq!(parsed.types, ["mention"]);
    assert_eq!(parsed.note, None);
    let numbers_as_text: Sample = decode_body("application/json", br#"{"limit": "7"}"#).unwrap();
    assert_eq!(numbers_as_text.limit, Some(7));
}

#[test]
fn records_without_positions_start_anew_on_a_repeated_key_as_in_rack() {
    let form = "keywords_attributes[][keyword]=spam&keywords_attributes[][whole_word]=true\
                &keywords_attributes[][keyword]=eggs&title=Food";
    let parsed: WithRecords = parse_form_text(form).unwrap();
    assert_eq!(parsed.keywords_attributes.unwrap(), [keyword("spam", Some(true)), keyword("eggs", None)]);
    assert_eq!(parsed.title.as_deref(), Some("Food"));
}

#[test]
fn records_with_positions_are_read_in_position_order() {
    let form = "keywords_attributes[10][keyword]=ten&keywords_attributes[2][keyword]=two\
                &keywords_attributes[2][whole_word]=0";
    let parsed: WithRecords = parse_form_text(form).unwrap();
    assert_eq!(parsed.keywords_attributes.unwrap(), [keyword("two", Some(false)), keyword("ten", None)]);
    let json = br#"{"keywords_attributes": {"1": {"keyword": "b"}, "0": {"keyword": "a", "whole_word": 1}}}"#;
    let parsed: WithRecords = decode_body("application/json", json).unwrap();
    assert_eq!(parsed.keywords_attributes.unwrap(), [keyword("a", Some(true)), keyword("b", None)]);
}

#[test]
fn a_scalar_where_records_are_expected_counts_as_not_sent() {
    for form in ["keywords_attributes=undefined", "keywords_attributes=", "title=x"] {
        let parsed: WithRecords = parse_form_text(form).unwrap();
        assert_eq!(parsed.keywords_attributes, None, "{form}");
    }
    let parsed: WithRecords = decode_body("application/json", br#"{"keywords_attributes": "undefined"}"#).unwrap();
    assert_eq!(parsed.keywords_attributes, None);
}

#[test]
fn unreadable_parameters_are_a_400_naming_the_parameter() {
    let error = parse_form_text::<Sample>("limit=lots").unwrap_err();
    assert!(matches!(&error, ApiError::BadRequest(m) if m.contains("limit: 'lots' is not a number")), "{error:?}");
    let error = parse_form_text::<WithRecords>("keywords_attributes[][whole_word]=perhaps").unwrap_err();
    assert!(
        matches!(&error, ApiError::BadRequest(m) if m.contains("keywords_attributes") && m.contains("perhaps")),
        "{error:?}"
    );
    for bad in [&b"{not json"[..], b"[1, 2]", b"\"text\""] {
        let error = decode_body::<Sample>("application/json", bad).unwrap_err();
        assert!(matches!(error, ApiError::BadRequest(_)), "{error:?}");
    }
    assert!(decode_body::<Sample>("text/plain", b"").is_ok(), "an empty body is no parameters, whatever its type");
    let error = decode_body::<Sample>("text/plain", b"x").unwrap_err();
    assert!(matches!(&error, ApiError::BadRequest(m) if m.contains("multipart/form-data")), "{error:?}");
}

#[test]
fn names_that_contradict_each_other_are_refused_as_rack_refuses_them() {
    assert!(matches!(tree::parse_form("a=1&a[b]=2"), Err(TreeError::Conflict { .. })));
    assert!(matches!(tree::parse_form("a[b]=1&a[]=2"), Err(TreeError::Conflict { .. })));
    let deep = format!("a{}=1", "[b]".repeat(MAX_DEPTH));
    assert!(matches!(tree::parse_form(&deep), Err(TreeError::TooDeep(_))));
    assert!(tree::parse_form(&format!("a{}=1", "[b]".repeat(MAX_DEPTH - 1))).is_ok());
}

#[test]
fn odd_names_mean_what_they_mean_in_rack() {
    let parsed = tree::parse_form("[x]=1&a[=2&b[c]d=3&e[][]=4&e[][]=5&f[][g][h]=6&f[][g][h]=7&=8&i").unwrap();
    let expected: Params = [
        ("[x]", text("1")),
        ("a[", text("2")),
        ("b", map(vec![("c", map(vec![("d", text("3"))]))])),
        ("e", Node::List(vec![Node::List(vec![text("4")]), Node::List(vec![text("5")])])),
        (
            "f",
            Node::List(vec![
                map(vec![("g", map(vec![("h", text("6"))]))]),
                map(vec![("g", map(vec![("h", text("7"))]))]),
            ]),
        ),
        ("i", text("")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(parsed, expected);
}

/// A form's names and values for `node` under `name`, records written
/// without positions (`a[][k]=`), as Rack would read them back.
fn encode(name: &str, node: &Node, out: &mut Vec<(String, String)>) {
    match node {
        Node::Text(value) => out.push((name.to_owned(), value.clone())),
        Node::Map(entries) => {
            for (key, child) in entries {
                encode(&format!("{name}[{key}]"), child, out);
            }
        }
        Node::List(items) => {
            for item in items {
                encode(&format!("{name}[]"), item, out);
            }
        }
        _ => unreachable!("forms hold text, lists and maps"),
    }
}

fn form_text(pairs: &[(String, String)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

fn key() -> impl Strategy<Value = String> {
    "[a-z_]{1,8}"
}

/// Values: any text, brackets, `&`, `=`, `%` and non-ASCII included.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a-z0-9 &=%+\\[\\]é€]{0,12}"]
}

/// Named values nested up to three levels, as `a[b][c]=` writes them.
fn nested_map() -> impl Strategy<Value = Node> {
    let leaf = value().prop_map(Node::Text);
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop::collection::btree_map(key(), inner, 1..4).prop_map(|m| Node::Map(m.into_iter().collect()))
    })
}

/// Records that all start with the same key, each with distinct keys:
/// the shape clients send as `a[][k]=` (Rack starts a record whenever
/// a key repeats, so this is what that notation can express).
fn records() -> impl Strategy<Value = Vec<BTreeMap<String, String>>> {
    let record = (value(), prop::collection::btree_map("[a-j]{1,3}", value(), 0..4)).prop_map(|(first, rest)| {
        let mut record = rest;
        record.insert("keyword".into(), first);
        record
    });
    prop::collection::vec(record, 0..6)
}

#[derive(serde::Deserialize, Debug)]
struct Records {
    #[serde(default, deserialize_with = "nested")]
    items: Option<Vec<BTreeMap<String, String>>>,
}

proptest! {
    #[test]
    fn any_input_is_parsed_or_refused_without_panicking(input in any::<String>()) {
        let _ = tree::parse_form(&input);
        let _ = parse_form_text::<Sample>(&input);
        let _ = decode_body::<WithRecords>("application/json", input.as_bytes());
    }

    #[test]
    fn bracketed_input_is_parsed_or_refused_without_panicking(input in "[a\\[\\]0-9=&b%]{0,40}") {
        let _ = parse_form_text::<WithRecords>(&input);
        let _ = parse_form_text::<BTreeMap<String, Node>>(&input);
    }

    #[test]
    fn nested_names_round_trip(entries in prop::collection::btree_map(key(), nested_map(), 0..5)) {
        let mut pairs = Vec::new();
        for (name, node) in &entries {
            encode(name, node, &mut pairs);
        }
        let parsed = tree::parse_form(&form_text(&pairs)).unwrap();
        let expected: Params = entries.into_iter().collect();
        prop_assert_eq!(parsed, expected);
    }

    #[test]
    fn records_read_the_same_with_and_without_positions_and_as_json(records in records()) {
        let mut unindexed = Vec::new();
        let mut indexed = Vec::new();
        for (position, record) in records.iter().enumerate() {
            // The shared first key leads each record, as clients send it.
            let ordered = std::iter::once(("keyword", &record["keyword"]))
                .chain(record.iter().filter(|(k, _)| *k != "keyword").map(|(k, v)| (k.as_str(), v)));
            for (k, v) in ordered {
                unindexed.push((format!("items[][{k}]"), v.clone()));
                indexed.push((format!("items[{position}][{k}]"), v.clone()));
            }
        }
        let expected = if records.is_empty() { None } else { Some(records.clone()) };
        let from_unindexed: Records = parse_form_text(&form_text(&unindexed)).unwrap();
        prop_assert_eq!(&from_unindexed.items, &expected);
        let from_indexed: Records = parse_form_text(&form_text(&indexed)).unwrap();
        prop_assert_eq!(&from_indexed.items, &expected);
        let json = serde_json::to_vec(&serde_json::json!({ "items": records })).unwrap();
        let from_json: Records = decode_body("application/json", &json).unwrap();
        prop_assert_eq!(from_json.items, Some(records));
    }
}
