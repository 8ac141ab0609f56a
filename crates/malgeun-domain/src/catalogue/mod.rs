//! The standard catalogue of document kinds (표준 서식): one TOML definition per kind, shared by every
//! complex, read and validated here. The catalogue is data (`standards/kr-apartment/*.toml`); this
//! module only parses text the caller has read, so it stays free of IO.
//!
//! - [`KindDefinition`]: one kind, its approval-line template, 전결 rules and form fields.
//! - [`KindDefinition::validate_form`] turns form input into [`FormData`], whose canonical JSON is
//!   what a document's content hash covers.
//! - [`Catalogue`]: all kinds by code, every version kept (documents name the version they were
//!   written under), the latest one served by default.

mod error;
mod form;
mod kind;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use error::CatalogueError;
pub use form::{FieldError, FieldValue, FormData, FormErrors};
pub use kind::{
    Delegation, FieldDef, FieldType, KindCode, KindDefinition, LineTemplate, MULTILINE_DEFAULT_MAX,
    StepTemplate, TABLE_DEFAULT_MAX_ROWS, TABLE_ROW_LIMIT, TEXT_DEFAULT_MAX, TEXT_LIMIT,
};

/// A set of kinds keyed by code, with every version of each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalogue {
    kinds: BTreeMap<KindCode, BTreeMap<u32, KindDefinition>>,
}

impl Catalogue {
    /// Builds a catalogue from `(file name, TOML text)` pairs. A file is named `<code>.toml` or,
    /// for a later version kept beside it, `<code>.v<version>.toml` (directories in the name are
    /// ignored). Errors name the file.
    pub fn from_sources<I, N, T>(sources: I) -> Result<Self, CatalogueError>
    where
        I: IntoIterator<Item = (N, T)>,
        N: AsRef<str>,
        T: AsRef<str>,
    {
        let mut catalogue = Self::default();
        for (file, text) in sources {
            let file = file.as_ref();
            let kind = KindDefinition::from_toml(text.as_ref()).map_err(|e| e.in_file(file))?;
            let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
            let code = kind.code().as_str();
            let versioned = format!("{code}.v{}.toml", kind.version());
            if base != format!("{code}.toml") && base != versioned {
                return Err(CatalogueError::FileNameMismatch {
                    file: file.to_owned(),
                    code: code.to_owned(),
                });
            }
            catalogue.insert(kind).map_err(|e| e.in_file(file))?;
        }
        Ok(catalogue)
    }

    /// Adds a kind (a new kind, or a new version such as a complex's override).
    pub fn insert(&mut self, kind: KindDefinition) -> Result<(), CatalogueError> {
        let versions = self.kinds.entry(kind.code().clone()).or_default();
        if versions.contains_key(&kind.version()) {
            return Err(CatalogueError::DuplicateKind {
                code: kind.code().to_string(),
                version: kind.version(),
            });
        }
        versions.insert(kind.version(), kind);
        Ok(())
    }

    /// The latest version of a kind.
    pub fn get(&self, code: &str) -> Option<&KindDefinition> {
        let code = KindCode::parse(code)?;
        self.kinds.get(&code)?.values().next_back()
    }

    /// A specific version of a kind (to re-read a document written under it).
    pub fn get_version(&self, code: &str, version: u32) -> Option<&KindDefinition> {
        let code = KindCode::parse(code)?;
        self.kinds.get(&code)?.get(&version)
    }

    /// The latest version of every kind, sorted by category, then name, then code.
    pub fn kinds(&self) -> Vec<&KindDefinition> {
        let mut kinds: Vec<&KindDefinition> = self
            .kinds
            .values()
            .filter_map(|versions| versions.values().next_back())
            .collect();
        kinds.sort_by(|a, b| {
            (a.category(), a.name(), a.code()).cmp(&(b.category(), b.name(), b.code()))
        });
        kinds
    }

    /// The categories in use, sorted and without repeats.
    pub fn categories(&self) -> Vec<&str> {
        let mut categories: Vec<&str> = self.kinds().iter().map(|k| k.category()).collect();
        categories.dedup();
        categories
    }

    /// Number of kinds (not versions).
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Whether the catalogue has no kinds.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }
}
