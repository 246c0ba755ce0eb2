//! Server-rendered pages. Each page is an askama template whose struct carries a [`Layout`].

pub mod accounts;
pub mod audit;
pub mod check;
pub mod excel;
pub mod home;
pub mod lists;
pub mod login;
pub mod me;
pub mod metrics;
pub mod orgs;
pub mod report_templates;
// The year's ledgers: problems and rectification, integrity risks, discipline records.
pub mod discipline;
pub mod meetings;
pub mod members;
pub mod problems;
pub mod records;
pub mod risks;
// 报告起草: drafts from the records, versions, export.
pub mod reports;

use crate::auth::{CurrentUser, RequestContext};
use crate::error::{rejection, AppError};
use crate::{is_api, respond_error, AppState};
use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::de::DeserializeOwned;
use zeren_domain::permissions::Action;

/// Renders a template; a template error is logged and shown as the opaque error page.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<h1>系统内部错误</h1>".to_string()),
            )
                .into_response()
        }
    }
}

/// Renders a template with a status other than 200 (e.g. 422 for a form shown again with its
/// error beside the field).
pub fn render_status<T: Template>(t: &T, status: StatusCode) -> Response {
    let mut resp = render(t);
    if resp.status().is_success() {
        *resp.status_mut() = status;
    }
    resp
}

/// An error on a page: rendered as the Chinese error page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        respond_error(false, self.0)
    }
}

pub type PageResult = Result<Response, PageError>;

/// The logged-in user; the route guard has already turned anonymous requests away.
impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestContext>()
            .and_then(|c| c.user.clone())
            .ok_or_else(|| respond_error(is_api(parts.uri.path()), AppError::Unauthorized))
    }
}

/// A urlencoded form whose rejection is a Chinese 4xx page, never a 500.
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PageForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(PageForm(v)),
            Err(r) => Err(PageError(rejection(r.status(), &r.body_text()))),
        }
    }
}

/// The rejected field of a form, if any: templates show its message beside that field.
pub struct FieldError(pub Option<zeren_domain::Invalid>);

impl FieldError {
    /// The message for `field`, or empty when the error (if any) concerns another field.
    pub fn get(&self, field: &str) -> String {
        match &self.0 {
            Some(e) if e.field == field => e.message.clone(),
            _ => String::new(),
        }
    }
}

/// Organizations as indented choices for a select box (the tree shown in one column).
pub fn indented_choices(orgs: &[zeren_storage::Org]) -> Vec<(i64, String)> {
    let min_depth = orgs.iter().map(|o| o.depth()).min().unwrap_or(1);
    orgs.iter()
        .filter(|o| o.active)
        .map(|o| {
            (
                o.id,
                format!(
                    "{}{}",
                    "　".repeat(o.depth().saturating_sub(min_depth)),
                    o.name
                ),
            )
        })
        .collect()
}

pub struct NavItem {
    pub key: &'static str,
    pub label: &'static str,
    pub href: &'static str,
}

/// When a navigation item shows.
enum Show {
    Always,
    /// The user may do this somewhere.
    Somewhere(Action),
    /// Through a grant at a top-level organization (what records every unit).
    AtTop(Action),
}

/// The navigation, in the order of a year's work: plan, record, rectify, prove.
const NAV: [(&str, &str, &str, Show); 16] = [
    ("home", "工作台", "/", Show::Always),
    (
        "orgs",
        "组织架构",
        "/orgs",
        Show::Somewhere(Action::ViewOrgs),
    ),
    (
        "lists",
        "责任清单",
        "/lists",
        Show::Somewhere(Action::ViewOrgs),
    ),
    (
        "records",
        "工作纪实",
        "/records",
        Show::Somewhere(Action::ViewOrgs),
    ),
    (
        "meetings",
        "三会一课",
        "/meetings",
        Show::Somewhere(Action::ViewOrgs),
    ),
    (
        "problems",
        "问题整改",
        "/problems",
        Show::Somewhere(Action::ViewOrgs),
    ),
    (
        "risks",
        "廉政风险",
        "/risks",
        Show::Somewhere(Action::ViewOrgs),
    ),
    // Discipline only for those who may see it.
    (
        "discipline",
        "执纪问责",
        "/discipline",
        Show::Somewhere(Action::ViewDiscipline),
    ),
    (
        "members",
        "党员名册",
        "/members",
        Show::Somewhere(Action::ViewOrgs),
    ),
    (
        "metrics",
        "数据指标",
        "/metrics",
        Show::Somewhere(Action::ViewOrgs),
    ),
    (
        "accounts",
        "账户与角色",
        "/accounts",
        Show::Somewhere(Action::ViewAccounts),
    ),
    (
        "reports",
        "报告",
        "/reports",
        Show::Somewhere(Action::DraftReports),
    ),
    (
        "check",
        "报告体检",
        "/check",
        Show::Somewhere(Action::CheckReports),
    ),
    (
        "report_templates",
        "报告模板",
        "/report-templates",
        Show::Somewhere(Action::ManageTemplates),
    ),
    (
        "audit",
        "审计日志",
        "/audit",
        Show::AtTop(Action::ViewAudit),
    ),
    ("me", "我的权限", "/me", Show::Always),
];

/// What every page shows around its content.
pub struct Layout {
    pub title: String,
    pub active: &'static str,
    pub user_name: String,
    pub user_title: String,
    pub roles: String,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub notice: Option<String>,
}

impl Layout {
    pub fn new(user: &CurrentUser, active: &'static str, title: impl Into<String>) -> Self {
        let p = &user.perms;
        let nav = NAV
            .iter()
            .filter(|(_, _, _, show)| match show {
                Show::Always => true,
                Show::Somewhere(a) => p.can_somewhere(*a),
                Show::AtTop(a) => p.can_at_top(*a),
            })
            .map(|(key, label, href, _)| NavItem { key, label, href })
            .collect();
        let mut roles: Vec<&str> = user.perms.grants().iter().map(|g| g.role.label()).collect();
        roles.sort_unstable();
        roles.dedup();
        Self {
            title: title.into(),
            active,
            user_name: user.account.display_name.clone(),
            user_title: user.account.title.clone(),
            roles: roles.join("、"),
            csrf: user.csrf.clone(),
            nav,
            notice: None,
        }
    }

    pub fn with_notice(mut self, notice: Option<String>) -> Self {
        self.notice = notice;
        self
    }
}

/// Known notices shown after a redirect (`?notice=created`): never echo free text.
pub fn notice_text(key: Option<&str>) -> Option<String> {
    let text = match key? {
        "created" => "已创建",
        "saved" => "已保存",
        "granted" => "已授予角色",
        "revoked" => "已撤销角色",
        "password_changed" => "密码已修改",
        "rules_saved" => "报告体检规则已保存",
        // Ledgers: problems, risks, discipline.
        "batch_created" => "反馈问题已全部录入",
        "measure_added" => "已增加整改措施",
        "measure_done" => "整改措施已标记完成",
        "moved" => "整改状态已更新",
        "evidence_added" => "佐证材料已上传",
        "voided" => "已作废（记录保留备查）",
        "reviewed" => "已完成年度复核",
        "record_created" => "纪实已登记",
        "record_voided" => "纪实已作废",
        "uploaded" => "佐证材料已上传",
        "attachment_voided" => "附件已作废",
        "item_linked" => "已关联清单事项",
        "item_unlinked" => "已取消关联",
        "member_created" => "已登记到党员名册",
        "member_voided" => "党员信息已作废",
        "list_created" => "清单已创建，请逐项添加事项",
        "item_added" => "事项已添加",
        "handed_down" => "已下发至所选下级组织",
        "copied" => "已复制为新年度清单，请核对各项时限和责任领导",
        "progress_added" => "进展已报送",
        "completed" => "事项已完成销项",
        "reopened" => "已撤销完成",
        "linked" => "已关联工作纪实",
        // Reports.
        "report_created" => "草稿已按记录生成：每个数字均可点击查看构成它的记录",
        "report_saved" => "已保存为新版本",
        "refreshed" => "已按最新记录刷新数字，文字未改动",
        "up_to_date" => "数字均与记录一致，无需刷新",
        "report_voided" => "报告已作废（各版本保留备查）",
        // Report templates.
        "template_saved" => "报告模板已检查并保存",
        "template_restored" => "已恢复为内置模板",
        "template_learned" => "已由上年报告生成模板；未绑定指标的数字在报告中显示为“待补充”",
        _ => return None,
    };
    Some(text.to_string())
}

#[derive(serde::Deserialize, Default)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub title: &'static str,
    pub message: String,
}

/// `GET /healthz`: 200 when the database answers.
pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}
