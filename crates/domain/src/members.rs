//! The member roster (党员名册): enough for attendance and for "35岁以下" style figures.
//! Development stages (发展党员流程) and dues (党费) will refer to a member's id.

use crate::date::Day;
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

/// A member's roster entry as typed, converted; [`MemberValues::check`] validates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberValues {
    pub name: String,
    /// '' | 男 | 女
    pub gender: String,
    pub birth_date: Option<Day>,
    /// 入党日期 (became a probationary member).
    pub joined_on: Option<Day>,
    /// 转正日期
    pub full_on: Option<Day>,
    pub status: MemberStatus,
    pub education: String,
    pub post: String,
    pub phone: String,
}

impl MemberValues {
    /// Trims and bounds the texts; the dates must be in order (born, joined, made full) and
    /// not after `today`; a probationary member has no 转正日期 yet.
    pub fn check(self, today: Day) -> Result<MemberValues, Invalid> {
        use crate::text;
        let name = text::required("name", "姓名", &self.name, 30)?;
        let name = text::line("name", "姓名", &name, 30)?;
        let gender = parse_gender(&self.gender)?;
        let education = text::line("education", "学历", &self.education, 30)?;
        let post = text::line("post", "职务", &self.post, 50)?;
        let phone = parse_phone(&self.phone)?;
        for (field, label, d) in [
            ("birth_date", "出生日期", self.birth_date),
            ("joined_on", "入党日期", self.joined_on),
            ("full_on", "转正日期", self.full_on),
        ] {
            if d.is_some_and(|d| d > today) {
                return Err(Invalid::new(field, format!("{label}不能晚于今天")));
            }
        }
        if let (Some(b), Some(j)) = (self.birth_date, self.joined_on) {
            if j <= b {
                return Err(Invalid::new("joined_on", "入党日期应晚于出生日期"));
            }
        }
        if let (Some(j), Some(f)) = (self.joined_on, self.full_on) {
            if f < j {
                return Err(Invalid::new("full_on", "转正日期不能早于入党日期"));
            }
        }
        if self.status == MemberStatus::Probationary && self.full_on.is_some() {
            return Err(Invalid::new(
                "full_on",
                "预备党员尚未转正，请清空转正日期或把状态改为正式党员",
            ));
        }
        Ok(MemberValues {
            name,
            gender,
            birth_date: self.birth_date,
            joined_on: self.joined_on,
            full_on: self.full_on,
            status: self.status,
            education,
            post,
            phone,
        })
    }
}

/// A telephone number: digits with optional `+`, `-` and spaces, at most 20 characters.
pub fn parse_phone(text: &str) -> Result<String, Invalid> {
    let t = text.trim();
    if t.chars().count() > 20
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' '))
    {
        return Err(Invalid::new(
            "phone",
            "联系电话只能包含数字、空格、“+”和“-”，不超过20位",
        ));
    }
    Ok(t.to_string())
}

/// Whole years of age on `on`.
pub fn age_on(birth: Day, on: Day) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
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

    fn member() -> MemberValues {
        let d = |t| Day::parse("d", t).unwrap();
        MemberValues {
            name: " 张三 ".into(),
            gender: "男".into(),
            birth_date: Some(d("1990-05-01")),
            joined_on: Some(d("2015-07-01")),
            full_on: Some(d("2016-07-01")),
            status: MemberStatus::Full,
            education: "本科".into(),
            post: String::new(),
            phone: "138-0000 0000".into(),
        }
    }

    #[test]
    fn member_values_are_checked() {
        let today = Day::parse("d", "2024-01-01").unwrap();
        assert_eq!(member().check(today).unwrap().name, "张三");
        let mut m = member();
        m.joined_on = Some(Day::parse("d", "1989-01-01").unwrap());
        assert_eq!(m.check(today).unwrap_err().field, "joined_on");
        let mut m = member();
        m.status = MemberStatus::Probationary;
        assert_eq!(m.check(today).unwrap_err().field, "full_on");
        let mut m = member();
        m.phone = "call me".into();
        assert_eq!(m.check(today).unwrap_err().field, "phone");
        let mut m = member();
        m.birth_date = Some(Day::parse("d", "2030-01-01").unwrap());
        assert_eq!(m.check(today).unwrap_err().field, "birth_date");
        let mut m = member();
        m.name = String::new();
        assert_eq!(m.check(today).unwrap_err().field, "name");
        let d = |t| Day::parse("d", t).unwrap();
        assert_eq!(age_on(d("1990-05-01"), d("2024-04-30")), 33);
        assert_eq!(age_on(d("1990-05-01"), d("2024-05-01")), 34);
    }
}
