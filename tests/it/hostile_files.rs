//! Templates made the way an attacker (or a broken export tool) would make them: a 2 KB xlsx
//! with one cell at the last cell of a sheet or beyond it, a zip bomb, a FIFO, a device, a
//! sparse 2 GB file, .xls and .ods files whose declared areas would make the spreadsheet
//! library allocate without bound, cells full of terminal escape sequences, a 1 MB building
//! code, absurd numbers. Each must end in a clear error or a finding, quickly, without the
//! process running out of memory (a test here that regressed would abort the whole binary).
//! Issue 13, A.4–A.8 and A.10.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rust_xlsxwriter::{Workbook, Worksheet};
use spacebridge::template::{self, Code, Column, LoadError, LoadOptions, Loaded, limits};

use crate::support::cli::{args, command, printed};
use crate::support::path_of;

/// How long any one of these loads may take (a hang or a quadratic blow-up fails it).
const QUICK: Duration = Duration::from_secs(if cfg!(debug_assertions) { 20 } else { 5 });

/// A valid one-row template (headers on row 4) with `extra` cells written by the caller.
fn xlsx_with(dir: &Path, name: &str, extra: impl FnOnce(&mut Worksheet)) -> PathBuf {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Space Data").unwrap();
    for column in Column::ALL {
        sheet
            .write_string(3, column.index(), column.header())
            .unwrap();
    }
    let row = [
        (Column::BuildingName, "Houston HQ"),
        (Column::BuildingCode, "HOU1"),
        (Column::StateCode, "TX"),
        (Column::Floor, "1"),
        (Column::Room, "101"),
        (Column::SpaceType, "Office"),
    ];
    for (column, value) in row {
        sheet.write_string(4, column.index(), value).unwrap();
    }
    extra(sheet);
    let path = dir.join(name);
    book.save(&path).unwrap();
    path
}

/// Load `path`, failing the test if it takes longer than [`QUICK`].
fn load_quickly(path: &Path) -> Result<Loaded, LoadError> {
    let started = Instant::now();
    let result = template::load(path, &LoadOptions::default());
    let took = started.elapsed();
    assert!(took < QUICK, "{}: took {took:?}", path.display());
    result
}

/// Rewrite the zip at `path` into `out`, each part passed through `change` (`None` keeps it).
fn rewrite_zip(path: &Path, out: &Path, change: impl Fn(&str, &[u8]) -> Option<Vec<u8>>) {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut writer = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        let mut content = Vec::new();
        part.read_to_end(&mut content).unwrap();
        let content = change(&name, &content).unwrap_or(content);
        writer.start_file(name, options).unwrap();
        writer.write_all(&content).unwrap();
    }
    writer.finish().unwrap();
}

fn has_finding(loaded: &Loaded, code: Code) -> bool {
    loaded.diagnostics.iter().any(|d| d.code == code)
}

// ----------------------------------------------------------- what the fuzzer found (B)

/// Files the fuzz targets made that crashed a reader (`tests/fixtures/fuzz/`, named after what
/// they broke; `fuzz/README.md`): each loads or fails with an error, never a panic, and the
/// command prints no panic message.
#[test]
fn files_the_fuzzer_found_fail_with_an_error_not_a_panic() {
    let dir = path_of("tests/fixtures/fuzz");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in &files {
        let outcome = std::panic::catch_unwind(|| load_quickly(path));
        assert!(outcome.is_ok(), "{}: the load panicked", path.display());
        let out = parse(path, &[]);
        let text = printed(&out);
        assert!(!text.contains("panicked"), "{}: {text}", path.display());
        assert!(
            matches!(out.status.code(), Some(0..=2)),
            "{}: {text}",
            path.display()
        );
    }
    // calamine 0.38 indexes the shared strings of an .xlsb with the number in the cell, looks
    // a sheet's relationship up without checking it is there, and slices an .xls formula with
    // the length its record claims.
    for name in [
        "xlsb-shared-string-index.xlsb",
        "xlsb-sheet-without-relationship.xlsb",
        "xls-formula-token-slice.xls",
    ] {
        let error = load_quickly(&dir.join(name)).expect_err("corrupt");
        assert!(
            matches!(error, LoadError::Corrupt { .. }),
            "{name}: {error:?}"
        );
    }
}

// ------------------------------------------------------------------------ sheet extents (A.4)

#[test]
fn a_cell_at_the_last_cell_of_a_sheet_costs_one_cell_not_a_dense_grid() {
    let dir = tempfile::tempdir().unwrap();
    // 16,384 × 1,048,576 cells: a dense grid of them was 550 GB and aborted the process.
    let path = xlsx_with(dir.path(), "far.xlsx", |sheet| {
        sheet.write_string(1_048_575, 16_383, "stray").unwrap();
    });
    assert!(std::fs::metadata(&path).unwrap().len() < 10_000);
    let loaded = load_quickly(&path).expect("a stray far cell is no reason to refuse a file");
    assert_eq!(loaded.counts.spaces, 1);
    // The stray value sits in a column without a header: reported, not lost silently.
    assert!(
        has_finding(&loaded, Code::UnnamedColumn),
        "{:#?}",
        loaded.diagnostics
    );
}

#[test]
fn a_cell_beyond_the_last_row_excel_has_is_a_finding_and_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let source = xlsx_with(dir.path(), "source.xlsx", |sheet| {
        sheet.write_string(1_048_575, 1, "MARKER").unwrap();
    });
    let out = dir.path().join("beyond.xlsx");
    // Move the marker cell to row 4294967295, which no spreadsheet can have.
    rewrite_zip(&source, &out, |name, content| {
        name.starts_with("xl/worksheets/").then(|| {
            String::from_utf8_lossy(content)
                .replace("r=\"1048576\"", "r=\"4294967295\"")
                .replace("r=\"B1048576\"", "r=\"B4294967295\"")
                .into_bytes()
        })
    });
    let loaded = load_quickly(&out).expect("the file loads");
    let finding = loaded
        .diagnostics
        .iter()
        .find(|d| d.code == Code::CellOutOfRange)
        .unwrap_or_else(|| panic!("no cell-out-of-range in {:#?}", loaded.diagnostics));
    assert!(
        finding.message.contains("4294967295"),
        "{}",
        finding.message
    );
    assert_eq!(loaded.counts.spaces, 1);
}

// ----------------------------------------------------------------------- input size (A.5)

#[test]
fn a_shared_strings_bomb_is_refused_before_it_is_inflated() {
    let dir = tempfile::tempdir().unwrap();
    let source = xlsx_with(dir.path(), "source.xlsx", |_| {});
    let bomb = dir.path().join("bomb.xlsx");
    // One string of 70 MB: deflated to about 70 KB, it would be held whole in memory (several
    // times over) before any sheet is read.
    let huge = "A".repeat(70 * 1024 * 1024);
    rewrite_zip(&source, &bomb, |name, _| {
        (name == "xl/sharedStrings.xml").then(|| {
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.\
                 openxmlformats.org/spreadsheetml/2006/main\" count=\"1\" uniqueCount=\"1\">\
                 <si><t>{huge}</t></si></sst>"
            )
            .into_bytes()
        })
    });
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1024 * 1024);
    let error = load_quickly(&bomb).expect_err("the bomb is refused");
    assert!(
        matches!(&error, LoadError::TooLarge { detail, .. } if detail.contains("sharedStrings")),
        "{error:?}"
    );
    assert!(error.to_string().contains("64.0 MiB"), "{error}");
}

#[test]
fn a_sparse_2_gb_file_is_refused_by_its_size_before_a_byte_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sparse.xlsx");
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(b"PK\x03\x04").unwrap();
    file.set_len(2 * 1024 * 1024 * 1024).unwrap();
    let error = load_quickly(&path).expect_err("refused");
    assert!(matches!(error, LoadError::TooLarge { .. }), "{error:?}");
    assert!(error.to_string().contains("256.0 MiB"), "{error}");
}

#[test]
fn binary_content_is_refused_from_its_first_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zeros.xlsx");
    std::fs::write(&path, vec![0u8; 20 * 1024 * 1024]).unwrap();
    let error = load_quickly(&path).expect_err("refused");
    assert!(
        matches!(error, LoadError::NotASpreadsheet { .. }),
        "{error:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_device_named_xlsx_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zero.xlsx");
    std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
    let error = load_quickly(&path).expect_err("refused");
    assert!(
        matches!(
            error,
            LoadError::NotAFile {
                kind: "a device",
                ..
            }
        ),
        "{error:?}"
    );
}

// ---------------------------------------------------------------- non-regular files (A.6)

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_at_once_instead_of_waiting_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pipe.xlsx");
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(made.success());
    let started = Instant::now();
    let error = template::load(&path, &LoadOptions::default()).expect_err("refused");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(error.to_string().contains("named pipe"), "{error}");
    let error = template::sheet_names(&path).expect_err("refused too");
    assert!(matches!(error, LoadError::NotAFile { .. }), "{error:?}");
    let folder = template::load(dir.path(), &LoadOptions::default()).expect_err("a folder");
    assert!(folder.to_string().contains("a folder"), "{folder}");
}

// ------------------------------------------------------------------- .xls and .ods extents

/// A copy of the valid .xls fixture with its workbook stream changed by `patch`.
fn patched_xls(dir: &Path, patch: impl Fn(&mut Vec<u8>)) -> PathBuf {
    let path = dir.join("patched.xls");
    std::fs::copy(path_of("tests/fixtures/valid/small.xls"), &path).unwrap();
    let mut file = cfb::open_rw(&path).unwrap();
    let mut stream = file.open_stream("/Workbook").unwrap();
    let mut data = Vec::new();
    stream.read_to_end(&mut data).unwrap();
    patch(&mut data);
    stream.seek(SeekFrom::Start(0)).unwrap();
    stream.write_all(&data).unwrap();
    stream.flush().unwrap();
    drop(stream);
    file.flush().unwrap();
    path
}

/// The offsets of the records of type `typ` in a BIFF stream.
fn records_of(stream: &[u8], typ: u16) -> Vec<usize> {
    let mut found = Vec::new();
    let mut at = 0;
    while at + 4 <= stream.len() {
        let t = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = usize::from(u16::from_le_bytes([stream[at + 2], stream[at + 3]]));
        if t == typ {
            found.push(at);
        }
        at += 4 + len;
    }
    found
}

#[test]
fn an_xls_declaring_four_billion_rows_is_refused_before_it_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = patched_xls(dir.path(), |data| {
        let at = records_of(data, 0x0200)[0];
        // Dimensions: rwMic 0, rwMac 0xFFFFFFFE (BIFF8, 14 bytes).
        data[at + 4..at + 8].copy_from_slice(&0u32.to_le_bytes());
        data[at + 8..at + 12].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
    });
    let error = load_quickly(&path).expect_err("refused");
    assert!(matches!(error, LoadError::TooLarge { .. }), "{error:?}");
    assert!(error.to_string().contains(".xlsx"), "{error}");
}

#[test]
fn an_xls_whose_used_area_ends_before_it_starts_is_corrupt_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = patched_xls(dir.path(), |data| {
        let at = records_of(data, 0x0200)[0];
        data[at + 4..at + 8].copy_from_slice(&500u32.to_le_bytes());
        data[at + 8..at + 12].copy_from_slice(&3u32.to_le_bytes());
    });
    let error = load_quickly(&path).expect_err("refused");
    assert!(matches!(error, LoadError::Corrupt { .. }), "{error:?}");
}

#[test]
fn an_xls_cell_in_the_far_corner_is_refused_by_the_dense_area_it_would_cost() {
    let dir = tempfile::tempdir().unwrap();
    let path = patched_xls(dir.path(), |data| {
        // Move one shared-string cell to IV65536, the last cell of a BIFF8 sheet.
        let at = *records_of(data, 0x00FD).last().unwrap();
        data[at + 4..at + 6].copy_from_slice(&0xFFFFu16.to_le_bytes());
        data[at + 6..at + 8].copy_from_slice(&0x00FFu16.to_le_bytes());
    });
    let error = load_quickly(&path).expect_err("refused");
    assert!(
        matches!(&error, LoadError::TooLarge { detail, .. } if detail.contains("65536 rows")),
        "{error:?}"
    );
}

/// A copy of the valid .ods fixture with `row` added at the end of its first table.
fn ods_with_row(dir: &Path, row: &str) -> PathBuf {
    let out = dir.join("patched.ods");
    rewrite_zip(
        &path_of("tests/fixtures/valid/small.ods"),
        &out,
        |name, content| {
            (name == "content.xml").then(|| {
                String::from_utf8_lossy(content)
                    .replacen("</table:table>", &format!("{row}</table:table>"), 1)
                    .into_bytes()
            })
        },
    );
    out
}

#[test]
fn an_ods_row_repeated_a_million_times_is_refused_before_it_is_expanded() {
    let dir = tempfile::tempdir().unwrap();
    let path = ods_with_row(
        dir.path(),
        "<table:table-row table:number-rows-repeated=\"1000000\">\
         <table:table-cell office:value-type=\"string\" table:number-columns-repeated=\"100\">\
         <text:p>x</text:p></table:table-cell></table:table-row>",
    );
    let error = load_quickly(&path).expect_err("refused");
    assert!(matches!(error, LoadError::TooLarge { .. }), "{error:?}");
}

#[test]
fn an_ods_space_repeated_four_billion_times_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = ods_with_row(
        dir.path(),
        "<table:table-row><table:table-cell office:value-type=\"string\">\
         <text:p>a<text:s text:c=\"4294967295\"/>b</text:p></table:table-cell></table:table-row>",
    );
    let error = load_quickly(&path).expect_err("refused");
    assert!(
        matches!(&error, LoadError::TooLarge { detail, .. } if detail.contains("space")),
        "{error:?}"
    );
}

// ------------------------------------------------------------- hidden characters (A.7)

const CSV_HEADER: &str = "Building Name,Building Code,State Code,Floor,Room,Space Type,Capacity";

fn csv(dir: &Path, rows: &[&str]) -> PathBuf {
    let path = dir.join("template.csv");
    let text: String = std::iter::once(CSV_HEADER)
        .chain(rows.iter().copied())
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(&path, text).unwrap();
    path
}

/// Run `spacebridge parse FILE EXTRA...`.
fn parse(path: &Path, extra: &[&str]) -> std::process::Output {
    let mut arguments = args(&["parse", &path.display().to_string()]);
    arguments.extend(args(extra));
    command(&arguments, &[]).output().unwrap()
}

#[test]
fn one_bell_in_a_csv_is_a_finding_not_a_binary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = csv(
        dir.path(),
        &["HQ,HQ1,TX,1,101\u{7},Office,1", "HQ,HQ1,TX,1,102,Office,1"],
    );
    let loaded = load_quickly(&path).expect("a CSV with a bell is still a CSV");
    let finding = loaded
        .diagnostics
        .iter()
        .find(|d| d.code == Code::ControlCharacter)
        .unwrap_or_else(|| panic!("no control-character in {:#?}", loaded.diagnostics));
    assert_eq!(finding.cell, "E2");
    assert_eq!(finding.suggestion.as_deref(), Some("101"));
    assert!(loaded.has_errors(), "a hidden character blocks the upload");
}

#[test]
fn terminal_escapes_in_cells_are_reported_and_never_printed_raw() {
    let dir = tempfile::tempdir().unwrap();
    // An OSC sequence that retitles the terminal, a CSI colour, a NUL and a bidi override.
    let path = xlsx_with(dir.path(), "escapes.xlsx", |sheet| {
        sheet
            .write_string(4, Column::Room.index(), "101\u{1b}]0;pwned\u{7}")
            .unwrap();
        sheet
            .write_string(4, Column::BuildingName.index(), "HQ\u{1b}[31m\u{0}")
            .unwrap();
        sheet
            .write_string(4, Column::Description.index(), "abc\u{202e}fed")
            .unwrap();
    });
    let loaded = load_quickly(&path).expect("loads");
    let hidden: Vec<&str> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::ControlCharacter)
        .map(|d| d.cell.as_str())
        .collect();
    assert_eq!(hidden.len(), 3, "{:#?}", loaded.diagnostics);
    // The portfolio holds the escaped text, so nothing raw can reach Eptura or a screen.
    let space = &loaded.portfolio.buildings[0].floors[0].spaces[0];
    assert_eq!(space.name, "101\\u{1b}]0;pwned\\u{7}");
    for format in [&[][..], &["--format", "json"][..]] {
        let out = parse(&path, format);
        let text = printed(&out);
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(
            !text.chars().any(spacebridge::domain::text::is_hidden),
            "raw hidden characters printed ({format:?}): {text:?}"
        );
        assert!(text.contains("control-character"), "{text}");
    }
}

// ---------------------------------------------------------------- field lengths (A.8)

#[test]
fn a_megabyte_building_code_is_an_error_and_is_cut_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let code = "C".repeat(1024 * 1024);
    let row = format!("HQ,{code},TX,1,101,Office,1");
    let path = csv(dir.path(), &[&row]);
    let loaded = load_quickly(&path).expect("loads");
    let finding = loaded
        .diagnostics
        .iter()
        .find(|d| d.code == Code::TooLong)
        .unwrap_or_else(|| panic!("no too-long in {:#?}", loaded.diagnostics));
    assert_eq!(finding.cell, "B2");
    let kept = loaded.portfolio.buildings[0].code.as_deref().unwrap_or("");
    assert_eq!(
        kept.chars().count(),
        limits::max_chars(Some(Column::BuildingCode)) + 1
    );
    for format in [&[][..], &["--format", "json"][..]] {
        let out = parse(&path, format);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            out.stdout.len() < 64 * 1024,
            "{format:?}: {} bytes printed",
            out.stdout.len()
        );
    }
}

#[test]
fn absurd_numbers_get_no_absurd_suggestions() {
    let dir = tempfile::tempdir().unwrap();
    let path = csv(
        dir.path(),
        &[
            "HQ,HQ1,TX,1,101,Office,1e30",
            "HQ,HQ1,TX,1,102,Office,inf",
            "HQ,HQ1,TX,1,103,Office,NaN",
            "HQ,HQ1,TX,1,104,Office,-1e300",
            "HQ,HQ1,TX,1,105,Office,2.5",
        ],
    );
    let loaded = load_quickly(&path).expect("loads");
    let suggestions: Vec<(&str, Option<&str>)> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::BadCapacity)
        .map(|d| (d.cell.as_str(), d.suggestion.as_deref()))
        .collect();
    assert_eq!(
        suggestions,
        [
            ("G2", None),
            ("G3", None),
            ("G4", None),
            ("G5", None),
            ("G6", Some("3"))
        ]
    );
}

// ------------------------------------------------------------- the annotated copy (A.10)

#[test]
fn annotate_never_overwrites_the_template_and_asks_for_force_over_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = xlsx_with(dir.path(), "customer.xlsx", |_| {});
    let before = std::fs::read(&path).unwrap();
    let same = parse(
        &path,
        &["--annotate", &path.display().to_string(), "--force"],
    );
    assert_eq!(same.status.code(), Some(2), "{}", printed(&same));
    assert!(printed(&same).contains("the template being read"));
    // Another spelling of the same file is the same file.
    let dotted = dir.path().join(".").join("customer.xlsx");
    let same = parse(&path, &["--annotate", &dotted.display().to_string()]);
    assert_eq!(same.status.code(), Some(2), "{}", printed(&same));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the template is untouched"
    );

    let out = dir.path().join("annotated.xlsx");
    std::fs::write(&out, b"someone's file").unwrap();
    let refused = parse(&path, &["--annotate", &out.display().to_string()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        printed(&refused).contains("--force"),
        "{}",
        printed(&refused)
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"someone's file");
    let forced = parse(
        &path,
        &["--annotate", &out.display().to_string(), "--force"],
    );
    assert_eq!(forced.status.code(), Some(0), "{}", printed(&forced));
    assert!(std::fs::read(&out).unwrap().starts_with(b"PK"));
    let library = template::annotate::write(&path, &LoadOptions::default(), &path);
    assert!(
        matches!(
            library,
            Err(template::annotate::AnnotateError::OverInput { .. })
        ),
        "the library refuses too (the TUI's export goes through it)"
    );
}
