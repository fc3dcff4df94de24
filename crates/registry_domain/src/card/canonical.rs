//! The bytes an A2A SDK canonicalizes when it verifies a card's signature.
//!
//! The reference is `a2a-sdk` (Python) 1.3.0, `a2a/utils/signing.py` `_canonicalize_agent_card`:
//! the card is parsed into the protobuf `AgentCard`, turned back into a dict by
//! `MessageToDict`, `signatures` is removed, empty strings, lists and objects (and `null`s) are
//! removed recursively (`_clean_empty`), and the result is serialized by its RFC 8785 (JCS)
//! implementation `a2a/utils/_jcs.py`. What the protobuf round trip changes is emulated here
//! from the schema table:
//!
//! - a plain (non-`optional`) `bool` set to `false` is the protobuf default and disappears
//!   (`AgentExtension.required`, `AuthorizationCodeOAuthFlow.pkceRequired`); an `optional bool`
//!   (`AgentCapabilities.streaming`, ...) keeps its `false`;
//! - numbers exist only inside `google.protobuf.Struct` (`AgentExtension.params`) and are
//!   doubles there, so `1` and `1.0` are both written `1` (ECMAScript `Number::toString`);
//! - `null` inside a `Struct` becomes Python `None`, which `_clean_empty` removes.
//!
//! Everything else is plain JCS: object members sorted by their UTF-16 code units, strings with
//! only `"`, `\` and the C0 controls escaped (`\b \t \n \f \r` short, others `\u00xx`), all other
//! characters as UTF-8, no whitespace. Test vectors produced by the SDK itself are in
//! `tests/fixtures/a2a_canonical.json`.

use super::schema::{Msg, Ty, AGENT_CARD};
use serde_json::{Map, Value};

/// A value of the cleaned dict, before serialization.
enum Canon<'a> {
    Str(&'a str),
    Bool(bool),
    Num(f64),
    List(Vec<Canon<'a>>),
    Obj(Vec<(&'a str, Canon<'a>)>),
}

/// The canonical bytes of a validated card (its `signatures` left out).
pub(crate) fn canonical_card(card: &Map<String, Value>) -> Vec<u8> {
    let mut out = String::new();
    match message(&AGENT_CARD, card, true) {
        Some(canon) => write(&canon, &mut out),
        // `_clean_empty` of an all-empty card is `None`; never the case for a valid card.
        None => out.push_str("null"),
    }
    out.into_bytes()
}

fn message<'a>(msg: &Msg, map: &'a Map<String, Value>, top: bool) -> Option<Canon<'a>> {
    let members: Vec<(&str, Canon)> = map
        .iter()
        .filter(|(key, _)| !(top && key.as_str() == "signatures"))
        .filter_map(|(key, value)| {
            let field = msg.field(key)?;
            typed(field.ty, value).map(|canon| (key.as_str(), canon))
        })
        .collect();
    (!members.is_empty()).then_some(Canon::Obj(members))
}

fn typed(ty: Ty, value: &Value) -> Option<Canon<'_>> {
    match (ty, value) {
        (Ty::Str, Value::String(s)) => (!s.is_empty()).then_some(Canon::Str(s)),
        (Ty::Bool { presence }, Value::Bool(b)) => (presence || *b).then_some(Canon::Bool(*b)),
        (Ty::Struct, Value::Object(_)) => free(value),
        (Ty::Msg(msg), Value::Object(map)) => message(msg, map, false),
        (Ty::List(item), Value::Array(items)) => {
            let items: Vec<Canon> = items.iter().filter_map(|v| typed(*item, v)).collect();
            (!items.is_empty()).then_some(Canon::List(items))
        }
        (Ty::Map(item), Value::Object(map)) => {
            let entries: Vec<(&str, Canon)> = map
                .iter()
                .filter_map(|(k, v)| typed(*item, v).map(|c| (k.as_str(), c)))
                .collect();
            (!entries.is_empty()).then_some(Canon::Obj(entries))
        }
        // A validated card has no other combination.
        _ => None,
    }
}

/// `google.protobuf.Struct` contents after `MessageToDict` and `_clean_empty`.
fn free(value: &Value) -> Option<Canon<'_>> {
    match value {
        Value::Null => None,
        Value::Bool(b) => Some(Canon::Bool(*b)),
        // Stored numbers are within the range of a double (domain `json`): always finite.
        Value::Number(n) => n.to_string().parse::<f64>().ok().map(Canon::Num),
        Value::String(s) => (!s.is_empty()).then_some(Canon::Str(s)),
        Value::Array(items) => {
            let items: Vec<Canon> = items.iter().filter_map(free).collect();
            (!items.is_empty()).then_some(Canon::List(items))
        }
        Value::Object(map) => {
            let entries: Vec<(&str, Canon)> = map
                .iter()
                .filter_map(|(k, v)| free(v).map(|c| (k.as_str(), c)))
                .collect();
            (!entries.is_empty()).then_some(Canon::Obj(entries))
        }
    }
}

fn write(canon: &Canon, out: &mut String) {
    match canon {
        Canon::Str(s) => write_string(s, out),
        Canon::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Canon::Num(n) => out.push_str(&es_number(*n)),
        Canon::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Canon::Obj(members) => {
            let mut members: Vec<&(&str, Canon)> = members.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write(item, out);
            }
            out.push('}');
        }
    }
}

/// A JSON string as RFC 8785 §3.2.2.2 writes it.
pub(crate) fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A finite double as ECMAScript's `Number::toString` writes it (ECMA-262 7.1.12.1; RFC 8785
/// §3.2.2.3): the shortest digits that read back to the same double, in plain notation from
/// 1e-7 (exclusive) to 1e21 (exclusive), exponential (`1e+21`, `1.5e-7`) outside.
pub(crate) fn es_number(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        // -0 is written "0"; a non-finite value never reaches here (stored numbers are finite).
        return "0".to_owned();
    }
    if value < 0.0 {
        return format!("-{}", es_number(-value));
    }
    // Rust's `{:e}` gives the shortest round-trip digits, `d[.ddd]e<exp>`, but not always the
    // ones closest to the value: 0x43143ff3c1cb0959 (1424953923781206.25) comes out `…206.3`
    // where Python's `repr`, and so the SDK, write `…206.2`. With that many digits, the
    // correctly rounded form (ties to even) is the closest; it is used when it reads back to the
    // same double, which is the case unless the value sits at a power of two.
    let shortest = format!("{value:e}");
    let k = shortest
        .split_once('e')
        .map_or(0, |(m, _)| m.chars().filter(char::is_ascii_digit).count());
    let closest = format!("{value:.prec$e}", prec = k.saturating_sub(1));
    let sci = if closest.parse::<f64>() == Ok(value) {
        closest
    } else {
        shortest
    };
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    // The decimal point sits after the first `n` digits.
    let n = exponent + 1;
    let zeros = |count: i32| "0".repeat(usize::try_from(count).unwrap_or(0));
    if k <= n && n <= 21 {
        format!("{digits}{}", zeros(n - k))
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(usize::try_from(n).unwrap_or(0));
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", zeros(-n))
    } else {
        let sign = if n - 1 < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1);
        let point = if rest.is_empty() { "" } else { "." };
        format!("{first}{point}{rest}e{sign}{}", (n - 1).abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8785 Appendix B (the IEEE 754 bit patterns and their canonical text) and the
    /// boundaries of the plain-notation window.
    #[test]
    fn numbers_are_written_as_ecmascript_does() {
        let bits: &[(u64, &str)] = &[
            (0x0000_0000_0000_0000, "0"),
            (0x8000_0000_0000_0000, "0"),
            (0x0000_0000_0000_0001, "5e-324"),
            (0x8000_0000_0000_0001, "-5e-324"),
            (0x7fef_ffff_ffff_ffff, "1.7976931348623157e+308"),
            (0xffef_ffff_ffff_ffff, "-1.7976931348623157e+308"),
            (0x4340_0000_0000_0000, "9007199254740992"),
            (0xc340_0000_0000_0000, "-9007199254740992"),
            (0x4430_0000_0000_0000, "295147905179352830000"),
            (0x44b5_2d02_c7e1_4af5, "9.999999999999997e+22"),
            (0x44b5_2d02_c7e1_4af6, "1e+23"),
            (0x44b5_2d02_c7e1_4af7, "1.0000000000000001e+23"),
            (0x444b_1ae4_d6e2_ef4e, "999999999999999700000"),
            (0x444b_1ae4_d6e2_ef4f, "999999999999999900000"),
            (0x444b_1ae4_d6e2_ef50, "1e+21"),
            (0x3eb0_c6f7_a0b5_ed8c, "9.999999999999997e-7"),
            (0x3eb0_c6f7_a0b5_ed8d, "0.000001"),
            (0x41b3_de43_5555_5553, "333333333.3333332"),
            (0x41b3_de43_5555_5554, "333333333.33333325"),
            (0x41b3_de43_5555_5555, "333333333.3333333"),
            (0x41b3_de43_5555_5556, "333333333.3333334"),
            (0x41b3_de43_5555_5557, "333333333.33333343"),
            (0xbecb_f647_612f_3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ];
        for (bits, text) in bits {
            assert_eq!(es_number(f64::from_bits(*bits)), *text, "{bits:#x}");
        }
        for (value, text) in [
            (1.0, "1"),
            (1.5, "1.5"),
            (100.0, "100"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e21, "1.5e+21"),
            (1e-6, "0.000001"),
            (1.5e-6, "0.0000015"),
            (1e-7, "1e-7"),
            (1.25e-7, "1.25e-7"),
            (0.1, "0.1"),
            (123.456, "123.456"),
        ] {
            assert_eq!(es_number(value), text, "{value}");
        }
    }

    #[test]
    fn strings_escape_only_what_rfc_8785_escapes() {
        let mut out = String::new();
        write_string("a\"b\\c\u{8}\t\n\u{c}\r\u{1}\u{1f}\u{7f}é€😀/", &mut out);
        assert_eq!(
            out,
            "\"a\\\"b\\\\c\\b\\t\\n\\f\\r\\u0001\\u001f\u{7f}é€😀/\""
        );
    }
}
