//! Search quality on real Korean text: the constitution (split into its articles) and ten bills
//! from konlpy's corpora, plus generated apartment documents. Labelled queries are distinctive
//! nouns sampled from each document and inflected with particles (회의록을, 관리비는, 공사에서 …),
//! single and in pairs, plus hand-written apartment queries. Relevant documents are those that
//! contain every query word's stem; recall counts how many of them a search returns, and the
//! sampled document must rank in the top 3. The same set is run through a whole-word analyzer as
//! the baseline the bigram analyzer is chosen over.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use malgeun_search::analyzer::analyze;
use malgeun_search::{Access, IndexDocument, Position, SearchIndex, SearchRequest, Sort};

const COMPLEX: &str = "c1";
const ROLE: &str = "manager";

struct Doc {
    id: String,
    title: String,
    body: String,
}

fn data_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The constitution's preamble and each article (제N조 …) as a document.
fn constitution() -> Vec<Doc> {
    let text = std::fs::read_to_string(data_dir().join("kolaw/constitution.txt")).unwrap();
    let mut docs: Vec<Doc> = Vec::new();
    let mut current = String::new();
    let mut title = "대한민국헌법 전문".to_owned();
    for line in text.lines() {
        let t = line.trim_start();
        let is_article = t.starts_with('제')
            && t.contains('조')
            && t[3..]
                .chars()
                .take_while(|c| *c != '조')
                .all(|c| c.is_ascii_digit());
        if is_article && !current.trim().is_empty() {
            docs.push(Doc {
                id: format!("law-{}", docs.len()),
                title: title.clone(),
                body: std::mem::take(&mut current),
            });
        }
        if is_article {
            title = format!("대한민국헌법 {}", t.split_whitespace().next().unwrap());
        }
        current.push_str(line);
        current.push('\n');
    }
    docs.push(Doc {
        id: format!("law-{}", docs.len()),
        title,
        body: current,
    });
    docs
}

fn bills() -> Vec<Doc> {
    let mut paths: Vec<_> = std::fs::read_dir(data_dir().join("kobill"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            let title = text.lines().next().unwrap().trim().to_owned();
            Doc {
                id: format!("bill-{}", p.file_stem().unwrap().to_string_lossy()),
                title,
                body: text,
            }
        })
        .collect()
}

/// Apartment documents of every common kind, each with details of its own.
fn apartment() -> Vec<Doc> {
    let vendors = [
        "한빛승강기",
        "푸른조경",
        "대성방수",
        "동해전기",
        "새솔도장",
        "미래소방",
        "청솔청소",
        "한결보안",
        "우리설비",
        "가온건설",
    ];
    let works = [
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
    ];
    let mut docs = Vec::new();
    for month in 1..=12 {
        let (work, detail) = works[month % works.len()];
        let vendor = vendors[month % vendors.len()];
        docs.push(Doc {
            id: format!("apt-minutes-{month}"),
            title: format!("2026년 {month}월 입주자대표회의 정기회의 회의록"),
            body: format!(
                "일시: 2026년 {month}월 셋째 주 목요일 오후 7시\n장소: 관리사무소 회의실\n\
                 안건 1. {work} 공사 업체 선정의 건: {vendor}를 공사 업체로 의결함.\n\
                 안건 2. {month}월 관리비 부과내역 보고: 관리비는 전월과 비슷한 수준임.\n\
                 안건 3. 장기수선충당금 적립 현황 보고.\n참석: 동대표 7명 중 6명 참석"
            ),
        });
        docs.push(Doc {
            id: format!("apt-fee-{month}"),
            title: format!("2026년 {month}월분 관리비 부과내역"),
            body: format!(
                "일반관리비, 청소비, 경비비, 소독비, 승강기유지비, 수선유지비, 장기수선충당금을 \
                 세대별 면적에 따라 부과함. {month}월 전기료는 공동전기 사용량이 늘어 인상됨."
            ),
        });
        docs.push(Doc {
            id: format!("apt-contract-{month}"),
            title: format!("{work} 공사 계약서 ({vendor})"),
            body: format!(
                "계약 상대방: 주식회사 {vendor}\n계약 내용: {detail}하는 공사\n\
                 계약 금액: {}원(부가가치세 포함)\n하자담보책임기간: 2년",
                (month * 3_700_000)
            ),
        });
        docs.push(Doc {
            id: format!("apt-ltr-{month}"),
            title: format!("장기수선충당금 사용계획서 ({work})"),
            body: format!(
                "장기수선계획에 따라 {work}에 장기수선충당금을 사용하고자 함. \
                 사용 예정 금액은 충당금 잔액의 일부이며 입주자대표회의 의결을 거침."
            ),
        });
        docs.push(Doc {
            id: format!("apt-notice-{month}"),
            title: format!("{work} 공사 안내 공고문"),
            body: format!(
                "입주민 여러분께 알려드립니다. {month}월 중 {detail}하는 공사가 진행됩니다. \
                 공사 기간 중 소음과 통행 제한이 있으니 양해 바랍니다. 관리사무소장"
            ),
        });
    }
    docs
}

/// Particles used to inflect the sampled words (different from how the analyzer strips them).
const INFLECTIONS: &[&str] = &[
    "을", "를", "은", "는", "이", "가", "의", "에서", "으로", "에", "과", "",
];

/// Endings after which a word is a verb or adverb form, not a noun worth searching for.
const NOT_NOUN_END: &[char] = &[
    '다', '고', '며', '여', '서', '면', '지', '게', '니', '라', '요', '함', '됨', '록', '써', '한',
    '된', '할', '될', '인', '는', '은', '을', '를', '이', '가', '의', '에', '와', '과', '로', '도',
    '만',
];

fn hangul_only(w: &str) -> bool {
    w.chars().all(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

/// Candidate nouns of a text: Hangul words of 2–6 syllables (after stripping punctuation) that do
/// not end like a verb or a particle.
fn nouns(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !('\u{AC00}'..='\u{D7A3}').contains(&c))
        .filter(|w| hangul_only(w))
        .filter(|w| (2..=6).contains(&w.chars().count()))
        .filter(|w| !w.ends_with(NOT_NOUN_END))
        .map(str::to_owned)
        .collect()
}

struct Query {
    text: String,
    stems: Vec<String>,
    expected: String,
}

/// A small deterministic generator (the test must be repeatable).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn full_text(d: &Doc) -> String {
    format!("{}\n{}", d.title, d.body)
}

fn labelled_queries(docs: &[Doc]) -> Vec<Query> {
    let texts: Vec<String> = docs.iter().map(full_text).collect();
    let df = |w: &str| texts.iter().filter(|t| t.contains(w)).count();
    let mut rng = Lcg(42);
    let mut queries = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let candidates: Vec<String> = nouns(&texts[i]).into_iter().collect();
        let rare: Vec<&String> = candidates.iter().filter(|w| df(w) <= 3).collect();
        let common: Vec<&String> = candidates
            .iter()
            .filter(|w| (4..=40).contains(&df(w)))
            .collect();
        // A rare word (in at most 3 documents), a commoner one (4 to 8 documents), and a pair
        // of commoner words (each in 4 to 40 documents): ranking decides the last two.
        // The commoner word is one this document is most about: it uses it more often than
        // any other document does (so the label is fair to rank first).
        let tf = |t: &str, w: &str| t.matches(w).count();
        let medium: Vec<&String> = candidates
            .iter()
            .filter(|w| (4..=8).contains(&df(w)))
            .filter(|w| {
                let mine = tf(&texts[i], w);
                mine >= 2
                    && texts
                        .iter()
                        .enumerate()
                        .all(|(j, t)| j == i || tf(t, w) < mine)
            })
            .collect();
        for pool in [&rare, &medium] {
            if pool.is_empty() {
                continue;
            }
            let w = pool[rng.next(pool.len())];
            let p = INFLECTIONS[rng.next(INFLECTIONS.len())];
            queries.push(Query {
                text: format!("{w}{p}"),
                stems: vec![w.clone()],
                expected: d.id.clone(),
            });
        }
        // The pair is distinctive together: at most three documents hold both words.
        let pairs: Vec<(&String, &String)> = common
            .iter()
            .flat_map(|a| common.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a < b)
            .filter(|(a, b)| {
                texts
                    .iter()
                    .filter(|t| t.contains(a.as_str()) && t.contains(b.as_str()))
                    .count()
                    <= 3
            })
            .collect();
        if !pairs.is_empty() {
            let (a, b) = pairs[rng.next(pairs.len())];
            let (pa, pb) = (
                INFLECTIONS[rng.next(INFLECTIONS.len())],
                INFLECTIONS[rng.next(INFLECTIONS.len())],
            );
            queries.push(Query {
                text: format!("{a}{pa} {b}{pb}"),
                stems: vec![a.clone(), b.clone()],
                expected: d.id.clone(),
            });
        }
    }
    // Hand-written apartment queries (the examples among them).
    let hand = [
        ("3월 회의록을", vec!["3월", "회의록"], "apt-minutes-3"),
        ("11월분 관리비는", vec!["11월분", "관리비"], "apt-fee-11"),
        (
            "한빛승강기 계약",
            vec!["한빛승강기", "계약"],
            "apt-contract-10",
        ),
        (
            "옥상 방수 계약서를",
            vec!["옥상", "방수", "계약서"],
            "apt-contract-1",
        ),
        (
            "급수 배관 공사 안내",
            vec!["급수", "배관", "안내"],
            "apt-notice-6",
        ),
        (
            "장기수선충당금 사용계획서 조명",
            vec!["장기수선충당금", "사용계획서", "조명"],
            "apt-ltr-4",
        ),
        ("놀이터 수선", vec!["놀이터", "수선"], "apt-ltr-5"),
    ];
    for (text, stems, expected) in hand {
        queries.push(Query {
            text: text.to_owned(),
            stems: stems.into_iter().map(str::to_owned).collect(),
            expected: expected.to_owned(),
        });
    }
    queries
}

struct Measured {
    recall: f64,
    top3: f64,
    queries: usize,
    index_ms: f64,
    query_us: f64,
}

/// Indexes the documents and runs every query through `search`.
fn measure(
    docs: &[Doc],
    queries: &[Query],
    search: &dyn Fn(&SearchIndex, &str) -> Vec<String>,
) -> Measured {
    let index = SearchIndex::in_memory().unwrap();
    let started = Instant::now();
    let put: Vec<IndexDocument> = docs
        .iter()
        .map(|d| IndexDocument {
            complex: COMPLEX.to_owned(),
            id: d.id.clone(),
            kind_code: "law".to_owned(),
            kind_name: "문서".to_owned(),
            status: "registered".to_owned(),
            title: d.title.clone(),
            body: d.body.clone(),
            access: vec![Access::role(ROLE)],
            ..IndexDocument::default()
        })
        .collect();
    index.apply(&put, &[], &Position::new()).unwrap();
    let index_ms = started.elapsed().as_secs_f64() * 1000.0;
    let texts: Vec<String> = docs.iter().map(full_text).collect();
    let (mut found, mut relevant, mut top3) = (0usize, 0usize, 0usize);
    let started = Instant::now();
    for q in queries {
        let truth: BTreeSet<&str> = docs
            .iter()
            .zip(&texts)
            .filter(|(_, t)| q.stems.iter().all(|s| t.contains(s.as_str())))
            .map(|(d, _)| d.id.as_str())
            .collect();
        assert!(truth.contains(q.expected.as_str()), "label of `{}`", q.text);
        let got = search(&index, &q.text);
        relevant += truth.len();
        found += got.iter().filter(|id| truth.contains(id.as_str())).count();
        if got.iter().take(3).any(|id| *id == q.expected) {
            top3 += 1;
        }
    }
    let query_us = started.elapsed().as_secs_f64() * 1e6 / queries.len() as f64;
    Measured {
        recall: found as f64 / relevant as f64,
        top3: top3 as f64 / queries.len() as f64,
        queries: queries.len(),
        index_ms,
        query_us,
    }
}

fn bigram_search(index: &SearchIndex, text: &str) -> Vec<String> {
    index
        .search(&SearchRequest {
            text: text.to_owned(),
            complex: COMPLEX.to_owned(),
            access: vec![Access::role(ROLE)],
            sort: Sort::Relevance,
            limit: 1000,
            ..SearchRequest::default()
        })
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

#[test]
fn korean_search_quality() {
    let mut docs = constitution();
    assert!(docs.len() > 120, "the constitution has 130 articles");
    docs.extend(bills());
    docs.extend(apartment());
    let queries = labelled_queries(&docs);
    assert!(queries.len() > 200, "{} queries", queries.len());

    let m = measure(&docs, &queries, &bigram_search);
    println!(
        "bigram analyzer: {} documents, {} queries: recall {:.3}, expected document in top 3 for {:.1} %; \
         indexing {:.0} ms, {:.0} µs per query",
        docs.len(),
        m.queries,
        m.recall,
        m.top3 * 100.0,
        m.index_ms,
        m.query_us
    );

    // The baseline: whole words as written (what a whitespace analyzer finds), through the same
    // truth. Its recall is what the bigram analyzer is chosen over.
    let texts: Vec<(String, BTreeSet<String>)> = docs
        .iter()
        .map(|d| {
            let words = full_text(d)
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect();
            (d.id.clone(), words)
        })
        .collect();
    let whole_words = |_: &SearchIndex, text: &str| -> Vec<String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        texts
            .iter()
            .filter(|(_, ws)| words.iter().all(|w| ws.contains(*w)))
            .map(|(id, _)| id.clone())
            .collect()
    };
    let base = measure(&docs, &queries, &whole_words);
    println!(
        "whole-word baseline: recall {:.3}, expected document in the first 3 matches for {:.1} %",
        base.recall,
        base.top3 * 100.0
    );

    assert!(m.recall >= 0.95, "recall {:.3} < 0.95", m.recall);
    assert!(m.top3 >= 0.90, "top 3 {:.3} < 0.90", m.top3);
    assert!(base.recall < m.recall, "the baseline should not do as well");
}

#[test]
fn the_index_is_per_complex_and_per_access_term() {
    let index = SearchIndex::in_memory().unwrap();
    let doc = |complex: &str, id: &str, access: Vec<String>| IndexDocument {
        complex: complex.to_owned(),
        id: id.to_owned(),
        status: "registered".to_owned(),
        title: "승강기 교체 공사 계약서".to_owned(),
        body: "계약 금액은 <script>1억</script>원".to_owned(),
        access,
        ..IndexDocument::default()
    };
    let line = Access::of_document(
        "p-drafter",
        &["p-line".to_owned()],
        &[ROLE.to_owned()],
        true,
        false,
    );
    assert_eq!(line, ["d:p-drafter", "l:p-line"], "restricted: no roles");
    index
        .apply(
            &[
                doc("c1", "open", vec![Access::role(ROLE)]),
                doc("c1", "restricted", line),
                doc("c2", "other", vec![Access::role(ROLE)]),
            ],
            &[],
            &BTreeMap::from([("c1".to_owned(), 3)]),
        )
        .unwrap();
    let ids = |complex: &str, access: Vec<String>| -> Vec<String> {
        let mut ids: Vec<String> = index
            .search(&SearchRequest {
                text: "계약을".to_owned(),
                complex: complex.to_owned(),
                access,
                limit: 10,
                ..SearchRequest::default()
            })
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids("c1", vec![Access::role(ROLE)]), ["open"]);
    assert_eq!(
        ids("c1", vec![Access::role(ROLE), Access::line("p-line")]),
        ["open", "restricted"]
    );
    assert_eq!(
        ids("c2", vec![Access::line("p-line")]),
        Vec::<String>::new()
    );
    assert_eq!(ids("c3", vec![Access::role(ROLE)]), Vec::<String>::new());
    assert_eq!(ids("c1", vec![]), Vec::<String>::new());
    assert_eq!(
        index.position().unwrap(),
        BTreeMap::from([("c1".to_owned(), 3)])
    );

    // Snippets mark the match and escape the text.
    let hit = index
        .search(&SearchRequest {
            text: "금액은".to_owned(),
            complex: "c1".to_owned(),
            access: vec![Access::role(ROLE)],
            limit: 1,
            ..SearchRequest::default()
        })
        .unwrap()
        .hits
        .remove(0);
    assert_eq!(
        hit.snippet_html,
        "계약 <mark>금액은</mark> &lt;script&gt;1억&lt;/script&gt;원"
    );
    assert_eq!(
        hit.title_html, "승강기 교체 공사 계약서",
        "no match in the title"
    );
    // Only whole query words are marked (관리비, not 관리 in 관리동), in titles and passages.
    let phrases = malgeun_search::index::phrases("관리비는");
    let marked = malgeun_search::index::highlight("관리비 <고지> 관리동 관리비는", &phrases);
    assert_eq!(
        marked,
        "<mark>관리비</mark> &lt;고지&gt; 관리동 <mark>관리비는</mark>"
    );
    let long = format!("{}관리비 인상 {}", "가".repeat(100), "나".repeat(300));
    let passage = malgeun_search::index::passage(&long, &phrases, 40).unwrap();
    assert_eq!(
        passage,
        format!(
            "…{}<mark>관리비</mark> 인상 {}…",
            "가".repeat(20),
            "나".repeat(13)
        )
    );
    assert_eq!(malgeun_search::index::passage("수선", &phrases, 40), None);

    // Replacing a document keeps one copy; removing it leaves none.
    index
        .apply(
            &[doc("c1", "open", vec![Access::role(ROLE)])],
            &[],
            &Position::new(),
        )
        .unwrap();
    assert_eq!(index.len(), 3);
    index
        .apply(
            &[],
            &[("c1".to_owned(), "open".to_owned())],
            &Position::new(),
        )
        .unwrap();
    assert_eq!(ids("c1", vec![Access::role(ROLE)]), Vec::<String>::new());
    assert!(analyze("계약").len() == 1);
}

#[test]
fn an_index_of_another_schema_is_replaced_by_an_empty_one() {
    use tantivy::schema::{STORED, Schema, TEXT};
    let dir = tempfile::tempdir().unwrap();
    let mut b = Schema::builder();
    b.add_text_field("old", TEXT | STORED);
    tantivy::Index::create_in_dir(dir.path(), b.build()).unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    assert!(index.is_empty());
    assert_eq!(index.position().unwrap(), Position::new());
    index
        .apply(&[], &[], &BTreeMap::from([("c1".to_owned(), 7)]))
        .unwrap();
    drop(index);
    let reopened = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(
        reopened.position().unwrap(),
        BTreeMap::from([("c1".to_owned(), 7)]),
        "the position survives a restart"
    );
}

#[test]
fn words_inside_attachments_are_found_and_shown() {
    let index = SearchIndex::in_memory().unwrap();
    let doc = IndexDocument {
        complex: "c1".to_owned(),
        id: "with-scan".to_owned(),
        status: "registered".to_owned(),
        title: "10월 관리비 부과".to_owned(),
        body: "첨부 참조".to_owned(),
        attachments: vec!["내역서.pdf".to_owned()],
        attachment_text: vec!["일반관리비 3,250,000\n장기수선충당금 5,300,000".to_owned()],
        access: vec![Access::role(ROLE)],
        ..IndexDocument::default()
    };
    index.apply(&[doc], &[], &Position::new()).unwrap();
    let results = index
        .search(&SearchRequest {
            text: "충당금을".to_owned(),
            complex: "c1".to_owned(),
            access: vec![Access::role(ROLE)],
            limit: 10,
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!(results.total, 1);
    assert_eq!(
        results.hits[0].snippet_html, "일반관리비 3,250,000\n장기수선<mark>충당금</mark> 5,300,000",
        "the passage comes from the attachment's text"
    );
}
