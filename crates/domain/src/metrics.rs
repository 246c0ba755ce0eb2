//! Metric definitions (指标): the one vocabulary reports, dashboards, assessment, list-item
//! targets and warnings count with.
//!
//! A metric is a count or a sum of one field over one ledger ([`Source`]), filtered by type,
//! source, status … ([`Filter`]), over an organization subtree and a period; or a ratio of
//! two such metrics. Definitions are data: the built-in catalogue ([`builtin`]) covers every
//! figure of an annual report, and an administrator may add more as JSON of the same shape.
//! Evaluation (one SQL aggregate each) and drill-down live in the storage layer.

use crate::Invalid;
use serde::{Deserialize, Serialize};

/// The ledger a metric counts over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Work records (纪实), dated by the day held.
    Records,
    /// Problems (问题), dated by the day found or fed back.
    Problems,
    /// Rectification measures (整改措施), dated by their problem.
    Measures,
    /// Responsibility list items (清单事项), dated by their due day.
    ListItems,
    /// Integrity risk points (廉政风险点), dated by the day identified.
    Risks,
    /// Control measures of risk points (防控措施), dated by their risk point.
    RiskMeasures,
    /// Discipline records (执纪问责), dated by the day decided.
    Discipline,
    /// Members (党员), dated by the day they joined (发展党员).
    Members,
    /// Organizations (党组织), not dated.
    Orgs,
}

impl Source {
    pub const ALL: [Source; 9] = [
        Source::Records,
        Source::Problems,
        Source::Measures,
        Source::ListItems,
        Source::Risks,
        Source::RiskMeasures,
        Source::Discipline,
        Source::Members,
        Source::Orgs,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Source::Records => "工作纪实",
            Source::Problems => "问题整改",
            Source::Measures => "整改措施",
            Source::ListItems => "责任清单事项",
            Source::Risks => "廉政风险点",
            Source::RiskMeasures => "防控措施",
            Source::Discipline => "执纪问责",
            Source::Members => "党员",
            Source::Orgs => "党组织",
        }
    }

    /// Filter keys that mean something for this source.
    fn accepts(self, key: &str) -> bool {
        matches!(
            (self, key),
            (Source::Records, "types" | "outlet_levels")
                | (Source::Problems, "sources" | "statuses")
                | (Source::Measures, "sources" | "statuses" | "overdue")
                | (Source::ListItems, "statuses" | "leader_owned" | "overdue")
                | (
                    Source::Risks | Source::RiskMeasures,
                    "subject_kinds" | "levels"
                )
                | (Source::Discipline, "forms" | "sanctions")
                | (
                    Source::Members,
                    "statuses" | "under_35_at_join" | "info_complete" | "info_accurate" | "roster"
                )
                | (Source::Orgs, "org_kinds")
        )
    }
}

/// A summed field of work records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SumField {
    /// 人次 (a record without it adds 0)
    PersonTimes,
    /// 学时 (a record without it adds 0)
    Hours,
    /// 期数 (a record without it counts as one 期)
    Sessions,
    /// 数量 (a record without it counts as one item)
    Items,
}

impl SumField {
    pub fn column(self) -> &'static str {
        match self {
            SumField::PersonTimes => "person_times",
            SumField::Hours => "hours",
            SumField::Sessions => "sessions",
            SumField::Items => "items",
        }
    }

    /// What a record without the field adds.
    pub fn default_value(self) -> i64 {
        match self {
            SumField::PersonTimes | SumField::Hours => 0,
            SumField::Sessions | SumField::Items => 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    Count,
    Sum,
    Ratio,
}

/// Which organizations of the subtree a metric counts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OrgScope {
    /// The organization and everything below it (the default).
    #[default]
    Subtree,
    /// The organization itself only (本级), e.g. problems fed back to the committee.
    Itself,
    /// Everything below the organization, not itself (下级), e.g. the village branches.
    Below,
}

/// Filters of a metric; empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Filter {
    /// Record type codes (records).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    /// Problem source codes (problems, measures).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Status codes: of the problem, measure, list item or member.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<String>,
    /// Outlet levels of publicity (records).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outlet_levels: Vec<String>,
    /// unit, post, person (risks, risk measures).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subject_kinds: Vec<String>,
    /// high, medium, low (risks, risk measures).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<String>,
    /// 1–4 (discipline).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<i64>,
    /// Sanction codes (discipline).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sanctions: Vec<String>,
    /// Organization kinds (orgs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub org_kinds: Vec<String>,
    pub scope: OrgScope,
    /// Members under 35 on the day they joined.
    #[serde(skip_serializing_if = "is_false")]
    pub under_35_at_join: bool,
    /// Members whose roster entry has every required field.
    #[serde(skip_serializing_if = "is_false")]
    pub info_complete: bool,
    /// Members whose dates are consistent (born before joining, at least 18 on joining).
    #[serde(skip_serializing_if = "is_false")]
    pub info_accurate: bool,
    /// Members on the roster now (正式 and 预备), whenever they joined: ignores the period.
    #[serde(skip_serializing_if = "is_false")]
    pub roster: bool,
    /// List items owned by a leader (一岗双责).
    #[serde(skip_serializing_if = "is_false")]
    pub leader_owned: bool,
    /// Open measures or list items whose deadline has passed.
    #[serde(skip_serializing_if = "is_false")]
    pub overdue: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Filter {
    /// The keys set in this filter, to check them against the source.
    fn keys(&self) -> Vec<&'static str> {
        let mut k = Vec::new();
        let mut add = |set: bool, key| {
            if set {
                k.push(key)
            }
        };
        add(!self.types.is_empty(), "types");
        add(!self.sources.is_empty(), "sources");
        add(!self.statuses.is_empty(), "statuses");
        add(!self.outlet_levels.is_empty(), "outlet_levels");
        add(!self.subject_kinds.is_empty(), "subject_kinds");
        add(!self.levels.is_empty(), "levels");
        add(!self.forms.is_empty(), "forms");
        add(!self.sanctions.is_empty(), "sanctions");
        add(!self.org_kinds.is_empty(), "org_kinds");
        add(self.under_35_at_join, "under_35_at_join");
        add(self.info_complete, "info_complete");
        add(self.info_accurate, "info_accurate");
        add(self.roster, "roster");
        add(self.leader_owned, "leader_owned");
        add(self.overdue, "overdue");
        k
    }
}

/// One metric of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MetricDef {
    /// The Chinese name, unique in the catalogue, e.g. 理论学习中心组学习次数.
    pub name: String,
    /// 次, 人次, 个, 条, 篇, 学时, %.
    pub unit: String,
    #[serde(default)]
    pub description: String,
    pub kind: MetricKind,
    /// For count and sum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// For sum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<SumField>,
    #[serde(default)]
    pub filter: Filter,
    /// For ratio: the names of two count or sum metrics; the value is a percentage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<String>,
    /// Added by an administrator (false for the built-in catalogue).
    #[serde(default)]
    pub custom: bool,
}

/// A metric's name: 2–40 characters, no spaces or control characters.
pub fn parse_name(text: &str) -> Result<String, Invalid> {
    let t = text.trim();
    let n = t.chars().count();
    if !(2..=40).contains(&n) {
        return Err(Invalid::new("name", "指标名称应为2至40个字"));
    }
    if t.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Invalid::new("name", "指标名称不能包含空格或控制字符"));
    }
    Ok(t.to_string())
}

impl MetricDef {
    /// Checks the definition's shape; `known` answers whether a metric name exists and is
    /// not itself a ratio (ratios are of counts and sums only, so there are no cycles).
    pub fn validate(&self, known: impl Fn(&str) -> Option<MetricKind>) -> Result<(), Invalid> {
        parse_name(&self.name)?;
        let unit = self.unit.trim();
        if unit.is_empty() || unit.chars().count() > 8 {
            return Err(Invalid::new(
                "unit",
                "请填写单位（不超过8个字），如 次、人次、个、%",
            ));
        }
        match self.kind {
            MetricKind::Count | MetricKind::Sum => {
                let source = self
                    .source
                    .ok_or_else(|| Invalid::new("source", "计数或求和指标须指定数据来源"))?;
                for key in self.filter.keys() {
                    if !source.accepts(key) {
                        return Err(Invalid::new(
                            "filter",
                            format!("筛选条件“{key}”不适用于数据来源“{}”", source.label()),
                        ));
                    }
                }
                if let Some(f) = self.filter.forms.iter().find(|f| !(1..=4).contains(*f)) {
                    return Err(Invalid::new("filter", format!("形态应为1至4，不能是{f}")));
                }
                match (self.kind, self.field) {
                    (MetricKind::Sum, None) => {
                        return Err(Invalid::new("field", "求和指标须指定求和字段"))
                    }
                    (MetricKind::Sum, Some(_)) if source != Source::Records => {
                        return Err(Invalid::new("field", "只有工作纪实可以按字段求和"))
                    }
                    (MetricKind::Count, Some(_)) => {
                        return Err(Invalid::new("field", "计数指标不需要求和字段"))
                    }
                    _ => {}
                }
                if self.numerator.is_some() || self.denominator.is_some() {
                    return Err(Invalid::new("numerator", "只有比率指标有分子和分母"));
                }
            }
            MetricKind::Ratio => {
                for (field, part) in [
                    ("numerator", &self.numerator),
                    ("denominator", &self.denominator),
                ] {
                    let name = part
                        .as_deref()
                        .ok_or_else(|| Invalid::new(field, "比率指标须指定分子和分母指标"))?;
                    match known(name) {
                        None => return Err(Invalid::new(field, format!("没有名为“{name}”的指标"))),
                        Some(MetricKind::Ratio) => {
                            return Err(Invalid::new(
                                field,
                                format!("“{name}”本身是比率，不能再作分子或分母"),
                            ))
                        }
                        Some(_) => {}
                    }
                }
                if self.source.is_some() || self.field.is_some() {
                    return Err(Invalid::new(
                        "source",
                        "比率指标由分子、分母指标计算，不需要数据来源",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The metrics behind the figures an annual report of 全面从严治党主体责任 cites (the
/// township report of `FIGURES.md`), in the order the report cites them.
pub const REPORT_FIGURES: [&str; 50] = [
    "理论学习中心组学习次数",
    "读书班期数",
    "集中学习研讨班次数",
    "培训人次",
    "培训班期数",
    "参训人次",
    "网络专题学习项数",
    "网络专题学习学时",
    "党建工作会次数",
    "班子成员任务完成率",
    "履责汇报专题会议次数",
    "专项监督次数",
    "专项监督发现问题数",
    "党建巡查次数",
    "党建巡查通报问题数",
    "谈心谈话人次",
    "民主生活会查摆方面数",
    "民主生活会查摆问题数",
    "民主生活会整改措施数",
    "巡察反馈问题数",
    "巡察反馈已整改数",
    "巡察整改完成率",
    "村级巡察反馈问题数",
    "村级巡察反馈已整改数",
    "村级巡察整改完成率",
    "单位廉政风险点数",
    "单位廉政风险防控措施数",
    "个人廉政风险点数",
    "个人廉政风险防控措施数",
    "公众号文章数",
    "区级媒体采用数",
    "市级媒体采用数",
    "国家级媒体采用数",
    "志愿服务活动次数",
    "志愿服务参与人次",
    "发展党员数",
    "发展党员35岁以下人数",
    "发展党员35岁以下占比",
    "党支部数",
    "党员信息完整率",
    "党员信息准确率",
    "警示教育大会和廉政培训次数",
    "廉政履职谈话人次",
    "心得体会篇数",
    "警示教育片部数",
    "第一种形态人次",
    "记过处分人次",
    "严重警告处分人次",
    "开除党籍人次",
    "一把手廉政谈话人次",
];

/// A ratio as a percentage with one decimal, truncated rather than rounded so that a rate
/// never overstates what was done (44 of 45 is 97.7%, and 99.96% never shows as 100%).
/// `None` when the denominator is zero.
pub fn percentage(numerator: f64, denominator: f64) -> Option<f64> {
    if denominator <= 0.0 {
        return None;
    }
    Some(((numerator * 1000.0 / denominator) + 1e-9).floor() / 10.0)
}

/// A value as a report prints it: whole numbers without decimals, others with one.
pub fn format_value(value: Option<f64>) -> String {
    match value {
        None => "—".into(),
        Some(v) if (v - v.round()).abs() < 1e-9 => format!("{}", v.round() as i64),
        Some(v) => format!("{v:.1}"),
    }
}

struct B {
    def: MetricDef,
}

impl B {
    fn new(
        name: &str,
        unit: &str,
        kind: MetricKind,
        source: Option<Source>,
        description: &str,
    ) -> B {
        B {
            def: MetricDef {
                name: name.into(),
                unit: unit.into(),
                description: description.into(),
                kind,
                source,
                field: None,
                filter: Filter::default(),
                numerator: None,
                denominator: None,
                custom: false,
            },
        }
    }
    fn field(mut self, f: SumField) -> B {
        self.def.field = Some(f);
        self
    }
    fn filter(mut self, f: impl FnOnce(&mut Filter)) -> B {
        f(&mut self.def.filter);
        self
    }
}

fn count(name: &str, unit: &str, source: Source, description: &str) -> B {
    B::new(name, unit, MetricKind::Count, Some(source), description)
}

fn sum(name: &str, unit: &str, field: SumField, description: &str) -> B {
    B::new(
        name,
        unit,
        MetricKind::Sum,
        Some(Source::Records),
        description,
    )
    .field(field)
}

fn ratio(name: &str, numerator: &str, denominator: &str, description: &str) -> B {
    let mut b = B::new(name, "%", MetricKind::Ratio, None, description);
    b.def.numerator = Some(numerator.into());
    b.def.denominator = Some(denominator.into());
    b
}

fn types<'a>(codes: &'a [&'a str]) -> impl FnOnce(&mut Filter) + 'a {
    move |f| f.types = codes.iter().map(|s| s.to_string()).collect()
}

fn sources<'a>(codes: &'a [&'a str]) -> impl FnOnce(&mut Filter) + 'a {
    move |f| f.sources = codes.iter().map(|s| s.to_string()).collect()
}

fn records_of(name: &str, unit: &str, code: &str, description: &str) -> B {
    count(name, unit, Source::Records, description).filter(types(&[code]))
}

/// The built-in catalogue: every figure an annual report of 全面从严治党主体责任 cites.
pub fn builtin() -> Vec<MetricDef> {
    use Source::*;
    use SumField::*;
    let mut v: Vec<B> = vec![
        // 思想建设: study and training
        records_of(
            "理论学习中心组学习次数",
            "次",
            "study_group",
            "党委理论学习中心组学习的次数",
        ),
        sum("读书班期数", "期", Sessions, "专题读书班的期数").filter(types(&["reading_class"])),
        records_of(
            "集中学习研讨班次数",
            "次",
            "seminar",
            "集中学习研讨班的次数",
        ),
        sum("培训人次", "人次", PersonTimes, "集中学习研讨班的培训人次")
            .filter(types(&["seminar"])),
        sum(
            "培训班期数",
            "期",
            Sessions,
            "党校、青年干部、入党积极分子等培训班的期数",
        )
        .filter(types(&["training"])),
        sum("参训人次", "人次", PersonTimes, "培训班的参训人次").filter(types(&["training"])),
        sum(
            "网络专题学习项数",
            "项",
            Items,
            "依托网络平台完成的专题学习项数",
        )
        .filter(types(&["online_study"])),
        sum("网络专题学习学时", "学时", Hours, "网络专题学习的累计学时")
            .filter(types(&["online_study"])),
        // 组织领导
        records_of(
            "党建工作会次数",
            "次",
            "building_meeting",
            "召开党建工作会的次数",
        ),
        records_of(
            "履责汇报专题会议次数",
            "次",
            "duty_report",
            "专题会议听取班子成员履行从严治党主体责任情况汇报的次数",
        ),
        count(
            "清单任务数",
            "项",
            ListItems,
            "责任清单、任务清单的事项数（按完成期限计入期间）",
        ),
        count("清单任务完成数", "项", ListItems, "已完成的清单事项数")
            .filter(|f| f.statuses = vec!["done".into()]),
        ratio(
            "任务完成率",
            "清单任务完成数",
            "清单任务数",
            "已完成清单事项占全部事项的比例",
        ),
        count(
            "班子成员清单任务数",
            "项",
            ListItems,
            "明确由班子成员负责（一岗双责）的清单事项数",
        )
        .filter(|f| f.leader_owned = true),
        count(
            "班子成员清单任务完成数",
            "项",
            ListItems,
            "班子成员负责的清单事项中已完成的",
        )
        .filter(|f| {
            f.leader_owned = true;
            f.statuses = vec!["done".into()];
        }),
        ratio(
            "班子成员任务完成率",
            "班子成员清单任务完成数",
            "班子成员清单任务数",
            "班子成员清单任务完成率",
        ),
        count(
            "逾期清单任务数",
            "项",
            ListItems,
            "超过期限仍未完成的清单事项数",
        )
        .filter(|f| f.overdue = true),
        // 监督检查
        records_of(
            "专项监督次数",
            "次",
            "special_supervision",
            "开展专项监督的次数",
        ),
        count(
            "专项监督发现问题数",
            "个",
            Problems,
            "专项监督发现并督促整改的问题数",
        )
        .filter(sources(&["special_supervision"])),
        records_of(
            "党建巡查次数",
            "次",
            "branch_inspection",
            "开展村级（支部）党建巡查的次数",
        ),
        count(
            "党建巡查通报问题数",
            "个",
            Problems,
            "党建巡查发现并通报的问题数",
        )
        .filter(sources(&["branch_inspection"])),
        sum("谈心谈话人次", "人次", PersonTimes, "谈心谈话的人次").filter(types(&["heart_talk"])),
        records_of(
            "民主生活会次数",
            "次",
            "democratic_life",
            "召开民主生活会的次数",
        ),
        sum(
            "民主生活会查摆方面数",
            "个",
            Items,
            "民主生活会围绕查摆的方面数",
        )
        .filter(types(&["democratic_life"])),
        count(
            "民主生活会查摆问题数",
            "条",
            Problems,
            "民主生活会查摆出的问题数",
        )
        .filter(sources(&["democratic_life"])),
        count(
            "民主生活会整改措施数",
            "条",
            Measures,
            "针对民主生活会查摆问题制定的整改措施数",
        )
        .filter(sources(&["democratic_life"])),
        records_of("组织生活会次数", "次", "org_life", "召开组织生活会的次数"),
        count(
            "组织生活会查摆问题数",
            "条",
            Problems,
            "组织生活会查摆出的问题数",
        )
        .filter(sources(&["org_life"])),
        // 巡察整改
        count(
            "巡察反馈问题数",
            "个",
            Problems,
            "上级巡察反馈本级党组织的问题数",
        )
        .filter(|f| {
            f.sources = vec!["inspection_tour".into()];
            f.scope = OrgScope::Itself;
        }),
        count(
            "巡察反馈已整改数",
            "个",
            Problems,
            "上级巡察反馈本级党组织的问题中已销号的",
        )
        .filter(|f| {
            f.sources = vec!["inspection_tour".into()];
            f.statuses = vec!["closed".into()];
            f.scope = OrgScope::Itself;
        }),
        ratio(
            "巡察整改完成率",
            "巡察反馈已整改数",
            "巡察反馈问题数",
            "巡察反馈本级问题的整改完成率",
        ),
        count(
            "村级巡察反馈问题数",
            "个",
            Problems,
            "巡察反馈下级（村级）党组织的问题数",
        )
        .filter(|f| {
            f.sources = vec!["inspection_tour".into()];
            f.scope = OrgScope::Below;
        }),
        count(
            "村级巡察反馈已整改数",
            "个",
            Problems,
            "巡察反馈下级党组织的问题中已销号的",
        )
        .filter(|f| {
            f.sources = vec!["inspection_tour".into()];
            f.statuses = vec!["closed".into()];
            f.scope = OrgScope::Below;
        }),
        ratio(
            "村级巡察整改完成率",
            "村级巡察反馈已整改数",
            "村级巡察反馈问题数",
            "巡察反馈下级党组织问题的整改完成率",
        ),
        count("问题总数", "个", Problems, "各渠道发现的问题总数"),
        count("已销号问题数", "个", Problems, "已审核销号的问题数")
            .filter(|f| f.statuses = vec!["closed".into()]),
        ratio(
            "问题整改完成率",
            "已销号问题数",
            "问题总数",
            "已销号问题占全部问题的比例",
        ),
        count("整改措施数", "条", Measures, "制定的整改措施数"),
        count(
            "逾期整改措施数",
            "条",
            Measures,
            "超过期限仍未完成的整改措施数",
        )
        .filter(|f| f.overdue = true),
        // 廉政风险防控
        count("廉政风险点数", "个", Risks, "梳理的廉政风险点总数"),
        count(
            "廉政风险防控措施数",
            "条",
            RiskMeasures,
            "针对廉政风险点制定的防控措施总数",
        ),
        count(
            "单位廉政风险点数",
            "个",
            Risks,
            "机关各部门、各村（单位、岗位）梳理的廉政风险点数",
        )
        .filter(|f| f.subject_kinds = vec!["unit".into(), "post".into()]),
        count(
            "单位廉政风险防控措施数",
            "条",
            RiskMeasures,
            "单位、岗位廉政风险点的防控措施数",
        )
        .filter(|f| f.subject_kinds = vec!["unit".into(), "post".into()]),
        count(
            "个人廉政风险点数",
            "个",
            Risks,
            "党员干部梳理的个人廉政风险点数",
        )
        .filter(|f| f.subject_kinds = vec!["person".into()]),
        count(
            "个人廉政风险防控措施数",
            "条",
            RiskMeasures,
            "个人廉政风险点的防控措施数",
        )
        .filter(|f| f.subject_kinds = vec!["person".into()]),
        // 意识形态
        sum("公众号文章数", "篇", Items, "利用本级公众号发布的文章篇数").filter(|f| {
            f.types = vec!["publicity".into()];
            f.outlet_levels = vec!["own".into()];
        }),
        sum(
            "区级媒体采用数",
            "篇",
            Items,
            "区（县）级媒体转载采用的篇数",
        )
        .filter(|f| {
            f.types = vec!["publicity".into()];
            f.outlet_levels = vec!["district".into()];
        }),
        sum("市级媒体采用数", "篇", Items, "市级媒体刊发的篇数").filter(|f| {
            f.types = vec!["publicity".into()];
            f.outlet_levels = vec!["city".into()];
        }),
        sum("省级媒体采用数", "篇", Items, "省级媒体刊发的篇数").filter(|f| {
            f.types = vec!["publicity".into()];
            f.outlet_levels = vec!["province".into()];
        }),
        sum("国家级媒体采用数", "篇", Items, "国家级媒体刊发的篇数").filter(|f| {
            f.types = vec!["publicity".into()];
            f.outlet_levels = vec!["national".into()];
        }),
        records_of(
            "志愿服务活动次数",
            "次",
            "volunteer",
            "开展志愿服务活动的次数",
        ),
        sum(
            "志愿服务参与人次",
            "人次",
            PersonTimes,
            "志愿服务活动的参与人次",
        )
        .filter(types(&["volunteer"])),
        // 组织建设
        count(
            "发展党员数",
            "名",
            Members,
            "期间内发展的党员数（按入党日期）",
        ),
        count(
            "发展党员35岁以下人数",
            "人",
            Members,
            "期间内发展的党员中入党时未满35岁的人数",
        )
        .filter(|f| f.under_35_at_join = true),
        ratio(
            "发展党员35岁以下占比",
            "发展党员35岁以下人数",
            "发展党员数",
            "发展党员中35岁以下的比例",
        ),
        count("党支部数", "个", Orgs, "党支部的个数")
            .filter(|f| f.org_kinds = vec!["branch".into()]),
        count("党员数", "名", Members, "名册中的正式党员和预备党员人数")
            .filter(|f| f.roster = true),
        count(
            "信息完整党员数",
            "名",
            Members,
            "名册信息（姓名、性别、出生日期、入党日期、状态）完整的党员数",
        )
        .filter(|f| {
            f.roster = true;
            f.info_complete = true;
        }),
        count(
            "信息准确党员数",
            "名",
            Members,
            "出生日期、入党日期相互一致（出生在先、入党时年满18岁）的党员数",
        )
        .filter(|f| {
            f.roster = true;
            f.info_accurate = true;
        }),
        ratio(
            "党员信息完整率",
            "信息完整党员数",
            "党员数",
            "党员信息完整率",
        ),
        ratio(
            "党员信息准确率",
            "信息准确党员数",
            "党员数",
            "党员信息准确率",
        ),
        records_of(
            "支部党员大会次数",
            "次",
            "member_meeting",
            "召开支部党员大会的次数",
        ),
        records_of("支委会次数", "次", "branch_committee", "召开支委会的次数"),
        records_of("党小组会次数", "次", "group_meeting", "召开党小组会的次数"),
        records_of("党课次数", "次", "party_lecture", "讲党课的次数"),
        records_of("主题党日次数", "次", "theme_day", "开展主题党日活动的次数"),
        records_of(
            "民主评议党员次数",
            "次",
            "member_appraisal",
            "开展民主评议党员的次数",
        ),
        // 作风和纪律建设
        count(
            "警示教育大会和廉政培训次数",
            "次",
            Records,
            "召开警示教育大会、开展廉政培训的次数",
        )
        .filter(types(&["warning_meeting", "integrity_training"])),
        sum(
            "廉政履职谈话人次",
            "人次",
            PersonTimes,
            "开展廉政（履职）谈话的人次",
        )
        .filter(types(&["integrity_talk"])),
        sum("心得体会篇数", "篇", Items, "组织撰写心得体会的篇数").filter(types(&["reflection"])),
        records_of(
            "警示教育片部数",
            "部",
            "warning_film",
            "观看警示教育片的部数",
        ),
        sum(
            "一把手廉政谈话人次",
            "人次",
            PersonTimes,
            "纪委书记同下级党组织“一把手”廉政谈话的人次",
        )
        .filter(types(&["head_talk"])),
        sum("约谈人次", "人次", PersonTimes, "约谈的人次").filter(types(&["summons_talk"])),
    ];
    for (form, name) in [
        (1, "第一种形态人次"),
        (2, "第二种形态人次"),
        (3, "第三种形态人次"),
        (4, "第四种形态人次"),
    ] {
        v.push(
            count(name, "人次", Discipline, "运用监督执纪“四种形态”处理的人次")
                .filter(move |f| f.forms = vec![form]),
        );
    }
    for (code, name) in [
        ("warning", "警告处分人次"),
        ("serious_warning", "严重警告处分人次"),
        ("removal", "撤销党内职务处分人次"),
        ("probation", "留党察看处分人次"),
        ("expulsion", "开除党籍人次"),
        ("demerit", "记过处分人次"),
    ] {
        v.push(
            count(name, "人次", Discipline, "给予该种处分的人次")
                .filter(move |f| f.sanctions = vec![code.into()]),
        );
    }
    v.into_iter().map(|b| b.def).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalogue_is_valid_and_unique() {
        let all = builtin();
        let kind_of = |n: &str| all.iter().find(|m| m.name == n).map(|m| m.kind);
        let mut names: Vec<&str> = all.iter().map(|m| m.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len(), "duplicate metric names");
        for m in &all {
            m.validate(kind_of)
                .unwrap_or_else(|e| panic!("{}: {}", m.name, e.message));
        }
        for n in REPORT_FIGURES {
            assert!(
                kind_of(n).is_some(),
                "report figure {n} is not in the catalogue"
            );
        }
        // The names the issue and reports use.
        for n in [
            "理论学习中心组学习次数",
            "培训人次",
            "巡察反馈问题数",
            "巡察反馈已整改数",
            "巡察整改完成率",
            "廉政风险点数",
            "发展党员35岁以下占比",
        ] {
            assert!(kind_of(n).is_some(), "{n}");
        }
    }

    #[test]
    fn definitions_are_checked() {
        let known = |n: &str| match n {
            "a" => Some(MetricKind::Count),
            "r" => Some(MetricKind::Ratio),
            _ => None,
        };
        let mut d = builtin().remove(0);
        d.filter.sources = vec!["audit".into()];
        assert_eq!(d.validate(known).unwrap_err().field, "filter");
        let mut r = ratio("比率", "a", "r", "").def;
        assert!(r
            .validate(known)
            .unwrap_err()
            .message
            .contains("本身是比率"));
        r.denominator = Some("无此指标".into());
        assert!(r.validate(known).unwrap_err().message.contains("没有名为"));
        let mut s = sum("学时", "学时", SumField::Hours, "").def;
        s.source = Some(Source::Problems);
        assert_eq!(s.validate(known).unwrap_err().field, "field");
        let json = r#"{"name":"X次数","unit":"次","kind":"count","source":"records","filter":{"typo":[1]}}"#;
        assert!(serde_json::from_str::<MetricDef>(json).is_err());
    }

    #[test]
    fn rates_are_truncated_to_one_decimal() {
        assert_eq!(percentage(42.0, 45.0), Some(93.3));
        assert_eq!(percentage(34.0, 35.0), Some(97.1));
        assert_eq!(percentage(45.0, 56.0), Some(80.3));
        assert_eq!(percentage(7.0, 10.0), Some(70.0));
        assert_eq!(percentage(3.0, 3.0), Some(100.0));
        assert_eq!(percentage(9999.0, 10000.0), Some(99.9));
        assert_eq!(percentage(1.0, 0.0), None);
        assert_eq!(format_value(Some(93.3)), "93.3");
        assert_eq!(format_value(Some(100.0)), "100");
        assert_eq!(format_value(None), "—");
    }
}
