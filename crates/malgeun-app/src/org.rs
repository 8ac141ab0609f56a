//! Administration: complexes, persons, positions, who holds them (with history) and deputies.
//! Pending work is addressed to positions, so handing a position to a successor (인수인계) moves
//! all of it at once.

use malgeun_domain::role::Role;
use malgeun_domain::text::single_line;
use malgeun_domain::{ComplexId, PersonId, PositionId};
use malgeun_store::image::Row;
use malgeun_store::org::{self, ComplexRow, PersonRow, TermRow};
use malgeun_store::{ledger, tables};

use crate::App;
use crate::auth::{check_password_policy, hash_password};
use crate::catalogue::kind_row;
use crate::error::AppError;
use crate::events::{Change, record};
use crate::member::{Caller, Member, Position, complex_not_found, parse_id};
use crate::standards::{standard_catalogue, standard_source};

/// Input for a new complex.
#[derive(Clone, Debug)]
pub struct NewComplex {
    /// Full name, e.g. 맑은아파트.
    pub name: String,
    /// Issuer name in registration numbers.
    pub short_name: String,
    /// Households.
    pub households: i64,
}

/// Input for a new position.
#[derive(Clone, Debug)]
pub struct NewPosition {
    /// Title shown in 결재란.
    pub title: String,
    /// Role code.
    pub role: String,
    /// May administer the complex.
    pub is_admin: bool,
}

fn name_field(
    value: &str,
    code: &'static str,
    ko: &str,
    en: &str,
    max: usize,
) -> Result<String, AppError> {
    single_line(value)
        .filter(|v| v.chars().count() <= max)
        .ok_or_else(|| {
            AppError::invalid(
                code,
                format!("{ko}은(는) 1자 이상 {max}자 이하의 한 줄로 입력해 주세요."),
                format!("{en} must be one line of 1 to {max} characters"),
            )
        })
}

pub(crate) fn complex_row(id: ComplexId, c: &ComplexRow) -> Row {
    Row::new(
        &tables::COMPLEXES,
        vec![
            ("id", id.to_string().into()),
            ("name", c.name.clone().into()),
            ("short_name", c.short_name.clone().into()),
            ("households", c.households.into()),
            ("created_at", c.created_at.into()),
        ],
    )
}

pub(crate) fn position_row(complex: ComplexId, p: &Position, created_at: i64) -> Row {
    Row::new(
        &tables::POSITIONS,
        vec![
            ("complex_id", complex.to_string().into()),
            ("id", p.id.to_string().into()),
            ("title", p.title.clone().into()),
            ("role", p.role.as_str().into()),
            ("is_admin", p.is_admin.into()),
            ("deputy_position_id", p.deputy.map(|d| d.to_string()).into()),
            ("active", p.active.into()),
            ("created_at", created_at.into()),
        ],
    )
}

fn term_row(complex: ComplexId, position: PositionId, t: &TermRow) -> Row {
    Row::new(
        &tables::POSITION_TERMS,
        vec![
            ("complex_id", complex.to_string().into()),
            ("position_id", position.to_string().into()),
            ("seq", t.seq.into()),
            ("person_id", t.person_id.clone().into()),
            ("started_at", t.started_at.into()),
            ("ended_at", t.ended_at.into()),
        ],
    )
}

fn operator_only() -> AppError {
    AppError::forbidden(
        "operator_only",
        "서비스 운영자만 할 수 있습니다.",
        "only a service operator may do this",
    )
}

impl App {
    /// Creates a complex with its log and the standard catalogue (operators only).
    pub async fn create_complex(
        &self,
        caller: &Caller,
        input: NewComplex,
    ) -> Result<ComplexId, AppError> {
        if !caller.operator {
            return Err(operator_only());
        }
        self.create_complex_unchecked(Some(caller.person), input)
            .await
    }

    /// Creates a complex without an operator check: for `malgeun admin` on the server itself.
    pub async fn create_complex_unchecked(
        &self,
        actor: Option<PersonId>,
        input: NewComplex,
    ) -> Result<ComplexId, AppError> {
        let name = name_field(&input.name, "invalid_name", "단지 이름", "name", 100)?;
        let short_name = name_field(
            &input.short_name,
            "invalid_short_name",
            "발행 기관명",
            "short name",
            40,
        )?;
        if input.households < 0 {
            return Err(AppError::invalid(
                "invalid_households",
                "세대수는 0 이상이어야 합니다.",
                "households must be ≥ 0",
            ));
        }
        let id = ComplexId::from_uuid(App::new_uuid());
        let cid = id.to_string();
        let now = self.clock().now();
        let row = ComplexRow {
            id: cid.clone(),
            name,
            short_name,
            households: input.households,
            created_at: now.as_micros(),
        };
        let mut change = Change::new("complex.create")
            .subject(id)
            .row(complex_row(id, &row));
        change.actor = actor;
        for kind in standard_catalogue().kinds() {
            let source = standard_source(kind.code().as_str())
                .ok_or_else(|| AppError::internal("standard kind without source"))?;
            change = change.row(kind_row(id, kind, source, "standard", now.as_micros()));
        }
        let mut tx = self.db().begin().await?;
        ledger::create_head(&mut tx, &cid).await?;
        let mut head = ledger::lock_head(&mut tx, &cid)
            .await?
            .ok_or_else(complex_not_found)?;
        record(&mut tx, id, &mut head, &self.signer(id), now, change).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Creates a person with a login. Operators may always; a complex administrator may too (new
    /// staff arrive at a complex first).
    pub async fn create_person(
        &self,
        creator_is_allowed: bool,
        login: &str,
        name: &str,
        password: &str,
        operator: bool,
    ) -> Result<PersonId, AppError> {
        if !creator_is_allowed {
            return Err(operator_only());
        }
        let login = login.trim();
        let login_ok = (3..=40).contains(&login.len())
            && login
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c));
        if !login_ok {
            return Err(AppError::invalid(
                "invalid_login",
                "아이디는 영문, 숫자, . _ - @ 로 3~40자여야 합니다.",
                "a login has 3 to 40 characters of a-z, 0-9, . _ - @",
            ));
        }
        let name = name_field(name, "invalid_name", "이름", "name", 50)?;
        check_password_policy(password)?;
        let pw = password.to_owned();
        let hash = tokio::task::spawn_blocking(move || hash_password(&pw))
            .await
            .map_err(AppError::internal)??;
        let id = PersonId::from_uuid(App::new_uuid());
        let mut tx = self.db().begin().await?;
        let res = org::insert_person(
            &mut tx,
            &PersonRow {
                id: id.to_string(),
                login: login.to_owned(),
                name,
                password_hash: hash,
                is_operator: operator,
                created_at: self.clock().now().as_micros(),
            },
        )
        .await;
        match res {
            Err(e) if e.is_unique_violation() => {
                return Err(AppError::conflict(
                    "login_taken",
                    "이미 쓰이는 아이디입니다.",
                    "that login is taken",
                ));
            }
            other => other?,
        }
        tx.commit().await?;
        Ok(id)
    }

    /// The positions of the complex with their holders.
    pub async fn positions(&self, member: &Member) -> Result<Vec<Position>, AppError> {
        let mut r = self.db().reader().await?;
        org::positions(r.conn(), &member.complex.to_string())
            .await?
            .iter()
            .map(Position::from_row)
            .collect()
    }

    /// The holders of a position over time.
    pub async fn position_terms(
        &self,
        member: &Member,
        position: PositionId,
    ) -> Result<Vec<TermRow>, AppError> {
        let mut r = self.db().reader().await?;
        let cid = member.complex.to_string();
        if org::position(r.conn(), &cid, &position.to_string())
            .await?
            .is_none()
        {
            return Err(position_not_found());
        }
        Ok(org::terms(r.conn(), &cid, &position.to_string()).await?)
    }

    /// Creates a position.
    pub async fn create_position(
        &self,
        member: &Member,
        input: NewPosition,
    ) -> Result<PositionId, AppError> {
        member.require_admin()?;
        let actor = (member.caller.person, member.positions.first().map(|p| p.id));
        self.create_position_as(member.complex, Some(actor), input)
            .await
    }

    /// Creates a position without an authorization check (bootstrap by `malgeun admin` and the demo).
    pub async fn create_position_unchecked(
        &self,
        complex: ComplexId,
        input: NewPosition,
    ) -> Result<PositionId, AppError> {
        self.create_position_as(complex, None, input).await
    }

    async fn create_position_as(
        &self,
        complex: ComplexId,
        actor: Option<(PersonId, Option<PositionId>)>,
        input: NewPosition,
    ) -> Result<PositionId, AppError> {
        let title = name_field(&input.title, "invalid_title", "직위명", "title", 50)?;
        let role = Role::parse(input.role.trim()).ok_or_else(|| {
            AppError::invalid(
                "invalid_role",
                "역할 코드는 영문 소문자, 숫자, _ 로 입력해 주세요.",
                "a role code has lowercase letters, digits and _",
            )
        })?;
        let now = self.clock().now();
        let id = PositionId::from_uuid(App::new_uuid());
        let p = Position {
            id,
            title,
            role,
            is_admin: input.is_admin,
            deputy: None,
            holder: None,
            holder_name: None,
            active: true,
        };
        let (tx, head) = self.begin_write(complex).await?;
        let mut change = Change::new("position.create").subject(id).row(position_row(
            complex,
            &p,
            now.as_micros(),
        ));
        if let Some((a, pos)) = actor {
            change = change.by(a, pos);
        }
        self.commit_change(tx, complex, head, now, change).await?;
        Ok(id)
    }

    /// Hands a position to a person (임명 or 인수인계): the current term ends and a new one starts
    /// in the same transaction, so the position is never held by two people or dropped.
    pub async fn appoint(
        &self,
        member: &Member,
        position: PositionId,
        person: PersonId,
    ) -> Result<(), AppError> {
        member.require_admin()?;
        self.appoint_unchecked(
            member.complex,
            Some((member.caller.person, member.positions.first().map(|p| p.id))),
            position,
            person,
        )
        .await
    }

    /// Appointment without an authorization check (bootstrap by `malgeun admin` and the demo).
    pub async fn appoint_unchecked(
        &self,
        complex: ComplexId,
        actor: Option<(PersonId, Option<PositionId>)>,
        position: PositionId,
        person: PersonId,
    ) -> Result<(), AppError> {
        let cid = complex.to_string();
        let pid = position.to_string();
        let now = self.clock().now();
        let (mut tx, head) = self.begin_write(complex).await?;
        let pos = org::position(tx.conn(), &cid, &pid)
            .await?
            .ok_or_else(position_not_found)?;
        if org::person(tx.conn(), &person.to_string()).await?.is_none() {
            return Err(AppError::not_found("person_not_found", "사용자", "person"));
        }
        if pos.holder_id.as_deref() == Some(person.to_string().as_str()) {
            return Err(AppError::conflict(
                "already_holder",
                "이미 그 직위를 맡고 있습니다.",
                "already holds that position",
            ));
        }
        let terms = org::terms(tx.conn(), &cid, &pid).await?;
        let mut change = Change::new("position.appoint").subject(position);
        if let Some((a, p)) = actor {
            change = change.by(a, p);
        }
        let next_seq = terms.last().map_or(1, |t| t.seq + 1);
        if let Some(current) = terms.iter().find(|t| t.ended_at.is_none()) {
            let ended = TermRow {
                ended_at: Some(now.as_micros()),
                ..current.clone()
            };
            change = change.row(term_row(complex, position, &ended));
        }
        let new_term = TermRow {
            position_id: pid.clone(),
            seq: next_seq,
            person_id: person.to_string(),
            person_name: String::new(),
            started_at: now.as_micros(),
            ended_at: None,
        };
        change = change.row(term_row(complex, position, &new_term));
        self.commit_change(tx, complex, head, now, change).await?;
        Ok(())
    }

    /// Sets or clears a position's deputy (대결자): another position of the same complex.
    pub async fn set_deputy(
        &self,
        member: &Member,
        position: PositionId,
        deputy: Option<PositionId>,
    ) -> Result<(), AppError> {
        member.require_admin()?;
        self.set_deputy_unchecked(member.complex, Some(member.caller.person), position, deputy)
            .await
    }

    /// Sets a deputy without an authorization check (bootstrap and demo).
    pub async fn set_deputy_unchecked(
        &self,
        complex: ComplexId,
        actor: Option<PersonId>,
        position: PositionId,
        deputy: Option<PositionId>,
    ) -> Result<(), AppError> {
        let cid = complex.to_string();
        let now = self.clock().now();
        if deputy == Some(position) {
            return Err(AppError::invalid(
                "deputy_is_self",
                "자기 자신을 대결자로 정할 수 없습니다.",
                "a position cannot deputise for itself",
            ));
        }
        let (mut tx, head) = self.begin_write(complex).await?;
        let row = org::position(tx.conn(), &cid, &position.to_string())
            .await?
            .ok_or_else(position_not_found)?;
        if let Some(d) = deputy
            && org::position(tx.conn(), &cid, &d.to_string())
                .await?
                .is_none()
        {
            return Err(position_not_found());
        }
        let mut p = Position::from_row(&row)?;
        p.deputy = deputy;
        let mut change = Change::new("position.deputy")
            .subject(position)
            .row(position_row(complex, &p, row.created_at));
        change.actor = actor;
        self.commit_change(tx, complex, head, now, change).await?;
        Ok(())
    }

    /// The complexes a caller can open.
    pub async fn complexes_of(&self, caller: &Caller) -> Result<Vec<ComplexRow>, AppError> {
        let mut r = self.db().reader().await?;
        if caller.operator {
            Ok(org::complexes(r.conn()).await?)
        } else {
            Ok(org::complexes_of_person(r.conn(), &caller.person.to_string()).await?)
        }
    }

    /// The caller's standing in a complex.
    pub async fn member(&self, caller: &Caller, complex: ComplexId) -> Result<Member, AppError> {
        let mut r = self.db().reader().await?;
        Member::resolve(r.conn(), complex, caller).await
    }

    /// Finds a person by login (administration).
    pub async fn person_by_login(&self, login: &str) -> Result<Option<PersonId>, AppError> {
        let mut r = self.db().reader().await?;
        org::person_by_login(r.conn(), login)
            .await?
            .map(|p| parse_id(&p.id))
            .transpose()
    }
}

fn position_not_found() -> AppError {
    AppError::not_found("position_not_found", "직위", "position")
}
