//! [`Rfc3339Text`]: a timestamp's wire text, written on the stack.
//!
//! Every response carries timestamps (an agent four). `time`'s general RFC 3339 formatter cost
//! about a thousand instructions each and a `String`; this writes the same text digit by digit
//! into a fixed buffer, and the tests hold it to `time`'s output.

use registry_domain::Timestamp;

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` in UTC, the fraction with its trailing zeros cut — what
/// `time`'s `Rfc3339` writes — or the empty text for a year outside 0..=9999, which `time`
/// refuses to format.
#[derive(Debug, Clone, Copy)]
pub struct Rfc3339Text {
    buf: [u8; 32],
    len: usize,
}

impl Rfc3339Text {
    /// The text of `ts`.
    pub fn of(ts: Timestamp) -> Self {
        let mut text = Self {
            buf: [0; 32],
            len: 0,
        };
        let at = ts.to_offset(time::UtcOffset::UTC);
        let year = match u32::try_from(at.year()) {
            Ok(year) if year <= 9999 => year,
            _ => return text,
        };
        for (digits, value, sep) in [
            (4, year, b'-'),
            (2, u32::from(u8::from(at.month())), b'-'),
            (2, u32::from(at.day()), b'T'),
            (2, u32::from(at.hour()), b':'),
            (2, u32::from(at.minute()), b':'),
        ] {
            text.digits(digits, value);
            text.byte(sep);
        }
        text.digits(2, u32::from(at.second()));
        let mut nanos = at.nanosecond();
        if nanos != 0 {
            let mut digits = 9;
            while nanos.is_multiple_of(10) {
                nanos /= 10;
                digits -= 1;
            }
            text.byte(b'.');
            text.digits(digits, nanos);
        }
        text.byte(b'Z');
        text
    }

    /// The text (ASCII by construction).
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The text's bytes, for a writer of bytes (no UTF-8 check to pay).
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn byte(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }

    /// The last `digits` decimal digits of `value`, zero-padded.
    fn digits(&mut self, digits: usize, mut value: u32) {
        for slot in self.buf[self.len..self.len + digits].iter_mut().rev() {
            *slot = b'0' + (value % 10) as u8;
            value /= 10;
        }
        self.len += digits;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_text_is_what_time_writes() {
        let cases = [
            datetime!(2026-11-27 10:00:00 UTC),
            datetime!(2026-11-27 10:00:00.000001 UTC),
            datetime!(2026-11-27 10:00:00.1 UTC),
            datetime!(2026-11-27 10:00:00.12 UTC),
            datetime!(2026-11-27 10:00:00.123456 UTC),
            datetime!(2026-11-27 10:00:00.123456789 UTC),
            datetime!(2026-11-27 10:00:00.100000001 UTC),
            datetime!(2026-01-01 00:30:00.5 +01:00),
            datetime!(0001-02-03 04:05:06.07 UTC),
            datetime!(9999-12-31 23:59:59.999999 UTC),
            datetime!(-0001-01-01 00:00:00 UTC),
        ];
        for at in cases {
            let theirs = at
                .to_offset(time::UtcOffset::UTC)
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            assert_eq!(Rfc3339Text::of(at).as_str(), theirs, "{at}");
        }
    }
}
