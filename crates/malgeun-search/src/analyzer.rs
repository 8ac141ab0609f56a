//! The Korean analyzer (형태소 분석 없이 바이그램): text is split at whitespace and punctuation and
//! at every change of script; a run of Hangul (or Han) syllables becomes its overlapping character
//! bigrams (a one-syllable run stays one token), and a run of Latin letters or digits becomes one
//! lowercased token. Positions count tokens, so a word's bigrams are consecutive and a phrase of
//! them matches the word inside any longer word: 관리 and 관리비 inside 관리비는, 회의 inside
//! 회의록, 수선 inside 장기수선충당금. No dictionary, nothing to download.
//!
//! Queries go through the same analyzer. Korean particles (조사) glued to a query word add a
//! bigram the document may lack (관리비는 → …비는), so [`query_words`] also offers each word with a
//! trailing particle removed, as long as two syllables remain.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name under which the analyzer is registered with the index.
pub const KOREAN_BIGRAM: &str = "ko_bigram";

/// What a character is to the analyzer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Hangul syllables, compatibility jamo and Han characters: split into bigrams.
    Syllable,
    /// Letters and digits of other scripts: kept whole, lowercased.
    Word,
    /// Whitespace, punctuation, symbols: separate tokens.
    Separator,
}

fn class(c: char) -> Class {
    match c {
        '\u{AC00}'..='\u{D7A3}'
        | '\u{1100}'..='\u{11FF}'
        | '\u{3130}'..='\u{318F}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}' => Class::Syllable,
        c if c.is_alphanumeric() => Class::Word,
        _ => Class::Separator,
    }
}

/// One analysed token: its text and byte range in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    /// The token text (a bigram, a single syllable, or a lowercased word).
    pub text: String,
    /// Byte offset where it starts.
    pub from: usize,
    /// Byte offset where it ends.
    pub to: usize,
}

/// Analyses `text` into tokens in order (their position is their index).
pub fn analyze(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut run: Vec<(usize, char)> = Vec::new();
    let mut run_class = Class::Separator;
    for (i, c) in text.char_indices() {
        let k = class(c);
        if k != run_class {
            flush(&mut out, &run, run_class, text);
            run.clear();
            run_class = k;
        }
        if k != Class::Separator {
            run.push((i, c));
        }
    }
    flush(&mut out, &run, run_class, text);
    out
}

fn flush(out: &mut Vec<Piece>, run: &[(usize, char)], k: Class, text: &str) {
    let Some(&(start, _)) = run.first() else {
        return;
    };
    let end_of = |i: usize| run[i].0 + run[i].1.len_utf8();
    match k {
        Class::Separator => {}
        Class::Word => {
            let end = end_of(run.len() - 1);
            out.push(Piece {
                text: text[start..end].to_lowercase(),
                from: start,
                to: end,
            });
        }
        Class::Syllable if run.len() == 1 => out.push(Piece {
            text: text[start..end_of(0)].to_owned(),
            from: start,
            to: end_of(0),
        }),
        Class::Syllable => {
            for (i, pair) in run.windows(2).enumerate() {
                let (from, to) = (pair[0].0, end_of(i + 1));
                out.push(Piece {
                    text: text[from..to].to_owned(),
                    from,
                    to,
                });
            }
        }
    }
}

/// Particles (조사) and endings that a query word may carry, longest first.
const PARTICLES: &[&str] = &[
    "에서는",
    "으로는",
    "에게서",
    "까지는",
    "부터는",
    "이라는",
    "에서",
    "으로",
    "에게",
    "께서",
    "까지",
    "부터",
    "마다",
    "처럼",
    "보다",
    "이나",
    "이며",
    "이고",
    "하고",
    "에는",
    "와는",
    "과는",
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "의",
    "에",
    "로",
    "와",
    "과",
    "도",
    "만",
    "나",
];

/// Splits a query into words (at whitespace) and, for each word, the forms to look for: the word
/// itself and, when it ends in a particle and at least two syllables remain, the word without it.
/// Words that analyse to no token at all (pure punctuation) are left out.
pub fn query_words(query: &str) -> Vec<Vec<String>> {
    query
        .split(|c: char| c.is_whitespace())
        .filter(|w| !analyze(w).is_empty())
        .map(|w| {
            let mut forms = vec![w.to_owned()];
            if let Some(stem) = strip_particle(w) {
                forms.push(stem.to_owned());
            }
            forms
        })
        .collect()
}

/// The word without its trailing particle, if it has one and at least two Hangul syllables stay.
pub fn strip_particle(word: &str) -> Option<&str> {
    let word = word.trim_end_matches(|c: char| class(c) == Class::Separator);
    PARTICLES.iter().find_map(|p| {
        let stem = word.strip_suffix(p)?;
        let tail: Vec<char> = stem
            .chars()
            .rev()
            .take_while(|c| class(*c) == Class::Syllable)
            .collect();
        (tail.len() >= 2).then_some(stem)
    })
}

/// The analyzer as a tantivy tokenizer.
#[derive(Clone, Debug, Default)]
pub struct KoreanBigramTokenizer;

/// The token stream of [`KoreanBigramTokenizer`].
#[derive(Debug)]
pub struct KoreanBigramStream {
    pieces: std::vec::IntoIter<Piece>,
    token: Token,
    next_position: usize,
}

impl Tokenizer for KoreanBigramTokenizer {
    type TokenStream<'a> = KoreanBigramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> KoreanBigramStream {
        KoreanBigramStream {
            pieces: analyze(text).into_iter(),
            token: Token::default(),
            next_position: 0,
        }
    }
}

impl TokenStream for KoreanBigramStream {
    fn advance(&mut self) -> bool {
        let Some(p) = self.pieces.next() else {
            return false;
        };
        self.token.text = p.text;
        self.token.offset_from = p.from;
        self.token.offset_to = p.to;
        self.token.position = self.next_position;
        self.token.position_length = 1;
        self.next_position += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        analyze(s).into_iter().map(|p| p.text).collect()
    }

    /// Whether the analysed `needle` occurs as consecutive tokens of the analysed `haystack`
    /// (what a phrase query over the index checks).
    fn phrase_in(needle: &str, haystack: &str) -> bool {
        let n = texts(needle);
        let h = texts(haystack);
        !n.is_empty() && h.windows(n.len()).any(|w| w == n.as_slice())
    }

    /// Whether some form of every query word occurs in the text, as the search does.
    fn query_finds(query: &str, text: &str) -> bool {
        query_words(query)
            .iter()
            .all(|forms| forms.iter().any(|f| phrase_in(f, text)))
    }

    #[test]
    fn hangul_runs_become_bigrams_and_words_stay_whole() {
        assert_eq!(texts("관리비는"), ["관리", "리비", "비는"]);
        assert_eq!(texts("동 101동 A-3"), ["동", "101", "동", "a", "3"]);
        assert_eq!(texts("Seoul, 2026년!"), ["seoul", "2026", "년"]);
        assert_eq!(texts("  ·  "), Vec::<String>::new());
        let p = analyze("가나다");
        assert_eq!((p[1].from, p[1].to), (3, 9), "byte offsets of 나다");
    }

    #[test]
    fn particles_come_off_query_words_when_two_syllables_remain() {
        assert_eq!(strip_particle("회의록을"), Some("회의록"));
        assert_eq!(strip_particle("관리비는"), Some("관리비"));
        assert_eq!(strip_particle("공사에서"), Some("공사"));
        assert_eq!(strip_particle("회의"), None, "회 alone is too short");
        assert_eq!(strip_particle("계약"), None);
        assert_eq!(
            query_words("회의록을 , 보다"),
            [
                vec!["회의록을".to_owned(), "회의록".to_owned()],
                vec!["보다".to_owned()]
            ]
        );
    }

    #[test]
    fn the_issues_examples_are_found() {
        // 회의록을 → 회의록; 관리비는 → 관리비 (both directions: inflected query, inflected text).
        assert!(query_finds("회의록을", "3월 입주자대표회의 회의록"));
        assert!(query_finds("회의록", "회의록을 공개합니다"));
        assert!(query_finds("관리비는", "12월 관리비 부과내역"));
        assert!(query_finds("관리비", "이번 달 관리비는 동결합니다"));
        // Two-syllable nouns.
        assert!(query_finds("관리", "관리사무소 공지"));
        assert!(query_finds("공사", "승강기 교체 공사를 시작합니다"));
        assert!(query_finds("계약", "경비 용역 계약서"));
        // Parts of compounds.
        assert!(query_finds("회의", "입주자대표회의록"));
        assert!(query_finds("수선", "장기수선충당금 사용계획서"));
        assert!(query_finds("충당금", "장기수선충당금의 적립"));
        // Every word must be found, and a word is not found where it is not.
        assert!(!query_finds("수선", "관리비 부과내역"));
        assert!(!query_finds("회의록 계약", "회의록을 공개합니다"));
        // Registration numbers and numbers.
        assert!(query_finds("맑은아파트-2026-0042", "맑은아파트-2026-0042"));
        assert!(!query_finds("2026-0043", "맑은아파트-2026-0042"));
    }

    #[test]
    fn the_tokenizer_counts_positions() {
        let mut t = KoreanBigramTokenizer;
        let mut s = t.token_stream("관리비 2026");
        let mut seen = Vec::new();
        while s.advance() {
            let tok = s.token();
            seen.push((tok.text.clone(), tok.position));
        }
        assert_eq!(
            seen,
            [
                ("관리".to_owned(), 0),
                ("리비".to_owned(), 1),
                ("2026".to_owned(), 2)
            ]
        );
    }
}
