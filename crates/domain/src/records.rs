//! Work records (纪实): a meeting or activity of a type, recorded once by the unit that held it.
//!
//! A [`RecordType`] declares which fields it has; the built-in catalogue covers the types the
//! reports count, and an administrator may add more (stored as catalogue entries with the
//! same shape in JSON).

use crate::date::Day;
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

/// The values of one record, as typed (form or JSON) and converted; [`RecordValues::check`]
/// validates them against the record's type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordValues {
    pub title: String,
    pub held_on: Day,
    pub place: String,
    pub host: String,
    pub recorder: String,
    pub person_times: Option<i64>,
    pub hours: Option<f64>,
    pub sessions: Option<i64>,
    pub items: Option<i64>,
    pub outlet_level: Option<OutletLevel>,
    pub content: String,
}

/// Bounds of the counted fields.
pub const MAX_PERSON_TIMES: i64 = 1_000_000;
pub const MAX_SESSIONS: i64 = 10_000;
pub const MAX_ITEMS: i64 = 1_000_000;
pub const MAX_TITLE: usize = 100;
pub const MAX_LINE: usize = 50;
pub const MAX_CONTENT: usize = 20_000;
pub const MAX_REASON: usize = 200;

impl RecordValues {
    /// Clears the fields the type does not have. A form shows every field group and hides
    /// those of other types, so it may post values the chosen type does not use.
    pub fn keep_only(mut self, ty: &RecordType) -> RecordValues {
        use RecordField::*;
        if !ty.has(Place) {
            self.place.clear();
        }
        if !ty.has(Host) {
            self.host.clear();
        }
        if !ty.has(Recorder) {
            self.recorder.clear();
        }
        if !ty.has(PersonTimes) {
            self.person_times = None;
        }
        if !ty.has(Hours) {
            self.hours = None;
        }
        if !ty.has(Sessions) {
            self.sessions = None;
        }
        if !ty.has(Items) {
            self.items = None;
        }
        if !ty.has(OutletLevel) {
            self.outlet_level = None;
        }
        if !ty.has(Content) {
            self.content.clear();
        }
        self
    }

    /// Trims and bounds every text, checks the counts, refuses a value for a field the type
    /// does not have, a day after `today`, and a publicity item without its outlet level.
    pub fn check(self, ty: &RecordType, today: Day) -> Result<RecordValues, Invalid> {
        use crate::text;
        use RecordField::*;
        let absent = |field: RecordField| {
            Invalid::new(
                field.code(),
                format!("“{}”类纪实没有“{}”一项", ty.name, field_label(ty, field)),
            )
        };
        let title = text::required("title", "标题", &self.title, MAX_TITLE)?;
        let title = text::line("title", "标题", &title, MAX_TITLE)?;
        if self.held_on > today {
            return Err(Invalid::new("held_on", "开展日期不能晚于今天"));
        }
        let line_field = |field: RecordField, value: &str| -> Result<String, Invalid> {
            let v = text::line(field.code(), field.label(), value, MAX_LINE)?;
            if !v.is_empty() && !ty.has(field) {
                return Err(absent(field));
            }
            Ok(v)
        };
        let place = line_field(Place, &self.place)?;
        let host = line_field(Host, &self.host)?;
        let recorder = line_field(Recorder, &self.recorder)?;
        let content = text::optional("content", Content.label(), &self.content, MAX_CONTENT)?;
        if !content.is_empty() && !ty.has(Content) {
            return Err(absent(Content));
        }
        let count =
            |field: RecordField, v: Option<i64>, max: i64| -> Result<Option<i64>, Invalid> {
                match v {
                    None => Ok(None),
                    Some(_) if !ty.has(field) => Err(absent(field)),
                    Some(n) => text::count(field.code(), &field_label(ty, field), n, max).map(Some),
                }
            };
        let person_times = count(PersonTimes, self.person_times, MAX_PERSON_TIMES)?;
        let sessions = count(Sessions, self.sessions, MAX_SESSIONS)?;
        let items = count(Items, self.items, MAX_ITEMS)?;
        let hours = match self.hours {
            None => None,
            Some(_) if !ty.has(Hours) => return Err(absent(Hours)),
            Some(h) => Some(text::check_hours("hours", Hours.label(), h)?),
        };
        let outlet_level = match self.outlet_level {
            Some(_) if !ty.has(OutletLevel) => return Err(absent(OutletLevel)),
            None if ty.has(OutletLevel) => {
                return Err(Invalid::new("outlet_level", "请选择刊发层级"))
            }
            other => other,
        };
        Ok(RecordValues {
            title,
            held_on: self.held_on,
            place,
            host,
            recorder,
            person_times,
            hours,
            sessions,
            items,
            outlet_level,
            content,
        })
    }
}

/// The label of a field for a type (the `items` field is named by the type).
pub fn field_label(ty: &RecordType, field: RecordField) -> String {
    if field == RecordField::Items && !ty.items_label.is_empty() {
        ty.items_label.clone()
    } else {
        field.label().to_string()
    }
}

/// An absence needs its reason; a presence has none.
pub fn absence_reason(present: bool, reason: &str) -> Result<String, Invalid> {
    let r = crate::text::line("attendees", "缺席原因", reason, MAX_LINE)?;
    if present {
        return Ok(String::new());
    }
    if r.is_empty() {
        return Err(Invalid::new("attendees", "请填写缺席人员的缺席原因"));
    }
    Ok(r)
}

/// The reason for voiding something: required, one line, bounded.
pub fn void_reason(text: &str) -> Result<String, Invalid> {
    let r = crate::text::required("reason", "作废原因", text, MAX_REASON)?;
    crate::text::line("reason", "作废原因", &r, MAX_REASON)
}

/// A custom record type as an administrator describes it.
pub fn custom_type(
    code: &str,
    name: &str,
    group: &str,
    fields: &[String],
    unit: &str,
    items_label: &str,
    items_unit: &str,
) -> Result<RecordType, Invalid> {
    use crate::text;
    let code = parse_type_code(code)?;
    let name = text::required("name", "类型名称", name, 30)?;
    let name = text::line("name", "类型名称", &name, 30)?;
    let group = text::line("group", "分组", group, 20)?;
    let group = if group.is_empty() {
        GROUP_WORK.to_string()
    } else {
        group
    };
    let mut parsed: Vec<RecordField> = Vec::new();
    for f in fields {
        let field = RecordField::parse(f)
            .ok_or_else(|| Invalid::new("fields", format!("没有名为“{}”的字段", short(f))))?;
        if !parsed.contains(&field) {
            parsed.push(field);
        }
    }
    // Shown in the catalogue's order, whatever order they were given in.
    parsed.sort_by_key(|f| RecordField::ALL.iter().position(|a| a == f));
    let unit = text::line("unit", "计量单位", unit, 4)?;
    let unit = if unit.is_empty() {
        "次".to_string()
    } else {
        unit
    };
    let items_label = text::line("items_label", "数量名称", items_label, 20)?;
    let items_unit = text::line("items_unit", "数量单位", items_unit, 4)?;
    let has_items = parsed.contains(&RecordField::Items);
    if has_items && items_label.is_empty() {
        return Err(Invalid::new(
            "items_label",
            "有“数量”字段时请填写数量名称，如“文章篇数”",
        ));
    }
    Ok(RecordType {
        code,
        name,
        group,
        fields: parsed,
        unit,
        items_label: if has_items {
            items_label
        } else {
            String::new()
        },
        items_unit: if has_items { items_unit } else { String::new() },
        custom: true,
    })
}

fn short(text: &str) -> String {
    text.chars().take(20).collect()
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

    fn values() -> RecordValues {
        RecordValues {
            title: " 3月支委会 ".into(),
            held_on: Day::parse("d", "2024-03-05").unwrap(),
            place: "村部会议室".into(),
            host: String::new(),
            recorder: String::new(),
            person_times: Some(5),
            hours: None,
            sessions: None,
            items: None,
            outlet_level: None,
            content: "学习".into(),
        }
    }

    fn ty(code: &str) -> RecordType {
        builtin_types()
            .into_iter()
            .find(|t| t.code == code)
            .unwrap()
    }

    #[test]
    fn values_follow_the_type() {
        let today = Day::parse("d", "2024-06-01").unwrap();
        let v = values().check(&ty("branch_committee"), today).unwrap();
        assert_eq!(v.title, "3月支委会");
        // Publicity has no place, and needs its outlet level.
        let e = values().check(&ty("publicity"), today).unwrap_err();
        assert_eq!(e.field, "place");
        let mut p = values().keep_only(&ty("publicity"));
        assert!(p.place.is_empty() && p.person_times.is_none());
        assert_eq!(
            p.clone().check(&ty("publicity"), today).unwrap_err().field,
            "outlet_level"
        );
        p.outlet_level = Some(OutletLevel::City);
        p.items = Some(3);
        assert!(p.check(&ty("publicity"), today).is_ok());
        let mut late = values();
        late.held_on = Day::parse("d", "2024-06-02").unwrap();
        assert_eq!(
            late.check(&ty("branch_committee"), today)
                .unwrap_err()
                .field,
            "held_on"
        );
        let mut many = values();
        many.person_times = Some(-1);
        assert_eq!(
            many.check(&ty("branch_committee"), today)
                .unwrap_err()
                .field,
            "person_times"
        );
        let mut blank = values();
        blank.title = "  ".into();
        assert_eq!(
            blank
                .check(&ty("branch_committee"), today)
                .unwrap_err()
                .field,
            "title"
        );
    }

    #[test]
    fn absences_need_reasons_and_voids_need_reasons() {
        assert_eq!(absence_reason(true, "病假").unwrap(), "");
        assert_eq!(absence_reason(false, " 病假 ").unwrap(), "病假");
        assert!(absence_reason(false, " ").is_err());
        assert!(void_reason("").is_err());
        assert_eq!(void_reason(" 重复录入 ").unwrap(), "重复录入");
    }

    #[test]
    fn custom_types_are_checked() {
        let t = custom_type(
            "river_patrol",
            "河长巡河",
            "",
            &["content".into(), "地点".into(), "place".into()],
            "",
            "",
            "",
        )
        .unwrap();
        assert_eq!(t.fields, vec![RecordField::Place, RecordField::Content]);
        assert_eq!((t.unit.as_str(), t.group.as_str()), ("次", GROUP_WORK));
        assert!(t.custom);
        assert_eq!(
            custom_type("x y", "n", "", &[], "", "", "")
                .unwrap_err()
                .field,
            "code"
        );
        assert_eq!(
            custom_type("abc", "n", "", &["nope".into()], "", "", "")
                .unwrap_err()
                .field,
            "fields"
        );
        assert_eq!(
            custom_type("abc", "n", "", &["items".into()], "", "", "")
                .unwrap_err()
                .field,
            "items_label"
        );
    }
}
