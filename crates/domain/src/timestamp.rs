//! How every instant the hub shows is written: RFC 3339 in UTC with exactly
//! six fractional digits (`2025-07-01T09:30:00.000000Z`), the precision both
//! databases keep, so answers and exports never differ in shape.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serializer;

/// `at` as the hub writes instants.
pub fn format(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// For `#[serde(serialize_with = "domain::timestamp::serialize")]`.
pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format(at))
}

/// For `#[serde(serialize_with = "domain::timestamp::serialize_option")]`.
pub fn serialize_option<S: Serializer>(
    at: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => serializer.serialize_str(&format(at)),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn every_instant_has_six_fractional_digits_and_z() {
        let whole = Utc.with_ymd_and_hms(2025, 7, 1, 9, 30, 0).single();
        let whole = whole.expect("a valid instant");
        assert_eq!(format(&whole), "2025-07-01T09:30:00.000000Z");
        let millis = whole + chrono::Duration::milliseconds(120);
        assert_eq!(format(&millis), "2025-07-01T09:30:00.120000Z");
        let nanos = whole + chrono::Duration::nanoseconds(123_456_789);
        assert_eq!(format(&nanos), "2025-07-01T09:30:00.123456Z");
    }
}
