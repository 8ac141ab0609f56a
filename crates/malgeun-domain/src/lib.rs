//! Pure domain rules of 맑은: no IO, no clock, no randomness (time, ids and randomness are arguments).

pub mod approval;
pub mod catalogue;
pub mod content;
pub mod digitise;
pub mod disclosure;
pub mod error;
pub mod id;
pub mod money;
pub mod registration;
pub mod retention;
pub mod role;
pub mod text;
pub mod time;

pub use error::{UserFacing, WorkflowError};
pub use id::{ComplexId, DocumentId, PersonId, PositionId};
pub use money::Won;
pub use time::Timestamp;
pub mod access;
pub mod document;
