//! 三会一课 frequency rules: how often a branch should hold each kind of meeting, and, for a
//! period, how many it should have held ("should hold vs. held", 应开 / 已开).

use crate::date::{Day, Period};
use crate::Invalid;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Monthly,
    Quarterly,
    Yearly,
}

impl Frequency {
    pub const ALL: [Frequency; 3] = [Frequency::Monthly, Frequency::Quarterly, Frequency::Yearly];

    pub fn code(self) -> &'static str {
        match self {
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
            Frequency::Yearly => "yearly",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Frequency::Monthly => "每月",
            Frequency::Quarterly => "每季度",
            Frequency::Yearly => "每年",
        }
    }

    /// The running period in words: 本月, 本季度, 本年度.
    pub fn this_period(self) -> &'static str {
        match self {
            Frequency::Monthly => "本月",
            Frequency::Quarterly => "本季度",
            Frequency::Yearly => "本年度",
        }
    }

    /// The calendar month, quarter or year that contains `day`: the period a rule's meetings
    /// are owed in while it runs (本期).
    pub fn period_of(self, day: Day) -> Period {
        let (first_month, last_month) = match self {
            Frequency::Monthly => (day.month(), day.month()),
            Frequency::Quarterly => (day.quarter() * 3 - 2, day.quarter() * 3),
            Frequency::Yearly => (1, 12),
        };
        let from = Day::from_ymd(day.year(), first_month, 1).unwrap_or(day);
        let to = Day::from_ymd(day.year(), last_month, 1)
            .map(Day::month_end)
            .unwrap_or(day);
        Period { from, to }
    }

    pub fn parse(text: &str) -> Result<Frequency, Invalid> {
        let t = text.trim();
        Frequency::ALL
            .into_iter()
            .find(|f| f.code() == t || f.label() == t)
            .ok_or_else(|| Invalid::new("frequency", "频次应为每月、每季度或每年"))
    }
}

/// A rule: organizations of `org_kind` hold `times` meetings of `type_code` per period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeetingRule {
    pub org_kind: String,
    pub type_code: String,
    pub frequency: Frequency,
    pub times: i64,
}

/// The built-in rules (《中国共产党支部工作条例（试行）》): 支委会, 党小组会 and 主题党日
/// monthly; 党员大会 and 党课 quarterly; 组织生活会 and 民主评议党员 yearly. They apply to
/// branches (党支部); an administrator may change them per organization kind.
pub fn builtin_rules() -> Vec<MeetingRule> {
    let r = |code: &str, frequency| MeetingRule {
        org_kind: "branch".into(),
        type_code: code.into(),
        frequency,
        times: 1,
    };
    vec![
        r("branch_committee", Frequency::Monthly),
        r("group_meeting", Frequency::Monthly),
        r("theme_day", Frequency::Monthly),
        r("member_meeting", Frequency::Quarterly),
        r("party_lecture", Frequency::Quarterly),
        r("org_life", Frequency::Yearly),
        r("member_appraisal", Frequency::Yearly),
    ]
}

/// How many meetings a rule asks for within `period`, counting only the months, quarters or
/// years whose end has been reached by `today` (a month still running is not yet owed), and
/// partial periods at either end as whole ones.
pub fn should_hold(rule: &MeetingRule, period: Period, today: Day) -> i64 {
    if rule.times <= 0 {
        return 0;
    }
    let end = if today < period.to { today } else { period.to };
    if end < period.from {
        return 0;
    }
    let mut count = 0;
    // Walk the calendar periods touching [period.from, end].
    let mut cursor = period.from;
    loop {
        let (period_end, next) = match rule.frequency {
            Frequency::Monthly => {
                let e = cursor.month_end();
                (e, e.plus_days(1))
            }
            Frequency::Quarterly => {
                let last_month = cursor.quarter() * 3;
                let e = Day::from_ymd(cursor.year(), last_month, 1)
                    .map(|d| d.month_end())
                    .unwrap_or(cursor);
                (e, e.plus_days(1))
            }
            Frequency::Yearly => {
                let e = Day::from_ymd(cursor.year(), 12, 31).unwrap_or(cursor);
                (e, e.plus_days(1))
            }
        };
        // Owed once the calendar period is over, or when the asked period ends inside it.
        if period_end <= today || period_end >= period.to && period.to <= today {
            count += rule.times;
        }
        if next > end {
            break;
        }
        cursor = next;
    }
    count
}

/// The most meetings a rule may ask for per period.
pub const MAX_TIMES: i64 = 31;

/// The rules in force: each built-in rule, replaced by a stored rule for the same
/// organization kind and type, followed by the stored rules for other pairs. A rule with
/// `times == 0` is switched off (kept in the list so that it can be shown as such).
pub fn effective_rules(stored: &[MeetingRule]) -> Vec<MeetingRule> {
    let same =
        |a: &MeetingRule, b: &MeetingRule| a.org_kind == b.org_kind && a.type_code == b.type_code;
    let mut out: Vec<MeetingRule> = builtin_rules()
        .into_iter()
        .map(|b| stored.iter().find(|s| same(s, &b)).cloned().unwrap_or(b))
        .collect();
    for s in stored {
        if !out.iter().any(|o| same(o, s)) {
            out.push(s.clone());
        }
    }
    out
}

/// Checks a rule an administrator sets: a known organization kind, 0 to [`MAX_TIMES`].
/// (Whether the type exists is the caller's check: types are configurable.)
pub fn check_rule(rule: &MeetingRule) -> Result<MeetingRule, Invalid> {
    let kind = crate::org::OrgKind::parse(&rule.org_kind).map_err(|_| {
        Invalid::new(
            "org_kind",
            format!("没有名为“{}”的组织类型", short(&rule.org_kind)),
        )
    })?;
    if !(0..=MAX_TIMES).contains(&rule.times) {
        return Err(Invalid::new(
            "times",
            format!("每期次数应为0至{MAX_TIMES}之间的整数（0表示不作要求）"),
        ));
    }
    Ok(MeetingRule {
        org_kind: kind.code().to_string(),
        type_code: rule.type_code.trim().to_string(),
        frequency: rule.frequency,
        times: rule.times,
    })
}

fn short(text: &str) -> String {
    text.chars().take(20).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(t: &str) -> Day {
        Day::parse("d", t).unwrap()
    }

    fn rule(f: Frequency) -> MeetingRule {
        MeetingRule {
            org_kind: "branch".into(),
            type_code: "x".into(),
            frequency: f,
            times: 1,
        }
    }

    #[test]
    fn a_whole_past_year() {
        let y = Period::year(2023);
        let today = d("2024-03-01");
        assert_eq!(should_hold(&rule(Frequency::Monthly), y, today), 12);
        assert_eq!(should_hold(&rule(Frequency::Quarterly), y, today), 4);
        assert_eq!(should_hold(&rule(Frequency::Yearly), y, today), 1);
    }

    #[test]
    fn a_running_year_owes_only_what_has_ended() {
        let y = Period::year(2026);
        let today = d("2026-11-22");
        assert_eq!(should_hold(&rule(Frequency::Monthly), y, today), 10);
        assert_eq!(should_hold(&rule(Frequency::Quarterly), y, today), 3);
        assert_eq!(should_hold(&rule(Frequency::Yearly), y, today), 0);
        let mut twice = rule(Frequency::Monthly);
        twice.times = 2;
        assert_eq!(should_hold(&twice, y, today), 20);
        twice.times = 0;
        assert_eq!(should_hold(&twice, y, today), 0);
    }

    #[test]
    fn the_running_period_of_each_frequency() {
        let today = d("2026-11-22");
        let m = Frequency::Monthly.period_of(today);
        assert_eq!(
            (m.from.text(), m.to.text()),
            ("2026-11-01".into(), "2026-11-30".into())
        );
        let q = Frequency::Quarterly.period_of(today);
        assert_eq!(
            (q.from.text(), q.to.text()),
            ("2026-10-01".into(), "2026-12-31".into())
        );
        let y = Frequency::Yearly.period_of(today);
        assert_eq!(
            (y.from.text(), y.to.text()),
            ("2026-01-01".into(), "2026-12-31".into())
        );
        let feb = Frequency::Quarterly.period_of(d("2024-02-29"));
        assert_eq!(
            (feb.from.text(), feb.to.text()),
            ("2024-01-01".into(), "2024-03-31".into())
        );
        assert_eq!(Frequency::Quarterly.this_period(), "本季度");
    }

    #[test]
    fn a_period_in_the_future_owes_nothing() {
        assert_eq!(
            should_hold(
                &rule(Frequency::Monthly),
                Period::year(2030),
                d("2026-11-22")
            ),
            0
        );
    }

    #[test]
    fn stored_rules_replace_and_extend_the_builtin_ones() {
        let stored = vec![
            MeetingRule {
                org_kind: "branch".into(),
                type_code: "party_lecture".into(),
                frequency: Frequency::Monthly,
                times: 0,
            },
            MeetingRule {
                org_kind: "general_branch".into(),
                type_code: "branch_committee".into(),
                frequency: Frequency::Monthly,
                times: 1,
            },
        ];
        let rules = effective_rules(&stored);
        assert_eq!(rules.len(), builtin_rules().len() + 1);
        let lecture = rules
            .iter()
            .find(|r| r.type_code == "party_lecture")
            .unwrap();
        assert_eq!(lecture.times, 0);
        assert_eq!(rules.last().unwrap().org_kind, "general_branch");
        let mut bad = stored[1].clone();
        bad.org_kind = "村".into();
        assert_eq!(check_rule(&bad).unwrap_err().field, "org_kind");
        bad.org_kind = "党支部".into();
        assert_eq!(check_rule(&bad).unwrap().org_kind, "branch");
        bad.times = 99;
        assert_eq!(check_rule(&bad).unwrap_err().field, "times");
    }
}
