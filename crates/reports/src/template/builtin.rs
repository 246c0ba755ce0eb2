//! The built-in templates, in `crates/reports/templates/`.

use serde::{Deserialize, Serialize};
use zeren_domain::metrics::builtin;

use super::Template;

/// A template that ships with Zeren; an organization may copy and edit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuiltinTemplate {
    /// 年度落实全面从严治党主体责任情况的报告.
    Annual,
    /// 述责述廉报告 of one leader, in the first person.
    Accountability,
    /// 全面从严治党工作总结（自查报告）.
    SelfInspection,
    /// 季度调度报告: list items, overdue measures, records per branch.
    Quarterly,
}

impl BuiltinTemplate {
    pub const ALL: [BuiltinTemplate; 4] = [
        BuiltinTemplate::Annual,
        BuiltinTemplate::Accountability,
        BuiltinTemplate::SelfInspection,
        BuiltinTemplate::Quarterly,
    ];

    /// The stable key: annual, accountability, self_inspection, quarterly.
    pub fn key(self) -> &'static str {
        match self {
            BuiltinTemplate::Annual => "annual",
            BuiltinTemplate::Accountability => "accountability",
            BuiltinTemplate::SelfInspection => "self_inspection",
            BuiltinTemplate::Quarterly => "quarterly",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.key() == key)
    }

    /// The name users see.
    pub fn label(self) -> &'static str {
        match self {
            BuiltinTemplate::Annual => "年度落实全面从严治党主体责任情况的报告",
            BuiltinTemplate::Accountability => "述责述廉报告",
            BuiltinTemplate::SelfInspection => "全面从严治党工作总结（自查报告）",
            BuiltinTemplate::Quarterly => "全面从严治党季度调度报告",
        }
    }

    pub fn source(self) -> &'static str {
        match self {
            BuiltinTemplate::Annual => include_str!("../../templates/annual.jinja"),
            BuiltinTemplate::Accountability => include_str!("../../templates/accountability.jinja"),
            BuiltinTemplate::SelfInspection => {
                include_str!("../../templates/self_inspection.jinja")
            }
            BuiltinTemplate::Quarterly => include_str!("../../templates/quarterly.jinja"),
        }
    }

    /// The template, checked against the built-in metric catalogue.
    pub fn template(self) -> Template {
        let catalogue = builtin();
        Template::parse(self.source(), |n| catalogue.iter().any(|m| m.name == n))
            // The sources are fixed at build time and the tests parse every one of them.
            .unwrap_or_else(|e| panic!("built-in template {}: {e}", self.key()))
    }
}
