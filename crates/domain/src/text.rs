//! Free-text fields of the ledgers: trimmed, bounded, without control characters (other than
//! line breaks and tabs in long texts), so that what is stored prints cleanly in a report.

use crate::Invalid;

/// A text that must be filled in: trimmed, at most `max` characters.
pub fn required(
    field: &'static str,
    label: &str,
    text: &str,
    max: usize,
) -> Result<String, Invalid> {
    let t = optional(field, label, text, max)?;
    if t.is_empty() {
        return Err(Invalid::new(field, format!("请填写{label}")));
    }
    Ok(t)
}

/// A text that may be empty: trimmed, at most `max` characters.
pub fn optional(
    field: &'static str,
    label: &str,
    text: &str,
    max: usize,
) -> Result<String, Invalid> {
    let t = text.trim();
    if t.chars().count() > max {
        return Err(Invalid::new(field, format!("{label}不能超过{max}个字")));
    }
    if t.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Invalid::new(field, format!("{label}不能包含控制字符")));
    }
    Ok(t.to_string())
}

/// A one-line text (a name, a title, a place): like [`optional`] but without line breaks.
pub fn line(field: &'static str, label: &str, text: &str, max: usize) -> Result<String, Invalid> {
    let t = optional(field, label, text, max)?;
    if t.contains(['\n', '\r', '\t']) {
        return Err(Invalid::new(field, format!("{label}应为一行文字")));
    }
    Ok(t)
}

/// A count such as 人次 or 篇数: a whole number from 0 to `max`.
pub fn count(field: &'static str, label: &str, value: i64, max: i64) -> Result<i64, Invalid> {
    if !(0..=max).contains(&value) {
        return Err(Invalid::new(
            field,
            format!("{label}应为0至{max}之间的整数"),
        ));
    }
    Ok(value)
}

/// Parses a count typed into a form; empty means "not given".
pub fn parse_count(
    field: &'static str,
    label: &str,
    text: &str,
    max: i64,
) -> Result<Option<i64>, Invalid> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let v: i64 = t
        .parse()
        .map_err(|_| Invalid::new(field, format!("{label}应为整数")))?;
    count(field, label, v, max).map(Some)
}

/// Parses hours (学时), which may have one decimal place; empty means "not given".
pub fn parse_hours(field: &'static str, label: &str, text: &str) -> Result<Option<f64>, Invalid> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let v: f64 = t
        .parse()
        .map_err(|_| Invalid::new(field, format!("{label}应为数字")))?;
    check_hours(field, label, v).map(Some)
}

pub fn check_hours(field: &'static str, label: &str, v: f64) -> Result<f64, Invalid> {
    if !v.is_finite() || !(0.0..=100_000.0).contains(&v) {
        return Err(Invalid::new(
            field,
            format!("{label}应为0至100000之间的数字"),
        ));
    }
    Ok((v * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_bounded_and_clean() {
        assert_eq!(required("t", "标题", "  会议 ", 10).unwrap(), "会议");
        assert_eq!(
            required("t", "标题", "  ", 10).unwrap_err().message,
            "请填写标题"
        );
        assert!(optional("t", "内容", &"字".repeat(11), 10).is_err());
        assert!(optional("t", "内容", "a\u{0}b", 10).is_err());
        assert!(optional("t", "内容", "第一行\n第二行", 10).is_ok());
        assert!(line("t", "地点", "会议室\n二楼", 10).is_err());
    }

    #[test]
    fn counts_and_hours() {
        assert_eq!(parse_count("n", "人次", " 12 ", 1000).unwrap(), Some(12));
        assert_eq!(parse_count("n", "人次", "", 1000).unwrap(), None);
        assert!(parse_count("n", "人次", "-1", 1000).is_err());
        assert!(parse_count("n", "人次", "1.5", 1000).is_err());
        assert_eq!(parse_hours("h", "学时", "2.25").unwrap(), Some(2.3));
        assert!(parse_hours("h", "学时", "NaN").is_err());
    }
}
