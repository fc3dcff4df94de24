//! Client JSON that is stored as a document (registration metadata, the card-metadata filter):
//! accepted only when the database can store it and hand it back unchanged.
//!
//! Numbers are kept exactly (serde_json's `arbitrary_precision`), rewritten into the one
//! plain-decimal spelling PostgreSQL's `numeric` prints (`1.50e1` → `15.0`, `-0` → `0`), so
//! both stores return the same text and size limits count what is actually stored. A number
//! outside the range of a double (what every JSON client can read back), or longer than
//! [`MAX_NUMBER_CHARS`] written out, is refused rather than silently rounded, and so is the NUL
//! character, which PostgreSQL cannot store in `jsonb`.

use crate::ValidationError;
use serde_json::{Map, Number, Value};

/// Longest number accepted, in characters of its plain decimal form (sign and point included):
/// enough for every double written out (`1.7976931348623157e308` is 309 digits, the smallest
/// subnormal 327 characters). What a number expands to counts toward the metadata's size limit.
pub const MAX_NUMBER_CHARS: usize = 400;

/// Exponents beyond this are refused before any digit is written out.
const MAX_EXPONENT: i64 = MAX_NUMBER_CHARS as i64;

/// The decimal exponent of the largest double (`1.7976931348623157e308`).
const MAX_DOUBLE_EXPONENT: i64 = 308;
/// The decimal exponent of the smallest positive (subnormal) double (`4.9e-324`).
const MIN_DOUBLE_EXPONENT: i64 = -324;

/// `value` with every number in canonical form, or the first offending place named as
/// `field` followed by its path (`registration_metadata.a.b[2]`).
pub fn canonical_json(value: Value, field: &str) -> Result<Value, ValidationError> {
    let mut path = field.to_owned();
    canonical_value(value, &mut path)
}

/// Like [`canonical_json`] for the members of an object.
pub fn canonical_object(
    map: Map<String, Value>,
    field: &str,
) -> Result<Map<String, Value>, ValidationError> {
    let mut path = field.to_owned();
    canonical_map(map, &mut path)
}

fn canonical_value(value: Value, path: &mut String) -> Result<Value, ValidationError> {
    Ok(match value {
        Value::Number(n) => Value::Number(canonical_number(&n.to_string(), path)?),
        Value::String(s) => {
            storable_text(&s, path)?;
            Value::String(s)
        }
        Value::Array(items) => {
            let len = path.len();
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                path.push_str(&format!("[{i}]"));
                out.push(canonical_value(item, path)?);
                path.truncate(len);
            }
            Value::Array(out)
        }
        Value::Object(map) => Value::Object(canonical_map(map, path)?),
        other => other,
    })
}

fn canonical_map(
    map: Map<String, Value>,
    path: &mut String,
) -> Result<Map<String, Value>, ValidationError> {
    let len = path.len();
    let mut out = Map::new();
    for (key, item) in map {
        path.push('.');
        path.push_str(&key.replace('\0', "\\u0000"));
        storable_text(&key, path)?;
        let item = canonical_value(item, path)?;
        path.truncate(len);
        out.insert(key, item);
    }
    Ok(out)
}

/// Refuses text PostgreSQL cannot store (the NUL character).
fn storable_text(text: &str, path: &str) -> Result<(), ValidationError> {
    if text.contains('\0') {
        return Err(ValidationError::new(
            path,
            "must not contain the NUL character (\\u0000)",
        ));
    }
    Ok(())
}

/// The plain-decimal spelling PostgreSQL's `numeric` prints for the JSON number `text`:
/// exact, no exponent, `max(0, fraction digits - exponent)` digits after the point, no
/// negative zero.
pub(crate) fn canonical_number(text: &str, path: &str) -> Result<Number, ValidationError> {
    let too_long = || {
        ValidationError::new(
            path,
            format!(
                "number must be at most {MAX_NUMBER_CHARS} characters written out in plain \
                 decimal notation (it is stored exactly, never rounded)"
            ),
        )
    };
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (
            &unsigned[..i],
            parse_exponent(&unsigned[i + 1..]).ok_or_else(too_long)?,
        ),
        None => (unsigned, 0),
    };
    let (int_digits, frac_digits) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = format!("{int_digits}{frac_digits}");
    let frac_len = i64::try_from(frac_digits.len()).map_err(|_| too_long())?;
    let scale = (frac_len - exponent).max(0);
    // Position of the decimal point within `digits`.
    let point = i64::try_from(int_digits.len()).map_err(|_| too_long())? + exponent;
    if scale > MAX_EXPONENT || point > MAX_EXPONENT + i64::try_from(digits.len()).unwrap_or(0) {
        return Err(too_long());
    }
    let digit_at = |i: i64| -> char {
        usize::try_from(i)
            .ok()
            .and_then(|i| digits.as_bytes().get(i))
            .map_or('0', |b| char::from(*b))
    };
    // The number's order of magnitude: where its first significant digit stands.
    if let Some(first) = digits.bytes().position(|b| b != b'0') {
        let magnitude = point - 1 - i64::try_from(first).unwrap_or(0);
        let above = magnitude > MAX_DOUBLE_EXPONENT
            || (magnitude == MAX_DOUBLE_EXPONENT && exceeds_max_double(&digits[first..]));
        if above || magnitude < MIN_DOUBLE_EXPONENT {
            return Err(ValidationError::new(
                path,
                "number must be within the range of a double (about ±1.8e308, and not \
                 smaller than 4.9e-324 unless zero)",
            ));
        }
    }
    let integer: String = (0..point).map(digit_at).collect();
    let integer = integer.trim_start_matches('0');
    let fraction: String = (point..point + scale).map(digit_at).collect();
    let is_zero = integer.is_empty() && fraction.bytes().all(|b| b == b'0');
    let mut out = String::new();
    if negative && !is_zero {
        out.push('-');
    }
    out.push_str(if integer.is_empty() { "0" } else { integer });
    if scale > 0 {
        out.push('.');
        out.push_str(&fraction);
    }
    if out.len() > MAX_NUMBER_CHARS {
        return Err(too_long());
    }
    out.parse::<Number>().map_err(|_| too_long())
}

/// Whether significant digits `significant` (of a number whose magnitude is `1e308`) exceed
/// those of the largest double, 1.7976931348623157e308.
fn exceeds_max_double(significant: &str) -> bool {
    const MAX: &str = "17976931348623157";
    let trimmed = significant.trim_end_matches('0');
    let width = trimmed.len().max(MAX.len());
    format!("{trimmed:0<width$}") > format!("{MAX:0<width$}")
}

/// A JSON exponent (`+5`, `-12`, `7`), or `None` when it is beyond any accepted number.
fn parse_exponent(text: &str) -> Option<i64> {
    let value: i64 = text.parse().ok()?;
    (value.abs() <= 10 * MAX_EXPONENT).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canonical(text: &str) -> Result<String, ValidationError> {
        let value: Value = serde_json::from_str(text).unwrap();
        canonical_json(value, "m").map(|v| v.to_string())
    }

    #[test]
    fn numbers_take_postgresqls_plain_decimal_spelling() {
        // Each pair was read back from PostgreSQL 15: select '[...]'::jsonb
        for (input, stored) in [
            ("-0.0", "0.0"),
            ("-0", "0"),
            ("1E+2", "100"),
            ("0e5", "0"),
            ("1.0e-1", "0.10"),
            ("100e-2", "1.00"),
            ("1.50e1", "15.0"),
            ("0.000", "0.000"),
            ("-1.5e-3", "-0.0015"),
            ("12.340e1", "123.40"),
            ("5e-1", "0.5"),
            ("0.0e-2", "0.000"),
            ("0e-5", "0.00000"),
            ("-0e3", "0"),
            ("7.0e0", "7.0"),
            ("42", "42"),
            ("-17", "-17"),
        ] {
            assert_eq!(canonical(input).unwrap(), stored, "{input}");
        }
    }

    #[test]
    fn big_integers_are_kept_exactly() {
        let thirty = "123456789012345678901234567890";
        assert_eq!(canonical(thirty).unwrap(), thirty);
        assert_eq!(
            canonical("18446744073709551616").unwrap(),
            "18446744073709551616"
        );
    }

    #[test]
    fn numbers_outside_the_range_of_a_double_are_refused_naming_their_place() {
        for input in [
            r#"{"n": 1.7976931348623158e308}"#,
            r#"{"n": 1e309}"#,
            r#"{"n": -1e400}"#,
            r#"{"n": 1e-400}"#,
            r#"{"n": 1e999999999999999999999}"#,
        ] {
            let err = canonical(input).unwrap_err();
            assert_eq!(err.field, "m.n", "{input}");
        }
        let err = canonical(r#"{"a": [1, {"b": 1e400}]}"#).unwrap_err();
        assert_eq!(err.field, "m.a[1].b");
    }

    #[test]
    fn every_double_is_kept_exactly_written_out() {
        let max = canonical("1.7976931348623157e308").unwrap();
        assert_eq!(max, format!("17976931348623157{}", "0".repeat(292)));
        let tiny = canonical("4.9e-324").unwrap();
        assert_eq!(tiny, format!("0.{}49", "0".repeat(323)));
        assert!(canonical("-2.2250738585072014e-308").is_ok());
        assert_eq!(
            canonical("0e-999").unwrap_err().field,
            "m",
            "zero written with a huge scale"
        );
    }

    #[test]
    fn nul_characters_are_refused_in_keys_and_values() {
        assert_eq!(
            canonical(r#"{"a": {"b": "x\u0000y"}}"#).unwrap_err().field,
            "m.a.b"
        );
        assert_eq!(
            canonical(r#"{"k\u0000": 1}"#).unwrap_err().field,
            "m.k\\u0000"
        );
        assert!(canonical(r#"{"a": "ok", "b": [true, null, "é"]}"#).is_ok());
    }

    #[test]
    fn other_values_are_unchanged() {
        let v = json!({"a": [true, null, "s", {"b": 1}]});
        assert_eq!(canonical_json(v.clone(), "m").unwrap(), v);
    }
}
