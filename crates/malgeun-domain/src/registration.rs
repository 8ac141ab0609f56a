//! Registration numbers (생산등록번호): issuer, year, and a per-complex, per-year serial without gaps.

use std::fmt;

/// A registration number such as `맑은아파트-2026-0042`. The serial is allocated by the store inside
/// the registering transaction; this type only formats and parses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationNumber {
    /// The issuing complex's short name.
    pub issuer: String,
    /// The Seoul calendar year of registration.
    pub year: i32,
    /// 1-based serial within the complex and year.
    pub serial: u32,
}

impl fmt::Display for RegistrationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{:04}", self.issuer, self.year, self.serial)
    }
}

impl RegistrationNumber {
    /// Parses `issuer-year-serial`; the issuer may itself contain hyphens.
    pub fn parse(s: &str) -> Option<Self> {
        let (rest, serial) = s.rsplit_once('-')?;
        let (issuer, year) = rest.rsplit_once('-')?;
        if issuer.is_empty() || year.len() != 4 || serial.len() < 4 {
            return None;
        }
        Some(Self {
            issuer: issuer.to_owned(),
            year: year.parse().ok()?,
            serial: serial.parse().ok().filter(|n| *n > 0)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        let n = RegistrationNumber {
            issuer: "맑은아파트".into(),
            year: 2026,
            serial: 42,
        };
        assert_eq!(n.to_string(), "맑은아파트-2026-0042");
        assert_eq!(RegistrationNumber::parse("맑은아파트-2026-0042"), Some(n));
        assert_eq!(
            RegistrationNumber::parse("a-b-2026-12345").unwrap().serial,
            12345
        );
        assert_eq!(RegistrationNumber::parse("x-2026-0000"), None);
        assert_eq!(RegistrationNumber::parse("x-26-0001"), None);
    }
}
