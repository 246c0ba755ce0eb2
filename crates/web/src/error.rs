//! One error type for the web layer, rendered in one place: a Chinese page for browsers,
//! JSON `{code, message, field?}` for the API. Unknown errors become an opaque 500 while the
//! cause is logged.

use axum::http::StatusCode;
use serde::Serialize;
use zeren_domain::Invalid;
use zeren_storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Malformed input (not JSON, not a form, wrong types).
    #[error("{0}")]
    BadRequest(String),
    /// A field's value was refused; the page shows the message beside the field.
    #[error("{0}")]
    Invalid(#[from] Invalid),
    #[error("请先登录")]
    Unauthorized,
    #[error("{0}")]
    LoginFailed(String),
    #[error("您没有权限执行此操作")]
    Forbidden,
    #[error("请先修改初始密码")]
    PasswordChangeRequired,
    #[error("页面已过期，请刷新后重试")]
    Csrf,
    #[error("未找到{0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{1}")]
    Status(StatusCode, String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// The JSON shape of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `invalid`, `forbidden`, `not_found`.
    pub code: String,
    /// Chinese message for a person.
    pub message: String,
    /// The input field concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized | AppError::LoginFailed(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::PasswordChangeRequired | AppError::Csrf => {
                StatusCode::FORBIDDEN
            }
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Status(s, _) => *s,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::Invalid(_) => "invalid",
            AppError::Unauthorized => "unauthorized",
            AppError::LoginFailed(_) => "login_failed",
            AppError::Forbidden => "forbidden",
            AppError::PasswordChangeRequired => "password_change_required",
            AppError::Csrf => "csrf",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::Status(s, _) => match s.as_u16() {
                400 => "bad_request",
                403 => "forbidden",
                404 => "not_found",
                405 => "method_not_allowed",
                413 => "payload_too_large",
                415 => "unsupported_media_type",
                423 => "locked",
                _ => "error",
            },
            AppError::Internal(_) => "internal",
        }
    }

    /// The message a user may see: internal causes are never shown.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                "系统内部错误，请稍后重试或联系管理员".to_string()
            }
            other => other.to_string(),
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code().to_string(),
            message: match self {
                AppError::Invalid(i) => i.message.clone(),
                other => other.public_message(),
            },
            field: match self {
                AppError::Invalid(i) => Some(i.field.to_string()),
                _ => None,
            },
        }
    }

    pub fn field(&self) -> Option<&'static str> {
        match self {
            AppError::Invalid(i) => Some(i.field),
            _ => None,
        }
    }
}

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound("organization") => AppError::NotFound("该组织"),
            StorageError::NotFound("account") => AppError::NotFound("该账户"),
            StorageError::NotFound(_) => AppError::NotFound("该记录"),
            StorageError::Duplicate("code") => {
                AppError::Invalid(Invalid::new("code", "该组织编码已被使用"))
            }
            StorageError::Duplicate("username") => {
                AppError::Invalid(Invalid::new("username", "该用户名已被使用"))
            }
            StorageError::Duplicate("role") => {
                AppError::Invalid(Invalid::new("role", "该账户已在此组织拥有该角色"))
            }
            StorageError::Duplicate(what) => AppError::Conflict(format!("{what} 重复")),
            StorageError::Rejected { field, message } => {
                AppError::Invalid(Invalid::new(field, message))
            }
            StorageError::Unsupported(msg) => AppError::Conflict(msg),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// Maps an extractor's rejection (bad JSON, bad form, too large) to a Chinese message with the
/// rejection's own 4xx status.
pub fn rejection(status: StatusCode, detail: &str) -> AppError {
    let message = match status.as_u16() {
        413 => "提交的内容过大".to_string(),
        415 => "不支持的内容类型，请使用 JSON 或表单提交".to_string(),
        422 => format!("提交的数据字段不正确：{}", short(detail)),
        _ => format!("提交的数据格式不正确：{}", short(detail)),
    };
    let status = if status.is_client_error() {
        status
    } else {
        StatusCode::BAD_REQUEST
    };
    AppError::Status(status, message)
}

fn short(detail: &str) -> String {
    detail.chars().take(160).collect()
}
