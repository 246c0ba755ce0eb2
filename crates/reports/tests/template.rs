//! Report templates: the language (numbering, figures, conditions, blanks), checks at save,
//! and the four built-in templates against the metric catalogue and the report checker.

use zeren_domain::metrics::{builtin, REPORT_FIGURES};
use zeren_reports::checker::{check_text, CheckOptions, Severity};
use zeren_reports::draft::{block_text, Block, Draft, Inline};
use zeren_reports::template::{
    BranchLine, BuiltinTemplate, DraftContext, FigureMap, Figures, ItemLine, MeasureLine,
    ProblemLine, Reporter, Template, TemplateError,
};

/// A catalogue of a few metrics for hand-written templates.
fn known(name: &str) -> bool {
    [
        "学习次数",
        "问题数",
        "已整改数",
        "整改率",
        "培训人次",
        "谈话人次",
    ]
    .contains(&name)
}

fn figures() -> FigureMap {
    let mut f = FigureMap::new();
    f.set("学习次数", Some(8.0))
        .set_unit("学习次数", "次")
        .set_previous("学习次数", Some(5.0));
    f.set("问题数", Some(45.0)).set_unit("问题数", "个");
    f.set("已整改数", Some(42.0)).set_unit("已整改数", "个");
    f.set("整改率", Some(93.3))
        .set_unit("整改率", "%")
        .set_previous("整改率", Some(90.0));
    f.set("培训人次", Some(1234.0))
        .set_unit("培训人次", "人次")
        .set_previous("培训人次", Some(1000.0));
    f.set("谈话人次", Some(0.0)).set_unit("谈话人次", "人次");
    f
}

fn ctx() -> DraftContext {
    DraftContext {
        organization: "中共城关镇委员会".into(),
        short_name: "城关镇党委".into(),
        issuer: "中共城关镇委员会".into(),
        year: 2023,
        period_from: "2023-01-01".into(),
        period_to: "2023-12-31".into(),
        report_date: "2024-01-05".into(),
        addressee: "县委：".into(),
        ..Default::default()
    }
}

fn render(source: &str) -> Draft {
    render_with(source, &ctx(), &figures())
}

fn render_with(source: &str, ctx: &DraftContext, figures: &dyn Figures) -> Draft {
    let t = Template::parse(source, known).unwrap_or_else(|e| panic!("{e}"));
    t.render(ctx, figures).unwrap_or_else(|e| panic!("{e}"))
}

fn lines(d: &Draft) -> Vec<String> {
    d.blocks.iter().map(block_text).collect()
}

fn levels(d: &Draft) -> Vec<u8> {
    d.blocks
        .iter()
        .map(|b| match b {
            Block::Heading { level, .. } => *level,
            Block::Paragraph { .. } => 0,
        })
        .collect()
}

#[test]
fn headings_are_numbered_by_level_and_restart_under_each_parent() {
    let d = render(
        "% 测试报告\n开头。\n# 甲\n## 甲一\n### 条一\n#### 款一\n正文。\n#### 款二\n正文。\n\
         ### 条二\n正文。\n## 甲二\n### 条一\n正文。\n# 乙\n## 乙一\n正文。\n# 丙\n正文。",
    );
    assert_eq!(d.title, "测试报告");
    assert_eq!(
        lines(&d),
        [
            "开头。",
            "一、甲",
            "（一）甲一",
            "1.条一",
            "（1）款一",
            "正文。",
            "（2）款二",
            "正文。",
            "2.条二",
            "正文。",
            "（二）甲二",
            "1.条一",
            "正文。",
            "二、乙",
            "（一）乙一",
            "正文。",
            "三、丙",
            "正文。"
        ]
    );
    assert_eq!(
        levels(&d),
        [0, 1, 2, 3, 4, 0, 4, 0, 3, 0, 2, 3, 0, 1, 2, 0, 1, 0]
    );
    // The number is part of the heading's text, ahead of its own text.
    assert_eq!(
        d.blocks[1],
        Block::Heading {
            level: 1,
            content: vec![Inline::Text {
                text: "一、甲".into()
            }]
        }
    );
}

#[test]
fn empty_sections_vanish_and_numbers_stay_contiguous() {
    let src = "# 学习\n{% if 指标值(\"学习次数\") > 0 %}学习{{ 指标(\"学习次数\") }}次。{% endif %}\n\
               # 谈话\n## 谈心谈话\n{% if 指标值(\"谈话人次\") > 0 %}谈话{{ 指标(\"谈话人次\") }}人次。{% endif %}\n\
               ## 廉政谈话\n\n# 整改\n## 巡察整改\n### 问题\n{% if 指标值(\"问题数\") > 0 %}问题{{ 指标(\"问题数\") }}个。{% endif %}\n\
               ### 空条\n## 空节\n# 空章\n";
    let d = render(src);
    assert_eq!(
        lines(&d),
        [
            "一、学习",
            "学习8次。",
            "二、整改",
            "（一）巡察整改",
            "1.问题",
            "问题45个。"
        ]
    );
    let checked = check_text(&d.plain_text(), &CheckOptions::all());
    assert!(
        checked.iter().all(|f| !f.rule.starts_with("numbering")),
        "{checked:?}"
    );
}

#[test]
fn rates_counts_and_units_print_as_reports_write_them() {
    let d = render(
        "反馈{{ 指标(\"问题数\") }}个，整改{{ 指标(\"已整改数\") }}个，完成率{{ 指标(\"整改率\") }}。\n\
         共{{ 指标(\"问题数\", 单位=true) }}，率{{ 指标(\"整改率\", 单位=true) }}。\n\
         {{ 指标值(\"问题数\") }} {{ 指标值(\"整改率\") }} {{ 指标值(\"问题数\") - 指标值(\"已整改数\") }}",
    );
    assert_eq!(
        lines(&d),
        [
            "反馈45个，整改42个，完成率93.3%。",
            "共45个，率93.3%。",
            "45 93.3 3"
        ]
    );
}

#[test]
fn figures_are_bound_to_their_metric() {
    let d = render("学习{{ 指标(\"学习次数\") }}次，完成率{{ 指标(\"整改率\") }}。");
    assert_eq!(
        d.blocks[0].content(),
        [
            Inline::Text {
                text: "学习".into()
            },
            Inline::Figure {
                metric: "学习次数".into(),
                text: "8".into(),
                value: Some(8.0),
                previous: false
            },
            Inline::Text {
                text: "次，完成率".into()
            },
            Inline::Figure {
                metric: "整改率".into(),
                text: "93.3%".into(),
                value: Some(93.3),
                previous: false
            },
            Inline::Text { text: "。".into() },
        ]
    );
    assert_eq!(d.figures().count(), 2);
}

#[test]
fn approximate_figures_with_yu() {
    let d = render(
        "参训{{ 指标(\"培训人次\", 余=true) }}人次。\n{{ 指标(\"培训人次\") | 约数 }}\n\
         {{ 约数(指标(\"学习次数\")) }} {{ 约数(87) }} {{ 约数(1000) }} {{ 约数(\"1234\") }} {{ 约数(指标(\"整改率\")) }}",
    );
    assert_eq!(
        lines(&d),
        ["参训1200余人次。", "1200余", "8 80余 1000 1200余 93.3%"]
    );
    // The rounded figure stays bound, with the exact value kept.
    assert!(d.blocks[0].content().contains(&Inline::Figure {
        metric: "培训人次".into(),
        text: "1200余".into(),
        value: Some(1234.0),
        previous: false
    }));
    assert!(d.blocks[1].content().iter().any(
        |i| matches!(i, Inline::Figure { text, value, .. } if text == "1200余" && *value == Some(1234.0))
    ));
}

#[test]
fn chinese_numerals() {
    let d = render(
        "{% for n in [1, 2, 10, 11, 20, 21, 100, 105] %}{{ 中文数字(n) }} {% endfor %}\n\
         {{ 12 | 中文数字 }}",
    );
    assert_eq!(
        lines(&d),
        ["一 二 十 十一 二十 二十一 一百 一百零五", "十二"]
    );
    let e = Template::parse("a\n{{ 中文数字(\"x\") }}", known)
        .unwrap()
        .render(&ctx(), &figures())
        .unwrap_err();
    assert_eq!(e.line(), Some(2));
    assert!(e.to_string().contains("中文数字()需要整数"), "{e}");
}

#[test]
fn conditional_sentences_vanish_when_their_figure_is_zero() {
    let src = "开展学习。\\\n\
               {% if 指标值(\"谈话人次\") > 0 %}谈话{{ 指标(\"谈话人次\") }}人次。{% endif %}\\\n\
               {% if 指标值(\"学习次数\") > 0 %}学习{{ 指标(\"学习次数\") }}次。{% endif %}\\\n\
               {% if 指标值(\"未取数\") > 0 %}不会出现。{% endif %}\n\
               {% if 指标值(\"谈话人次\") %}整段消失。{% endif %}\n\
               {% if 有数据(\"整改率\") %}完成率{{ 指标(\"整改率\") }}。{% endif %}";
    let known = |n: &str| known(n) || n == "未取数";
    let t = Template::parse(src, known).unwrap();
    let d = t.render(&ctx(), &figures()).unwrap();
    assert_eq!(lines(&d), ["开展学习。学习8次。", "完成率93.3%。"]);
    // With everything zero or missing, only the fixed sentence is left.
    let mut zero = FigureMap::new();
    zero.set("学习次数", Some(0.0));
    let d = t.render(&ctx(), &zero).unwrap();
    assert_eq!(lines(&d), ["开展学习。"]);
}

#[test]
fn year_on_year_phrases() {
    let d = render(
        "学习{{ 指标(\"学习次数\") }}次，{{ 较上年(\"学习次数\") }}，上年{{ 上年指标(\"学习次数\") }}次。\n\
         {{ 较上年(\"学习次数\", 方式=\"增长率\") }}\n\
         {{ 较上年(\"培训人次\", 方式=\"增长率\") }}\n\
         {{ 较上年(\"整改率\") }}\n\
         {% if 有上年数据(\"问题数\") %}不会出现{% else %}无上年数据{% endif %} {{ 上年指标值(\"学习次数\") }}\n\
         {{ 较上年(\"问题数\") }}",
    );
    assert_eq!(
        lines(&d),
        [
            "学习8次，较上年增加3次，上年5次。",
            "较上年增长60%",
            "较上年增长23.4%",
            "较上年提高3.3个百分点",
            "无上年数据 5",
            "【待补充：问题数较上年变化（记录中无上年数据）】"
        ]
    );
    // The phrase is bound to the metric and the previous period's value.
    assert!(d.blocks[0].content().contains(&Inline::Figure {
        metric: "学习次数".into(),
        text: "较上年增加3次".into(),
        value: Some(5.0),
        previous: true
    }));
    assert!(d.blocks[0].content().contains(&Inline::Figure {
        metric: "学习次数".into(),
        text: "5".into(),
        value: Some(5.0),
        previous: true
    }));
    let mut f = figures();
    f.set("学习次数", Some(3.0));
    let d = render_with("{{ 较上年(\"学习次数\") }}", &ctx(), &f);
    assert_eq!(lines(&d), ["较上年减少2次"]);
    f.set("学习次数", Some(5.0));
    let d = render_with("{{ 较上年(\"学习次数\", 方式=\"增长率\") }}", &ctx(), &f);
    assert_eq!(lines(&d), ["与上年持平"]);
    let e = Template::parse("\n{{ 较上年(\"学习次数\", 方式=\"环比\") }}", known)
        .unwrap()
        .render(&ctx(), &figures())
        .unwrap_err();
    assert_eq!(e.line(), Some(2));
    assert!(e.to_string().contains("方式应为“增减”或“增长率”"), "{e}");
}

#[test]
fn metric_names_are_found_by_reading_the_source() {
    let t = Template::parse(
        "{% if false %}{{ 指标(\"问题数\") }}{% endif %}{{ 较上年('学习次数') }}\n\
         {{ 指标值(\"问题数\") }}{{ 上年指标(\"培训人次\") }}{# {{ 指标(\"注释里的\") }} #}",
        known,
    )
    .unwrap();
    assert_eq!(t.metric_names(), ["问题数", "学习次数", "培训人次"]);
    assert_eq!(t.previous_metric_names(), ["学习次数", "培训人次"]);
}

#[test]
fn an_unknown_metric_is_refused_with_its_line_and_name() {
    let src = "% 报告\n# 一\n{% if false %}\n\n\n\n\n\n\n\n\n反馈{{ 指标(\"巡察反馈问题总数\") }}个。\n{% endif %}";
    let e = Template::parse(src, known).unwrap_err();
    assert_eq!(
        e,
        TemplateError::UnknownMetric {
            line: 12,
            name: "巡察反馈问题总数".into()
        }
    );
    assert_eq!(e.to_string(), "第12行：未知指标“巡察反馈问题总数”");
    // Every error at once, in line order.
    let all = Template::check(
        "{{ 指标值(\"甲\") }}\n{{ 指标(\"问题数\") }}\n{{ 较上年(\"乙\") }}",
        known,
    );
    assert_eq!(
        all.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        ["第1行：未知指标“甲”", "第3行：未知指标“乙”"]
    );
}

#[test]
fn a_metric_name_must_be_a_literal() {
    let e = Template::parse("a\nb\n{% set n = \"问题数\" %}{{ 指标(n) }}", known).unwrap_err();
    assert_eq!(
        e,
        TemplateError::MetricNotLiteral {
            line: 3,
            function: "指标".into()
        }
    );
    assert!(e
        .to_string()
        .starts_with("第3行：指标()的第一个参数须是加引号的指标名称"));
    assert!(Template::parse("{{ 指标值(\"问题\" ~ \"数\") }}", known).is_err());
    assert!(Template::parse("{% set f = 指标 %}{{ f(\"问题数\") }}", known).is_err());
    assert!(Template::parse("{% set 指标 = 1 %}{{ 指标(\"x\") }}", known).is_err());
}

#[test]
fn syntax_errors_and_unknown_functions_carry_their_line() {
    let e = Template::parse(
        "% 报告\n# 一\n{% if 指标值(\"问题数\") > 0 %}\n有问题。\n",
        known,
    )
    .unwrap_err();
    assert!(matches!(e, TemplateError::Syntax { .. }), "{e:?}");
    assert!(e.line().is_some());
    assert!(e.to_string().contains("模板语法错误：模板提前结束"), "{e}");
    let e = Template::parse("a\n{% endfo %}", known).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("第2行：模板语法错误：未知语句“endfo”"),
        "{e}"
    );
    let e = Template::parse("a\n\n{{ 1 + }}", known).unwrap_err();
    assert_eq!(e.line(), Some(3));
    assert!(e.to_string().starts_with("第3行：模板语法错误"), "{e}");
    let e = Template::parse("a\n{{ 指表(\"问题数\") }}", known).unwrap_err();
    assert_eq!(e.to_string(), "第2行：未知函数“指表”");
    let e = Template::parse("a\n##### 五级", known).unwrap_err();
    assert_eq!(e, TemplateError::HeadingLevel { line: 2 });
}

#[test]
fn render_errors_carry_their_line_and_never_panic() {
    let t = Template::parse("a\n\n{{ 单 }}", known).unwrap();
    let e = t.render(&ctx(), &figures()).unwrap_err();
    assert_eq!(e.line(), Some(3));
    assert!(
        e.to_string().starts_with("第3行：使用了不存在的变量或字段"),
        "{e}"
    );
    let t = Template::parse("{% for p in 存在问题 %}{{ p.描 }}{% endfor %}", known).unwrap();
    let c = DraftContext {
        problems: vec![ProblemLine::default()],
        ..ctx()
    };
    assert!(t.render(&c, &figures()).is_err());
    // A template that loops too long stops with an error instead of hanging the server.
    let t = Template::parse(
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        known,
    )
    .unwrap();
    let e = t.render(&ctx(), &figures()).unwrap_err();
    assert!(e.to_string().contains("运算量超出限制"), "{e}");
    // Two titles, a bad date.
    let t = Template::parse("% 一\n% 二", known).unwrap();
    assert!(matches!(
        t.render(&ctx(), &figures()),
        Err(TemplateError::Layout { .. })
    ));
    let bad = DraftContext {
        report_date: "2024/1/5".into(),
        ..ctx()
    };
    let e = Template::parse("a", known)
        .unwrap()
        .render(&bad, &figures())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "报告日期“2024/1/5”不是有效日期，应写作YYYY-MM-DD"
    );
    // Odd templates render or fail, never panic.
    for src in [
        "",
        "\n\n\n",
        "%",
        "#",
        "# ",
        "\\",
        "{{ 待补充() }}{{ 序号() }}",
        "{{ 指标(\"问题数\")[1:3] }}{{ 指标(\"问题数\") | upper }}",
        "{{ 约数(指标(\"问题数\")[1:]) }}",
        "{{ 约数(none) }}",
        "\u{E000}\u{E001}\u{E002}{{ '\u{E000}x' }}",
        "{% macro m(x) %}{{ x }}{% endmacro %}{{ m(1) }}",
        "{% raw %}{{ 指标(n) }}{% endraw %}",
    ] {
        if let Ok(t) = Template::parse(src, known) {
            let _ = t.render(&ctx(), &figures());
            let _ = t.render(&DraftContext::default(), &FigureMap::new());
        }
    }
}

#[test]
fn blanks_are_marked_and_missing_figures_become_blanks() {
    let mut f = figures();
    f.set("整改率", None);
    let d = render_with(
        "情况：{{ 待补充(\"原因剖析\") }}\n完成率{{ 指标(\"整改率\") }}。\n{{ 待补充() }}",
        &ctx(),
        &f,
    );
    assert_eq!(
        d.blocks[0].content()[1],
        Inline::Blank {
            hint: "原因剖析".into()
        }
    );
    assert_eq!(
        lines(&d),
        [
            "情况：【待补充：原因剖析】",
            "完成率【待补充：整改率（记录中无此数据）】。",
            "【待补充：请补充内容】"
        ]
    );
    assert_eq!(d.blanks().count(), 3);
    // The checker sees the blanks as unfinished text.
    let found = check_text(&d.plain_text(), &CheckOptions::all());
    assert!(
        found
            .iter()
            .filter(|f| f.rule == "placeholder.bracket")
            .count()
            >= 2,
        "{found:?}"
    );
}

#[test]
fn sequences_count_from_each_heading_and_lists_of_the_caller_loop() {
    let c = DraftContext {
        problems: vec![
            ProblemLine {
                description: "学习不够深入，".into(),
                category: "思想建设".into(),
                ..Default::default()
            },
            ProblemLine {
                description: "# 不是标题\n第二行".into(),
                ..Default::default()
            },
        ],
        next_items: vec![ItemLine {
            description: "加强学习。".into(),
            deadline: "2024-06-30".into(),
            ..Default::default()
        }],
        ..ctx()
    };
    let d = render_with(
        "# 问题\n主要是：\\\n{% for p in 存在问题 %}{{ 序号() }}{{ p.描述 | 成句 }}{% endfor %}\n\
         {% for p in problems %}{{ 序号(\"要\") }}{{ p.category }}{% endfor %}\n\
         # 下一步\n{% for i in 下一步 %}{{ 序号() }}{{ i.内容 | 去句末标点 }}，{{ i.期限 }}前完成。{% endfor %}\n\
         {% for p in 存在问题 %}\n{{ p.描述 }}\n{% endfor %}",
        &c,
        &figures(),
    );
    assert_eq!(
        lines(&d),
        [
            "一、问题",
            "主要是：一是学习不够深入。二是# 不是标题 第二行。",
            "一要思想建设二要",
            "二、下一步",
            // A lone item has no "一是".
            "加强学习，2024年6月30日前完成。",
            "学习不够深入，",
            "# 不是标题 第二行"
        ]
    );
    // A caller's text at the start of a line stays a paragraph.
    assert!(matches!(d.blocks[6], Block::Paragraph { .. }));
    // "一是" without "二是" is no sequence: it is left out.
    let d = render(
        "# 甲\n{{ 序号() }}唯一一段。\n# 乙\n{{ 序号() }}第一段。\n{{ 序号() }}第二段。\n\
         {% if false %}{{ 序号() }}第三段。{% endif %}",
    );
    assert_eq!(
        lines(&d),
        [
            "一、甲",
            "唯一一段。",
            "二、乙",
            "一是第一段。",
            "二是第二段。"
        ]
    );
}

#[test]
fn the_context_is_easy_to_fill_from_json() {
    let c: DraftContext = serde_json::from_str(
        r#"{"organization":"中共城关镇委员会","year":2023,"quarter":2,"report_date":"2023-07-03",
            "reporter":{"name":"张明","post":"党委副书记"},
            "problems":[{"description":"学习不深入"}],
            "branches":[{"name":"东村党支部","records":12,"should_hold":9,"held":9}],
            "overdue_measures":[{"measure":"完善台账","days_overdue":3}]}"#,
    )
    .unwrap();
    let d = render_with(
        "% {{ 单位 }}{{ 年度 }}年第{{ 季度中文 }}季度报告\n{{ 报告人.姓名 }}{{ reporter.post }}\n\
         {% for b in 支部 %}{{ b.名称 }}{{ b.纪实数 }}条{{ b.应开展 - b.已开展 }}{% endfor %}\n\
         {% for m in 逾期措施 %}{{ m.措施 }}逾期{{ m.逾期天数 }}天{% endfor %}",
        &c,
        &FigureMap::new(),
    );
    assert_eq!(d.title, "中共城关镇委员会2023年第二季度报告");
    assert_eq!(d.date, "2023年7月3日");
    assert_eq!(
        lines(&d),
        ["张明党委副书记", "东村党支部12条0", "完善台账逾期3天"]
    );
}

// ---- the built-in templates ----

/// The township's figures of FIGURES.md, with honest discipline figures (not four 10人次).
fn township_figures() -> FigureMap {
    let values: [(&str, f64); 50] = [
        ("理论学习中心组学习次数", 8.0),
        ("读书班期数", 3.0),
        ("集中学习研讨班次数", 4.0),
        ("培训人次", 210.0),
        ("培训班期数", 24.0),
        ("参训人次", 1234.0),
        ("网络专题学习项数", 45.0),
        ("网络专题学习学时", 450.0),
        ("党建工作会次数", 3.0),
        ("班子成员任务完成率", 100.0),
        ("履责汇报专题会议次数", 2.0),
        ("专项监督次数", 8.0),
        ("专项监督发现问题数", 24.0),
        ("党建巡查次数", 4.0),
        ("党建巡查通报问题数", 13.0),
        ("谈心谈话人次", 13.0),
        ("民主生活会查摆方面数", 6.0),
        ("民主生活会查摆问题数", 20.0),
        ("民主生活会整改措施数", 35.0),
        ("巡察反馈问题数", 45.0),
        ("巡察反馈已整改数", 42.0),
        ("巡察整改完成率", 93.3),
        ("村级巡察反馈问题数", 35.0),
        ("村级巡察反馈已整改数", 34.0),
        ("村级巡察整改完成率", 97.1),
        ("单位廉政风险点数", 8.0),
        ("单位廉政风险防控措施数", 16.0),
        ("个人廉政风险点数", 25.0),
        ("个人廉政风险防控措施数", 46.0),
        ("公众号文章数", 430.0),
        ("区级媒体采用数", 310.0),
        ("市级媒体采用数", 210.0),
        ("国家级媒体采用数", 24.0),
        ("志愿服务活动次数", 12.0),
        ("志愿服务参与人次", 1046.0),
        ("发展党员数", 56.0),
        ("发展党员35岁以下人数", 45.0),
        ("发展党员35岁以下占比", 80.3),
        ("党支部数", 16.0),
        ("党员信息完整率", 100.0),
        ("党员信息准确率", 100.0),
        ("警示教育大会和廉政培训次数", 5.0),
        ("廉政履职谈话人次", 243.0),
        ("心得体会篇数", 56.0),
        ("警示教育片部数", 4.0),
        ("第一种形态人次", 9.0),
        ("记过处分人次", 2.0),
        ("严重警告处分人次", 1.0),
        ("开除党籍人次", 1.0),
        ("一把手廉政谈话人次", 10.0),
    ];
    let catalogue = builtin();
    let mut f = FigureMap::with_units(&catalogue);
    // Every other metric of the catalogue gets a plausible value too, for the other templates.
    for (k, m) in catalogue.iter().enumerate() {
        let v = if m.unit == "%" {
            87.5
        } else {
            (k % 13 + 3) as f64
        };
        f.set(&m.name, Some(v)).set_previous(&m.name, Some(v - 1.0));
    }
    f.set("清单任务数", Some(40.0))
        .set("清单任务完成数", Some(35.0));
    f.set("问题总数", Some(60.0))
        .set("已销号问题数", Some(54.0));
    f.set("班子成员清单任务数", Some(30.0))
        .set("班子成员清单任务完成数", Some(30.0));
    for (name, v) in values {
        f.set(name, Some(v));
    }
    f.set_previous("理论学习中心组学习次数", Some(6.0));
    f
}

fn township_context() -> DraftContext {
    DraftContext {
        quarter: Some(4),
        reporter: Some(Reporter {
            name: "张明".into(),
            post: "城关镇党委副书记".into(),
            portfolio: "组织、宣传工作".into(),
        }),
        problems: vec![
            ProblemLine {
                description: "补齐党建短板招法不多，农村党建工作亮点较少".into(),
                category: "组织建设".into(),
                source: "民主生活会".into(),
                status: "整改中".into(),
                org: "中共城关镇委员会".into(),
            },
            ProblemLine {
                description: "个别干部重业务轻党建，党建工作责任传导不够有力。".into(),
                category: "作风建设".into(),
                ..Default::default()
            },
        ],
        next_items: vec![
            ItemLine {
                category: "思想建设".into(),
                description: "强化教育引导，持续加强理论学习".into(),
                deadline: "2024-06-30".into(),
                ..Default::default()
            },
            ItemLine {
                category: "纪律建设".into(),
                description: "丰富警示教育形式，持续做好日常监督。".into(),
                ..Default::default()
            },
        ],
        items: vec![ItemLine {
            category: "组织建设".into(),
            description: "召开党建工作会".into(),
            owner: "李华".into(),
            deadline: "2023-12-31".into(),
            status: "已完成".into(),
            progress: "12月12日召开".into(),
        }],
        overdue_measures: vec![MeasureLine {
            problem: "党费收缴不及时".into(),
            measure: "完善党费收缴台账".into(),
            owner: "王强".into(),
            deadline: "2023-11-30".into(),
            days_overdue: 31,
            org: "东村党支部".into(),
        }],
        branches: vec![
            BranchLine {
                name: "东村党支部".into(),
                records: 14,
                should_hold: 9,
                held: 8,
            },
            BranchLine {
                name: "西村党支部".into(),
                records: 11,
                should_hold: 9,
                held: 9,
            },
        ],
        ..ctx()
    }
}

fn catalogue_names() -> impl Fn(&str) -> bool {
    let names: Vec<String> = builtin().into_iter().map(|m| m.name).collect();
    move |n: &str| names.iter().any(|m| m == n)
}

/// No placeholder a template or a copied report leaves behind.
fn assert_no_leftovers(d: &Draft) {
    let text = d.plain_text();
    for bad in [
        "XX", "xx", "××", "某某", "\u{E000}", "\u{E003}", "{{", "{%", "None", "none",
    ] {
        assert!(!text.contains(bad), "“{bad}” in:\n{text}");
    }
}

#[test]
fn the_builtin_templates_use_only_catalogue_metrics() {
    for b in BuiltinTemplate::ALL {
        let t = Template::parse(b.source(), catalogue_names())
            .unwrap_or_else(|e| panic!("{}: {e}", b.key()));
        assert!(!t.metric_names().is_empty(), "{}", b.key());
        assert_eq!(BuiltinTemplate::from_key(b.key()), Some(b));
        assert_eq!(b.template(), t);
    }
}

#[test]
fn the_annual_template_cites_every_report_figure() {
    let t = BuiltinTemplate::Annual.template();
    for name in REPORT_FIGURES {
        assert!(
            t.metric_names().iter().any(|m| m == name),
            "{name} is not in the annual template"
        );
    }
}

#[test]
fn builtin_templates_render_with_full_figures() {
    let f = township_figures();
    let c = township_context();
    for b in BuiltinTemplate::ALL {
        let d = b
            .template()
            .render(&c, &f)
            .unwrap_or_else(|e| panic!("{}: {e}", b.key()));
        assert!(!d.title.is_empty(), "{}", b.key());
        assert_eq!(d.issuer, "中共城关镇委员会");
        assert_eq!(d.date, "2024年1月5日");
        assert_no_leftovers(&d);
        let numbering: Vec<_> = check_text(&d.plain_text(), &CheckOptions::all())
            .into_iter()
            .filter(|f| f.rule.starts_with("numbering") || f.rule.starts_with("pairing"))
            .collect();
        assert!(numbering.is_empty(), "{}: {numbering:?}", b.key());
    }
}

#[test]
fn the_annual_draft_passes_the_checker() {
    let d = BuiltinTemplate::Annual
        .template()
        .render(&township_context(), &township_figures())
        .unwrap();
    let text = d.plain_text();
    let serious: Vec<_> = check_text(&text, &CheckOptions::all())
        .into_iter()
        .filter(|f| f.severity >= Severity::Warning)
        .collect();
    assert!(serious.is_empty(), "{serious:#?}\n{text}");
    // Every report figure is in the text, bound to its metric; nothing is left blank.
    assert_eq!(d.blanks().count(), 0, "{text}");
    for name in REPORT_FIGURES {
        assert!(
            d.figures()
                .any(|i| matches!(i, Inline::Figure { metric, .. } if metric == name)),
            "{name} is not in the draft"
        );
    }
    assert_eq!(
        d.title,
        "中共城关镇委员会关于2023年度落实全面从严治党主体责任情况的报告"
    );
    assert_eq!(d.addressee, "县委：");
    for expected in [
        "一、工作开展情况",
        "开展党委理论学习中心组学习8次，较上年增加2次。",
        "参训1200余人次",
        "反馈城关镇党委的45个问题中，42个已整改完成，完成率93.3%；",
        "其中35岁以下45人，占比80.3%",
        "开展志愿服务活动10余次，参与1000余人次",
        "二、存在问题",
        "主要是：一是补齐党建短板招法不多，农村党建工作亮点较少。二是个别干部重业务轻党建",
        "三、下一步工作",
        "一是强化教育引导，持续加强理论学习，2024年6月30日前完成。",
    ] {
        assert!(text.contains(expected), "“{expected}” not in:\n{text}");
    }
}

#[test]
fn builtin_templates_render_with_nothing_recorded() {
    let catalogue = builtin();
    let zero = {
        let mut f = FigureMap::with_units(&catalogue);
        for m in &catalogue {
            f.set(&m.name, if m.unit == "%" { None } else { Some(0.0) });
        }
        f
    };
    let empty_lists = DraftContext {
        reporter: None,
        ..ctx()
    };
    for figures in [zero, FigureMap::new()] {
        for b in BuiltinTemplate::ALL {
            let d = b
                .template()
                .render(&empty_lists, &figures)
                .unwrap_or_else(|e| panic!("{}: {e}", b.key()));
            assert_no_leftovers(&d);
            // No invented figures: whatever the records cannot say is a marked blank.
            assert_eq!(d.figures().count(), 0, "{}", b.key());
            assert!(d.blanks().count() >= 2, "{}", b.key());
            let text = d.plain_text();
            assert!(text.contains("【待补充："), "{}", b.key());
            // Numbering stays contiguous when sections vanish.
            let numbering: Vec<_> = check_text(&text, &CheckOptions::all())
                .into_iter()
                .filter(|f| f.rule.starts_with("numbering"))
                .collect();
            assert!(numbering.is_empty(), "{}: {numbering:?}\n{text}", b.key());
            // Every heading has something under it.
            let last = d.blocks.last().unwrap();
            assert!(matches!(last, Block::Paragraph { .. }), "{}", b.key());
        }
    }
    // A context with nothing at all (no name, no dates) still renders.
    for b in BuiltinTemplate::ALL {
        b.template()
            .render(&DraftContext::default(), &FigureMap::new())
            .unwrap_or_else(|e| panic!("{}: {e}", b.key()));
    }
}

#[test]
fn long_lists_render_within_the_work_limit() {
    // A county's quarter: thousands of branches and list items.
    let mut c = township_context();
    c.branches = (0..3000)
        .map(|k| BranchLine {
            name: format!("第{k}党支部"),
            records: k,
            should_hold: 9,
            held: k % 10,
        })
        .collect();
    c.items = (0..2000)
        .map(|k| ItemLine {
            description: format!("事项{k}"),
            owner: "李华".into(),
            deadline: "2023-12-31".into(),
            status: "推进中".into(),
            progress: "按计划推进".into(),
            ..Default::default()
        })
        .collect();
    c.problems = c.problems.iter().cycle().take(500).cloned().collect();
    let f = township_figures();
    for b in BuiltinTemplate::ALL {
        let d = b
            .template()
            .render(&c, &f)
            .unwrap_or_else(|e| panic!("{}: {e}", b.key()));
        assert!(d.blocks.len() > 10);
    }
    let d = BuiltinTemplate::Quarterly
        .template()
        .render(&c, &f)
        .unwrap();
    let text = d.plain_text();
    assert!(
        text.contains("2000.事项1999。责任人：李华。"),
        "{}",
        &text[..2000]
    );
    assert!(text.contains(
        "第2999党支部：本季度记录工作纪实2999条，应开展“三会一课”等组织生活9次，已开展9次。"
    ));
}
