//! Retention periods (보존기간) and when a closed matter may be disposed of.

use std::fmt;
use std::str::FromStr;

/// A retention class. Periods count from 1 January of the year after the matter closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RetentionPeriod {
    /// A number of years: the law's classes are 1, 3, 5, 10 and 30.
    Years(u8),
    /// 준영구: kept until the thing it documents (e.g. the building) ceases to exist.
    SemiPermanent,
    /// 영구: never disposed of.
    Permanent,
}

impl RetentionPeriod {
    /// The first year in which disposal may be proposed, `None` for 준영구/영구.
    pub fn disposable_from(self, closed_year: i32) -> Option<i32> {
        match self {
            Self::Years(n) => Some(closed_year + 1 + i32::from(n)),
            Self::SemiPermanent | Self::Permanent => None,
        }
    }

    /// Korean label as shown on forms: `5년`, `준영구`, `영구`.
    pub fn label_ko(self) -> String {
        match self {
            Self::Years(n) => format!("{n}년"),
            Self::SemiPermanent => "준영구".into(),
            Self::Permanent => "영구".into(),
        }
    }
}

impl fmt::Display for RetentionPeriod {
    /// The stable code used in catalogue files and storage: `5y`, `semi-permanent`, `permanent`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Years(n) => write!(f, "{n}y"),
            Self::SemiPermanent => f.write_str("semi-permanent"),
            Self::Permanent => f.write_str("permanent"),
        }
    }
}

impl FromStr for RetentionPeriod {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "semi-permanent" => Ok(Self::SemiPermanent),
            "permanent" => Ok(Self::Permanent),
            _ => {
                let n: u8 = s
                    .strip_suffix('y')
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| format!("unknown retention period `{s}`"))?;
                if [1, 2, 3, 5, 10, 30].contains(&n) {
                    Ok(Self::Years(n))
                } else {
                    Err(format!("retention of {n} years is not a legal class"))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_next_january() {
        let five: RetentionPeriod = "5y".parse().unwrap();
        assert_eq!(five.disposable_from(2026), Some(2032));
        assert_eq!(RetentionPeriod::Permanent.disposable_from(2026), None);
    }

    #[test]
    fn codes_round_trip_and_reject_unknown() {
        for code in [
            "1y",
            "2y",
            "3y",
            "5y",
            "10y",
            "30y",
            "semi-permanent",
            "permanent",
        ] {
            assert_eq!(code.parse::<RetentionPeriod>().unwrap().to_string(), code);
        }
        assert!("7y".parse::<RetentionPeriod>().is_err());
        assert!("forever".parse::<RetentionPeriod>().is_err());
    }
}
