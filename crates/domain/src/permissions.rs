//! The one place that decides who may see and change what (权限).
//!
//! Handlers never compare roles themselves: they ask [`Permissions::can`] (or obtain a
//! [`Scope`] with [`Permissions::scope`]) and act only on what it allows. The table in
//! [`Action::allowed_roles`] is the whole policy.

use crate::org::OrgPath;
use crate::role::Role;
use serde::Serialize;

/// Something a user may want to do. Each is checked against an organization's subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// See organizations, their structure and ordinary records.
    ViewOrgs,
    /// Create, rename, move, reorder, deactivate organizations.
    ManageOrgs,
    /// See accounts and their roles.
    ViewAccounts,
    /// Create accounts, reset passwords, grant and revoke roles, deactivate accounts.
    ManageAccounts,
    /// Read the audit trail and verify its chain.
    ViewAudit,
    /// Record work (meetings, talks, inspections …) for an organization.
    RecordWork,
    /// Approve records, close problems (销号), sign off lists.
    Approve,
    /// See discipline records (四种形态, 党纪处分): restricted personal data.
    ViewDiscipline,
    /// Check a report draft (报告体检).
    CheckReports,
    /// Draft, edit and export an organization's reports (报告起草).
    DraftReports,
    /// Add and edit report templates (报告模板) for every unit below.
    ManageTemplates,
}

impl Action {
    pub const ALL: [Action; 11] = [
        Action::ViewOrgs,
        Action::ManageOrgs,
        Action::ViewAccounts,
        Action::ManageAccounts,
        Action::ViewAudit,
        Action::RecordWork,
        Action::Approve,
        Action::ViewDiscipline,
        Action::CheckReports,
        Action::DraftReports,
        Action::ManageTemplates,
    ];

    /// The policy. Keep it a table: a reviewer reads it at a glance.
    pub fn allowed_roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Action::ViewOrgs => &[
                Admin,
                Secretary,
                Leader,
                Inspector,
                Clerk,
                BranchSecretary,
                Viewer,
            ],
            Action::ManageOrgs => &[Admin],
            Action::ViewAccounts => &[Admin, Secretary, Clerk],
            Action::ManageAccounts => &[Admin],
            // The audit trail is the inspector's evidence as much as the administrator's.
            Action::ViewAudit => &[Admin, Inspector],
            Action::RecordWork => &[Secretary, Leader, Inspector, Clerk, BranchSecretary],
            Action::Approve => &[Secretary, Leader, BranchSecretary],
            // Only the secretary and discipline inspection; not even the administrator.
            Action::ViewDiscipline => &[Secretary, Inspector],
            Action::CheckReports => &[
                Admin,
                Secretary,
                Leader,
                Inspector,
                Clerk,
                BranchSecretary,
                Viewer,
            ],
            // Those who answer for the report and those who write it; a leader drafts his own
            // 述责述廉报告. Administrators keep systems, not reports.
            Action::DraftReports => &[Secretary, Leader, Inspector, Clerk, BranchSecretary],
            // Templates are a county's format: its administrator and the office that sets it.
            Action::ManageTemplates => &[Admin, Secretary, Clerk],
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::ViewOrgs => "查看组织",
            Action::ManageOrgs => "管理组织",
            Action::ViewAccounts => "查看账户",
            Action::ManageAccounts => "管理账户",
            Action::ViewAudit => "查看审计日志",
            Action::RecordWork => "记录工作纪实",
            Action::Approve => "审核、销号",
            Action::ViewDiscipline => "查看执纪问责信息",
            Action::CheckReports => "报告体检",
            Action::DraftReports => "起草报告",
            Action::ManageTemplates => "管理报告模板",
        }
    }
}

/// A role granted to an account on one organization (and so on its subtree).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub role: Role,
    pub org_id: i64,
    pub org_path: OrgPath,
}

/// What one account may do, computed from its grants. Cheap to build per request.
#[derive(Debug, Clone, Default)]
pub struct Permissions {
    grants: Vec<Grant>,
}

/// The subtrees in which an action is allowed; empty means nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub roots: Vec<OrgPath>,
}

impl Scope {
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    pub fn covers(&self, path: &OrgPath) -> bool {
        self.roots.iter().any(|r| r.covers(path))
    }
}

impl Permissions {
    pub fn new(grants: Vec<Grant>) -> Self {
        Self { grants }
    }

    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    /// May the account do `action` on the organization at `path`?
    pub fn can(&self, action: Action, path: &OrgPath) -> bool {
        self.grants
            .iter()
            .any(|g| action.allowed_roles().contains(&g.role) && g.org_path.covers(path))
    }

    /// May the account do `action` anywhere at all? (Decides whether a page or menu shows.)
    pub fn can_somewhere(&self, action: Action) -> bool {
        self.grants
            .iter()
            .any(|g| action.allowed_roles().contains(&g.role))
    }

    /// May the account do `action` at a top-level organization (one without a parent)? Used
    /// for what is not divided by subtree, such as the audit trail, which records every unit.
    pub fn can_at_top(&self, action: Action) -> bool {
        self.grants
            .iter()
            .any(|g| action.allowed_roles().contains(&g.role) && g.org_path.depth() == 1)
    }

    /// The subtrees in which `action` is allowed, without nested duplicates.
    pub fn scope(&self, action: Action) -> Scope {
        roots_of(
            self.grants
                .iter()
                .filter(|g| action.allowed_roles().contains(&g.role)),
        )
    }

    /// The subtrees the account answers for as a whole (本单位), where `action` is allowed:
    /// grants of the roles that carry an organization's work rather than a portfolio in it —
    /// the secretary (第一责任人), a branch secretary and the clerk who records its work
    /// (党务工作者). The home page (工作台) shows them their organizations' list items and
    /// 三会一课 as well as what they own themselves; a leader answers for his own items
    /// (一岗双责), an inspector supervises and a viewer reads, so theirs is only what they own.
    pub fn charge_scope(&self, action: Action) -> Scope {
        roots_of(self.grants.iter().filter(|g| {
            matches!(
                g.role,
                Role::Secretary | Role::BranchSecretary | Role::Clerk
            ) && action.allowed_roles().contains(&g.role)
        }))
    }

    /// Every action the account has somewhere, for the "my permissions" page.
    pub fn actions(&self) -> Vec<Action> {
        Action::ALL
            .into_iter()
            .filter(|a| self.can_somewhere(*a))
            .collect()
    }

    /// A role may only be granted by someone who may manage accounts over that organization,
    /// and nobody grants a role they could not see the data of: an administrator may grant
    /// any role, since granting is not seeing.
    pub fn may_grant(&self, path: &OrgPath) -> bool {
        self.can(Action::ManageAccounts, path)
    }
}

/// The grants' organizations as a scope, without nested duplicates.
fn roots_of<'a>(grants: impl Iterator<Item = &'a Grant>) -> Scope {
    let mut roots: Vec<OrgPath> = grants.map(|g| g.org_path.clone()).collect();
    roots.sort_by_key(|p| p.depth());
    let mut kept: Vec<OrgPath> = Vec::new();
    for r in roots {
        if !kept.iter().any(|k| k.covers(&r)) {
            kept.push(r);
        }
    }
    Scope { roots: kept }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(role: Role, path: &str) -> Grant {
        let org_path = OrgPath(path.to_string());
        Grant {
            role,
            org_id: *org_path.ids().last().unwrap(),
            org_path,
        }
    }

    #[test]
    fn a_grant_covers_its_subtree_and_nothing_above_or_beside() {
        let p = Permissions::new(vec![grant(Role::BranchSecretary, "/1/5/")]);
        assert!(p.can(Action::RecordWork, &OrgPath("/1/5/".into())));
        assert!(p.can(Action::RecordWork, &OrgPath("/1/5/9/".into())));
        assert!(!p.can(Action::RecordWork, &OrgPath("/1/".into())));
        assert!(!p.can(Action::RecordWork, &OrgPath("/1/6/".into())));
        assert!(!p.can(Action::ManageOrgs, &OrgPath("/1/5/".into())));
    }

    #[test]
    fn discipline_is_for_secretary_and_inspector_only() {
        for role in Role::ALL {
            let p = Permissions::new(vec![grant(role, "/1/")]);
            let expected = matches!(role, Role::Secretary | Role::Inspector);
            assert_eq!(
                p.can(Action::ViewDiscipline, &OrgPath("/1/2/".into())),
                expected,
                "{role:?}"
            );
        }
    }

    #[test]
    fn viewer_reads_but_never_writes() {
        let p = Permissions::new(vec![grant(Role::Viewer, "/1/")]);
        let path = OrgPath("/1/3/".into());
        assert!(p.can(Action::ViewOrgs, &path));
        for a in [
            Action::ManageOrgs,
            Action::ManageAccounts,
            Action::RecordWork,
            Action::Approve,
            Action::ViewDiscipline,
            Action::DraftReports,
            Action::ManageTemplates,
        ] {
            assert!(!p.can(a, &path), "{a:?}");
        }
    }

    #[test]
    fn scope_drops_nested_roots() {
        let p = Permissions::new(vec![
            grant(Role::Clerk, "/1/4/"),
            grant(Role::Secretary, "/1/"),
            grant(Role::Clerk, "/2/"),
        ]);
        let s = p.scope(Action::ViewOrgs);
        assert_eq!(s.roots, vec![OrgPath("/1/".into()), OrgPath("/2/".into())]);
        assert!(p.scope(Action::ManageOrgs).is_empty());
    }

    #[test]
    fn the_audit_trail_is_for_grants_at_the_top() {
        let top = Permissions::new(vec![grant(Role::Inspector, "/1/")]);
        let branch = Permissions::new(vec![grant(Role::Inspector, "/1/5/")]);
        assert!(top.can_at_top(Action::ViewAudit));
        assert!(!branch.can_at_top(Action::ViewAudit));
        assert!(!Permissions::new(vec![grant(Role::Clerk, "/1/")]).can_at_top(Action::ViewAudit));
    }

    #[test]
    fn charge_is_the_organizations_a_role_carries_as_a_whole() {
        let p = Permissions::new(vec![
            grant(Role::Leader, "/1/"),
            grant(Role::BranchSecretary, "/1/5/"),
            grant(Role::Clerk, "/2/"),
            grant(Role::Clerk, "/2/7/"),
            grant(Role::Viewer, "/3/"),
        ]);
        assert_eq!(
            p.charge_scope(Action::RecordWork).roots,
            vec![OrgPath("/2/".into()), OrgPath("/1/5/".into())]
        );
        // The clerk may not approve: only the branch is left.
        assert_eq!(
            p.charge_scope(Action::Approve).roots,
            vec![OrgPath("/1/5/".into())]
        );
        let leader = Permissions::new(vec![grant(Role::Leader, "/1/")]);
        assert!(leader.charge_scope(Action::ViewOrgs).is_empty());
        let secretary = Permissions::new(vec![grant(Role::Secretary, "/1/")]);
        assert_eq!(
            secretary.charge_scope(Action::RecordWork).roots,
            vec![OrgPath("/1/".into())]
        );
    }

    #[test]
    fn no_grants_means_nothing() {
        let p = Permissions::default();
        for a in Action::ALL {
            assert!(!p.can_somewhere(a));
        }
        assert!(p.actions().is_empty());
    }
}
