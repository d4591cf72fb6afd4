//! The `serde` feature: a dict is a map and a set a sequence, in order, through `serde_json`;
//! a repeated key or element, and malformed input, are errors that say what is wrong.
//! (indexmap's `test-serde` crate checks the same shapes with `serde_test` tokens; these are
//! written for vdict, with its stricter reading of duplicates.)
#![cfg(feature = "serde")]

use serde::{Deserialize, Serialize};
use vdict::{Dict, Set};

type FnvDict<K, V> = Dict<K, V, fnv::FnvBuildHasher>;
type FnvSet<T> = Set<T, fnv::FnvBuildHasher>;

#[test]
fn a_dict_is_a_map_in_insertion_order() {
    let mut d = vdict::dict! { "zeta" => 1, "alpha" => 2, "mid" => 3 };
    assert_eq!(
        serde_json::to_string(&d).unwrap(),
        r#"{"zeta":1,"alpha":2,"mid":3}"#
    );
    // A removal leaves a hole; what is written is still the live entries in order.
    d.remove("alpha");
    assert_eq!(serde_json::to_string(&d).unwrap(), r#"{"zeta":1,"mid":3}"#);
}

#[test]
fn a_round_trip_keeps_order_and_content() {
    let mut d: Dict<String, Vec<u8>> = (0..200)
        .rev()
        .map(|i| (format!("k{i}"), vec![i as u8; i % 5]))
        .collect();
    for i in (0..200).step_by(7) {
        d.remove(&format!("k{i}"));
    }
    let json = serde_json::to_string(&d).unwrap();
    let back: Dict<String, Vec<u8>> = serde_json::from_str(&json).unwrap();
    assert!(back.iter().eq(d.iter()));
    let back_fnv: FnvDict<String, Vec<u8>> = serde_json::from_str(&json).unwrap();
    assert!(back_fnv.iter().eq(d.iter()));
    back.check_invariants().unwrap();
}

#[test]
fn a_set_is_a_sequence_in_insertion_order() {
    let mut s = vdict::set! { 30, 10, 20 };
    assert_eq!(serde_json::to_string(&s).unwrap(), "[30,10,20]");
    s.remove(&10);
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(json, "[30,20]");
    let back: FnvSet<i32> = serde_json::from_str(&json).unwrap();
    assert!(back.iter().eq(s.iter()));
}

#[test]
fn a_repeated_key_is_an_error_naming_both_entries() {
    let error = serde_json::from_str::<Dict<String, i32>>(r#"{"a":1,"b":2,"a":3}"#).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("duplicate key")
            && message.contains("entry 2")
            && message.contains("entry 0"),
        "{message}"
    );
}

#[test]
fn a_repeated_element_is_an_error() {
    let error = serde_json::from_str::<Set<i32>>("[1,2,3,2]").unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("duplicate element") && message.contains("element 3"),
        "{message}"
    );
}

#[test]
fn malformed_input_is_an_error_not_a_partial_dict() {
    for bad in [
        r#"{"a":1,"b":}"#,
        r#"{"a":1"#,
        "[1,2]",
        r#"{"a":"x"}"#,
        "null",
    ] {
        assert!(
            serde_json::from_str::<Dict<String, i32>>(bad).is_err(),
            "{bad} was accepted"
        );
    }
    for bad in ["[1,2", r#"{"a":1}"#, r#"[1,"x"]"#] {
        assert!(
            serde_json::from_str::<Set<i32>>(bad).is_err(),
            "{bad} was accepted"
        );
    }
}

#[test]
fn serde_seq_writes_pairs_in_order_and_rejects_repeats() {
    #[derive(Serialize, Deserialize, Debug)]
    struct Module {
        #[serde(with = "vdict::dict::serde_seq")]
        globals: Dict<i32, i32>,
    }
    let module = Module {
        globals: vdict::dict! { 1 => 2, 3 => 4, -1 => -2 },
    };
    let json = serde_json::to_string(&module).unwrap();
    assert_eq!(json, r#"{"globals":[[1,2],[3,4],[-1,-2]]}"#);
    let back: Module = serde_json::from_str(&json).unwrap();
    assert!(back.globals.iter().eq(module.globals.iter()));

    let error = serde_json::from_str::<Module>(r#"{"globals":[[1,2],[1,3]]}"#).unwrap_err();
    assert!(error.to_string().contains("duplicate key"), "{error}");
}

#[test]
fn a_dict_inside_a_derived_struct_round_trips() {
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Namespace {
        name: String,
        names: Dict<String, u32>,
        flags: Set<String>,
    }
    let ns = Namespace {
        name: "m".into(),
        names: vdict::dict! { "x".to_string() => 1, "y".to_string() => 2 },
        flags: vdict::set! { "b".to_string(), "a".to_string() },
    };
    let back: Namespace = serde_json::from_str(&serde_json::to_string(&ns).unwrap()).unwrap();
    assert_eq!(back, ns);
    assert!(back.flags.iter().eq(ns.flags.iter()));
}

#[test]
fn slices_are_written_as_their_dict_and_set_are() {
    let mut d: Dict<String, i32> = (0..8).map(|i| (format!("k{i}"), i)).collect();
    d.remove("k1");
    d.remove("k4");
    let slice = d.get_range(1..4).unwrap();
    assert_eq!(
        serde_json::to_string(&slice).unwrap(),
        r#"{"k2":2,"k3":3,"k5":5}"#
    );
    let s: Set<i32> = [5, 3, 9, 1].into_iter().collect();
    assert_eq!(serde_json::to_string(&s.as_slice()).unwrap(), "[5,3,9,1]");
    assert_eq!(
        serde_json::to_string(&s.get_range(2..).unwrap()).unwrap(),
        "[9,1]"
    );
}

#[test]
fn a_dict_and_a_set_deserialize_values_in_order() {
    use serde::de::value::Error;
    use serde::de::IntoDeserializer;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Point {
        x: i32,
        y: i32,
    }
    let mut fields: Dict<&str, i32> = [("y", 2), ("x", 1), ("z", 0)].into_iter().collect();
    fields.remove("z");
    let point = Point::deserialize(fields.into_deserializer()).map_err(|e: Error| e);
    assert_eq!(point, Ok(Point { x: 1, y: 2 }));

    let elements: Set<i32> = [3, 1, 2].into_iter().collect();
    let as_vec = Vec::<i32>::deserialize(IntoDeserializer::<Error>::into_deserializer(elements));
    assert_eq!(as_vec, Ok(vec![3, 1, 2]));
}
