//! Roles. A role is granted on an organization and covers that organization's subtree.

use crate::Invalid;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员: runs the system, manages organizations and accounts; sees no discipline data.
    Admin,
    /// 书记: the secretary, 第一责任人 (first person responsible).
    Secretary,
    /// 班子成员: a member of the leadership, with a portfolio (分管领域).
    Leader,
    /// 纪检: discipline inspection (纪委书记 / 纪检委员), holds the supervisory responsibility.
    Inspector,
    /// 党务工作者: the clerk who records the work.
    Clerk,
    /// 支部书记: secretary of a branch.
    BranchSecretary,
    /// 上级查看: a superior organization's read-only view over a subtree.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Secretary,
        Role::Leader,
        Role::Inspector,
        Role::Clerk,
        Role::BranchSecretary,
        Role::Viewer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Secretary => "secretary",
            Role::Leader => "leader",
            Role::Inspector => "inspector",
            Role::Clerk => "clerk",
            Role::BranchSecretary => "branch_secretary",
            Role::Viewer => "viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Secretary => "书记",
            Role::Leader => "班子成员",
            Role::Inspector => "纪检",
            Role::Clerk => "党务工作者",
            Role::BranchSecretary => "支部书记",
            Role::Viewer => "上级查看",
        }
    }

    /// Accepts the code (`clerk`) or the Chinese label (`党务工作者`).
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let text = text.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.code() == text || r.label() == text)
            .ok_or_else(|| Invalid::new("role", "请选择有效的角色"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_by_code_and_label() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()).unwrap(), role);
            assert_eq!(Role::parse(role.label()).unwrap(), role);
        }
        assert!(Role::parse("root").is_err());
    }
}
