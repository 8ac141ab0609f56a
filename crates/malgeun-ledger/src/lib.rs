//! Pure ledger: RFC 6962 Merkle log, proofs, signed checkpoints.
//!
//! Everything here is deterministic and free of IO, clocks and randomness so
//! that the store and app layers can rely on it for tamper evidence and so
//! that it can be tested against published vectors byte for byte.

pub mod checkpoint;
pub mod hash;
pub mod note;
pub mod proof;
pub mod tree;
pub mod verify;

pub use checkpoint::{Checkpoint, CheckpointError};
pub use hash::{
    Hash, HashError, empty_root, leaf_hash, leaf_hashes, node_hash, node_hashes, sha256_many,
};
pub use note::{
    NoteError, NoteSigner, NoteVerifier, OpenedNote, open_note, sign_note, sign_note_multi,
};
pub use proof::{
    MemoryTree, MissingNode, NodeSource, ProofError, ProofRequestError, consistency_proof,
    consistency_proof_nodes, inclusion_proof, inclusion_proof_nodes, range_nodes, range_root,
};
pub use tree::{Frontier, FrontierError, NodeId};
pub use verify::{
    VerifyError, root_from_inclusion, verify_consistency, verify_consistency_bytes,
    verify_inclusion, verify_inclusion_bytes,
};
