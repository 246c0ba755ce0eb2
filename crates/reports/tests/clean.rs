//! A report as Zeren generates it from records must come out clean of classes 1–4
//! (placeholder, numbering, pairing, figures), and ordinary prose must not raise alarms.

use zeren_reports::checker::{check, check_text, CheckOptions, Document, Severity};

const GENERATED: &str = "\
2024年度中共青山镇委员会落实全面从严治党主体责任情况的报告
2024年，青山镇党委坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻党的二十大和二十届二中、三中全会精神，扎实开展党纪学习教育。现将有关情况报告如下：
一、强化理论武装
（一）抓实理论学习
全年开展党委理论学习中心组学习12次，其中专题研讨6次；举办“比学践悟”专题读书班3期，参训党员干部210人次。
（二）抓好教育培训
开办党校培训班、青年干部培训班共8期，参训人次达1200余人次。依托网络平台完成专题学习45项，累计450学时。
二、压实责任链条
（一）责任清单
制定《青山镇党委2024年全面从严治党工作要点》，班子成员任务完成率达到100％。
1.季度调度。每季度末召开调度会1次，全年共4次。
2.督查督办。开展专项监督8次，督促整改问题24个，已整改22个，整改完成率91.7％。
（二）问题整改
对2023年区委巡察反馈的45个问题，已整改完成42个，完成率93.3％；反馈村级党组织的35个问题中，34个已整改完成，完成率97.1％。
三、存在问题
主要是：一是理论学习还不够深入；二是压力传导还有层层递减的现象；三是监督方式还不够多样。
四、下一步工作
1.持续深化理论武装，巩固拓展主题教育成果。
2.严格落实“两个责任”，召开党委会专题研究全面从严治党工作2次、专项会议3次，共计5次。
3.全年发展党员56名，其中35岁以下45名，占比80.4％。
中共青山镇委员会
2025年1月5日
";

#[test]
fn generated_report_is_clean_of_classes_1_to_4() {
    let fs = check_text(GENERATED, &CheckOptions::all());
    let bad: Vec<_> = fs
        .iter()
        .filter(|f| {
            ["placeholder", "numbering", "pairing", "figures"]
                .iter()
                .any(|r| f.rule.starts_with(r))
        })
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    let serious: Vec<_> = fs
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");
}

#[test]
fn generated_report_as_markdown_and_paragraphs_is_clean() {
    let md: String = GENERATED
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("# {l}\n\n")
            } else {
                format!("{l}\n\n")
            }
        })
        .collect();
    let fs = check(&Document::from_markdown(&md), &CheckOptions::all());
    assert!(fs.is_empty(), "{fs:#?}");
    let doc = Document::from_paragraphs(
        GENERATED
            .lines()
            .enumerate()
            .map(|(i, l)| (l, if i == 0 { Some(0) } else { None })),
    );
    let fs = check(&doc, &CheckOptions::all());
    assert!(fs.is_empty(), "{fs:#?}");
}

#[test]
fn highlight_offsets_point_into_source() {
    let t = "2023年度XX镇工作总结\n一、甲\n三、乙“丙，丁。";
    let doc = Document::from_text(t);
    let src: Vec<char> = doc.source().chars().collect();
    let fs = check(&doc, &CheckOptions::all());
    assert!(fs.len() >= 3);
    for f in &fs {
        assert_eq!(src[f.start..f.end].iter().collect::<String>(), f.text);
    }
    // Sorted by position.
    assert!(fs.windows(2).all(|w| w[0].start <= w[1].start));
}

/// Ordinary sentences of such reports, none of which is a defect.
#[test]
fn ordinary_prose_raises_no_alarm() {
    let text = "\
2022年度县委办公室党支部工作总结
2022年以来，支部坚持以党的政治建设为统领，认真落实“第一议题”制度，全年召开支委会12次、党员大会4次，讲授专题党课4次。
一、主要做法
（一）强化政治引领
深入学习贯彻党的二十大精神，组织党员集中学习研讨6次，撰写心得体会30余篇。党的十八大以来，全面从严治党取得历史性、开创性成就。
（二）夯实基层基础
严格落实“三会一课”、主题党日等制度，全年发展党员3名，其中女党员2名。按照“一村一策”要求，整顿软弱涣散党组织2个，整顿完成率100%。
1.规范组织生活。对照《中国共产党支部工作条例（试行）》，逐项规范会议记录。
2.加强党员管理。完成党员信息采集，截至目前共采集党员信息86条，准确率100%。
（1）及时转接组织关系。全年转入党员5名、转出3名。
（2）按月收缴党费，党费收缴率达到100%。
二、存在问题
一是理论学习的深度还不够；二是党建与业务融合还不紧密；三是个别党员先锋模范作用发挥不明显。究其原因，主要是思想认识不到位，工作方法不够多样。
三、下一步打算
持续巩固拓展主题教育成果，扎实推进“十四五”规划各项任务落实，为全县经济社会高质量发展提供坚强保证。
中共XX县委办公室支部委员会
2023年1月10日
";
    let fs = check_text(text, &CheckOptions::all());
    let noisy: Vec<_> = fs
        .iter()
        .filter(|f| !(f.rule == "placeholder.x" && f.line == 16))
        .collect();
    assert!(noisy.is_empty(), "{noisy:#?}");
}
