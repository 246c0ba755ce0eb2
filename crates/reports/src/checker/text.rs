//! Character helpers shared by the rules. Everything works on `&[char]` so that indices are
//! character positions and slicing can never split a UTF-8 sequence.

use std::collections::HashMap;

/// A CJK ideograph (the basic block and the common extensions).
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}' | '\u{3007}')
}

/// Chinese (full-width) punctuation.
pub fn is_cn_punct(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '“'
            | '”'
            | '‘'
            | '’'
            | '（'
            | '）'
            | '《'
            | '》'
            | '【'
            | '】'
            | '「'
            | '」'
            | '『'
            | '』'
            | '…'
            | '—'
            | '〔'
            | '〕'
    )
}

/// Ends a sentence for the purpose of grouping figures and terms.
pub fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '；' | '！' | '？' | ';' | '!' | '?')
}

/// Ends a clause (a sentence end or a comma).
pub fn is_clause_end(c: char) -> bool {
    is_sentence_end(c) || matches!(c, '，' | '：' | ',' | ':')
}

/// Value of a Chinese digit 一…九 (and 〇/零).
pub fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' | '○' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

pub fn is_cn_numeral(c: char) -> bool {
    cn_digit(c).is_some() || matches!(c, '十' | '百' | '两')
}

/// Parse a Chinese number from 一 to 九十九 at the start of `cs`: (value, length).
pub fn parse_cn_int(cs: &[char]) -> Option<(u32, usize)> {
    let d0 = cs.first().copied()?;
    if d0 == '十' {
        return match cs.get(1).copied().and_then(cn_digit) {
            Some(d) if d > 0 => Some((10 + d, 2)),
            _ => Some((10, 1)),
        };
    }
    let d = cn_digit(d0).filter(|d| *d > 0)?;
    if cs.get(1) == Some(&'十') {
        return match cs.get(2).copied().and_then(cn_digit) {
            Some(u) if u > 0 => Some((d * 10 + u, 3)),
            _ => Some((d * 10, 2)),
        };
    }
    Some((d, 1))
}

/// 1 → 一, 14 → 十四, 20 → 二十 (up to 99).
pub fn cn_numeral(n: u32) -> String {
    const D: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let n = n.min(99) as usize;
    let mut s = String::new();
    if n >= 10 {
        if n >= 20 {
            s.push(D[n / 10]);
        }
        s.push('十');
        if !n.is_multiple_of(10) {
            s.push(D[n % 10]);
        }
    } else {
        s.push(D[n]);
    }
    s
}

/// An ASCII or full-width digit's value.
pub fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// Does `cs[i..]` start with `pat`?
pub fn starts_with(cs: &[char], i: usize, pat: &str) -> bool {
    (i..).zip(pat.chars()).all(|(k, p)| cs.get(k) == Some(&p))
}

/// Does `cs[..i]` end with `pat`?
pub fn ends_with(cs: &[char], i: usize, pat: &str) -> bool {
    let n = pat.chars().count();
    i >= n && starts_with(cs, i - n, pat)
}

/// Is any of `pats` found in `cs[from..to]`?
pub fn contains_any(cs: &[char], from: usize, to: usize, pats: &[&str]) -> bool {
    let to = to.min(cs.len());
    (from..to).any(|i| pats.iter().any(|p| starts_with(cs, i, p)))
}

/// Start of the sentence containing `i` (after the previous 。；！？).
pub fn sentence_start(cs: &[char], i: usize) -> usize {
    let i = i.min(cs.len());
    cs[..i]
        .iter()
        .rposition(|&c| is_sentence_end(c))
        .map_or(0, |p| p + 1)
}

/// End (exclusive, including the closing mark) of the sentence containing `i`.
pub fn sentence_end(cs: &[char], i: usize) -> usize {
    cs[i.min(cs.len())..]
        .iter()
        .position(|&c| is_sentence_end(c))
        .map_or(cs.len(), |p| i + p + 1)
}

/// Where a paragraph's content starts: after blanks, web residue markers (`##paidbegin##`)
/// and Markdown emphasis marks, so that "##paidbegin##三是…" is still seen as "三是…".
pub fn lead(cs: &[char]) -> usize {
    let mut i = 0;
    loop {
        let start = i;
        while i < cs.len() && (cs[i].is_whitespace() || matches!(cs[i], '*' | '_' | '\u{feff}')) {
            i += 1;
        }
        if let Some(len) = residue_marker_len(cs, i) {
            i += len;
        }
        if i == start {
            return i;
        }
    }
}

/// Length of a `##word##` residue marker starting at `i`.
pub fn residue_marker_len(cs: &[char], i: usize) -> Option<usize> {
    if !(cs.get(i) == Some(&'#') && cs.get(i + 1) == Some(&'#')) {
        return None;
    }
    let mut k = i + 2;
    while k < cs.len() && k - i < 40 && (cs[k].is_ascii_alphanumeric() || cs[k] == '_') {
        k += 1;
    }
    (k > i + 2 && cs.get(k) == Some(&'#') && cs.get(k + 1) == Some(&'#')).then_some(k + 2 - i)
}

/// Terminal display width: 2 for wide (CJK, full-width) characters.
pub fn display_width(c: char) -> usize {
    let wide = matches!(c,
        '\u{1100}'..='\u{115F}' | '\u{2E80}'..='\u{303E}' | '\u{3041}'..='\u{33FF}'
        | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{A000}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}' | '\u{F900}'..='\u{FAFF}' | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}' | '\u{FFE0}'..='\u{FFE6}' | '\u{1F300}'..='\u{1F64F}'
        | '\u{20000}'..='\u{3FFFD}');
    if wide {
        2
    } else if c.is_control() {
        0
    } else {
        1
    }
}

/// A set of literal patterns matched at a position, longest first. A bitmap of first
/// characters makes the common case (no pattern starts here) one lookup.
pub struct Patterns {
    first: Box<[u64; 1024]>,
    by_first: HashMap<char, Vec<(Vec<char>, usize)>>,
}

impl Patterns {
    pub fn new<S: AsRef<str>>(pats: &[S]) -> Self {
        let mut first = Box::new([0u64; 1024]);
        let mut by_first: HashMap<char, Vec<(Vec<char>, usize)>> = HashMap::new();
        for (idx, p) in pats.iter().enumerate() {
            let cs: Vec<char> = p.as_ref().chars().collect();
            let Some(&c) = cs.first() else { continue };
            let u = c as u32;
            if u < 65536 {
                first[(u >> 6) as usize] |= 1 << (u & 63);
            }
            by_first.entry(c).or_default().push((cs, idx));
        }
        for v in by_first.values_mut() {
            v.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
        }
        Patterns { first, by_first }
    }

    /// Could a pattern start with `c`?
    #[inline]
    pub fn may_start(&self, c: char) -> bool {
        let u = c as u32;
        if u < 65536 {
            self.first[(u >> 6) as usize] & (1 << (u & 63)) != 0
        } else {
            self.by_first.contains_key(&c)
        }
    }

    /// The longest pattern at `cs[i..]`: (pattern index, length in chars).
    #[inline]
    pub fn at(&self, cs: &[char], i: usize) -> Option<(usize, usize)> {
        let c = *cs.get(i)?;
        if !self.may_start(c) {
            return None;
        }
        self.by_first.get(&c)?.iter().find_map(|(p, idx)| {
            (cs.len() - i >= p.len() && cs[i..i + p.len()] == p[..]).then_some((*idx, p.len()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cs(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn chinese_numbers() {
        assert_eq!(parse_cn_int(&cs("一、")), Some((1, 1)));
        assert_eq!(parse_cn_int(&cs("十、")), Some((10, 1)));
        assert_eq!(parse_cn_int(&cs("十二是")), Some((12, 2)));
        assert_eq!(parse_cn_int(&cs("二十、")), Some((20, 2)));
        assert_eq!(parse_cn_int(&cs("二十三")), Some((23, 3)));
        assert_eq!(parse_cn_int(&cs("〇")), None);
        for n in 1..100 {
            assert_eq!(parse_cn_int(&cs(&cn_numeral(n))).map(|v| v.0), Some(n));
        }
    }

    #[test]
    fn lead_skips_residue() {
        assert_eq!(lead(&cs("##paidbegin##三是")), 13);
        assert_eq!(lead(&cs("  **一、")), 4);
        assert_eq!(lead(&cs("##")), 0);
    }

    #[test]
    fn patterns_longest_first() {
        let p = Patterns::new(&["阅读", "阅读全部", "VIP"]);
        assert_eq!(p.at(&cs("请阅读全部"), 1), Some((1, 4)));
        assert_eq!(p.at(&cs("阅读"), 0), Some((0, 2)));
        assert_eq!(p.at(&cs("阅"), 0), None);
    }
}
