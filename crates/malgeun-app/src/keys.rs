//! Ledger signing keys: one Ed25519 key per complex, derived from the deployment's master seed, so
//! each complex's log has its own verifiable identity while operators keep a single secret.

use malgeun_domain::ComplexId;
use malgeun_ledger::{NoteSigner, NoteVerifier};
use sha2::{Digest, Sha256};

/// The master seed and the origin prefix of every complex's log.
#[derive(Clone)]
pub struct LedgerKeys {
    master: [u8; 32],
    origin_prefix: String,
}

impl std::fmt::Debug for LedgerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedgerKeys")
            .field("origin_prefix", &self.origin_prefix)
            .finish_non_exhaustive()
    }
}

impl LedgerKeys {
    /// Keys from a 32-byte master seed. The prefix becomes the first part of each log's origin
    /// (`<prefix>/<complex id>`); it must not contain spaces or `+`.
    pub fn new(master: [u8; 32], origin_prefix: &str) -> Self {
        Self {
            master,
            origin_prefix: origin_prefix.trim_end_matches('/').to_owned(),
        }
    }

    /// The log origin (and key name) of a complex.
    pub fn origin(&self, complex: ComplexId) -> String {
        format!("{}/{complex}", self.origin_prefix)
    }

    /// The complex's signer.
    pub fn signer(&self, complex: ComplexId) -> NoteSigner {
        let mut h = Sha256::new();
        h.update(b"malgeun-ledger-key-v1\0");
        h.update(self.master);
        h.update(complex.to_string().as_bytes());
        let seed: [u8; 32] = h.finalize().into();
        NoteSigner::from_seed(&self.origin(complex), seed).expect("origin is a valid key name")
    }

    /// The complex's public verifier key.
    pub fn verifier(&self, complex: ComplexId) -> NoteVerifier {
        self.signer(complex).verifier()
    }
}
