//! The organization tree: 党委 / 党工委 / 党组 at the top, 党总支 and 党支部 below, any depth.

use crate::Invalid;
use serde::{Deserialize, Serialize};

/// Kind of a Party organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// 党委: a Party committee.
    Committee,
    /// 党工委: a working committee (e.g. over a county's departments).
    WorkingCommittee,
    /// 党组: the Party group of a government department.
    PartyGroup,
    /// 党总支: a general branch.
    GeneralBranch,
    /// 党支部: a branch.
    Branch,
    /// 纪委: the discipline inspection committee attached to a committee.
    DisciplineCommittee,
    /// 其他: an office or department that is not itself a Party organization.
    Other,
}

impl OrgKind {
    pub const ALL: [OrgKind; 7] = [
        OrgKind::Committee,
        OrgKind::WorkingCommittee,
        OrgKind::PartyGroup,
        OrgKind::GeneralBranch,
        OrgKind::Branch,
        OrgKind::DisciplineCommittee,
        OrgKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OrgKind::Committee => "committee",
            OrgKind::WorkingCommittee => "working_committee",
            OrgKind::PartyGroup => "party_group",
            OrgKind::GeneralBranch => "general_branch",
            OrgKind::Branch => "branch",
            OrgKind::DisciplineCommittee => "discipline_committee",
            OrgKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OrgKind::Committee => "党委",
            OrgKind::WorkingCommittee => "党工委",
            OrgKind::PartyGroup => "党组",
            OrgKind::GeneralBranch => "党总支",
            OrgKind::Branch => "党支部",
            OrgKind::DisciplineCommittee => "纪委",
            OrgKind::Other => "其他",
        }
    }

    /// Accepts the code (`branch`) or the Chinese label (`党支部`).
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let text = text.trim();
        OrgKind::ALL
            .into_iter()
            .find(|k| k.code() == text || k.label() == text)
            .ok_or_else(|| Invalid::new("kind", "请选择组织类型"))
    }
}

/// A short, stable code for an organization, used by scripts and imports (e.g. `qs-v01`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct OrgCode(String);

impl OrgCode {
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Invalid::new("code", "请填写组织编码"));
        }
        if text.chars().count() > 32 {
            return Err(Invalid::new("code", "组织编码不能超过32个字符"));
        }
        if !text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Invalid::new(
                "code",
                "组织编码只能包含英文字母、数字、“-”和“_”",
            ));
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name of an organization, e.g. 青石镇党委.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgName(String);

impl OrgName {
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Invalid::new("name", "请填写组织名称"));
        }
        if text.chars().count() > 60 {
            return Err(Invalid::new("name", "组织名称不能超过60个字符"));
        }
        if text.chars().any(char::is_control) {
            return Err(Invalid::new("name", "组织名称不能包含控制字符"));
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Materialized path of an organization: the ids from the root down, `/1/7/42/`.
/// "This organization and everything below it" is then `path LIKE '/1/7/%'` on both databases.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OrgPath(pub String);

impl OrgPath {
    pub fn root(id: i64) -> Self {
        Self(format!("/{id}/"))
    }

    pub fn child(&self, id: i64) -> Self {
        Self(format!("{}{id}/", self.0))
    }

    /// True when `other` is this organization or lies below it.
    pub fn covers(&self, other: &OrgPath) -> bool {
        other.0.starts_with(&self.0)
    }

    pub fn depth(&self) -> usize {
        self.0.matches('/').count().saturating_sub(1)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ids from the root down to this organization.
    pub fn ids(&self) -> Vec<i64> {
        self.0
            .split('/')
            .filter_map(|s| s.parse::<i64>().ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_accepts_ascii_and_rejects_the_rest() {
        assert_eq!(OrgCode::parse(" qs-v01 ").unwrap().as_str(), "qs-v01");
        assert_eq!(OrgCode::parse("").unwrap_err().field, "code");
        assert!(OrgCode::parse("青石").is_err());
        assert!(OrgCode::parse("a b").is_err());
        assert!(OrgCode::parse(&"a".repeat(33)).is_err());
    }

    #[test]
    fn name_is_trimmed_and_bounded() {
        assert_eq!(
            OrgName::parse(" 东岭村党支部 ").unwrap().as_str(),
            "东岭村党支部"
        );
        assert!(OrgName::parse("   ").is_err());
        assert!(OrgName::parse(&"党".repeat(61)).is_err());
        assert!(OrgName::parse("a\u{0}b").is_err());
    }

    #[test]
    fn kind_parses_code_or_label() {
        assert_eq!(OrgKind::parse("党支部").unwrap(), OrgKind::Branch);
        assert_eq!(
            OrgKind::parse("general_branch").unwrap(),
            OrgKind::GeneralBranch
        );
        assert!(OrgKind::parse("村委会").is_err());
    }

    #[test]
    fn path_covers_its_subtree_only() {
        let root = OrgPath::root(1);
        let village = root.child(7);
        let other = OrgPath::root(17);
        assert!(root.covers(&village));
        assert!(village.covers(&village));
        assert!(!village.covers(&root));
        // "/1/" must not cover "/17/": the trailing slash matters.
        assert!(!root.covers(&other));
        assert_eq!(village.depth(), 2);
        assert_eq!(village.ids(), vec![1, 7]);
    }
}
