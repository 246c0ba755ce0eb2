//! Export of a report draft: the .docx is unzipped and its XML read back to check the GB/T 9704
//! layout element by element; then LibreOffice renders it to PDF and the PDF's geometry (title
//! centred, margins, page numbers right on odd and left on even pages) and fonts are checked,
//! and its pages are saved as PNG in `target/report-pages/` to be looked at.
//!
//! LibreOffice and poppler-utils must be installed (libreoffice-writer-nogui, poppler-utils,
//! fonts-noto-cjk, fonts-arphic-ukai); the test fails, never skips, without them.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use quick_xml::events::Event;
use quick_xml::Reader;
use zeren_reports::checker::{check, CheckOptions, Document};
use zeren_reports::draft::{Block, Draft, Inline};
use zeren_reports::export::{to_docx, to_markdown, to_pdf, to_text, ExportError, Format};

// ---------------------------------------------------------------------------------------------
// The draft

fn t(s: &str) -> Inline {
    Inline::Text { text: s.into() }
}

fn fig(metric: &str, s: &str) -> Inline {
    Inline::Figure {
        metric: metric.into(),
        text: s.into(),
        value: s.parse().ok(),
        previous: false,
    }
}

fn heading(level: u8, s: &str) -> Block {
    Block::Heading {
        level,
        content: vec![t(s)],
    }
}

fn para(content: Vec<Inline>) -> Block {
    Block::Paragraph { content }
}

const TITLE: &str = "中共青石镇委员会关于2024年度落实全面从严治党主体责任情况的报告";
const HINT: &str = "2025年度重点工作安排";

fn sample() -> Draft {
    Draft {
        title: TITLE.into(),
        addressee: "县委：".into(),
        blocks: vec![
            para(vec![
                t("2024年，镇党委坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党的二十大和二十届三中全会精神，认真履行管党治党政治责任。全年召开党委会"),
                fig("meetings.committee", "24"),
                t("次，其中专题研究全面从严治党工作"),
                fig("meetings.committee.discipline", "6"),
                t("次。现将有关情况报告如下："),
            ]),
            heading(1, "一、坚持政治引领，压紧压实管党治党责任"),
            heading(2, "（一）健全责任体系"),
            para(vec![
                t("制定全面从严治党主体责任清单和年度工作要点，明确党委书记第一责任人、班子成员“一岗双责”的具体任务，逐级签订责任书"),
                fig("lists.signed", "31"),
                t("份，形成一级抓一级、层层抓落实的工作格局。"),
            ]),
            heading(3, "1.细化任务分工"),
            para(vec![t(
                "将年度任务分解为四个方面二十项具体措施，逐项明确牵头领导、责任单位和完成时限，每季度调度一次进展情况，对推进缓慢的事项及时督办，确保各项任务按时保质完成。",
            )]),
            heading(4, "（1）班子成员履职情况"),
            para(vec![
                t("班子成员按照分工到联系村（社区）调研指导"),
                fig("visits.leaders", "86"),
                t("次，讲授专题党课"),
                fig("lessons.leaders", "12"),
                t("次，督促指导分管领域落实党风廉政建设责任。"),
            ]),
            heading(2, "（二）抓实问题整改"),
            para(vec![
                t("对上级巡察反馈的问题，逐条制定整改措施，明确责任人和整改时限。反馈问题"),
                fig("problems.total", "45"),
                t("个，已整改完成"),
                fig("problems.closed", "42"),
                t("个，完成率"),
                fig("problems.rate", "93.3%"),
                t("，其余问题正按计划推进，实行销号管理。"),
            ]),
            heading(1, "二、存在的问题和下一步打算"),
            para(vec![t(
                "对照上级要求，我镇全面从严治党工作还存在一些不足：一是个别党员干部理论学习不够深入，学用结合有差距；二是基层党组织书记抓党建的能力仍需提升；三是监督执纪“四种形态”运用还不够精准。",
            )]),
            para(vec![
                t("下一步，镇党委将坚持问题导向，"),
                Inline::Blank { hint: HINT.into() },
                t("，推动全面从严治党向纵深发展，为全镇经济社会高质量发展提供坚强保障。"),
            ]),
        ],
        issuer: "中共青石镇委员会".into(),
        date: "2025年1月8日".into(),
    }
}

// ---------------------------------------------------------------------------------------------
// A small XML tree read with quick-xml

#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    text: String,
}

impl Node {
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Attribute of a child: `p.get("w:pPr/w:jc", "w:val")`.
    fn get(&self, path: &str, key: &str) -> Option<&str> {
        let mut node = self;
        for name in path.split('/') {
            node = node.child(name)?;
        }
        node.attr(key)
    }

    fn all<'a>(&'a self, name: &str, out: &mut Vec<&'a Node>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.all(name, out);
        }
    }

    fn find_all(&self, name: &str) -> Vec<&Node> {
        let mut out = Vec::new();
        self.all(name, &mut out);
        out
    }

    /// The printed text of a paragraph or run: w:t text, w:br as a line break.
    fn printed(&self) -> String {
        let mut s = String::new();
        for c in &self.children {
            match c.name.as_str() {
                "w:t" => s.push_str(&c.text),
                "w:br" => s.push('\n'),
                _ => s.push_str(&c.printed()),
            }
        }
        s
    }
}

fn parse(xml: &str) -> Node {
    let mut reader = Reader::from_str(xml);
    let mut stack = vec![Node::default()];
    let open = |e: &quick_xml::events::BytesStart| Node {
        name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                    a.unescape_value().unwrap().into_owned(),
                )
            })
            .collect(),
        ..Node::default()
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(open(&e)),
            Event::Empty(e) => {
                let n = open(&e);
                stack.last_mut().unwrap().children.push(n);
            }
            Event::End(_) => {
                let n = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(n);
            }
            Event::Text(x) => stack.last_mut().unwrap().text += &x.decode().unwrap(),
            Event::GeneralRef(r) => {
                let s = match r.decode().unwrap().as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity {other}"),
                };
                stack.last_mut().unwrap().text += s;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unbalanced XML");
    stack.pop().unwrap()
}

fn unzip(bytes: &[u8]) -> HashMap<String, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip file");
    let mut parts = HashMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).expect("UTF-8 part");
        parts.insert(f.name().to_string(), s);
    }
    parts
}

/// (ascii, hAnsi, eastAsia) fonts and size of a run.
fn run_face(r: &Node) -> (&str, &str, &str, &str) {
    (
        r.get("w:rPr/w:rFonts", "w:ascii").unwrap_or("?"),
        r.get("w:rPr/w:rFonts", "w:hAnsi").unwrap_or("?"),
        r.get("w:rPr/w:rFonts", "w:eastAsia").unwrap_or("?"),
        r.get("w:rPr/w:sz", "w:val").unwrap_or("?"),
    )
}

fn is_bold(r: &Node) -> bool {
    r.child("w:rPr")
        .and_then(|p| p.child("w:b"))
        .is_some_and(|b| !matches!(b.attr("w:val"), Some("0") | Some("false")))
}

fn is_on(node: Option<&Node>) -> bool {
    node.is_some_and(|n| !matches!(n.attr("w:val"), Some("0") | Some("false") | Some("off")))
}

const TNR: &str = "Times New Roman";

// ---------------------------------------------------------------------------------------------
// The .docx, part by part

#[test]
fn docx_has_the_official_layout() {
    let draft = sample();
    let bytes = to_docx(&draft).expect("export");
    let parts = unzip(&bytes);

    // The package: every part declared and every relationship resolving.
    let types = parse(&parts["[Content_Types].xml"]);
    let overrides: Vec<&str> = types
        .find_all("Override")
        .iter()
        .map(|o| o.attr("PartName").unwrap())
        .collect();
    for part in [
        "word/document.xml",
        "word/styles.xml",
        "word/settings.xml",
        "word/fontTable.xml",
        "word/footer1.xml",
        "word/footer2.xml",
        "docProps/core.xml",
        "docProps/app.xml",
    ] {
        assert!(parts.contains_key(part), "{part} missing");
        assert!(
            overrides.contains(&format!("/{part}").as_str()),
            "{part} not declared"
        );
    }
    let package_rels = parse(&parts["_rels/.rels"]);
    for r in package_rels.find_all("Relationship") {
        assert!(parts.contains_key(r.attr("Target").unwrap()), "{r:?}");
    }
    let rels: HashMap<String, String> = parse(&parts["word/_rels/document.xml.rels"])
        .find_all("Relationship")
        .iter()
        .map(|r| {
            let target = format!("word/{}", r.attr("Target").unwrap());
            assert!(parts.contains_key(&target), "{target} missing");
            (r.attr("Id").unwrap().to_string(), target)
        })
        .collect();
    let core = parse(&parts["docProps/core.xml"]);
    assert_eq!(core.find_all("dc:title")[0].text, TITLE);

    let doc = parse(&parts["word/document.xml"]);

    // Page: A4 and the margins of GB/T 9704.
    let sect = doc.find_all("w:sectPr")[0];
    assert_eq!(sect.get("w:pgSz", "w:w"), Some("11906"));
    assert_eq!(sect.get("w:pgSz", "w:h"), Some("16838"));
    let margins: Vec<Option<&str>> = ["w:top", "w:bottom", "w:left", "w:right"]
        .iter()
        .map(|k| sect.get("w:pgMar", k))
        .collect();
    assert_eq!(
        margins,
        vec![Some("2098"), Some("1984"), Some("1588"), Some("1474")]
    );
    assert_eq!(sect.get("w:docGrid", "w:linePitch"), Some("579"));

    // Odd (default) and even footers.
    let mut footers = HashMap::new();
    for f in sect.find_all("w:footerReference") {
        let target = &rels[f.attr("r:id").unwrap()];
        footers.insert(f.attr("w:type").unwrap().to_string(), target.clone());
    }
    assert_eq!(footers.len(), 2, "{footers:?}");
    for (kind, jc, side) in [("default", "right", "w:right"), ("even", "left", "w:left")] {
        let footer = parse(&parts[&footers[kind]]);
        let p = &footer.find_all("w:p")[0];
        assert_eq!(p.get("w:pPr/w:jc", "w:val"), Some(jc), "{kind} footer");
        // One character of 四号 (14 pt) in from the edge.
        assert_eq!(p.get("w:pPr/w:ind", side), Some("280"), "{kind} footer");
        let chars: Vec<&str> = p
            .find_all("w:fldChar")
            .iter()
            .map(|f| f.attr("w:fldCharType").unwrap())
            .collect();
        assert_eq!(chars, ["begin", "separate", "end"], "{kind} footer");
        let instr: String = p.find_all("w:instrText").iter().map(|i| &*i.text).collect();
        assert_eq!(instr.trim(), "PAGE", "{kind} footer");
        assert_eq!(p.printed(), "— 1 —", "{kind} footer");
        for r in p.find_all("w:r") {
            let (ascii, _, east, sz) = run_face(r);
            assert_eq!((ascii, east, sz), ("宋体", "宋体", "28"), "{kind} footer");
        }
    }
    let settings = parse(&parts["word/settings.xml"]);
    assert!(
        is_on(settings.find_all("w:evenAndOddHeaders").first().copied()),
        "settings.xml must switch on odd and even footers"
    );

    // Paragraphs in order: title, blank line, addressee, the body, blank line, issuer, date.
    let paras = doc.find_all("w:p");
    let texts: Vec<String> = paras.iter().map(|p| p.printed()).collect();
    let body_count = draft.blocks.len();
    assert_eq!(paras.len(), 3 + body_count + 3, "{texts:#?}");

    for p in &paras {
        // Exact 28 pt lines everywhere.
        assert_eq!(p.get("w:pPr/w:spacing", "w:line"), Some("560"));
        assert_eq!(p.get("w:pPr/w:spacing", "w:lineRule"), Some("exact"));
        for r in p.find_all("w:r") {
            let (ascii, hansi, _, _) = run_face(r);
            assert_eq!((ascii, hansi), (TNR, TNR), "{}", p.printed());
        }
    }

    // 标题: 二号 方正小标宋简体, centred, not bold, broken into two lines, upper not longer.
    let title = paras[0];
    assert_eq!(title.get("w:pPr/w:jc", "w:val"), Some("center"));
    assert_eq!(title.get("w:pPr/w:pStyle", "w:val"), Some("Title"));
    assert_eq!(texts[0].replace('\n', ""), TITLE);
    let lines: Vec<&str> = texts[0].split('\n').collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].chars().count() <= lines[1].chars().count(),
        "{lines:?}"
    );
    for r in title
        .find_all("w:r")
        .iter()
        .filter(|r| r.child("w:t").is_some())
    {
        assert_eq!(run_face(r), (TNR, TNR, "方正小标宋简体", "44"));
        assert!(!is_bold(r));
    }
    assert_eq!(texts[1], "", "a blank line below the title");

    // 主送机关: flush left.
    assert_eq!(texts[2], "县委：");
    assert_eq!(paras[2].get("w:pPr/w:jc", "w:val"), Some("left"));
    assert_eq!(paras[2].get("w:pPr/w:ind", "w:firstLine"), Some("0"));

    // The body: fonts per heading level, 三号, first line indented two characters.
    for (block, p) in draft.blocks.iter().zip(&paras[3..3 + body_count]) {
        assert_eq!(p.printed(), zeren_reports::draft::block_text(block));
        assert_eq!(p.get("w:pPr/w:ind", "w:firstLine"), Some("640"));
        let (font, bold, style) = match block {
            Block::Heading { level: 1, .. } => ("黑体", false, Some("Heading1")),
            Block::Heading { level: 2, .. } => ("楷体_GB2312", false, Some("Heading2")),
            Block::Heading { level: 3, .. } => ("仿宋_GB2312", true, Some("Heading3")),
            Block::Heading { level: 4, .. } => ("仿宋_GB2312", false, Some("Heading4")),
            Block::Heading { .. } => unreachable!(),
            Block::Paragraph { .. } => ("仿宋_GB2312", false, None),
        };
        assert_eq!(p.get("w:pPr/w:pStyle", "w:val"), style, "{}", p.printed());
        let runs = p.find_all("w:r");
        assert_eq!(runs.len(), block.content().len());
        for (r, inline) in runs.iter().zip(block.content()) {
            assert_eq!(run_face(r), (TNR, TNR, font, "32"), "{}", r.printed());
            assert_eq!(is_bold(r), bold, "{}", r.printed());
            let highlight = r.get("w:rPr/w:highlight", "w:val");
            match inline {
                Inline::Blank { .. } => {
                    assert_eq!(r.printed(), format!("【待补充：{HINT}】"));
                    assert_eq!(highlight, Some("yellow"));
                }
                _ => assert_eq!(highlight, None, "{}", r.printed()),
            }
        }
    }
    // Figures print as their text.
    assert!(texts.iter().any(|t| t.contains("完成率93.3%，")));

    // Signature: a blank line, the issuer two characters from the right, the date below it
    // starting two characters right of the issuer (8 − 6 = 2 characters from the right).
    let n = paras.len();
    assert_eq!(texts[n - 3], "");
    assert_eq!(texts[n - 2], "中共青石镇委员会");
    assert_eq!(texts[n - 1], "2025年1月8日");
    for p in &paras[n - 2..] {
        assert_eq!(p.get("w:pPr/w:jc", "w:val"), Some("right"));
        assert_eq!(p.get("w:pPr/w:ind", "w:right"), Some("640"));
        assert_eq!(p.get("w:pPr/w:ind", "w:firstLine"), Some("0"));
    }

    // Styles: defaults of 三号 仿宋_GB2312 with Times New Roman, headings with outline levels.
    let styles = parse(&parts["word/styles.xml"]);
    let defaults = styles.find_all("w:rPrDefault")[0];
    assert_eq!(
        defaults.get("w:rPr/w:rFonts", "w:eastAsia"),
        Some("仿宋_GB2312")
    );
    assert_eq!(defaults.get("w:rPr/w:rFonts", "w:ascii"), Some(TNR));
    assert_eq!(defaults.get("w:rPr/w:sz", "w:val"), Some("32"));
    for level in 1..=4 {
        let style = styles
            .find_all("w:style")
            .into_iter()
            .find(|s| s.attr("w:styleId") == Some(&format!("Heading{level}")))
            .expect("heading style");
        assert_eq!(
            style.get("w:name", "w:val"),
            Some(&*format!("heading {level}"))
        );
        assert_eq!(
            style.get("w:pPr/w:outlineLvl", "w:val"),
            Some(&*(level - 1).to_string())
        );
    }

    // The checker reads the levels back.
    let read = Document::from_docx(&bytes).expect("the checker reads the export");
    let levels: Vec<(String, Option<u8>)> = read
        .paragraphs
        .iter()
        .map(|p| (p.text.clone(), p.heading))
        .collect();
    assert_eq!(levels[0], (lines[0].to_string(), Some(0)));
    for (text, level) in [
        ("一、坚持政治引领，压紧压实管党治党责任", 1),
        ("（一）健全责任体系", 2),
        ("1.细化任务分工", 3),
        ("（1）班子成员履职情况", 4),
    ] {
        assert!(
            levels.contains(&(text.to_string(), Some(level))),
            "{levels:#?}"
        );
    }
}

#[test]
fn docx_export_is_deterministic_and_escapes_text() {
    let mut draft = sample();
    draft.blocks.push(para(vec![t("A&B <c> \"d\"\u{1}")]));
    let a = to_docx(&draft).unwrap();
    assert_eq!(a, to_docx(&draft).unwrap());
    let doc = parse(&unzip(&a)["word/document.xml"]);
    let texts: Vec<String> = doc.find_all("w:p").iter().map(|p| p.printed()).collect();
    assert!(texts.contains(&"A&B <c> \"d\"".to_string()), "{texts:#?}");
}

#[test]
fn a_date_longer_than_the_issuer_keeps_two_characters_and_pushes_the_issuer_left() {
    let mut draft = sample();
    draft.issuer = "青石镇党委".into(); // 5 characters
    draft.date = "2025年12月18日".into(); // 7 characters
    let doc = parse(&unzip(&to_docx(&draft).unwrap())["word/document.xml"]);
    let paras = doc.find_all("w:p");
    let n = paras.len();
    // The issuer's first character two characters left of the date's: 7 − 5 + 4 = 6.
    assert_eq!(paras[n - 2].get("w:pPr/w:ind", "w:right"), Some("1920"));
    assert_eq!(paras[n - 1].get("w:pPr/w:ind", "w:right"), Some("640"));
}

#[test]
fn an_empty_draft_is_still_a_valid_document() {
    let draft = Draft {
        title: String::new(),
        addressee: String::new(),
        blocks: vec![],
        issuer: String::new(),
        date: String::new(),
    };
    let parts = unzip(&to_docx(&draft).unwrap());
    let doc = parse(&parts["word/document.xml"]);
    assert!(doc.find_all("w:sectPr").len() == 1);
    assert!(doc.find_all("w:p").is_empty());
}

// ---------------------------------------------------------------------------------------------
// Markdown and text

#[test]
fn markdown_has_headings_one_level_below_the_title() {
    let md = to_markdown(&sample());
    let lines: Vec<&str> = md.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], format!("# {TITLE}"));
    assert_eq!(lines[1], "县委：");
    assert!(lines.contains(&"## 一、坚持政治引领，压紧压实管党治党责任"));
    assert!(lines.contains(&"### （一）健全责任体系"));
    assert!(lines.contains(&"#### 1\\.细化任务分工") || lines.contains(&"#### 1.细化任务分工"));
    assert!(lines.contains(&"##### （1）班子成员履职情况"));
    assert!(md.contains(&format!("**【待补充：{HINT}】**")));
    assert!(md.contains("完成率93.3%，"));
    assert_eq!(
        &lines[lines.len() - 2..],
        ["中共青石镇委员会", "2025年1月8日"]
    );
    assert!(md.ends_with("2025年1月8日\n"));
}

#[test]
fn the_checker_reads_the_same_report_from_every_format() {
    let draft = sample();
    let docx = Document::from_docx(&to_docx(&draft).unwrap()).unwrap();
    let md = Document::from_markdown(&to_markdown(&draft));
    let txt = Document::from_text(&to_text(&draft));
    let found = |doc: &Document| {
        let mut f: Vec<(String, String)> = check(doc, &CheckOptions::all())
            .into_iter()
            .map(|f| (f.rule, f.text))
            .collect();
        f.sort();
        f
    };
    let from_txt = found(&txt);
    // The blank is reported as a slot to fill in, wherever it is read from.
    assert!(
        from_txt
            .iter()
            .any(|(rule, text)| rule.starts_with("placeholder") && text.contains("待补充")),
        "{from_txt:#?}"
    );
    assert_eq!(found(&md), from_txt, "Markdown");
    assert_eq!(found(&docx), from_txt, ".docx");
}

#[test]
fn markdown_escapes_what_would_be_markup() {
    let draft = Draft {
        title: "标题".into(),
        addressee: String::new(),
        blocks: vec![
            para(vec![t("1. 不是列表")]),
            para(vec![t("# 不是标题 *也不加粗* [不是链接]")]),
        ],
        issuer: String::new(),
        date: String::new(),
    };
    let md = to_markdown(&draft);
    assert!(md.contains("\n1\\. 不是列表\n"), "{md}");
    assert!(
        md.contains("\n\\# 不是标题 \\*也不加粗\\* \\[不是链接\\]\n"),
        "{md}"
    );
}

#[test]
fn text_indents_paragraphs_with_two_full_width_spaces() {
    let text = to_text(&sample());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], TITLE);
    assert_eq!(lines[1], "");
    assert_eq!(lines[2], "县委：");
    assert!(lines[3].starts_with("\u{3000}\u{3000}2024年，镇党委"));
    assert!(lines.contains(&"\u{3000}\u{3000}（一）健全责任体系"));
    assert!(text.contains(&format!("【待补充：{HINT}】")));
    assert_eq!(
        &lines[lines.len() - 3..],
        ["", "中共青石镇委员会", "2025年1月8日"]
    );
    assert!(text.ends_with("2025年1月8日\n"));
}

#[test]
fn formats_parse() {
    assert_eq!("docx".parse::<Format>().unwrap(), Format::Docx);
    assert_eq!("pdf".parse::<Format>().unwrap(), Format::Pdf);
    assert_eq!("md".parse::<Format>().unwrap(), Format::Markdown);
    assert_eq!("txt".parse::<Format>().unwrap(), Format::Text);
    assert!(matches!(
        "rtf".parse::<Format>(),
        Err(ExportError::UnknownFormat(_))
    ));
}

// ---------------------------------------------------------------------------------------------
// PDF through LibreOffice, looked at through poppler

fn pages_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is target/tmp; the pages go beside it.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("report-pages");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn poppler(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} (package poppler-utils) must be installed: {e}"));
    assert!(
        out.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A line of text as `pdftotext -bbox` places its words: page (1-based), the words joined,
/// and the box in points from the page's top left.
#[derive(Debug)]
struct Line {
    page: usize,
    text: String,
    x0: f64,
    y0: f64,
    x1: f64,
}

/// The PDF's lines (words on one page with the same top joined) and its page size.
fn pdf_lines(pdf: &Path) -> (Vec<Line>, f64, f64) {
    let html = poppler("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"]);
    let num = |s: &str, key: &str| -> f64 {
        let at = s.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
        s[at..at + s[at..].find('"').unwrap()].parse().unwrap()
    };
    let (mut out, mut page, mut w, mut h) = (Vec::<Line>::new(), 0, 0.0, 0.0);
    for tag in html.lines().map(str::trim) {
        if tag.starts_with("<page ") {
            page += 1;
            w = num(tag, "width");
            h = num(tag, "height");
        } else if tag.starts_with("<word ") {
            let text = tag[tag.find('>').unwrap() + 1..tag.rfind("</word>").unwrap()]
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">");
            let (x0, y0, x1) = (num(tag, "xMin"), num(tag, "yMin"), num(tag, "xMax"));
            match out.last_mut() {
                Some(l) if l.page == page && (l.y0 - y0).abs() < 2.0 => {
                    l.text.push_str(&text);
                    l.x1 = x1;
                }
                _ => out.push(Line {
                    page,
                    text,
                    x0,
                    y0,
                    x1,
                }),
            }
        }
    }
    (out, w, h)
}

const PT_PER_TWIP: f64 = 1.0 / 20.0;

fn near(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

#[test]
fn pdf_renders_in_the_official_layout() {
    let draft = sample();
    let docx = to_docx(&draft).unwrap();
    let pdf = match to_pdf(&docx) {
        Ok(pdf) => pdf,
        Err(e) => panic!(
            "PDF export needs LibreOffice (apt-get install libreoffice-writer-nogui \
             fonts-noto-cjk fonts-arphic-ukai poppler-utils): {e}"
        ),
    };
    assert!(pdf.starts_with(b"%PDF"));
    let dir = pages_dir();
    let pdf_path = dir.join("sample.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();
    std::fs::write(dir.join("sample.docx"), &docx).unwrap();

    let info = poppler("pdfinfo", &[pdf_path.to_str().unwrap()]);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .expect("pdfinfo prints the page count")
        .trim()
        .parse()
        .unwrap();
    assert!(pages >= 2, "the sample fills more than one page: {pages}");

    // Pages as PNG, to be looked at.
    for f in std::fs::read_dir(&dir).unwrap().flatten() {
        if f.path().extension().is_some_and(|e| e == "png") {
            std::fs::remove_file(f.path()).unwrap();
        }
    }
    let prefix = dir.join("sample");
    poppler(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "60",
            pdf_path.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let pngs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|f| f.path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    assert_eq!(pngs.len(), pages, "{pngs:?}");
    for p in &pngs {
        assert!(
            std::fs::metadata(p).unwrap().len() > 1000,
            "{}",
            p.display()
        );
    }
    eprintln!("pages rendered to {}", dir.display());

    // Fonts: the aliases reached LibreOffice (仿宋 and 宋体 → Noto Serif CJK, 黑体 → Noto
    // Sans CJK, 楷体 → AR PL UKai when installed), and Times New Roman's metric twin.
    let fonts = poppler("pdffonts", &[pdf_path.to_str().unwrap()]);
    for face in ["NotoSerifCJK", "NotoSansCJK", "LiberationSerif"] {
        assert!(fonts.contains(face), "{face} not used:\n{fonts}");
    }
    if Path::new("/usr/share/fonts/truetype/arphic/ukai.ttc").exists() {
        assert!(
            fonts.contains("UKai"),
            "楷体 not drawn with AR PL UKai:\n{fonts}"
        );
    }

    // Geometry, in points from the top left.
    let (lines, width, height) = pdf_lines(&pdf_path);
    assert!(near(width, 11906.0 * PT_PER_TWIP, 1.0), "A4 width: {width}");
    assert!(
        near(height, 16838.0 * PT_PER_TWIP, 1.0),
        "A4 height: {height}"
    );
    let left = 1588.0 * PT_PER_TWIP;
    let right = width - 1474.0 * PT_PER_TWIP;
    let top = 2098.0 * PT_PER_TWIP;
    let text_bottom = height - 1984.0 * PT_PER_TWIP;
    let body: Vec<&Line> = lines.iter().filter(|l| l.y0 < text_bottom).collect();
    let find = |start: &str| {
        body.iter()
            .find(|l| l.text.starts_with(start))
            .unwrap_or_else(|| panic!("no line starts with {start}: {body:#?}"))
    };

    // Each page is numbered "— N —" about 7 mm (19.8 pt) below the text block: odd pages one
    // 14 pt character in from the right edge of the text block, even pages from the left.
    for page in 1..=pages {
        let footer: Vec<&Line> = lines
            .iter()
            .filter(|l| l.page == page && l.y0 >= text_bottom)
            .collect();
        assert_eq!(footer.len(), 1, "page {page}: {footer:?}");
        let number = footer[0];
        assert_eq!(number.text, format!("—{page}—"), "page {page}");
        if page % 2 == 1 {
            assert!(near(number.x1, right - 14.0, 3.0), "odd page: {number:?}");
        } else {
            assert!(near(number.x0, left + 14.0, 3.0), "even page: {number:?}");
        }
        assert!(
            near(number.y0 - text_bottom, 19.8, 6.0),
            "page {page}: {number:?}"
        );
    }

    // The text stays in the text block (156 × 225 mm from 37 mm and 28 mm).
    for l in &body {
        assert!(
            l.x0 >= left - 1.0 && l.x1 <= right + 1.0,
            "{l:?} outside the margins"
        );
        assert!(l.y0 >= top - 1.0, "{l:?} above the top margin");
    }

    // The title's two lines are centred; a blank line, then the addressee at the margin.
    let title_lines = [&lines[0], &lines[1]];
    assert_eq!(
        format!("{}{}", title_lines[0].text, title_lines[1].text),
        TITLE
    );
    for l in title_lines {
        assert!(
            near((l.x0 + l.x1) / 2.0, (left + right) / 2.0, 2.0),
            "{l:?}"
        );
    }
    let addressee = find("县委：");
    assert!(near(addressee.x0, left, 1.5), "{addressee:?}");
    // Two 28 pt rows below the title's last line (its glyphs are taller, hence the slack).
    let gap = addressee.y0 - title_lines[1].y0;
    assert!(
        (48.0..70.0).contains(&gap),
        "addressee {gap} pt below the title"
    );

    // Body text: first lines two characters in, 28 characters a full line, 28 pt apart.
    let opening = find("2024年，");
    assert!(near(opening.x0, left + 32.0, 1.5), "{opening:?}");
    let second = body
        .iter()
        .find(|l| l.page == 1 && near(l.y0, opening.y0 + 28.0, 0.5))
        .expect("the opening's second line");
    assert_eq!(second.text.chars().count(), 28, "{second:?}");
    assert!(
        near(second.x0, left, 1.5) && near(second.x1, right, 1.5),
        "{second:?}"
    );
    for page in 1..=pages {
        let ys: Vec<f64> = body
            .iter()
            .filter(|l| l.page == page && l.y0 > addressee.y0 - 1.0)
            .map(|l| l.y0)
            .collect();
        for pair in ys.windows(2) {
            let steps = (pair[1] - pair[0]) / 28.0;
            assert!(
                near(steps, steps.round(), 0.02),
                "page {page}: lines at {pair:?}"
            );
        }
    }
    // 22 lines a page: title (2), blank, then 19 lines on the first page.
    assert_eq!(body.iter().filter(|l| l.page == 1).count(), 21);

    // Headings keep the body's indent.
    for heading in [
        "一、坚持政治引领",
        "（一）健全责任体系",
        "1.细化任务分工",
        "（1）班子成员",
    ] {
        let l = find(heading);
        assert!(near(l.x0, left + 32.0, 1.5), "{l:?}");
    }

    // Signature: a blank line after the body, the issuer two characters from the right, the
    // date below starting two characters right of the issuer's first character.
    let exact = |text: &str| {
        body.iter()
            .find(|l| l.text == text)
            .unwrap_or_else(|| panic!("no line {text}: {body:#?}"))
    };
    let (issuer, date) = (exact("中共青石镇委员会"), exact("2025年1月8日"));
    let last_body = body
        .iter()
        .rfind(|l| l.page == issuer.page && l.y0 < issuer.y0)
        .expect("body above the signature");
    assert!(
        near(issuer.y0 - last_body.y0, 56.0, 0.5),
        "one blank line before the issuer"
    );
    assert!(near(date.y0 - issuer.y0, 28.0, 0.5));
    assert!(near(issuer.x1, right - 32.0, 2.0), "{issuer:?}");
    // The date's first character sits two characters right of the issuer's in Word; the
    // .docx says so with a right indent of (8 − 6) characters. LibreOffice ignores the
    // documents' "no extra space between Chinese and digits" and prints the date a little
    // wider, so only its right edge is checked here.
    assert!(near(date.x1, right - 32.0, 2.0), "{date:?} vs {issuer:?}");
}
