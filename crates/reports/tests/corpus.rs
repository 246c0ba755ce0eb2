//! Reports composed for this test (not real documents, but written in the register of real
//! ones): each must come out clean, and each defect planted in a copy must be found exactly.
//!
//! The clean texts are in `tests/corpus/`. A plant replaces one unique piece of a clean text
//! and names every 错误/警告/提示 finding the copy must give (rule, line, column, text); since
//! the clean text gives none, this also checks that the defect raises nothing else.
//! `MISSED` lists defects the checker knowingly does not find (see docs/CHECKER.md, "Limits").

use std::path::PathBuf;

use zeren_reports::checker::CheckOptions;
use zeren_reports::checker::{check, Document, Finding, Severity};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/");

const FILES: &[&str] = &[
    "county-finance-2023.txt",
    "school-branch-2022.txt",
    "hospital-committee-2024.txt",
    "soe-committee-2021.txt",
    "secretary-shuzeshulian-2023.txt",
    "township-inspection-rectification-2023.txt",
    "subdistrict-self-inspection-2023.txt",
    "subdistrict-self-inspection-2023.md",
    "village-branch-2024.txt",
    "vocational-college-2023.txt",
];

fn read(file: &str) -> String {
    let path = PathBuf::from(DIR).join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn run(file: &str, text: &str) -> Vec<Finding> {
    let doc = if file.ends_with(".md") {
        Document::from_markdown(text)
    } else {
        Document::from_text(text)
    };
    check(&doc, &CheckOptions::all())
}

type Got = (String, Severity, usize, usize, String);

fn brief(fs: &[Finding]) -> Vec<Got> {
    fs.iter()
        .map(|f| (f.rule.clone(), f.severity, f.line, f.column, f.text.clone()))
        .collect()
}

#[test]
fn clean_texts_raise_nothing() {
    let mut failures = Vec::new();
    for file in FILES {
        let text = read(file);
        let chars = text.chars().count();
        assert!((600..=3000).contains(&chars), "{file}: {chars} characters");
        // No hints are expected either: every figure in these texts is right.
        let fs = brief(&run(file, &text));
        if !fs.is_empty() {
            failures.push(format!("{file}: {fs:#?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

use Severity::{Error as E, Hint as H, Warning as W};

/// A defect planted in a copy of a clean text: replace `from` (which occurs exactly once) by
/// `to`; the copy must give exactly `expect` as (rule, severity, line, column, text).
struct Plant {
    file: &'static str,
    from: &'static str,
    to: &'static str,
    expect: &'static [(&'static str, Severity, usize, usize, &'static str)],
}

const fn plant(
    file: &'static str,
    from: &'static str,
    to: &'static str,
    expect: &'static [(&'static str, Severity, usize, usize, &'static str)],
) -> Plant {
    Plant {
        file,
        from,
        to,
        expect,
    }
}

const FIN: &str = "county-finance-2023.txt";
const SCH: &str = "school-branch-2022.txt";
const HOS: &str = "hospital-committee-2024.txt";
const SOE: &str = "soe-committee-2021.txt";
const SEC: &str = "secretary-shuzeshulian-2023.txt";
const INS: &str = "township-inspection-rectification-2023.txt";
const SELF: &str = "subdistrict-self-inspection-2023.txt";
const MD: &str = "subdistrict-self-inspection-2023.md";
const VIL: &str = "village-branch-2024.txt";
const VOC: &str = "vocational-college-2023.txt";

const PLANTS: &[Plant] = &[
    // --- county finance bureau, 2023 ---
    plant(
        FIN,
        "全面贯彻党的二十大精神",
        "全面贯彻党的XX大精神",
        &[("placeholder.x", E, 2, 0, "XX")],
    ),
    plant(
        FIN,
        "全面贯彻党的二十大精神",
        "全面贯彻党的十九大精神",
        &[("time.outdated", W, 2, 0, "十九大")],
    ),
    plant(
        FIN,
        "开展明察暗访6次",
        "开展明察暗访多少次",
        &[("placeholder.howmany", E, 12, 0, "多少次")],
    ),
    plant(
        FIN,
        "五、下一步工作打算",
        "六、下一步工作打算",
        &[("numbering.gap", E, 17, 1, "六、")],
    ),
    plant(
        FIN,
        "（三）精准运用",
        "（四）精准运用",
        &[("numbering.gap", E, 14, 1, "（四）")],
    ),
    plant(
        FIN,
        "整改率93.1%",
        "整改率95.1%",
        &[("figures.rate", E, 6, 0, "95.1%")],
    ),
    plant(
        FIN,
        "为加快推进“十四五”规划",
        "为加快推进“十三五”规划",
        &[("time.outdated", W, 18, 0, "十三五")],
    ),
    plant(
        FIN,
        "“学了不用”“学用两张皮”",
        "“学了不用“学用两张皮”",
        &[(
            "pairing.unclosed",
            E,
            16,
            56,
            "“学了不用“学用两张皮”的问题还不同程度",
        )],
    ),
    plant(
        FIN,
        "培训干部310人次，人均",
        "培训干部310人次,人均",
        &[("punctuation.halfwidth", W, 9, 0, ",")],
    ),
    plant(
        FIN,
        "心得体会95篇。\n",
        "心得体会95篇。\n— 3 —\n",
        &[("residue.page", W, 14, 1, "— 3 —")],
    ),
    plant(
        FIN,
        "批评教育、谈话提醒11人次，诫勉1人，",
        "11人次，第二种形态11人次，第三种形态11人次，",
        &[(
            "suspicious.repeat",
            W,
            14,
            0,
            "11人次，第二种形态11人次，第三种形态11人次",
        )],
    ),
    // --- school Party branch, 2022 ---
    plant(
        SCH,
        "四是发挥",
        "五是发挥",
        &[("numbering.seq", E, 7, 1, "五是")],
    ),
    plant(
        SCH,
        "开展“送教下乡”活动6次",
        "开展“送教下乡”活动XX次",
        &[("placeholder.x", E, 7, 0, "XX")],
    ),
    plant(
        SCH,
        "认真学习宣传贯彻党的二十大精神",
        "认真学习宣传贯彻党的二十届三中全会精神",
        &[("time.future", E, 2, 0, "二十届三中全会")],
    ),
    plant(
        SCH,
        "有15个班级",
        "有30个班级",
        &[("figures.part", E, 7, 0, "30个")],
    ),
    plant(
        SCH,
        "在县教育局党委的领导下",
        "在某某党委的领导下",
        &[("placeholder.mou", W, 2, 0, "某某")],
    ),
    // --- county hospital Party committee, 2024 ---
    plant(
        HOS,
        "1.落实“第一议题”",
        "1、落实“第一议题”",
        &[("numbering.style", W, 5, 1, "1、")],
    ),
    plant(
        HOS,
        "满意率97.0%",
        "满意率107.0%",
        &[
            ("figures.rate", E, 14, 79, "107.0%"),
            ("suspicious.exceed", E, 14, 79, "107.0%"),
        ],
    ),
    plant(
        HOS,
        "扎实开展党纪学习教育，推动",
        "扎实开展党史学习教育，推动",
        &[("time.outdated", W, 2, 0, "党史学习教育")],
    ),
    plant(
        HOS,
        "三、下一步工作打算",
        "四、下一步工作打算",
        &[("numbering.gap", E, 18, 1, "四、")],
    ),
    plant(
        HOS,
        "占比85.7%",
        "占比87.5%",
        &[("figures.rate", E, 10, 0, "87.5%")],
    ),
    plant(
        HOS,
        "比例达到87.5%",
        "比例达到78.5%",
        &[("figures.rate", E, 10, 0, "78.5%")],
    ),
    plant(
        HOS,
        "（三）持续加强",
        "（二）持续加强",
        &[("numbering.repeat", E, 12, 1, "（二）")],
    ),
    plant(
        HOS,
        "合格率100%",
        "合格率100％",
        &[("punctuation.percent", W, 6, 0, "％")],
    ),
    // --- state-owned enterprise Party committee, 2021 ---
    plant(
        SOE,
        "以迎接党的二十大胜利召开为主线",
        "以深入学习贯彻党的二十大精神为主线",
        &[("time.future", E, 12, 0, "二十大")],
    ),
    plant(
        SOE,
        "扎实开展党史学习教育，坚持",
        "扎实开展党纪学习教育，坚持",
        &[("time.future", E, 2, 0, "党纪学习教育")],
    ),
    plant(
        SOE,
        "为“十四五”规划实施",
        "为“十三五”规划实施",
        &[("time.outdated", W, 12, 0, "十三五")],
    ),
    plant(
        SOE,
        "第一种形态19人次",
        "第一种形态21人次",
        &[(
            "figures.parts",
            W,
            7,
            0,
            "21人次、第二种形态2人次、第三种形态1人次",
        )],
    ),
    plant(
        SOE,
        "（三）夯实基层党建基础",
        "(三)夯实基层党建基础",
        &[("numbering.mixed", W, 6, 1, "(三)")],
    ),
    // 25 ÷ 26 = 96.15%: 96.1% is cut off, not rounded.
    plant(
        SOE,
        "完成率96.2%",
        "完成率96.1%",
        &[("figures.rounding", H, 4, 0, "96.1%")],
    ),
    plant(
        SOE,
        "实施方案，班子",
        "实施##paidbegin##方案，班子",
        &[("residue.marker", E, 4, 0, "##paidbegin##")],
    ),
    // --- 述责述廉 of a Party group secretary, 2023 ---
    plant(
        SEC,
        "四是带头抓好",
        "五是带头抓好",
        &[("numbering.seq", E, 8, 1, "五是")],
    ),
    plant(
        SEC,
        "不干预工程项目、惠农资金",
        "不干预工程项目、\n惠农资金",
        &[("residue.linebreak", W, 10, 0, "、")],
    ),
    plant(
        SEC,
        "完成率94.4%",
        "完成率90.4%",
        &[("figures.rate", E, 8, 0, "90.4%")],
    ),
    plant(
        SEC,
        "开展谈心谈话37人次",
        "开展谈心谈话多少人次",
        &[("placeholder.howmany", E, 7, 0, "多少人次")],
    ),
    plant(
        SEC,
        "截至2023年12月底",
        "截止2023年12月底",
        &[("punctuation.jiezhi", W, 8, 69, "截止")],
    ),
    plant(
        SEC,
        "局长）",
        "局长",
        &[("pairing.unclosed", E, 2, 1, "（县农业农村局党组书记、局长")],
    ),
    plant(
        SEC,
        "婚姻、住房",
        "婚姻,住房",
        &[("punctuation.halfwidth", W, 10, 0, ",")],
    ),
    // --- rectification report after an inspection tour, 2023 ---
    plant(
        INS,
        "完成率85.7%；",
        "完成率87.5%；",
        &[("figures.rate", E, 10, 0, "87.5%")],
    ),
    plant(
        INS,
        "责任领导、责任单位",
        "责任领导、、责任单位",
        &[("placeholder.slot", E, 5, 0, "、、")],
    ),
    plant(
        INS,
        "截至2023年12月31日",
        "截止2023年12月31日",
        &[("punctuation.jiezhi", W, 7, 1, "截止")],
    ),
    plant(
        INS,
        "修订6项",
        "修订7项",
        &[("figures.parts", W, 23, 0, "9项、修订7项")],
    ),
    plant(
        INS,
        "整改完成率90.6%；",
        "整改完成率96.0%；",
        &[("figures.rate", E, 7, 0, "96.0%")],
    ),
    plant(
        INS,
        "\n中共石桥镇委员会\n",
        "\n展开全文\n中共石桥镇委员会\n",
        &[("residue.web", E, 28, 1, "展开全文")],
    ),
    plant(
        INS,
        "2.整改期间",
        "3.整改期间",
        &[("numbering.gap", E, 27, 1, "3.")],
    ),
    // --- self-inspection report with four levels, 2023 ---
    plant(
        SELF,
        "（2）推进",
        "（3）推进",
        &[("numbering.gap", E, 12, 1, "（3）")],
    ),
    plant(
        SELF,
        "覆盖率为75.0%",
        "覆盖率为72.0%",
        &[("figures.rate", E, 12, 0, "72.0%")],
    ),
    plant(
        SELF,
        "2.加强党员队伍建设",
        "2、加强党员队伍建设",
        &[("numbering.style", W, 13, 1, "2、")],
    ),
    plant(
        SELF,
        "（三）加强作风建设",
        "（二）加强作风建设",
        &[("numbering.repeat", E, 14, 1, "（二）")],
    ),
    plant(
        SELF,
        "检查考核的通知》要求",
        "检查考核的通知要求",
        &[(
            "pairing.unclosed",
            E,
            2,
            5,
            "《关于开展2023年度落实全面从严治党主",
        )],
    ),
    plant(
        SELF,
        "2.2024年6月底前",
        "3.2024年6月底前",
        &[
            ("numbering.gap", E, 24, 1, "3."),
            ("numbering.repeat", E, 25, 1, "3."),
        ],
    ),
    // --- the same self-inspection report in Markdown ---
    plant(
        MD,
        "## 四、整改措施",
        "## 五、整改措施",
        &[("numbering.gap", E, 32, 4, "五、")],
    ),
    plant(
        MD,
        "**2.落实",
        "**3.落实",
        &[("numbering.gap", E, 15, 3, "3.")],
    ),
    plant(
        MD,
        "三是对社区",
        "四是对社区",
        &[("numbering.seq", E, 30, 0, "四是")],
    ),
    plant(
        MD,
        "覆盖率为75.0%",
        "覆盖率为57.0%",
        &[("figures.rate", E, 19, 0, "57.0%")],
    ),
    plant(
        MD,
        "### （三）",
        "### (三)",
        &[("numbering.mixed", W, 23, 5, "(三)")],
    ),
    // --- village Party branch, 2024 ---
    plant(
        VIL,
        "调处成功率100%",
        "调处成功率110%",
        &[("suspicious.exceed", E, 6, 0, "110%")],
    ),
    plant(
        VIL,
        "五、存在不足",
        "六、存在不足",
        &[("numbering.gap", E, 7, 1, "六、")],
    ),
    plant(
        VIL,
        "石桥镇柳湾村党支部2024",
        "XX镇XX村党支部2024",
        &[
            ("placeholder.x", E, 1, 1, "XX"),
            ("placeholder.x", E, 1, 4, "XX"),
        ],
    ),
    plant(
        VIL,
        "持续推进“十四五”",
        "持续推进“十三五”",
        &[("time.outdated", W, 8, 0, "十三五")],
    ),
    plant(
        VIL,
        "帮助群众解决急难愁盼问题27件",
        "帮助群众解决……等急难愁盼问题",
        &[("placeholder.ellipsis", W, 5, 0, "……")],
    ),
    // --- vocational college Party committee, 2023 (title over two lines, section labels) ---
    plant(
        VOC,
        "整改完成率94.1%",
        "整改完成率96.1%",
        &[("figures.rate", E, 18, 0, "96.1%")],
    ),
    plant(
        VOC,
        "学生82名",
        "学生85名",
        &[("figures.parts", W, 11, 0, "5名、学生85名")],
    ),
    plant(
        VOC,
        "五、2024年工作打算",
        "六、2024年工作打算",
        &[("numbering.gap", E, 21, 1, "六、")],
    ),
    plant(
        VOC,
        "全面贯彻党的二十大精神，落实",
        "全面贯彻党的十九届六中全会精神，落实",
        &[("time.outdated", W, 3, 0, "十九届六中全会")],
    ),
    plant(
        VOC,
        "学院党委获评全省高校“党建工作标杆院系”培育创建单位",
        "学院党委被评为什么",
        &[("placeholder.what", E, 8, 0, "什么")],
    ),
    plant(
        VOC,
        "\n工作成效\n全年未发生",
        "\n第3页 共8页\n工作成效\n全年未发生",
        &[("residue.page", W, 17, 1, "第3页 共8页")],
    ),
];

/// Defects the checker knowingly misses: (file, from, to, the rule that would be right, why).
/// Each is documented in docs/CHECKER.md ("Limits"); when a rule learns to find one, this test
/// fails and the defect moves to `PLANTS`.
const MISSED: &[(&str, &str, &str, &str, &str)] = &[
    (
        FIN,
        "党组书记与班子成员、班子成员",
        "党组书记与、班子成员",
        "placeholder.slot",
        "、 after 与/和/及: those characters also end words (参与、涉及、普及)",
    ),
    (
        SOE,
        "达标率93.3%",
        "达标率95.3%",
        "figures.rate",
        "the whole (党支部30个) is in an earlier sentence; only one count is in the rate's",
    ),
    (
        INS,
        "组织路线方面\t7\t6\t85.7%",
        "组织路线方面\t7\t6\t87.5%",
        "figures.rate",
        "a table row has no rate word; the column header says 完成率",
    ),
    (
        INS,
        "已完工11个，其余3个",
        "已完工12个，其余3个",
        "figures",
        "其余 (the remainder) is not added up against the total",
    ),
];

#[test]
fn known_misses_stay_documented() {
    let mut found = Vec::new();
    for &(file, from, to, rule, why) in MISSED {
        let p = Plant {
            file,
            from,
            to,
            expect: &[],
        };
        let fs = run(file, &apply(&p));
        if fs.iter().any(|f| f.rule.starts_with(rule)) {
            found.push(format!(
                "{file}: “{to}” is now found ({why}): move it to PLANTS"
            ));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

fn apply(p: &Plant) -> String {
    let text = read(p.file);
    assert_eq!(
        text.matches(p.from).count(),
        1,
        "{}: “{}” must occur exactly once",
        p.file,
        p.from
    );
    text.replacen(p.from, p.to, 1)
}

/// Column 0 in an expectation means "any column" (the line and text pin the place down).
fn matches(got: &Got, want: &(&str, Severity, usize, usize, &str)) -> bool {
    got.0 == want.0
        && got.1 == want.1
        && got.2 == want.2
        && (want.3 == 0 || got.3 == want.3)
        && got.4 == want.4
}

#[test]
fn planted_defects_are_found_exactly() {
    let mut failures = Vec::new();
    for p in PLANTS {
        let got = brief(&run(p.file, &apply(p)));
        let ok =
            got.len() == p.expect.len() && got.iter().zip(p.expect).all(|(g, w)| matches(g, w));
        if !ok {
            failures.push(format!(
                "{}: “{}” → “{}”\n  want {:?}\n  got  {:?}",
                p.file, p.from, p.to, p.expect, got
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
