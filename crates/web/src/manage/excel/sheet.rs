//! The sheet layout every ledger shares, written with rust_xlsxwriter and read back with
//! calamine: row 1 a merged title, row 2 the Chinese column headers (序号 first), then one row
//! per entry; the header frozen, columns sized, long texts wrapped. Reading finds the header
//! row by its 序号 cell (a title row may be missing or doubled), maps columns by their header
//! (order does not matter), and turns every cell into the text a form would have sent, so that
//! the forms' own parsers and checks decide what is valid.

use super::{ImportError, RowError};
use crate::error::AppError;
use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};
use std::io::Cursor;
use zeren_domain::Invalid;

/// A column of a ledger sheet: its header and width in characters; `wrap` for long texts.
#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub header: &'static str,
    pub width: f64,
    pub wrap: bool,
    /// Must be present among the headers when a workbook is read.
    pub required: bool,
    /// Written for people, ignored on import (e.g. an organization's name beside its code).
    pub info: bool,
}

/// A column that must be present.
pub const fn req(header: &'static str, width: f64) -> Col {
    Col {
        header,
        width,
        wrap: false,
        required: true,
        info: false,
    }
}

/// A column that may be left out of a workbook.
pub const fn opt(header: &'static str, width: f64) -> Col {
    Col {
        header,
        width,
        wrap: false,
        required: false,
        info: false,
    }
}

/// A long text, wrapped.
pub const fn long(header: &'static str, width: f64, required: bool) -> Col {
    Col {
        header,
        width,
        wrap: true,
        required,
        info: false,
    }
}

/// Written for people, ignored on import.
pub const fn info(header: &'static str, width: f64) -> Col {
    Col {
        header,
        width,
        wrap: false,
        required: false,
        info: true,
    }
}

/// A cell's value as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Int(i64),
    Real(f64),
    Empty,
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_string())
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::Text(s.clone())
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<Option<i64>> for Value {
    fn from(n: Option<i64>) -> Self {
        n.map(Value::Int).unwrap_or(Value::Empty)
    }
}

impl From<Option<f64>> for Value {
    fn from(n: Option<f64>) -> Self {
        n.map(Value::Real).unwrap_or(Value::Empty)
    }
}

impl From<Option<String>> for Value {
    fn from(s: Option<String>) -> Self {
        s.map(Value::Text).unwrap_or(Value::Empty)
    }
}

impl From<&Option<String>> for Value {
    fn from(s: &Option<String>) -> Self {
        s.clone().into()
    }
}

/// One sheet to write.
pub struct SheetOut<'a> {
    pub name: &'a str,
    /// The merged title of row 1, e.g. 清水镇党委问题整改台账.
    pub title: String,
    pub cols: &'a [Col],
    pub rows: Vec<Vec<Value>>,
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::Internal(format!("xlsx: {e}"))
}

/// The workbook's bytes.
pub fn write(sheets: &[SheetOut]) -> Result<Vec<u8>, AppError> {
    let mut wb = Workbook::new();
    let title_fmt = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let header_fmt = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin);
    let cell_fmt = Format::new()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let wrap_fmt = cell_fmt.clone().set_text_wrap();
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(s.name).map_err(xlsx_error)?;
        let last_col = (s.cols.len().max(1) - 1) as u16;
        if last_col > 0 {
            ws.merge_range(0, 0, 0, last_col, &s.title, &title_fmt)
                .map_err(xlsx_error)?;
        } else {
            ws.write_string_with_format(0, 0, &s.title, &title_fmt)
                .map_err(xlsx_error)?;
        }
        ws.set_row_height(0, 30).map_err(xlsx_error)?;
        for (c, col) in s.cols.iter().enumerate() {
            ws.write_string_with_format(1, c as u16, col.header, &header_fmt)
                .map_err(xlsx_error)?;
            ws.set_column_width(c as u16, col.width)
                .map_err(xlsx_error)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = r as u32 + 2;
            for (c, v) in row.iter().enumerate() {
                let fmt = if s.cols.get(c).is_some_and(|col| col.wrap) {
                    &wrap_fmt
                } else {
                    &cell_fmt
                };
                let c = c as u16;
                match v {
                    Value::Text(t) if !t.is_empty() => {
                        ws.write_string_with_format(r, c, t, fmt)
                            .map_err(xlsx_error)?;
                    }
                    Value::Int(n) => {
                        ws.write_number_with_format(r, c, *n as f64, fmt)
                            .map_err(xlsx_error)?;
                    }
                    Value::Real(x) => {
                        ws.write_number_with_format(r, c, *x, fmt)
                            .map_err(xlsx_error)?;
                    }
                    _ => {
                        ws.write_blank(r, c, fmt).map_err(xlsx_error)?;
                    }
                }
            }
        }
        ws.set_freeze_panes(2, 0).map_err(xlsx_error)?;
        if !s.rows.is_empty() {
            ws.autofilter(1, 0, s.rows.len() as u32 + 1, last_col)
                .map_err(xlsx_error)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_error)
}

/// Column letters as Excel shows them: 0 → A, 25 → Z, 26 → AA.
pub fn letter(col: u32) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push((b'A' + rem) as char);
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// The most rows a sheet may have (data rows, after the header).
pub const MAX_ROWS: usize = 20_000;
/// The most rows of a sheet of details (measures, attendance, progress).
pub const MAX_DETAIL_ROWS: usize = 100_000;
/// The most a workbook may unpack to (its parts as the zip declares them).
const MAX_UNPACKED: u64 = 256 * 1024 * 1024;

/// A sheet to read: its name, its columns, and whether it must be there.
pub struct SheetIn<'a> {
    pub name: &'a str,
    pub cols: &'a [Col],
    /// The ledger's own sheet: must exist (the first sheet is taken when none has the name)
    /// and have rows. A sheet of details may be absent.
    pub main: bool,
}

/// A data row as read: the row number Excel shows and one text per column of the sheet's
/// spec (empty when the column is absent or the cell blank).
#[derive(Debug, Clone)]
pub struct RawRow {
    pub row: u32,
    pub cells: Vec<String>,
}

/// A sheet as read.
#[derive(Debug, Clone)]
pub struct Table {
    /// The sheet's name in the workbook.
    pub sheet: String,
    /// Whether this is the ledger's own sheet (messages name the other sheets).
    pub main: bool,
    pub cols: Vec<Col>,
    /// Where each column was found (its letter), when present.
    pub letters: Vec<Option<String>>,
    pub rows: Vec<RawRow>,
}

impl Table {
    /// An error at a cell of this sheet (`col: None` for the row as a whole).
    pub fn error(&self, row: u32, col: Option<usize>, message: impl Into<String>) -> RowError {
        let (letter, header) = match col {
            Some(c) => (
                self.letters[c].clone().unwrap_or_default(),
                self.cols[c].header.to_string(),
            ),
            None => (String::new(), String::new()),
        };
        RowError::new(
            if self.main { None } else { Some(&self.sheet) },
            row,
            letter,
            header,
            message.into(),
        )
    }
}

fn file_error(message: impl Into<String>) -> ImportError {
    ImportError::App(Invalid::new("file", message).into())
}

/// Rejects what is not an .xlsx workbook before calamine reads it, and workbooks whose parts
/// would unpack to more than [`MAX_UNPACKED`].
fn check_container(bytes: &[u8]) -> Result<(), ImportError> {
    if bytes.is_empty() {
        return Err(file_error("请选择要导入的 Excel 文件（.xlsx）"));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(file_error(
            "这是旧版 Excel 文件（.xls），请在 Excel 中另存为 .xlsx 格式后再导入",
        ));
    }
    let not_xlsx = || file_error("文件不是有效的 Excel 工作簿（.xlsx），请检查后重新上传");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| not_xlsx())?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|_| not_xlsx())?;
        total = total.saturating_add(f.size());
    }
    if total > MAX_UNPACKED || zip.len() > 10_000 {
        return Err(file_error("工作簿内容过大，请分成几个文件导入"));
    }
    Ok(())
}

/// Days from the 1900 date system's serial number (Excel counts a 29 February 1900 that
/// never was: serials from 61 on are one day late).
fn serial_day(serial: f64) -> Option<time::Date> {
    if !serial.is_finite() || !(1.0..3_000_000.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let base = time::Date::from_calendar_date(1899, time::Month::December, 30).ok()?;
    let days = if days < 61 { days + 1 } else { days };
    base.checked_add(time::Duration::days(days))
}

/// A number as a person would type it: whole numbers without a decimal point.
fn number_text(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A cell as the text a form would have sent: dates as YYYY-MM-DD, numbers as typed.
/// `Err` for an error value (#N/A, #REF! …).
fn cell_text(d: &Data) -> Result<String, ()> {
    Ok(match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(x) => number_text(*x),
        Data::Bool(true) => "是".into(),
        Data::Bool(false) => "否".into(),
        Data::DateTime(dt) => match serial_day(dt.as_f64()) {
            Some(d) if dt.is_datetime() => {
                format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
            }
            _ => number_text(dt.as_f64()),
        },
        // An ISO date (or date and time): its date part.
        Data::DateTimeIso(s) => s.split('T').next().unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(_) => return Err(()),
    })
}

/// Reads the sheets asked for. File-level faults (not a workbook, no sheet, no header row,
/// too many rows) are one error; header faults and error cells are listed with their place.
pub fn read(bytes: &[u8], specs: &[SheetIn]) -> Result<(Vec<Table>, Vec<RowError>), ImportError> {
    check_container(bytes)?;
    let mut xlsx: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|_| file_error("文件不是有效的 Excel 工作簿（.xlsx），请检查后重新上传"))?;
    let names = xlsx.sheet_names();
    if names.is_empty() {
        return Err(file_error("工作簿中没有工作表"));
    }
    let mut tables = Vec::new();
    let mut errors = Vec::new();
    for spec in specs {
        let name = match names.iter().find(|n| n.trim() == spec.name) {
            Some(n) => n.clone(),
            // The ledger's sheet renamed (or a workbook of one sheet): the first sheet.
            None if spec.main => names[0].clone(),
            None => continue,
        };
        let range = xlsx
            .worksheet_range(&name)
            .map_err(|_| file_error(format!("工作表“{name}”无法读取，请检查文件是否完整")))?;
        let Some((top, left)) = range.start() else {
            if spec.main {
                return Err(file_error(format!(
                    "工作表“{name}”是空的：请在第2行填写列标题（第一列为“序号”），从第3行起每行填写一条"
                )));
            }
            continue;
        };
        let (bottom, right) = range.end().unwrap_or((top, left));
        let get = |r: u32, c: u32| range.get_value((r, c)).unwrap_or(&Data::Empty);
        // The header row: the first of the top rows holding the first column's header
        // (序号, or the key of a sheet of details such as 问题序号).
        let first = spec.cols.first().map_or("序号", |c| c.header);
        let header_row = (top..=bottom.min(top + 9)).find(|&r| {
            (left..=right).any(|c| matches!(cell_text(get(r, c)), Ok(t) if t.trim() == first))
        });
        let Some(header_row) = header_row else {
            return Err(file_error(format!(
                "工作表“{name}”找不到列标题行：第2行应为列标题，第一列为“{first}”（请使用导出的表格格式）"
            )));
        };
        let main = spec.main;
        let sheet_label = |row: u32, col: u32, header: &str, message: String| {
            RowError::new(
                if main { None } else { Some(&name) },
                row,
                letter(col),
                header.to_string(),
                message,
            )
        };
        let mut letters: Vec<Option<String>> = vec![None; spec.cols.len()];
        let mut positions: Vec<Option<u32>> = vec![None; spec.cols.len()];
        for c in left..=right {
            let head = cell_text(get(header_row, c)).unwrap_or_default();
            // Headers typed with spaces or line breaks inside still count.
            let head: String = head.chars().filter(|ch| !ch.is_whitespace()).collect();
            if head.is_empty() {
                continue;
            }
            match spec.cols.iter().position(|col| col.header == head) {
                Some(i) if positions[i].is_some() => {
                    errors.push(sheet_label(header_row + 1, c, &head, "列标题重复".into()))
                }
                Some(i) => {
                    positions[i] = Some(c);
                    letters[i] = Some(letter(c));
                }
                None => errors.push(sheet_label(
                    header_row + 1,
                    c,
                    &head,
                    format!(
                        "不认识的列标题，应为：{}",
                        spec.cols
                            .iter()
                            .map(|c| c.header)
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                )),
            }
        }
        for (i, col) in spec.cols.iter().enumerate() {
            if col.required && positions[i].is_none() {
                errors.push(RowError::new(
                    if main { None } else { Some(&name) },
                    header_row + 1,
                    String::new(),
                    String::new(),
                    format!("缺少“{}”列", col.header),
                ));
            }
        }
        let limit = if spec.main { MAX_ROWS } else { MAX_DETAIL_ROWS };
        let mut rows = Vec::new();
        for r in header_row + 1..=bottom {
            let mut cells = Vec::with_capacity(spec.cols.len());
            let mut any = false;
            for (i, pos) in positions.iter().enumerate() {
                let text = match pos {
                    Some(c) => match cell_text(get(r, *c)) {
                        Ok(t) => t,
                        Err(()) => {
                            errors.push(sheet_label(
                                r + 1,
                                *c,
                                spec.cols[i].header,
                                "单元格是错误值（如 #N/A、#REF!），请填写实际内容".into(),
                            ));
                            "#".into()
                        }
                    },
                    None => String::new(),
                };
                any |= !text.trim().is_empty();
                cells.push(text);
            }
            if !any {
                continue;
            }
            if rows.len() == limit {
                return Err(file_error(format!(
                    "工作表“{name}”超过{limit}行，请分成几个文件导入"
                )));
            }
            rows.push(RawRow { row: r + 1, cells });
        }
        tables.push(Table {
            sheet: name.clone(),
            main,
            cols: spec.cols.to_vec(),
            letters,
            rows,
        });
    }
    Ok((tables, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_and_serials() {
        assert_eq!(letter(0), "A");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
        assert_eq!(letter(27), "AB");
        assert_eq!(letter(701), "ZZ");
        assert_eq!(letter(702), "AAA");
        let d = serial_day(45000.0).unwrap();
        assert_eq!((d.year(), u8::from(d.month()), d.day()), (2023, 3, 15));
        let d = serial_day(1.0).unwrap();
        assert_eq!((d.year(), u8::from(d.month()), d.day()), (1900, 1, 1));
        assert_eq!(number_text(20.0), "20");
        assert_eq!(number_text(2.5), "2.5");
    }

    #[test]
    fn written_workbooks_read_back() {
        const COLS: [Col; 4] = [
            req("序号", 6.0),
            req("标题", 20.0),
            long("内容", 40.0, false),
            opt("人次", 8.0),
        ];
        let bytes = write(&[SheetOut {
            name: "测试台账",
            title: "某镇测试台账".into(),
            cols: &COLS,
            rows: vec![
                vec![
                    Value::Int(1),
                    "支委会".into(),
                    "第一行\r\n第二行\t_x000D_ &<>".into(),
                    Value::Int(12),
                ],
                vec![Value::Int(2), "党课".into(), Value::Empty, Value::Real(2.5)],
            ],
        }])
        .unwrap();
        let (tables, errors) = read(
            &bytes,
            &[SheetIn {
                name: "测试台账",
                cols: &COLS,
                main: true,
            }],
        )
        .unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        let t = &tables[0];
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].row, 3);
        assert_eq!(
            t.rows[0].cells,
            vec!["1", "支委会", "第一行\r\n第二行\t_x000D_ &<>", "12"]
        );
        assert_eq!(t.rows[1].cells, vec!["2", "党课", "", "2.5"]);
        assert_eq!(t.letters[3].as_deref(), Some("D"));
    }

    #[test]
    fn real_dates_read_back_as_days() {
        // A workbook typed in Excel: a real date, a date typed as text, a headerless title.
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("台账").unwrap();
        ws.write_string(0, 0, "序号").unwrap();
        ws.write_string(0, 1, "日期").unwrap();
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2023, 3, 5).unwrap();
        let fmt = Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
        ws.write_number(1, 0, 1).unwrap();
        ws.write_datetime_with_format(1, 1, &date, &fmt).unwrap();
        ws.write_number(2, 0, 2).unwrap();
        ws.write_string(2, 1, "2023/3/6").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        const COLS: [Col; 2] = [req("序号", 6.0), req("日期", 12.0)];
        let (tables, errors) = read(
            &bytes,
            &[SheetIn {
                name: "台账",
                cols: &COLS,
                main: true,
            }],
        )
        .unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(tables[0].rows[0].cells, vec!["1", "2023-03-05"]);
        assert_eq!(tables[0].rows[0].row, 2);
        assert_eq!(tables[0].rows[1].cells, vec!["2", "2023/3/6"]);
    }

    #[test]
    fn what_is_not_a_workbook_is_refused() {
        for bytes in [
            b"".to_vec(),
            b"hello".to_vec(),
            vec![0xD0, 0xCF, 0x11, 0xE0, 0, 0],
        ] {
            let e = read(
                &bytes,
                &[SheetIn {
                    name: "x",
                    cols: &[],
                    main: true,
                }],
            )
            .unwrap_err();
            assert!(matches!(e, ImportError::App(AppError::Invalid(_))));
        }
    }
}
