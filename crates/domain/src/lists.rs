//! Responsibility lists (两清单 / 三级责任清单): what an organization undertakes for a year,
//! item by item, each with its 时间表 (deadline or recurrence), 路线图 (steps), 责任人
//! (a leader, 一岗双责) and optionally a 量化指标 bound to a metric.

use crate::Invalid;
use serde::{Deserialize, Serialize};

/// 责任清单 or 任务清单.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// 责任清单
    Responsibility,
    /// 任务清单
    Task,
}

impl ListKind {
    pub const ALL: [ListKind; 2] = [ListKind::Responsibility, ListKind::Task];

    pub fn code(self) -> &'static str {
        match self {
            ListKind::Responsibility => "responsibility",
            ListKind::Task => "task",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ListKind::Responsibility => "责任清单",
            ListKind::Task => "任务清单",
        }
    }

    pub fn parse(text: &str) -> Result<ListKind, Invalid> {
        let t = text.trim();
        ListKind::ALL
            .into_iter()
            .find(|k| k.code() == t || k.label() == t)
            .ok_or_else(|| Invalid::new("kind", "请选择清单类型（责任清单或任务清单）"))
    }
}

/// 周期: an item due once (by its deadline) or every month or quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Recurrence {
    Once,
    Monthly,
    Quarterly,
}

impl Recurrence {
    pub const ALL: [Recurrence; 3] = [Recurrence::Once, Recurrence::Monthly, Recurrence::Quarterly];

    pub fn code(self) -> &'static str {
        match self {
            Recurrence::Once => "",
            Recurrence::Monthly => "monthly",
            Recurrence::Quarterly => "quarterly",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Recurrence::Once => "按期限完成",
            Recurrence::Monthly => "每月",
            Recurrence::Quarterly => "每季度",
        }
    }

    pub fn parse(text: &str) -> Result<Recurrence, Invalid> {
        let t = text.trim();
        if t.is_empty() || t == "once" {
            return Ok(Recurrence::Once);
        }
        Recurrence::ALL
            .into_iter()
            .find(|r| {
                r.code() == t || r.label() == t || (t == "每季" && *r == Recurrence::Quarterly)
            })
            .ok_or_else(|| Invalid::new("recurrence", "周期应为空、每月或每季度"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// 推进中
    Open,
    /// 已完成
    Done,
}

impl ItemStatus {
    pub fn code(self) -> &'static str {
        match self {
            ItemStatus::Open => "open",
            ItemStatus::Done => "done",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemStatus::Open => "推进中",
            ItemStatus::Done => "已完成",
        }
    }

    pub fn parse(text: &str) -> Result<ItemStatus, Invalid> {
        match text.trim() {
            "open" | "推进中" | "未完成" => Ok(ItemStatus::Open),
            "done" | "已完成" | "完成" => Ok(ItemStatus::Done),
            _ => Err(Invalid::new("status", "状态应为推进中或已完成")),
        }
    }
}

/// The built-in item categories (an administrator may add more).
pub const BUILTIN_CATEGORIES: [&str; 8] = [
    "政治建设",
    "思想建设",
    "组织建设",
    "作风建设",
    "纪律建设",
    "制度建设",
    "反腐败",
    "意识形态",
];

/// Whether a quantified target is met by a metric's value (targets are "at least").
pub fn target_met(value: f64, target: f64) -> bool {
    value + 1e-9 >= target
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_recurrences_and_statuses_parse() {
        assert_eq!(
            ListKind::parse("责任清单").unwrap(),
            ListKind::Responsibility
        );
        assert_eq!(Recurrence::parse("").unwrap(), Recurrence::Once);
        assert_eq!(Recurrence::parse("每季度").unwrap(), Recurrence::Quarterly);
        assert!(Recurrence::parse("每周").is_err());
        assert_eq!(ItemStatus::parse("已完成").unwrap(), ItemStatus::Done);
        assert!(target_met(12.0, 12.0));
        assert!(!target_met(11.0, 12.0));
    }
}
