//! `/api/v1/records`: work records (纪实), their attendance, evidence files and list-item
//! links; `/api/v1/attachments`; record types; 三会一课 rules and figures. Organizations are
//! referred to by `org` code, record types by `type` code, days as `YYYY-MM-DD`.

use super::{ApiError, ApiJson, ApiResult};
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::extract::{Path, Query, Upload};
use crate::manage::{orgs, records};
use crate::AppState;
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use zeren_domain::date::{Day, Period};
use zeren_domain::meetings::{Frequency, MeetingRule};
use zeren_domain::permissions::Action;
use zeren_domain::records::{OutletLevel, RecordType, RecordValues};
use zeren_domain::Invalid;
use zeren_storage::{AttachmentLink, Attendance, AttendanceRow, RecordQuery, WorkRecord};

/// Reads a field that may be absent (leave as is) or `null` (clear).
pub(crate) fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Serialize, ToSchema)]
pub struct RecordOut {
    pub id: i64,
    /// The organization's code.
    pub org: String,
    pub org_name: String,
    /// The record type's code.
    #[serde(rename = "type")]
    pub type_code: String,
    pub type_name: String,
    pub title: String,
    /// YYYY-MM-DD
    pub held_on: String,
    pub place: String,
    pub host: String,
    pub recorder: String,
    /// 人次
    pub person_times: Option<i64>,
    /// 学时
    pub hours: Option<f64>,
    /// 期数
    pub sessions: Option<i64>,
    /// 数量 (in the type's unit)
    pub items: Option<i64>,
    /// own, district, city, province or national
    pub outlet_level: Option<String>,
    pub content: String,
    pub voided: bool,
    pub void_reason: String,
    pub created_at: String,
    pub updated_at: String,
}

fn record_out(r: &WorkRecord, types: &[RecordType]) -> RecordOut {
    RecordOut {
        id: r.id,
        org: r.org_code.clone(),
        org_name: r.org_name.clone(),
        type_code: r.type_code.clone(),
        type_name: types
            .iter()
            .find(|t| t.code == r.type_code)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| r.type_code.clone()),
        title: r.title.clone(),
        held_on: r.held_on.clone(),
        place: r.place.clone(),
        host: r.host.clone(),
        recorder: r.recorder.clone(),
        person_times: r.person_times,
        hours: r.hours,
        sessions: r.sessions,
        items: r.items,
        outlet_level: r.outlet().map(|l| l.code().to_string()),
        content: r.content.clone(),
        voided: r.voided,
        void_reason: r.void_reason.clone(),
        created_at: r.created_at.clone(),
        updated_at: r.updated_at.clone(),
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendeeIn {
    pub member_id: i64,
    pub present: bool,
    /// Required when absent.
    #[serde(default)]
    pub absence_reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct AttendeeOut {
    pub member_id: i64,
    pub name: String,
    pub present: bool,
    pub absence_reason: String,
}

fn attendee_out(a: &AttendanceRow) -> AttendeeOut {
    AttendeeOut {
        member_id: a.member_id,
        name: a.member_name.clone(),
        present: a.present,
        absence_reason: a.absence_reason.clone(),
    }
}

fn attendance_in(list: Vec<AttendeeIn>) -> Vec<Attendance> {
    list.into_iter()
        .map(|a| Attendance {
            member_id: a.member_id,
            present: a.present,
            absence_reason: a.absence_reason,
        })
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: i64,
    pub file_name: String,
    pub size: i64,
    pub mime: String,
    pub sha256: String,
    /// Where to download it.
    pub url: String,
    pub created_at: String,
}

pub(crate) fn attachment_out(l: &AttachmentLink) -> AttachmentOut {
    AttachmentOut {
        id: l.id,
        file_name: l.file_name.clone(),
        size: l.size,
        mime: l.mime.clone(),
        sha256: l.sha256.clone(),
        url: format!("/api/v1/attachments/{}", l.id),
        created_at: l.created_at.clone(),
    }
}

/// A record with its attendance, evidence and the list items it fulfils.
#[derive(Serialize, ToSchema)]
pub struct RecordDetail {
    #[serde(flatten)]
    pub record: RecordOut,
    pub attendees: Vec<AttendeeOut>,
    pub attachments: Vec<AttachmentOut>,
    pub item_ids: Vec<i64>,
}

async fn detail(state: &AppState, r: &WorkRecord) -> Result<RecordDetail, AppError> {
    let types = state.store.record_types_all().await?;
    Ok(RecordDetail {
        record: record_out(r, &types),
        attendees: state
            .store
            .record_attendance(r.id)
            .await?
            .iter()
            .map(attendee_out)
            .collect(),
        attachments: state
            .store
            .attachments_of(records::OBJECT, r.id)
            .await?
            .iter()
            .map(attachment_out)
            .collect(),
        item_ids: state.store.record_item_ids(r.id).await?,
    })
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub org: Option<String>,
    #[serde(rename = "type")]
    pub type_code: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub q: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
    pub voided: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RecordList {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub records: Vec<RecordOut>,
}

/// Parses an optional day; empty means none.
pub(crate) fn optional_day(
    field: &'static str,
    text: Option<&str>,
) -> Result<Option<Day>, Invalid> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Day::parse(field, t).map(Some),
        None => Ok(None),
    }
}

/// Page number (from 1) and page size (1–200, default 50) from a query.
pub(crate) fn paging(page: Option<&str>, per_page: Option<&str>) -> (i64, i64) {
    let page = page
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let per_page = per_page
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(50)
        .clamp(1, 200);
    (page, per_page)
}

/// Records the caller may see, newest first, filtered and paged.
#[utoipa::path(get, path = "/api/v1/records",
    params(
        ("org" = Option<String>, Query, description = "organization code: its subtree"),
        ("type" = Option<String>, Query, description = "record type code"),
        ("from" = Option<String>, Query, description = "YYYY-MM-DD"),
        ("to" = Option<String>, Query, description = "YYYY-MM-DD"),
        ("q" = Option<String>, Query, description = "part of the title"),
        ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query),
        ("voided" = Option<bool>, Query, description = "include voided records"),
    ),
    responses((status = 200, body = RecordList), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> ApiResult<RecordList> {
    let roots = match q.org.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => vec![orgs::by_code(&state, &user, code).await?.path],
        None => user.perms.scope(Action::ViewOrgs).roots,
    };
    let from = optional_day("from", q.from.as_deref())?;
    let to = optional_day("to", q.to.as_deref())?;
    let (page, per_page) = paging(q.page.as_deref(), q.per_page.as_deref());
    let result = state
        .store
        .records(&RecordQuery {
            roots,
            type_code: q
                .type_code
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty()),
            from,
            to,
            text: q.q,
            include_voided: matches!(q.voided.as_deref(), Some("1" | "true")),
            limit: per_page,
            offset: (page - 1) * per_page,
        })
        .await
        .map_err(ApiError::from)?;
    let types = state
        .store
        .record_types_all()
        .await
        .map_err(ApiError::from)?;
    Ok(Json(RecordList {
        total: result.total,
        page,
        per_page,
        records: result.rows.iter().map(|r| record_out(r, &types)).collect(),
    }))
}

/// One record with its attendance, evidence files and linked list items.
#[utoipa::path(get, path = "/api/v1/records/{id}", params(("id" = i64, Path)), responses((status = 200, body = RecordDetail), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<RecordDetail> {
    let r = records::find(&state, &user, &id).await?;
    Ok(Json(detail(&state, &r).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRecord {
    /// The organization that held it (its code).
    pub org: String,
    /// The record type's code, e.g. `branch_committee` (支委会).
    #[serde(rename = "type")]
    pub type_code: String,
    pub title: String,
    /// YYYY-MM-DD (2023/3/5 and 2023年3月5日 are read too).
    pub held_on: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub recorder: String,
    /// 人次; computed from the attendees present when absent and attendees are given.
    pub person_times: Option<i64>,
    pub hours: Option<f64>,
    pub sessions: Option<i64>,
    pub items: Option<i64>,
    /// own, district, city, province or national (or the Chinese label).
    pub outlet_level: Option<String>,
    #[serde(default)]
    pub content: String,
    /// Members of the organization, present or absent with a reason.
    pub attendees: Option<Vec<AttendeeIn>>,
    /// List items the record fulfils.
    #[serde(default)]
    pub item_ids: Vec<i64>,
}

fn outlet(text: Option<&str>) -> Result<Option<OutletLevel>, Invalid> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => OutletLevel::parse(t).map(Some),
        None => Ok(None),
    }
}

/// Records a meeting or activity for an organization the caller records for.
#[utoipa::path(post, path = "/api/v1/records", request_body = CreateRecord, responses((status = 201, body = RecordDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<CreateRecord>,
) -> Result<(StatusCode, Json<RecordDetail>), ApiError> {
    let org = records::org_by_code(&state, &user, &req.org).await?;
    let ty = records::record_type(&state, &req.type_code).await?;
    let values = RecordValues {
        title: req.title,
        held_on: Day::parse("held_on", &req.held_on)?,
        place: req.place,
        host: req.host,
        recorder: req.recorder,
        person_times: req.person_times,
        hours: req.hours,
        sessions: req.sessions,
        items: req.items,
        outlet_level: outlet(req.outlet_level.as_deref())?,
        content: req.content,
    };
    let input = records::RecordInput {
        org,
        type_code: ty.code,
        values,
        attendance: req.attendees.map(attendance_in),
    };
    let r = records::create(&state, &user, input, &req.item_ids).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &r).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRecord {
    /// Move to another organization (its code).
    pub org: Option<String>,
    #[serde(rename = "type")]
    pub type_code: Option<String>,
    pub title: Option<String>,
    pub held_on: Option<String>,
    pub place: Option<String>,
    pub host: Option<String>,
    pub recorder: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub person_times: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>)]
    pub hours: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub sessions: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub items: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub outlet_level: Option<Option<String>>,
    pub content: Option<String>,
    /// Replaces the attendance.
    pub attendees: Option<Vec<AttendeeIn>>,
}

/// Changes a record: only the fields given (a changed type drops the old values of fields
/// the new type does not have).
#[utoipa::path(patch, path = "/api/v1/records/{id}", params(("id" = i64, Path)), request_body = UpdateRecord, responses((status = 200, body = RecordDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateRecord>,
) -> ApiResult<RecordDetail> {
    let r = records::find(&state, &user, &id).await?;
    records::writable(&user, &r)?;
    let org = match req.org.as_deref() {
        Some(code) if code.trim() != r.org_code => {
            records::org_by_code(&state, &user, code).await?
        }
        _ => state.store.org(r.org_id).await.map_err(ApiError::from)?,
    };
    let (type_code, mut v) = match req.type_code.as_deref().map(str::trim) {
        Some(code) if code != r.type_code => {
            let ty = records::record_type(&state, code).await?;
            (ty.code.clone(), r.values().keep_only(&ty))
        }
        _ => (r.type_code.clone(), r.values()),
    };
    if let Some(t) = req.title {
        v.title = t;
    }
    if let Some(d) = req.held_on {
        v.held_on = Day::parse("held_on", &d)?;
    }
    if let Some(p) = req.place {
        v.place = p;
    }
    if let Some(h) = req.host {
        v.host = h;
    }
    if let Some(rc) = req.recorder {
        v.recorder = rc;
    }
    // 人次 that was counted from the attendance follows a new attendance list, unless given.
    if req.attendees.is_some() && req.person_times.is_none() {
        let rows = state
            .store
            .record_attendance(r.id)
            .await
            .map_err(ApiError::from)?;
        let present = rows.iter().filter(|a| a.present).count() as i64;
        if !rows.is_empty() && v.person_times == Some(present) {
            v.person_times = None;
        }
    }
    if let Some(n) = req.person_times {
        v.person_times = n;
    }
    if let Some(n) = req.hours {
        v.hours = n;
    }
    if let Some(n) = req.sessions {
        v.sessions = n;
    }
    if let Some(n) = req.items {
        v.items = n;
    }
    if let Some(o) = req.outlet_level {
        v.outlet_level = outlet(o.as_deref())?;
    }
    if let Some(c) = req.content {
        v.content = c;
    }
    let input = records::RecordInput {
        org,
        type_code,
        values: v,
        attendance: req.attendees.map(attendance_in),
    };
    let r = records::change(&state, &user, &r, input).await?;
    Ok(Json(detail(&state, &r).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidRequest {
    /// Why (required): 重复录入, 录错组织 …
    pub reason: String,
}

/// Voids a record with a reason: it stays in the trail but no longer counts.
#[utoipa::path(post, path = "/api/v1/records/{id}/void", params(("id" = i64, Path)), request_body = VoidRequest, responses((status = 200, body = RecordDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn void(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VoidRequest>,
) -> ApiResult<RecordDetail> {
    let r = records::find(&state, &user, &id).await?;
    let r = records::void(&state, &user, &r, &req.reason).await?;
    Ok(Json(detail(&state, &r).await?))
}

/// Evidence files (multipart form data): one or more `file` parts. Photos (JPEG, PNG, GIF,
/// WebP), PDF, Word, Excel and OFD, recognised from their bytes; at most 20 MB each.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AttachmentUpload {
    #[schema(format = Binary, value_type = Vec<String>)]
    file: Vec<Vec<u8>>,
}

/// Reads the `file` parts of a multipart body.
pub(crate) async fn read_files(
    multipart: &mut Multipart,
) -> Result<Vec<(String, Vec<u8>)>, AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        crate::error::rejection(e.status(), "上传的表单数据不完整，请重试")
    };
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("附件").to_string();
        let bytes = field.bytes().await.map_err(bad)?;
        // A file input left empty still sends an empty part without a name.
        if bytes.is_empty() && name.is_empty() {
            continue;
        }
        files.push((name, bytes.to_vec()));
        if files.len() > records::MAX_FILES {
            break;
        }
    }
    Ok(files)
}

/// Attaches evidence files to a record (all or none are stored).
#[utoipa::path(post, path = "/api/v1/records/{id}/attachments", params(("id" = i64, Path)), request_body(content = AttachmentUpload, content_type = "multipart/form-data"), responses((status = 201, body = Vec<AttachmentOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Upload(mut multipart): Upload,
) -> Result<(StatusCode, Json<Vec<AttachmentOut>>), ApiError> {
    let r = records::find(&state, &user, &id).await?;
    records::writable(&user, &r)?;
    let files = read_files(&mut multipart).await?;
    let links = records::attach(&state, &user, &r, files).await?;
    Ok((
        StatusCode::CREATED,
        Json(links.iter().map(attachment_out).collect()),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkItem {
    pub item_id: i64,
}

/// Records that the record fulfils a list item; answers the linked item ids.
#[utoipa::path(post, path = "/api/v1/records/{id}/items", params(("id" = i64, Path)), request_body = LinkItem, responses((status = 201, body = Vec<i64>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn link_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<LinkItem>,
) -> Result<(StatusCode, Json<Vec<i64>>), ApiError> {
    let r = records::find(&state, &user, &id).await?;
    records::link_item(&state, &user, &r, req.item_id).await?;
    let ids = state
        .store
        .record_item_ids(r.id)
        .await
        .map_err(ApiError::from)?;
    Ok((StatusCode::CREATED, Json(ids)))
}

/// Removes a record ↔ list item link; answers the linked item ids left.
#[utoipa::path(delete, path = "/api/v1/records/{id}/items/{item_id}", params(("id" = i64, Path), ("item_id" = i64, Path)), responses((status = 200, body = Vec<i64>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unlink_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, item)): Path<(String, String)>,
) -> ApiResult<Vec<i64>> {
    let r = records::find(&state, &user, &id).await?;
    let item = item
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::NotFound("该关联"))?;
    records::unlink_item(&state, &user, &r, item).await?;
    Ok(Json(
        state
            .store
            .record_item_ids(r.id)
            .await
            .map_err(ApiError::from)?,
    ))
}

/// `attachment` for images and PDF (shown in the browser), download for the rest; the name
/// in UTF-8 (RFC 5987) with an ASCII fallback.
pub(crate) fn file_response(link: &AttachmentLink, bytes: Vec<u8>) -> Response {
    let inline = link.mime.starts_with("image/") || link.mime == "application/pdf";
    let ascii: String = link
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = link
        .file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!(
        "{}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}",
        if inline { "inline" } else { "attachment" }
    );
    (
        [
            (header::CONTENT_TYPE, link.mime.clone()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// Downloads an evidence file; who may is decided by the object it is attached to.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", params(("id" = i64, Path)), responses((status = 200, description = "the file's bytes", content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (link, _) = records::attachment(&state, &user, &id).await?;
    let bytes = state
        .store
        .attachment_bytes(&link.sha256)
        .await
        .map_err(ApiError::from)?;
    Ok(file_response(&link, bytes))
}

/// Voids an evidence file with a reason (the bytes stay for the audit trail).
#[utoipa::path(post, path = "/api/v1/attachments/{id}/void", params(("id" = i64, Path)), request_body = VoidRequest, responses((status = 200, body = AttachmentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn void_attachment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VoidRequest>,
) -> ApiResult<AttachmentOut> {
    let (link, owner) = records::attachment(&state, &user, &id).await?;
    let link = records::void_attachment(&state, &user, &link, &owner, &req.reason).await?;
    Ok(Json(attachment_out(&link)))
}

/// The record types in use: built-in ones and an administrator's additions.
#[utoipa::path(get, path = "/api/v1/record-types", responses((status = 200, body = Vec<RecordType>)))]
pub async fn types(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> ApiResult<Vec<RecordType>> {
    Ok(Json(
        state.store.record_types().await.map_err(ApiError::from)?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRecordType {
    /// Lower-case letters, digits and `_`, e.g. `river_patrol`.
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub group: String,
    /// Field codes or labels: place, host, recorder, attendees, person_times, hours,
    /// sessions, items, outlet_level, content, findings.
    #[serde(default)]
    pub fields: Vec<String>,
    /// What one record counts as (次 by default).
    #[serde(default)]
    pub unit: String,
    /// The label of `items`, required when the type has it.
    #[serde(default)]
    pub items_label: String,
    #[serde(default)]
    pub items_unit: String,
}

/// Adds a record type (administrator).
#[utoipa::path(post, path = "/api/v1/record-types", request_body = NewRecordType, responses((status = 201, body = RecordType), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_type(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<NewRecordType>,
) -> Result<(StatusCode, Json<RecordType>), ApiError> {
    let ty = zeren_domain::records::custom_type(
        &req.code,
        &req.name,
        &req.group,
        &req.fields,
        &req.unit,
        &req.items_label,
        &req.items_unit,
    )?;
    let ty = records::add_type(&state, &user, ty).await?;
    Ok((StatusCode::CREATED, Json(ty)))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingRuleIo {
    /// The organization kind the rule applies to: branch, general_branch, committee …
    pub org_kind: String,
    /// The record type's code.
    #[serde(rename = "type")]
    pub type_code: String,
    /// monthly, quarterly or yearly (每月, 每季度, 每年).
    pub frequency: String,
    /// Meetings per period; 0 switches the rule off.
    pub times: i64,
}

fn rule_out(r: &MeetingRule) -> MeetingRuleIo {
    MeetingRuleIo {
        org_kind: r.org_kind.clone(),
        type_code: r.type_code.clone(),
        frequency: r.frequency.code().to_string(),
        times: r.times,
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingRules {
    pub rules: Vec<MeetingRuleIo>,
}

/// The 三会一课 rules in force (built-in ones as changed, and additions).
#[utoipa::path(get, path = "/api/v1/meeting-rules", responses((status = 200, body = MeetingRules)))]
pub async fn rules(State(state): State<AppState>, _user: CurrentUser) -> ApiResult<MeetingRules> {
    let rules = state.store.meeting_rules().await.map_err(ApiError::from)?;
    Ok(Json(MeetingRules {
        rules: rules.iter().map(rule_out).collect(),
    }))
}

/// Replaces the 三会一课 rules: afterwards exactly these are in force (a built-in rule left
/// out is switched off).
#[utoipa::path(put, path = "/api/v1/meeting-rules", request_body = MeetingRules, responses((status = 200, body = MeetingRules), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_rules(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<MeetingRules>,
) -> ApiResult<MeetingRules> {
    if req.rules.len() > 500 {
        return Err(Invalid::new("rules", "规则不能超过500条").into());
    }
    let rules = req
        .rules
        .into_iter()
        .map(|r| {
            Ok(MeetingRule {
                org_kind: r.org_kind,
                type_code: r.type_code,
                frequency: Frequency::parse(&r.frequency)?,
                times: r.times,
            })
        })
        .collect::<Result<Vec<_>, Invalid>>()?;
    let rules = records::set_rules(&state, &user, rules).await?;
    Ok(Json(MeetingRules {
        rules: rules.iter().map(rule_out).collect(),
    }))
}

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingCellOut {
    #[serde(rename = "type")]
    pub type_code: String,
    pub type_name: String,
    pub frequency: String,
    pub times: i64,
    /// 应开
    pub should: i64,
    /// 已开
    pub held: i64,
    pub short: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingBranchOut {
    pub org: String,
    pub org_name: String,
    pub short: bool,
    pub meetings: Vec<MeetingCellOut>,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingsOut {
    pub org: String,
    pub from: String,
    pub to: String,
    /// The day the figures are owed as of (a month still running is not yet owed).
    pub today: String,
    pub branches: Vec<MeetingBranchOut>,
}

/// 三会一课 "should hold vs. held" for every branch under an organization, over a period
/// (the current year by default).
#[utoipa::path(get, path = "/api/v1/orgs/{code}/meetings", params(("code" = String, Path), ("from" = Option<String>, Query), ("to" = Option<String>, Query)), responses((status = 200, body = MeetingsOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn meetings(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<MeetingsOut> {
    let org = orgs::by_code(&state, &user, &code).await?;
    let period = Period::parse(q.from.as_deref(), q.to.as_deref())?;
    let rows = records::meetings(&state, &org, period).await?;
    Ok(Json(MeetingsOut {
        org: org.code,
        from: period.from.text(),
        to: period.to.text(),
        today: Day::today().text(),
        branches: rows
            .iter()
            .map(|r| MeetingBranchOut {
                org: r.org_code.clone(),
                org_name: r.org_name.clone(),
                short: r.short(),
                meetings: r
                    .cells
                    .iter()
                    .map(|c| MeetingCellOut {
                        type_code: c.type_code.clone(),
                        type_name: c.type_name.clone(),
                        frequency: c.frequency.code().to_string(),
                        times: c.times,
                        should: c.should,
                        held: c.held,
                        short: c.short(),
                    })
                    .collect(),
            })
            .collect(),
    }))
}
