//! The search benchmark's corpus: generated apartment documents whose prose is taken from real
//! Korean text (the constitution and bills shipped with konlpy, in the search crate's test data),
//! and the queries asked of them. Document `n` is a pure function of `n`, so both engines index
//! the same documents without the corpus ever being held in memory, and a query can look at the
//! document it was drawn from.

use std::path::Path;

use anyhow::Context as _;
use malgeun_search::{Access, IndexDocument};

/// Documents per complex: a complex of about a thousand households over ten years.
pub const DOCS_PER_COMPLEX: u64 = 10_000;

/// The role every benchmark document is visible to (the searcher's access term).
pub const VIEWER_ROLE: &str = "manager";

/// A small, fast, deterministic generator (SplitMix64): document `n` must look the same in both
/// engines and in every run.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for stream `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5851_F42D_4C95_7F2D)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    /// An element of a non-empty slice.
    pub fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const SURNAMES: &[&str] = &[
    "김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황",
    "안", "송", "전", "홍",
];
const GIVEN: &[&str] = &[
    "민", "서", "지", "현", "수", "영", "준", "우", "진", "하", "은", "성", "예", "도", "윤", "재",
    "혜", "경", "태", "원", "주", "승", "소", "연",
];
const POSITIONS: &[&str] = &[
    "관리사무소장",
    "관리과장",
    "경리주임",
    "시설과장",
    "전기기사",
    "영선주임",
    "경비반장",
    "입주자대표회의 회장",
];
const VENDOR_HEADS: &[&str] = &[
    "한빛",
    "푸른",
    "대성",
    "동해",
    "새솔",
    "미래",
    "청솔",
    "한결",
    "우리",
    "가온",
    "다온",
    "세종",
    "태평",
    "금강",
    "백두",
    "한라",
    "누리",
    "솔빛",
    "하늘",
    "바른",
    "으뜸",
    "온누리",
    "동방",
    "신라",
    "나래",
    "보람",
    "삼화",
    "대한",
    "한양",
    "서울",
];
const VENDOR_TAILS: &[&str] = &[
    "승강기",
    "조경",
    "방수",
    "전기",
    "도장",
    "소방",
    "청소",
    "보안",
    "설비",
    "건설",
    "환경",
    "시스템",
    "엔지니어링",
    "산업",
    "기술",
];
/// Works an office contracts for, with what the work does.
const WORKS: &[(&str, &str)] = &[
    ("승강기 교체", "승강기 권상기와 제어반을 교체"),
    ("옥상 방수", "옥상 우레탄 방수층을 재시공"),
    ("외벽 도장", "외벽 균열을 보수하고 재도장"),
    ("소방 설비 점검", "스프링클러와 화재감지기를 점검"),
    (
        "지하주차장 조명 교체",
        "지하주차장 형광등을 엘이디 조명으로 교체",
    ),
    ("놀이터 바닥 보수", "어린이놀이터 탄성포장재를 보수"),
    (
        "급수 배관 교체",
        "노후 급수 배관을 스테인리스 배관으로 교체",
    ),
    ("조경 수목 전지", "단지 내 수목을 전지하고 병충해를 방제"),
    ("경비 용역", "경비원 배치와 순찰 업무를 위탁"),
    ("청소 용역", "공용부분 청소와 분리수거장 관리를 위탁"),
    ("저수조 청소", "저수조를 청소하고 수질검사를 실시"),
    ("변전설비 점검", "수변전설비의 절연저항과 계전기를 점검"),
    ("보도블록 교체", "단지 내 보도블록과 경계석을 교체"),
    ("방범카메라 증설", "지하주차장과 출입구에 방범카메라를 증설"),
    ("재활용품 매각", "재활용품 수거 업체와 매각 계약을 체결"),
    ("정화조 청소", "정화조를 청소하고 방류수 수질을 측정"),
];
/// Sentences of an office's own writing, with slots for the work, vendor, month and amount.
const SENTENCES: &[&str] = &[
    "{work} 공사 업체로 주식회사 {vendor}를 선정하고자 합니다.",
    "{month}월 관리비 부과내역을 보고하며 전월과 비교하여 공동전기료가 인상되었습니다.",
    "장기수선계획에 따라 {work}에 장기수선충당금 {amount}원을 사용하고자 합니다.",
    "입주민 여러분께 알려드립니다. {month}월 중 {detail}하는 공사가 진행됩니다.",
    "공사 기간 중 소음과 통행 제한이 있으니 양해 바랍니다.",
    "계약 상대방은 {vendor}이며 계약 금액은 {amount}원(부가가치세 포함)입니다.",
    "하자담보책임기간은 2년이며 하자보수보증금은 계약금액의 3퍼센트입니다.",
    "입주자대표회의 의결을 거쳐 집행하며 결과는 게시판과 홈페이지에 공개합니다.",
    "{month}월 잡수입은 재활용품 매각대금과 알뜰장터 사용료로 {amount}원입니다.",
    "관리규약 제{month}조에 따라 동별 대표자 선거관리위원회를 구성합니다.",
    "세대별 검침 결과 {month}월 수도 사용량이 늘어 수도료가 인상되었습니다.",
    "경쟁입찰 결과 최저가를 제시한 {vendor}와 계약하고자 하오니 결재 바랍니다.",
];

/// Particles a query word may carry as typed (the analyzer strips them).
const PARTICLES: &[&str] = &[
    "을", "를", "은", "는", "이", "가", "의", "에서", "으로", "에",
];

/// Endings after which a word is a verb or adverb form, not a noun anyone searches for.
const NOT_NOUN_END: &[char] = &[
    '다', '고', '며', '여', '서', '면', '지', '게', '니', '라', '요', '함', '됨', '록', '써', '한',
    '된', '할', '될', '인', '는', '은', '을', '를', '이', '가', '의', '에', '와', '과', '로', '도',
    '만',
];

/// A document kind as the corpus uses it.
#[derive(Clone, Debug)]
struct Kind {
    code: String,
    name: String,
    labels: Vec<String>,
}

/// The material documents are made of.
#[derive(Debug)]
pub struct Corpus {
    /// Real Korean text as a stream of words (어절), in order: prose is a span of it.
    words: Vec<String>,
    kinds: Vec<Kind>,
}

/// One query: what is typed and the complex searched (its source document's).
#[derive(Clone, Debug)]
pub struct Query {
    /// The text as typed (words may carry a particle).
    pub text: String,
    /// The complex searched.
    pub complex: String,
    /// What a substring search looks for: for each word, its shortest form (the word without
    /// its particle, as the analyzer strips it), which every other form contains.
    pub substrings: Vec<String>,
}

impl Query {
    /// Whether every substring has at least three characters, which a trigram index needs.
    pub fn trigram_indexable(&self) -> bool {
        self.substrings.iter().all(|s| s.chars().count() >= 3)
    }
}

fn hangul_only(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

fn complex_id(c: u64) -> String {
    format!("complex-{c:05}")
}

impl Corpus {
    /// Reads the real-text sources from the search crate's test data and the kinds from the
    /// standard catalogue.
    pub fn load(data_dir: &Path) -> anyhow::Result<Self> {
        let mut files = vec![data_dir.join("kolaw/constitution.txt")];
        let mut bills: Vec<_> = std::fs::read_dir(data_dir.join("kobill"))
            .with_context(|| format!("reading {}", data_dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        bills.sort();
        files.extend(bills);
        let mut words = Vec::new();
        for f in &files {
            let text =
                std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
            words.extend(text.split_whitespace().map(str::to_owned));
        }
        anyhow::ensure!(words.len() > 1_000, "too little source text");
        let kinds = malgeun_app::standards::standard_catalogue()
            .kinds()
            .into_iter()
            .map(|k| Kind {
                code: k.code().as_str().to_owned(),
                name: k.name().to_owned(),
                labels: k.fields().iter().map(|f| f.label().to_owned()).collect(),
            })
            .collect();
        Ok(Self { words, kinds })
    }

    fn span(&self, rng: &mut Rng, min: usize, max: usize) -> String {
        let len = min + rng.below(max - min + 1);
        let start = rng.below(self.words.len() - len);
        self.words[start..start + len].join(" ")
    }

    /// Document `n` of a corpus: in complex `n / DOCS_PER_COMPLEX`, registered, visible to
    /// [`VIEWER_ROLE`].
    pub fn document(&self, n: u64) -> IndexDocument {
        let mut rng = Rng::new(n);
        let complex = n / DOCS_PER_COMPLEX;
        let kind = &self.kinds[rng.below(self.kinds.len())];
        let (work, detail) = WORKS[rng.below(WORKS.len())];
        let vendor = format!("{}{}", rng.pick(VENDOR_HEADS), rng.pick(VENDOR_TAILS));
        let year = 2016 + rng.below(10) as i64;
        let month = 1 + rng.below(12);
        let amount = (1 + rng.below(9_999)) * 10_000;
        let name = format!(
            "{}{}{}",
            rng.pick(SURNAMES),
            rng.pick(GIVEN),
            rng.pick(GIVEN)
        );
        let position = rng.pick(POSITIONS);
        let fill = |s: &str| {
            s.replace("{work}", work)
                .replace("{detail}", detail)
                .replace("{vendor}", &vendor)
                .replace("{month}", &month.to_string())
                .replace("{amount}", &amount.to_string())
        };
        let title = match rng.below(3) {
            0 => format!("{year}년 {month}월 {}", kind.name),
            1 => format!("{work} {} ({vendor})", kind.name),
            _ => format!("{} - {work}", kind.name),
        };
        let mut body = String::new();
        for _ in 0..2 + rng.below(3) {
            body.push_str(&fill(rng.pick(SENTENCES)));
            body.push(' ');
        }
        body.push('\n');
        body.push_str(&self.span(&mut rng, 40, 160));
        let fields = kind
            .labels
            .iter()
            .take(4)
            .enumerate()
            .map(|(i, label)| match i {
                0 => format!("{label}: {work}"),
                1 => format!("{label}: {vendor}"),
                2 => format!("{label}: {amount}원"),
                _ => format!("{label}: {year}년 {month}월"),
            })
            .collect::<Vec<_>>()
            .join("\n");
        let attachments: Vec<String> = (0..rng.below(3))
            .map(|i| match i {
                0 => format!("{work} 견적서.pdf"),
                _ => format!("{vendor} 사업자등록증.hwp"),
            })
            .collect();
        let attachment_text = if rng.chance(20) {
            vec![self.span(&mut rng, 100, 300)]
        } else {
            Vec::new()
        };
        let date = (year - 1970) * 365 * 86_400 * 1_000_000 + (month as i64) * 30 * 86_400_000_000;
        IndexDocument {
            complex: complex_id(complex),
            id: format!("{n:08}"),
            kind_code: kind.code.clone(),
            kind_name: kind.name.clone(),
            status: "registered".to_owned(),
            title,
            body,
            fields,
            registration_number: Some(format!("{}-{year}-{:05}", kind.name, n % 100_000)),
            drafter: format!("{position} {name}"),
            attachments,
            attachment_text,
            date,
            year,
            updated_at: date,
            access: Access::of_document(position, &[], &[VIEWER_ROLE.to_owned()], false, false),
        }
    }

    /// `count` queries over a corpus of `docs` documents, each drawn from a random document:
    /// one word of three or more syllables (half of them with a particle), two such words, or a
    /// word of two syllables (which a trigram index cannot look up), in proportions 45/30/25.
    pub fn queries(&self, docs: u64, count: usize, seed: u64) -> Vec<Query> {
        let mut rng = Rng::new(seed ^ 0xA5A5_A5A5);
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let n = rng.next_u64() % docs.max(1);
            let d = self.document(n);
            let text = format!("{}\n{}\n{}", d.title, d.body, d.fields);
            let nouns: Vec<&str> = text
                .split(|c: char| !('\u{AC00}'..='\u{D7A3}').contains(&c))
                .filter(|w| hangul_only(w) && !w.ends_with(NOT_NOUN_END))
                .collect();
            let long: Vec<&str> = nouns
                .iter()
                .copied()
                .filter(|w| (3..=6).contains(&w.chars().count()))
                .collect();
            let short: Vec<&str> = nouns
                .iter()
                .copied()
                .filter(|w| w.chars().count() == 2)
                .collect();
            let roll = rng.below(100);
            let stems: Vec<&str> = if roll < 45 && !long.is_empty() {
                vec![rng.pick(&long)]
            } else if roll < 75 && long.len() >= 2 {
                let a = rng.pick(&long);
                let b = rng.pick(&long);
                if a == b {
                    continue;
                }
                vec![a, b]
            } else if roll >= 75 && !short.is_empty() {
                vec![rng.pick(&short)]
            } else {
                continue;
            };
            let typed: Vec<String> = stems
                .iter()
                .map(|s| {
                    // A particle only where the analyzer's stripping gives the stem back.
                    let p = if rng.chance(50) {
                        rng.pick(PARTICLES)
                    } else {
                        ""
                    };
                    let w = format!("{s}{p}");
                    if malgeun_search::analyzer::query_words(&w)
                        .first()
                        .is_some_and(|forms| forms.iter().any(|f| f == s))
                    {
                        w
                    } else {
                        (*s).to_owned()
                    }
                })
                .collect();
            let text = typed.join(" ");
            let substrings = malgeun_search::analyzer::query_words(&text)
                .into_iter()
                .filter_map(|forms| forms.into_iter().min_by_key(|f| f.chars().count()))
                .collect();
            out.push(Query {
                text,
                complex: d.complex,
                substrings,
            });
        }
        out
    }
}
