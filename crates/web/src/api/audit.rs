//! `/api/v1/audit`: read the trail and verify its chain.

use super::{ApiError, ApiResult};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::error::ErrorBody;
use crate::extract::Query;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The trail records every unit: only a grant at the top organization may read it.
fn require_top(user: &CurrentUser) -> Result<(), ApiError> {
    if user
        .perms
        .can_at_top(zeren_domain::permissions::Action::ViewAudit)
    {
        Ok(())
    } else {
        Err(AppError::Forbidden.into())
    }
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    /// At most 500; default 100.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// Action prefix, e.g. `login.`.
    pub action: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub address: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub hash: String,
}

/// Audit entries, newest first.
#[utoipa::path(get, path = "/api/v1/audit", params(AuditQuery), responses((status = 200, body = Vec<AuditOut>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Vec<AuditOut>> {
    require_top(&user)?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let offset = q.offset.unwrap_or(0).clamp(0, i64::MAX / 2);
    let entries = state
        .store
        .audit_page(limit, offset, q.action.as_deref())
        .await
        .map_err(ApiError::from)?;
    // Discipline records are restricted personal data: their before/after (names) are shown
    // only to those who may see discipline records throughout (the hashes still cover them).
    let restricted = !user
        .perms
        .can_at_top(zeren_domain::permissions::Action::ViewDiscipline);
    Ok(Json(
        entries
            .into_iter()
            .map(|e| {
                let hide = restricted && e.event.object_type == "discipline";
                AuditOut {
                    seq: e.seq,
                    at: e.at,
                    actor: e.event.actor,
                    address: e.event.address,
                    action: e.event.action,
                    object_type: e.event.object_type,
                    object_id: e.event.object_id,
                    before: e.event.before.filter(|_| !hide),
                    after: e.event.after.filter(|_| !hide),
                    hash: e.hash,
                }
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct VerifyOut {
    pub ok: bool,
    pub entries: u64,
    /// Hash of the last entry that held; keep it elsewhere to detect later deletions at the end.
    pub head: String,
    pub broken_seq: Option<i64>,
    pub reason: Option<String>,
}

/// Verifies the whole hash chain and names the first broken link.
#[utoipa::path(get, path = "/api/v1/audit/verify", responses((status = 200, body = VerifyOut), (status = 403, body = ErrorBody)))]
pub async fn verify(State(state): State<AppState>, user: CurrentUser) -> ApiResult<VerifyOut> {
    require_top(&user)?;
    let r = state
        .store
        .verify_audit_chain()
        .await
        .map_err(ApiError::from)?;
    Ok(Json(VerifyOut {
        ok: r.broken.is_none(),
        entries: r.entries,
        head: r.head.clone(),
        broken_seq: r.broken.as_ref().map(|b| b.seq),
        reason: r.broken.map(|b| b.reason),
    }))
}
