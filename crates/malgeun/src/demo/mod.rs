//! The demo complex 맑은아파트: its office and council, each position held by a person with a login,
//! and a few months of realistic documents in every state. Seeding happens once per database.

mod documents;

use anyhow::Context;
use malgeun_app::org::{NewComplex, NewPosition};
use malgeun_app::{App, Caller};
use malgeun_domain::{ComplexId, PersonId, PositionId};

/// The password of every demo login.
pub const DEMO_PASSWORD: &str = "malgeun-demo";

/// One demo person and the position they hold.
#[derive(Clone, Debug)]
pub struct DemoPerson {
    /// Login.
    pub login: &'static str,
    /// Name.
    pub name: &'static str,
    /// Position title.
    pub title: &'static str,
    /// Role code.
    pub role: &'static str,
    /// Administers the complex.
    pub admin: bool,
    /// Person id.
    pub person: PersonId,
    /// Position id.
    pub position: PositionId,
}

impl DemoPerson {
    /// The person as a caller of the use cases.
    pub fn caller(&self) -> Caller {
        Caller {
            person: self.person,
            name: self.name.to_owned(),
            login: self.login.to_owned(),
            operator: false,
        }
    }
}

/// What the demo consists of.
#[derive(Clone, Debug)]
pub struct Demo {
    /// The complex.
    pub complex: ComplexId,
    /// Its people.
    pub people: Vec<DemoPerson>,
    /// Whether this run created it (false: it was already there).
    pub created: bool,
}

impl Demo {
    /// The person with a login.
    pub fn person(&self, login: &str) -> &DemoPerson {
        self.people
            .iter()
            .find(|p| p.login == login)
            .unwrap_or_else(|| panic!("no demo person {login}"))
    }

    /// What `malgeun demo` prints: where to go and how to log in.
    pub fn describe(&self, url: &str) -> String {
        let mut out = format!(
            "맑은 데모 단지 '맑은아파트' ({})\n주소: {url}\nAPI: {url}/api/v1/openapi.json\n\n로그인 (비밀번호는 모두 {DEMO_PASSWORD}):\n",
            self.complex
        );
        for p in &self.people {
            out.push_str(&format!("  {:<12} {} ({})\n", p.login, p.name, p.title));
        }
        out.push_str(&format!("  {:<12} 운영자 (단지 생성)\n", "operator"));
        out
    }
}

const PEOPLE: &[(&str, &str, &str, &str, bool)] = &[
    ("manager", "김정민", "관리사무소장", "manager", true),
    ("accountant", "이수진", "경리주임", "accountant", false),
    ("facility", "박철호", "시설과장", "facility_chief", false),
    ("chair", "최영순", "입주자대표회의 회장", "chair", false),
    ("auditor", "정해동", "감사", "auditor", false),
    ("rep101", "강민수", "101동 동대표", "council_member", false),
    ("rep102", "윤미경", "102동 동대표", "council_member", false),
];

fn app_err(e: malgeun_app::AppError) -> anyhow::Error {
    anyhow::anyhow!("{} ({})", e.message_en, e.code)
}

/// Seeds the demo once; a second call finds it and returns it unchanged.
pub async fn seed(app: &App) -> anyhow::Result<Demo> {
    if let Some(existing) = find(app).await? {
        return Ok(existing);
    }
    let operator = app
        .create_person(true, "operator", "맑은 운영자", DEMO_PASSWORD, true)
        .await
        .map_err(app_err)?;
    // The complex and its people are created "months ago", so the documents can follow in time.
    let start = documents::start_time();
    app.clock().set(Some(start));
    let complex = app
        .create_complex_unchecked(
            Some(operator),
            NewComplex {
                name: "맑은아파트".into(),
                short_name: "맑은아파트".into(),
                households: 1_204,
            },
        )
        .await
        .map_err(app_err)?;
    let mut people = Vec::new();
    for (login, name, title, role, admin) in PEOPLE {
        let person = app
            .create_person(true, login, name, DEMO_PASSWORD, false)
            .await
            .map_err(app_err)?;
        let position = app
            .create_position_unchecked(
                complex,
                NewPosition {
                    title: (*title).into(),
                    role: (*role).into(),
                    is_admin: *admin,
                },
            )
            .await
            .map_err(app_err)?;
        app.appoint_unchecked(complex, Some((operator, None)), position, person)
            .await
            .map_err(app_err)?;
        people.push(DemoPerson {
            login,
            name,
            title,
            role,
            admin: *admin,
            person,
            position,
        });
    }
    let demo = Demo {
        complex,
        people,
        created: true,
    };
    // 시설과장 stands in for the 관리사무소장 when absent (대결).
    app.set_deputy_unchecked(
        complex,
        Some(operator),
        demo.person("manager").position,
        Some(demo.person("facility").position),
    )
    .await
    .map_err(app_err)?;
    documents::seed(app, &demo)
        .await
        .context("seeding demo documents")?;
    app.clock().set(None);
    Ok(demo)
}

/// Finds an existing demo complex by its people.
async fn find(app: &App) -> anyhow::Result<Option<Demo>> {
    let Some(manager) = app.person_by_login("manager").await.map_err(app_err)? else {
        return Ok(None);
    };
    let caller = Caller {
        person: manager,
        name: String::new(),
        login: "manager".into(),
        operator: false,
    };
    let complexes = app.complexes_of(&caller).await.map_err(app_err)?;
    let Some(c) = complexes.iter().find(|c| c.name == "맑은아파트") else {
        return Ok(None);
    };
    let complex: ComplexId = c.id.parse().context("complex id")?;
    let member = app.member(&caller, complex).await.map_err(app_err)?;
    let positions = app.positions(&member).await.map_err(app_err)?;
    let mut people = Vec::new();
    for (login, name, title, role, admin) in PEOPLE {
        let Some(person) = app.person_by_login(login).await.map_err(app_err)? else {
            return Ok(None);
        };
        let Some(position) = positions.iter().find(|p| p.holder == Some(person)) else {
            return Ok(None);
        };
        people.push(DemoPerson {
            login,
            name,
            title,
            role,
            admin: *admin,
            person,
            position: position.id,
        });
    }
    Ok(Some(Demo {
        complex,
        people,
        created: false,
    }))
}
