//! Who may see a document: the drafter, the members of its line, and the roles its kind names —
//! restricted kinds (personnel, complaints with personal data) only the drafter and the line.

/// What is known about a viewer relative to one document.
#[derive(Clone, Copy, Debug, Default)]
pub struct Relation {
    /// The viewer holds (or deputises for) the drafting position.
    pub is_drafter: bool,
    /// The viewer holds (or deputises for) a position on any round's line.
    pub on_line: bool,
    /// The viewer holds a position whose role the kind lists as a viewer.
    pub role_may_view: bool,
}

/// The visibility rule. Drafts are the drafter's alone until submitted.
pub fn may_view(restricted: bool, is_draft: bool, rel: Relation) -> bool {
    if rel.is_drafter {
        return true;
    }
    if is_draft {
        return false;
    }
    rel.on_line || (!restricted && rel.role_may_view)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restricted_kinds_are_for_the_line_only() {
        let viewer = Relation {
            role_may_view: true,
            ..Relation::default()
        };
        assert!(may_view(false, false, viewer));
        assert!(!may_view(true, false, viewer));
        let member = Relation {
            on_line: true,
            ..Relation::default()
        };
        assert!(may_view(true, false, member));
        assert!(!may_view(false, true, member), "drafts stay private");
        let drafter = Relation {
            is_drafter: true,
            ..Relation::default()
        };
        assert!(may_view(true, true, drafter));
        assert!(!may_view(false, false, Relation::default()));
    }
}
