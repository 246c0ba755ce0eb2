//! The home page (工作台): what this user is responsible for and may do.

use super::{render, Layout, PageResult};
use crate::auth::CurrentUser;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use zeren_domain::org::OrgKind;
use zeren_domain::permissions::Action;
use zeren_domain::role::Role;
use zeren_storage::{Account, Org};

pub struct Stat {
    pub label: &'static str,
    pub value: i64,
    pub href: &'static str,
}

pub struct Shortcut {
    pub label: &'static str,
    pub href: &'static str,
    pub note: &'static str,
}

/// One of the user's roles, where it applies, and what it answers for.
pub struct Duty {
    pub role: &'static str,
    pub org: String,
    pub text: &'static str,
}

/// What each role answers for (主体责任 and 监督责任 as the glossary puts them).
fn duty_text(role: Role) -> &'static str {
    match role {
        Role::Admin => "维护组织架构、账户和授权，保障系统安全运行；可查看审计日志，不接触执纪问责信息。",
        Role::Secretary => "履行全面从严治党第一责任人职责：重要工作亲自部署、重大问题亲自过问、重点环节亲自协调、重要案件亲自督办。",
        Role::Leader => "落实“一岗双责”：对分管领域的全面从严治党工作负直接领导责任，推动分管领域任务落实。",
        Role::Inspector => "履行监督责任：监督检查本级和下级党组织落实主体责任情况，可查看执纪问责信息和审计日志。",
        Role::Clerk => "做好党务工作纪实：会议、谈话、检查、整改等工作随做随记、附上佐证。",
        Role::BranchSecretary => "抓好本支部党建：落实“三会一课”、主题党日、组织生活会等制度，记录支部工作。",
        Role::Viewer => "以上级党组织身份查看下级组织落实主体责任的情况（只读）。",
    }
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub duties: Vec<Duty>,
    pub layout: Layout,
    pub scope_names: Vec<String>,
    pub stats: Vec<Stat>,
    pub leaders: Vec<Account>,
    pub branches: Vec<Org>,
    pub shortcuts: Vec<Shortcut>,
}

pub async fn index(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    let scope = user.perms.scope(Action::ViewOrgs);
    let orgs = state.store.orgs_in(&scope).await?;
    let scope_names: Vec<String> = orgs
        .iter()
        .filter(|o| scope.roots.contains(&o.path))
        .map(|o| o.name.clone())
        .collect();
    let branch_count = orgs
        .iter()
        .filter(|o| o.active && o.kind == OrgKind::Branch)
        .count() as i64;
    let mut stats = vec![
        Stat {
            label: "组织",
            value: orgs.iter().filter(|o| o.active).count() as i64,
            href: "/orgs",
        },
        Stat {
            label: "党支部",
            value: branch_count,
            href: "/orgs",
        },
    ];
    // The leadership and their portfolios (一岗双责) are shown to everyone in the scope.
    let all_accounts = state.store.accounts_in(&scope).await?;
    let leaders: Vec<Account> = all_accounts
        .iter()
        .filter(|a| a.active && !a.portfolio.is_empty())
        .cloned()
        .collect();
    if user.perms.can_somewhere(Action::ViewAccounts) {
        stats.push(Stat {
            label: "账户",
            value: all_accounts.iter().filter(|a| a.active).count() as i64,
            href: "/accounts",
        });
    }
    if user.perms.can_at_top(Action::ViewAudit) {
        stats.push(Stat {
            label: "审计记录",
            value: state.store.audit_count().await?,
            href: "/audit",
        });
    }
    // Branches directly visible to a branch secretary or a committee member.
    let branches: Vec<Org> = orgs
        .iter()
        .filter(|o| o.active && matches!(o.kind, OrgKind::Branch | OrgKind::GeneralBranch))
        .take(24)
        .cloned()
        .collect();
    let mut shortcuts = Vec::new();
    if user.perms.can_somewhere(Action::ManageOrgs) {
        shortcuts.push(Shortcut {
            label: "新建组织",
            href: "/orgs/new",
            note: "在组织树中增设党总支、党支部",
        });
    }
    if user.perms.can_somewhere(Action::ManageAccounts) {
        shortcuts.push(Shortcut {
            label: "新建账户",
            href: "/accounts/new",
            note: "为班子成员、支部书记、党务工作者开通账户",
        });
    }
    if user.perms.can_at_top(Action::ViewAudit) {
        shortcuts.push(Shortcut {
            label: "校验审计链",
            href: "/audit?verify=1",
            note: "检查操作记录是否被篡改",
        });
    }
    if user.perms.can_somewhere(Action::CheckReports) {
        shortcuts.push(Shortcut {
            label: "报告体检",
            href: "/check",
            note: "检查报告草稿中的占位符、跳号、数字矛盾等问题",
        });
    }
    shortcuts.push(Shortcut {
        label: "组织架构",
        href: "/orgs",
        note: "查看本级及下级组织",
    });
    shortcuts.push(Shortcut {
        label: "我的权限",
        href: "/me",
        note: "查看本人角色及可办理事项",
    });
    let duties = state
        .store
        .grant_rows(user.account.id)
        .await?
        .into_iter()
        .map(|g| Duty {
            role: g.role.label(),
            org: g.org_name,
            text: duty_text(g.role),
        })
        .collect();
    let page = HomePage {
        duties,
        layout: Layout::new(&user, "home", "工作台"),
        scope_names,
        stats,
        leaders,
        branches,
        shortcuts,
    };
    Ok(render(&page))
}
