//! Documents: their lifecycle states and the canonical content that approvals sign off on.

use std::fmt;
use std::str::FromStr;

use crate::content::Sha256Hash;

/// Where a document stands. A registered document never changes again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocumentStatus {
    /// 임시저장: a draft only the drafter sees and edits.
    Draft,
    /// 진행: submitted (상신) and moving along the line (also while 보류).
    InProgress,
    /// 반려: returned to the drafter, who may 재기안.
    Rejected,
    /// 회수: pulled back by the drafter before anyone acted; may be edited and resubmitted.
    Withdrawn,
    /// 등록: finally approved (or received) and entered in the 문서등록대장.
    Registered,
}

impl DocumentStatus {
    /// Stable code for storage and the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InProgress => "in_progress",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
            Self::Registered => "registered",
        }
    }

    /// Korean label.
    pub fn label_ko(self) -> &'static str {
        match self {
            Self::Draft => "임시저장",
            Self::InProgress => "진행",
            Self::Rejected => "반려",
            Self::Withdrawn => "회수",
            Self::Registered => "등록",
        }
    }

    /// Whether the drafter may still change the content (임시저장, 반려, 회수 before 재기안).
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::Rejected | Self::Withdrawn)
    }
}

impl fmt::Display for DocumentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for DocumentStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "draft" => Self::Draft,
            "in_progress" => Self::InProgress,
            "rejected" => Self::Rejected,
            "withdrawn" => Self::Withdrawn,
            "registered" => Self::Registered,
            _ => return Err(format!("unknown document status `{s}`")),
        })
    }
}

/// An attachment as the content hash sees it: its name, size and the SHA-256 of its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentRef {
    /// The file name as uploaded (NFC).
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the bytes: also the blob's key.
    pub sha256: Sha256Hash,
}

/// Everything an approver approves: the content hash covers all of it (invariant 3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentContent<'a> {
    /// Kind code.
    pub kind_code: &'a str,
    /// Catalogue version the form was drafted on.
    pub kind_version: u32,
    /// Title (NFC).
    pub title: &'a str,
    /// Body text (NFC).
    pub body: &'a str,
    /// The form's canonical JSON.
    pub form_json: &'a str,
    /// Attachments in their order.
    pub attachments: &'a [AttachmentRef],
}

impl DocumentContent<'_> {
    /// The canonical byte encoding: a version tag, then each field length-prefixed so no two
    /// different contents can encode to the same bytes.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        fn put(out: &mut Vec<u8>, bytes: &[u8]) {
            out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
            out.extend_from_slice(bytes);
        }
        let mut out = Vec::with_capacity(
            64 + self.title.len()
                + self.body.len()
                + self.form_json.len()
                + 96 * self.attachments.len(),
        );
        put(&mut out, b"malgeun-document-content-v1");
        put(&mut out, self.kind_code.as_bytes());
        put(&mut out, &self.kind_version.to_be_bytes());
        put(&mut out, self.title.as_bytes());
        put(&mut out, self.body.as_bytes());
        put(&mut out, self.form_json.as_bytes());
        put(&mut out, &(self.attachments.len() as u64).to_be_bytes());
        for a in self.attachments {
            put(&mut out, a.name.as_bytes());
            put(&mut out, &a.size.to_be_bytes());
            put(&mut out, &a.sha256.0);
        }
        out
    }

    /// SHA-256 of the canonical bytes.
    pub fn hash(&self) -> Sha256Hash {
        Sha256Hash::of(&self.canonical_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content<'a>(
        title: &'a str,
        body: &'a str,
        atts: &'a [AttachmentRef],
    ) -> DocumentContent<'a> {
        DocumentContent {
            kind_code: "expense-resolution",
            kind_version: 1,
            title,
            body,
            form_json: "{}",
            attachments: atts,
        }
    }

    #[test]
    fn every_part_changes_the_hash() {
        let att = vec![AttachmentRef {
            name: "영수증.pdf".into(),
            size: 10,
            sha256: Sha256Hash::of(b"x"),
        }];
        let base = content("제목", "본문", &att).hash();
        assert_ne!(base, content("제목2", "본문", &att).hash());
        assert_ne!(base, content("제목", "본문2", &att).hash());
        assert_ne!(base, content("제목", "본문", &[]).hash());
        let other = vec![AttachmentRef {
            sha256: Sha256Hash::of(b"y"),
            ..att[0].clone()
        }];
        assert_ne!(base, content("제목", "본문", &other).hash());
        // Moving bytes between title and body must not collide.
        assert_ne!(
            content("ab", "c", &[]).hash(),
            content("a", "bc", &[]).hash()
        );
    }

    #[test]
    fn status_codes_round_trip() {
        for s in [
            DocumentStatus::Draft,
            DocumentStatus::InProgress,
            DocumentStatus::Rejected,
            DocumentStatus::Withdrawn,
            DocumentStatus::Registered,
        ] {
            assert_eq!(s.code().parse::<DocumentStatus>().unwrap(), s);
        }
    }
}
