//! C2SP signed notes with Ed25519 keys (wire-compatible with golang.org/x/mod/sumdb/note).

use std::collections::HashSet;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// Signature type byte for Ed25519 in key ids and encoded keys.
const ALG_ED25519: u8 = 0x01;
/// Start of every signature line: em dash and a space.
const SIG_PREFIX: &str = "\u{2014} ";
/// Upper bound on signature lines, so a hostile note cannot make us verify
/// forever (the spec requires accepting at least 16; Go allows 100).
const MAX_SIGNATURES: usize = 100;

/// Why a key, text or note was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// Key names must be non-empty without whitespace, '+' or control characters.
    #[error("invalid key name {0:?}")]
    InvalidName(String),
    /// The key string does not have the expected shape or encoding.
    #[error("malformed key")]
    MalformedKey,
    /// The key id in the key string does not match the key material.
    #[error("key id does not match key")]
    KeyIdMismatch,
    /// Only Ed25519 (type 0x01, 32-byte keys) is supported.
    #[error("unsupported key algorithm or length")]
    UnsupportedKey,
    /// Note text must end with a newline and contain no control characters
    /// other than newline.
    #[error("note text is not signable")]
    InvalidText,
    /// The note does not follow the signed-note format.
    #[error("malformed note")]
    MalformedNote,
    /// No signature from any trusted key: the text must be ignored.
    #[error("note is not signed by a known key")]
    Unverified,
    /// A trusted key's signature did not verify: the whole note is rejected.
    #[error("invalid signature by {0}")]
    InvalidSignature(String),
}

/// Spec rule for key names; they appear in space- and '+'-separated syntax.
fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

/// Key id: first four bytes of SHA-256(name || '\n' || 0x01 || pubkey), big-endian.
fn key_id(name: &str, public: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ALG_ED25519]);
    h.update(public);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// Parses the `<hex8>` part; exactly eight hex digits as in the Go reference.
fn parse_id(hex: &str) -> Result<u32, NoteError> {
    if hex.len() != 8 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(NoteError::MalformedKey);
    }
    u32::from_str_radix(hex, 16).map_err(|_| NoteError::MalformedKey)
}

/// Decodes `base64(0x01 || 32 bytes)`.
fn parse_key_material(b64: &str) -> Result<[u8; 32], NoteError> {
    let raw = STANDARD.decode(b64).map_err(|_| NoteError::MalformedKey)?;
    match raw.split_first() {
        None => Err(NoteError::MalformedKey),
        Some((&ALG_ED25519, rest)) => rest.try_into().map_err(|_| NoteError::UnsupportedKey),
        Some(_) => Err(NoteError::UnsupportedKey),
    }
}

fn encode_key_material(key: &[u8; 32]) -> String {
    let mut raw = [0u8; 33];
    raw[0] = ALG_ED25519;
    raw[1..].copy_from_slice(key);
    STANDARD.encode(raw)
}

/// A named Ed25519 signing key. Derived from a seed argument so the crate
/// stays free of randomness; where the seed comes from is the caller's job.
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    id: u32,
    key: SigningKey,
}

impl fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the seed.
        f.debug_struct("NoteSigner")
            .field("name", &self.name)
            .field("id", &format_args!("{:08x}", self.id))
            .finish_non_exhaustive()
    }
}

impl NoteSigner {
    /// Builds a signer from a key name and a 32-byte Ed25519 seed.
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Self, NoteError> {
        if !is_valid_name(name) {
            return Err(NoteError::InvalidName(name.to_owned()));
        }
        let key = SigningKey::from_bytes(&seed);
        let id = key_id(name, key.verifying_key().as_bytes());
        Ok(NoteSigner {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// Parses `PRIVATE+KEY+<name>+<hex8 id>+<base64(0x01 || seed)>`.
    pub fn from_skey(skey: &str) -> Result<Self, NoteError> {
        let mut parts = skey.splitn(5, '+');
        let (Some("PRIVATE"), Some("KEY"), Some(name), Some(hex), Some(b64)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(NoteError::MalformedKey);
        };
        let id = parse_id(hex)?;
        let seed = parse_key_material(b64)?;
        let signer = NoteSigner::from_seed(name, seed)?;
        if signer.id != id {
            return Err(NoteError::KeyIdMismatch);
        }
        Ok(signer)
    }

    /// The encoded private key, for configuration files (keep it secret).
    pub fn skey(&self) -> String {
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.id,
            encode_key_material(self.key.as_bytes())
        )
    }

    /// The key name used in signature lines.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 32-bit key id.
    pub fn key_id(&self) -> u32 {
        self.id
    }

    /// The matching verifier, to publish as a vkey.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            id: self.id,
            key: self.key.verifying_key(),
        }
    }

    /// One signature line (with trailing newline) over `text`.
    fn signature_line(&self, text: &str) -> String {
        let sig = self.key.sign(text.as_bytes());
        let mut raw = Vec::with_capacity(68);
        raw.extend_from_slice(&self.id.to_be_bytes());
        raw.extend_from_slice(&sig.to_bytes());
        format!("{SIG_PREFIX}{} {}\n", self.name, STANDARD.encode(raw))
    }
}

/// A named Ed25519 public key trusted to sign notes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    id: u32,
    key: VerifyingKey,
}

impl NoteVerifier {
    /// Parses `<name>+<hex8 id>+<base64(0x01 || pubkey)>`, checking the id.
    pub fn from_vkey(vkey: &str) -> Result<Self, NoteError> {
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(hex), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::MalformedKey);
        };
        if !is_valid_name(name) {
            return Err(NoteError::InvalidName(name.to_owned()));
        }
        let id = parse_id(hex)?;
        let public = parse_key_material(b64)?;
        if key_id(name, &public) != id {
            return Err(NoteError::KeyIdMismatch);
        }
        let key = VerifyingKey::from_bytes(&public).map_err(|_| NoteError::MalformedKey)?;
        Ok(NoteVerifier {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// The encoded public key, as published for auditors.
    pub fn vkey(&self) -> String {
        format!(
            "{}+{:08x}+{}",
            self.name,
            self.id,
            encode_key_material(self.key.as_bytes())
        )
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 32-bit key id.
    pub fn key_id(&self) -> u32 {
        self.id
    }

    fn verify(&self, text: &str, sig: &[u8]) -> bool {
        let Ok(bytes) = <[u8; 64]>::try_from(sig) else {
            return false;
        };
        // Strict verification rejects malleable and small-order-key signatures.
        self.key
            .verify_strict(text.as_bytes(), &Signature::from_bytes(&bytes))
            .is_ok()
    }
}

/// A note whose text was verified by at least one trusted key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedNote {
    /// The signed text, including its final newline.
    pub text: String,
    /// Names of the trusted keys whose signatures verified, in note order.
    pub verified_by: Vec<String>,
}

/// Signed-note text rules: ends with newline, no control characters but newline.
fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') || text.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::InvalidText);
    }
    Ok(())
}

/// Signs `text` (which must end with a newline), producing
/// `text || "\n" || "— <name> base64(id || sig)\n"`.
pub fn sign_note(text: &str, signer: &NoteSigner) -> Result<String, NoteError> {
    sign_note_multi(text, &[signer])
}

/// Signs `text` with several keys, one signature line each, in order.
pub fn sign_note_multi(text: &str, signers: &[&NoteSigner]) -> Result<String, NoteError> {
    check_text(text)?;
    if signers.is_empty() {
        return Err(NoteError::Unverified);
    }
    let mut out = String::with_capacity(text.len() + 1 + 110 * signers.len());
    out.push_str(text);
    out.push('\n');
    for s in signers {
        out.push_str(&s.signature_line(text));
    }
    Ok(out)
}

/// Verifies a signed note against trusted keys. Signatures from unknown
/// keys are ignored (they may be witnesses or rotated keys); a bad signature
/// from a trusted key rejects the note; at least one trusted signature is
/// required.
pub fn open_note(note: &str, verifiers: &[NoteVerifier]) -> Result<OpenedNote, NoteError> {
    if note.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::MalformedNote);
    }
    // The text ends at the last blank line; signature lines cannot be blank.
    let split = note.rfind("\n\n").ok_or(NoteError::MalformedNote)?;
    let (text, sigs) = (&note[..split + 1], &note[split + 2..]);
    if sigs.is_empty() || !sigs.ends_with('\n') {
        return Err(NoteError::MalformedNote);
    }
    let mut verified_by = Vec::new();
    let mut seen: HashSet<(&str, u32)> = HashSet::new();
    for (count, line) in sigs[..sigs.len() - 1].split('\n').enumerate() {
        if count >= MAX_SIGNATURES {
            return Err(NoteError::MalformedNote);
        }
        let body = line
            .strip_prefix(SIG_PREFIX)
            .ok_or(NoteError::MalformedNote)?;
        let (name, b64) = body.split_once(' ').ok_or(NoteError::MalformedNote)?;
        let raw = STANDARD.decode(b64).map_err(|_| NoteError::MalformedNote)?;
        if !is_valid_name(name) || raw.len() < 5 {
            return Err(NoteError::MalformedNote);
        }
        let id = u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]);
        let Some(v) = verifiers.iter().find(|v| v.name == name && v.id == id) else {
            continue;
        };
        if !seen.insert((name, id)) {
            continue;
        }
        if !v.verify(text, &raw[4..]) {
            return Err(NoteError::InvalidSignature(name.to_owned()));
        }
        verified_by.push(name.to_owned());
    }
    if verified_by.is_empty() {
        return Err(NoteError::Unverified);
    }
    Ok(OpenedNote {
        text: text.to_owned(),
        verified_by,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_names() {
        let s = NoteSigner::from_seed("example.com/log", [7; 32]).unwrap();
        assert_eq!(NoteSigner::from_skey(&s.skey()).unwrap().skey(), s.skey());
        let v = NoteVerifier::from_vkey(&s.verifier().vkey()).unwrap();
        assert_eq!(v, s.verifier());
        for bad in ["", "a b", "a+b", "a\tb", "a\u{3000}b"] {
            assert!(NoteSigner::from_seed(bad, [1; 32]).is_err(), "{bad:?}");
        }
        assert!(!format!("{s:?}").contains(&s.skey()));
        let note = sign_note("hello\n", &s).unwrap();
        let opened = open_note(&note, &[v]).unwrap();
        assert_eq!(opened.text, "hello\n");
        assert_eq!(opened.verified_by, vec!["example.com/log".to_owned()]);
        assert_eq!(sign_note("no newline", &s), Err(NoteError::InvalidText));
        assert_eq!(sign_note("bell\u{7}\n", &s), Err(NoteError::InvalidText));
    }
}
