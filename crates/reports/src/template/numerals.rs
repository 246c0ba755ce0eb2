//! Chinese numerals (中文数字) and the printed forms of figures.

use zeren_domain::metrics::{format_value, percentage};

const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// A whole number in Chinese numerals as reports write section and sequence numbers:
/// 1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 101 → 一百零一, 1010 → 一千零一十. Numbers of
/// 10,000 and more, which no section count reaches, stay in Arabic digits.
pub fn chinese_numeral(n: i64) -> String {
    if n < 0 {
        return format!("负{}", chinese_numeral(n.saturating_neg()));
    }
    if n >= 10_000 {
        return n.to_string();
    }
    if n < 10 {
        return DIGITS[n as usize].to_string();
    }
    let places = [(1000, '千'), (100, '百'), (10, '十'), (1, ' ')];
    let mut out = String::new();
    let mut zero_pending = false;
    for (unit, name) in places {
        let d = (n / unit % 10) as usize;
        if d == 0 {
            // A zero between non-zero places is read (一百零一); trailing zeros are not.
            zero_pending = !out.is_empty();
            continue;
        }
        if zero_pending {
            out.push('零');
            zero_pending = false;
        }
        // 十一, not 一十一, when the number starts at the tens place.
        if !(unit == 10 && d == 1 && out.is_empty()) {
            out.push(DIGITS[d]);
        }
        if unit > 1 {
            out.push(name);
        }
    }
    out
}

/// A figure rounded down the way reports write "1200余人次": values under 10 as they are,
/// 10–99 down to the ten (87 → 80余), 100 and more down to the two leading digits
/// (1234 → 1200余, 210 → 210). "余" is only added when something was cut off, so an exact
/// 1000 stays "1000". Fractions (rates) are printed as they are.
pub fn approximate(value: f64) -> String {
    if !value.is_finite() || value < 10.0 || (value - value.round()).abs() > 1e-9 {
        return format_value(Some(value));
    }
    let v = value.round() as i64;
    let digits = v.to_string().len() as u32;
    let keep = if digits <= 2 { 1 } else { 2 };
    let step = 10i64.pow(digits - keep);
    let rounded = v / step * step;
    if rounded == v {
        v.to_string()
    } else {
        format!("{rounded}余")
    }
}

/// A metric's value as printed: whole numbers without decimals, others with one, and a "%"
/// after rates (metrics whose unit is "%").
pub fn figure_text(value: f64, unit: &str) -> String {
    let mut s = format_value(Some(value));
    if unit == "%" {
        s.push('%');
    }
    s
}

/// How a year-on-year phrase is worded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// 较上年增加3次 / 较上年减少2次 (rates: 提高/下降N个百分点).
    Difference,
    /// 较上年增长12.5% / 较上年下降12.5% (falls back to the difference when last year was 0).
    Growth,
}

/// The year-on-year phrase for a metric: "较上年增加3次", "较上年增长12.5%",
/// "较上年提高2.5个百分点" (rates), "与上年持平".
pub fn change_phrase(current: f64, previous: f64, unit: &str, how: Change) -> String {
    let diff = current - previous;
    if diff.abs() < 1e-9 {
        return "与上年持平".into();
    }
    let up = diff > 0.0;
    if unit == "%" {
        // A change of a rate is in percentage points; a growth rate of a rate means nothing.
        let verb = if up { "提高" } else { "下降" };
        return format!(
            "较上年{verb}{}个百分点",
            format_value(Some((diff.abs() * 10.0).round() / 10.0))
        );
    }
    if how == Change::Growth && previous > 0.0 {
        if let Some(p) = percentage(diff.abs(), previous).filter(|p| *p > 0.0) {
            let verb = if up { "增长" } else { "下降" };
            return format!("较上年{verb}{}%", format_value(Some(p)));
        }
    }
    let verb = if up { "增加" } else { "减少" };
    format!("较上年{verb}{}{unit}", format_value(Some(diff.abs())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals() {
        let cases = [
            (0, "零"),
            (1, "一"),
            (9, "九"),
            (10, "十"),
            (11, "十一"),
            (19, "十九"),
            (20, "二十"),
            (21, "二十一"),
            (99, "九十九"),
            (100, "一百"),
            (101, "一百零一"),
            (110, "一百一十"),
            (111, "一百一十一"),
            (1001, "一千零一"),
            (1010, "一千零一十"),
            (1100, "一千一百"),
            (2024, "二千零二十四"),
            (9999, "九千九百九十九"),
            (10_000, "10000"),
            (-3, "负三"),
        ];
        for (n, s) in cases {
            assert_eq!(chinese_numeral(n), s, "{n}");
        }
    }

    #[test]
    fn approximations() {
        let cases = [
            (0.0, "0"),
            (7.0, "7"),
            (10.0, "10"),
            (12.0, "10余"),
            (87.0, "80余"),
            (100.0, "100"),
            (123.0, "120余"),
            (210.0, "210"),
            (1000.0, "1000"),
            (1050.0, "1000余"),
            (1234.0, "1200余"),
            (98765.0, "98000余"),
            (93.3, "93.3"),
        ];
        for (v, s) in cases {
            assert_eq!(approximate(v), s, "{v}");
        }
    }

    #[test]
    fn changes() {
        use Change::*;
        assert_eq!(change_phrase(8.0, 5.0, "次", Difference), "较上年增加3次");
        assert_eq!(change_phrase(3.0, 5.0, "次", Difference), "较上年减少2次");
        assert_eq!(change_phrase(5.0, 5.0, "次", Growth), "与上年持平");
        assert_eq!(change_phrase(9.0, 8.0, "次", Growth), "较上年增长12.5%");
        assert_eq!(change_phrase(6.0, 8.0, "次", Growth), "较上年下降25%");
        assert_eq!(change_phrase(4.0, 0.0, "个", Growth), "较上年增加4个");
        assert_eq!(
            change_phrase(95.8, 93.3, "%", Difference),
            "较上年提高2.5个百分点"
        );
        assert_eq!(
            change_phrase(90.0, 93.3, "%", Growth),
            "较上年下降3.3个百分点"
        );
    }
}
