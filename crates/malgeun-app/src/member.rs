//! Who is calling: a logged-in person ([`Caller`]) and, within one complex, the positions they hold
//! and deputise for ([`Member`]). A person with no position in a complex cannot tell it exists.

use malgeun_domain::role::Role;
use malgeun_domain::{ComplexId, PersonId, PositionId};
use malgeun_store::db::Conn;
use malgeun_store::org::{self, PositionRow};

use crate::error::AppError;

/// An authenticated person.
#[derive(Clone, Debug)]
pub struct Caller {
    /// Person id.
    pub person: PersonId,
    /// Display name.
    pub name: String,
    /// Login.
    pub login: String,
    /// Service operator (creates complexes).
    pub operator: bool,
}

/// A position as the use cases see it.
#[derive(Clone, Debug)]
pub struct Position {
    /// Id.
    pub id: PositionId,
    /// Title.
    pub title: String,
    /// Role.
    pub role: Role,
    /// May administer the complex.
    pub is_admin: bool,
    /// Its deputy.
    pub deputy: Option<PositionId>,
    /// Current holder.
    pub holder: Option<PersonId>,
    /// Current holder's name.
    pub holder_name: Option<String>,
    /// Still in use.
    pub active: bool,
}

impl Position {
    /// Parses a stored row.
    pub fn from_row(r: &PositionRow) -> Result<Self, AppError> {
        Ok(Self {
            id: parse_id(&r.id)?,
            title: r.title.clone(),
            role: Role::parse(&r.role).ok_or_else(|| {
                AppError::internal(format!("stored role `{}` is invalid", r.role))
            })?,
            is_admin: r.is_admin,
            deputy: r.deputy_position_id.as_deref().map(parse_id).transpose()?,
            holder: r.holder_id.as_deref().map(parse_id).transpose()?,
            holder_name: r.holder_name.clone(),
            active: r.active,
        })
    }
}

/// Parses a stored id; a malformed one is corrupt data, an internal error.
pub(crate) fn parse_id<T: std::str::FromStr>(s: &str) -> Result<T, AppError> {
    s.parse()
        .map_err(|_| AppError::internal(format!("stored id `{s}` is not a UUID")))
}

/// A caller inside one complex.
#[derive(Clone, Debug)]
pub struct Member {
    /// The complex.
    pub complex: ComplexId,
    /// The person.
    pub caller: Caller,
    /// Positions they hold now.
    pub positions: Vec<Position>,
    /// Positions whose deputy (대결자) they hold now.
    pub deputy_for: Vec<Position>,
}

impl Member {
    /// Resolves the caller's standing in a complex. No position (and not an operator) answers
    /// "not found", exactly as for a complex that does not exist.
    pub async fn resolve(
        mut conn: Conn<'_>,
        complex: ComplexId,
        caller: &Caller,
    ) -> Result<Self, AppError> {
        let cid = complex.to_string();
        let all = org::positions(conn.reborrow(), &cid).await?;
        // A complex always has positions once set up; only an empty answer needs the existence check.
        if all.is_empty() && org::complex(conn.reborrow(), &cid).await?.is_none() {
            return Err(complex_not_found());
        }
        let person = caller.person.to_string();
        let positions: Vec<Position> = all
            .iter()
            .filter(|p| p.active && p.holder_id.as_deref() == Some(person.as_str()))
            .map(Position::from_row)
            .collect::<Result<_, _>>()?;
        if positions.is_empty() && !caller.operator {
            return Err(complex_not_found());
        }
        let mine: Vec<String> = positions.iter().map(|p| p.id.to_string()).collect();
        let deputy_for = all
            .iter()
            .filter(|p| {
                p.active
                    && p.deputy_position_id
                        .as_ref()
                        .is_some_and(|d| mine.contains(d))
            })
            .map(Position::from_row)
            .collect::<Result<_, _>>()?;
        Ok(Self {
            complex,
            caller: caller.clone(),
            positions,
            deputy_for,
        })
    }

    /// Whether the member may administer the complex (an admin position or a service operator).
    pub fn is_admin(&self) -> bool {
        self.caller.operator || self.positions.iter().any(|p| p.is_admin)
    }

    /// Fails unless the member may administer the complex.
    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "admin_only",
                "단지 관리 권한이 있는 직위만 할 수 있습니다.",
                "only an administrator of the complex may do this",
            ))
        }
    }

    /// Whether the member holds the position.
    pub fn holds(&self, id: PositionId) -> bool {
        self.positions.iter().any(|p| p.id == id)
    }

    /// Whether the member is the deputy of the position.
    pub fn deputises_for(&self, id: PositionId) -> bool {
        self.deputy_for.iter().any(|p| p.id == id)
    }
}

/// The error for a complex one may not see.
pub fn complex_not_found() -> AppError {
    AppError::not_found("complex_not_found", "단지", "complex")
}
