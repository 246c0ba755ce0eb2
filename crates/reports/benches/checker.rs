//! Throughput of the checker with all rules on, on realistic report text of 10 KB, 1 MB and
//! 10 MB; ns/byte staying flat across sizes shows the checker is linear. Target: ≥ 20 MB/s.
//!
//! Run with `cargo bench -p zeren-reports`.

use std::hint::black_box;
use std::time::Instant;

use zeren_reports::checker::{check, CheckOptions, Document};

/// Paragraphs in the style of the seeds, with figures, quotes, headings and a few defects.
const PARAS: &[&str] = &[
    "一是深入开展理论学习，认真贯彻党的二十大精神。坚持把学习贯彻习近平新时代中国特色社会主义思想作为首要政治任务，通过党委理论学习中心组学习、“三会一课”、书记讲党课等形式，组织全镇党员干部及时学、跟进学、反复学。今年以来，开展党委理论学习中心组学习{a}次，举办“比学践悟”专题读书班3期，培训人次达{b}人次。",
    "二是健全工作机制，推动压力传导。建立完善组织协调和督促落实机制，定期通报主体责任履行情况。镇党委书记坚决扛起全面从严治党第一责任人职责，年中和年底2次召开专题会议听取班子成员履行从严治党主体责任情况汇报，对软弱涣散党组织书记进行约谈，督促“一村一策”整顿整改到位。",
    "三是坚持问题导向，抓好问题整改。截至目前，反馈镇党委的45个问题中，42个已整改完成，完成率93.3％；反馈村级党组织的35个问题中，34个已整改完成，完成率97.1％。召开专题民主生活会，深入开展谈心谈话{c}人次，查摆问题20条，制定整改措施35条。",
    "四是落实意识形态主体责任制。今年利用公众号发布文章430篇，区级媒体转载采用310篇，市级媒体刊发210篇，国家级媒体（新华社）刊发24篇。开展困难群众慰问、农村人居环境清整等志愿服务活动10余次，参与人数1000余人次。",
    "五是履行好发展党员工作制度。按照结构要求完成发展56名党员的指标任务，其中45人年龄在35岁以下，占比80.4％，10个村均达到要求。完善党费收缴台账，严格执行党费收缴标准，按时足额上缴党费，完整率100％、准确率100％。",
    "主要是：一是补齐党建短板招法不多，破解新形势下党建难题的办法不够多。二是重业务轻党建思想未彻底根除，个别镇村干部只重业务工作，不重党建工作。三是落实全面从严治党的力度还不够，存在“上热下冷”“上紧下松”现象。",
    "坚持以制度管人管事，规范党员干部权力运行。认真落实“民主集中制”，发挥党委会作用，对于重大事项，均由集体讨论决定。重新修订完善了《XX乡机关考勤制度》《工作责任追究制度》等规定，截止目前已全部印发。",
];

const HEADINGS: &[&str] = &[
    "强化理论武装",
    "加强组织领导",
    "扎紧制度笼子",
    "加强作风建设",
    "主要问题和不足",
];

/// Build about `bytes` of report text: a title, then numbered sections of varied paragraphs.
fn report(bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 4096);
    s.push_str("2023年度镇落实全面从严治党主体责任情况的报告\n");
    let mut k = 0usize;
    let mut section = 0u32;
    while s.len() < bytes {
        if k.is_multiple_of(6) {
            section += 1;
            let n =
                ["一", "二", "三", "四", "五", "六", "七", "八", "九"][(section as usize - 1) % 9];
            if section > 1 && (section - 1).is_multiple_of(9) {
                s.push_str("2023年度镇落实全面从严治党主体责任情况的报告\n");
            }
            s.push_str(&format!("{n}、{}\n", HEADINGS[k % HEADINGS.len()]));
        }
        let p = PARAS[k % PARAS.len()]
            .replace("{a}", &(8 + k % 7).to_string())
            .replace("{b}", &(200 + k % 97).to_string())
            .replace("{c}", &(13 + k % 11).to_string());
        s.push_str(&p);
        s.push('\n');
        k += 1;
    }
    s
}

fn main() {
    let opts = CheckOptions::all();
    println!(
        "{:>8} {:>10} {:>12} {:>10} {:>10} {:>9}",
        "size", "chars", "time/run", "MB/s", "ns/byte", "findings"
    );
    let mut worst: f64 = f64::MAX;
    for (label, size) in [
        ("10 KB", 10_000),
        ("1 MB", 1_000_000),
        ("10 MB", 10_000_000),
    ] {
        let text = report(size);
        // Parse once outside the loop too, to report parsing and checking together below.
        let runs = (20_000_000 / text.len()).clamp(3, 2000);
        let mut findings = 0;
        // Warm up (LazyLock tables, allocator).
        findings += check(&Document::from_text(&text), &opts).len();
        let t = Instant::now();
        for _ in 0..runs {
            let doc = Document::from_text(black_box(&text));
            findings = black_box(check(&doc, &opts)).len();
        }
        let per = t.elapsed().as_secs_f64() / runs as f64;
        let mbs = text.len() as f64 / per / 1e6;
        worst = worst.min(mbs);
        println!(
            "{label:>8} {:>10} {:>10.3}ms {:>10.1} {:>10.2} {:>9}",
            text.chars().count(),
            per * 1e3,
            mbs,
            per * 1e9 / text.len() as f64,
            findings
        );
    }
    // A 10,000-character report must check in under 1 ms.
    let ten_k: String = report(40_000).chars().take(10_000).collect();
    let t = Instant::now();
    let runs = 500;
    for _ in 0..runs {
        black_box(check(&Document::from_text(black_box(&ten_k)), &opts));
    }
    let per = t.elapsed().as_secs_f64() / runs as f64;
    println!("10,000 characters: {:.3} ms", per * 1e3);
    let ok = worst >= 20.0 && per < 1e-3;
    println!(
        "target ≥ 20 MB/s and < 1 ms per 10,000 characters: {}",
        if ok { "met" } else { "NOT MET" }
    );
    if !ok {
        std::process::exit(1);
    }
}
