//! The audit trail page: newest entries first, and the result of verifying the whole chain.

use super::{render, Layout, PageResult};
use crate::auth::CurrentUser;
use crate::extract::Query;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use serde::Deserialize;
use zeren_domain::audit::AuditEntry;
use zeren_domain::clock;
use zeren_storage::ChainReport;

const PAGE_SIZE: i64 = 50;

pub struct EntryRow {
    pub entry: AuditEntry,
    /// The first 12 characters of the hash (a tampered row may hold anything).
    pub short_hash: String,
    pub at: String,
    pub action_label: &'static str,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub layout: Layout,
    /// Present when the user asked for the whole chain to be verified.
    pub report: Option<ChainReport>,
    pub rows: Vec<EntryRow>,
    pub page: i64,
    pub pages: i64,
    pub filter: String,
    pub total: i64,
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    pub page: Option<String>,
    pub filter: Option<String>,
    /// `1` to verify the whole chain (linear in its length, so on request only).
    pub verify: Option<String>,
}

fn action_label(action: &str) -> &'static str {
    match action {
        "login.success" => "登录成功",
        "login.failure" => "登录失败",
        "logout" => "退出登录",
        "org.create" => "新建组织",
        "org.update" => "修改组织",
        "org.move" => "移动组织",
        "org.deactivate" => "停用组织",
        "account.create" => "新建账户",
        "account.update" => "修改账户",
        "account.deactivate" => "停用账户",
        "account.reset_password" => "重置密码",
        "account.change_password" => "修改密码",
        "grant.create" => "授予角色",
        "grant.revoke" => "撤销角色",
        "check_rules.update" => "修改体检规则",
        "session.end_all" => "强制下线",
        "record.create" => "登记纪实",
        "record.update" => "修改纪实",
        "record.void" => "作废纪实",
        "record.link_item" => "关联清单事项",
        "record.unlink_item" => "取消关联清单事项",
        "attachment.add" => "上传佐证材料",
        "attachment.void" => "作废佐证材料",
        "member.create" => "登记党员",
        "member.update" => "修改党员信息",
        "member.status" => "变更党员状态",
        "member.void" => "作废党员信息",
        "meeting_rules.update" => "修改三会一课规则",
        "catalog.add" => "新增目录项",
        _ => "其他操作",
    }
}

pub async fn index(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    // The trail records every unit: only a grant at the top organization may read it.
    if !user
        .perms
        .can_at_top(zeren_domain::permissions::Action::ViewAudit)
    {
        return Err(crate::error::AppError::Forbidden.into());
    }
    let filter = match q.filter.as_deref() {
        Some(
            f
            @ ("login." | "org." | "account." | "grant." | "check_rules." | "record." | "member."),
        ) => f.to_string(),
        _ => String::new(),
    };
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let report = if q.verify.as_deref() == Some("1") {
        Some(state.store.verify_audit_chain().await?)
    } else {
        None
    };
    let total = state.store.audit_count().await?;
    let matching = state.store.audit_count_with(&filter).await?;
    let entries = state
        .store
        .audit_page(PAGE_SIZE, (page - 1) * PAGE_SIZE, Some(&filter))
        .await?;
    let rows = entries
        .into_iter()
        .map(|e| EntryRow {
            short_hash: e.hash.chars().take(12).collect(),
            at: clock::display_cst(&e.at),
            action_label: action_label(&e.event.action),
            entry: e,
        })
        .collect();
    let page = AuditPage {
        layout: Layout::new(&user, "audit", "审计日志"),
        report,
        rows,
        page,
        pages: ((matching + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        filter,
        total,
    };
    Ok(render(&page))
}
