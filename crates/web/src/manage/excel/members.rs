//! 党员名册: one row per member, no second sheet.

use super::sheet::{info, opt, req, Col, Value};
use super::{
    read_keyed, refused, too_many, CellFaults, Download, Faults, ImportError, ImportSummary,
    OrgBook, Workbook,
};
use crate::api::records::optional_day;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::AppState;
use zeren_domain::date::Day;
use zeren_domain::members::{MemberStatus, MemberValues};
use zeren_domain::permissions::Action;
use zeren_storage::{MemberQuery, NewMember, Org};

pub const LEDGER: &str = "党员名册";
pub const SHEET: &str = "党员名册";

const ORG: usize = 1;
const NAME: usize = 3;
const GENDER: usize = 4;
const BIRTH: usize = 5;
const JOINED: usize = 6;
const FULL: usize = 7;
const STATUS: usize = 8;
const EDUCATION: usize = 9;
const POST: usize = 10;
const PHONE: usize = 11;

pub const COLS: [Col; 12] = [
    req("序号", 6.0),
    req("组织编码", 12.0),
    info("组织名称", 18.0),
    req("姓名", 10.0),
    opt("性别", 6.0),
    opt("出生日期", 12.0),
    opt("入党日期", 12.0),
    opt("转正日期", 12.0),
    req("党员状态", 10.0),
    opt("学历", 10.0),
    opt("职务", 16.0),
    opt("联系电话", 14.0),
];

fn column_of(field: &str) -> Option<usize> {
    Some(match field {
        "org" => ORG,
        "name" => NAME,
        "gender" => GENDER,
        "birth_date" => BIRTH,
        "joined_on" => JOINED,
        "full_on" => FULL,
        "status" => STATUS,
        "education" => EDUCATION,
        "post" => POST,
        "phone" => PHONE,
        _ => return None,
    })
}

/// Which members to export: the filters of the roster.
#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    pub org: Option<Org>,
    pub status: Option<MemberStatus>,
    pub name: Option<String>,
}

/// The roster the user sees under the filter (voided entries left out), by organization.
pub async fn export(
    state: &AppState,
    user: &CurrentUser,
    f: MemberFilter,
) -> Result<Download, AppError> {
    let roots = match &f.org {
        Some(o) => vec![o.path.clone()],
        None => user.perms.scope(Action::ViewOrgs).roots,
    };
    let mut q = MemberQuery {
        roots,
        status: f.status,
        name: f.name.clone(),
        include_voided: false,
        limit: 1000,
        offset: 0,
    };
    let mut members = Vec::new();
    loop {
        let page = state.store.members(&q).await?;
        if page.total > super::sheet::MAX_ROWS as i64 {
            return Err(too_many(page.total).into());
        }
        let n = page.rows.len() as i64;
        members.extend(page.rows);
        if n == 0 || members.len() as i64 >= page.total {
            break;
        }
        q.offset += n;
    }
    let rows = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            vec![
                Value::Int(i as i64 + 1),
                (&m.org_code).into(),
                (&m.org_name).into(),
                (&m.name).into(),
                (&m.gender).into(),
                (&m.birth_date).into(),
                (&m.joined_on).into(),
                (&m.full_on).into(),
                m.status_label().into(),
                (&m.education).into(),
                (&m.post).into(),
                (&m.phone).into(),
            ]
        })
        .collect();
    super::ledger_download(
        state,
        user,
        f.org.as_ref(),
        LEDGER,
        (SHEET, &COLS, rows),
        None,
    )
    .await
}

/// Imports roster entries: every row checked first, then all written in one transaction.
pub async fn import(
    state: &AppState,
    user: &CurrentUser,
    bytes: Vec<u8>,
) -> Result<ImportSummary, ImportError> {
    let Workbook {
        main,
        keyed,
        mut faults,
        ..
    } = read_keyed(bytes, (SHEET, &COLS[..]), None).await?;
    let main = &main;
    let mut orgs = OrgBook::new(state, user, "党员");
    let today = Day::today();
    let mut planned = Vec::with_capacity(keyed.main.len());
    for (_, r) in &keyed.main {
        let cell = |i: usize| r.cells[i].as_str();
        let mut errs = CellFaults::default();
        let org = match orgs.get(cell(ORG)).await? {
            Ok(o) => Some(o),
            Err(m) => errs.add(ORG, m),
        };
        let birth = errs.take(BIRTH, optional_day("birth_date", Some(cell(BIRTH))));
        let joined = errs.take(JOINED, optional_day("joined_on", Some(cell(JOINED))));
        let full = errs.take(FULL, optional_day("full_on", Some(cell(FULL))));
        let status = errs.take(STATUS, MemberStatus::parse(cell(STATUS)));
        let complete = errs.list.is_empty();
        errs.flush(main, r.row, &mut faults);
        let (true, Some(org), Some(birth), Some(joined), Some(full), Some(status)) =
            (complete, org, birth, joined, full, status)
        else {
            continue;
        };
        let values = MemberValues {
            name: cell(NAME).to_string(),
            gender: cell(GENDER).to_string(),
            birth_date: birth,
            joined_on: joined,
            full_on: full,
            status,
            education: cell(EDUCATION).to_string(),
            post: cell(POST).to_string(),
            phone: cell(PHONE).to_string(),
        };
        match values.check(today) {
            Ok(values) => planned.push((
                r.row,
                NewMember {
                    org_id: org.id,
                    values,
                },
            )),
            Err(e) => faults.push(main.error(r.row, column_of(e.field), e.message)),
        }
    }
    faults.into_result(())?;
    let actor = user.actor();
    let mut tx = state.store.begin_write().await?;
    let mut late = Faults::default();
    let mut summary = ImportSummary::default();
    for (row, new) in planned {
        match tx.create_member(new, &actor).await {
            Ok(_) => summary.created += 1,
            Err(e) => {
                let e = refused(e)?;
                late.push(main.error(row, column_of(e.field), e.message));
            }
        }
    }
    late.into_result(())?;
    tx.commit().await?;
    Ok(summary)
}
