//! Work records (纪实), their evidence files and list-item links, record types and the 三会一课
//! rules: each operation once, for pages and API alike. Reading needs ViewOrgs over the
//! record's organization; creating, changing and voiding need RecordWork over it (a branch
//! secretary records for his branch, the committee's clerk for any organization below it).

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::AppState;
use zeren_domain::date::{Day, Period};
use zeren_domain::evidence;
use zeren_domain::meetings::MeetingRule;
use zeren_domain::org::OrgPath;
use zeren_domain::permissions::Action;
use zeren_domain::records::{RecordType, RecordValues};
use zeren_domain::Invalid;
use zeren_storage::{
    AttachmentLink, Attendance, CatalogKind, ItemRef, MeetingRow, NewRecord, Org, RecordChange,
    StorageError, WorkRecord,
};

/// The object type of a record's evidence files.
pub const OBJECT: &str = "record";
/// At most this many files in one upload.
pub const MAX_FILES: usize = 20;

/// A record the user may see, or 404 (its existence is not revealed).
pub async fn find(state: &AppState, user: &CurrentUser, id: &str) -> Result<WorkRecord, AppError> {
    let not_found = AppError::NotFound("该纪实");
    let Ok(id) = id.trim().parse::<i64>() else {
        return Err(not_found);
    };
    match state.store.record(id).await {
        Ok(r) if user.perms.can(Action::ViewOrgs, &r.path()) => Ok(r),
        Ok(_) | Err(StorageError::NotFound(_)) => Err(not_found),
        Err(e) => Err(e.into()),
    }
}

/// The organization a record is made for: unknown and unseen organizations get the same
/// answer (a field error); one seen but not recorded for is forbidden.
pub fn recordable(user: &CurrentUser, org: Option<Org>) -> Result<Org, AppError> {
    let org = org
        .filter(|o| user.perms.can(Action::ViewOrgs, &o.path))
        .ok_or_else(|| Invalid::new("org", "组织不存在或不在您的范围内"))?;
    if !user.perms.can(Action::RecordWork, &org.path) {
        return Err(AppError::Forbidden);
    }
    if !org.active {
        return Err(Invalid::new("org", format!("“{}”已停用，不能再登记", org.name)).into());
    }
    Ok(org)
}

pub async fn org_by_code(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
) -> Result<Org, AppError> {
    let org = match state.store.org_by_code(code.trim()).await {
        Ok(o) => Some(o),
        Err(StorageError::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    recordable(user, org)
}

pub async fn org_by_id(state: &AppState, user: &CurrentUser, id: &str) -> Result<Org, AppError> {
    let org = match id.trim().parse::<i64>() {
        Ok(id) => match state.store.org(id).await {
            Ok(o) => Some(o),
            Err(StorageError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        },
        Err(_) => None,
    };
    recordable(user, org)
}

/// A record type in use, or a field error.
pub async fn record_type(state: &AppState, code: &str) -> Result<RecordType, AppError> {
    state
        .store
        .record_type(code.trim())
        .await?
        .ok_or_else(|| Invalid::new("type", "请选择有效的纪实类型").into())
}

/// A record's type, even one switched off since (records keep their type).
pub async fn type_of(state: &AppState, record: &WorkRecord) -> Result<RecordType, AppError> {
    state
        .store
        .record_types_all()
        .await?
        .into_iter()
        .find(|t| t.code == record.type_code)
        .ok_or_else(|| AppError::Internal(format!("unknown record type {}", record.type_code)))
}

/// What a form or a JSON body says a record is.
pub struct RecordInput {
    pub org: Org,
    pub type_code: String,
    pub values: RecordValues,
    /// `None`: attendance not given (not recorded on create, kept on change).
    pub attendance: Option<Vec<Attendance>>,
}

/// Items the user may see, checked before anything is written.
async fn visible_items(
    state: &AppState,
    user: &CurrentUser,
    ids: &[i64],
) -> Result<Vec<ItemRef>, AppError> {
    let mut out = Vec::new();
    for id in ids {
        let missing = || Invalid::new("item_ids", "清单事项不存在或不在您的范围内");
        let item = match state.store.item_ref(*id).await {
            Ok(i) => i,
            Err(StorageError::NotFound(_)) => return Err(missing().into()),
            Err(e) => return Err(e.into()),
        };
        if item.voided
            || !user
                .perms
                .can(Action::ViewOrgs, &OrgPath(item.org_path.clone()))
        {
            return Err(missing().into());
        }
        out.push(item);
    }
    Ok(out)
}

/// Records a meeting or activity (and the list items it fulfils), in one transaction.
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    input: RecordInput,
    item_ids: &[i64],
) -> Result<WorkRecord, AppError> {
    if !user.perms.can(Action::RecordWork, &input.org.path) {
        return Err(AppError::Forbidden);
    }
    visible_items(state, user, item_ids).await?;
    let mut tx = state.store.begin_write().await?;
    let record = tx
        .create_record(
            NewRecord {
                org_id: input.org.id,
                type_code: input.type_code,
                values: input.values,
                attendance: input.attendance,
            },
            &user.actor(),
        )
        .await?;
    for item in item_ids {
        tx.link_record_item(record.id, *item, &user.actor()).await?;
    }
    tx.commit().await?;
    targets_follow(state, &record).await;
    Ok(record)
}

/// May the user change this record (and does it still exist as a live record)?
pub fn writable(user: &CurrentUser, record: &WorkRecord) -> Result<(), AppError> {
    if !user.perms.can(Action::RecordWork, &record.path()) {
        return Err(AppError::Forbidden);
    }
    if record.voided {
        return Err(Invalid::new("id", "该纪实已作废，不能再修改").into());
    }
    Ok(())
}

/// Changes a record; moving it to another organization needs RecordWork there too.
pub async fn change(
    state: &AppState,
    user: &CurrentUser,
    record: &WorkRecord,
    input: RecordInput,
) -> Result<WorkRecord, AppError> {
    writable(user, record)?;
    if !user.perms.can(Action::RecordWork, &input.org.path) {
        return Err(AppError::Forbidden);
    }
    let before = record.clone();
    let mut tx = state.store.begin_write().await?;
    let record = tx
        .update_record(
            record.id,
            RecordChange {
                org_id: input.org.id,
                type_code: input.type_code,
                values: input.values,
                attendance: input.attendance,
            },
            &user.actor(),
        )
        .await?;
    tx.commit().await?;
    // A record moved to another organization or year leaves targets there as well.
    if before.org_path != record.org_path || before.held_on.get(..4) != record.held_on.get(..4) {
        targets_follow(state, &before).await;
    }
    targets_follow(state, &record).await;
    Ok(record)
}

/// List items whose quantified target counts records (量化指标) follow a record's save, change
/// or voiding at once: the targets touching its organization's chain in its year.
async fn targets_follow(state: &AppState, record: &WorkRecord) {
    let Some(day) = Day::from_stored(&record.held_on) else {
        return;
    };
    super::lists::refresh_targets(state, &record.path(), day.year()).await;
}

pub async fn void(
    state: &AppState,
    user: &CurrentUser,
    record: &WorkRecord,
    reason: &str,
) -> Result<WorkRecord, AppError> {
    writable(user, record)?;
    let reason = zeren_domain::records::void_reason(reason)?;
    let mut tx = state.store.begin_write().await?;
    let record = tx.void_record(record.id, &reason, &user.actor()).await?;
    tx.commit().await?;
    targets_follow(state, &record).await;
    Ok(record)
}

/// Attaches uploaded files to a record: each is checked on its bytes (kind and size), all
/// or none are stored.
pub async fn attach(
    state: &AppState,
    user: &CurrentUser,
    record: &WorkRecord,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Vec<AttachmentLink>, AppError> {
    writable(user, record)?;
    if files.is_empty() {
        return Err(Invalid::new("file", "请选择要上传的文件").into());
    }
    if files.len() > MAX_FILES {
        return Err(Invalid::new("file", format!("一次最多上传{MAX_FILES}个文件")).into());
    }
    // Reading the bytes of many large files is CPU work: off the async workers.
    let checked = tokio::task::spawn_blocking(move || {
        files
            .into_iter()
            .map(|(name, bytes)| {
                let kind = evidence::check(&name, &bytes)?;
                Ok((evidence::clean_file_name(&name), bytes, kind.mime))
            })
            .collect::<Result<Vec<_>, Invalid>>()
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    let mut tx = state.store.begin_write().await?;
    let mut links = Vec::new();
    for (name, bytes, mime) in &checked {
        links.push(
            tx.attach(OBJECT, record.id, name, bytes, mime, &user.actor())
                .await?,
        );
    }
    tx.commit().await?;
    Ok(links)
}

/// A live evidence file the user may see (through the object it is attached to), with the
/// path of that object's organization; 404 otherwise.
pub async fn attachment(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<(AttachmentLink, OrgPath), AppError> {
    let not_found = AppError::NotFound("该附件");
    let Ok(id) = id.trim().parse::<i64>() else {
        return Err(not_found);
    };
    let link = match state.store.attachment_link(id).await {
        Ok(l) => l,
        Err(StorageError::NotFound(_)) => return Err(not_found),
        Err(e) => return Err(e.into()),
    };
    if link.voided {
        return Err(not_found);
    }
    match state
        .store
        .attachment_owner_path(&link.object_type, link.object_id)
        .await?
    {
        Some(path) if user.perms.can(Action::ViewOrgs, &path) => Ok((link, path)),
        _ => Err(not_found),
    }
}

pub async fn void_attachment(
    state: &AppState,
    user: &CurrentUser,
    link: &AttachmentLink,
    owner: &OrgPath,
    reason: &str,
) -> Result<AttachmentLink, AppError> {
    if !user.perms.can(Action::RecordWork, owner) {
        return Err(AppError::Forbidden);
    }
    let reason = zeren_domain::records::void_reason(reason)?;
    let mut tx = state.store.begin_write().await?;
    let link = tx.void_attachment(link.id, &reason, &user.actor()).await?;
    tx.commit().await?;
    Ok(link)
}

pub async fn link_item(
    state: &AppState,
    user: &CurrentUser,
    record: &WorkRecord,
    item_id: i64,
) -> Result<(), AppError> {
    writable(user, record)?;
    visible_items(state, user, &[item_id]).await?;
    let mut tx = state.store.begin_write().await?;
    tx.link_record_item(record.id, item_id, &user.actor())
        .await
        .map_err(|e| match e {
            StorageError::Rejected { message, .. } => Invalid::new("item_id", message).into(),
            other => AppError::from(other),
        })?;
    tx.commit().await?;
    Ok(())
}

pub async fn unlink_item(
    state: &AppState,
    user: &CurrentUser,
    record: &WorkRecord,
    item_id: i64,
) -> Result<(), AppError> {
    writable(user, record)?;
    let mut tx = state.store.begin_write().await?;
    tx.unlink_record_item(record.id, item_id, &user.actor())
        .await
        .map_err(|e| match e {
            StorageError::NotFound(_) => AppError::NotFound("该关联"),
            other => other.into(),
        })?;
    tx.commit().await?;
    Ok(())
}

/// Record types and the 三会一课 rules hold for every organization: only an administrator
/// at a top-level organization sets them.
fn may_configure(user: &CurrentUser) -> Result<(), AppError> {
    if user.perms.can_at_top(Action::ManageOrgs) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Adds a record type to the catalogue.
pub async fn add_type(
    state: &AppState,
    user: &CurrentUser,
    ty: RecordType,
) -> Result<RecordType, AppError> {
    may_configure(user)?;
    if state
        .store
        .record_types_all()
        .await?
        .iter()
        .any(|t| t.name == ty.name)
    {
        return Err(Invalid::new("name", format!("已有名为“{}”的纪实类型", ty.name)).into());
    }
    let config = serde_json::to_string(&ty).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = state.store.begin_write().await?;
    tx.add_catalog_entry(
        CatalogKind::RecordType,
        &ty.code,
        &ty.name,
        &config,
        &user.actor(),
    )
    .await
    .map_err(|e| match e {
        StorageError::Duplicate(_) => {
            Invalid::new("code", format!("编码“{}”已被使用", ty.code)).into()
        }
        other => AppError::from(other),
    })?;
    tx.commit().await?;
    Ok(ty)
}

/// Replaces the 三会一课 rules.
pub async fn set_rules(
    state: &AppState,
    user: &CurrentUser,
    rules: Vec<MeetingRule>,
) -> Result<Vec<MeetingRule>, AppError> {
    may_configure(user)?;
    let types = state.store.record_types().await?;
    for r in &rules {
        if !types.iter().any(|t| t.code == r.type_code.trim()) {
            return Err(Invalid::new(
                "type",
                format!(
                    "没有编码为“{}”的纪实类型",
                    r.type_code.chars().take(32).collect::<String>()
                ),
            )
            .into());
        }
    }
    let mut tx = state.store.begin_write().await?;
    tx.set_meeting_rules(&rules, &user.actor()).await?;
    tx.commit().await?;
    Ok(state.store.meeting_rules().await?)
}

/// 应开 / 已开 for every organization under `org` that a rule applies to.
pub async fn meetings(
    state: &AppState,
    org: &Org,
    period: Period,
) -> Result<Vec<MeetingRow>, AppError> {
    Ok(state
        .store
        .meeting_counts(&org.path, period, Day::today())
        .await?)
}
