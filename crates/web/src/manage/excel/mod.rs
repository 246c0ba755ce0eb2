//! Excel in and out for every ledger (台账): each exports to an .xlsx workbook in the layout
//! offices keep their 台账 in, and imports from the same layout. Pages and the API share these
//! functions; the benchmark calls [`records::import`] directly.
//!
//! ## Layout
//!
//! Every ledger is one sheet named after it (工作纪实台账, 党员名册, 责任清单台账, 问题整改台账,
//! 廉政风险点台账): row 1 is a merged title (e.g. “清水镇党委问题整改台账”), row 2 the Chinese
//! column headers starting with 序号, then one row per entry. Organizations are identified by
//! their code (组织编码); the name beside it (组织名称) is for people and ignored on import.
//! Days are written as text `YYYY-MM-DD`; on import a real Excel date, `2023/3/5` or
//! `2023年3月5日` is read too. Columns are found by their header, in any order; an unknown
//! header is an error (a misspelt one would otherwise lose its column silently).
//!
//! The parts of an entry that come several to one go to a second sheet, one row per part,
//! keyed by the entry's 序号 in the first sheet:
//!
//! | ledger | second sheet | key column | one row per |
//! | --- | --- | --- | --- |
//! | 工作纪实 | 参会人员 | 纪实序号 | member present or absent (with the reason) |
//! | 责任清单 | 调度进展 | 事项序号 | progress report (季度调度) |
//! | 问题整改 | 整改措施 | 问题序号 | rectification measure with owner, deadline, completion |
//! | 廉政风险 | 防控措施 | 风险点序号 | control measure with its owner |
//!
//! A list item's 路线图 (steps) is one cell with a line per step. Members in an attendance
//! row are named by their organization's code and name. An owner who has an account is
//! written with the account's username beside the name (责任人账号 / 责任领导账号).
//!
//! Not in the workbook: evidence files (佐证材料, uploaded in the system), voided entries, the
//! audit history, links between ledgers (a record ↔ a list item, the record or the inspection
//! batch a problem came with, a list handed down from a superior's).
//!
//! ## Import
//!
//! Import always creates new entries (a 序号 is only a row's key within the workbook): a
//! ledger kept in Excel comes into the system, or moves to another installation. Every row
//! and cell is checked first with the forms' own parsers and domain rules, and the
//! permission of the ledger's create route (RecordWork) over every row's organization is
//! required; all errors are collected, each with its row, column and header in Chinese
//! (“第7行 F列〔开展日期〕：…”). Only when there are none are all rows written, in one
//! [`zeren_storage::WriteTx`] through the same audited methods the forms use: all or nothing.
//!
//! Statuses are reproduced through the same moves a user makes (measures marked done, a
//! problem started or submitted for review). Moves the rules tie to evidence or to a second
//! person cannot come from a spreadsheet: a problem marked 已销号 or a list item without a
//! target marked 已完成 is refused with a message saying how to proceed; a list item with a
//! target gets its status from its metric, as always.

pub mod lists;
pub mod members;
pub mod problems;
pub mod records;
pub mod risks;
pub mod sheet;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::AppState;
use serde::Serialize;
use std::collections::HashMap;
use zeren_domain::permissions::Action;
use zeren_domain::Invalid;
use zeren_storage::{Org, StorageError};

/// The MIME type of an .xlsx workbook.
pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// At most this many errors are listed; the rest are counted in a last line.
const MAX_LISTED: usize = 500;

/// A fault at a place in the workbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// The sheet, when not the ledger's own (e.g. 整改措施).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// The row number Excel shows (0: the file as a whole).
    pub row: u32,
    /// The column letter, e.g. `F` (empty: the row as a whole).
    pub column: String,
    /// The column's header, e.g. 开展日期.
    pub header: String,
    /// The whole message in Chinese, place included: 第7行 F列〔开展日期〕：…
    pub message: String,
}

impl RowError {
    pub fn new(
        sheet: Option<&str>,
        row: u32,
        column: String,
        header: String,
        message: String,
    ) -> RowError {
        let mut place = String::new();
        if let Some(s) = sheet {
            place.push_str(&format!("“{s}”表"));
        }
        if row > 0 {
            place.push_str(&format!("第{row}行"));
        }
        if !column.is_empty() {
            place.push_str(&format!(" {column}列"));
        }
        if !header.is_empty() {
            place.push_str(&format!("〔{header}〕"));
        }
        let full = if place.is_empty() {
            message
        } else {
            format!("{place}：{message}")
        };
        RowError {
            sheet: sheet.map(str::to_string),
            row,
            column,
            header,
            message: full,
        }
    }
}

/// Why an import wrote nothing: faults at places in the workbook, or an error of the request
/// itself (not a workbook, no permission, a database failure).
#[derive(Debug)]
pub enum ImportError {
    Rows(Vec<RowError>),
    App(AppError),
}

impl<E: Into<AppError>> From<E> for ImportError {
    fn from(e: E) -> Self {
        ImportError::App(e.into())
    }
}

impl ImportError {
    /// The faults to show, at most [`MAX_LISTED`] and a line counting the rest.
    pub fn listed(mut errors: Vec<RowError>) -> Vec<RowError> {
        errors.sort_by(|a, b| {
            (
                a.sheet.is_some(),
                &a.sheet,
                a.row,
                a.column.len(),
                &a.column,
            )
                .cmp(&(
                    b.sheet.is_some(),
                    &b.sheet,
                    b.row,
                    b.column.len(),
                    &b.column,
                ))
        });
        errors.dedup();
        if errors.len() > MAX_LISTED {
            let more = errors.len() - MAX_LISTED;
            errors.truncate(MAX_LISTED);
            errors.push(RowError::new(
                None,
                0,
                String::new(),
                String::new(),
                format!("……另有{more}处错误未列出"),
            ));
        }
        errors
    }

    /// A one-line summary for the top of a page or the `message` of the API's answer.
    pub fn summary(errors: &[RowError]) -> String {
        format!(
            "导入文件中有{}处错误，未导入任何数据。请修改后重新导入。",
            errors.len()
        )
    }
}

/// What an import wrote.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    /// Entries created in the ledger (records, members, list items, problems, risk points).
    pub created: usize,
    /// Parts created on the second sheet (attendance rows, progress reports, measures).
    pub details: usize,
    /// Lists created (the lists ledger only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lists: Option<usize>,
}

/// Collects faults while a workbook is checked.
#[derive(Default)]
pub struct Faults {
    pub list: Vec<RowError>,
}

impl Faults {
    pub fn push(&mut self, e: RowError) {
        self.list.push(e);
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn into_result<T>(self, ok: T) -> Result<T, ImportError> {
        if self.list.is_empty() {
            Ok(ok)
        } else {
            Err(ImportError::Rows(ImportError::listed(self.list)))
        }
    }
}

/// The `序号` of a row: a positive whole number, unique in its sheet.
pub fn parse_seq(text: &str) -> Result<i64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("请填写序号".into());
    }
    t.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| "序号应为正整数".to_string())
}

/// Organizations named by code in a workbook, each looked up once: one the user may record
/// work for (RecordWork), active. Unknown and unseen ones get the same answer.
pub struct OrgBook<'a> {
    state: &'a AppState,
    user: &'a CurrentUser,
    /// What the ledger records in the message, e.g. 纪实.
    what: &'static str,
    seen: HashMap<String, Result<Org, String>>,
}

impl<'a> OrgBook<'a> {
    pub fn new(state: &'a AppState, user: &'a CurrentUser, what: &'static str) -> Self {
        OrgBook {
            state,
            user,
            what,
            seen: HashMap::new(),
        }
    }

    /// The organization, or the message for its cell.
    pub async fn get(&mut self, code: &str) -> Result<Result<Org, String>, AppError> {
        let code = code.trim();
        if code.is_empty() {
            return Ok(Err("请填写组织编码".into()));
        }
        if let Some(found) = self.seen.get(code) {
            return Ok(found.clone());
        }
        let short: String = code.chars().take(30).collect();
        let unknown = format!("组织编码“{short}”不存在或不在您的范围内");
        let org = match self.state.store.org_by_code(code).await {
            Ok(o) => Some(o),
            Err(StorageError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        };
        let outcome = match org {
            Some(o) if self.user.perms.can(Action::ViewOrgs, &o.path) => {
                if !self.user.perms.can(Action::RecordWork, &o.path) {
                    Err(format!("您没有为“{}”登记{}的权限", o.name, self.what))
                } else if !o.active {
                    Err(format!("“{}”已停用，不能再登记", o.name))
                } else {
                    Ok(o)
                }
            }
            _ => Err(unknown),
        };
        self.seen.insert(code.to_string(), outcome.clone());
        Ok(outcome)
    }
}

/// A storage refusal of one row while writing (a rule checked only in the transaction) as a
/// fault at that row; other errors end the import.
pub fn refused(e: StorageError) -> Result<Invalid, ImportError> {
    match e {
        StorageError::Rejected { field, message } => Ok(Invalid::new(field, message)),
        StorageError::NotFound(what) => Ok(Invalid::new("id", format!("{what} not found"))),
        other => Err(ImportError::App(other.into())),
    }
}

/// The title of a workbook: the organization's name and the ledger's, e.g.
/// 清水镇党委问题整改台账. Without a chosen organization, the one the user's view starts at
/// (when there is one).
pub async fn title(
    state: &AppState,
    user: &CurrentUser,
    org: Option<&Org>,
    ledger: &str,
) -> Result<String, AppError> {
    let name = match org {
        Some(o) => Some(o.name.clone()),
        None => {
            let roots = user.perms.scope(Action::ViewOrgs).roots;
            match roots.as_slice() {
                [one] => state
                    .store
                    .org_tree()
                    .await?
                    .iter()
                    .find(|o| &o.path == one)
                    .map(|o| o.name.clone()),
                _ => None,
            }
        }
    };
    Ok(format!("{}{ledger}", name.unwrap_or_default()))
}

/// A sheet's name, columns and rows.
pub type SheetRows = (&'static str, &'static [sheet::Col], Vec<Vec<sheet::Value>>);

/// A ledger's workbook to download: its sheet titled after the organization and the ledger,
/// and for ledgers with details (整改措施, 调度进展 …) a second sheet whose title adds `what`.
pub async fn ledger_download(
    state: &AppState,
    user: &CurrentUser,
    org: Option<&Org>,
    ledger: &str,
    main: SheetRows,
    details: Option<(SheetRows, &str)>,
) -> Result<Download, AppError> {
    let title = title(state, user, org, ledger).await?;
    let mut sheets = Vec::with_capacity(2);
    if let Some(((name, cols, rows), what)) = details {
        sheets.push(OwnedSheet {
            name,
            title: format!("{title}（{what}）"),
            cols,
            rows,
        });
    }
    let (name, cols, rows) = main;
    sheets.insert(
        0,
        OwnedSheet {
            name,
            title,
            cols,
            rows,
        },
    );
    Ok(Download {
        file_name: file_name(ledger),
        bytes: write_blocking(sheets).await?,
    })
}

/// The download's file name: the ledger and today, e.g. 问题整改台账-2024-06-01.xlsx.
pub fn file_name(ledger: &str) -> String {
    format!("{ledger}-{}.xlsx", zeren_domain::date::Day::today().text())
}

/// `attachment` with the name in UTF-8 (RFC 5987) and an ASCII fallback.
pub fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A workbook ready to send.
pub struct Download {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl axum::response::IntoResponse for Download {
    fn into_response(self) -> axum::response::Response {
        use axum::http::header;
        (
            [
                (header::CONTENT_TYPE, XLSX_MIME.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    content_disposition(&self.file_name),
                ),
            ],
            self.bytes,
        )
            .into_response()
    }
}

/// Writes a workbook off the async workers (thousands of rows are CPU work).
pub async fn write_blocking(sheets: Vec<OwnedSheet>) -> Result<Vec<u8>, AppError> {
    tokio::task::spawn_blocking(move || {
        let out: Vec<sheet::SheetOut> = sheets
            .iter()
            .map(|s| sheet::SheetOut {
                name: s.name,
                title: s.title.clone(),
                cols: s.cols,
                rows: s.rows.clone(),
            })
            .collect();
        sheet::write(&out)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// A sheet to write, owned (to move to the blocking pool).
pub struct OwnedSheet {
    pub name: &'static str,
    pub title: String,
    pub cols: &'static [sheet::Col],
    pub rows: Vec<Vec<sheet::Value>>,
}

/// Reads a workbook off the async workers.
pub async fn read_blocking(
    bytes: Vec<u8>,
    specs: Vec<(&'static str, &'static [sheet::Col], bool)>,
) -> Result<(Vec<sheet::Table>, Vec<RowError>), ImportError> {
    tokio::task::spawn_blocking(move || {
        let specs: Vec<sheet::SheetIn> = specs
            .iter()
            .map(|(name, cols, main)| sheet::SheetIn {
                name,
                cols,
                main: *main,
            })
            .collect();
        sheet::read(&bytes, &specs)
    })
    .await
    .map_err(|e| ImportError::App(AppError::Internal(e.to_string())))?
}

/// A workbook read for import: its main sheet and detail sheet (if it has one), the main rows
/// keyed by 序号 with their detail rows, and the faults found so far. Header faults and an
/// empty main sheet are refused here, before any row is looked at.
pub struct Workbook {
    pub main: sheet::Table,
    pub details: Option<sheet::Table>,
    pub keyed: Keyed,
    pub faults: Faults,
}

/// Reads a ledger's workbook: `main` is (sheet, columns); `details` is (sheet, columns, the
/// column holding the main row's 序号).
pub async fn read_keyed(
    bytes: Vec<u8>,
    main: (&'static str, &'static [sheet::Col]),
    details: Option<(&'static str, &'static [sheet::Col], usize)>,
) -> Result<Workbook, ImportError> {
    let mut specs = vec![(main.0, main.1, true)];
    if let Some((name, cols, _)) = details {
        specs.push((name, cols, false));
    }
    let (tables, header_faults) = read_blocking(bytes, specs).await?;
    Faults {
        list: header_faults,
    }
    .into_result(())?;
    let (mains, rest): (Vec<_>, Vec<_>) = tables.into_iter().partition(|t| t.main);
    let main = mains
        .into_iter()
        .next()
        .ok_or_else(|| AppError::Internal("main sheet not read".into()))?;
    let details_table = rest.into_iter().next();
    require_rows(&main)?;
    let mut faults = Faults::default();
    let key = details.map_or(0, |d| d.2);
    let keyed = key_rows(&main, details_table.as_ref(), key, &mut faults);
    Ok(Workbook {
        main,
        details: details_table,
        keyed,
        faults,
    })
}

/// The rows of the main sheet and the detail rows grouped by the main row they belong to
/// (their key column holds the main row's 序号). Checks the 序号 column of the main sheet and
/// the keys of the details.
pub struct Keyed {
    /// (序号, row) of the main sheet, in order; rows with a bad 序号 are left out.
    pub main: Vec<(i64, sheet::RawRow)>,
    /// Detail rows by the main row's 序号, in order.
    pub details: HashMap<i64, Vec<sheet::RawRow>>,
}

pub fn key_rows(
    main: &sheet::Table,
    details: Option<&sheet::Table>,
    detail_key: usize,
    faults: &mut Faults,
) -> Keyed {
    let mut seen: HashMap<i64, u32> = HashMap::new();
    let mut out = Vec::with_capacity(main.rows.len());
    for r in &main.rows {
        match parse_seq(&r.cells[0]) {
            Ok(n) => {
                if let Some(first) = seen.get(&n) {
                    faults.push(main.error(r.row, Some(0), format!("序号{n}与第{first}行重复")));
                } else {
                    seen.insert(n, r.row);
                    out.push((n, r.clone()));
                }
            }
            Err(m) => faults.push(main.error(r.row, Some(0), m)),
        }
    }
    let mut grouped: HashMap<i64, Vec<sheet::RawRow>> = HashMap::new();
    if let Some(d) = details {
        for r in &d.rows {
            match parse_seq(&r.cells[detail_key]) {
                Ok(n) if seen.contains_key(&n) => grouped.entry(n).or_default().push(r.clone()),
                Ok(n) => faults.push(d.error(
                    r.row,
                    Some(detail_key),
                    format!("“{}”表中没有序号为{n}的行", main.sheet),
                )),
                Err(m) => faults.push(d.error(r.row, Some(detail_key), m)),
            }
        }
    }
    Keyed {
        main: out,
        details: grouped,
    }
}

/// Requires at least one row in the ledger's sheet.
pub fn require_rows(main: &sheet::Table) -> Result<(), ImportError> {
    if main.rows.is_empty() {
        return Err(ImportError::App(
            Invalid::new(
                "file",
                format!(
                    "工作表“{}”没有数据行：请从第3行起每行填写一条（第2行为列标题）",
                    main.sheet
                ),
            )
            .into(),
        ));
    }
    Ok(())
}

/// The faults of one row's cells, gathered and then filed under the row.
#[derive(Default)]
pub struct CellFaults {
    pub list: Vec<(Option<usize>, String)>,
}

impl CellFaults {
    /// Files a fault at a column; answers `None` for the value that is missing.
    pub fn add<T>(&mut self, col: usize, message: String) -> Option<T> {
        self.list.push((Some(col), message));
        None
    }

    /// The value, or its fault filed at the column.
    pub fn take<T>(&mut self, col: usize, v: Result<T, Invalid>) -> Option<T> {
        match v {
            Ok(v) => Some(v),
            Err(e) => self.add(col, e.message),
        }
    }

    pub fn flush(&mut self, table: &sheet::Table, row: u32, faults: &mut Faults) {
        for (col, m) in self.list.drain(..) {
            faults.push(table.error(row, col, m));
        }
    }
}

pub fn too_many(total: i64) -> Invalid {
    Invalid::new(
        "org",
        format!(
            "符合条件的有{total}条，超过{}条，请按组织或日期缩小范围后分批导出",
            sheet::MAX_ROWS
        ),
    )
}
