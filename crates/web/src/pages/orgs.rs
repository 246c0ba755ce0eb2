//! The organization tree: browse, create, rename, move, deactivate.

use super::{
    notice_text, render, render_status, FieldError, Layout, NoticeQuery, PageForm, PageResult,
};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::Path;
use crate::extract::Query;
use crate::manage::orgs;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use zeren_domain::org::{OrgCode, OrgKind, OrgName};
use zeren_domain::permissions::Action;
use zeren_domain::Invalid;
use zeren_storage::{Account, NewOrg, Org, OrgChange};

pub struct TreeRow {
    pub org: Org,
    pub indent: usize,
    pub children: usize,
}

#[derive(Template)]
#[template(path = "orgs.html")]
pub struct OrgsPage {
    pub layout: Layout,
    pub rows: Vec<TreeRow>,
    pub can_manage: bool,
}

pub async fn index(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let orgs = state
        .store
        .orgs_in(&user.perms.scope(Action::ViewOrgs))
        .await?;
    let min_depth = orgs.iter().map(|o| o.depth()).min().unwrap_or(1);
    let rows = orgs
        .iter()
        .map(|o| TreeRow {
            org: o.clone(),
            indent: o.depth().saturating_sub(min_depth),
            children: orgs.iter().filter(|c| c.parent_id == Some(o.id)).count(),
        })
        .collect();
    let page = OrgsPage {
        layout: Layout::new(&user, "orgs", "组织架构")
            .with_notice(notice_text(q.notice.as_deref())),
        rows,
        can_manage: user.perms.can_somewhere(Action::ManageOrgs),
    };
    Ok(render(&page))
}

pub struct KindOption {
    pub code: &'static str,
    pub label: &'static str,
}

fn kind_options() -> Vec<KindOption> {
    OrgKind::ALL
        .into_iter()
        .map(|k| KindOption {
            code: k.code(),
            label: k.label(),
        })
        .collect()
}

pub struct ParentOption {
    pub id: i64,
    pub label: String,
}

/// Organizations the user may put things under, indented, excluding `exclude`'s subtree.
async fn parent_options(
    state: &AppState,
    user: &CurrentUser,
    exclude: Option<&Org>,
) -> Result<Vec<ParentOption>, AppError> {
    let orgs = state
        .store
        .orgs_in(&user.perms.scope(Action::ManageOrgs))
        .await?;
    let orgs: Vec<Org> = orgs
        .into_iter()
        .filter(|o| !exclude.is_some_and(|e| e.path.covers(&o.path)))
        .collect();
    Ok(super::indented_choices(&orgs)
        .into_iter()
        .map(|(id, label)| ParentOption { id, label })
        .collect())
}

#[derive(Template)]
#[template(path = "org_show.html")]
pub struct OrgShowPage {
    pub layout: Layout,
    pub org: Org,
    pub ancestors: Vec<Org>,
    pub children: Vec<Org>,
    pub people: Vec<Account>,
    pub can_manage: bool,
    pub form: OrgForm,
    pub error: FieldError,
    pub kinds: Vec<KindOption>,
    pub parents: Vec<ParentOption>,
    pub check_rules: Vec<CheckRuleRow>,
}

/// One report-checker rule as set on this organization.
pub struct CheckRuleRow {
    pub id: &'static str,
    pub name: &'static str,
    pub on_here: bool,
    /// Switched off by an organization above: cannot be switched on here.
    pub off_above: bool,
}

async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    org: Org,
    form: Option<OrgForm>,
    error: Option<Invalid>,
    notice: Option<String>,
) -> PageResult {
    let can_manage = user.perms.can(Action::ManageOrgs, &org.path);
    let ancestors = state
        .store
        .org_ancestors(&org)
        .await?
        .into_iter()
        .filter(|a| user.perms.can(Action::ViewOrgs, &a.path))
        .collect();
    let children = state.store.org_children(org.id).await?;
    // The people of this organization, for those who may see accounts here.
    let people = if user.perms.can(Action::ViewAccounts, &org.path) {
        state.store.accounts_at(org.id).await?
    } else {
        Vec::new()
    };
    let parents = if can_manage {
        let mut options = parent_options(state, user, Some(&org)).await?;
        // The current parent is always offered, even outside the user's scope, so saving
        // other fields never moves the organization by accident.
        if let Some(pid) = org.parent_id {
            if !options.iter().any(|o| o.id == pid) {
                let parent = state.store.org(pid).await?;
                options.insert(
                    0,
                    ParentOption {
                        id: pid,
                        label: format!("{}（当前上级）", parent.name),
                    },
                );
            }
        }
        options
    } else {
        Vec::new()
    };
    let check_rules = if can_manage {
        let here = state.store.check_rules_disabled_at(org.id).await?;
        let all = state.store.check_rules_disabled_for(&org.path).await?;
        zeren_reports::checker::RULES
            .iter()
            .map(|r| {
                let off_here = here.iter().any(|d| d == r.id);
                let off_anywhere = all.iter().any(|d| d == r.id);
                CheckRuleRow {
                    id: r.id,
                    name: r.name,
                    on_here: !off_here,
                    off_above: off_anywhere && !off_here,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = OrgShowPage {
        check_rules,
        layout: Layout::new(user, "orgs", org.name.clone()).with_notice(notice),
        form: form.unwrap_or_else(|| OrgForm::from_org(&org)),
        org,
        ancestors,
        children,
        people,
        can_manage,
        error: FieldError(error),
        kinds: kind_options(),
        parents,
    };
    Ok(render_status(&page, status))
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let org = orgs::by_id(&state, &user, &id).await?;
    show_page(
        &state,
        &user,
        org,
        None,
        None,
        notice_text(q.notice.as_deref()),
    )
    .await
}

/// The fields of the create and edit forms, as typed (kept to re-show after an error).
#[derive(Deserialize, Default, Clone)]
pub struct OrgForm {
    #[serde(default)]
    pub parent_id: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub sort_order: String,
    #[serde(default)]
    pub active: String,
}

impl OrgForm {
    fn from_org(o: &Org) -> Self {
        Self {
            parent_id: o.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            code: o.code.clone(),
            name: o.name.clone(),
            kind: o.kind.code().to_string(),
            sort_order: o.sort_order.to_string(),
            active: if o.active { "1" } else { "0" }.to_string(),
        }
    }

    fn sort_order(&self) -> Result<i64, Invalid> {
        let s = self.sort_order.trim();
        if s.is_empty() {
            return Ok(0);
        }
        s.parse::<i64>()
            .ok()
            .filter(|n| (0..=9999).contains(n))
            .ok_or_else(|| Invalid::new("sort_order", "排序号应为0至9999的整数"))
    }

    fn parent_id(&self) -> Result<i64, Invalid> {
        self.parent_id
            .trim()
            .parse::<i64>()
            .map_err(|_| Invalid::new("parent_id", "请选择上级组织"))
    }
}

#[derive(Template)]
#[template(path = "org_new.html")]
pub struct OrgNewPage {
    pub layout: Layout,
    pub form: OrgForm,
    pub error: FieldError,
    pub kinds: Vec<KindOption>,
    pub parents: Vec<ParentOption>,
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    pub parent: Option<String>,
}

pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let form = OrgForm {
        parent_id: q.parent.unwrap_or_default(),
        kind: OrgKind::Branch.code().to_string(),
        ..Default::default()
    };
    let page = OrgNewPage {
        layout: Layout::new(&user, "orgs", "新建组织"),
        form,
        error: FieldError(None),
        kinds: kind_options(),
        parents: parent_options(&state, &user, None).await?,
    };
    Ok(render(&page))
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    PageForm(f): PageForm<OrgForm>,
) -> PageResult {
    let result = async {
        let parent_id = f.parent_id()?;
        let new = NewOrg {
            parent_id: Some(parent_id),
            code: OrgCode::parse(&f.code)?,
            name: OrgName::parse(&f.name)?,
            kind: OrgKind::parse(&f.kind)?,
            sort_order: f.sort_order()?,
        };
        Ok::<_, AppError>(new)
    }
    .await;
    let outcome = match result {
        Ok(new) => orgs::create(&state, &user, new).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(org) => Ok(Redirect::to(&format!("/orgs/{}?notice=created", org.id)).into_response()),
        Err(AppError::Invalid(inv)) => {
            let page = OrgNewPage {
                layout: Layout::new(&user, "orgs", "新建组织"),
                form: f,
                error: FieldError(Some(inv)),
                kinds: kind_options(),
                parents: parent_options(&state, &user, None).await?,
            };
            Ok(render_status(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<OrgForm>,
) -> PageResult {
    let org = orgs::by_id(&state, &user, &id).await?;
    let parsed = (|| {
        let parent_id = if org.parent_id.is_some() {
            Some(f.parent_id()?)
        } else {
            None
        };
        Ok::<_, Invalid>(OrgChange {
            name: Some(OrgName::parse(&f.name)?),
            kind: Some(OrgKind::parse(&f.kind)?),
            sort_order: Some(f.sort_order()?),
            active: Some(f.active != "0"),
            parent_id,
        })
    })();
    let outcome = match parsed {
        Ok(change) => orgs::change(&state, &user, &org, change).await,
        Err(inv) => Err(AppError::Invalid(inv)),
    };
    match outcome {
        Ok(org) => Ok(Redirect::to(&format!("/orgs/{}?notice=saved", org.id)).into_response()),
        Err(AppError::Invalid(inv)) => {
            show_page(&state, &user, org, Some(f), Some(inv), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Saves which report-checker rules this organization (and those below it) switches off.
/// The form sends `rule=<id>` for every rule left on.
pub async fn save_check_rules(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let org = orgs::by_id(&state, &user, &id).await?;
    let on: Vec<&str> = fields
        .iter()
        .filter(|(k, _)| k == "rule")
        .map(|(_, v)| v.as_str())
        .collect();
    // The form shows whole rules only: sub-rule settings (e.g. `numbering.style`, set over the
    // API) are kept, and rules switched off above (shown disabled, so never sent) are not
    // copied onto this organization.
    let above = match org.parent_id {
        Some(p) => {
            let parent = state.store.org(p).await.map_err(AppError::from)?;
            state
                .store
                .check_rules_disabled_for(&parent.path)
                .await
                .map_err(AppError::from)?
        }
        None => Vec::new(),
    };
    let mut disabled: Vec<String> = state
        .store
        .check_rules_disabled_at(org.id)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .filter(|d| d.contains('.'))
        .collect();
    disabled.extend(
        zeren_reports::checker::RULES
            .iter()
            .filter(|r| !on.contains(&r.id) && !above.iter().any(|a| a == r.id))
            .map(|r| r.id.to_string()),
    );
    orgs::set_check_rules(&state, &user, &org, disabled).await?;
    Ok(Redirect::to(&format!("/orgs/{}?notice=rules_saved", org.id)).into_response())
}
