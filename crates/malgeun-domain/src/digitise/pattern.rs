//! Path patterns of import rules: `/`-separated segments; in a segment, literal text, `*` (any
//! text) and placeholders such as `{year}`; a whole segment `**` is any number of folders.

use chrono::NaiveDate;

use super::{KindNames, OriginalDate, parse_loose_date, plausible_year};

/// What a placeholder captures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Capture {
    /// `{year}`: four digits.
    Year,
    /// `{month}`: one or two digits, 1–12.
    Month,
    /// `{day}`: one or two digits, 1–31.
    Day,
    /// `{date}`: `2019-03-05`, `2019.03.05`, `20190305`.
    Date,
    /// `{kind}`: a kind's code, name or storeroom name.
    Kind,
    /// `{box}`: the box label.
    Box,
    /// `{title}`: the title.
    Title,
    /// `{scanner}`: who scanned.
    Scanner,
    /// `{any}`: any non-empty text, not kept.
    Any,
}

impl Capture {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "year" => Self::Year,
            "month" => Self::Month,
            "day" => Self::Day,
            "date" => Self::Date,
            "kind" => Self::Kind,
            "box" => Self::Box,
            "title" => Self::Title,
            "scanner" => Self::Scanner,
            "any" => Self::Any,
            _ => return None,
        })
    }

    fn accepts(self, text: &str, kinds: &KindNames) -> bool {
        let digits = |min: usize, max: usize| {
            (min..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
        };
        match self {
            Self::Year => digits(4, 4) && text.parse().is_ok_and(plausible_year),
            Self::Month => digits(1, 2) && text.parse().is_ok_and(|m: u32| (1..=12).contains(&m)),
            Self::Day => digits(1, 2) && text.parse().is_ok_and(|d: u32| (1..=31).contains(&d)),
            Self::Date => parse_loose_date(text).is_some(),
            Self::Kind => kinds.resolve(text).is_some(),
            Self::Box | Self::Title | Self::Scanner | Self::Any => !text.trim().is_empty(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    Star,
    Capture(Capture),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    AnyDepth,
    One(Vec<Part>),
}

/// A parsed path pattern.
#[derive(Clone, Debug)]
pub(super) struct PathPattern {
    segments: Vec<Segment>,
}

/// What a match captured, in pattern order.
#[derive(Debug, Default)]
pub(super) struct Captures(Vec<(Capture, String, usize)>);

impl Captures {
    /// The text captured by a placeholder.
    pub(super) fn get(&self, c: Capture) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _, _)| *k == c)
            .map(|(_, v, _)| v.as_str())
    }

    /// The date parts captured in the path's segment `index` (to keep them out of a title).
    pub(super) fn date_parts_in(&self, index: usize) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(k, _, i)| {
                *i == index
                    && matches!(
                        k,
                        Capture::Year | Capture::Month | Capture::Day | Capture::Date
                    )
            })
            .map(|(_, v, _)| v.as_str())
    }

    /// The date that `{year}`, `{month}` and `{day}` give together.
    pub(super) fn year_month_day(&self) -> Option<OriginalDate> {
        let year: i32 = self.get(Capture::Year)?.parse().ok()?;
        let month: Option<u32> = self.get(Capture::Month).and_then(|m| m.parse().ok());
        let day: Option<u32> = self.get(Capture::Day).and_then(|d| d.parse().ok());
        Some(match (month, day) {
            (Some(m), Some(d)) => NaiveDate::from_ymd_opt(year, m, d)
                .map_or(OriginalDate::Month(year, m), OriginalDate::Day),
            (Some(m), None) => OriginalDate::Month(year, m),
            _ => OriginalDate::Year(year),
        })
    }
}

fn parse_segment(text: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => {
                if !literal.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut literal)));
                }
                if parts.last() == Some(&Part::Star) {
                    return Err("`**`는 폴더 이름 전체로만 쓸 수 있습니다 (**는 a/**/b처럼)".into());
                }
                parts.push(Part::Star);
            }
            '{' => {
                let name: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let capture = Capture::parse(name.trim()).ok_or_else(|| {
                    format!(
                        "알 수 없는 자리표시자 {{{name}}} (year, month, day, date, kind, box, title, scanner, any)"
                    )
                })?;
                if !literal.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut literal)));
                }
                parts.push(Part::Capture(capture));
            }
            '}' => return Err("짝이 없는 }".into()),
            c => literal.push(c),
        }
    }
    if !literal.is_empty() {
        parts.push(Part::Literal(literal));
    }
    Ok(parts)
}

impl PathPattern {
    /// Parses `a/{year}/*.pdf`-style text.
    pub(super) fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("비어 있습니다".into());
        }
        if text.starts_with('/') || text.contains('\\') {
            return Err("가져올 폴더 안의 상대 경로를 / 로 나누어 적어 주세요".into());
        }
        let mut segments = Vec::new();
        let mut seen: Vec<Capture> = Vec::new();
        for s in text.split('/') {
            if s.is_empty() || s == "." || s == ".." {
                return Err("빈 폴더 이름이나 . .. 은 쓸 수 없습니다".into());
            }
            if s == "**" {
                if segments.last() != Some(&Segment::AnyDepth) {
                    segments.push(Segment::AnyDepth);
                }
                continue;
            }
            let parts = parse_segment(s)?;
            for p in &parts {
                if let Part::Capture(c) = p {
                    if *c != Capture::Any && seen.contains(c) {
                        return Err(format!("자리표시자가 두 번 나옵니다: {s}"));
                    }
                    seen.push(*c);
                }
            }
            segments.push(Segment::One(parts));
        }
        Ok(Self { segments })
    }

    /// Whether the pattern has the placeholder.
    pub(super) fn captures(&self, c: Capture) -> bool {
        self.segments.iter().any(|s| match s {
            Segment::One(parts) => parts.contains(&Part::Capture(c)),
            Segment::AnyDepth => false,
        })
    }

    /// Matches a path's segments (the last one is the file name).
    pub(super) fn matches(&self, path: &[String], kinds: &KindNames) -> Option<Captures> {
        let mut caps = Captures::default();
        match_path(&self.segments, path, 0, kinds, &mut caps).then_some(caps)
    }
}

fn match_path(
    pattern: &[Segment],
    path: &[String],
    at: usize,
    kinds: &KindNames,
    caps: &mut Captures,
) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((Segment::AnyDepth, rest)) => {
            // A trailing `**` takes at least the file itself.
            let min = usize::from(rest.is_empty());
            (min..=path.len()).any(|skip| {
                let mark = caps.0.len();
                let ok = match_path(rest, &path[skip..], at + skip, kinds, caps);
                if !ok {
                    caps.0.truncate(mark);
                }
                ok
            })
        }
        Some((Segment::One(parts), rest)) => {
            let Some((first, others)) = path.split_first() else {
                return false;
            };
            let mark = caps.0.len();
            if match_segment(parts, first, at, kinds, caps)
                && match_path(rest, others, at + 1, kinds, caps)
            {
                return true;
            }
            caps.0.truncate(mark);
            false
        }
    }
}

/// Char-boundary offsets of `s` from 0 to its length.
fn boundaries(s: &str) -> impl Iterator<Item = usize> + '_ {
    s.char_indices().map(|(i, _)| i).chain([s.len()])
}

fn match_segment(
    parts: &[Part],
    text: &str,
    at: usize,
    kinds: &KindNames,
    caps: &mut Captures,
) -> bool {
    match parts.split_first() {
        None => text.is_empty(),
        Some((Part::Literal(l), rest)) => {
            // Literals compare without ASCII case (`*.PDF` is `*.pdf`).
            text.len() >= l.len()
                && text.is_char_boundary(l.len())
                && text[..l.len()].eq_ignore_ascii_case(l)
                && match_segment(rest, &text[l.len()..], at, kinds, caps)
        }
        Some((Part::Star, rest)) => {
            boundaries(text).any(|i| match_segment(rest, &text[i..], at, kinds, caps))
        }
        Some((Part::Capture(c), rest)) => boundaries(text).skip(1).any(|i| {
            let (head, tail) = text.split_at(i);
            if !c.accepts(head, kinds) {
                return false;
            }
            let mark = caps.0.len();
            caps.0.push((*c, head.to_owned(), at));
            if match_segment(rest, tail, at, kinds, caps) {
                return true;
            }
            caps.0.truncate(mark);
            false
        }),
    }
}
