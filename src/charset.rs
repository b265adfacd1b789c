//! Bytes to text, the one place that decides a charset: `decode_feed` for feeds (the order
//! real feeds need: they lie about their charset) and `decode_page` for web pages (the HTML
//! order: `<meta charset>` before the HTTP header). Both recognise byte order marks and
//! UTF-16/32 without one, pass over labels that cannot fit the bytes, and end with
//! windows-1252, never an error.

use std::sync::LazyLock;

use encoding_rs::{Encoding, REPLACEMENT, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252, X_USER_DEFINED};
use regex::bytes::Regex;

/// The encoding an HTTP `charset` parameter names, quotes and spaces allowed.
fn label(charset: &str) -> Option<&'static Encoding> {
    Encoding::for_label(charset.trim().trim_matches(['"', '\'']).as_bytes())
}

/// Decodes feed bytes to text. The first rule that applies decides:
///
/// 1. a byte order mark: UTF-32LE/BE (before UTF-16: the UTF-32LE BOM `FF FE 00 00` starts
///    with the UTF-16LE one), UTF-8, UTF-16LE/BE;
/// 2. UTF-16 or UTF-32 without a BOM, told by the NUL bytes around the first character (XML
///    1.0 Appendix F: `3C 00 3F 00` is `<?` in UTF-16LE, `00 00 00 3C` is `<` in UTF-32BE).
///    Every feed starts with an ASCII character (`<`, whitespace, JSON's `{`), so any ASCII
///    character is taken, not only `<?`. This comes before the UTF-8 check: ASCII text in
///    UTF-16 is valid UTF-8, NULs and all;
/// 3. UTF-8, when the bytes are valid UTF-8 or mostly so (`mostly_utf8`: a UTF-8 feed with a
///    few stray bytes, such as a windows-1252 quote pasted into it, stays UTF-8; each stray byte
///    reads as windows-1252);
/// 4. the XML prolog's `encoding`;
/// 5. the HTTP charset;
/// 6. windows-1252, but the valid UTF-8 characters among the bytes as UTF-8 (`utf8_and_1252`:
///    text that was UTF-8 before a legacy byte got into it).
///
/// A label in rules 4 and 5 that cannot be right for bytes that got that far is passed over,
/// so the next rule is asked: UTF-8 (the bytes are not), UTF-16 and UTF-32 (rules 1 and 2
/// would have recognised them; a prolog that can be read at all is in an ASCII-compatible
/// encoding), and encoding_rs's "replacement" (what ISO-2022-KR and HZ map to: it decodes any
/// input to one U+FFFD).
pub fn decode_feed(bytes: &[u8], http_charset: Option<&str>) -> String {
    if let Some(wide) = utf32_bom(bytes) {
        return wide.decode(&bytes[4..]);
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return enc.decode_without_bom_handling(&bytes[bom_len..]).0.into_owned();
    }
    if let Some(wide) = sniff_wide(bytes) {
        return wide.decode(bytes);
    }
    if let Some(s) = mostly_utf8(bytes) {
        return s;
    }
    let enc = prolog_encoding(bytes)
        .filter(|e| can_be_declared(e))
        .or_else(|| http_charset.and_then(label).filter(|e| can_be_declared(e)));
    match enc {
        Some(enc) => enc.decode_without_bom_handling(bytes).0.into_owned(),
        None => utf8_and_1252(bytes),
    }
}

/// `bytes` as UTF-8 when they are valid UTF-8, or when their valid multi-byte characters are
/// at least as many as the bytes that are not UTF-8 (`utf8_and_1252`). A document in a legacy
/// charset has almost no valid multi-byte sequences ("ä" in windows-1252 is one byte followed
/// by ASCII; of GBK's two-byte characters about one in twelve happens to be valid UTF-8), so a
/// label it declares still decides it. `None` for anything else.
pub(crate) fn mostly_utf8(bytes: &[u8]) -> Option<String> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Some(s.to_string());
    }
    let (mut multi, mut stray) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        multi += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        stray += chunk.invalid().len();
    }
    (multi >= stray).then(|| utf8_and_1252(bytes))
}

/// UTF-8 where the bytes are UTF-8, and each byte that is not as the windows-1252 character it
/// is there (`\x92` is ’: what a byte pasted into a UTF-8 document most often is). For bytes
/// with no valid multi-byte sequence this is windows-1252 itself, a single-byte charset.
fn utf8_and_1252(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for b in chunk.invalid() {
            text.push_str(&WINDOWS_1252.decode_without_bom_handling(std::slice::from_ref(b)).0);
        }
    }
    text
}

/// Whether a label in the prolog or the HTTP header may decide bytes that are neither marked
/// nor recognised as UTF-16/32 and are not valid UTF-8 (see `decode`).
fn can_be_declared(enc: &'static Encoding) -> bool {
    ![UTF_8, UTF_16LE, UTF_16BE, REPLACEMENT].contains(&enc)
}

/// The encodings with code units wider than a byte. encoding_rs has UTF-16 but no UTF-32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wide {
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

impl Wide {
    /// `bytes` (without a BOM) as text; what is not a character becomes U+FFFD.
    fn decode(self, bytes: &[u8]) -> String {
        match self {
            Wide::Utf16Le => UTF_16LE.decode_without_bom_handling(bytes).0.into_owned(),
            Wide::Utf16Be => UTF_16BE.decode_without_bom_handling(bytes).0.into_owned(),
            Wide::Utf32Le => decode_utf32(bytes, false),
            Wide::Utf32Be => decode_utf32(bytes, true),
        }
    }
}

/// The UTF-32 byte order marks (4 bytes), which `Encoding::for_bom` does not know: it reads
/// `FF FE 00 00` as the UTF-16LE BOM followed by U+0000.
fn utf32_bom(bytes: &[u8]) -> Option<Wide> {
    match bytes {
        [0xFF, 0xFE, 0, 0, ..] => Some(Wide::Utf32Le),
        [0, 0, 0xFE, 0xFF, ..] => Some(Wide::Utf32Be),
        _ => None,
    }
}

/// UTF-16 or UTF-32 without a BOM, from where the NULs are around a first character that is
/// ASCII (XML 1.0 Appendix F, for any ASCII character rather than only `<?`).
fn sniff_wide(bytes: &[u8]) -> Option<Wide> {
    let ascii = |b: &u8| (0x01..0x80).contains(b);
    match bytes {
        [0, 0, 0, a, ..] if ascii(a) => Some(Wide::Utf32Be),
        [a, 0, 0, 0, ..] if ascii(a) => Some(Wide::Utf32Le),
        [0, a, ..] if ascii(a) => Some(Wide::Utf16Be),
        [a, 0, ..] if ascii(a) => Some(Wide::Utf16Le),
        _ => None,
    }
}

/// UTF-32 by hand: 4-byte units in the given byte order. A unit that is not a Unicode scalar
/// value (a surrogate, or above U+10FFFF) and a partial unit at the end become U+FFFD.
pub(crate) fn decode_utf32(bytes: &[u8], big_endian: bool) -> String {
    let units = bytes.chunks_exact(4);
    let partial = !units.remainder().is_empty();
    let mut text = String::with_capacity(bytes.len() / 4 + 3);
    for u in units {
        let unit = [u[0], u[1], u[2], u[3]];
        let n = if big_endian { u32::from_be_bytes(unit) } else { u32::from_le_bytes(unit) };
        text.push(char::from_u32(n).unwrap_or(char::REPLACEMENT_CHARACTER));
    }
    if partial {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    text
}

/// The `encoding` pseudo-attribute of an XML prolog, if recognised.
fn prolog_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(200)];
    let head = String::from_utf8_lossy(head);
    let decl = head.trim_start().strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let value = attr_value(decl, "encoding")?;
    Encoding::for_label(value.as_bytes())
}

fn attr_value<'a>(decl: &'a str, name: &str) -> Option<&'a str> {
    let at = decl.find(name)?;
    let rest = decl[at + name.len()..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    Some(&rest[..rest.find(quote)?])
}

static META_CHARSET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i-u)<meta\s[^>]*?charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)"#).expect("valid regex"));

/// A page's bytes as text: a BOM (or UTF-16/32 recognised by its NULs), then `<meta charset>` /
/// `<meta http-equiv="Content-Type" content="…charset=…">` in the first 1024 bytes, then the HTTP
/// charset, then UTF-8 if valid or mostly so (`mostly_utf8`), then windows-1252 with the valid
/// UTF-8 characters as UTF-8 (as `decode_feed` does for feeds).
///
/// A declared UTF-8 that the bytes are not, not even mostly, is passed over (sites lie about
/// UTF-8 more than about legacy charsets); a declared UTF-16 is read as UTF-8 (HTML spec), `x-user-defined` as
/// windows-1252.
pub fn decode_page(bytes: &[u8], http_charset: Option<&str>) -> String {
    let wide = matches!(bytes, [0, ..] | [_, 0, ..]);
    if Encoding::for_bom(bytes).is_some() || wide {
        return decode_feed(bytes, None);
    }
    let cell = std::cell::OnceCell::new();
    let utf8 = || cell.get_or_init(|| mostly_utf8(bytes));
    let usable = |enc: &'static Encoding| -> Option<&'static Encoding> {
        let enc = match enc {
            e if e == UTF_16LE || e == UTF_16BE => UTF_8,
            e if e == X_USER_DEFINED => WINDOWS_1252,
            e if e == REPLACEMENT => return None,
            e => e,
        };
        (enc != UTF_8 || utf8().is_some()).then_some(enc)
    };
    let head = &bytes[..bytes.len().min(1024)];
    let declared = META_CHARSET
        .captures(head)
        .and_then(|c| Encoding::for_label(c.get(1)?.as_bytes()))
        .and_then(usable)
        .or_else(|| http_charset.and_then(label).and_then(usable));
    match declared {
        Some(enc) if enc != UTF_8 => enc.decode_without_bom_handling(bytes).0.into_owned(),
        _ => cell.into_inner().unwrap_or_else(|| mostly_utf8(bytes)).unwrap_or_else(|| utf8_and_1252(bytes)),
    }
}
