//! 责任清单台账: one row per item, with its list's organization, year, kind and title
//! repeated (rows sharing them make one list, created in the order they first appear); the
//! 路线图 is one cell with a line per step; progress reports (季度调度) on the sheet 调度进展,
//! one row per report keyed by 事项序号. An item with a 量化指标 gets its status from its
//! metric after the import, as always; one without a target cannot be marked 已完成 by a
//! workbook (销项 needs evidence or a linked record).

use super::sheet::{info, long, opt, req, Col, Value};
use super::{
    read_keyed, refused, too_many, CellFaults, Download, Faults, ImportError, ImportSummary,
    OrgBook, Workbook,
};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::manage::problems::{OwnerBook, OwnerInput};
use crate::AppState;
use zeren_domain::date::Day;
use zeren_domain::lists::{self as rules, ItemStatus, ListKind, Recurrence};
use zeren_domain::org::OrgPath;
use zeren_domain::permissions::{Action, Scope};
use zeren_domain::Invalid;
use zeren_storage::{ItemFields, NewList, Org};

pub const LEDGER: &str = "责任清单台账";
pub const SHEET: &str = "责任清单台账";
pub const PROGRESS_SHEET: &str = "调度进展";

const ORG: usize = 1;
const YEAR: usize = 3;
const KIND: usize = 4;
const TITLE: usize = 5;
const CATEGORY: usize = 6;
const DESCRIPTION: usize = 7;
const ITEM_ORG: usize = 8;
const OWNER: usize = 10;
const OWNER_ACCOUNT: usize = 11;
const DEADLINE: usize = 12;
const RECURRENCE: usize = 13;
const STEPS: usize = 14;
const METRIC: usize = 15;
const TARGET: usize = 16;
const STATUS: usize = 17;
const COMPLETED_ON: usize = 18;
const NOTE: usize = 19;

pub const COLS: [Col; 20] = [
    req("序号", 6.0),
    req("组织编码", 12.0),
    info("组织名称", 18.0),
    req("年度", 8.0),
    opt("清单类型", 10.0),
    req("清单名称", 24.0),
    req("类别", 10.0),
    long("任务内容", 40.0, true),
    opt("承办单位编码", 12.0),
    info("承办单位", 18.0),
    opt("责任领导", 10.0),
    opt("责任领导账号", 12.0),
    opt("完成时限", 12.0),
    opt("周期", 10.0),
    long("路线图", 40.0, false),
    opt("量化指标", 24.0),
    opt("目标值", 8.0),
    opt("完成状态", 10.0),
    opt("完成日期", 12.0),
    long("完成情况说明", 30.0, false),
];

const P_SEQ: usize = 0;
const P_ON: usize = 1;
const P_TEXT: usize = 2;

pub const PROGRESS_COLS: [Col; 3] = [
    req("事项序号", 10.0),
    req("报告日期", 12.0),
    long("进展情况", 60.0, true),
];

fn column_of(field: &str) -> Option<usize> {
    Some(match field {
        "org" => ITEM_ORG,
        "year" => YEAR,
        "kind" => KIND,
        "title" => TITLE,
        "category" => CATEGORY,
        "description" => DESCRIPTION,
        "owner" => OWNER_ACCOUNT,
        "deadline" => DEADLINE,
        "recurrence" => RECURRENCE,
        "steps" => STEPS,
        "target_metric" => METRIC,
        "target_value" => TARGET,
        "status" => STATUS,
        _ => return None,
    })
}

/// Which lists to export: the filters of the lists API.
#[derive(Debug, Clone, Default)]
pub struct ListExport {
    pub org: Option<Org>,
    pub year: Option<i32>,
}

/// Every live item of the live lists the user sees under the filter, list by list, with
/// their progress reports (oldest first).
pub async fn export(
    state: &AppState,
    user: &CurrentUser,
    f: ListExport,
) -> Result<Download, AppError> {
    let scope = match &f.org {
        Some(o) => Scope {
            roots: vec![o.path.clone()],
        },
        None => user.perms.scope(Action::ViewOrgs),
    };
    let today = Day::today();
    let mut summaries = state.store.list_summaries(&scope, f.year, today).await?;
    // Oldest year first, as a ledger is read.
    summaries.sort_by_key(|s| s.list.year);
    let total: i64 = summaries.iter().map(|s| s.items).sum();
    if total > super::sheet::MAX_ROWS as i64 {
        return Err(too_many(total).into());
    }
    let mut main = Vec::new();
    let mut details = Vec::new();
    let mut seq = 0;
    for s in &summaries {
        for v in state.store.list_items(s.list.id).await? {
            seq += 1;
            let i = &v.item;
            let target = i.has_target();
            main.push(vec![
                Value::Int(seq),
                (&s.org_code).into(),
                (&s.org_name).into(),
                Value::Int(s.list.year),
                s.list.kind.label().into(),
                (&s.list.title).into(),
                (&i.category).into(),
                (&i.description).into(),
                (&v.org_code).into(),
                (&v.org_name).into(),
                v.owner
                    .as_ref()
                    .map(|o| o.name.clone())
                    .unwrap_or_default()
                    .into(),
                v.owner
                    .as_ref()
                    .map(|o| o.username.clone())
                    .unwrap_or_default()
                    .into(),
                (&i.deadline).into(),
                i.recurrence.label().into(),
                (&i.steps).into(),
                (&i.target_metric).into(),
                i.target_value.into(),
                i.status.label().into(),
                if target {
                    Value::Empty
                } else {
                    (&i.completed_on).into()
                },
                (&i.completion_note).into(),
            ]);
            let mut reports = state.store.item_progress(i.id).await?;
            reports.reverse();
            for p in reports {
                details.push(vec![
                    Value::Int(seq),
                    (&p.progress.reported_on).into(),
                    (&p.progress.text).into(),
                ]);
            }
        }
    }
    super::ledger_download(
        state,
        user,
        f.org.as_ref(),
        LEDGER,
        (SHEET, &COLS, main),
        Some(((PROGRESS_SHEET, &PROGRESS_COLS, details), "调度进展")),
    )
    .await
}

/// A list as rows name it.
#[derive(Debug, Clone, PartialEq)]
struct ListKey {
    org_id: i64,
    org_path: OrgPath,
    year: i32,
    kind: ListKind,
    title: String,
}

struct PlannedItem {
    row: u32,
    list: usize,
    fields: ItemFields,
    progress: Vec<(u32, Day, String)>,
}

/// Imports lists, their items and progress reports: every row checked first, then all
/// written in one transaction; target items then take their status from their metrics.
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
        Some((PROGRESS_SHEET, &PROGRESS_COLS[..], P_SEQ)),
    )
    .await?;
    let main = &main;
    let sub = details.as_ref();
    let categories = state.store.list_categories().await?;
    let catalog = state.store.metric_catalog().await?;
    let book = OwnerBook::load(state, user).await?;
    let mut orgs = OrgBook::new(state, user, "清单");
    let today = Day::today();
    let mut lists: Vec<ListKey> = Vec::new();
    let mut planned: Vec<PlannedItem> = Vec::new();
    for (seq, r) in &keyed.main {
        let cell = |i: usize| r.cells[i].as_str();
        let mut errs = CellFaults::default();
        let org = match orgs.get(cell(ORG)).await? {
            Ok(o) => Some(o),
            Err(m) => errs.add(ORG, m),
        };
        let year = errs.take(YEAR, rules::parse_year("year", cell(YEAR)));
        let kind = errs.take(
            KIND,
            match cell(KIND).trim() {
                "" => Ok(ListKind::Responsibility),
                t => ListKind::parse(t),
            },
        );
        let title = errs.take(TITLE, rules::parse_title(cell(TITLE)));
        let category = match cell(CATEGORY).trim() {
            "" => errs.add(CATEGORY, "请填写类别".into()),
            c if categories.iter().any(|k| k == c) => Some(c.to_string()),
            c => {
                let short: String = c.chars().take(20).collect();
                errs.add(
                    CATEGORY,
                    format!("没有名为“{short}”的类别，应为：{}", categories.join("、")),
                )
            }
        };
        let description = errs.take(DESCRIPTION, rules::parse_description(cell(DESCRIPTION)));
        let item_org = match (cell(ITEM_ORG).trim(), &org) {
            ("", Some(o)) => Some(o.clone()),
            ("", None) => None,
            (code, _) => match orgs.get(code).await? {
                Ok(o) => match &org {
                    Some(lo) if !lo.path.covers(&o.path) => {
                        errs.add(ITEM_ORG, "承办单位应为本清单所属组织或其下级组织".into())
                    }
                    _ => Some(o),
                },
                Err(m) => errs.add(ITEM_ORG, m),
            },
        };
        let owner = match (cell(OWNER_ACCOUNT).trim(), cell(OWNER).trim()) {
            ("", "") => Some(None),
            ("", name) => match book.resolve(&OwnerInput::Guess(name.to_string())) {
                Ok((Some(id), _)) => Some(Some(id)),
                Ok((None, _)) => errs.add(
                    OWNER,
                    format!(
                        "找不到名为“{name}”的账户（或有重名），请在“责任领导账号”列填写其用户名"
                    ),
                ),
                Err(e) => errs.add(OWNER, e.message),
            },
            (username, _) => match book.resolve(&OwnerInput::Username(username.to_string())) {
                Ok((id, _)) => Some(id),
                Err(e) => errs.add(OWNER_ACCOUNT, e.message),
            },
        };
        let deadline = match cell(DEADLINE).trim() {
            "" => Some(None),
            t => errs.take(
                DEADLINE,
                Day::parse("deadline", t).and_then(|d| match year {
                    Some(y) => rules::check_deadline(d, y).map(Some),
                    None => Ok(Some(d)),
                }),
            ),
        };
        let recurrence = errs.take(RECURRENCE, Recurrence::parse(cell(RECURRENCE)));
        let steps = errs.take(STEPS, rules::parse_steps(cell(STEPS)));
        let target = match errs.take(METRIC, rules::parse_target(cell(METRIC), cell(TARGET))) {
            Some(Some((name, _))) if !catalog.iter().any(|m| m.name == name) => {
                let short: String = name.chars().take(40).collect();
                errs.add(METRIC, format!("没有名为“{short}”的指标"))
            }
            other => other,
        };
        let status = errs.take(
            STATUS,
            match cell(STATUS).trim() {
                "" => Ok(ItemStatus::Open),
                t => ItemStatus::parse(t),
            },
        );
        // Without a target, 已完成 needs evidence: refused. With one, the metric decides and
        // the completion columns are the system's.
        if let (Some(None), Some(status)) = (&target, status) {
            if status == ItemStatus::Done {
                errs.list.push((
                    Some(STATUS),
                    "没有量化指标的事项须上传完成佐证材料（或关联工作纪实）后在系统中销项，\
                     不能通过导入标记已完成；请填写“推进中”"
                        .into(),
                ));
            } else {
                for (col, what) in [(COMPLETED_ON, "完成日期"), (NOTE, "完成情况说明")] {
                    if !cell(col).trim().is_empty() {
                        errs.list
                            .push((Some(col), format!("推进中的事项没有{what}，请清空此格")));
                    }
                }
            }
        }
        let mut ok = errs.list.is_empty();
        errs.flush(main, r.row, &mut faults);
        let mut progress = Vec::new();
        if let Some(rows) = keyed.details.get(seq) {
            let p_table = sub.expect("details come from the progress sheet");
            for p in rows {
                let mut perrs = CellFaults::default();
                let on = perrs.take(
                    P_ON,
                    Day::parse("reported_on", &p.cells[P_ON]).and_then(|d| {
                        if d > today {
                            Err(Invalid::new("reported_on", "调度日期不能晚于今天"))
                        } else {
                            Ok(d)
                        }
                    }),
                );
                let text = perrs.take(P_TEXT, rules::parse_progress_text(&p.cells[P_TEXT]));
                ok &= perrs.list.is_empty();
                perrs.flush(p_table, p.row, &mut faults);
                if let (Some(on), Some(text)) = (on, text) {
                    progress.push((p.row, on, text));
                }
            }
        }
        if !ok {
            continue;
        }
        let (
            Some(org),
            Some(year),
            Some(kind),
            Some(title),
            Some(category),
            Some(description),
            Some(item_org),
            Some(owner),
            Some(deadline),
            Some(recurrence),
            Some(steps),
            Some(target),
        ) = (
            org,
            year,
            kind,
            title,
            category,
            description,
            item_org,
            owner,
            deadline,
            recurrence,
            steps,
            target,
        )
        else {
            continue;
        };
        let key = ListKey {
            org_id: org.id,
            org_path: org.path.clone(),
            year,
            kind,
            title,
        };
        let list = match lists.iter().position(|l| *l == key) {
            Some(i) => i,
            None => {
                lists.push(key);
                lists.len() - 1
            }
        };
        planned.push(PlannedItem {
            row: r.row,
            list,
            fields: ItemFields {
                category,
                description,
                owner_account_id: owner,
                org_id: item_org.id,
                deadline,
                recurrence,
                steps,
                target,
            },
            progress,
        });
    }
    faults.into_result(())?;
    let actor = user.actor();
    let mut tx = state.store.begin_write().await?;
    let mut late = Faults::default();
    let mut list_ids = Vec::with_capacity(lists.len());
    for (i, l) in lists.iter().enumerate() {
        let first = planned.iter().find(|p| p.list == i).map_or(0, |p| p.row);
        match tx
            .create_list(
                NewList {
                    org_id: l.org_id,
                    year: l.year,
                    kind: l.kind,
                    title: l.title.clone(),
                },
                &actor,
            )
            .await
        {
            Ok(created) => list_ids.push(Some(created.id)),
            Err(e) => {
                let e = refused(e)?;
                late.push(main.error(first, column_of(e.field).or(Some(TITLE)), e.message));
                list_ids.push(None);
            }
        }
    }
    let mut summary = ImportSummary {
        lists: Some(lists.len()),
        ..Default::default()
    };
    for p in planned {
        let Some(list_id) = list_ids[p.list] else {
            continue;
        };
        let item = match tx.create_item(list_id, p.fields, &actor).await {
            Ok(item) => item,
            Err(e) => {
                let e = refused(e)?;
                late.push(main.error(p.row, column_of(e.field), e.message));
                continue;
            }
        };
        summary.created += 1;
        for (row, on, text) in &p.progress {
            match tx.add_progress(item.id, *on, text, &actor).await {
                Ok(_) => summary.details += 1,
                Err(e) => {
                    let e = refused(e)?;
                    let col = if e.field == "reported_on" {
                        P_ON
                    } else {
                        P_TEXT
                    };
                    late.push(
                        sub.expect("progress sheet")
                            .error(*row, Some(col), e.message),
                    );
                }
            }
        }
    }
    late.into_result(())?;
    tx.commit().await?;
    // Target items: done when their metric reaches the target, as after any change.
    for l in &lists {
        crate::manage::lists::refresh_targets(state, &l.org_path, l.year).await;
    }
    Ok(summary)
}
