//! 问题整改台账: one row per problem; its measures (整改措施) on the sheet 整改措施, one row
//! per measure keyed by 问题序号, with owner, deadline and completion. The status is
//! reproduced through the moves a user makes: measures marked done (which starts the
//! rectification), 开始整改, 提交销号审核. 销号 needs evidence and a second person, so a row
//! marked 已销号 is refused.

use super::sheet::{info, long, opt, req, Col, Value};
use super::{
    read_keyed, refused, too_many, CellFaults, Download, Faults, ImportError, ImportSummary,
    OrgBook, Workbook,
};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::manage::problems::{OwnerBook, OwnerInput};
use crate::AppState;
use std::collections::HashMap;
use zeren_domain::date::Day;
use zeren_domain::permissions::Action;
use zeren_domain::problems::{self as rules, ProblemStatus, Transition};
use zeren_domain::Invalid;
use zeren_storage::{NewMeasure, NewProblem, Org, ProblemFilter};

pub const LEDGER: &str = "问题整改台账";
pub const SHEET: &str = "问题整改台账";
pub const MEASURE_SHEET: &str = "整改措施";

const ORG: usize = 1;
const SOURCE: usize = 3;
const CATEGORY: usize = 4;
const DESCRIPTION: usize = 5;
const FOUND_ON: usize = 6;
const STATUS: usize = 7;
const CLOSED_ON: usize = 8;
const CLOSE_NOTE: usize = 9;

pub const COLS: [Col; 10] = [
    req("序号", 6.0),
    req("组织编码", 12.0),
    info("组织名称", 18.0),
    req("问题来源", 14.0),
    opt("问题类别", 10.0),
    long("问题描述", 50.0, true),
    req("发现日期", 12.0),
    opt("整改状态", 12.0),
    opt("销号日期", 12.0),
    long("销号说明", 24.0, false),
];

const M_SEQ: usize = 0;
const M_TEXT: usize = 1;
const M_OWNER: usize = 2;
const M_ACCOUNT: usize = 3;
const M_DEADLINE: usize = 4;
const M_DONE: usize = 5;
const M_DONE_ON: usize = 6;
const M_NOTE: usize = 7;

pub const MEASURE_COLS: [Col; 8] = [
    req("问题序号", 10.0),
    long("整改措施", 50.0, true),
    opt("责任人", 10.0),
    opt("责任人账号", 12.0),
    req("整改时限", 12.0),
    opt("完成情况", 10.0),
    opt("完成日期", 12.0),
    long("完成说明", 30.0, false),
];

fn column_of(field: &str) -> Option<usize> {
    Some(match field {
        "org" => ORG,
        "source" => SOURCE,
        "category" => CATEGORY,
        "description" => DESCRIPTION,
        "found_on" => FOUND_ON,
        "status" | "action" => STATUS,
        _ => return None,
    })
}

fn measure_column_of(field: &str) -> Option<usize> {
    Some(match field {
        "description" => M_TEXT,
        "owner" | "owner_name" => M_OWNER,
        "deadline" => M_DEADLINE,
        "date" => M_DONE_ON,
        "note" => M_NOTE,
        _ => return None,
    })
}

/// Which problems to export: the filters of the ledger.
#[derive(Debug, Clone, Default)]
pub struct ProblemExport {
    pub org: Option<Org>,
    pub source: Option<String>,
    pub status: Option<ProblemStatus>,
    pub overdue: bool,
    pub text: Option<String>,
    pub batch: Option<i64>,
}

/// The live problems the user sees under the filter, oldest first, with their live measures.
pub async fn export(
    state: &AppState,
    user: &CurrentUser,
    f: ProblemExport,
) -> Result<Download, AppError> {
    let today = Day::today();
    let mut filter = ProblemFilter::new(user.perms.scope(Action::ViewOrgs), today);
    filter.org = f.org.as_ref().map(|o| o.path.clone());
    filter.source = f.source.clone();
    filter.status = f.status;
    filter.overdue_only = f.overdue;
    filter.text = f.text.clone();
    filter.batch_id = f.batch;
    filter.per_page = 500;
    let mut problems = Vec::new();
    loop {
        let page = state.store.problems(&filter).await?;
        if page.total > super::sheet::MAX_ROWS as i64 {
            return Err(too_many(page.total).into());
        }
        let n = page.rows.len();
        problems.extend(page.rows);
        if n == 0 || problems.len() as i64 >= page.total {
            break;
        }
        filter.page += 1;
    }
    problems.sort_by(|a, b| (&a.found_on, a.id).cmp(&(&b.found_on, b.id)));
    let ids: Vec<i64> = problems.iter().map(|p| p.id).collect();
    let mut measures: HashMap<i64, Vec<zeren_storage::Measure>> = HashMap::new();
    for m in state.store.measures_of_problems(&ids).await? {
        measures.entry(m.problem_id).or_default().push(m);
    }
    let mut main = Vec::with_capacity(problems.len());
    let mut details = Vec::new();
    for (i, p) in problems.iter().enumerate() {
        let seq = i as i64 + 1;
        main.push(vec![
            Value::Int(seq),
            (&p.org_code).into(),
            (&p.org_name).into(),
            (&p.source_name).into(),
            (&p.category).into(),
            (&p.description).into(),
            (&p.found_on).into(),
            p.status.label().into(),
            (&p.closed_on).into(),
            (&p.close_note).into(),
        ]);
        for m in measures.remove(&p.id).unwrap_or_default() {
            details.push(vec![
                Value::Int(seq),
                (&m.description).into(),
                (&m.owner_display).into(),
                (&m.owner_username).into(),
                (&m.deadline).into(),
                m.status.label().into(),
                (&m.done_on).into(),
                (&m.note).into(),
            ]);
        }
    }
    super::ledger_download(
        state,
        user,
        f.org.as_ref(),
        LEDGER,
        (SHEET, &COLS, main),
        Some(((MEASURE_SHEET, &MEASURE_COLS, details), "整改措施")),
    )
    .await
}

/// A measure as it will be written, with its completion.
struct PlannedMeasure {
    row: u32,
    new: NewMeasure,
    done: Option<(Day, String)>,
}

struct PlannedProblem {
    row: u32,
    new: NewProblem,
    measures: Vec<PlannedMeasure>,
    status: ProblemStatus,
}

/// 未完成 / 已完成 as typed; empty is 未完成.
fn parse_done(text: &str) -> Result<bool, String> {
    match text.trim() {
        "" | "未完成" | "open" | "否" => Ok(false),
        "已完成" | "完成" | "done" | "是" => Ok(true),
        _ => Err("完成情况应为“未完成”或“已完成”".into()),
    }
}

/// Imports problems and their measures: every row checked first, then all written in one
/// transaction through the audited moves.
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
        Some((MEASURE_SHEET, &MEASURE_COLS[..], M_SEQ)),
    )
    .await?;
    let main = &main;
    let sub = details.as_ref();
    let sources = state.store.problem_sources().await?;
    let book = OwnerBook::load(state, user).await?;
    let mut orgs = OrgBook::new(state, user, "问题");
    let today = Day::today();
    let mut planned = Vec::with_capacity(keyed.main.len());
    for (seq, r) in &keyed.main {
        let cell = |i: usize| r.cells[i].as_str();
        let mut errs = CellFaults::default();
        let org = match orgs.get(cell(ORG)).await? {
            Ok(o) => Some(o),
            Err(m) => errs.add(ORG, m),
        };
        let source = match cell(SOURCE).trim() {
            "" => errs.add(SOURCE, "请填写问题来源".into()),
            t => match sources.iter().find(|(c, n)| c == t || n == t) {
                Some((c, _)) => Some(c.clone()),
                None => {
                    let short: String = t.chars().take(30).collect();
                    errs.add(
                        SOURCE,
                        format!(
                            "没有名为“{short}”的问题来源，应为：{}",
                            sources
                                .iter()
                                .map(|(_, n)| n.as_str())
                                .collect::<Vec<_>>()
                                .join("、")
                        ),
                    )
                }
            },
        };
        let category = errs.take(CATEGORY, rules::parse_category(cell(CATEGORY)));
        let description = errs.take(DESCRIPTION, rules::parse_description(cell(DESCRIPTION)));
        let found_on = errs.take(
            FOUND_ON,
            Day::parse("found_on", cell(FOUND_ON)).and_then(|d| {
                if d > today {
                    Err(Invalid::new("found_on", "发现日期不能晚于今天"))
                } else {
                    Ok(d)
                }
            }),
        );
        let status = match cell(STATUS).trim() {
            "" => Some(None),
            t => match ProblemStatus::parse(t) {
                Ok(ProblemStatus::Closed) => errs.add(
                    STATUS,
                    "“已销号”须在系统中上传整改佐证材料后由审核人销号，不能通过导入直接销号；\
                     请填写“已整改待审核”导入后再办理销号"
                        .into(),
                ),
                Ok(s) => Some(Some(s)),
                Err(_) => errs.add(STATUS, "整改状态应为待整改、整改中或已整改待审核".into()),
            },
        };
        for (col, what) in [(CLOSED_ON, "销号日期"), (CLOSE_NOTE, "销号说明")] {
            if !cell(col).trim().is_empty() && status.is_some() {
                errs.list.push((
                    Some(col),
                    format!("只有已销号的问题才有{what}，导入的问题尚未销号，请清空此格"),
                ));
            }
        }
        let mut ok = errs.list.is_empty();
        errs.flush(main, r.row, &mut faults);
        // The measures on the second sheet.
        let mut measures = Vec::new();
        if let Some(rows) = keyed.details.get(seq) {
            let m_table = sub.expect("details come from the measures sheet");
            for m in rows {
                let mc = |i: usize| m.cells[i].as_str();
                let mut merrs = CellFaults::default();
                let text = merrs.take(M_TEXT, rules::parse_measure_text(mc(M_TEXT)));
                let owner = if !mc(M_ACCOUNT).trim().is_empty() {
                    match book.resolve(&OwnerInput::Username(mc(M_ACCOUNT).to_string())) {
                        Ok(o) => Some(o),
                        Err(e) => merrs.add(M_ACCOUNT, e.message),
                    }
                } else {
                    merrs.take(
                        M_OWNER,
                        book.resolve(&OwnerInput::Name(mc(M_OWNER).to_string())),
                    )
                };
                let deadline = merrs.take(
                    M_DEADLINE,
                    Day::parse("deadline", mc(M_DEADLINE)).and_then(|d| match found_on {
                        Some(f) if d < f => {
                            Err(Invalid::new("deadline", "整改期限不能早于问题发现日期"))
                        }
                        _ => Ok(d),
                    }),
                );
                let done = match parse_done(mc(M_DONE)) {
                    Ok(true) => {
                        let on = merrs.take(
                            M_DONE_ON,
                            Day::parse("date", mc(M_DONE_ON)).and_then(|d| {
                                if d > today {
                                    Err(Invalid::new("date", "完成日期不能晚于今天"))
                                } else if found_on.is_some_and(|f| d < f) {
                                    Err(Invalid::new("date", "完成日期不能早于问题发现日期"))
                                } else {
                                    Ok(d)
                                }
                            }),
                        );
                        let note = merrs.take(M_NOTE, rules::parse_note(mc(M_NOTE)));
                        match (on, note) {
                            (Some(on), Some(note)) => Some(Some((on, note))),
                            _ => None,
                        }
                    }
                    Ok(false) => {
                        for (col, what) in [(M_DONE_ON, "完成日期"), (M_NOTE, "完成说明")] {
                            if !mc(col).trim().is_empty() {
                                merrs.list.push((
                                    Some(col),
                                    format!(
                                        "未完成的措施没有{what}；已完成请在“完成情况”填写“已完成”"
                                    ),
                                ));
                            }
                        }
                        Some(None)
                    }
                    Err(msg) => merrs.add(M_DONE, msg),
                };
                ok &= merrs.list.is_empty();
                merrs.flush(m_table, m.row, &mut faults);
                if let (
                    Some(text),
                    Some((owner_account_id, owner_name)),
                    Some(deadline),
                    Some(done),
                ) = (text, owner, deadline, done)
                {
                    measures.push(PlannedMeasure {
                        row: m.row,
                        new: NewMeasure {
                            description: text,
                            owner_account_id,
                            owner_name,
                            deadline,
                        },
                        done,
                    });
                }
            }
        }
        // The status the moves will reach, checked as the rules would.
        let any_done = measures.iter().any(|m| m.done.is_some());
        let all_done = !measures.is_empty() && measures.iter().all(|m| m.done.is_some());
        let status = match status.flatten() {
            None if any_done => ProblemStatus::InProgress,
            None => ProblemStatus::Pending,
            Some(ProblemStatus::Pending) if any_done => {
                faults.push(main.error(
                    r.row,
                    Some(STATUS),
                    "已有完成的整改措施，整改状态应为整改中（或已整改待审核）",
                ));
                ok = false;
                ProblemStatus::Pending
            }
            Some(ProblemStatus::AwaitingReview) if !all_done => {
                faults.push(main.error(
                    r.row,
                    Some(STATUS),
                    if measures.is_empty() {
                        "已整改待审核的问题须有整改措施（在“整改措施”表中填写）".to_string()
                    } else {
                        "已整改待审核的问题，其整改措施须全部已完成".to_string()
                    },
                ));
                ok = false;
                ProblemStatus::AwaitingReview
            }
            Some(s) => s,
        };
        if !ok {
            continue;
        }
        let (Some(org), Some(source), Some(category), Some(description), Some(found_on)) =
            (org, source, category, description, found_on)
        else {
            continue;
        };
        planned.push(PlannedProblem {
            row: r.row,
            new: NewProblem {
                org_id: org.id,
                source_code: source,
                category,
                description,
                found_on,
                record_id: None,
                measures: measures.iter().map(|m| m.new.clone()).collect(),
            },
            measures,
            status,
        });
    }
    faults.into_result(())?;
    let actor = user.actor();
    let mut tx = state.store.begin_write().await?;
    let mut late = Faults::default();
    let mut summary = ImportSummary::default();
    'problems: for p in planned {
        let created = match tx.create_problem(p.new, &actor).await {
            Ok(c) => c,
            Err(e) => {
                let e = refused(e)?;
                late.push(main.error(p.row, column_of(e.field), e.message));
                continue;
            }
        };
        let ids = tx.measure_ids(created.id).await?;
        for (m, id) in p.measures.iter().zip(ids) {
            if let Some((on, note)) = &m.done {
                if let Err(e) = tx.complete_measure(id, *on, note, &actor).await {
                    let e = refused(e)?;
                    late.push(sub.expect("measures sheet").error(
                        m.row,
                        measure_column_of(e.field),
                        e.message,
                    ));
                    continue 'problems;
                }
            }
        }
        summary.created += 1;
        summary.details += p.measures.len();
        let moves: &[Transition] = match p.status {
            ProblemStatus::InProgress if !p.measures.iter().any(|m| m.done.is_some()) => {
                &[Transition::Start]
            }
            ProblemStatus::AwaitingReview => &[Transition::Submit],
            _ => &[],
        };
        for t in moves {
            if let Err(e) = tx
                .move_problem(created.id, *t, Day::today(), "", &actor)
                .await
            {
                let e = refused(e)?;
                late.push(main.error(p.row, Some(STATUS), e.message));
            }
        }
    }
    late.into_result(())?;
    tx.commit().await?;
    Ok(summary)
}
