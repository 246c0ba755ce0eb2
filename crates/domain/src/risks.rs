//! Integrity risk points (廉政风险点) of a unit, a post or a person, with their level and
//! control measures (防控措施); reviewed every year.

use crate::Invalid;
use serde::{Deserialize, Serialize};

/// Whose risk it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// 单位（部门、村）
    Unit,
    /// 岗位
    Post,
    /// 个人
    Person,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 3] = [SubjectKind::Unit, SubjectKind::Post, SubjectKind::Person];

    pub fn code(self) -> &'static str {
        match self {
            SubjectKind::Unit => "unit",
            SubjectKind::Post => "post",
            SubjectKind::Person => "person",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SubjectKind::Unit => "单位",
            SubjectKind::Post => "岗位",
            SubjectKind::Person => "个人",
        }
    }

    pub fn parse(text: &str) -> Result<SubjectKind, Invalid> {
        let t = text.trim();
        SubjectKind::ALL
            .into_iter()
            .find(|k| k.code() == t || k.label() == t)
            .ok_or_else(|| Invalid::new("subject_kind", "风险主体应为单位、岗位或个人"))
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 3] = [RiskLevel::High, RiskLevel::Medium, RiskLevel::Low];

    pub fn code(self) -> &'static str {
        match self {
            RiskLevel::High => "high",
            RiskLevel::Medium => "medium",
            RiskLevel::Low => "low",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RiskLevel::High => "高",
            RiskLevel::Medium => "中",
            RiskLevel::Low => "低",
        }
    }

    pub fn parse(text: &str) -> Result<RiskLevel, Invalid> {
        let t = text.trim().trim_end_matches("风险");
        RiskLevel::ALL
            .into_iter()
            .find(|l| l.code() == t || l.label() == t)
            .ok_or_else(|| Invalid::new("level", "风险等级应为高、中或低"))
    }

    /// The level from a likelihood × impact score, each scored 1–5: 15 and above is high,
    /// 8 and above medium, below that low.
    pub fn from_score(likelihood: i64, impact: i64) -> Result<RiskLevel, Invalid> {
        if !(1..=5).contains(&likelihood) {
            return Err(Invalid::new("likelihood", "发生可能性应为1至5分"));
        }
        if !(1..=5).contains(&impact) {
            return Err(Invalid::new("impact", "影响程度应为1至5分"));
        }
        Ok(match likelihood * impact {
            s if s >= 15 => RiskLevel::High,
            s if s >= 8 => RiskLevel::Medium,
            _ => RiskLevel::Low,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_from_score() {
        assert_eq!(RiskLevel::from_score(5, 3).unwrap(), RiskLevel::High);
        assert_eq!(RiskLevel::from_score(2, 4).unwrap(), RiskLevel::Medium);
        assert_eq!(RiskLevel::from_score(1, 1).unwrap(), RiskLevel::Low);
        assert_eq!(RiskLevel::from_score(0, 3).unwrap_err().field, "likelihood");
        assert_eq!(RiskLevel::parse("高风险").unwrap(), RiskLevel::High);
        assert_eq!(SubjectKind::parse("个人").unwrap(), SubjectKind::Person);
    }
}
