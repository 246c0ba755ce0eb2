//! A report draft (报告草稿): the structured text that templates render, users edit, the
//! checker reads and the exporters write. Figures stay bound to the metric they came from, so
//! that each can link to its records and be refreshed when the records change.

use serde::{Deserialize, Serialize};

/// A drafted report: title, optional addressee, numbered sections and paragraphs, and the
/// issuer and date that close an official document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// 标题, e.g. "中共××镇委员会关于2023年度落实全面从严治党主体责任情况的报告".
    pub title: String,
    /// 主送机关, e.g. "县委：" (empty when the report has none).
    #[serde(default)]
    pub addressee: String,
    pub blocks: Vec<Block>,
    /// 发文机关署名, e.g. "中共××镇委员会".
    #[serde(default)]
    pub issuer: String,
    /// 成文日期 in the official form "2024年1月5日" (Arabic digits, no zero padding).
    #[serde(default)]
    pub date: String,
}

/// One block of the body: a heading of level 1–4 (`一、` `（一）` `1.` `（1）`, the number
/// part of the text) or a body paragraph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    Heading { level: u8, content: Vec<Inline> },
    Paragraph { content: Vec<Inline> },
}

/// A run of a block's text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Inline {
    Text {
        text: String,
    },
    /// A figure bound to a metric of the catalogue (数据指标) over the draft's organization
    /// and period (or the previous period for year-on-year phrases): `text` is the figure as
    /// printed ("12", "93.3%", "1200余"), `value` the metric's value when it was drafted.
    Figure {
        metric: String,
        text: String,
        value: Option<f64>,
        #[serde(default)]
        previous: bool,
    },
    /// Where the records cannot say anything: a visibly marked blank (待补充) the user fills
    /// in, never invented text. `hint` says what belongs there.
    Blank {
        hint: String,
    },
}

impl Draft {
    /// The draft as plain text, one paragraph a line: title, addressee, the blocks, issuer
    /// and date (empty parts left out). This is what the checker (报告体检) reads.
    pub fn plain_text(&self) -> String {
        let mut lines: Vec<String> = Vec::with_capacity(self.blocks.len() + 4);
        lines.push(self.title.clone());
        lines.push(self.addressee.clone());
        lines.extend(self.blocks.iter().map(block_text));
        lines.push(self.issuer.clone());
        lines.push(self.date.clone());
        lines.retain(|l| !l.trim().is_empty());
        lines.join("\n")
    }

    /// Every figure of the draft, in order: (metric, printed text, value, previous period).
    pub fn figures(&self) -> impl Iterator<Item = &Inline> {
        self.blocks
            .iter()
            .flat_map(|b| b.content())
            .filter(|i| matches!(i, Inline::Figure { .. }))
    }

    /// Every blank (待补充) of the draft, in order.
    pub fn blanks(&self) -> impl Iterator<Item = &str> {
        self.blocks
            .iter()
            .flat_map(|b| b.content())
            .filter_map(|i| match i {
                Inline::Blank { hint } => Some(hint.as_str()),
                _ => None,
            })
    }
}

impl Block {
    pub fn content(&self) -> &[Inline] {
        match self {
            Block::Heading { content, .. } | Block::Paragraph { content } => content,
        }
    }
}

impl Inline {
    /// The text as it is printed; a blank prints as "【待补充：hint】".
    pub fn printed(&self) -> String {
        match self {
            Inline::Text { text } | Inline::Figure { text, .. } => text.clone(),
            Inline::Blank { hint } => format!("【待补充：{hint}】"),
        }
    }
}

/// A block's printed text.
pub fn block_text(block: &Block) -> String {
    block.content().iter().map(Inline::printed).collect()
}
