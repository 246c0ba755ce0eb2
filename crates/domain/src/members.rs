//! The member roster (党员名册): enough for attendance and for "35岁以下" style figures.
//! Development stages (发展党员流程) and dues (党费) will refer to a member's id.

use crate::Invalid;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// 正式党员
    Full,
    /// 预备党员
    Probationary,
    /// 已转出
    TransferredOut,
    /// 已去世
    Deceased,
}

impl MemberStatus {
    pub const ALL: [MemberStatus; 4] = [
        MemberStatus::Full,
        MemberStatus::Probationary,
        MemberStatus::TransferredOut,
        MemberStatus::Deceased,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MemberStatus::Full => "full",
            MemberStatus::Probationary => "probationary",
            MemberStatus::TransferredOut => "transferred_out",
            MemberStatus::Deceased => "deceased",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MemberStatus::Full => "正式党员",
            MemberStatus::Probationary => "预备党员",
            MemberStatus::TransferredOut => "已转出",
            MemberStatus::Deceased => "已去世",
        }
    }

    /// On the roster (counted, expected at meetings).
    pub fn on_roster(self) -> bool {
        matches!(self, MemberStatus::Full | MemberStatus::Probationary)
    }

    pub fn parse(text: &str) -> Result<MemberStatus, Invalid> {
        let t = text.trim();
        MemberStatus::ALL
            .into_iter()
            .find(|s| s.code() == t || s.label() == t)
            .ok_or_else(|| Invalid::new("status", "党员状态应为正式党员、预备党员、已转出或已去世"))
    }
}

pub fn parse_gender(text: &str) -> Result<String, Invalid> {
    match text.trim() {
        "" => Ok(String::new()),
        "男" | "male" | "m" => Ok("男".into()),
        "女" | "female" | "f" => Ok("女".into()),
        _ => Err(Invalid::new("gender", "性别应为男或女")),
    }
}

/// Whether someone born on `birth` was under 35 on `on` (both `YYYY-MM-DD`). The metric
/// layer computes the same in SQL as `birth + 35 years > on`.
pub fn under_35_on(birth: crate::date::Day, on: crate::date::Day) -> bool {
    let b = birth.year() as i64 * 10000 + birth.month() as i64 * 100 + birth.day() as i64;
    let o = on.year() as i64 * 10000 + on.month() as i64 * 100 + on.day() as i64;
    b + 350000 > o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Day;

    #[test]
    fn under_35_is_by_the_day() {
        let d = |t| Day::parse("d", t).unwrap();
        assert!(under_35_on(d("1988-06-02"), d("2023-06-01")));
        assert!(!under_35_on(d("1988-06-01"), d("2023-06-01")));
        assert_eq!(
            MemberStatus::parse("预备党员").unwrap(),
            MemberStatus::Probationary
        );
        assert_eq!(parse_gender("女").unwrap(), "女");
        assert!(parse_gender("x").is_err());
    }
}
