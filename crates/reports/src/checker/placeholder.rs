//! Rule `placeholder`: slots of a template or last year's report left unfilled.
//!
//! Sub-ids: `placeholder.x` (X / XX / x / ×× / ○○ standing for a name or number),
//! `placeholder.term` (a placeholder inside a fixed term: "X四五" for 十四五),
//! `placeholder.mou` (某某 for a name), `placeholder.howmany` (多少 for a number),
//! `placeholder.what` (什么 in a slot: "被表彰为什么"), `placeholder.ellipsis` (…… for omitted
//! content), `placeholder.slot` (an empty slot left by a deleted name: "赋予、的", "（）"),
//! `placeholder.bracket` (an instruction in brackets: "【填写】", "（此处填写…）"),
//! `placeholder.name` (a unit's name deleted before 镇/乡/村: "2023年度镇落实…的报告").

use super::text::{self, is_cjk, is_cn_numeral};
use super::{time, Ctx, Finding, Severity};

const RULE_X: &str = "placeholder.x";

pub fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (p, para) in ctx.paras.iter().enumerate() {
        let cs = &para.chars;
        let mut quote_depth = 0i32;
        let mut bracket_depth = 0i32;
        let mut i = 0;
        while i < cs.len() {
            let c = cs[i];
            match c {
                '“' | '「' | '『' | '《' => quote_depth += 1,
                '”' | '」' | '』' | '》' => quote_depth -= 1,
                '（' | '(' | '【' | '〔' | '[' => {
                    bracket(ctx, p, i, out);
                    bracket_depth += 1;
                }
                '）' | ')' | '】' | '〕' | ']' => bracket_depth -= 1,
                _ => {}
            }
            let next = match c {
                'X' | 'x' | 'Ｘ' | 'ｘ' | '×' | '○' | '〇' | '□' => x_run(ctx, p, i, out),
                '某' => mou(ctx, p, i, out),
                '多' => how_many(ctx, p, i, out),
                '什' => what(ctx, p, i, out),
                '镇' | '乡' | '村' | '县' | '区' => unit_name(ctx, p, i, out),
                '…' | '.' | '。' | '·' => {
                    ellipsis(ctx, p, i, quote_depth > 0 || bracket_depth > 0, out)
                }
                '、' => {
                    slot(ctx, p, i, out);
                    i + 1
                }
                _ => i + 1,
            };
            i = next.max(i + 1);
        }
        empty_pairs(ctx, p, out);
    }
}

fn is_x(c: char) -> bool {
    matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ' | '×')
}

fn is_box(c: char) -> bool {
    matches!(c, '○' | '〇' | '□')
}

/// Previous character, looking past one space.
fn prev_ns(cs: &[char], i: usize) -> Option<char> {
    match i.checked_sub(1).map(|k| cs[k]) {
        Some(' ') => i.checked_sub(2).map(|k| cs[k]),
        c => c,
    }
}

/// Next character at or after `j`, looking past one space.
fn next_ns(cs: &[char], j: usize) -> Option<char> {
    match cs.get(j) {
        Some(' ') => cs.get(j + 1).copied(),
        c => c.copied(),
    }
}

fn x_run(ctx: &Ctx, p: usize, i: usize, out: &mut Vec<Finding>) -> usize {
    let cs = &ctx.paras[p].chars;
    let boxes = is_box(cs[i]);
    let mut j = i;
    while j < cs.len() && if boxes { is_box(cs[j]) } else { is_x(cs[j]) } {
        j += 1;
    }
    let len = j - i;
    let (prev, next) = (prev_ns(cs, i), next_ns(cs, j));
    // Inside a Latin word (XXL, Windows x64, iPhone X) it is not a slot.
    if prev.is_some_and(|c| c.is_ascii_alphabetic())
        || next.is_some_and(|c| c.is_ascii_alphabetic())
    {
        return j;
    }
    // “1+X”证书制度: a formula, not a slot.
    if len == 1 && prev.is_some_and(|c| matches!(c, '+' | '＋')) {
        return j;
    }
    // 3×4, 3 x 4: multiplication.
    if len == 1
        && prev.is_some_and(|c| c.is_ascii_digit())
        && next.is_some_and(|c| c.is_ascii_digit())
    {
        return j;
    }
    let near_cjk = prev.is_some_and(is_cjk) || next.is_some_and(is_cjk) || prev == Some('《');
    if !near_cjk {
        return j;
    }
    if boxes {
        // 二〇二三年, 二○○八: digits, not slots; a lone ○ or □ is a bullet.
        if len < 2 || prev.is_some_and(is_cn_numeral) || next.is_some_and(is_cn_numeral) {
            return j;
        }
    } else if len == 1 {
        // X光, X线, X轴; X证书 (the vocational skill certificates of the “1+X” system).
        const TERMS: &[&str] = &["光", "射线", "线", "型", "轴", "染色体", "证书"];
        if TERMS.iter().any(|t| text::starts_with(cs, j, t)) {
            return j;
        }
    }
    let run: String = cs[i..j].iter().collect();
    if prev.is_some_and(is_cn_numeral) || next.is_some_and(is_cn_numeral) {
        if let Some(term) = corrupted_term(cs, i, j) {
            out.push(ctx.finding(
                p,
                i.saturating_sub(3).max(term.1),
                (term.2).min(cs.len()),
                "placeholder.term",
                Severity::Error,
                format!("固定用语“{}”中的字被占位符“{run}”替代", term.0),
                format!("改为“{}”", term.0),
            ));
            return j;
        }
    }
    let year = ctx.paras[p].year;
    let suggestion = if cs.get(j) == Some(&'大') && text::ends_with(cs, i, "党的") {
        match year.and_then(time::current_congress) {
            Some(name) => format!("填写党代会届次，按报告年份应为“党的{name}”"),
            None => "填写党代会届次，如“党的二十大”".to_string(),
        }
    } else if next.is_some_and(|c| "乡镇村县区市省局委".contains(c))
        || text::starts_with(cs, j, "党")
    {
        "填写单位的实际名称".to_string()
    } else if next.is_some_and(|c| "次人名个项件条期篇年月日天届".contains(c))
        || prev.is_some_and(|c| c.is_ascii_digit())
    {
        "填写实际数字".to_string()
    } else {
        "填写实际内容，或删去这一处".to_string()
    };
    out.push(ctx.finding(
        p,
        i,
        j,
        RULE_X,
        Severity::Error,
        format!("“{run}”是模板中未填写的占位符"),
        suggestion,
    ));
    j
}

/// If replacing `cs[i..j]` by a Chinese numeral completes a time-bounded fixed term (十四五,
/// 二十大, 十九届六中全会), return (term, start, end) of the corrupted text.
fn corrupted_term(cs: &[char], i: usize, j: usize) -> Option<(String, usize, usize)> {
    let from = i.saturating_sub(4);
    let to = (j + 6).min(cs.len());
    let before: String = cs[from..i].iter().collect();
    let after: String = cs[j..to].iter().collect();
    for r in [
        "十", "二十", "一", "二", "三", "四", "五", "六", "七", "八", "九",
    ] {
        let w = format!("{before}{r}{after}");
        let (rs, re) = (before.len(), before.len() + r.len());
        for name in time::term_names() {
            for (at, _) in w.match_indices(name) {
                let end = at + name.len();
                if at < re && end > rs {
                    // Map byte positions in the window back to characters of the paragraph.
                    let start_c = from + w[..at.min(rs)].chars().count();
                    let tail = end.saturating_sub(re);
                    let end_c = j + w[re..re + tail].chars().count();
                    return Some((name.to_string(), start_c, end_c));
                }
            }
        }
    }
    None
}

/// Common surnames: "张某某" anonymises a person in a case report and is not a slot.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常";

fn mou(ctx: &Ctx, p: usize, i: usize, out: &mut Vec<Finding>) -> usize {
    let cs = &ctx.paras[p].chars;
    if cs.get(i + 1) != Some(&'某') {
        return i + 1;
    }
    let mut j = i + 2;
    if cs.get(j) == Some(&'某') {
        j += 1;
    }
    if i > 0 && SURNAMES.contains(cs[i - 1]) {
        return j;
    }
    out.push(ctx.finding(
        p,
        i,
        j,
        "placeholder.mou",
        Severity::Warning,
        "“某某”疑似模板中未填写的名称",
        "填写实际的单位或人员名称；如确需匿名，写作“张某某”“某村”等形式",
    ));
    j
}

/// "2023年度镇落实…", "2023年，镇坚持…": a bare 镇/乡/村 where the unit's name was deleted.
fn unit_name(ctx: &Ctx, p: usize, i: usize, out: &mut Vec<Finding>) -> usize {
    let cs = &ctx.paras[p].chars;
    let after_date = ["年度", "年，", "年度，", "以来，"]
        .iter()
        .any(|w| text::ends_with(cs, i, w));
    // 镇党委, 乡村振兴, 县域, 村级… are complete words.
    const WORD: &str = "党委政人纪级里域直属内外长村镇民庄街集振土情容貌务两";
    let next = cs.get(i + 1).copied();
    if !after_date || next.is_none_or(|c| !is_cjk(c) || WORD.contains(c)) {
        return i + 1;
    }
    // "2023年，县财政局党组…", "2023年，区人民医院…": a named body of the county or district,
    // not a unit whose name was deleted. The body's name ends within a few characters.
    let name_end = (i + 1..(i + 8).min(cs.len()))
        .find(|&k| !is_cjk(cs[k]))
        .unwrap_or((i + 8).min(cs.len()));
    const BODY: &[&str] = &[
        "妇联",
        "工会",
        "工商联",
        "科协",
        "文联",
        "残联",
        "银行",
        "大队",
        "支队",
        "局",
        "院",
        "厅",
        "站",
        "馆",
        "中心",
        "公司",
        "办公室",
        "学校",
        "中学",
        "小学",
        "集团",
        "委员会",
        "工委",
    ];
    if text::contains_any(cs, i + 1, name_end, BODY) {
        return i + 1;
    }
    out.push(ctx.finding(
        p,
        i,
        i + 1,
        "placeholder.name",
        Severity::Warning,
        format!("“{}”前缺少单位名称，疑似名称被删去", cs[i]),
        format!("在“{}”前补上单位的实际名称", cs[i]),
    ));
    i + 1
}

fn how_many(ctx: &Ctx, p: usize, i: usize, out: &mut Vec<Finding>) -> usize {
    let cs = &ctx.paras[p].chars;
    if cs.get(i + 1) != Some(&'少') {
        return i + 1;
    }
    // 多少 asks a question, or means "somewhat" (多少有些); only before a measure word in a
    // statement does it stand for a missing number.
    const UNITS: &[&str] = &[
        "人次", "学时", "课时", "次", "人", "个", "名", "篇", "条", "期", "项", "件", "场", "户",
        "家", "元", "万", "天", "位", "处", "起", "部", "份",
    ];
    let Some(unit) = UNITS.iter().find(|u| text::starts_with(cs, i + 2, u)) else {
        return i + 2;
    };
    let prev = i.checked_sub(1).map(|k| cs[k]);
    const QUESTION_BEFORE: &str = "有没知道论管是了少多或竟底算问楚计数晓得看说不要需几";
    if prev.is_some_and(|c| QUESTION_BEFORE.contains(c)) {
        return i + 2;
    }
    let end = text::sentence_end(cs, i);
    if cs[i..end].iter().any(|&c| c == '？' || c == '?') || text::starts_with(cs, i + 2, "年") {
        return i + 2;
    }
    if correlative(cs, i, text::sentence_start(cs, i), end) {
        return i + 2;
    }
    let j = i + 2 + unit.chars().count();
    out.push(ctx.finding(
        p,
        i,
        j,
        "placeholder.howmany",
        Severity::Error,
        format!("“多少{unit}”处应是一个数字，疑似模板未填写"),
        "填写实际数字",
    ));
    j
}

/// "有多少户困难群众，就结对帮扶多少户": two 多少 in one sentence with 就/便/才 between them
/// pair up ("as many as"), and neither stands for a missing number.
fn correlative(cs: &[char], i: usize, start: usize, end: usize) -> bool {
    let other =
        (start..end.saturating_sub(1)).find(|&k| k != i && cs[k] == '多' && cs[k + 1] == '少');
    let Some(k) = other else {
        return false;
    };
    let (a, b) = if k < i { (k + 2, i) } else { (i + 2, k) };
    cs[a..b].iter().any(|c| matches!(c, '就' | '便' | '才'))
}

fn what(ctx: &Ctx, p: usize, i: usize, out: &mut Vec<Finding>) -> usize {
    let cs = &ctx.paras[p].chars;
    if cs.get(i + 1) != Some(&'么') {
        return i + 1;
    }
    const SLOT_VERBS: &[&str] = &[
        "评为",
        "表彰为",
        "授予",
        "荣获",
        "获评",
        "命名为",
        "获得",
        "认定为",
        "列为",
    ];
    let is_slot = SLOT_VERBS.iter().any(|v| text::ends_with(cs, i, v));
    let follow = cs.get(i + 2).copied();
    if !is_slot || matches!(follow, Some('？' | '?' | '样')) {
        return i + 2;
    }
    out.push(ctx.finding(
        p,
        i,
        i + 2,
        "placeholder.what",
        Severity::Error,
        "“什么”处应是荣誉或称号的名称，疑似模板未填写",
        "填写实际的荣誉、称号或名称",
    ));
    i + 2
}

fn ellipsis(ctx: &Ctx, p: usize, i: usize, quoted: bool, out: &mut Vec<Finding>) -> usize {
    let cs = &ctx.paras[p].chars;
    let c = cs[i];
    let mut j = i;
    while j < cs.len() && cs[j] == c {
        j += 1;
    }
    let ok_len = match c {
        '…' => j - i >= 1,
        _ => j - i >= 3,
    };
    if !ok_len {
        return j;
    }
    // "1..." or "v1..." in Latin text, or numbered leaders, are not Chinese omissions.
    if c == '.' && i > 0 && cs[i - 1].is_ascii_alphanumeric() {
        return j;
    }
    // Legitimate: inside a quotation or bracket; the "一是……二是……" formula; closing an
    // enumeration ("学习、宣传、贯彻……").
    let formula = text::ends_with(cs, i, "是") && i >= 2 && text::is_cn_numeral(cs[i - 2]);
    let back = i.saturating_sub(12);
    let enumeration = cs[back..i].contains(&'、');
    if quoted || formula || enumeration {
        return j;
    }
    let run: String = cs[i..j].iter().collect();
    out.push(ctx.finding(
        p,
        i,
        j,
        "placeholder.ellipsis",
        Severity::Warning,
        format!("“{run}”处似乎省略了应填写的内容"),
        "补全省略的内容，或删去省略号",
    ));
    j
}

/// A 、 with nothing on one side: a name was deleted and its separator left ("赋予、的").
fn slot(ctx: &Ctx, p: usize, i: usize, out: &mut Vec<Finding>) {
    let cs = &ctx.paras[p].chars;
    let prev = i.checked_sub(1).map(|k| cs[k]);
    let next = cs.get(i + 1).copied();
    // "一、" at the start is a heading; the check is for the middle of a sentence.
    if i <= ctx.paras[p].lead {
        return;
    }
    let empty_before = matches!(
        prev,
        Some('，' | '。' | '；' | '：' | '、' | '（' | '“' | '《')
    );
    let empty_after = matches!(
        next,
        None | Some('的' | '，' | '。' | '；' | '：' | '、' | '）' | '”' | '》')
    );
    if !(empty_before || empty_after) {
        return;
    }
    // "不干预工程项目、" continued on the next line is a paragraph broken by PDF copying, which
    // `residue.linebreak` reports; nothing was deleted.
    let continued = ctx.paras.get(p + 1).is_some_and(|q| {
        q.marker.is_none() && !q.is_title && q.chars.first().is_some_and(|&c| is_cjk(c))
    });
    if next.is_none() && continued {
        return;
    }
    // "一、" "（一）、" "1、" after a clause-ending mark are numbering, not slots.
    if prev.is_some_and(|c| text::is_cn_numeral(c) || c.is_ascii_digit()) {
        return;
    }
    // A run of 、、 is reported once, at its first mark.
    if prev == Some('、') && i >= 2 && !matches!(cs[i - 2], '，' | '。') {
        return;
    }
    let (s, e) = if next == Some('、') {
        (i, i + 2)
    } else if empty_after && !empty_before {
        (i.saturating_sub(2), (i + 2).min(cs.len()))
    } else {
        (i.saturating_sub(1), (i + 2).min(cs.len()))
    };
    out.push(ctx.finding(
        p,
        s,
        e,
        "placeholder.slot",
        Severity::Error,
        "顿号一侧没有内容，疑似删除名称后留下的空位",
        "补上缺少的名称，或删去多余的顿号",
    ));
}

fn empty_pairs(ctx: &Ctx, p: usize, out: &mut Vec<Finding>) {
    let cs = &ctx.paras[p].chars;
    for i in 0..cs.len().saturating_sub(1) {
        let pair = (cs[i], cs[i + 1]);
        if matches!(
            pair,
            ('（', '）') | ('(', ')') | ('“', '”') | ('《', '》') | ('【', '】') | ('「', '」')
        ) {
            out.push(ctx.finding(
                p,
                i,
                i + 2,
                "placeholder.slot",
                Severity::Error,
                "成对的标点中间没有内容，疑似未填写",
                "填写其中的内容，或删去这对标点",
            ));
        }
    }
}

/// An instruction left in brackets: "【填写单位名称】", "（此处填写…）".
fn bracket(ctx: &Ctx, p: usize, i: usize, out: &mut Vec<Finding>) {
    let cs = &ctx.paras[p].chars;
    let close = match cs[i] {
        '（' => '）',
        '(' => ')',
        '【' => '】',
        '〔' => '〕',
        _ => ']',
    };
    let limit = (i + 42).min(cs.len());
    let Some(k) = (i + 1..limit).find(|&k| cs[k] == close) else {
        return;
    };
    const WORDS: &[&str] = &[
        "填写",
        "填报",
        "此处",
        "待补",
        "待定",
        "待填",
        "请填",
        "请根据",
        "根据实际",
        "自行",
        "选填",
        "单位名称",
        "姓名",
        "示例",
        "范例",
        "删除",
        "请输入",
        "请选择",
    ];
    let inner = &cs[i + 1..k];
    let is_instruction = text::contains_any(inner, 0, inner.len(), WORDS)
        || inner == ['略']
        || inner == ['此', '处', '略'];
    if !is_instruction {
        return;
    }
    out.push(ctx.finding(
        p,
        i,
        k + 1,
        "placeholder.bracket",
        Severity::Error,
        "括号中是模板的填写说明，不是报告内容",
        "按说明填写实际内容，并删去括号和说明文字",
    ));
}

#[cfg(test)]
mod tests {
    use crate::checker::{check_text, CheckOptions, Finding};

    fn hits(t: &str) -> Vec<(String, String)> {
        let o = CheckOptions::all();
        check_text(t, &o)
            .into_iter()
            .filter(|f: &Finding| f.rule.starts_with("placeholder"))
            .map(|f| (f.rule, f.text))
            .collect()
    }

    fn one(t: &str, rule: &str, text: &str) {
        assert_eq!(hits(t), [(rule.to_string(), text.to_string())], "{t}");
    }

    fn none(t: &str) {
        assert_eq!(hits(t), [], "{t}");
    }

    #[test]
    fn x_placeholders() {
        one("XX乡党委认真落实主体责任。", "placeholder.x", "XX");
        one("深入学习党的XX大精神。", "placeholder.x", "XX");
        one("全年开展谈话X 次。", "placeholder.x", "X");
        one("开展督查x次。", "placeholder.x", "x");
        one("××镇党委召开会议。", "placeholder.x", "××");
        one("修订《XX乡机关考勤制度》。", "placeholder.x", "XX");
        one("于20XX年完成。", "placeholder.x", "XX");
        one("○○村党支部召开会议。", "placeholder.x", "○○");
    }

    #[test]
    fn x_suggests_current_congress() {
        let fs = check_text("2021年度工作总结\n学习党的XX大精神。", &CheckOptions::all());
        let f = fs.iter().find(|f| f.rule == "placeholder.x").unwrap();
        assert!(f.suggestion.contains("十九大"), "{}", f.suggestion);
    }

    #[test]
    fn x_not_placeholders() {
        none("使用XXL尺码的服装，Windows x64系统。");
        none("面积3×4米，共计3 x 4个。");
        none("为群众免费做X光检查。");
        none("二〇二三年，二○○八年。");
        none("The XX century.");
        none("建立“1＋N”清单。");
        none("推行“1+X”证书制度，学生取得X证书126人。");
        one("取得XX证书126人。", "placeholder.x", "XX");
    }

    #[test]
    fn corrupted_terms() {
        one("科学编制“X四五”规划。", "placeholder.term", "X四五");
        one("学习贯彻党的二X大精神。", "placeholder.term", "二X大");
    }

    #[test]
    fn unit_names() {
        one(
            "2023年度镇落实全面从严治党主体责任情况的报告",
            "placeholder.name",
            "镇",
        );
        one(
            "2023年，乡坚持以习近平新时代中国特色社会主义思想为指导。",
            "placeholder.name",
            "乡",
        );
        none("2023年，镇党委坚持学习。2023年以来，乡村振兴扎实推进。2023年度县域经济。");
        none("在镇落地生根，全镇党员。");
        // A body of the county or district, named after the date.
        none("2023年，县财政局党组坚持以习近平新时代中国特色社会主义思想为指导。");
        none("2024年，区人民医院党委扎实开展党纪学习教育。2023年度县融媒体中心工作总结");
        none("2023年，县妇联党组坚持学习。2023年，村两委班子换届。2023年，县总工会扎实推进。");
        one(
            "2023年，县坚持以习近平新时代中国特色社会主义思想为指导。",
            "placeholder.name",
            "县",
        );
    }

    #[test]
    fn mou() {
        one("某某镇党委召开会议。", "placeholder.mou", "某某");
        none("原村支书张某某违纪一案，某村某干部。");
    }

    #[test]
    fn how_many() {
        one(
            "全年开展谈心谈话多少人次。",
            "placeholder.howmany",
            "多少人次",
        );
        one("召开专题会议多少次，", "placeholder.howmany", "多少次");
        none("到底有多少人参加了学习？");
        none("群众满意度多少有些下降。");
        none("不论多少人，都要参加。");
        none("多少年来，干部群众一心。");
        // "As many as": 多少…就…多少.
        none("村里有多少户困难群众，党员就结对帮扶多少户。");
        none("查出多少个问题就整改多少个问题。");
        // Two slots in one sentence without 就 are still two slots.
        assert_eq!(hits("召开会议多少次，研究议题多少个。").len(), 2);
    }

    #[test]
    fn what() {
        one("该村党支部被表彰为什么。", "placeholder.what", "什么");
        one("荣获什么称号。", "placeholder.what", "什么");
        none("为什么要开展主题教育？学什么、怎么学，要想清楚。");
    }

    #[test]
    fn ellipsis() {
        one("组织开展了……等活动", "placeholder.ellipsis", "……");
        one("组织开展了……", "placeholder.ellipsis", "……");
        one("主要做法是...", "placeholder.ellipsis", "...");
        none("他说：“我们要……坚持到底。”");
        none("主要是：一是……二是……三是……。");
        none("学习、宣传、贯彻……。");
        none("版本v1...发布");
    }

    #[test]
    fn slots() {
        one("赋予、的职责", "placeholder.slot", "赋予、的");
        one("市委、、市政府", "placeholder.slot", "、、");
        one("召开（）会议", "placeholder.slot", "（）");
        none("一、加强领导\n（一）、严格要求");
        none("“三会一课”、主题党日、组织生活会");
        none("《准则》、《条例》");
        // A line broken after 、 is residue of PDF copying, not a deleted name.
        none("不插手、不干预工程项目、\n惠农资金分配等事项。");
        one("加强学习、\n二、强化监督", "placeholder.slot", "学习、");
    }

    #[test]
    fn brackets() {
        one(
            "【填写单位名称】党委召开会议。",
            "placeholder.bracket",
            "【填写单位名称】",
        );
        one(
            "本年度（此处填写具体做法）取得成效。",
            "placeholder.bracket",
            "（此处填写具体做法）",
        );
        none("公务员（含参公）统计，国家级媒体（新华社）刊发。");
        none("（注：数据截至11月底）");
    }
}
