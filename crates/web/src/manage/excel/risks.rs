//! 廉政风险点台账: one row per risk point; its control measures (防控措施) on the sheet 防控措施,
//! one row per measure keyed by 风险点序号. The level is checked against the scores as in the
//! form; a 复核日期 is recorded as the yearly review.

use super::sheet::{info, long, opt, req, Col, Value};
use super::{
    read_keyed, refused, too_many, CellFaults, Download, Faults, ImportError, ImportSummary,
    OrgBook, Workbook,
};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::manage::risks::{
    parse_description, parse_level, parse_measure, parse_score, parse_subject,
};
use crate::AppState;
use std::collections::HashMap;
use zeren_domain::date::Day;
use zeren_domain::permissions::Action;
use zeren_domain::risks::{RiskLevel, SubjectKind};
use zeren_domain::Invalid;
use zeren_storage::{NewRisk, Org, RiskFilter};

pub const LEDGER: &str = "廉政风险点台账";
pub const SHEET: &str = "廉政风险点台账";
pub const MEASURE_SHEET: &str = "防控措施";

const ORG: usize = 1;
const KIND: usize = 3;
const SUBJECT: usize = 4;
const DESCRIPTION: usize = 5;
const LEVEL: usize = 6;
const LIKELIHOOD: usize = 7;
const IMPACT: usize = 8;
const IDENTIFIED: usize = 9;
const REVIEWED: usize = 10;

pub const COLS: [Col; 11] = [
    req("序号", 6.0),
    req("组织编码", 12.0),
    info("组织名称", 18.0),
    req("风险主体类型", 12.0),
    req("风险主体", 16.0),
    long("风险描述", 50.0, true),
    opt("风险等级", 10.0),
    opt("发生可能性", 10.0),
    opt("影响程度", 10.0),
    req("识别日期", 12.0),
    opt("复核日期", 12.0),
];

const M_SEQ: usize = 0;
const M_TEXT: usize = 1;
const M_OWNER: usize = 2;

pub const MEASURE_COLS: [Col; 3] = [
    req("风险点序号", 10.0),
    long("防控措施", 60.0, true),
    opt("责任人", 12.0),
];

fn column_of(field: &str) -> Option<usize> {
    Some(match field {
        "org" => ORG,
        "subject_kind" => KIND,
        "subject" => SUBJECT,
        "description" => DESCRIPTION,
        "level" => LEVEL,
        "likelihood" => LIKELIHOOD,
        "impact" => IMPACT,
        "identified_on" => IDENTIFIED,
        "date" => REVIEWED,
        _ => return None,
    })
}

/// Which risk points to export: the filters of the register.
#[derive(Debug, Clone, Default)]
pub struct RiskExport {
    pub org: Option<Org>,
    pub year: Option<i32>,
    pub kind: Option<SubjectKind>,
    pub level: Option<RiskLevel>,
}

/// The live risk points the user sees under the filter, oldest first, with their live
/// control measures.
pub async fn export(
    state: &AppState,
    user: &CurrentUser,
    f: RiskExport,
) -> Result<Download, AppError> {
    let mut filter = RiskFilter::new(user.perms.scope(Action::ViewOrgs));
    filter.org = f.org.as_ref().map(|o| o.path.clone());
    filter.year = f.year;
    filter.kind = f.kind;
    filter.level = f.level;
    filter.per_page = 500;
    let mut risks = Vec::new();
    loop {
        let page = state.store.risks(&filter).await?;
        if page.total > super::sheet::MAX_ROWS as i64 {
            return Err(too_many(page.total).into());
        }
        let n = page.rows.len();
        risks.extend(page.rows);
        if n == 0 || risks.len() as i64 >= page.total {
            break;
        }
        filter.page += 1;
    }
    risks.sort_by(|a, b| (a.org_path.as_str(), a.id).cmp(&(b.org_path.as_str(), b.id)));
    let ids: Vec<i64> = risks.iter().map(|r| r.id).collect();
    let mut measures: HashMap<i64, Vec<zeren_storage::RiskMeasure>> = HashMap::new();
    for m in state.store.measures_of_risks(&ids).await? {
        measures.entry(m.risk_id).or_default().push(m);
    }
    let mut main = Vec::with_capacity(risks.len());
    let mut details = Vec::new();
    for (i, r) in risks.iter().enumerate() {
        let seq = i as i64 + 1;
        main.push(vec![
            Value::Int(seq),
            (&r.org_code).into(),
            (&r.org_name).into(),
            r.subject_kind.label().into(),
            (&r.subject).into(),
            (&r.description).into(),
            r.level.label().into(),
            r.likelihood.into(),
            r.impact.into(),
            (&r.identified_on).into(),
            (&r.reviewed_on).into(),
        ]);
        for m in measures.remove(&r.id).unwrap_or_default() {
            details.push(vec![
                Value::Int(seq),
                (&m.description).into(),
                (&m.owner).into(),
            ]);
        }
    }
    super::ledger_download(
        state,
        user,
        f.org.as_ref(),
        LEDGER,
        (SHEET, &COLS, main),
        Some(((MEASURE_SHEET, &MEASURE_COLS, details), "防控措施")),
    )
    .await
}

/// Imports risk points and their control measures: every row checked first, then all written
/// in one transaction.
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
    let mut orgs = OrgBook::new(state, user, "廉政风险点");
    let today = Day::today();
    let mut planned = Vec::with_capacity(keyed.main.len());
    for (seq, r) in &keyed.main {
        let cell = |i: usize| r.cells[i].as_str();
        let mut errs = CellFaults::default();
        let org = match orgs.get(cell(ORG)).await? {
            Ok(o) => Some(o),
            Err(m) => errs.add(ORG, m),
        };
        let kind = errs.take(KIND, SubjectKind::parse(cell(KIND)));
        let subject = errs.take(SUBJECT, parse_subject(cell(SUBJECT)));
        let description = errs.take(DESCRIPTION, parse_description(cell(DESCRIPTION)));
        let likelihood = errs.take(
            LIKELIHOOD,
            parse_score("likelihood", "发生可能性", cell(LIKELIHOOD)),
        );
        let impact = errs.take(IMPACT, parse_score("impact", "影响程度", cell(IMPACT)));
        let level = match (likelihood, impact) {
            (Some(l), Some(i)) => match parse_level(cell(LEVEL), l, i) {
                Ok(v) => Some(v),
                Err(e) => errs.add(column_of(e.field).unwrap_or(LEVEL), e.message),
            },
            _ => None,
        };
        let identified = errs.take(
            IDENTIFIED,
            Day::parse("identified_on", cell(IDENTIFIED)).and_then(|d| {
                if d > today {
                    Err(Invalid::new("identified_on", "识别日期不能晚于今天"))
                } else {
                    Ok(d)
                }
            }),
        );
        let reviewed = match cell(REVIEWED).trim() {
            "" => Some(None),
            t => errs.take(
                REVIEWED,
                Day::parse("date", t).and_then(|d| {
                    if d > today {
                        Err(Invalid::new("date", "复核日期不能晚于今天"))
                    } else if identified.is_some_and(|i| d < i) {
                        Err(Invalid::new("date", "复核日期不能早于识别日期"))
                    } else {
                        Ok(Some(d))
                    }
                }),
            ),
        };
        let mut ok = errs.list.is_empty();
        errs.flush(main, r.row, &mut faults);
        let mut measures = Vec::new();
        if let Some(rows) = keyed.details.get(seq) {
            let m_table = sub.expect("details come from the measures sheet");
            for m in rows {
                match parse_measure(&m.cells[M_TEXT], &m.cells[M_OWNER]) {
                    Ok(nm) => measures.push(nm),
                    Err(e) => {
                        let col = if e.field == "owner" { M_OWNER } else { M_TEXT };
                        faults.push(m_table.error(m.row, Some(col), e.message));
                        ok = false;
                    }
                }
            }
        }
        if !ok {
            continue;
        }
        let (
            Some(org),
            Some(kind),
            Some(subject),
            Some(description),
            Some((level, likelihood, impact)),
            Some(identified),
            Some(reviewed),
        ) = (org, kind, subject, description, level, identified, reviewed)
        else {
            continue;
        };
        planned.push((
            r.row,
            NewRisk {
                org_id: org.id,
                subject_kind: kind,
                subject,
                description,
                level,
                likelihood,
                impact,
                identified_on: identified,
                measures,
            },
            reviewed,
        ));
    }
    faults.into_result(())?;
    let actor = user.actor();
    let mut tx = state.store.begin_write().await?;
    let mut late = Faults::default();
    let mut summary = ImportSummary::default();
    for (row, new, reviewed) in planned {
        let n = new.measures.len();
        let created = match tx.create_risk(new, &actor).await {
            Ok(c) => c,
            Err(e) => {
                let e = refused(e)?;
                late.push(main.error(row, column_of(e.field), e.message));
                continue;
            }
        };
        if let Some(on) = reviewed {
            if let Err(e) = tx.review_risk(created.id, on, &actor).await {
                let e = refused(e)?;
                late.push(main.error(row, Some(REVIEWED), e.message));
                continue;
            }
        }
        summary.created += 1;
        summary.details += n;
    }
    late.into_result(())?;
    tx.commit().await?;
    Ok(summary)
}
