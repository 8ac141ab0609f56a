//! Roles: what a position is for (관리소장, 경리주임, 회장 …). The catalogue names roles; a complex maps
//! each role to its own positions, so one catalogue serves every complex.

use std::fmt;

/// A role code: lowercase ASCII letters, digits and `_` (e.g. `manager`), stable across complexes.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Role(String);

impl Role {
    /// Parses a role code, `None` when it is not of the allowed shape.
    pub fn parse(code: &str) -> Option<Self> {
        let ok = !code.is_empty()
            && code.len() <= 40
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        ok.then(|| Self(code.to_owned()))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Korean title of a standard role, `None` for a complex's own role.
    pub fn standard_title(&self) -> Option<&'static str> {
        STANDARD_ROLES
            .iter()
            .find(|(code, _, _)| *code == self.0)
            .map(|(_, title, _)| *title)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Role({})", self.0)
    }
}

/// Which body a role belongs to: the office's work and the council's are approved differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    /// 관리사무소 (the management office).
    Office,
    /// 입주자대표회의 (the residents' council).
    Council,
    /// 선거관리위원회 (the election committee).
    ElectionCommittee,
}

/// The standard roles: code, Korean title, body.
pub const STANDARD_ROLES: &[(&str, &str, Body)] = &[
    ("manager", "관리사무소장", Body::Office),
    ("accountant", "경리주임", Body::Office),
    ("clerk", "서무주임", Body::Office),
    ("facility_chief", "시설과장", Body::Office),
    ("facility_staff", "기전주임", Body::Office),
    ("fire_safety_officer", "소방안전관리자", Body::Office),
    ("chair", "입주자대표회의 회장", Body::Council),
    ("auditor", "감사", Body::Council),
    ("director", "이사", Body::Council),
    ("council_member", "동대표", Body::Council),
    ("election_chair", "선거관리위원장", Body::ElectionCommittee),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_and_rejects_others() {
        assert_eq!(
            Role::parse("facility_chief").unwrap().standard_title(),
            Some("시설과장")
        );
        assert!(Role::parse("Manager").is_none());
        assert!(Role::parse("관리소장").is_none());
        assert!(Role::parse("").is_none());
        assert!(Role::parse("1st").is_none());
        assert_eq!(Role::parse("gardener").unwrap().standard_title(), None);
    }

    #[test]
    fn standard_codes_are_valid_roles() {
        for (code, _, _) in STANDARD_ROLES {
            assert!(Role::parse(code).is_some(), "{code}");
        }
    }
}
