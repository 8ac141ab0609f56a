//! A bounded walk over an XML part (OOXML, OWPML): element starts and ends by local name, and
//! the text inside, with character and the predefined entity references resolved. Deeper nesting
//! than the limit is refused; so is anything that is not well-formed.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::Rejection;
use crate::rejection::malformed;

/// One thing met in the walk.
pub(crate) enum Node<'a, 'e> {
    /// An element opens (also for an empty element, which is followed by its `End`).
    Start(&'a BytesStart<'e>),
    /// An element closes: its local name.
    End(&'a str),
    /// Text (entities resolved).
    Text(&'a str),
}

/// The local name of an element (without its namespace prefix).
pub(crate) fn local(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.local_name().as_ref().as_bytes()).into_owned()
}

/// The value of an attribute by its (prefixed) name.
pub(crate) fn attribute(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name).ok().flatten().and_then(|a| {
        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .ok()
            .map(|v| v.into_owned())
    })
}

/// Decodes an XML part's bytes (UTF-8, or UTF-16 with a BOM).
fn decode(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, Rejection> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (text, _, bad) = encoding_rs::UTF_16LE.decode(bytes);
        if bad {
            return Err(malformed("XML part is not valid UTF-16"));
        }
        return Ok(text);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes)
        .map(std::borrow::Cow::Borrowed)
        .map_err(|_| malformed("XML part is not UTF-8"))
}

/// Walks the part, calling `f` for each node; `f` returns `false` to stop early.
pub(crate) fn walk(
    bytes: &[u8],
    max_depth: usize,
    mut f: impl FnMut(Node<'_, '_>) -> bool,
) -> Result<(), Rejection> {
    let text = decode(bytes)?;
    let mut reader = Reader::from_str(&text);
    reader.config_mut().expand_empty_elements = true;
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| malformed(format!("XML at {}: {e}", reader.buffer_position())))?;
        let go_on = match &event {
            Event::Start(e) => {
                depth += 1;
                if depth > max_depth {
                    return Err(Rejection::XmlTooDeep { limit: max_depth });
                }
                f(Node::Start(e))
            }
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                let name = String::from_utf8_lossy(e.local_name().as_ref().as_bytes()).into_owned();
                f(Node::End(&name))
            }
            Event::Text(t) => f(Node::Text(&t.xml10_content())),
            Event::CData(t) => f(Node::Text(&t.xml10_content())),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().map_err(malformed)? {
                    Some(c) => Some(c),
                    None => match &**r {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        // Other entities need a DTD; OOXML and OWPML declare none.
                        _ => None,
                    },
                };
                match c {
                    Some(c) => f(Node::Text(c.encode_utf8(&mut [0u8; 4]))),
                    None => true,
                }
            }
            Event::Eof => {
                if depth != 0 {
                    return Err(malformed("XML ends inside an element"));
                }
                return Ok(());
            }
            Event::Empty(_)
            | Event::Comment(_)
            | Event::Decl(_)
            | Event::PI(_)
            | Event::DocType(_) => true,
        };
        if !go_on {
            return Ok(());
        }
    }
}
