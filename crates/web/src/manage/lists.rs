//! Responsibility lists (责任清单): every operation of the pages and the API, once.
//!
//! Reading needs ViewOrgs over the list's organization (an item may also be read by those
//! who see its carrying-out organization); changing a list and its items needs RecordWork
//! over the list's organization; an item may also be changed (progress, completion, evidence,
//! refinement) by someone with RecordWork over the organization that carries it out.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::AppState;
use zeren_domain::date::Day;
use zeren_domain::evidence;
use zeren_domain::lists::{self, ListKind};
use zeren_domain::metrics::MetricDef;
use zeren_domain::org::OrgPath;
use zeren_domain::permissions::Action;
use zeren_domain::Invalid;
use zeren_storage::{
    AttachmentLink, CatalogKind, ItemFields, ItemView, ListChange, ListItem, NewList, Org,
    Progress, RespList,
};

/// An uploaded evidence file, as received.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// An upload that passed the checks: clean name, type from the bytes.
struct CheckedUpload {
    name: String,
    mime: &'static str,
    bytes: Vec<u8>,
}

/// Checks every file on the bytes (off the async workers: up to 20 MB each).
async fn check_uploads(files: Vec<Upload>) -> Result<Vec<CheckedUpload>, AppError> {
    tokio::task::spawn_blocking(move || {
        files
            .into_iter()
            .map(|f| {
                let kind = evidence::check(&f.name, &f.bytes)?;
                Ok(CheckedUpload {
                    name: evidence::clean_file_name(&f.name),
                    mime: kind.mime,
                    bytes: f.bytes,
                })
            })
            .collect::<Result<Vec<_>, Invalid>>()
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(AppError::from)
}

fn path_of(text: &str) -> OrgPath {
    OrgPath(text.to_string())
}

fn parse_id(id: &str) -> Option<i64> {
    id.trim().parse::<i64>().ok().filter(|n| *n > 0)
}

/// A list the user may see, or 404.
pub async fn list_by_id(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<RespList, AppError> {
    let not_found = AppError::NotFound("该清单");
    let Some(id) = parse_id(id) else {
        return Err(not_found);
    };
    match state.store.resp_list(id).await {
        Ok(l) if user.perms.can(Action::ViewOrgs, &path_of(&l.org_path)) => Ok(l),
        Ok(_) | Err(zeren_storage::StorageError::NotFound(_)) => Err(not_found),
        Err(e) => Err(e.into()),
    }
}

/// Whether the user sees an item: over its list's organization or its own.
pub fn sees_item(user: &CurrentUser, item: &ItemView) -> bool {
    user.perms
        .can(Action::ViewOrgs, &path_of(&item.list_org_path))
        || user
            .perms
            .can(Action::ViewOrgs, &path_of(&item.item.org_path))
}

/// An item the user may see, or 404.
pub async fn item_by_id(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<ItemView, AppError> {
    let not_found = AppError::NotFound("该事项");
    let Some(id) = parse_id(id) else {
        return Err(not_found);
    };
    match state.store.list_item(id).await {
        Ok(i) if sees_item(user, &i) => Ok(i),
        Ok(_) | Err(zeren_storage::StorageError::NotFound(_)) => Err(not_found),
        Err(e) => Err(e.into()),
    }
}

/// May the user change the list (title, items, hand-down, copy, void)?
pub fn can_edit_list(user: &CurrentUser, list: &RespList) -> bool {
    !list.voided && user.perms.can(Action::RecordWork, &path_of(&list.org_path))
}

/// May the user change the item (report progress, complete, attach evidence, refine)?
pub fn can_edit_item(user: &CurrentUser, item: &ItemView) -> bool {
    !item.item.voided
        && !item.list_voided
        && (user
            .perms
            .can(Action::RecordWork, &path_of(&item.list_org_path))
            || user
                .perms
                .can(Action::RecordWork, &path_of(&item.item.org_path)))
}

/// May the user void the item (only over the list's organization)?
pub fn can_void_item(user: &CurrentUser, item: &ItemView) -> bool {
    !item.item.voided
        && !item.list_voided
        && user
            .perms
            .can(Action::RecordWork, &path_of(&item.list_org_path))
}

fn require(allowed: bool) -> Result<(), AppError> {
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The organizations a user may create lists for (RecordWork), in tree order, active only.
pub async fn list_orgs(state: &AppState, user: &CurrentUser) -> Result<Vec<Org>, AppError> {
    Ok(state
        .store
        .orgs_in(&user.perms.scope(Action::RecordWork))
        .await?
        .into_iter()
        .filter(|o| o.active)
        .collect())
}

/// An organization for a new list (looked up by id or code): one the user may record work
/// for. An unknown one and one out of scope get the same answer.
pub fn org_for_new_list(user: &CurrentUser, org: Result<Org, AppError>) -> Result<Org, AppError> {
    match org {
        Ok(o) if user.perms.can(Action::RecordWork, &o.path) => Ok(o),
        _ => Err(Invalid::new("org", "请选择您负责记录的组织").into()),
    }
}

/// Creates a list.
pub async fn create_list(
    state: &AppState,
    user: &CurrentUser,
    org: &Org,
    year: i32,
    kind: ListKind,
    title: &str,
) -> Result<RespList, AppError> {
    require(user.perms.can(Action::RecordWork, &org.path))?;
    if !org.active {
        return Err(Invalid::new("org", "该组织已停用，不能新建清单").into());
    }
    let mut tx = state.store.begin_write().await?;
    let list = tx
        .create_list(
            NewList {
                org_id: org.id,
                year,
                kind,
                title: title.to_string(),
            },
            &user.actor(),
        )
        .await?;
    tx.commit().await?;
    Ok(list)
}

pub async fn update_list(
    state: &AppState,
    user: &CurrentUser,
    list: &RespList,
    change: ListChange,
) -> Result<RespList, AppError> {
    require(can_edit_list(user, list))?;
    let mut tx = state.store.begin_write().await?;
    let list = tx.update_list(list.id, change, &user.actor()).await?;
    tx.commit().await?;
    Ok(list)
}

pub async fn void_list(
    state: &AppState,
    user: &CurrentUser,
    list: &RespList,
    reason: &str,
) -> Result<RespList, AppError> {
    require(can_edit_list(user, list))?;
    let reason = lists::parse_reason(reason)?;
    let mut tx = state.store.begin_write().await?;
    let list = tx.void_list(list.id, &reason, &user.actor()).await?;
    tx.commit().await?;
    Ok(list)
}

/// Copies a list to a later year (复制上年清单).
pub async fn copy_list(
    state: &AppState,
    user: &CurrentUser,
    list: &RespList,
    to_year: i32,
) -> Result<RespList, AppError> {
    require(can_edit_list(user, list))?;
    let mut tx = state.store.begin_write().await?;
    let copy = tx.copy_list(list.id, to_year, &user.actor()).await?;
    tx.commit().await?;
    refresh_targets(state, &path_of(&copy.org_path), to_year).await;
    Ok(copy)
}

/// The organizations a list may be handed down to: active ones strictly below its own.
pub async fn hand_down_targets(state: &AppState, list: &RespList) -> Result<Vec<Org>, AppError> {
    let root = path_of(&list.org_path);
    Ok(state
        .store
        .orgs_in(&zeren_domain::permissions::Scope {
            roots: vec![root.clone()],
        })
        .await?
        .into_iter()
        .filter(|o| o.active && o.path != root)
        .collect())
}

/// Hands items (all when `item_ids` is empty) down to organizations below the list's (上级
/// 下发).
pub async fn hand_down(
    state: &AppState,
    user: &CurrentUser,
    list: &RespList,
    item_ids: &[i64],
    org_ids: &[i64],
) -> Result<Vec<RespList>, AppError> {
    require(can_edit_list(user, list))?;
    let mut tx = state.store.begin_write().await?;
    let lists = tx
        .hand_down(list.id, item_ids, org_ids, &user.actor())
        .await?;
    tx.commit().await?;
    refresh_targets(state, &path_of(&list.org_path), list.year as i32).await;
    Ok(lists)
}

/// The metric catalogue (built-in and an administrator's additions) targets are bound to.
pub async fn metric_catalog(state: &AppState) -> Result<Vec<MetricDef>, AppError> {
    Ok(state.store.metric_catalog().await?)
}

/// A target's metric must be in the catalogue.
async fn check_target(state: &AppState, fields: &ItemFields) -> Result<(), AppError> {
    if let Some((name, value)) = &fields.target {
        if !metric_catalog(state).await?.iter().any(|m| &m.name == name) {
            return Err(Invalid::new("target_metric", format!("没有名为“{name}”的指标")).into());
        }
        lists::check_target_value(*value)?;
    }
    Ok(())
}

/// An owner named by username: unknown names get the same answer as accounts outside the
/// list's subtree.
pub async fn owner_id(state: &AppState, username: &str) -> Result<Option<i64>, AppError> {
    let u = username.trim();
    if u.is_empty() {
        return Ok(None);
    }
    match state.store.account_by_username(u).await? {
        Some(a) => Ok(Some(a.id)),
        None => Err(Invalid::new(
            "owner",
            "责任领导应为本清单所属组织（或其下级组织）在用的账户",
        )
        .into()),
    }
}

/// A carrying-out organization named by code: unknown and invisible ones are refused alike.
pub async fn item_org_id(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
) -> Result<i64, AppError> {
    match state.store.org_by_code(code.trim()).await {
        Ok(o) if user.perms.can(Action::ViewOrgs, &o.path) => Ok(o.id),
        _ => Err(Invalid::new("org", "承办单位应为本清单所属组织或其下级组织").into()),
    }
}

/// Adds an item to a list.
pub async fn create_item(
    state: &AppState,
    user: &CurrentUser,
    list: &RespList,
    fields: ItemFields,
) -> Result<ListItem, AppError> {
    require(can_edit_list(user, list))?;
    check_target(state, &fields).await?;
    let mut tx = state.store.begin_write().await?;
    let item = tx.create_item(list.id, fields, &user.actor()).await?;
    tx.commit().await?;
    after_item_change(state, item).await
}

/// Changes an item. Someone who may change it only through its carrying-out organization
/// keeps it inside what he records for.
pub async fn update_item(
    state: &AppState,
    user: &CurrentUser,
    item: &ItemView,
    fields: ItemFields,
) -> Result<ListItem, AppError> {
    require(can_edit_item(user, item))?;
    if fields.org_id != item.item.org_id
        && !user
            .perms
            .can(Action::RecordWork, &path_of(&item.list_org_path))
    {
        let org = state
            .store
            .org(fields.org_id)
            .await
            .map_err(|_| Invalid::new("org", "承办单位应为您负责的组织"))?;
        if !user.perms.can(Action::RecordWork, &org.path) {
            return Err(Invalid::new("org", "承办单位应为您负责的组织").into());
        }
    }
    check_target(state, &fields).await?;
    let mut tx = state.store.begin_write().await?;
    let changed = tx.update_item(item.item.id, fields, &user.actor()).await?;
    tx.commit().await?;
    after_item_change(state, changed).await
}

/// A target item's metric now, over its carrying-out organization's subtree and its list's
/// year; `None` without a target or while the metric cannot be evaluated.
pub async fn live_value(
    state: &AppState,
    catalog: &[MetricDef],
    item: &ItemView,
) -> Result<Option<f64>, AppError> {
    Ok(state.store.item_target_value(catalog, item).await?)
}

/// Sets target items' status from their metrics after a change at `path` in `year` (a work
/// record saved, a list copied or handed down). The change itself is committed already: a
/// failure here is logged, not reported to the user, and the next change tries again.
pub async fn refresh_targets(state: &AppState, path: &OrgPath, year: i32) {
    if let Err(e) = state.store.refresh_list_targets(path, year).await {
        tracing::warn!(error = %e, "list targets were not refreshed");
    }
}

/// After an item is saved: a target item's status follows its metric.
async fn after_item_change(state: &AppState, item: ListItem) -> Result<ListItem, AppError> {
    match state.store.refresh_item_target(item.id).await {
        Ok(Some(changed)) => Ok(changed),
        Ok(None) => Ok(item),
        Err(e) => {
            tracing::warn!(error = %e, "the item's target was not refreshed");
            Ok(item)
        }
    }
}

pub async fn void_item(
    state: &AppState,
    user: &CurrentUser,
    item: &ItemView,
    reason: &str,
) -> Result<ListItem, AppError> {
    require(can_void_item(user, item))?;
    let reason = lists::parse_reason(reason)?;
    let mut tx = state.store.begin_write().await?;
    let item = tx.void_item(item.item.id, &reason, &user.actor()).await?;
    tx.commit().await?;
    Ok(item)
}

/// Reports progress (季度调度) with any evidence files, in one transaction.
pub async fn add_progress(
    state: &AppState,
    user: &CurrentUser,
    item: &ItemView,
    reported_on: Day,
    text: &str,
    files: Vec<Upload>,
) -> Result<Progress, AppError> {
    require(can_edit_item(user, item))?;
    let text = lists::parse_progress_text(text)?;
    let files = check_uploads(files).await?;
    let actor = user.actor();
    let mut tx = state.store.begin_write().await?;
    let p = tx
        .add_progress(item.item.id, reported_on, &text, &actor)
        .await?;
    for f in &files {
        tx.attach("progress", p.id, &f.name, &f.bytes, f.mime, &actor)
            .await?;
    }
    tx.commit().await?;
    Ok(p)
}

/// The item a progress report belongs to, if the user sees it; 404 otherwise.
pub async fn progress_by_id(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<(Progress, ItemView), AppError> {
    let not_found = AppError::NotFound("该进展");
    let Some(id) = parse_id(id) else {
        return Err(not_found);
    };
    let p = match state.store.progress_entry(id).await {
        Ok(p) => p,
        Err(zeren_storage::StorageError::NotFound(_)) => return Err(not_found),
        Err(e) => return Err(e.into()),
    };
    let item = state.store.list_item(p.item_id).await?;
    if !sees_item(user, &item) {
        return Err(not_found);
    }
    Ok((p, item))
}

pub async fn void_progress(
    state: &AppState,
    user: &CurrentUser,
    progress: &Progress,
    item: &ItemView,
    reason: &str,
) -> Result<Progress, AppError> {
    require(can_edit_item(user, item))?;
    let reason = lists::parse_reason(reason)?;
    let mut tx = state.store.begin_write().await?;
    let p = tx
        .void_progress(progress.id, &reason, &user.actor())
        .await?;
    tx.commit().await?;
    Ok(p)
}

/// Signs an item off as done, with evidence files uploaded now and/or before (or a linked
/// record): one transaction. Items with a target are never ticked.
pub async fn complete_item(
    state: &AppState,
    user: &CurrentUser,
    item: &ItemView,
    completed_on: Day,
    note: &str,
    files: Vec<Upload>,
) -> Result<ListItem, AppError> {
    require(can_edit_item(user, item))?;
    if item.item.has_target() {
        return Err(Invalid::new(
            "status",
            "该事项设有量化指标，按指标完成情况自动判定，不能手工销项",
        )
        .into());
    }
    let note = lists::parse_note("note", "完成情况说明", note)?;
    let files = check_uploads(files).await?;
    let actor = user.actor();
    let mut tx = state.store.begin_write().await?;
    for f in &files {
        tx.attach("item", item.item.id, &f.name, &f.bytes, f.mime, &actor)
            .await?;
    }
    let done = tx
        .complete_item(item.item.id, completed_on, &note, &actor)
        .await?;
    tx.commit().await?;
    Ok(done)
}

pub async fn reopen_item(
    state: &AppState,
    user: &CurrentUser,
    item: &ItemView,
    reason: &str,
) -> Result<ListItem, AppError> {
    require(can_edit_item(user, item))?;
    let reason = lists::parse_reason(reason)?;
    let mut tx = state.store.begin_write().await?;
    let item = tx.reopen_item(item.item.id, &reason, &user.actor()).await?;
    tx.commit().await?;
    Ok(item)
}

/// Attaches evidence to the item itself or to one of its progress reports.
pub async fn attach(
    state: &AppState,
    user: &CurrentUser,
    item: &ItemView,
    progress_id: Option<i64>,
    file: Upload,
) -> Result<AttachmentLink, AppError> {
    require(can_edit_item(user, item))?;
    let (object_type, object_id) = match progress_id {
        Some(pid) => {
            let p = state
                .store
                .progress_entry(pid)
                .await
                .map_err(|_| Invalid::new("progress_id", "该事项没有这条进展"))?;
            if p.item_id != item.item.id || p.voided {
                return Err(Invalid::new("progress_id", "该事项没有这条进展").into());
            }
            ("progress", pid)
        }
        None => ("item", item.item.id),
    };
    let mut files = check_uploads(vec![file]).await?;
    let f = files.remove(0);
    let mut tx = state.store.begin_write().await?;
    let link = tx
        .attach(
            object_type,
            object_id,
            &f.name,
            &f.bytes,
            f.mime,
            &user.actor(),
        )
        .await?;
    tx.commit().await?;
    Ok(link)
}

/// Links a work record of the item's organization (or below) to the item.
pub async fn link_record(
    state: &AppState,
    user: &CurrentUser,
    item: &ItemView,
    record_id: i64,
) -> Result<(), AppError> {
    require(can_edit_item(user, item))?;
    let mut tx = state.store.begin_write().await?;
    tx.link_record(item.item.id, record_id, &user.actor())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// An evidence file of an item or a progress report the user may see: (link, bytes).
pub async fn evidence_file(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<(AttachmentLink, Vec<u8>), AppError> {
    let not_found = AppError::NotFound("该附件");
    let Some(id) = parse_id(id) else {
        return Err(not_found);
    };
    let link = state
        .store
        .attachment_link(id)
        .await
        .map_err(|_| AppError::NotFound("该附件"))?;
    if link.voided {
        return Err(not_found);
    }
    let item_id = match link.object_type.as_str() {
        "item" => link.object_id,
        "progress" => match state.store.progress_entry(link.object_id).await {
            Ok(p) => p.item_id,
            Err(_) => return Err(not_found),
        },
        _ => return Err(not_found),
    };
    match state.store.list_item(item_id).await {
        Ok(i) if sees_item(user, &i) => {}
        _ => return Err(not_found),
    }
    let bytes = state.store.attachment_bytes(&link.sha256).await?;
    Ok((link, bytes))
}

/// Adds a list category to the catalogue (an administrator at a top-level organization).
pub async fn add_category(
    state: &AppState,
    user: &CurrentUser,
    name: &str,
) -> Result<String, AppError> {
    require(user.perms.can_at_top(Action::ManageOrgs))?;
    let name = zeren_domain::text::line("name", "类别名称", name, 20)?;
    if name.chars().count() < 2 {
        return Err(Invalid::new("name", "类别名称应为2至20个字").into());
    }
    if state.store.list_categories().await?.contains(&name) {
        return Err(Invalid::new("name", format!("类别“{name}”已存在")).into());
    }
    let mut tx = state.store.begin_write().await?;
    let entry = tx
        .add_catalog_entry(CatalogKind::ListCategory, &name, &name, "{}", &user.actor())
        .await
        .map_err(|e| match e {
            zeren_storage::StorageError::Duplicate(_) => {
                AppError::from(Invalid::new("name", format!("类别“{name}”已存在")))
            }
            other => other.into(),
        })?;
    tx.commit().await?;
    Ok(entry.name)
}
