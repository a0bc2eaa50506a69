//! Which kind of file a template is, told from its content (zip, OLE compound file or text),
//! not from its extension: customers rename files, old tools save HTML as ".xls", and an
//! encrypted workbook is an OLE file whatever its name says.

use std::fmt;
use std::path::Path;

/// A file format the loader can read, or one it recognises in order to refuse it clearly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    Csv,
    /// An OOXML workbook encrypted with a password (an OLE file holding `EncryptionInfo`).
    Encrypted,
    /// A zip archive that is not a spreadsheet.
    OtherZip,
    /// HTML, often saved with an ".xls" extension by old export tools.
    Html,
    Pdf,
    /// Nothing we know: binary garbage or text that is not UTF-8.
    Unknown,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Xlsx => "Excel workbook (.xlsx/.xlsm)",
            Format::Xlsb => "Excel binary workbook (.xlsb)",
            Format::Xls => "Excel 97-2003 workbook (.xls)",
            Format::Ods => "OpenDocument spreadsheet (.ods)",
            Format::Csv => "CSV file",
            Format::Encrypted => "password-protected workbook",
            Format::OtherZip => "zip archive",
            Format::Html => "HTML page",
            Format::Pdf => "PDF document",
            Format::Unknown => "file of unrecognised content (binary, or text that is not UTF-8)",
        }
    }

    /// The extensions that name this format honestly.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Format::Xlsx => &["xlsx", "xlsm", "xltx", "xltm"],
            Format::Xlsb => &["xlsb"],
            Format::Xls => &["xls", "xlt"],
            Format::Ods => &["ods", "ots"],
            Format::Csv => &["csv", "txt", "tsv"],
            _ => &[],
        }
    }

    /// Whether a file with this extension honestly holds this format.
    pub fn extension_agrees(self, path: &Path) -> bool {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        ext.is_some_and(|e| self.extensions().contains(&e.as_str()))
    }
}

impl Format {
    /// The name with its article, for sentences: "an Excel workbook (.xlsx/.xlsm)".
    pub fn with_article(self) -> String {
        let name = self.name();
        let article = if name.starts_with(['E', 'O', 'H']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {name}")
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Tell the format of `bytes`.
pub fn detect(bytes: &[u8]) -> Format {
    if bytes.starts_with(ZIP_MAGIC) {
        detect_zip(bytes)
    } else if bytes.starts_with(OLE_MAGIC) {
        detect_ole(bytes)
    } else if bytes.starts_with(b"%PDF") {
        Format::Pdf
    } else {
        detect_text(bytes)
    }
}

/// A zip's entry names are stored in plain bytes, in local headers and in the central
/// directory at the end; looking at both ends is enough and keeps detection cheap.
fn detect_zip(bytes: &[u8]) -> Format {
    const HEAD: usize = 64 * 1024;
    const TAIL: usize = 256 * 1024;
    let head = &bytes[..bytes.len().min(HEAD)];
    let tail = &bytes[bytes.len().saturating_sub(TAIL)..];
    let has = |needle: &[u8]| contains(head, needle) || contains(tail, needle);
    if has(b"xl/workbook.bin") || has(b".bin") && has(b"xl/worksheets/") {
        Format::Xlsb
    } else if has(b"xl/") || has(b"[Content_Types].xml") {
        Format::Xlsx
    } else if has(b"application/vnd.oasis.opendocument.spreadsheet") || has(b"content.xml") {
        Format::Ods
    } else {
        Format::OtherZip
    }
}

/// OLE directory entry names are UTF-16LE.
fn detect_ole(bytes: &[u8]) -> Format {
    if contains(bytes, &utf16le("EncryptionInfo")) || contains(bytes, &utf16le("EncryptedPackage"))
    {
        Format::Encrypted
    } else {
        Format::Xls
    }
}

/// The format a file's first bytes already show it is not a spreadsheet in (so the rest need
/// not be read), or `None` when they could start one.
pub fn refused_from_head(head: &[u8]) -> Option<Format> {
    if head.is_empty() || head.starts_with(ZIP_MAGIC) || head.starts_with(OLE_MAGIC) {
        return None;
    }
    if head.starts_with(b"%PDF") {
        return Some(Format::Pdf);
    }
    match text_kind(head, Cut::Head) {
        Format::Csv => None,
        refused => Some(refused),
    }
}

fn detect_text(bytes: &[u8]) -> Format {
    text_kind(bytes, Cut::Whole)
}

/// Whether text bytes end where the file ends, or may stop inside a character.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cut {
    Whole,
    Head,
}

fn text_kind(bytes: &[u8], cut: Cut) -> Format {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = &body[..body.len().min(4096)];
    let lower = String::from_utf8_lossy(head).to_ascii_lowercase();
    let trimmed = lower.trim_start();
    if trimmed.starts_with("<!doctype html")
        || trimmed.starts_with("<html")
        || trimmed.contains("<table")
    {
        return Format::Html;
    }
    if body.is_empty() || !is_utf8(body, cut) || looks_binary(head) {
        return Format::Unknown;
    }
    Format::Csv
}

/// Valid UTF-8; a head may end inside a character.
fn is_utf8(bytes: &[u8], cut: Cut) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => cut == Cut::Head && e.error_len().is_none(),
    }
}

/// Binary rather than text: a NUL byte, or control bytes (other than tab, CR, LF and form
/// feed) making up more than one byte in 8. A stray BEL or ESC in a cell is text with a bad
/// character (a finding), not a binary file.
fn looks_binary(bytes: &[u8]) -> bool {
    if bytes.contains(&0) {
        return true;
    }
    let controls = bytes
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n' | 0x0C)) || b == 0x7F)
        .count();
    controls * 8 > bytes.len()
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content() {
        assert_eq!(detect(b"PK\x03\x04....xl/workbook.xml...."), Format::Xlsx);
        assert_eq!(detect(b"PK\x03\x04....xl/workbook.bin...."), Format::Xlsb);
        assert_eq!(
            detect(b"PK\x03\x04mimetypeapplication/vnd.oasis.opendocument.spreadsheet"),
            Format::Ods
        );
        assert_eq!(detect(b"PK\x03\x04hello.txt"), Format::OtherZip);
        let mut ole = OLE_MAGIC.to_vec();
        ole.extend(utf16le("Workbook"));
        assert_eq!(detect(&ole), Format::Xls);
        ole.extend(utf16le("EncryptionInfo"));
        assert_eq!(detect(&ole), Format::Encrypted);
        assert_eq!(detect(b"%PDF-1.7"), Format::Pdf);
        assert_eq!(
            detect(b"<html><table><tr><td>1</td></tr></table>"),
            Format::Html
        );
        assert_eq!(detect(b"Building Name,Floor\nHQ,1\n"), Format::Csv);
        assert_eq!(detect(b"\xEF\xBB\xBFBuilding Name;Floor\n"), Format::Csv);
        assert_eq!(detect(b"caf\xE9,1\n"), Format::Unknown);
        assert_eq!(detect(b"\x00\x01\x02garbage"), Format::Unknown);
        assert_eq!(detect(b""), Format::Unknown);
    }

    #[test]
    fn one_control_character_does_not_make_a_csv_binary() {
        assert_eq!(
            detect(b"Building Name,Floor,Room\nHQ\x07,1,101\nHQ,1,102\n"),
            Format::Csv
        );
        assert_eq!(
            detect(b"Building Name,Floor\nHQ \x1b]0;x\x07,1\n"),
            Format::Csv
        );
        assert_eq!(detect(b"\x01\x02\x03\x04garbage"), Format::Unknown);
        assert_eq!(detect(&[0u8; 64]), Format::Unknown);
    }

    #[test]
    fn the_head_refuses_what_cannot_be_a_spreadsheet() {
        assert_eq!(refused_from_head(b"%PDF-1.7"), Some(Format::Pdf));
        assert_eq!(refused_from_head(&[0u8; 8192]), Some(Format::Unknown));
        assert_eq!(refused_from_head(b"<html><body>"), Some(Format::Html));
        assert_eq!(refused_from_head(b"PK\x03\x04rest"), None);
        assert_eq!(refused_from_head(OLE_MAGIC), None);
        // A head may stop inside a character: "é" is 0xC3 0xA9.
        assert_eq!(refused_from_head(b"Building Name,Caf\xC3"), None);
        assert_eq!(refused_from_head(b""), None);
    }

    #[test]
    fn extension_agreement() {
        assert!(Format::Xlsx.extension_agrees(Path::new("a.XLSM")));
        assert!(!Format::Xlsx.extension_agrees(Path::new("a.xls")));
        assert!(!Format::Csv.extension_agrees(Path::new("noext")));
    }
}
