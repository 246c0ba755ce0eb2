//! Figures in a paragraph: Arabic numbers with their unit (量词, measure word), marked when
//! they are approximate (余/多/约), dates, ages or ordinals rather than counts.

use std::sync::LazyLock;

use super::text::{self, digit, is_sentence_end, Patterns};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A count or amount with a measure word (or none).
    Count,
    /// A percentage.
    Percent,
    /// A year, month or day.
    Date,
    /// An age (岁).
    Age,
    /// 第N…, or a number glued to Latin letters (G20, 1＋N).
    Other,
}

#[derive(Debug, Clone)]
pub struct Num {
    /// First character of the number.
    pub start: usize,
    /// Just after the unit (or the number when there is none).
    pub end: usize,
    pub value: f64,
    /// Digits after the decimal point.
    pub decimals: u32,
    /// 余, 多, 约, 近, 左右 …: the writer did not mean the exact value.
    pub approx: bool,
    pub kind: Kind,
    /// The measure word, "" when none; "%" for percentages.
    pub unit: &'static str,
    /// Index of the sentence in the paragraph (sentences end at 。；！？).
    pub sentence: usize,
}

impl Num {
    pub fn is_count(&self) -> bool {
        self.kind == Kind::Count
    }

    /// A whole, exact count.
    pub fn is_exact_count(&self) -> bool {
        self.kind == Kind::Count && !self.approx && self.decimals == 0
    }

    /// Two counts of the same sort of thing (人 and 名 both count people).
    pub fn same_class(&self, other: &Num) -> bool {
        unit_class(self.unit) == unit_class(other.unit)
    }
}

/// Measure words, longest first so that 人次 wins over 人.
const UNITS: &[&str] = &[
    "人次",
    "学时",
    "课时",
    "场次",
    "批次",
    "户次",
    "家次",
    "个百分点",
    "余人次",
    "万元",
    "亿元",
    "元",
    "人",
    "名",
    "位",
    "个",
    "项",
    "件",
    "条",
    "处",
    "起",
    "次",
    "场",
    "轮",
    "期",
    "篇",
    "部",
    "份",
    "册",
    "本",
    "首",
    "幅",
    "张",
    "家",
    "户",
    "所",
    "座",
    "支",
    "队",
    "村",
    "组",
    "批",
    "类",
    "类次",
    "天",
    "小时",
    "分钟",
    "周",
    "届",
    "年",
    "月",
    "日",
    "号",
    "岁",
    "万",
    "亿",
    "千",
    "余",
];

static UNIT_PATTERNS: LazyLock<Patterns> = LazyLock::new(|| Patterns::new(UNITS));

/// Units that count the same kind of thing share a class.
fn unit_class(u: &str) -> &str {
    match u {
        "人" | "名" | "位" => "人",
        "个" | "项" | "件" | "条" | "处" | "起" => "个",
        "次" | "场" | "轮" | "场次" => "次",
        other => other,
    }
}

/// Scan a paragraph for figures.
pub fn scan(cs: &[char]) -> Vec<Num> {
    let mut out = Vec::new();
    let mut sentence = 0usize;
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if is_sentence_end(c) {
            sentence += 1;
            i += 1;
            continue;
        }
        let Some(d0) = digit(c) else {
            i += 1;
            continue;
        };
        let start = i;
        let glued = i > 0 && (cs[i - 1].is_ascii_alphabetic() || matches!(cs[i - 1], '＋' | '+'));
        let mut value = d0 as f64;
        i += 1;
        let mut ndigits = 1;
        loop {
            match cs.get(i).copied().and_then(digit) {
                Some(d) => {
                    value = value * 10.0 + d as f64;
                    ndigits += 1;
                    i += 1;
                }
                // 1,200: a thousands separator between digit groups.
                None if cs.get(i) == Some(&',')
                    && (1..=3).all(|k| cs.get(i + k).and_then(|c| digit(*c)).is_some())
                    && cs.get(i + 4).and_then(|c| digit(*c)).is_none() =>
                {
                    i += 1;
                }
                None => break,
            }
        }
        let mut decimals = 0u32;
        if matches!(cs.get(i), Some('.' | '．')) && cs.get(i + 1).and_then(|c| digit(*c)).is_some()
        {
            i += 1;
            let mut scale = 0.1;
            while let Some(d) = cs.get(i).copied().and_then(digit) {
                value += d as f64 * scale;
                scale /= 10.0;
                decimals += 1;
                i += 1;
            }
        }
        let num_end = i;
        let mut approx = text::ends_with(cs, start, "约")
            || text::ends_with(cs, start, "近")
            || text::ends_with(cs, start, "逾")
            || text::ends_with(cs, start, "超过")
            || text::ends_with(cs, start, "大约");
        let mut kind = Kind::Count;
        let mut unit: &'static str = "";
        if matches!(cs.get(i), Some('%' | '％')) {
            kind = Kind::Percent;
            unit = "%";
            i += 1;
        } else {
            if matches!(cs.get(i), Some('余' | '多')) && cs.get(i + 1) != Some(&'元') {
                approx = true;
                i += 1;
            }
            if matches!(cs.get(i), Some('万' | '亿')) {
                value *= if cs[i] == '万' { 1e4 } else { 1e8 };
                i += 1;
                if cs.get(i) == Some(&'余') {
                    approx = true;
                    i += 1;
                }
            }
            if let Some((idx, len)) = UNIT_PATTERNS.at(cs, i) {
                unit = UNITS[idx];
                i += len;
            }
            match unit {
                "年" if ndigits == 4 && decimals == 0 => kind = Kind::Date,
                "月" | "日" | "号" => kind = Kind::Date,
                "岁" => kind = Kind::Age,
                _ => {}
            }
            if ndigits == 4 && (1900.0..2200.0).contains(&value) && cs.get(num_end) == Some(&'年')
            {
                kind = Kind::Date;
            }
        }
        if text::starts_with(cs, i, "左右") || text::starts_with(cs, i, "以上") {
            approx = true;
        }
        if glued || text::ends_with(cs, start, "第") {
            kind = Kind::Other;
        }
        out.push(Num {
            start,
            end: i,
            value,
            decimals,
            approx,
            kind,
            unit,
            sentence,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_s(s: &str) -> Vec<Num> {
        scan(&s.chars().collect::<Vec<_>>())
    }

    #[test]
    fn figures_with_units() {
        let n = scan_s("培训人次达210人次，共24期，1200余人次，完成率93.3％；2023年，第3次，35岁以下，1,200个，3.5万元");
        let got: Vec<(f64, &str, Kind, bool, usize)> = n
            .iter()
            .map(|n| (n.value, n.unit, n.kind, n.approx, n.sentence))
            .collect();
        assert_eq!(
            got,
            [
                (210.0, "人次", Kind::Count, false, 0),
                (24.0, "期", Kind::Count, false, 0),
                (1200.0, "人次", Kind::Count, true, 0),
                (93.3, "%", Kind::Percent, false, 0),
                (2023.0, "年", Kind::Date, false, 1),
                (3.0, "次", Kind::Other, false, 1),
                (35.0, "岁", Kind::Age, false, 1),
                (1200.0, "个", Kind::Count, false, 1),
                (35000.0, "元", Kind::Count, false, 1),
            ]
        );
        assert_eq!(n[3].decimals, 1);
    }

    #[test]
    fn glued_numbers_are_not_counts() {
        let n = scan_s("“N＋1”清单，G20");
        assert!(n.iter().all(|n| n.kind == Kind::Other));
    }
}
