//! Time of the .docx export for a report of about 20 pages, beside python-docx writing the
//! same paragraphs with the same formatting (when python3 with python-docx is installed:
//! Debian package python3-docx). Target: under 100 ms; it should be about 1 ms.
//!
//! Run with `cargo bench -p zeren-reports --bench export`.

use std::hint::black_box;
use std::process::Command;
use std::time::Instant;

use serde_json::json;
use zeren_reports::draft::{block_text, Block, Draft, Inline};
use zeren_reports::export::{to_docx, to_markdown, to_text};

const PARAS: &[&str] = &[
    "坚持把学习贯彻习近平新时代中国特色社会主义思想作为首要政治任务，通过党委理论学习中心组学习、“三会一课”、书记讲党课等形式，组织全镇党员干部及时学、跟进学、反复学，全年开展中心组学习",
    "建立完善组织协调和督促落实机制，定期通报主体责任履行情况。镇党委书记坚决扛起全面从严治党第一责任人职责，年中和年底召开专题会议听取班子成员履行从严治党主体责任情况汇报，约谈",
    "对上级巡察反馈的问题逐条制定整改措施，明确责任人和整改时限，实行销号管理。反馈镇党委的问题已整改完成，完成率达到要求，其余问题正按计划推进，召开专题民主生活会，开展谈心谈话",
    "按照结构要求完成发展党员的指标任务，其中35岁以下的占比符合要求，各村均达到要求。完善党费收缴台账，严格执行党费收缴标准，按时足额上缴党费，组织党员参加志愿服务活动",
];
const HEADINGS: &[(u8, &str)] = &[
    (1, "强化理论武装，提高全面从严治党的思想自觉"),
    (2, "加强统筹谋划，形成工作合力"),
    (3, "细化任务分工"),
    (4, "班子成员履职情况"),
];

/// 20 pages: 22 lines of 28 characters a page, less the ends of paragraphs and headings'
/// lines, hold some 10,000 characters of body (checked by rendering it with LibreOffice).
fn draft() -> Draft {
    let mut blocks = Vec::new();
    let mut chars = 0;
    let mut k = 0usize;
    while chars < 10_000 {
        if k.is_multiple_of(5) {
            let (level, text) = HEADINGS[(k / 5) % HEADINGS.len()];
            blocks.push(Block::Heading {
                level,
                content: vec![Inline::Text { text: text.into() }],
            });
        }
        let mut content = vec![
            Inline::Text {
                text: PARAS[k % PARAS.len()].into(),
            },
            Inline::Figure {
                metric: "meetings".into(),
                text: (8 + k % 13).to_string(),
                value: Some((8 + k % 13) as f64),
                previous: false,
            },
            Inline::Text {
                text: "次，取得了明显成效，各项工作有序推进。".into(),
            },
        ];
        if k % 17 == 16 {
            content.push(Inline::Blank {
                hint: "典型做法".into(),
            });
        }
        let block = Block::Paragraph { content };
        chars += block_text(&block).chars().count();
        blocks.push(block);
        k += 1;
    }
    Draft {
        title: "中共青石镇委员会关于2024年度落实全面从严治党主体责任情况的报告".into(),
        addressee: "县委：".into(),
        blocks,
        issuer: "中共青石镇委员会".into(),
        date: "2025年1月8日".into(),
    }
}

/// The draft's paragraphs for the python script: kind, level, and runs with a blank flag.
fn paragraphs_json(d: &Draft) -> serde_json::Value {
    let mut paras = vec![json!({"kind": "title", "level": 0, "runs": [[d.title, false]]})];
    paras.push(json!({"kind": "title", "level": 0, "runs": []}));
    paras.push(json!({"kind": "body", "level": 4, "runs": [[d.addressee, false]]}));
    for b in &d.blocks {
        let level = match b {
            Block::Heading { level, .. } => *level,
            Block::Paragraph { .. } => 4,
        };
        let runs: Vec<_> = b
            .content()
            .iter()
            .map(|i| json!([i.printed(), matches!(i, Inline::Blank { .. })]))
            .collect();
        paras.push(json!({"kind": "body", "level": level, "runs": runs}));
    }
    paras.push(json!({"kind": "body", "level": 4, "runs": []}));
    paras.push(json!({"kind": "right", "level": 4, "runs": [[d.issuer, false]]}));
    paras.push(json!({"kind": "right", "level": 4, "runs": [[d.date, false]]}));
    json!({ "paragraphs": paras })
}

fn main() {
    let draft = draft();
    let chars: usize = draft
        .blocks
        .iter()
        .map(|b| block_text(b).chars().count())
        .sum();
    let docx = to_docx(&draft).expect("export");
    // Kept for a look (and a page count) beside the test's pages.
    let keep = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/report-pages");
    if std::fs::create_dir_all(keep).is_ok() {
        let _ = std::fs::write(format!("{keep}/bench.docx"), &docx);
    }
    let runs = 200;
    let t = Instant::now();
    for _ in 0..runs {
        black_box(to_docx(black_box(&draft)).unwrap());
    }
    let ours = t.elapsed().as_secs_f64() / runs as f64;
    println!(
        "draft: {} blocks, {chars} characters (about {} pages)",
        draft.blocks.len(),
        chars / 500
    );
    println!(
        "to_docx:       {:>8.3} ms  ({} bytes)",
        ours * 1e3,
        docx.len()
    );
    for (name, f) in [
        ("to_markdown", to_markdown as fn(&Draft) -> String),
        ("to_text", to_text),
    ] {
        let t = Instant::now();
        for _ in 0..runs {
            black_box(f(black_box(&draft)));
        }
        println!(
            "{name}:{:>w$.3} ms",
            t.elapsed().as_secs_f64() / runs as f64 * 1e3,
            w = 15 - name.len() + 8
        );
    }

    match python_docx(&draft) {
        Ok((ms, bytes)) => println!(
            "python-docx:   {ms:>8.3} ms  ({bytes} bytes); to_docx is {:.0}× faster",
            ms / (ours * 1e3)
        ),
        Err(why) => println!("python-docx:   not measured: {why}"),
    }
    let ok = ours < 0.1;
    println!(
        "target < 100 ms for a 20-page report: {}",
        if ok { "met" } else { "NOT MET" }
    );
    if !ok {
        std::process::exit(1);
    }
}

/// Mean time of python-docx for the same paragraphs, from the first python3 that has it.
fn python_docx(draft: &Draft) -> Result<(f64, u64), String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/python_docx.py");
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let input = dir.path().join("draft.json");
    std::fs::write(&input, paragraphs_json(draft).to_string()).map_err(|e| e.to_string())?;
    let mut tried = Vec::new();
    for python in ["python3", "/usr/bin/python3"] {
        let has = Command::new(python)
            .args(["-c", "import docx"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !has {
            tried.push(python);
            continue;
        }
        let out = Command::new(python)
            .arg(script)
            .arg(&input)
            .arg("20")
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
        return Ok((
            v["ms"].as_f64().unwrap_or(f64::NAN),
            v["bytes"].as_u64().unwrap_or(0),
        ));
    }
    Err(format!(
        "python-docx is not installed for {} (apt-get install python3-docx)",
        tried.join(" or ")
    ))
}
