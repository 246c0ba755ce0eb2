//! Calendar days and periods. Days are stored as `YYYY-MM-DD` text (text order is date order
//! on both databases); a [`Period`] is an inclusive range of days, such as one year.

use crate::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Month};

/// A calendar day (no time, no zone), e.g. the day a meeting was held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(Date);

impl Day {
    /// Accepts `2023-03-05`, `2023/3/5`, `2023.3.5` and `2023年3月5日` (what offices type).
    pub fn parse(field: &'static str, text: &str) -> Result<Day, Invalid> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Invalid::new(field, "请填写日期"));
        }
        let bad = || {
            Invalid::new(
                field,
                format!("日期“{}”无法识别，请按 2023-03-05 的格式填写", short(text)),
            )
        };
        let cleaned: String = text.replace(['年', '月', '/', '.'], "-").replace('日', "");
        let parts: Vec<&str> = cleaned.split('-').collect();
        if parts.len() != 3 {
            return Err(bad());
        }
        let year: i32 = parts[0].trim().parse().map_err(|_| bad())?;
        let month: u8 = parts[1].trim().parse().map_err(|_| bad())?;
        let day: u8 = parts[2].trim().parse().map_err(|_| bad())?;
        if !(1949..=2100).contains(&year) {
            return Err(Invalid::new(field, "年份应在1949至2100之间"));
        }
        let month = Month::try_from(month).map_err(|_| bad())?;
        let date = Date::from_calendar_date(year, month, day).map_err(|_| bad())?;
        Ok(Day(date))
    }

    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Day> {
        let month = Month::try_from(month).ok()?;
        Date::from_calendar_date(year, month, day).ok().map(Day)
    }

    /// Today in China Standard Time (UTC+8): the day a clerk in a township sees.
    pub fn today() -> Day {
        let cst = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
        Day(time::OffsetDateTime::now_utc().to_offset(cst).date())
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    pub fn month(self) -> u8 {
        self.0.month() as u8
    }

    pub fn day(self) -> u8 {
        self.0.day()
    }

    /// 1–4.
    pub fn quarter(self) -> u8 {
        (self.month() - 1) / 3 + 1
    }

    pub fn date(self) -> Date {
        self.0
    }

    pub fn plus_days(self, days: i64) -> Day {
        Day(self.0.saturating_add(time::Duration::days(days)))
    }

    /// The last day of this day's month.
    pub fn month_end(self) -> Day {
        let (y, m) = if self.month() == 12 {
            (self.year() + 1, 1)
        } else {
            (self.year(), self.month() + 1)
        };
        Day::from_ymd(y, m, 1)
            .map(|d| d.plus_days(-1))
            .unwrap_or(self)
    }

    /// `2023-03-05`.
    pub fn text(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year(), self.month(), self.day())
    }

    /// `2023年3月5日`.
    pub fn chinese(self) -> String {
        format!("{}年{}月{}日", self.year(), self.month(), self.day())
    }

    /// Reads a stored day; `None` for anything else.
    pub fn from_stored(text: &str) -> Option<Day> {
        Day::parse("date", text).ok()
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Day::parse("date", &text).map_err(|e| serde::de::Error::custom(e.message))
    }
}

fn short(text: &str) -> String {
    text.chars().take(20).collect()
}

/// An inclusive range of days: the period a figure is counted over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: Day,
    pub to: Day,
}

impl Period {
    /// The longest period accepted: ten years (a report covers one year, a comparison a few).
    pub const MAX_DAYS: i64 = 3660;

    pub fn new(from: Day, to: Day) -> Result<Period, Invalid> {
        if to < from {
            return Err(Invalid::new("to", "结束日期不能早于开始日期"));
        }
        if (to.date() - from.date()).whole_days() > Self::MAX_DAYS {
            return Err(Invalid::new("to", "统计期间不能超过10年"));
        }
        Ok(Period { from, to })
    }

    /// `from` and `to` as typed by a user; a missing one defaults to the current year's bound.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Period, Invalid> {
        let this_year = Period::year(Day::today().year());
        let from = match from.map(str::trim).filter(|s| !s.is_empty()) {
            Some(f) => Day::parse("from", f)?,
            None => this_year.from,
        };
        let to = match to.map(str::trim).filter(|s| !s.is_empty()) {
            Some(t) => Day::parse("to", t)?,
            None => this_year.to,
        };
        Period::new(from, to)
    }

    pub fn year(year: i32) -> Period {
        let from = Day::from_ymd(year, 1, 1).unwrap_or_else(Day::today);
        let to = Day::from_ymd(year, 12, 31).unwrap_or(from);
        Period { from, to }
    }

    /// The same span one year earlier (for 较上年 comparisons).
    pub fn previous_year(self) -> Period {
        let shift = |d: Day| {
            Day::from_ymd(d.year() - 1, d.month(), d.day())
                .or_else(|| Day::from_ymd(d.year() - 1, d.month(), d.day() - 1))
                .unwrap_or(d)
        };
        Period {
            from: shift(self.from),
            to: shift(self.to),
        }
    }

    pub fn contains(self, day: Day) -> bool {
        self.from <= day && day <= self.to
    }

    /// `2023年` for a calendar year, `2023年1月1日至2023年6月30日` otherwise.
    pub fn label(self) -> String {
        if self.from.month() == 1
            && self.from.day() == 1
            && self.to.month() == 12
            && self.to.day() == 31
        {
            if self.from.year() == self.to.year() {
                return format!("{}年", self.from.year());
            }
            return format!("{}—{}年", self.from.year(), self.to.year());
        }
        format!("{}至{}", self.from.chinese(), self.to.chinese())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_the_forms_offices_type() {
        for t in [
            "2023-03-05",
            "2023/3/5",
            "2023.3.5",
            "2023年3月5日",
            " 2023-3-05 ",
        ] {
            assert_eq!(Day::parse("d", t).unwrap().text(), "2023-03-05", "{t}");
        }
        assert!(Day::parse("d", "2023-02-30").is_err());
        assert!(Day::parse("d", "三月五日").is_err());
        assert!(Day::parse("d", "").is_err());
        assert!(Day::parse("d", "1800-01-01").is_err());
        assert_eq!(Day::parse("held_on", "x").unwrap_err().field, "held_on");
    }

    #[test]
    fn periods_are_ordered_and_bounded() {
        let p = Period::parse(Some("2023-01-01"), Some("2023-12-31")).unwrap();
        assert_eq!(p.label(), "2023年");
        assert!(p.contains(Day::parse("d", "2023-07-01").unwrap()));
        assert!(!p.contains(Day::parse("d", "2024-01-01").unwrap()));
        assert_eq!(
            Period::parse(Some("2023-12-31"), Some("2023-01-01"))
                .unwrap_err()
                .field,
            "to"
        );
        assert!(Period::parse(Some("2000-01-01"), Some("2023-01-01")).is_err());
        assert_eq!(p.previous_year().from.text(), "2022-01-01");
        let h = Period::parse(Some("2023-01-01"), Some("2023-06-30")).unwrap();
        assert_eq!(h.label(), "2023年1月1日至2023年6月30日");
    }

    #[test]
    fn month_end_and_quarter() {
        let d = Day::parse("d", "2024-02-10").unwrap();
        assert_eq!(d.month_end().text(), "2024-02-29");
        assert_eq!(d.quarter(), 1);
        assert_eq!(
            Day::parse("d", "2023-12-05").unwrap().month_end().text(),
            "2023-12-31"
        );
    }
}
