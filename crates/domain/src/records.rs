//! Work records (纪实): a meeting or activity of a type, recorded once by the unit that held it.
//!
//! A [`RecordType`] declares which fields it has; the built-in catalogue covers the types the
//! reports count, and an administrator may add more (stored as catalogue entries with the
//! same shape in JSON).

use crate::Invalid;
use serde::{Deserialize, Serialize};

/// A field a record type may have beyond its date, title and organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordField {
    /// 地点
    Place,
    /// 主持人
    Host,
    /// 记录人
    Recorder,
    /// 参会人员: members of the organization, present or absent with a reason.
    Attendees,
    /// 人次
    PersonTimes,
    /// 学时
    Hours,
    /// 期数
    Sessions,
    /// 数量: articles, study items, aspects … in the type's `items_unit`.
    Items,
    /// 刊发层级 (publicity)
    OutletLevel,
    /// 内容 / 会议记录
    Content,
    /// 发现问题: problems raised by this record go to the rectification ledger.
    Findings,
}

impl RecordField {
    pub const ALL: [RecordField; 11] = [
        RecordField::Place,
        RecordField::Host,
        RecordField::Recorder,
        RecordField::Attendees,
        RecordField::PersonTimes,
        RecordField::Hours,
        RecordField::Sessions,
        RecordField::Items,
        RecordField::OutletLevel,
        RecordField::Content,
        RecordField::Findings,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RecordField::Place => "place",
            RecordField::Host => "host",
            RecordField::Recorder => "recorder",
            RecordField::Attendees => "attendees",
            RecordField::PersonTimes => "person_times",
            RecordField::Hours => "hours",
            RecordField::Sessions => "sessions",
            RecordField::Items => "items",
            RecordField::OutletLevel => "outlet_level",
            RecordField::Content => "content",
            RecordField::Findings => "findings",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RecordField::Place => "地点",
            RecordField::Host => "主持人",
            RecordField::Recorder => "记录人",
            RecordField::Attendees => "参加人员",
            RecordField::PersonTimes => "人次",
            RecordField::Hours => "学时",
            RecordField::Sessions => "期数",
            RecordField::Items => "数量",
            RecordField::OutletLevel => "刊发层级",
            RecordField::Content => "主要内容",
            RecordField::Findings => "发现问题",
        }
    }

    pub fn parse(text: &str) -> Option<RecordField> {
        let t = text.trim();
        RecordField::ALL
            .into_iter()
            .find(|f| f.code() == t || f.label() == t)
    }
}

/// 刊发层级: where a publicity item appeared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutletLevel {
    /// 本级公众号 / 网站
    Own,
    /// 区（县）级媒体
    District,
    /// 市级媒体
    City,
    /// 省级媒体
    Province,
    /// 国家级媒体
    National,
}

impl OutletLevel {
    pub const ALL: [OutletLevel; 5] = [
        OutletLevel::Own,
        OutletLevel::District,
        OutletLevel::City,
        OutletLevel::Province,
        OutletLevel::National,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OutletLevel::Own => "own",
            OutletLevel::District => "district",
            OutletLevel::City => "city",
            OutletLevel::Province => "province",
            OutletLevel::National => "national",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OutletLevel::Own => "本级公众号",
            OutletLevel::District => "区（县）级媒体",
            OutletLevel::City => "市级媒体",
            OutletLevel::Province => "省级媒体",
            OutletLevel::National => "国家级媒体",
        }
    }

    pub fn parse(text: &str) -> Result<OutletLevel, Invalid> {
        let t = text.trim();
        OutletLevel::ALL
            .into_iter()
            .find(|l| {
                l.code() == t
                    || l.label() == t
                    || (matches!(l, OutletLevel::District) && (t == "区级媒体" || t == "县级媒体"))
                    || (matches!(l, OutletLevel::Own) && t == "公众号")
            })
            .ok_or_else(|| Invalid::new("outlet_level", "请选择刊发层级"))
    }
}

/// A type of work record and the fields it has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordType {
    /// Stable code used by metrics and the API, e.g. `study_group`.
    pub code: String,
    /// The Chinese name users see, e.g. 理论学习中心组学习.
    pub name: String,
    /// 组织生活 (三会一课 …), 学习教育, 监督执纪, 宣传 …: groups the type list.
    pub group: String,
    pub fields: Vec<RecordField>,
    /// What one record counts as: 次, 期, 项 …
    pub unit: String,
    /// What `items` counts, e.g. 篇 for articles; empty when the type has no `items`.
    pub items_unit: String,
    /// The label of the `items` field for this type, e.g. 文章篇数.
    pub items_label: String,
    /// False for built-in types; administrator-added types may be switched off.
    #[serde(default)]
    pub custom: bool,
}

impl RecordType {
    pub fn has(&self, field: RecordField) -> bool {
        self.fields.contains(&field)
    }
}

/// The groups record types are shown in.
pub const GROUP_ORG_LIFE: &str = "组织生活";
pub const GROUP_STUDY: &str = "学习教育";
pub const GROUP_SUPERVISION: &str = "监督执纪";
pub const GROUP_PUBLICITY: &str = "宣传与服务";
pub const GROUP_WORK: &str = "党建工作";

fn t(
    code: &str,
    name: &str,
    group: &str,
    unit: &str,
    fields: &[RecordField],
    items: (&str, &str),
) -> RecordType {
    RecordType {
        code: code.into(),
        name: name.into(),
        group: group.into(),
        fields: fields.to_vec(),
        unit: unit.into(),
        items_label: items.0.into(),
        items_unit: items.1.into(),
        custom: false,
    }
}

/// The built-in record types.
pub fn builtin_types() -> Vec<RecordType> {
    use RecordField::*;
    let meeting = [Place, Host, Recorder, Attendees, PersonTimes, Content];
    let talk = [Place, Host, Recorder, PersonTimes, Content];
    let course = [Place, Host, PersonTimes, Hours, Sessions, Content];
    let none = ("", "");
    vec![
        t(
            "study_group",
            "理论学习中心组学习",
            GROUP_STUDY,
            "次",
            &[
                Place,
                Host,
                Recorder,
                Attendees,
                PersonTimes,
                Hours,
                Content,
            ],
            none,
        ),
        t(
            "member_meeting",
            "支部党员大会",
            GROUP_ORG_LIFE,
            "次",
            &meeting,
            none,
        ),
        t(
            "branch_committee",
            "支委会",
            GROUP_ORG_LIFE,
            "次",
            &meeting,
            none,
        ),
        t(
            "group_meeting",
            "党小组会",
            GROUP_ORG_LIFE,
            "次",
            &meeting,
            none,
        ),
        t(
            "party_lecture",
            "党课",
            GROUP_ORG_LIFE,
            "次",
            &[
                Place,
                Host,
                Recorder,
                Attendees,
                PersonTimes,
                Hours,
                Content,
            ],
            none,
        ),
        t(
            "theme_day",
            "主题党日",
            GROUP_ORG_LIFE,
            "次",
            &meeting,
            none,
        ),
        t(
            "democratic_life",
            "民主生活会",
            GROUP_ORG_LIFE,
            "次",
            &[
                Place,
                Host,
                Recorder,
                Attendees,
                PersonTimes,
                Items,
                Content,
                Findings,
            ],
            ("围绕方面数", "个"),
        ),
        t(
            "org_life",
            "组织生活会",
            GROUP_ORG_LIFE,
            "次",
            &[
                Place,
                Host,
                Recorder,
                Attendees,
                PersonTimes,
                Items,
                Content,
                Findings,
            ],
            ("围绕方面数", "个"),
        ),
        t(
            "member_appraisal",
            "民主评议党员",
            GROUP_ORG_LIFE,
            "次",
            &meeting,
            none,
        ),
        t("heart_talk", "谈心谈话", GROUP_ORG_LIFE, "次", &talk, none),
        t(
            "integrity_talk",
            "廉政谈话",
            GROUP_SUPERVISION,
            "次",
            &talk,
            none,
        ),
        t(
            "head_talk",
            "同下级“一把手”廉政谈话",
            GROUP_SUPERVISION,
            "次",
            &talk,
            none,
        ),
        t(
            "summons_talk",
            "约谈",
            GROUP_SUPERVISION,
            "次",
            &[Place, Host, Recorder, PersonTimes, Content, Findings],
            none,
        ),
        t(
            "warning_meeting",
            "警示教育大会",
            GROUP_SUPERVISION,
            "次",
            &[Place, Host, Attendees, PersonTimes, Content],
            none,
        ),
        t(
            "integrity_training",
            "廉政培训",
            GROUP_SUPERVISION,
            "次",
            &course,
            none,
        ),
        t(
            "warning_film",
            "观看警示教育片",
            GROUP_SUPERVISION,
            "部",
            &[Place, Attendees, PersonTimes, Content],
            none,
        ),
        t(
            "reflection",
            "撰写心得体会",
            GROUP_SUPERVISION,
            "次",
            &[Items, Content],
            ("心得体会篇数", "篇"),
        ),
        t(
            "building_meeting",
            "党建工作会",
            GROUP_WORK,
            "次",
            &meeting,
            none,
        ),
        t(
            "duty_report",
            "听取班子成员履责汇报专题会议",
            GROUP_WORK,
            "次",
            &meeting,
            none,
        ),
        t(
            "special_supervision",
            "专项监督",
            GROUP_SUPERVISION,
            "次",
            &[Place, Host, PersonTimes, Content, Findings],
            none,
        ),
        t(
            "branch_inspection",
            "党建巡查",
            GROUP_SUPERVISION,
            "次",
            &[Place, Host, PersonTimes, Content, Findings],
            none,
        ),
        t("training", "培训班", GROUP_STUDY, "期", &course, none),
        t(
            "seminar",
            "集中学习研讨班",
            GROUP_STUDY,
            "次",
            &course,
            none,
        ),
        t("reading_class", "读书班", GROUP_STUDY, "期", &course, none),
        t(
            "online_study",
            "网络专题学习",
            GROUP_STUDY,
            "项",
            &[PersonTimes, Hours, Items, Content],
            ("专题学习项数", "项"),
        ),
        t(
            "volunteer",
            "志愿服务",
            GROUP_PUBLICITY,
            "次",
            &[Place, Host, PersonTimes, Content],
            none,
        ),
        t(
            "publicity",
            "宣传稿件",
            GROUP_PUBLICITY,
            "篇",
            &[Items, OutletLevel, Content],
            ("篇数", "篇"),
        ),
        t(
            "other",
            "其他工作",
            GROUP_WORK,
            "次",
            &[Place, Host, Recorder, PersonTimes, Content, Findings],
            none,
        ),
    ]
}

/// A custom record type's code: lower-case ASCII letters, digits and `_`, 2–32 characters.
pub fn parse_type_code(text: &str) -> Result<String, Invalid> {
    let t = text.trim();
    if !(2..=32).contains(&t.len())
        || !t
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(Invalid::new(
            "code",
            "类型编码应为2至32个小写英文字母、数字或下划线",
        ));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_codes_and_names_are_unique() {
        let types = builtin_types();
        let mut codes: Vec<&str> = types.iter().map(|t| t.code.as_str()).collect();
        let mut names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        names.sort_unstable();
        names.dedup();
        assert_eq!(codes.len(), types.len());
        assert_eq!(names.len(), types.len());
        for ty in &types {
            assert!(parse_type_code(&ty.code).is_ok(), "{}", ty.code);
            assert_eq!(
                ty.has(RecordField::Items),
                !ty.items_label.is_empty(),
                "{}",
                ty.code
            );
        }
    }

    #[test]
    fn fields_and_levels_parse_code_or_label() {
        assert_eq!(RecordField::parse("人次"), Some(RecordField::PersonTimes));
        assert_eq!(RecordField::parse("hours"), Some(RecordField::Hours));
        assert_eq!(OutletLevel::parse("市级媒体").unwrap(), OutletLevel::City);
        assert_eq!(
            OutletLevel::parse("区级媒体").unwrap(),
            OutletLevel::District
        );
        assert!(OutletLevel::parse("朋友圈").is_err());
    }
}
