//! Learning a template from the real township report of 2023 (`shared/domain/seeds/`): most
//! figures its FIGURES.md lists get the metric that produces them as their first candidate,
//! and the learned template parses against the catalogue. And a report drafted from the
//! built-in annual template, written as Word, learns back to the metrics that made it.

use zeren_domain::metrics::builtin;
use zeren_reports::template::learn::{apply, learn, Choice};
use zeren_reports::template::Template;
use zeren_reports::Document;

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/domain/seeds/township-2023-responsibility-report.txt"
);

/// FIGURES.md: each figure as the report writes it, a piece of its phrase, and the metric.
const EXPECTED: &[(&str, &str, &str)] = &[
    ("8次", "理论学习中心组学习", "理论学习中心组学习次数"),
    ("3期", "读书班", "读书班期数"),
    ("4次", "集中学习研讨班", "集中学习研讨班次数"),
    ("210人次", "培训人次", "培训人次"),
    ("24期", "培训班", "培训班期数"),
    ("1200余人次", "参训人次", "参训人次"),
    ("45项", "专题学习", "网络专题学习项数"),
    ("450学时", "累计", "网络专题学习学时"),
    ("3次", "党建工作会", "党建工作会次数"),
    ("100％", "任务完成率", "班子成员任务完成率"),
    ("2次", "专题会议", "履责汇报专题会议次数"),
    ("8次", "专项监督", "专项监督次数"),
    ("24个", "督促整改问题", "专项监督发现问题数"),
    ("4次", "党建巡查", "党建巡查次数"),
    ("13个", "通报", "党建巡查通报问题数"),
    ("13人次", "谈心谈话", "谈心谈话人次"),
    ("6个", "方面", "民主生活会查摆方面数"),
    ("20条", "查摆问题", "民主生活会查摆问题数"),
    ("35条", "整改措施", "民主生活会整改措施数"),
    ("45个", "反馈镇党委", "巡察反馈问题数"),
    ("42个", "已整改完成", "巡察反馈已整改数"),
    ("93.3％", "完成率", "巡察整改完成率"),
    ("35个", "反馈村级党组织", "村级巡察反馈问题数"),
    ("34个", "已整改完成", "村级巡察反馈已整改数"),
    ("97.1％", "完成率", "村级巡察整改完成率"),
    ("8个", "廉政风险点", "单位廉政风险点数"),
    ("16条", "防控措施", "单位廉政风险防控措施数"),
    ("25个", "个人廉政风险点", "个人廉政风险点数"),
    ("46条", "防控措施", "个人廉政风险防控措施数"),
    ("430篇", "公众号", "公众号文章数"),
    ("310篇", "区级媒体", "区级媒体采用数"),
    ("210篇", "市级媒体", "市级媒体采用数"),
    ("24篇", "国家级媒体", "国家级媒体采用数"),
    ("10余次", "志愿服务活动", "志愿服务活动次数"),
    ("1000余人次", "参与人数", "志愿服务参与人次"),
    ("56名", "发展", "发展党员数"),
    ("45人", "35岁以下", "发展党员35岁以下人数"),
    ("80.3％", "占比", "发展党员35岁以下占比"),
    ("16个", "支部", "党支部数"),
    ("100％", "完整率", "党员信息完整率"),
    ("100％", "准确率", "党员信息准确率"),
    ("5次", "警示教育大会", "警示教育大会和廉政培训次数"),
    ("243人次", "廉政履职谈话", "廉政履职谈话人次"),
    ("56篇", "心得体会", "心得体会篇数"),
    ("4部", "警示教育片", "警示教育片部数"),
    ("10人次", "第一种形态", "第一种形态人次"),
    ("10人次", "记过处分", "记过处分人次"),
    ("10人次", "严重警告", "严重警告处分人次"),
    ("10人次", "开除党籍", "开除党籍人次"),
    ("10人次", "一把手", "一把手廉政谈话人次"),
];

#[test]
fn the_township_report_learns_its_figures() {
    let text = std::fs::read_to_string(SEED).expect("the township seed report");
    let catalog = builtin();
    let learned = learn(&Document::from_text(&text), &catalog);
    let known = |n: &str| catalog.iter().any(|m| m.name == n);
    assert_eq!(learned.year, Some(2023));
    assert!(
        Template::check(&learned.source, known).is_empty(),
        "{}",
        learned.source
    );
    assert!(learned
        .source
        .starts_with("% {{ 年度 }}年度镇落实全面从严治党主体责任情况的报告\n"));
    assert!(!learned.source.contains("paid"), "web residue is left out");
    let mut hits = 0;
    let mut misses = Vec::new();
    // In the order of the report: "完整率100％、准确率100％" has two figures in one phrase.
    let mut from = 0;
    for (figure, phrase, metric) in EXPECTED {
        let at = learned.proposals[from..]
            .iter()
            .position(|p| p.original_text == *figure && p.phrase.contains(phrase))
            .unwrap_or_else(|| panic!("{figure} in “{phrase}” not found"));
        let found = &learned.proposals[from + at];
        from += at + 1;
        let first = found.candidates.first().map(|c| c.metric.as_str());
        if first == Some(*metric) {
            hits += 1;
        } else {
            misses.push(format!(
                "{figure}（{}）：期望 {metric}，首选 {first:?}，候选 {:?}",
                found.phrase, found.candidates
            ));
        }
    }
    let rate = hits as f64 / EXPECTED.len() as f64;
    println!(
        "first-candidate hit rate: {hits}/{} = {:.0}%\n{}",
        EXPECTED.len(),
        rate * 100.0,
        misses.join("\n")
    );
    assert!(rate >= 0.85, "{}", misses.join("\n"));
    // Confirming the suggestions gives a template that parses and names those metrics.
    let final_source = apply(&learned, &learned.suggested_choices());
    let t = Template::parse(&final_source, known).unwrap();
    assert!(t.metric_names().len() >= 40, "{:?}", t.metric_names());
    // Keeping every figure as written gives back the prose.
    let kept: Vec<(usize, Choice)> = (0..learned.proposals.len())
        .map(|i| (i, Choice::Keep))
        .collect();
    assert!(apply(&learned, &kept).contains("开展党委理论学习中心组学习8次"));
}

/// A report drafted from the built-in annual template and written as Word, learned back: its
/// headings keep their levels and most figures go back to the metrics that made them.
#[test]
fn a_drafted_word_report_learns_back_to_its_metrics() {
    use zeren_reports::export::to_docx;
    use zeren_reports::template::{BuiltinTemplate, DraftContext, FigureMap};

    let catalog = builtin();
    let template = BuiltinTemplate::Annual.template();
    let mut figures = FigureMap::with_units(&catalog);
    // Distinct values, so that each figure of the draft tells its metric.
    let mut by_value = std::collections::HashMap::new();
    for (i, name) in template.metric_names().iter().enumerate() {
        let rate = catalog.iter().any(|m| m.name == *name && m.unit == "%");
        let v = if rate {
            60.0 + i as f64
        } else {
            11.0 + i as f64
        };
        figures.set(name, Some(v));
        by_value.insert(v as i64, name.clone());
    }
    let ctx = DraftContext {
        organization: "中共青石镇委员会".into(),
        short_name: "青石镇党委".into(),
        issuer: "中共青石镇委员会".into(),
        year: 2023,
        period_from: "2023-01-01".into(),
        period_to: "2023-12-31".into(),
        report_date: "2024-01-05".into(),
        addressee: "区委：".into(),
        ..Default::default()
    };
    let draft = template.render(&ctx, &figures).unwrap();
    let docx = to_docx(&draft).unwrap();
    let doc = Document::from_docx(&docx).unwrap();
    let learned = learn(&doc, &catalog);
    let known = |n: &str| catalog.iter().any(|m| m.name == n);
    assert!(
        Template::check(&learned.source, known).is_empty(),
        "{}",
        learned.source
    );
    assert!(
        learned
            .source
            .starts_with("% {{ 单位 }}关于{{ 年度 }}年度落实全面从严治党主体责任情况的报告\n"),
        "{}",
        learned.source
    );
    assert!(
        learned.source.contains("\n# 工作开展情况\n"),
        "{}",
        learned.source
    );
    assert!(learned
        .source
        .contains("\n## 加强组织领导，压实管党治党责任\n"));
    assert!(learned.source.contains("{{ 简称 }}"));
    assert!(
        !learned.source.contains("区委："),
        "the addressee is the draft's own"
    );
    assert!(
        !learned.source.contains("1月5日"),
        "so are the signature and date"
    );
    // A blank the draft left stays a blank.
    assert!(learned
        .source
        .contains("{{ 待补充(\"本年度查摆出的主要问题和不足（记录中暂无本期查摆问题）\") }}"));
    let mut hits = 0;
    let mut misses = Vec::new();
    let mut counted = 0;
    for p in &learned.proposals {
        // A figure written with 余 no longer tells its value.
        let Some(metric) = by_value.get(&(p.value as i64)).filter(|_| !p.approx) else {
            continue;
        };
        counted += 1;
        let first = p.candidates.first().map(|c| c.metric.as_str());
        if first == Some(metric.as_str()) {
            hits += 1;
        } else {
            misses.push(format!(
                "{}（{}）：期望 {metric}，首选 {first:?}",
                p.original_text, p.phrase
            ));
        }
    }
    println!(
        "round trip: {hits}/{counted} figures back to their metric\n{}",
        misses.join("\n")
    );
    assert!(counted >= 40, "{counted}");
    assert!(hits as f64 >= 0.9 * counted as f64, "{}", misses.join("\n"));
}
