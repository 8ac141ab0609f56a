//! malgeun-web (being written).
