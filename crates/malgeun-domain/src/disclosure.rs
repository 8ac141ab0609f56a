//! Disclosure classes (정보공개): what residents may see and how.

use std::str::FromStr;

/// How a kind of document reaches residents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DisclosureClass {
    /// P: published proactively (공개), with personal data masked.
    Published,
    /// R: shown on request (열람·복사), with personal data masked.
    OnRequest,
    /// N: not disclosed (personal data, personnel, per-household bills).
    NotDisclosed,
}

impl DisclosureClass {
    /// The one-letter code used in catalogue files: `P`, `R`, `N`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Published => "P",
            Self::OnRequest => "R",
            Self::NotDisclosed => "N",
        }
    }

    /// Korean label.
    pub fn label_ko(self) -> &'static str {
        match self {
            Self::Published => "공개",
            Self::OnRequest => "청구 시 공개",
            Self::NotDisclosed => "비공개",
        }
    }
}

impl FromStr for DisclosureClass {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "P" => Ok(Self::Published),
            "R" => Ok(Self::OnRequest),
            "N" => Ok(Self::NotDisclosed),
            _ => Err(format!(
                "unknown disclosure class `{s}` (expected P, R or N)"
            )),
        }
    }
}
