//! The JSON log line (`LOG_FORMAT=json`), written straight into the line's buffer.
//!
//! tracing-subscriber's own JSON format gathers each event's fields into a map of
//! `serde_json::Value`s (a string allocated per field) and parses the current span's fields
//! back from their stored text before writing them out again; at one line per request that was
//! most of what a line cost. This format writes every field as it is visited, escaping on the
//! way, and copies the span's stored fields (already JSON, formatted once when the span was
//! created) as they are. Requests carry no span (it cost more than the line: docs/benchmarks.md):
//! a `request_id` field, or the id of the request being handled
//! (`registry_http::current_request_id`), is written as the `span` object a request span had.
//! The shape is the one tracing-subscriber's flattened format writes (keys in any order):
//!
//! ```json
//! {"timestamp":"2026-11-27T10:00:00.123456Z","level":"INFO","message":"request",
//!  "span":{"request_id":"…","name":"request"},"method":"GET",…,"target":"registry_http::observe"}
//! ```

use std::fmt::{self, Write as _};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{JsonFields, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

/// The event format of `LOG_FORMAT=json` (span fields stored by [`JsonFields`]).
pub struct JsonLine;

impl<S> FormatEvent<S, JsonFields> for JsonLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, JsonFields>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        writer.write_str("{\"timestamp\":\"")?;
        write_timestamp(&mut writer, time::OffsetDateTime::now_utc())?;
        writer.write_str("\",\"level\":\"")?;
        writer.write_str(meta.level().as_str())?;
        writer.write_char('"')?;
        let mut fields = FieldWriter {
            out: &mut writer,
            result: Ok(()),
            request_id_written: false,
        };
        event.record(&mut fields);
        fields.result?;
        let request_id_written = fields.request_id_written;
        writer.write_str(",\"target\":")?;
        write_str_value(&mut writer, meta.target())?;
        if request_id_written {
            // The request line (and the lines naming the request): the `span` object is written.
        } else if let Some(id) = registry_http::current_request_id() {
            // Any other line logged while a request is handled carries its id the same way.
            writer.write_str(",")?;
            write_request_span(&mut writer, |out| write_str_value(out, &id))?;
        } else if let Some(span) = ctx.parent_span() {
            writer.write_str(",\"span\":{")?;
            let extensions = span.extensions();
            let stored = extensions
                .get::<FormattedFields<JsonFields>>()
                .map(|f| f.fields.as_str())
                .unwrap_or("");
            // The stored fields are one JSON object (`{…}`, or empty without fields).
            let inner = stored
                .strip_prefix('{')
                .and_then(|s| s.strip_suffix('}'))
                .unwrap_or("");
            if !inner.is_empty() {
                writer.write_str(inner)?;
                writer.write_char(',')?;
            }
            writer.write_str("\"name\":")?;
            write_str_value(&mut writer, span.name())?;
            writer.write_char('}')?;
        }
        writer.write_str("}\n")
    }
}

/// `2026-11-27T10:00:00.123456Z`, as tracing-subscriber writes its timestamps. The part up to
/// the second is formatted once per second and thread (lines come thousands a second); only the
/// microseconds are written each time.
fn write_timestamp(out: &mut impl fmt::Write, at: time::OffsetDateTime) -> fmt::Result {
    thread_local! {
        static SECOND: std::cell::RefCell<(i64, String)> =
            const { std::cell::RefCell::new((i64::MIN, String::new())) };
    }
    SECOND.with_borrow_mut(|(second, prefix)| {
        let now = at.unix_timestamp();
        if *second != now {
            prefix.clear();
            write!(
                prefix,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.",
                at.year(),
                u8::from(at.month()),
                at.day(),
                at.hour(),
                at.minute(),
                at.second(),
            )?;
            *second = now;
        }
        out.write_str(prefix)?;
        let mut digits = [b'0'; 7];
        let mut micros = at.microsecond();
        for d in digits[..6].iter_mut().rev() {
            *d = b'0' + (micros % 10) as u8;
            micros /= 10;
        }
        digits[6] = b'Z';
        // Seven ASCII bytes.
        out.write_str(std::str::from_utf8(&digits).map_err(|_| fmt::Error)?)
    })
}

/// `"span":{"request_id":<id>,"name":"request"}`: where a line says which request it belongs to,
/// in the shape tracing-subscriber gives a span's fields (the request id is carried without a
/// span: `registry_http::current_request_id`).
fn write_request_span<W: fmt::Write>(
    out: &mut W,
    id: impl FnOnce(&mut W) -> fmt::Result,
) -> fmt::Result {
    out.write_str("\"span\":{\"request_id\":")?;
    id(out)?;
    out.write_str(",\"name\":\"request\"}")
}

/// Writes each visited field as `,"name":value`; a `request_id` field as the `span` object.
struct FieldWriter<'a, 'w> {
    out: &'a mut Writer<'w>,
    result: fmt::Result,
    request_id_written: bool,
}

impl FieldWriter<'_, '_> {
    fn field(&mut self, field: &Field, value: impl FnOnce(&mut Writer<'_>) -> fmt::Result) {
        if self.result.is_err() {
            return;
        }
        if field.name() == "request_id" {
            self.request_id_written = true;
            self.result = self
                .out
                .write_char(',')
                .and_then(|()| write_request_span(self.out, value));
            return;
        }
        self.result = self
            .out
            .write_char(',')
            .and_then(|()| write_str_value(self.out, field.name()))
            .and_then(|()| self.out.write_char(':'))
            .and_then(|()| value(self.out));
    }
}

impl Visit for FieldWriter<'_, '_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.field(field, |out| write_str_value(out, value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.field(field, |out| {
            out.write_str(itoa::Buffer::new().format(value))
        });
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.field(field, |out| {
            out.write_str(itoa::Buffer::new().format(value))
        });
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.field(field, |out| {
            out.write_str(if value { "true" } else { "false" })
        });
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if value.is_finite() {
            // ryu's shortest round-trip form: a JSON number, at a fraction of `Display`'s cost
            // (every request line carries `latency_ms`).
            self.field(field, |out| {
                out.write_str(ryu::Buffer::new().format_finite(value))
            });
        } else {
            self.field(field, |out| out.write_str("null"));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.field(field, |out| {
            out.write_char('"')?;
            write!(Escaped(out), "{value:?}")?;
            out.write_char('"')
        });
    }
}

/// `value` as a JSON string.
fn write_str_value(out: &mut impl fmt::Write, value: &str) -> fmt::Result {
    out.write_char('"')?;
    Escaped(&mut *out).write_str(value)?;
    out.write_char('"')
}

/// Escapes what is written through it for the inside of a JSON string.
struct Escaped<'a, W: fmt::Write>(&'a mut W);

impl<W: fmt::Write> fmt::Write for Escaped<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // The common case, nothing to escape, is one branch-free (vectorizable) scan and one
        // copy.
        let needs_escape = s.bytes().fold(false, |any, b| {
            any | (b < 0x20) | (b == b'"') | (b == b'\\')
        });
        if !needs_escape {
            return self.0.write_str(s);
        }
        // Everything JSON escapes is ASCII, so a byte scan finds it; the plain runs between
        // escapes are copied whole (each boundary is before an ASCII byte, so on a char).
        let mut plain = 0;
        for (i, &b) in s.as_bytes().iter().enumerate() {
            let escape = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0..=0x1f => "",
                _ => continue,
            };
            self.0.write_str(&s[plain..i])?;
            if escape.is_empty() {
                write!(self.0, "\\u{:04x}", b)?;
            } else {
                self.0.write_str(escape)?;
            }
            plain = i + 1;
        }
        self.0.write_str(&s[plain..])
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::fmt::MakeWriter;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().write(buf)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Lines {
        type Writer = Lines;

        fn make_writer(&'a self) -> Lines {
            self.clone()
        }
    }

    #[test]
    fn a_line_is_one_json_object_with_the_fields_the_span_and_escapes() {
        let lines = Lines::default();
        let subscriber = tracing_subscriber::fmt()
            .fmt_fields(JsonFields::new())
            .event_format(JsonLine)
            .with_writer(lines.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("request", request_id = %"abc-123");
            span.in_scope(|| {
                tracing::info!(
                    method = %"GET",
                    status = 200u16,
                    latency_ms = 1.5,
                    ok = true,
                    odd = "quote \" slash \\ nl \n bell \u{7}",
                    "request"
                );
            });
            tracing::warn!(n = -3i64, "no span");
            tracing::info!(parent: &span, "named parent");
            tracing::info!(request_id = %"r-1", status = 200u16, "request");
        });
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        let parsed: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(parsed.len(), 4, "{text}");
        // A `request_id` field is written as the request's span, as a span's field would be.
        assert_eq!(parsed[3]["span"]["request_id"], "r-1", "{text}");
        assert_eq!(parsed[3]["span"]["name"], "request", "{text}");
        assert!(parsed[3].get("request_id").is_none(), "{text}");
        assert_eq!(parsed[3]["status"], 200, "{text}");
        assert_eq!(parsed[2]["span"]["request_id"], "abc-123", "{text}");
        let first = &parsed[0];
        assert_eq!(first["level"], "INFO");
        assert_eq!(first["message"], "request");
        assert_eq!(first["method"], "GET");
        assert_eq!(first["status"], 200);
        assert_eq!(first["latency_ms"], 1.5);
        assert_eq!(first["ok"], true);
        assert_eq!(first["odd"], "quote \" slash \\ nl \n bell \u{7}");
        assert_eq!(first["span"]["request_id"], "abc-123");
        assert_eq!(first["span"]["name"], "request");
        assert!(first["target"].as_str().unwrap().contains("json_line"));
        let stamp = first["timestamp"].as_str().unwrap();
        assert_eq!(stamp.len(), "2026-11-27T10:00:00.123456Z".len(), "{stamp}");
        assert!(stamp.ends_with('Z'));
        assert_eq!(parsed[1]["level"], "WARN");
        assert_eq!(parsed[1]["n"], -3);
        assert!(parsed[1].get("span").is_none());
    }

    #[test]
    fn timestamps_are_right_across_seconds_and_escapes_keep_non_ascii() {
        let stamp = |unix_micros: i128| {
            let at = time::OffsetDateTime::from_unix_timestamp_nanos(unix_micros * 1000).unwrap();
            let mut out = String::new();
            write_timestamp(&mut out, at).unwrap();
            out
        };
        // 2026-11-27T10:00:00Z is 1,795,773,600 s after the epoch.
        let base: i128 = 1_795_773_600 * 1_000_000;
        assert_eq!(stamp(base + 123_456), "2026-11-27T10:00:00.123456Z");
        assert_eq!(stamp(base + 999_999), "2026-11-27T10:00:00.999999Z");
        assert_eq!(stamp(base + 1_000_007), "2026-11-27T10:00:01.000007Z");
        assert_eq!(stamp(base - 1), "2026-11-27T09:59:59.999999Z");
        let mut out = String::new();
        write_str_value(&mut out, "é\u{1}\"x").unwrap();
        assert_eq!(out, "\"é\\u0001\\\"x\"");
    }
}
