//! 工作纪实台账: one row per record; the attendance on the sheet 参会人员, one row per member
//! (纪实序号, the member's organization code and name, 出席 or 缺席 with the reason). 人次 left
//! empty is counted from those present, as in the form.

use super::sheet::{info, long, opt, req, Col, Value};
use super::{
    read_keyed, refused, too_many, write_blocking, CellFaults, Download, Faults, ImportError,
    ImportSummary, OrgBook, OwnedSheet, Workbook,
};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::AppState;
use std::collections::{HashMap, HashSet};
use zeren_domain::date::Day;
use zeren_domain::permissions::Action;
use zeren_domain::records::{absence_reason, field_label, OutletLevel, RecordField, RecordValues};
use zeren_domain::text;
use zeren_storage::{Attendance, Member, NewRecord, Org, RecordQuery};

pub const LEDGER: &str = "工作纪实台账";
pub const SHEET: &str = "工作纪实台账";
pub const ATTENDANCE_SHEET: &str = "参会人员";

const ORG: usize = 1;
const TYPE: usize = 3;
const TITLE: usize = 4;
const HELD_ON: usize = 5;
const PLACE: usize = 6;
const HOST: usize = 7;
const RECORDER: usize = 8;
const PERSON_TIMES: usize = 9;
const HOURS: usize = 10;
const SESSIONS: usize = 11;
const ITEMS: usize = 12;
const OUTLET: usize = 13;
const CONTENT: usize = 14;

pub const COLS: [Col; 15] = [
    req("序号", 6.0),
    req("组织编码", 12.0),
    info("组织名称", 18.0),
    req("纪实类型", 16.0),
    req("标题", 30.0),
    req("开展日期", 12.0),
    opt("地点", 16.0),
    opt("主持人", 10.0),
    opt("记录人", 10.0),
    opt("人次", 8.0),
    opt("学时", 8.0),
    opt("期数", 8.0),
    opt("数量", 8.0),
    opt("刊发层级", 12.0),
    long("主要内容", 50.0, false),
];

const A_SEQ: usize = 0;
const A_ORG: usize = 1;
const A_NAME: usize = 2;
const A_PRESENT: usize = 3;
const A_REASON: usize = 4;

pub const ATTENDANCE_COLS: [Col; 5] = [
    req("纪实序号", 10.0),
    opt("党员组织编码", 14.0),
    req("姓名", 10.0),
    req("出席情况", 10.0),
    opt("缺席原因", 24.0),
];

/// The column a domain or storage refusal of a record concerns.
fn column_of(field: &str) -> Option<usize> {
    Some(match field {
        "org" => ORG,
        "type" => TYPE,
        "title" => TITLE,
        "held_on" => HELD_ON,
        "place" => PLACE,
        "host" => HOST,
        "recorder" => RECORDER,
        "person_times" => PERSON_TIMES,
        "hours" => HOURS,
        "sessions" => SESSIONS,
        "items" => ITEMS,
        "outlet_level" => OUTLET,
        "content" => CONTENT,
        _ => return None,
    })
}

/// One record as a workbook row (the benchmark builds these without a database).
#[derive(Debug, Clone, Default)]
pub struct RecordLine {
    pub org_code: String,
    pub org_name: String,
    /// The record type's name (its code is read too).
    pub type_name: String,
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub host: String,
    pub recorder: String,
    pub person_times: Option<i64>,
    pub hours: Option<f64>,
    pub sessions: Option<i64>,
    pub items: Option<i64>,
    /// The outlet level's label, or empty.
    pub outlet_level: String,
    pub content: String,
    pub attendance: Vec<AttendeeLine>,
}

#[derive(Debug, Clone, Default)]
pub struct AttendeeLine {
    pub org_code: String,
    pub name: String,
    pub present: bool,
    pub reason: String,
}

fn sheets(title: &str, lines: &[RecordLine]) -> Vec<OwnedSheet> {
    let mut main = Vec::with_capacity(lines.len());
    let mut att = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let seq = i as i64 + 1;
        main.push(vec![
            Value::Int(seq),
            (&l.org_code).into(),
            (&l.org_name).into(),
            (&l.type_name).into(),
            (&l.title).into(),
            (&l.held_on).into(),
            (&l.place).into(),
            (&l.host).into(),
            (&l.recorder).into(),
            l.person_times.into(),
            l.hours.into(),
            l.sessions.into(),
            l.items.into(),
            (&l.outlet_level).into(),
            (&l.content).into(),
        ]);
        for a in &l.attendance {
            att.push(vec![
                Value::Int(seq),
                (&a.org_code).into(),
                (&a.name).into(),
                if a.present { "出席" } else { "缺席" }.into(),
                (&a.reason).into(),
            ]);
        }
    }
    vec![
        OwnedSheet {
            name: SHEET,
            title: title.to_string(),
            cols: &COLS,
            rows: main,
        },
        OwnedSheet {
            name: ATTENDANCE_SHEET,
            title: format!("{title}（参会人员）"),
            cols: &ATTENDANCE_COLS,
            rows: att,
        },
    ]
}

/// The workbook of these records.
pub async fn workbook(title: &str, lines: &[RecordLine]) -> Result<Vec<u8>, AppError> {
    write_blocking(sheets(title, lines)).await
}

/// Which records to export: the filters of the records list.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    pub org: Option<Org>,
    pub type_code: Option<String>,
    pub from: Option<Day>,
    pub to: Option<Day>,
    pub text: Option<String>,
}

/// The records the user sees under the filter (voided ones left out), oldest first.
pub async fn export(
    state: &AppState,
    user: &CurrentUser,
    f: RecordFilter,
) -> Result<Download, AppError> {
    let roots = match &f.org {
        Some(o) => vec![o.path.clone()],
        None => user.perms.scope(Action::ViewOrgs).roots,
    };
    let mut q = RecordQuery {
        roots,
        type_code: f.type_code.clone(),
        from: f.from,
        to: f.to,
        text: f.text.clone(),
        include_voided: false,
        limit: 1000,
        offset: 0,
    };
    let mut records = Vec::new();
    loop {
        let page = state.store.records(&q).await?;
        if page.total > super::sheet::MAX_ROWS as i64 {
            return Err(too_many(page.total).into());
        }
        let n = page.rows.len() as i64;
        records.extend(page.rows);
        if n == 0 || records.len() as i64 >= page.total {
            break;
        }
        q.offset += n;
    }
    records.reverse();
    let types = state.store.record_types_all().await?;
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    let mut attendance: HashMap<i64, Vec<AttendeeLine>> = HashMap::new();
    for (record_id, org_code, a) in state.store.attendance_of_records(&ids).await? {
        attendance.entry(record_id).or_default().push(AttendeeLine {
            org_code,
            name: a.member_name,
            present: a.present,
            reason: a.absence_reason,
        });
    }
    let lines: Vec<RecordLine> = records
        .into_iter()
        .map(|r| RecordLine {
            type_name: types
                .iter()
                .find(|t| t.code == r.type_code)
                .map(|t| t.name.clone())
                .unwrap_or_else(|| r.type_code.clone()),
            outlet_level: r
                .outlet()
                .map(|l| l.label().to_string())
                .unwrap_or_default(),
            attendance: attendance.remove(&r.id).unwrap_or_default(),
            org_code: r.org_code,
            org_name: r.org_name,
            title: r.title,
            held_on: r.held_on,
            place: r.place,
            host: r.host,
            recorder: r.recorder,
            person_times: r.person_times,
            hours: r.hours,
            sessions: r.sessions,
            items: r.items,
            content: r.content,
        })
        .collect();
    let title = super::title(state, user, f.org.as_ref(), LEDGER).await?;
    Ok(Download {
        file_name: super::file_name(LEDGER),
        bytes: workbook(&title, &lines).await?,
    })
}

/// 出席 / 缺席 as typed.
fn parse_present(text: &str) -> Result<bool, String> {
    match text.trim() {
        "出席" | "参加" | "到会" | "是" | "√" | "present" => Ok(true),
        "缺席" | "请假" | "未到" | "否" | "×" | "absent" => Ok(false),
        "" => Err("请填写出席或缺席".into()),
        _ => Err("出席情况应为“出席”或“缺席”".into()),
    }
}

/// Imports records (and their attendance) from a workbook: every row checked first, then all
/// written in one transaction, each audited as the form's create is.
pub async fn import(
    state: &AppState,
    user: &CurrentUser,
    bytes: Vec<u8>,
) -> Result<ImportSummary, ImportError> {
    let Workbook {
        main,
        details,
        keyed,
        mut faults,
    } = read_keyed(
        bytes,
        (SHEET, &COLS[..]),
        Some((ATTENDANCE_SHEET, &ATTENDANCE_COLS[..], A_SEQ)),
    )
    .await?;
    let main = &main;
    let att = details.as_ref();
    let types = state.store.record_types().await?;
    let mut orgs = OrgBook::new(state, user, "纪实");
    let mut rosters: HashMap<i64, Vec<Member>> = HashMap::new();
    let today = Day::today();
    let mut planned: Vec<(u32, NewRecord)> = Vec::with_capacity(keyed.main.len());
    for (seq, r) in &keyed.main {
        let cell = |i: usize| r.cells[i].as_str();
        let mut errs = CellFaults::default();
        let org = match orgs.get(cell(ORG)).await? {
            Ok(o) => Some(o),
            Err(m) => errs.add(ORG, m),
        };
        let ty = match cell(TYPE).trim() {
            "" => errs.add(TYPE, "请填写纪实类型".into()),
            t => match types.iter().find(|x| x.name == t || x.code == t) {
                Some(found) => Some(found.clone()),
                None => {
                    let short: String = t.chars().take(30).collect();
                    errs.add(TYPE, format!("没有名为“{short}”的纪实类型"))
                }
            },
        };
        let mut held_on = errs.take(HELD_ON, Day::parse("held_on", cell(HELD_ON)));
        // A day after today is refused; the other fields are still checked as if it were
        // right, so that every fault of the row is listed at once.
        let future = held_on.is_some_and(|d| d > today);
        if future {
            held_on = Some(today);
        }
        let person_times = errs.take(
            PERSON_TIMES,
            text::parse_count("person_times", "人次", cell(PERSON_TIMES), 1_000_000),
        );
        let hours = errs.take(HOURS, text::parse_hours("hours", "学时", cell(HOURS)));
        let sessions = errs.take(
            SESSIONS,
            text::parse_count("sessions", "期数", cell(SESSIONS), 10_000),
        );
        let items_label = ty
            .as_ref()
            .map(|t| field_label(t, RecordField::Items))
            .unwrap_or_else(|| "数量".into());
        let items = errs.take(
            ITEMS,
            text::parse_count("items", &items_label, cell(ITEMS), 1_000_000),
        );
        let outlet = errs.take(
            OUTLET,
            match cell(OUTLET).trim() {
                "" => Ok(None),
                t => OutletLevel::parse(t).map(Some),
            },
        );
        let mut ok = errs.list.is_empty();
        errs.flush(main, r.row, &mut faults);
        if future {
            faults.push(main.error(r.row, Some(HELD_ON), "开展日期不能晚于今天"));
        }
        // Attendance: members of the record's organization (or below it) on the roster.
        let mut attendance: Option<Vec<Attendance>> = None;
        if let (Some(org), Some(ty), Some(rows)) = (&org, &ty, keyed.details.get(seq)) {
            let a_table = att.expect("details come from the attendance sheet");
            let mut list = Vec::with_capacity(rows.len());
            let mut seen = HashSet::new();
            if !ty.has(RecordField::Attendees) {
                faults.push(a_table.error(
                    rows[0].row,
                    Some(A_SEQ),
                    format!("“{}”类纪实不登记参加人员", ty.name),
                ));
                ok = false;
            }
            for a in rows {
                let a_fault = |col: usize, m: String| a_table.error(a.row, Some(col), m);
                let code = match a.cells[A_ORG].trim() {
                    "" => org.code.clone(),
                    c => c.to_string(),
                };
                let member_org = match orgs.get(&code).await? {
                    Ok(o) if org.path.covers(&o.path) => Some(o),
                    Ok(_) => {
                        faults.push(a_fault(
                            A_ORG,
                            "参会党员应为本组织或其下级组织的党员".into(),
                        ));
                        None
                    }
                    Err(m) => {
                        faults.push(a_fault(A_ORG, m));
                        None
                    }
                };
                let name = a.cells[A_NAME].trim().to_string();
                if name.is_empty() {
                    faults.push(a_fault(A_NAME, "请填写党员姓名".into()));
                }
                let present = match parse_present(&a.cells[A_PRESENT]) {
                    Ok(p) => Some(p),
                    Err(m) => {
                        faults.push(a_fault(A_PRESENT, m));
                        None
                    }
                };
                let reason = match present.map(|p| absence_reason(p, &a.cells[A_REASON])) {
                    Some(Ok(r)) => Some(r),
                    Some(Err(e)) => {
                        faults.push(a_fault(A_REASON, e.message));
                        None
                    }
                    None => None,
                };
                let (Some(member_org), Some(present), Some(reason)) = (member_org, present, reason)
                else {
                    ok = false;
                    continue;
                };
                if name.is_empty() {
                    ok = false;
                    continue;
                }
                if let std::collections::hash_map::Entry::Vacant(slot) =
                    rosters.entry(member_org.id)
                {
                    slot.insert(state.store.members_of_org(member_org.id).await?);
                }
                let same: Vec<&Member> = rosters[&member_org.id]
                    .iter()
                    .filter(|m| m.name == name)
                    .collect();
                let member = match same.as_slice() {
                    [one] => one,
                    [] => {
                        faults.push(a_fault(
                            A_NAME,
                            format!("“{}”的党员名册中没有“{name}”", member_org.name),
                        ));
                        ok = false;
                        continue;
                    }
                    _ => {
                        faults.push(a_fault(
                            A_NAME,
                            format!(
                                "“{}”有{}名党员叫“{name}”，无法区分，请在系统中登记该纪实的参会情况",
                                member_org.name,
                                same.len()
                            ),
                        ));
                        ok = false;
                        continue;
                    }
                };
                if !seen.insert(member.id) {
                    faults.push(a_fault(A_NAME, format!("“{name}”重复登记")));
                    ok = false;
                    continue;
                }
                list.push(Attendance {
                    member_id: member.id,
                    present,
                    absence_reason: reason,
                });
            }
            attendance = Some(list);
        }
        if !ok {
            continue;
        }
        let (Some(org), Some(ty), Some(held_on)) = (org, ty, held_on) else {
            continue;
        };
        let values = RecordValues {
            title: cell(TITLE).to_string(),
            held_on,
            place: cell(PLACE).to_string(),
            host: cell(HOST).to_string(),
            recorder: cell(RECORDER).to_string(),
            person_times: person_times.flatten(),
            hours: hours.flatten(),
            sessions: sessions.flatten(),
            items: items.flatten(),
            outlet_level: outlet.flatten(),
            content: cell(CONTENT).to_string(),
        };
        match values.check(&ty, today) {
            Ok(_) if future => {}
            Ok(values) => planned.push((
                r.row,
                NewRecord {
                    org_id: org.id,
                    type_code: ty.code.clone(),
                    values,
                    attendance,
                },
            )),
            Err(e) => faults.push(main.error(r.row, column_of(e.field), e.message)),
        }
    }
    faults.into_result(())?;
    let rows: Vec<u32> = planned.iter().map(|(row, _)| *row).collect();
    let news: Vec<NewRecord> = planned.into_iter().map(|(_, new)| new).collect();
    let summary = ImportSummary {
        created: news.len(),
        details: news
            .iter()
            .map(|n| n.attendance.as_ref().map_or(0, Vec::len))
            .sum(),
        lists: None,
    };
    // Thousands of rows: written together (each record still audited on its own).
    let mut tx = state.store.begin_write().await?;
    if let Err(refusals) = tx.create_records(news, &user.actor()).await? {
        let mut late = Faults::default();
        for (i, e) in refusals {
            let e = refused(e)?;
            late.push(main.error(rows[i], column_of(e.field), e.message));
        }
        return late.into_result(summary);
    }
    tx.commit().await?;
    Ok(summary)
}
