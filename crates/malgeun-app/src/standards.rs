//! The standard catalogue shipped in the binary (from `standards/kr-apartment/`).

use std::sync::OnceLock;

use malgeun_domain::catalogue::Catalogue;

include!(concat!(env!("OUT_DIR"), "/standard_files.rs"));

/// The parsed standard catalogue. The files are checked by tests, so a parse failure here is a
/// build defect and panics at first use rather than running with a partial catalogue.
pub fn standard_catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        Catalogue::from_sources(STANDARD_FILES.iter().copied())
            .unwrap_or_else(|e| panic!("the embedded standard catalogue is invalid: {e}"))
    })
}

/// The TOML source of a standard kind, by code.
pub fn standard_source(code: &str) -> Option<&'static str> {
    let file = format!("{code}.toml");
    STANDARD_FILES
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogue_has_at_least_25_kinds_including_expense_resolution() {
        let c = standard_catalogue();
        assert!(c.len() >= 25, "only {} kinds", c.len());
        let kind = c.get("expense-resolution").expect("지출결의서 exists");
        assert_eq!(kind.name(), "지출결의서");
        assert!(standard_source("expense-resolution").is_some());
    }
}
