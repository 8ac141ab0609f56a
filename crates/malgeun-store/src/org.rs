//! Reads of the organisation: complexes, persons, positions and who holds them, sessions.

use crate::db::{Conn, Tx};
use crate::error::StoreError;

db_row! {
    /// A complex.
    #[derive(Clone, Debug)]
    pub struct ComplexRow {
        /// Id.
        pub id: String,
        /// Full name (맑은아파트 관리사무소).
        pub name: String,
        /// Issuer name used in registration numbers (맑은아파트).
        pub short_name: String,
        /// Number of households.
        pub households: i64,
        /// Created, microseconds.
        pub created_at: i64,
    }
}

db_row! {
    /// A person (global: one login across complexes).
    #[derive(Clone, Debug)]
    pub struct PersonRow {
        /// Id.
        pub id: String,
        /// Login name.
        pub login: String,
        /// Display name.
        pub name: String,
        /// Argon2id PHC string.
        pub password_hash: String,
        /// May create complexes and administer any of them.
        pub is_operator: bool,
        /// Created, microseconds.
        pub created_at: i64,
    }
}

db_row! {
    /// A position with its current holder, if any.
    #[derive(Clone, Debug)]
    pub struct PositionRow {
        /// Complex.
        pub complex_id: String,
        /// Id.
        pub id: String,
        /// Title (관리소장).
        pub title: String,
        /// Role code.
        pub role: String,
        /// May administer the complex.
        pub is_admin: bool,
        /// The deputy (대결자) position.
        pub deputy_position_id: Option<String>,
        /// Still in use.
        pub active: bool,
        /// Created, microseconds.
        pub created_at: i64,
        /// Current holder's person id.
        pub holder_id: Option<String>,
        /// Current holder's name.
        pub holder_name: Option<String>,
        /// Current term's sequence number.
        pub term_seq: Option<i64>,
    }
}

const POSITION_SELECT: &str = "SELECT p.complex_id, p.id, p.title, p.role, p.is_admin, p.deputy_position_id, \
     p.active, p.created_at, t.person_id AS holder_id, pe.name AS holder_name, t.seq AS term_seq \
     FROM positions p \
     LEFT JOIN position_terms t ON t.complex_id = p.complex_id AND t.position_id = p.id AND t.ended_at IS NULL \
     LEFT JOIN persons pe ON pe.id = t.person_id";

db_row! {
    /// A term of office.
    #[derive(Clone, Debug)]
    pub struct TermRow {
        /// Position.
        pub position_id: String,
        /// Sequence within the position.
        pub seq: i64,
        /// Holder.
        pub person_id: String,
        /// Holder's name.
        pub person_name: String,
        /// Start, microseconds.
        pub started_at: i64,
        /// End, microseconds.
        pub ended_at: Option<i64>,
    }
}

/// Creates a person; a taken login is a [`StoreError::Conflict`].
pub async fn insert_person(tx: &mut Tx, p: &PersonRow) -> Result<(), StoreError> {
    let taken: Option<String> = fetch_scalar!(
        tx.conn(),
        String,
        fetch_optional,
        "SELECT id FROM persons WHERE login = $1",
        p.login.as_str()
    )?;
    if taken.is_some() {
        return Err(StoreError::Conflict(format!(
            "login `{}` is taken",
            p.login
        )));
    }
    exec!(
        tx.conn(),
        "INSERT INTO persons (id, login, name, password_hash, is_operator, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        p.id.as_str(),
        p.login.as_str(),
        p.name.as_str(),
        p.password_hash.as_str(),
        p.is_operator,
        p.created_at
    )?;
    Ok(())
}

/// A person by login.
pub async fn person_by_login(conn: Conn<'_>, login: &str) -> Result<Option<PersonRow>, StoreError> {
    fetch_as!(
        conn,
        PersonRow,
        fetch_optional,
        "SELECT * FROM persons WHERE login = $1",
        login
    )
}

/// A person by id.
pub async fn person(conn: Conn<'_>, id: &str) -> Result<Option<PersonRow>, StoreError> {
    fetch_as!(
        conn,
        PersonRow,
        fetch_optional,
        "SELECT * FROM persons WHERE id = $1",
        id
    )
}

/// All persons, by name (operators' view).
pub async fn persons(conn: Conn<'_>) -> Result<Vec<PersonRow>, StoreError> {
    fetch_as!(
        conn,
        PersonRow,
        fetch_all,
        "SELECT * FROM persons ORDER BY name, login"
    )
}

/// A complex by id.
pub async fn complex(conn: Conn<'_>, id: &str) -> Result<Option<ComplexRow>, StoreError> {
    fetch_as!(
        conn,
        ComplexRow,
        fetch_optional,
        "SELECT id, name, short_name, households, created_at FROM complexes WHERE id = $1",
        id
    )
}

/// All complexes.
pub async fn complexes(conn: Conn<'_>) -> Result<Vec<ComplexRow>, StoreError> {
    fetch_as!(
        conn,
        ComplexRow,
        fetch_all,
        "SELECT id, name, short_name, households, created_at FROM complexes ORDER BY name"
    )
}

/// Complexes where the person currently holds a position.
pub async fn complexes_of_person(
    conn: Conn<'_>,
    person_id: &str,
) -> Result<Vec<ComplexRow>, StoreError> {
    fetch_as!(
        conn,
        ComplexRow,
        fetch_all,
        "SELECT c.id, c.name, c.short_name, c.households, c.created_at FROM complexes c \
         WHERE c.id IN (SELECT complex_id FROM position_terms WHERE person_id = $1 AND ended_at IS NULL) \
         ORDER BY c.name",
        person_id
    )
}

/// All positions of a complex with their holders.
pub async fn positions(conn: Conn<'_>, complex_id: &str) -> Result<Vec<PositionRow>, StoreError> {
    let sql = format!("{POSITION_SELECT} WHERE p.complex_id = $1 ORDER BY p.created_at, p.title");
    fetch_as!(conn, PositionRow, fetch_all, &sql, complex_id)
}

/// One position with its holder.
pub async fn position(
    conn: Conn<'_>,
    complex_id: &str,
    id: &str,
) -> Result<Option<PositionRow>, StoreError> {
    let sql = format!("{POSITION_SELECT} WHERE p.complex_id = $1 AND p.id = $2");
    fetch_as!(conn, PositionRow, fetch_optional, &sql, complex_id, id)
}

/// Positions the person holds now in the complex.
pub async fn positions_of_person(
    conn: Conn<'_>,
    complex_id: &str,
    person_id: &str,
) -> Result<Vec<PositionRow>, StoreError> {
    let sql = format!(
        "{POSITION_SELECT} WHERE p.complex_id = $1 AND t.person_id = $2 AND p.active ORDER BY p.created_at"
    );
    fetch_as!(conn, PositionRow, fetch_all, &sql, complex_id, person_id)
}

/// The history of holders of one position, oldest first.
pub async fn terms(
    conn: Conn<'_>,
    complex_id: &str,
    position_id: &str,
) -> Result<Vec<TermRow>, StoreError> {
    fetch_as!(
        conn,
        TermRow,
        fetch_all,
        "SELECT t.position_id, t.seq, t.person_id, pe.name AS person_name, t.started_at, t.ended_at \
         FROM position_terms t JOIN persons pe ON pe.id = t.person_id \
         WHERE t.complex_id = $1 AND t.position_id = $2 ORDER BY t.seq",
        complex_id,
        position_id
    )
}

/// A live session's person by the SHA-256 of its token, in one query.
pub async fn session_person(
    conn: Conn<'_>,
    token_sha256: &str,
    now: i64,
) -> Result<Option<PersonRow>, StoreError> {
    fetch_as!(
        conn,
        PersonRow,
        fetch_optional,
        "SELECT p.id, p.login, p.name, p.password_hash, p.is_operator, p.created_at FROM sessions s \
         JOIN persons p ON p.id = s.person_id WHERE s.token_sha256 = $1 AND s.expires_at > $2",
        token_sha256,
        now
    )
}

/// Stores a session.
pub async fn insert_session(
    tx: &mut Tx,
    token_sha256: &str,
    person_id: &str,
    created_at: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    exec!(
        tx.conn(),
        "INSERT INTO sessions (token_sha256, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        token_sha256,
        person_id,
        created_at,
        expires_at
    )?;
    Ok(())
}

/// Ends a session.
pub async fn delete_session(tx: &mut Tx, token_sha256: &str) -> Result<(), StoreError> {
    exec!(
        tx.conn(),
        "DELETE FROM sessions WHERE token_sha256 = $1",
        token_sha256
    )?;
    Ok(())
}
