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

/// Parses exactly `YYYY-MM-DD` (as forms and filters are written) into a real calendar date.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    let year = s[0..4].parse().ok()?;
    let month = s[5..7].parse().ok()?;
    let day = s[8..10].parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The instants a filter of Seoul dates `from..=to` (both inclusive, either open) covers:
/// `[midnight of from, midnight after to)`.
pub fn seoul_days(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> (Option<Timestamp>, Option<Timestamp>) {
    (
        from.map(Timestamp::seoul_midnight),
        to.and_then(|d| d.succ_opt()).map(Timestamp::seoul_midnight),
    )
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
    fn a_seoul_day_filter_runs_from_midnight_to_the_next() {
        let d = parse_date("2026-11-20").expect("a date");
        let (from, before) = seoul_days(Some(d), Some(d));
        assert_eq!(
            from.map(Timestamp::to_rfc3339).as_deref(),
            Some("2026-11-19T15:00:00.000000Z")
        );
        assert_eq!(
            before.map(Timestamp::to_rfc3339).as_deref(),
            Some("2026-11-20T15:00:00.000000Z")
        );
        assert_eq!(seoul_days(None, None), (None, None));
        assert!(parse_date("2026-02-29").is_none());
        assert!(parse_date("2026-2-01").is_none());
    }

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
