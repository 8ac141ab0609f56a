//! The 맑은 binary.
fn main() {}
