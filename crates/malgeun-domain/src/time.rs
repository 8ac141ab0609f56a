//! Instants in UTC with microsecond precision (what PostgreSQL keeps), shown in Asia/Seoul.

use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, SecondsFormat, Utc};

/// Korea has kept UTC+9 without daylight saving since 1988, so a fixed offset is exact and needs no
/// time-zone database.
const SEOUL_OFFSET_SECONDS: i32 = 9 * 3600;

/// A UTC instant as microseconds since the Unix epoch. Truncating to microseconds here is what keeps
/// SQLite and PostgreSQL round-trips identical.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// From microseconds since the epoch.
    pub const fn from_micros(micros: i64) -> Self {
        Self(micros)
    }

    /// Microseconds since the epoch (the stored form).
    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// From a chrono instant, dropping anything finer than a microsecond.
    pub fn from_datetime(t: DateTime<Utc>) -> Self {
        Self(t.timestamp_micros())
    }

    fn to_utc(self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.0).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    fn to_seoul(self) -> DateTime<FixedOffset> {
        let offset = FixedOffset::east_opt(SEOUL_OFFSET_SECONDS).expect("+09:00 is a valid offset");
        self.to_utc().with_timezone(&offset)
    }

    /// RFC 3339 in UTC with microseconds, e.g. `2026-03-02T01:02:03.000004Z` (ledger lines, API).
    pub fn to_rfc3339(self) -> String {
        self.to_utc().to_rfc3339_opts(SecondsFormat::Micros, true)
    }

    /// Parses RFC 3339 (any offset), truncating to microseconds.
    pub fn parse_rfc3339(s: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| Self::from_datetime(t.with_timezone(&Utc)))
    }

    /// The calendar year in Seoul: registration numbers and retention count in Korean years.
    pub fn seoul_year(self) -> i32 {
        self.to_seoul().year()
    }

    /// The date in Seoul.
    pub fn seoul_date(self) -> NaiveDate {
        self.to_seoul().date_naive()
    }

    /// The first instant of a date in Seoul (midnight, +09:00).
    pub fn seoul_midnight(date: NaiveDate) -> Self {
        let utc = date
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc();
        Self(utc.timestamp_micros() - i64::from(SEOUL_OFFSET_SECONDS) * 1_000_000)
    }

    /// How Korean users read a time: `2026-03-02 10:02` (Seoul).
    pub fn seoul_display(self) -> String {
        self.to_seoul().format("%Y-%m-%d %H:%M").to_string()
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.to_rfc3339())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seoul_is_nine_hours_ahead_and_year_turns_early() {
        // 2025-12-31T15:30Z is already 2026-01-01 00:30 in Seoul.
        let t = Timestamp::parse_rfc3339("2025-12-31T15:30:00Z").unwrap();
        assert_eq!(t.seoul_year(), 2026);
        assert_eq!(t.seoul_display(), "2026-01-01 00:30");
    }

    #[test]
    fn rfc3339_round_trips_at_microseconds() {
        let t = Timestamp::parse_rfc3339("2026-03-02T01:02:03.123456789Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-02T01:02:03.123456Z");
        assert_eq!(Timestamp::parse_rfc3339(&t.to_rfc3339()), Some(t));
    }
}
