//! Content hashes: SHA-256 over a document's canonical bytes (form fields, body, attachment hashes).

use std::fmt;

use sha2::{Digest, Sha256};

/// A SHA-256 digest of content (a document version or a blob), shown as lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha256Hash(pub [u8; 32]);

impl Sha256Hash {
    /// Hashes bytes.
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// Lowercase hex, the stored and displayed form.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
            s.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
        }
        s
    }

    /// Parses 64 lowercase or uppercase hex digits.
    pub fn from_hex(s: &str) -> Option<Self> {
        Self::from_hex_bytes(s.as_bytes())
    }

    /// [`Sha256Hash::from_hex`] of bytes not known to be UTF-8 (a payload's, as `verify` reads
    /// them): anything but 64 hex digits, including every byte above 0x7f, is refused.
    pub fn from_hex_bytes(bytes: &[u8]) -> Option<Self> {
        // A table, not branches: verify decodes two of these per ledger entry, and the digits of
        // a hash are random, so a branch on each one is mispredicted half the time.
        const INVALID: u8 = 0xff;
        const NIBBLE: [u8; 256] = {
            let mut t = [INVALID; 256];
            let mut i = 0;
            while i < 10 {
                t[b'0' as usize + i] = i as u8;
                i += 1;
            }
            let mut i = 0;
            while i < 6 {
                t[b'a' as usize + i] = 10 + i as u8;
                t[b'A' as usize + i] = 10 + i as u8;
                i += 1;
            }
            t
        };
        let bytes: &[u8; 64] = bytes.try_into().ok()?;
        let mut out = [0u8; 32];
        let mut bad = 0u8;
        for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            let (hi, lo) = (NIBBLE[usize::from(pair[0])], NIBBLE[usize::from(pair[1])]);
            bad |= hi | lo;
            *o = (hi << 4) | lo;
        }
        // Valid nibbles are below 16; an invalid digit sets the high bits.
        (bad < 16).then_some(Self(out))
    }
}

impl fmt::Display for Sha256Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Sha256Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Hash({})", self.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digest_and_hex_round_trip() {
        let h = Sha256Hash::of(b"abc");
        assert_eq!(
            h.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Sha256Hash::from_hex(&h.to_hex()), Some(h));
        assert_eq!(Sha256Hash::from_hex("zz"), None);
        let hex = h.to_hex();
        assert_eq!(Sha256Hash::from_hex(&hex.to_uppercase()), Some(h));
        for (i, bad) in [
            (0, 'g'),
            (63, 'G'),
            (31, ' '),
            (10, '\u{0}'),
            (5, ':'),
            (7, '/'),
        ] {
            let mut s = hex.clone().into_bytes();
            s[i] = bad as u8;
            let s = String::from_utf8(s).unwrap();
            assert_eq!(Sha256Hash::from_hex(&s), None, "{s}");
        }
        assert_eq!(Sha256Hash::from_hex(&hex[1..]), None, "too short");
        assert_eq!(Sha256Hash::from_hex(&format!("{hex}0")), None, "too long");
        // 64 bytes but not 64 ASCII digits.
        assert_eq!(Sha256Hash::from_hex(&format!("가{}", &hex[3..])), None);
        // Bytes that are not UTF-8 at all: every byte above 0x7f in any place is refused.
        assert_eq!(Sha256Hash::from_hex_bytes(hex.as_bytes()), Some(h));
        for i in [0, 17, 63] {
            for bad in [0x80u8, 0xc3, 0xff] {
                let mut b = hex.clone().into_bytes();
                b[i] = bad;
                assert_eq!(Sha256Hash::from_hex_bytes(&b), None, "{i} {bad:#x}");
            }
        }
    }
}
