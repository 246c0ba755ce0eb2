//! Responsibility lists (两清单 / 三级责任清单): what an organization undertakes for a year,
//! item by item, each with its 时间表 (deadline or recurrence), 路线图 (steps), 责任人
//! (a leader, 一岗双责) and optionally a 量化指标 bound to a metric.

use crate::date::Day;
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

/// The year a list is for: 2000–2100.
pub fn parse_year(field: &'static str, text: &str) -> Result<i32, Invalid> {
    let y: i32 = text
        .trim()
        .trim_end_matches('年')
        .parse()
        .map_err(|_| Invalid::new(field, "年度应为四位数字，如 2023"))?;
    check_year(field, y)
}

pub fn check_year(field: &'static str, year: i32) -> Result<i32, Invalid> {
    if !(2000..=2100).contains(&year) {
        return Err(Invalid::new(field, "年度应在2000至2100之间"));
    }
    Ok(year)
}

/// A list's title: one line, 2–100 characters.
pub fn parse_title(text: &str) -> Result<String, Invalid> {
    let t = crate::text::line("title", "清单名称", text, 100)?;
    if t.chars().count() < 2 {
        return Err(Invalid::new("title", "请填写清单名称（至少2个字）"));
    }
    Ok(t)
}

/// An item's description (任务内容): required, at most 500 characters.
pub fn parse_description(text: &str) -> Result<String, Invalid> {
    crate::text::required("description", "任务内容", text, 500)
}

/// An item's steps (路线图): optional, at most 2000 characters, several lines.
pub fn parse_steps(text: &str) -> Result<String, Invalid> {
    crate::text::optional("steps", "路线图", text, 2000)
}

/// A progress report's text (季度调度): required, at most 2000 characters.
pub fn parse_progress_text(text: &str) -> Result<String, Invalid> {
    crate::text::required("text", "进展情况", text, 2000)
}

/// A note (completion, voiding reason): optional, at most 500 characters.
pub fn parse_note(field: &'static str, label: &str, text: &str) -> Result<String, Invalid> {
    crate::text::optional(field, label, text, 500)
}

/// The reason a record is voided: required, at most 200 characters.
pub fn parse_reason(text: &str) -> Result<String, Invalid> {
    crate::text::required("reason", "作废原因", text, 200)
}

/// A quantified target's value: a positive number up to one billion.
pub fn check_target_value(v: f64) -> Result<f64, Invalid> {
    if !v.is_finite() || v <= 0.0 || v > 1e9 {
        return Err(Invalid::new("target_value", "目标值应为大于0的数字"));
    }
    Ok(v)
}

/// A target's value as typed; empty means "no target".
pub fn parse_target_value(text: &str) -> Result<Option<f64>, Invalid> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let v: f64 = t
        .parse()
        .map_err(|_| Invalid::new("target_value", "目标值应为数字"))?;
    check_target_value(v).map(Some)
}

/// A quantified target as typed: both the metric and the value, or neither.
pub fn parse_target(metric: &str, value: &str) -> Result<Option<(String, f64)>, Invalid> {
    let m = metric.trim();
    let v = parse_target_value(value)?;
    match (m.is_empty(), v) {
        (true, None) => Ok(None),
        (false, Some(v)) => Ok(Some((m.to_string(), v))),
        (false, None) => Err(Invalid::new("target_value", "请填写目标值")),
        (true, Some(_)) => Err(Invalid::new("target_metric", "请选择目标值对应的指标")),
    }
}

/// The deadline of an item of a list of `year`: inside that year.
pub fn check_deadline(deadline: Day, year: i32) -> Result<Day, Invalid> {
    if deadline.year() != year {
        return Err(Invalid::new("deadline", format!("完成时限应在{year}年内")));
    }
    Ok(deadline)
}

/// The day the item is filed under: its deadline, or the list year's last day.
pub fn due_on(deadline: Option<Day>, year: i32) -> Day {
    deadline.unwrap_or_else(|| crate::date::Period::year(year).to)
}

/// The same day `years` years later (29 February becomes 28 February).
pub fn shift_years(day: Day, years: i32) -> Day {
    let y = day.year() + years;
    Day::from_ymd(y, day.month(), day.day())
        .or_else(|| Day::from_ymd(y, day.month(), day.day() - 1))
        .unwrap_or(day)
}

/// An open item whose due day has passed.
pub fn is_overdue(status: ItemStatus, due_on: &str, today: Day) -> bool {
    status == ItemStatus::Open && due_on < today.text().as_str()
}

/// How far a value has come towards a target, 0–100, for progress bars.
pub fn target_percent(value: f64, target: f64) -> u8 {
    if target <= 0.0 || !value.is_finite() {
        return 0;
    }
    ((value / target * 100.0).floor().clamp(0.0, 100.0)) as u8
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

    #[test]
    fn years_titles_and_targets() {
        assert_eq!(parse_year("year", " 2023 ").unwrap(), 2023);
        assert_eq!(parse_year("year", "2023年").unwrap(), 2023);
        assert_eq!(parse_year("year", "23").unwrap_err().field, "year");
        assert!(parse_year("year", "abc").is_err());
        assert!(parse_title("清").is_err());
        assert!(parse_title("2023年责任清单\n第二行").is_err());
        assert_eq!(parse_description("  ").unwrap_err().field, "description");
        assert_eq!(parse_target("", "").unwrap(), None);
        assert_eq!(
            parse_target("理论学习中心组学习次数", "12").unwrap(),
            Some(("理论学习中心组学习次数".to_string(), 12.0))
        );
        assert_eq!(parse_target("x", "").unwrap_err().field, "target_value");
        assert_eq!(parse_target("", "3").unwrap_err().field, "target_metric");
        assert!(parse_target_value("-1").is_err());
        assert!(parse_target_value("NaN").is_err());
        assert!(parse_target_value("inf").is_err());
        assert_eq!(target_percent(6.0, 12.0), 50);
        assert_eq!(target_percent(20.0, 12.0), 100);
    }

    #[test]
    fn deadlines_due_days_and_overdue() {
        let d = Day::parse("d", "2023-06-30").unwrap();
        assert!(check_deadline(d, 2023).is_ok());
        assert_eq!(check_deadline(d, 2024).unwrap_err().field, "deadline");
        assert_eq!(due_on(None, 2023).text(), "2023-12-31");
        assert_eq!(due_on(Some(d), 2023).text(), "2023-06-30");
        assert_eq!(shift_years(d, 1).text(), "2024-06-30");
        let leap = Day::parse("d", "2024-02-29").unwrap();
        assert_eq!(shift_years(leap, 1).text(), "2025-02-28");
        let today = Day::parse("d", "2023-07-01").unwrap();
        assert!(is_overdue(ItemStatus::Open, "2023-06-30", today));
        assert!(!is_overdue(ItemStatus::Done, "2023-06-30", today));
        assert!(!is_overdue(ItemStatus::Open, "2023-07-01", today));
    }
}
