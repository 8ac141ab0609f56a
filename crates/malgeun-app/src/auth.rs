//! Logins and sessions: argon2id passwords, random bearer tokens stored only as their SHA-256, and
//! a `staff.login` ledger entry in every complex where the person holds a position.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use malgeun_domain::content::Sha256Hash;
use malgeun_domain::{ComplexId, PersonId};
use malgeun_store::{ledger, org};

use crate::App;
use crate::error::{AppError, ErrorKind};
use crate::events::{Change, record};
use crate::member::{Caller, parse_id};

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

fn verify_password(password: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// Checks that a new password is acceptable.
pub fn check_password_policy(password: &str) -> Result<(), AppError> {
    if password.chars().count() < 8 || password.len() > 256 {
        return Err(AppError::invalid(
            "weak_password",
            "비밀번호는 8자 이상 256바이트 이하여야 합니다.",
            "a password needs 8 to 256 characters",
        ));
    }
    Ok(())
}

fn token_hash(token: &str) -> String {
    Sha256Hash::of(token.as_bytes()).to_hex()
}

/// A new session.
#[derive(Clone, Debug)]
pub struct Session {
    /// The bearer token (also the cookie value). Shown once; only its hash is stored.
    pub token: String,
    /// Who.
    pub caller: Caller,
    /// Expiry, microseconds.
    pub expires_at: i64,
}

fn login_failed() -> AppError {
    AppError::new(
        ErrorKind::Unauthenticated,
        "login_failed",
        "아이디 또는 비밀번호가 맞지 않습니다.",
        "wrong login or password",
    )
}

impl App {
    /// Logs a person in with their password.
    pub async fn login(&self, login: &str, password: &str) -> Result<Session, AppError> {
        let person = {
            let mut r = self.db().reader().await?;
            org::person_by_login(r.conn(), login.trim()).await?
        };
        // Verify on a blocking thread: argon2 takes tens of milliseconds of CPU.
        let Some(person) = person else {
            // Spend the same time on unknown logins so they cannot be told apart by timing.
            let _ = tokio::task::spawn_blocking(|| hash_password("timing-equaliser")).await;
            return Err(login_failed());
        };
        let (pw, phc) = (password.to_owned(), person.password_hash.clone());
        let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &phc))
            .await
            .map_err(AppError::internal)?;
        if !ok {
            return Err(login_failed());
        }
        let mut raw = [0u8; 32];
        getrandom::fill(&mut raw).map_err(AppError::internal)?;
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        let now = self.clock().now();
        let expires_at = now.as_micros() + self.limits().session_ttl_secs * 1_000_000;
        let person_id: PersonId = parse_id(&person.id)?;
        let complexes = {
            let mut r = self.db().reader().await?;
            org::complexes_of_person(r.conn(), &person.id).await?
        };
        let mut tx = self.db().begin().await?;
        org::insert_session(
            &mut tx,
            &token_hash(&token),
            &person.id,
            now.as_micros(),
            expires_at,
        )
        .await?;
        for c in complexes {
            let complex: ComplexId = parse_id(&c.id)?;
            let mut head = ledger::lock_head(&mut tx, &c.id)
                .await?
                .ok_or_else(|| AppError::internal("complex without ledger head"))?;
            let change = Change::new("staff.login")
                .by(person_id, None)
                .subject(person_id);
            record(
                &mut tx,
                complex,
                &mut head,
                &self.signer(complex),
                now,
                change,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Session {
            token,
            caller: Caller {
                person: person_id,
                name: person.name,
                login: person.login,
                operator: person.is_operator,
            },
            expires_at,
        })
    }

    /// Resolves a bearer token to its caller.
    pub async fn authenticate(&self, token: &str) -> Result<Caller, AppError> {
        let mut r = self.db().reader().await?;
        let now = self.clock().now().as_micros();
        let person = org::session_person(r.conn(), &token_hash(token), now)
            .await?
            .ok_or_else(AppError::unauthenticated)?;
        Ok(Caller {
            person: parse_id(&person.id)?,
            name: person.name,
            login: person.login,
            operator: person.is_operator,
        })
    }

    /// Ends a session.
    pub async fn logout(&self, token: &str) -> Result<(), AppError> {
        let mut tx = self.db().begin().await?;
        org::delete_session(&mut tx, &token_hash(token)).await?;
        tx.commit().await?;
        Ok(())
    }
}
