//! 工作纪实: the records list with its filters, the form whose fields follow the chosen type
//! (with the attendance checklist of the organization's members), the record page with its
//! evidence files, linked list items, findings and history.

use super::{
    indented_choices, notice_text, render, render_status, FieldError, Layout, NoticeQuery,
    PageError, PageForm, PageResult,
};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::{Path, Query, Upload};
use crate::manage::records::{self, RecordInput};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use zeren_domain::audit::AuditEntry;
use zeren_domain::clock;
use zeren_domain::date::Day;
use zeren_domain::permissions::Action;
use zeren_domain::records::{field_label, OutletLevel, RecordField, RecordType, RecordValues};
use zeren_domain::text;
use zeren_domain::Invalid;
use zeren_storage::{
    AttachmentLink, Attendance, AttendanceRow, Finding, ItemRef, Member, Org, RecordQuery,
    WorkRecord,
};

const PAGE_SIZE: i64 = 20;

/// A record type as a choice: its fields (space-separated codes) drive the form's script.
pub struct TypeOption {
    pub code: String,
    pub name: String,
    pub group: String,
    pub fields: String,
    pub items_label: String,
    pub selected: bool,
}

pub struct TypeGroup {
    pub name: String,
    pub options: Vec<TypeOption>,
}

fn type_groups(types: &[RecordType], selected: &str) -> Vec<TypeGroup> {
    let mut groups: Vec<TypeGroup> = Vec::new();
    for t in types {
        let option = TypeOption {
            code: t.code.clone(),
            name: t.name.clone(),
            group: t.group.clone(),
            fields: t
                .fields
                .iter()
                .map(|f| f.code())
                .collect::<Vec<_>>()
                .join(" "),
            items_label: field_label(t, RecordField::Items),
            selected: t.code == selected,
        };
        match groups.iter_mut().find(|g| g.name == t.group) {
            Some(g) => g.options.push(option),
            None => groups.push(TypeGroup {
                name: t.group.clone(),
                options: vec![option],
            }),
        }
    }
    groups
}

pub struct OrgOption {
    pub id: i64,
    pub label: String,
    pub selected: bool,
}

fn org_options(orgs: &[Org], selected: Option<i64>) -> Vec<OrgOption> {
    indented_choices(orgs)
        .into_iter()
        .map(|(id, label)| OrgOption {
            id,
            label,
            selected: Some(id) == selected,
        })
        .collect()
}

fn type_name(types: &[RecordType], code: &str) -> String {
    types
        .iter()
        .find(|t| t.code == code)
        .map(|t| t.name.clone())
        .unwrap_or_else(|| code.to_string())
}

pub struct RecordRow {
    pub record: WorkRecord,
    pub type_name: String,
    pub files: i64,
}

#[derive(Template)]
#[template(path = "records.html")]
pub struct RecordsPage {
    pub layout: Layout,
    pub rows: Vec<RecordRow>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub orgs: Vec<OrgOption>,
    pub types: Vec<TypeGroup>,
    pub filter: ListFilter,
    /// The filter as a query string (for the pager), without `page`.
    pub query: String,
    pub can_record: bool,
    pub error: FieldError,
    pub excel: super::excel::ExcelBar,
}

#[derive(Deserialize, Default, Clone, serde::Serialize)]
pub struct ListFilter {
    #[serde(default)]
    pub org: String,
    #[serde(default, rename = "type")]
    pub type_code: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub voided: String,
    #[serde(default, skip_serializing)]
    pub page: String,
    #[serde(default, skip_serializing)]
    pub notice: String,
}

pub async fn index(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(f): Query<ListFilter>,
) -> PageResult {
    let visible = state
        .store
        .orgs_in(&user.perms.scope(Action::ViewOrgs))
        .await?;
    let types = state.store.record_types_all().await?;
    let chosen_org = zeren_storage::org_by_reference(&visible, &f.org).cloned();
    let page = f
        .page
        .trim()
        .parse::<i64>()
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let mut error = None;
    let mut day = |field: &'static str, text: &str| match text.trim() {
        "" => None,
        t => match Day::parse(field, t) {
            Ok(d) => Some(d),
            Err(e) => {
                error = Some(e);
                None
            }
        },
    };
    let from = day("from", &f.from);
    let to = day("to", &f.to);
    let roots = match &chosen_org {
        Some(o) => vec![o.path.clone()],
        None => user.perms.scope(Action::ViewOrgs).roots,
    };
    let type_code = Some(f.type_code.trim().to_string()).filter(|t| !t.is_empty());
    let result = state
        .store
        .records(&RecordQuery {
            roots,
            type_code,
            from,
            to,
            text: Some(f.q.clone()),
            include_voided: f.voided == "1",
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        })
        .await?;
    let ids: Vec<i64> = result.rows.iter().map(|r| r.id).collect();
    let counts = state.store.attachment_counts(records::OBJECT, &ids).await?;
    let rows = result
        .rows
        .into_iter()
        .map(|r| RecordRow {
            type_name: type_name(&types, &r.type_code),
            files: counts
                .iter()
                .find(|(id, _)| *id == r.id)
                .map(|c| c.1)
                .unwrap_or(0),
            record: r,
        })
        .collect();
    let query = serde_urlencoded::to_string(&f).unwrap_or_default();
    let excel = super::excel::ExcelBar::new(&user, "/records", &query);
    let page_view = RecordsPage {
        excel,
        layout: Layout::new(&user, "records", "工作纪实")
            .with_notice(notice_text(Some(f.notice.as_str()))),
        rows,
        total: result.total,
        page,
        pages: ((result.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        orgs: org_options(&visible, chosen_org.as_ref().map(|o| o.id)),
        types: type_groups(&types, f.type_code.trim()),
        query,
        filter: f,
        can_record: user.perms.can_somewhere(Action::RecordWork),
        error: FieldError(error),
    };
    Ok(render(&page_view))
}

/// One member's line in the attendance checklist.
pub struct AttendeeLine {
    pub member_id: i64,
    pub name: String,
    pub note: String,
    pub present: bool,
    pub reason: String,
}

/// The form's fields as typed (kept to show again after an error).
#[derive(Default, Clone)]
pub struct RecordForm {
    pub org_id: String,
    pub type_code: String,
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub host: String,
    pub recorder: String,
    pub person_times: String,
    pub hours: String,
    pub sessions: String,
    pub items: String,
    pub outlet_level: String,
    pub content: String,
    /// Attendance was part of the form.
    pub attendance: bool,
    /// (member id, present, reason)
    pub marks: Vec<(i64, bool, String)>,
    pub item_ids: Vec<i64>,
}

impl RecordForm {
    pub fn has_item(&self, id: &i64) -> bool {
        self.item_ids.contains(id)
    }

    fn from_fields(fields: &[(String, String)]) -> RecordForm {
        let mut f = RecordForm::default();
        let mut reasons: Vec<(i64, String)> = Vec::new();
        for (k, v) in fields {
            match k.as_str() {
                "org_id" => f.org_id = v.clone(),
                "type" => f.type_code = v.clone(),
                "title" => f.title = v.clone(),
                "held_on" => f.held_on = v.clone(),
                "place" => f.place = v.clone(),
                "host" => f.host = v.clone(),
                "recorder" => f.recorder = v.clone(),
                "person_times" => f.person_times = v.clone(),
                "hours" => f.hours = v.clone(),
                "sessions" => f.sessions = v.clone(),
                "items" => f.items = v.clone(),
                "outlet_level" => f.outlet_level = v.clone(),
                "content" => f.content = v.clone(),
                "attendance" => f.attendance = true,
                "item_id" => {
                    if let Ok(id) = v.trim().parse() {
                        f.item_ids.push(id);
                    }
                }
                _ => {
                    if let Some(id) = k.strip_prefix("att_").and_then(|i| i.parse().ok()) {
                        f.marks.push((id, v != "0", String::new()));
                    } else if let Some(id) = k.strip_prefix("reason_").and_then(|i| i.parse().ok())
                    {
                        reasons.push((id, v.clone()));
                    }
                }
            }
        }
        for (id, reason) in reasons {
            if let Some(m) = f.marks.iter_mut().find(|m| m.0 == id) {
                m.2 = reason;
            }
        }
        f
    }

    fn from_record(r: &WorkRecord, rows: &[AttendanceRow]) -> RecordForm {
        let present = rows.iter().filter(|a| a.present).count() as i64;
        RecordForm {
            org_id: r.org_id.to_string(),
            type_code: r.type_code.clone(),
            title: r.title.clone(),
            held_on: r.held_on.clone(),
            place: r.place.clone(),
            host: r.host.clone(),
            recorder: r.recorder.clone(),
            // Left empty when it is the count of those present: it follows the attendance.
            person_times: match r.person_times {
                Some(n) if rows.is_empty() || n != present => n.to_string(),
                _ => String::new(),
            },
            hours: r.hours.map(|h| h.to_string()).unwrap_or_default(),
            sessions: r.sessions.map(|n| n.to_string()).unwrap_or_default(),
            items: r.items.map(|n| n.to_string()).unwrap_or_default(),
            outlet_level: r.outlet_level.clone(),
            content: r.content.clone(),
            attendance: !rows.is_empty(),
            marks: rows
                .iter()
                .map(|a| (a.member_id, a.present, a.absence_reason.clone()))
                .collect(),
            item_ids: Vec::new(),
        }
    }

    /// The values for the chosen type (fields of other types, hidden in the form, dropped).
    fn values(&self, ty: &RecordType) -> Result<RecordValues, Invalid> {
        let outlet_level = match self.outlet_level.trim() {
            "" => None,
            t => Some(OutletLevel::parse(t)?),
        };
        let v = RecordValues {
            title: self.title.clone(),
            held_on: Day::parse("held_on", &self.held_on)?,
            place: self.place.clone(),
            host: self.host.clone(),
            recorder: self.recorder.clone(),
            person_times: if ty.has(RecordField::PersonTimes) {
                text::parse_count("person_times", "人次", &self.person_times, 1_000_000)?
            } else {
                None
            },
            hours: if ty.has(RecordField::Hours) {
                text::parse_hours("hours", "学时", &self.hours)?
            } else {
                None
            },
            sessions: if ty.has(RecordField::Sessions) {
                text::parse_count("sessions", "期数", &self.sessions, 10_000)?
            } else {
                None
            },
            items: if ty.has(RecordField::Items) {
                text::parse_count(
                    "items",
                    &field_label(ty, RecordField::Items),
                    &self.items,
                    1_000_000,
                )?
            } else {
                None
            },
            outlet_level: if ty.has(RecordField::OutletLevel) {
                outlet_level
            } else {
                None
            },
            content: self.content.clone(),
        };
        Ok(v.keep_only(ty))
    }

    fn attendance_list(&self, ty: &RecordType) -> Option<Vec<Attendance>> {
        if !self.attendance {
            return None;
        }
        if !ty.has(RecordField::Attendees) {
            return Some(Vec::new());
        }
        Some(
            self.marks
                .iter()
                .map(|(id, present, reason)| Attendance {
                    member_id: *id,
                    present: *present,
                    absence_reason: reason.clone(),
                })
                .collect(),
        )
    }
}

pub struct OutletOption {
    pub code: &'static str,
    pub label: &'static str,
}

fn outlet_options() -> Vec<OutletOption> {
    OutletLevel::ALL
        .into_iter()
        .map(|l| OutletOption {
            code: l.code(),
            label: l.label(),
        })
        .collect()
}

/// Field groups shown for the chosen type (the script shows and hides them as it changes).
pub struct Shown {
    fields: Vec<RecordField>,
}

impl Shown {
    pub fn has(&self, code: &str) -> bool {
        self.fields.iter().any(|f| f.code() == code)
    }
}

#[derive(Template)]
#[template(path = "record_form.html")]
pub struct RecordFormPage {
    pub layout: Layout,
    /// `None` for a new record.
    pub record: Option<WorkRecord>,
    /// The organization chosen (a new record asks for it first).
    pub org: Option<Org>,
    pub orgs: Vec<OrgOption>,
    pub types: Vec<TypeGroup>,
    pub shown: Shown,
    pub items_label: String,
    pub outlets: Vec<OutletOption>,
    pub form: RecordForm,
    pub attendees: Vec<AttendeeLine>,
    pub items: Vec<ItemRef>,
    pub error: FieldError,
    pub today: String,
}

/// The attendance checklist: the organization's members on the roster, and anyone already
/// on the record; marks from the form or the record, everyone present otherwise.
async fn attendee_lines(
    state: &AppState,
    org: &Org,
    form: &RecordForm,
    existing: &[AttendanceRow],
) -> Result<Vec<AttendeeLine>, AppError> {
    let mut members: Vec<Member> = state.store.members_of_org(org.id).await?;
    let extra: Vec<i64> = existing
        .iter()
        .map(|a| a.member_id)
        .chain(form.marks.iter().map(|m| m.0))
        .filter(|id| !members.iter().any(|m| m.id == *id))
        .collect();
    members.extend(state.store.members_by_ids(&extra).await?);
    Ok(members
        .into_iter()
        .map(|m| {
            let mark = form.marks.iter().find(|x| x.0 == m.id);
            AttendeeLine {
                member_id: m.id,
                note: if m.org_id != org.id {
                    m.org_name.clone()
                } else if !m.on_roster() {
                    m.status_label().to_string()
                } else {
                    String::new()
                },
                name: m.name,
                present: mark.map(|x| x.1).unwrap_or(true),
                reason: mark.map(|x| x.2.clone()).unwrap_or_default(),
            }
        })
        .collect())
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    record: Option<WorkRecord>,
    org: Option<Org>,
    form: RecordForm,
    existing: &[AttendanceRow],
    error: Option<Invalid>,
) -> PageResult {
    let types = state.store.record_types().await?;
    let recordable = state
        .store
        .orgs_in(&user.perms.scope(Action::RecordWork))
        .await?;
    let ty = types
        .iter()
        .find(|t| t.code == form.type_code)
        .or_else(|| types.iter().find(|t| t.code == "branch_committee"))
        .cloned();
    let mut form = form;
    if form.type_code.is_empty() {
        if let Some(t) = &ty {
            form.type_code = t.code.clone();
        }
    }
    let attendees = match &org {
        Some(o) => attendee_lines(state, o, &form, existing).await?,
        None => Vec::new(),
    };
    let items = match (&org, &record) {
        (Some(o), None) => state
            .store
            .linkable_items(&o.path, Day::today().year())
            .await?
            .into_iter()
            .filter(|i| {
                user.perms
                    .can(Action::ViewOrgs, &zeren_domain::OrgPath(i.org_path.clone()))
            })
            .collect(),
        _ => Vec::new(),
    };
    let title = match &record {
        Some(_) => "修改纪实",
        None => "新增纪实",
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = RecordFormPage {
        layout: Layout::new(user, "records", title),
        orgs: org_options(&recordable, org.as_ref().map(|o| o.id)),
        types: type_groups(&types, &form.type_code),
        shown: Shown {
            fields: ty.as_ref().map(|t| t.fields.clone()).unwrap_or_default(),
        },
        items_label: ty
            .as_ref()
            .map(|t| field_label(t, RecordField::Items))
            .unwrap_or_else(|| "数量".into()),
        outlets: outlet_options(),
        attendees,
        items,
        record,
        org,
        form,
        error: FieldError(error),
        today: Day::today().text(),
    };
    Ok(render_status(&page, status))
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    pub org: Option<String>,
    #[serde(rename = "type")]
    pub type_code: Option<String>,
}

pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let recordable: Vec<Org> = state
        .store
        .orgs_in(&user.perms.scope(Action::RecordWork))
        .await?
        .into_iter()
        .filter(|o| o.active)
        .collect();
    // The organization first: its members make the attendance list. One who records for a
    // single organization starts there.
    let org = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => Some(records::org_by_id(&state, &user, id).await?),
        None if recordable.len() == 1 => recordable.first().cloned(),
        None => None,
    };
    let form = RecordForm {
        org_id: org.as_ref().map(|o| o.id.to_string()).unwrap_or_default(),
        type_code: q.type_code.unwrap_or_default().trim().to_string(),
        held_on: Day::today().text(),
        ..Default::default()
    };
    form_page(&state, &user, None, org, form, &[], None).await
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let form = RecordForm::from_fields(&fields);
    let org = records::org_by_id(&state, &user, &form.org_id).await?;
    let outcome = async {
        let ty = records::record_type(&state, &form.type_code).await?;
        let input = RecordInput {
            org: org.clone(),
            type_code: ty.code.clone(),
            values: form.values(&ty)?,
            attendance: form.attendance_list(&ty),
        };
        records::create(&state, &user, input, &form.item_ids).await
    }
    .await;
    match outcome {
        Ok(r) => {
            Ok(Redirect::to(&format!("/records/{}?notice=record_created", r.id)).into_response())
        }
        Err(AppError::Invalid(inv)) => {
            form_page(&state, &user, None, Some(org), form, &[], Some(inv)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> PageResult {
    let r = records::find(&state, &user, &id).await?;
    records::writable(&user, &r)?;
    let rows = state.store.record_attendance(r.id).await?;
    let org = state.store.org(r.org_id).await?;
    let form = RecordForm::from_record(&r, &rows);
    form_page(&state, &user, Some(r), Some(org), form, &rows, None).await
}

pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let r = records::find(&state, &user, &id).await?;
    records::writable(&user, &r)?;
    let form = RecordForm::from_fields(&fields);
    let rows = state.store.record_attendance(r.id).await?;
    let org = state.store.org(r.org_id).await?;
    let outcome = async {
        let ty = if form.type_code.trim() == r.type_code {
            records::type_of(&state, &r).await?
        } else {
            records::record_type(&state, &form.type_code).await?
        };
        let input = RecordInput {
            org: org.clone(),
            type_code: ty.code.clone(),
            values: form.values(&ty)?,
            attendance: form.attendance_list(&ty),
        };
        records::change(&state, &user, &r, input).await
    }
    .await;
    match outcome {
        Ok(r) => Ok(Redirect::to(&format!("/records/{}?notice=saved", r.id)).into_response()),
        Err(AppError::Invalid(inv)) => {
            form_page(&state, &user, Some(r), Some(org), form, &rows, Some(inv)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A field of the record as shown on its page.
pub struct Fact {
    pub label: String,
    pub value: String,
}

pub struct HistoryRow {
    pub at: String,
    pub actor: String,
    pub action: &'static str,
    pub details: Vec<String>,
}

fn action_label(action: &str) -> &'static str {
    match action {
        "record.create" => "登记",
        "record.update" => "修改",
        "record.void" => "作废",
        "record.link_item" => "关联清单事项",
        "record.unlink_item" => "取消关联清单事项",
        "attachment.add" => "上传佐证材料",
        "attachment.void" => "作废佐证材料",
        "member.create" => "登记",
        "member.update" => "修改",
        "member.status" => "变更状态",
        "member.void" => "作废",
        _ => "其他操作",
    }
}

/// The changed fields between two JSON snapshots, labelled.
fn changes(
    before: &serde_json::Value,
    after: &serde_json::Value,
    labels: &[(&str, &str)],
) -> Vec<String> {
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::Null => "（空）".to_string(),
        serde_json::Value::String(s) if s.is_empty() => "（空）".to_string(),
        serde_json::Value::String(s) => s.chars().take(60).collect(),
        serde_json::Value::Array(a) => format!("{}人", a.len()),
        other => other.to_string(),
    };
    let mut out = Vec::new();
    for (key, label) in labels {
        let (b, a) = (&before[*key], &after[*key]);
        if b != a {
            if *key == "attendance" {
                let present = |v: &serde_json::Value| {
                    v.as_array()
                        .map(|l| l.iter().filter(|x| x["present"] == true).count())
                        .unwrap_or(0)
                };
                out.push(format!(
                    "{label}：出席{}人 → 出席{}人",
                    present(b),
                    present(a)
                ));
            } else {
                out.push(format!("{label}：{} → {}", show(b), show(a)));
            }
        }
    }
    out
}

pub const RECORD_LABELS: &[(&str, &str)] = &[
    ("org_name", "组织"),
    ("type_code", "类型"),
    ("title", "标题"),
    ("held_on", "开展日期"),
    ("place", "地点"),
    ("host", "主持人"),
    ("recorder", "记录人"),
    ("person_times", "人次"),
    ("hours", "学时"),
    ("sessions", "期数"),
    ("items", "数量"),
    ("outlet_level", "刊发层级"),
    ("content", "内容"),
    ("attendance", "参加人员"),
    ("void_reason", "作废原因"),
];

/// The history of one object (`record`, `member` …) from the audit trail, as lines a person
/// reads, with the names of those who acted.
pub async fn object_history(
    state: &AppState,
    object_type: &str,
    id: i64,
    labels: &[(&str, &str)],
) -> Result<Vec<HistoryRow>, AppError> {
    let entries = state
        .store
        .audit_of(object_type, &id.to_string(), 200)
        .await?;
    let mut names: Vec<(i64, String)> = Vec::new();
    for e in &entries {
        if let Some(aid) = e.event.actor_id {
            if !names.iter().any(|(i, _)| *i == aid) {
                if let Ok(a) = state.store.account(aid).await {
                    names.push((aid, a.display_name));
                }
            }
        }
    }
    let mut rows = history(entries.clone(), labels);
    for (row, e) in rows.iter_mut().zip(&entries) {
        if let Some((_, name)) = names.iter().find(|(i, _)| Some(*i) == e.event.actor_id) {
            row.actor = format!("{name}（{}）", e.event.actor);
        }
    }
    Ok(rows)
}

/// The history of an object from the audit trail, as lines a person reads.
pub fn history(entries: Vec<AuditEntry>, labels: &[(&str, &str)]) -> Vec<HistoryRow> {
    entries
        .into_iter()
        .map(|e| {
            let parse = |s: &Option<String>| {
                s.as_deref()
                    .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
                    .unwrap_or(serde_json::Value::Null)
            };
            let (before, after) = (parse(&e.event.before), parse(&e.event.after));
            let details = match e.event.action.as_str() {
                "attachment.add" => vec![format!(
                    "文件：{}",
                    after["file_name"].as_str().unwrap_or("")
                )],
                "attachment.void" => vec![format!(
                    "文件：{}，原因：{}",
                    after["file_name"].as_str().unwrap_or(""),
                    after["void_reason"].as_str().unwrap_or("")
                )],
                "record.link_item" => vec![format!("清单事项 #{}", after["item_id"])],
                "record.unlink_item" => vec![format!("清单事项 #{}", before["item_id"])],
                a if a.ends_with(".create") => Vec::new(),
                _ => changes(&before, &after, labels),
            };
            HistoryRow {
                at: clock::display_cst(&e.at),
                actor: e.event.actor,
                action: action_label(&e.event.action),
                details,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "record_show.html")]
pub struct RecordShowPage {
    pub layout: Layout,
    pub record: WorkRecord,
    pub type_name: String,
    pub facts: Vec<Fact>,
    pub content: String,
    pub has_attendees: bool,
    pub present: Vec<AttendanceRow>,
    pub absent: Vec<AttendanceRow>,
    pub images: Vec<AttachmentLink>,
    pub files: Vec<AttachmentLink>,
    pub items: Vec<ItemRef>,
    pub linkable: Vec<ItemRef>,
    pub has_findings: bool,
    pub findings: Vec<Finding>,
    pub history: Vec<HistoryRow>,
    pub can_write: bool,
    pub error: FieldError,
}

async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    r: WorkRecord,
    notice: Option<String>,
    error: Option<Invalid>,
) -> PageResult {
    let ty = records::type_of(state, &r).await?;
    let mut facts = vec![
        Fact {
            label: "组织".into(),
            value: r.org_name.clone(),
        },
        Fact {
            label: "开展日期".into(),
            value: r.held_on.clone(),
        },
    ];
    let mut fact = |field: RecordField, value: String| {
        if ty.has(field) && !value.is_empty() {
            facts.push(Fact {
                label: field_label(&ty, field),
                value,
            });
        }
    };
    fact(RecordField::Place, r.place.clone());
    fact(RecordField::Host, r.host.clone());
    fact(RecordField::Recorder, r.recorder.clone());
    fact(
        RecordField::PersonTimes,
        r.person_times
            .map(|n| format!("{n} 人次"))
            .unwrap_or_default(),
    );
    fact(
        RecordField::Hours,
        r.hours.map(|h| format!("{h} 学时")).unwrap_or_default(),
    );
    fact(
        RecordField::Sessions,
        r.sessions.map(|n| format!("{n} 期")).unwrap_or_default(),
    );
    fact(
        RecordField::Items,
        r.items
            .map(|n| format!("{n} {}", ty.items_unit))
            .unwrap_or_default(),
    );
    fact(
        RecordField::OutletLevel,
        r.outlet()
            .map(|l| l.label().to_string())
            .unwrap_or_default(),
    );
    let rows = state.store.record_attendance(r.id).await?;
    let (present, absent): (Vec<_>, Vec<_>) = rows.into_iter().partition(|a| a.present);
    let (images, files): (Vec<_>, Vec<_>) = state
        .store
        .attachments_of(records::OBJECT, r.id)
        .await?
        .into_iter()
        .partition(|l| l.is_image());
    let can_write = user.perms.can(Action::RecordWork, &r.path()) && !r.voided;
    let items = state.store.record_items(r.id).await?;
    let linkable = if can_write {
        let year = Day::from_stored(&r.held_on)
            .map(|d| d.year())
            .unwrap_or(2000);
        state
            .store
            .linkable_items(&r.path(), year)
            .await?
            .into_iter()
            .filter(|i| !items.iter().any(|l| l.id == i.id))
            .filter(|i| {
                user.perms
                    .can(Action::ViewOrgs, &zeren_domain::OrgPath(i.org_path.clone()))
            })
            .collect()
    } else {
        Vec::new()
    };
    let history = history(
        state
            .store
            .audit_of("record", &r.id.to_string(), 200)
            .await?,
        RECORD_LABELS,
    );
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = RecordShowPage {
        layout: Layout::new(user, "records", r.title.clone()).with_notice(notice),
        type_name: ty.name.clone(),
        facts,
        content: r.content.clone(),
        has_attendees: ty.has(RecordField::Attendees),
        present,
        absent,
        images,
        files,
        items,
        linkable,
        has_findings: ty.has(RecordField::Findings),
        findings: state.store.record_findings(r.id).await?,
        history,
        can_write,
        error: FieldError(error),
        record: r,
    };
    Ok(render_status(&page, status))
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let r = records::find(&state, &user, &id).await?;
    show_page(&state, &user, r, notice_text(q.notice.as_deref()), None).await
}

#[derive(Deserialize, Default)]
pub struct ReasonForm {
    #[serde(default)]
    pub reason: String,
}

/// Shows the record page again with the error beside its form, or goes on.
async fn or_show(
    state: &AppState,
    user: &CurrentUser,
    r: WorkRecord,
    outcome: Result<&str, AppError>,
) -> PageResult {
    match outcome {
        Ok(notice) => {
            Ok(Redirect::to(&format!("/records/{}?notice={notice}", r.id)).into_response())
        }
        Err(AppError::Invalid(inv)) => show_page(state, user, r, None, Some(inv)).await,
        Err(e) => Err(PageError(e)),
    }
}

pub async fn void(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<ReasonForm>,
) -> PageResult {
    let r = records::find(&state, &user, &id).await?;
    let outcome = records::void(&state, &user, &r, &f.reason)
        .await
        .map(|_| "record_voided");
    or_show(&state, &user, r, outcome).await
}

pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Upload(mut multipart): Upload,
) -> PageResult {
    let r = records::find(&state, &user, &id).await?;
    records::writable(&user, &r)?;
    let outcome = match crate::api::records::read_files(&mut multipart).await {
        Ok(files) => records::attach(&state, &user, &r, files)
            .await
            .map(|_| "uploaded"),
        Err(e) => Err(e),
    };
    or_show(&state, &user, r, outcome).await
}

pub async fn void_attachment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, att)): Path<(String, String)>,
    PageForm(f): PageForm<ReasonForm>,
) -> PageResult {
    let r = records::find(&state, &user, &id).await?;
    let (link, owner) = records::attachment(&state, &user, &att).await?;
    if link.object_type != records::OBJECT || link.object_id != r.id {
        return Err(AppError::NotFound("该附件").into());
    }
    let outcome = records::void_attachment(&state, &user, &link, &owner, &f.reason)
        .await
        .map(|_| "attachment_voided");
    or_show(&state, &user, r, outcome).await
}

#[derive(Deserialize, Default)]
pub struct ItemForm {
    #[serde(default)]
    pub item_id: String,
}

pub async fn link_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<ItemForm>,
) -> PageResult {
    let r = records::find(&state, &user, &id).await?;
    let outcome = match f.item_id.trim().parse::<i64>() {
        Ok(item) => records::link_item(&state, &user, &r, item)
            .await
            .map(|_| "item_linked"),
        Err(_) => Err(Invalid::new("item_id", "请选择清单事项").into()),
    };
    or_show(&state, &user, r, outcome).await
}

pub async fn unlink_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, item)): Path<(String, String)>,
) -> PageResult {
    let r = records::find(&state, &user, &id).await?;
    let item = item
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::NotFound("该关联"))?;
    records::unlink_item(&state, &user, &r, item).await?;
    Ok(Redirect::to(&format!("/records/{}?notice=item_unlinked", r.id)).into_response())
}
