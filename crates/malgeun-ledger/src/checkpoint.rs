//! C2SP tlog-checkpoint: the signed tree head published for auditors.

use crate::hash::Hash;
use crate::note::{NoteError, NoteSigner, NoteVerifier, open_note, sign_note};

/// A log's tree head at some size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// Log identity, e.g. `malgeun.example/tenant-42`.
    pub origin: String,
    /// Number of leaves.
    pub size: u64,
    /// RFC 6962 root over those leaves.
    pub root: Hash,
    /// Opaque extension lines (without newlines), kept so a re-encoded
    /// checkpoint is byte-identical to what was signed.
    pub extensions: Vec<String>,
}

/// Why a checkpoint could not be parsed, signed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The text is not a well-formed checkpoint body.
    #[error("malformed checkpoint: {0}")]
    Malformed(&'static str),
    /// The signed-note layer rejected the note or the key.
    #[error(transparent)]
    Note(#[from] NoteError),
}

fn valid_line(line: &str) -> bool {
    !line.is_empty() && !line.chars().any(char::is_control)
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Self {
        Checkpoint {
            origin: origin.into(),
            size,
            root,
            extensions: Vec::new(),
        }
    }

    /// The note text: `origin\nsize\nbase64(root)\n` plus extension lines.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            self.root.to_base64()
        );
        for ext in &self.extensions {
            s.push_str(ext);
            s.push('\n');
        }
        s
    }

    /// Strict parse of a checkpoint body: canonical decimal size, a root that
    /// is exactly 32 bytes of canonical base64, non-empty lines.
    pub fn parse(text: &str) -> Result<Checkpoint, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::Malformed("text must end with a newline"))?;
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(CheckpointError::Malformed("fewer than three lines"));
        };
        if !valid_line(origin) {
            return Err(CheckpointError::Malformed("empty or invalid origin"));
        }
        let canonical_digits = !size.is_empty()
            && size.bytes().all(|b| b.is_ascii_digit())
            && (size == "0" || !size.starts_with('0'));
        if !canonical_digits {
            return Err(CheckpointError::Malformed("size is not canonical decimal"));
        }
        let size = size
            .parse::<u64>()
            .map_err(|_| CheckpointError::Malformed("size out of range"))?;
        let root =
            Hash::from_base64(root).map_err(|_| CheckpointError::Malformed("bad root hash"))?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if !extensions.iter().all(|l| valid_line(l)) {
            return Err(CheckpointError::Malformed(
                "empty or invalid extension line",
            ));
        }
        let cp = Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        };
        // Accept only texts we would produce ourselves: no alternative encodings.
        if cp.to_text() != text {
            return Err(CheckpointError::Malformed("non-canonical encoding"));
        }
        Ok(cp)
    }

    /// Signs the checkpoint as a note. Fails only if a field cannot be
    /// encoded (newline or control character in the origin or an extension).
    pub fn sign(&self, signer: &NoteSigner) -> Result<String, CheckpointError> {
        let text = self.to_text();
        // Re-parse so we never sign something `open` would refuse.
        Checkpoint::parse(&text)?;
        Ok(sign_note(&text, signer)?)
    }

    /// Verifies the note with `verifier` (other signatures, e.g. witness
    /// cosignatures, are ignored) and parses the checkpoint it carries.
    pub fn open(note: &str, verifier: &NoteVerifier) -> Result<Checkpoint, CheckpointError> {
        Checkpoint::open_any(note, std::slice::from_ref(verifier))
    }

    /// Like [`Checkpoint::open`] with several trusted keys (key rotation).
    pub fn open_any(note: &str, verifiers: &[NoteVerifier]) -> Result<Checkpoint, CheckpointError> {
        let opened = open_note(note, verifiers)?;
        Checkpoint::parse(&opened.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    #[test]
    fn strict_parsing() {
        let root = leaf_hash(b"r");
        let cp = Checkpoint::new("example.com/log", 12, root);
        assert_eq!(Checkpoint::parse(&cp.to_text()), Ok(cp.clone()));
        let b64 = root.to_base64();
        let ok_ext = format!("o\n0\n{b64}\next one\n");
        assert_eq!(
            Checkpoint::parse(&ok_ext).unwrap().extensions,
            vec!["ext one"]
        );
        for bad in [
            format!("o\n012\n{b64}\n"),
            format!("o\n+12\n{b64}\n"),
            format!("o\n\n{b64}\n"),
            format!("\n1\n{b64}\n"),
            format!("o\n1\n{b64}"),
            format!("o\n1\n{b64}\n\n"),
            format!("o\n1\n{}\n", &b64[..b64.len() - 1]),
            "o\n1\nAAAA\n".to_owned(),
            format!("o\n18446744073709551616\n{b64}\n"),
            format!("o\r\n1\n{b64}\n"),
            "o\n1\n".to_owned(),
        ] {
            assert!(Checkpoint::parse(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sign_refuses_unencodable() {
        let s = NoteSigner::from_seed("k", [3; 32]).unwrap();
        let mut cp = Checkpoint::new("a\nb", 1, leaf_hash(b""));
        assert!(cp.sign(&s).is_err());
        cp.origin = "a".into();
        let note = cp.sign(&s).unwrap();
        assert_eq!(Checkpoint::open(&note, &s.verifier()), Ok(cp));
    }
}
