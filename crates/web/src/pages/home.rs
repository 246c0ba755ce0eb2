//! The home page (工作台): what this user is responsible for and may do.

use super::{render, Layout, PageResult};
use crate::auth::CurrentUser;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use zeren_domain::org::OrgKind;
use zeren_domain::permissions::Action;
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

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
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
            href: "/audit",
            note: "检查操作记录是否被篡改",
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
    let page = HomePage {
        layout: Layout::new(&user, "home", "工作台"),
        scope_names,
        stats,
        leaders,
        branches,
        shortcuts,
    };
    Ok(render(&page))
}
