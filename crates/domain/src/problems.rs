//! Problems and their rectification (问题整改台账).
//!
//! A problem moves 待整改 → 整改中 → 已整改待审核 → 已销号; a 回头看 (re-check) after closing
//! either confirms it or reopens it. Every move is a [`Transition`] checked here, so the
//! permission layer and the audit trail see each one.

use crate::Invalid;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemStatus {
    /// 待整改
    Pending,
    /// 整改中
    InProgress,
    /// 已整改待审核
    AwaitingReview,
    /// 已销号
    Closed,
}

impl ProblemStatus {
    pub const ALL: [ProblemStatus; 4] = [
        ProblemStatus::Pending,
        ProblemStatus::InProgress,
        ProblemStatus::AwaitingReview,
        ProblemStatus::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ProblemStatus::Pending => "pending",
            ProblemStatus::InProgress => "in_progress",
            ProblemStatus::AwaitingReview => "awaiting_review",
            ProblemStatus::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ProblemStatus::Pending => "待整改",
            ProblemStatus::InProgress => "整改中",
            ProblemStatus::AwaitingReview => "已整改待审核",
            ProblemStatus::Closed => "已销号",
        }
    }

    pub fn parse(text: &str) -> Result<ProblemStatus, Invalid> {
        let t = text.trim();
        ProblemStatus::ALL
            .into_iter()
            .find(|s| s.code() == t || s.label() == t)
            .ok_or_else(|| Invalid::new("status", "请选择有效的整改状态"))
    }
}

/// A move of a problem's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// 开始整改: 待整改 → 整改中 (also done implicitly when a measure is marked done).
    Start,
    /// 提交审核: 整改中 → 已整改待审核; every measure must be done.
    Submit,
    /// 退回: 已整改待审核 → 整改中.
    Return,
    /// 销号: 已整改待审核 → 已销号; by an approver who did not submit it, with evidence.
    Close,
    /// 回头看, holds: stays 已销号 (recorded as a re-check).
    RecheckHolds,
    /// 回头看, reopened: 已销号 → 整改中.
    Reopen,
}

impl Transition {
    pub fn code(self) -> &'static str {
        match self {
            Transition::Start => "start",
            Transition::Submit => "submit",
            Transition::Return => "return",
            Transition::Close => "close",
            Transition::RecheckHolds => "recheck_holds",
            Transition::Reopen => "reopen",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Transition::Start => "开始整改",
            Transition::Submit => "提交销号审核",
            Transition::Return => "退回整改",
            Transition::Close => "审核销号",
            Transition::RecheckHolds => "回头看：整改成效巩固",
            Transition::Reopen => "回头看：问题反弹，重新整改",
        }
    }

    pub fn parse(text: &str) -> Result<Transition, Invalid> {
        let all = [
            Transition::Start,
            Transition::Submit,
            Transition::Return,
            Transition::Close,
            Transition::RecheckHolds,
            Transition::Reopen,
        ];
        all.into_iter()
            .find(|t| t.code() == text.trim())
            .ok_or_else(|| Invalid::new("action", "不支持的整改操作"))
    }

    /// Whether this move needs the Approve permission (销号, 退回, 回头看) rather than
    /// RecordWork.
    pub fn needs_approver(self) -> bool {
        matches!(
            self,
            Transition::Return | Transition::Close | Transition::RecheckHolds | Transition::Reopen
        )
    }
}

/// What the rules need to know about a problem to decide a move.
#[derive(Debug, Clone)]
pub struct MoveContext {
    pub status: ProblemStatus,
    pub measures: usize,
    pub open_measures: usize,
    /// Evidence files attached to the problem or its measures.
    pub evidence: usize,
    /// The account that submitted it for review (整改人).
    pub submitted_by: Option<i64>,
    /// The account attempting the move.
    pub actor: i64,
}

/// Decides a move: the new status, or why not (in Chinese, on the `action` field).
pub fn apply(t: Transition, c: &MoveContext) -> Result<ProblemStatus, Invalid> {
    use ProblemStatus::*;
    let refuse = |m: &str| Err(Invalid::new("action", m));
    match (t, c.status) {
        (Transition::Start, Pending) => Ok(InProgress),
        (Transition::Submit, Pending | InProgress) => {
            if c.measures == 0 {
                return refuse("请先制定整改措施，再提交销号审核");
            }
            if c.open_measures > 0 {
                return Err(Invalid::new(
                    "action",
                    format!("还有{}条整改措施未完成，不能提交销号审核", c.open_measures),
                ));
            }
            Ok(AwaitingReview)
        }
        (Transition::Return, AwaitingReview) => Ok(InProgress),
        (Transition::Close, AwaitingReview) => {
            if c.submitted_by == Some(c.actor) {
                return refuse("销号须由整改人以外的审核人办理");
            }
            if c.evidence == 0 {
                return refuse("销号须有整改佐证材料，请先上传");
            }
            Ok(Closed)
        }
        (Transition::RecheckHolds, Closed) => Ok(Closed),
        (Transition::Reopen, Closed) => Ok(InProgress),
        (t, s) => Err(Invalid::new(
            "action",
            format!("“{}”状态的问题不能{}", s.label(), t.label()),
        )),
    }
}

/// A problem source (问题来源) of the built-in catalogue: code and name.
pub fn builtin_sources() -> Vec<(&'static str, &'static str)> {
    vec![
        ("inspection_tour", "巡察反馈"),
        ("responsibility_check", "主体责任检查考核"),
        ("special_supervision", "专项监督"),
        ("branch_inspection", "党建巡查"),
        ("democratic_life", "民主生活会查摆"),
        ("org_life", "组织生活会查摆"),
        ("audit", "审计"),
        ("public_report", "群众反映"),
        ("self_check", "自查"),
    ]
}

/// Problem categories offered by default (free text is accepted too).
pub const CATEGORIES: [&str; 8] = [
    "政治建设",
    "思想建设",
    "组织建设",
    "作风建设",
    "纪律建设",
    "制度建设",
    "意识形态",
    "其他",
];

/// A measure's status: 未完成 or 已完成.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureStatus {
    Open,
    Done,
}

impl MeasureStatus {
    pub fn code(self) -> &'static str {
        match self {
            MeasureStatus::Open => "open",
            MeasureStatus::Done => "done",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MeasureStatus::Open => "未完成",
            MeasureStatus::Done => "已完成",
        }
    }

    /// Reads a stored code; anything unknown counts as open (never hides work to do).
    pub fn from_code(code: &str) -> MeasureStatus {
        if code == "done" {
            MeasureStatus::Done
        } else {
            MeasureStatus::Open
        }
    }
}

/// What a history entry (`problem_events.kind`) means, for the timeline.
pub fn event_label(kind: &str) -> &'static str {
    match kind {
        "created" => "录入问题",
        "start" => "开始整改",
        "submit" => "提交销号审核",
        "return" => "退回整改",
        "close" => "审核销号",
        "recheck_holds" => "回头看：整改成效巩固",
        "reopen" => "回头看：问题反弹，重新整改",
        "measure_done" => "整改措施完成",
        "voided" => "作废",
        _ => "其他",
    }
}

/// Longest problem description (one finding of an inspection, sometimes a paragraph).
pub const MAX_DESCRIPTION: usize = 2000;
/// Longest measure text.
pub const MAX_MEASURE: usize = 1000;
/// Most problems entered in one batch.
pub const MAX_BATCH: usize = 500;

pub fn parse_description(text: &str) -> Result<String, Invalid> {
    crate::text::required("description", "问题描述", text, MAX_DESCRIPTION)
}

pub fn parse_category(text: &str) -> Result<String, Invalid> {
    crate::text::line("category", "问题类别", text, 20)
}

pub fn parse_measure_text(text: &str) -> Result<String, Invalid> {
    crate::text::required("description", "整改措施", text, MAX_MEASURE)
}

pub fn parse_owner_name(text: &str) -> Result<String, Invalid> {
    crate::text::line("owner_name", "责任人", text, 40)
}

pub fn parse_note(text: &str) -> Result<String, Invalid> {
    crate::text::optional("note", "说明", text, 1000)
}

/// The reason a ledger row is voided (作废): required, one line.
pub fn parse_void_reason(text: &str) -> Result<String, Invalid> {
    crate::text::required("reason", "作废原因", text, 200).and_then(|r| {
        if r.contains(['\n', '\r']) {
            Err(Invalid::new("reason", "作废原因应为一行文字"))
        } else {
            Ok(r)
        }
    })
}

/// One measure typed on a line of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchMeasure {
    pub line: usize,
    pub description: String,
    /// As typed: a username, a person's name, or empty.
    pub owner: String,
    pub deadline: crate::date::Day,
}

/// One problem typed as a line of a batch (with its measures, which may continue on the
/// following lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchLine {
    pub line: usize,
    pub category: String,
    pub description: String,
    pub measures: Vec<BatchMeasure>,
}

/// A line of a batch that could not be read, with its number (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

/// Strips the numbering an inspection's feedback puts before each finding: `1.`, `2、`,
/// `（3）`, `(4)`, `5．`.
fn strip_numbering(text: &str) -> &str {
    let t = text.trim_start();
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && digits <= 3 {
        let rest = &t[digits..];
        for sep in ['.', '、', '．', ')', '）'] {
            if let Some(r) = rest.strip_prefix(sep) {
                return r.trim_start();
            }
        }
        return t;
    }
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(inner) = t.strip_prefix(open) {
            let n = inner.chars().take_while(|c| c.is_ascii_digit()).count();
            if n > 0 && n <= 3 {
                if let Some(r) = inner[n..].strip_prefix(close) {
                    return r.trim_start();
                }
            }
        }
    }
    t
}

/// Reads the findings of one inspection typed or pasted one problem a line. Columns are
/// separated by `｜`, `|` or tabs (a paste from a spreadsheet):
///
/// - `描述` — the problem only;
/// - `类别｜描述`;
/// - `类别｜描述｜整改措施｜责任人｜整改期限` — with its first measure;
/// - `｜｜整改措施｜责任人｜整改期限` — a further measure of the problem above.
///
/// Empty lines are skipped. Every line is checked; all errors come back with line numbers.
pub fn parse_batch_text(text: &str) -> (Vec<BatchLine>, Vec<LineError>) {
    let mut out: Vec<BatchLine> = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = raw.split(['｜', '|', '\t']).map(str::trim).collect();
        let mut err = |m: String| errors.push(LineError { line, message: m });
        if cols.len() > 5 {
            err(format!(
                "有{}栏，最多5栏（类别｜描述｜整改措施｜责任人｜整改期限）",
                cols.len()
            ));
            continue;
        }
        let (category, description, measure) = match cols.len() {
            1 => ("", cols[0], None),
            2 => (cols[0], cols[1], None),
            _ => (
                cols[0],
                cols[1],
                Some((
                    cols[2],
                    cols.get(3).copied().unwrap_or(""),
                    cols.get(4).copied().unwrap_or(""),
                )),
            ),
        };
        let continuation = category.is_empty() && description.is_empty();
        if continuation && measure.is_none() {
            continue;
        }
        let measure = match measure {
            Some((m, owner, deadline))
                if !(m.is_empty() && owner.is_empty() && deadline.is_empty()) =>
            {
                let parsed = (|| {
                    let description = parse_measure_text(m)?;
                    let owner = parse_owner_name(owner)?;
                    if deadline.is_empty() {
                        return Err(Invalid::new("deadline", "请填写整改期限"));
                    }
                    let deadline = crate::date::Day::parse("deadline", deadline)?;
                    Ok(BatchMeasure {
                        line,
                        description,
                        owner,
                        deadline,
                    })
                })();
                match parsed {
                    Ok(m) => Some(m),
                    Err(e) => {
                        err(e.message);
                        continue;
                    }
                }
            }
            _ => None,
        };
        if continuation {
            match (out.last_mut(), measure) {
                (Some(p), Some(m)) => p.measures.push(m),
                (None, _) => err("续行的整改措施上面没有问题".into()),
                _ => {}
            }
            continue;
        }
        let parsed = (|| {
            Ok::<_, Invalid>((
                parse_category(category)?,
                parse_description(strip_numbering(description))?,
            ))
        })();
        match parsed {
            Ok((category, description)) => out.push(BatchLine {
                line,
                category,
                description,
                measures: measure.into_iter().collect(),
            }),
            Err(e) => err(e.message),
        }
    }
    if out.len() > MAX_BATCH {
        errors.push(LineError {
            line: out[MAX_BATCH].line,
            message: format!("一次最多录入{MAX_BATCH}个问题"),
        });
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(LineError {
            line: 1,
            message: "请至少填写一个问题".into(),
        });
    }
    (out, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(status: ProblemStatus) -> MoveContext {
        MoveContext {
            status,
            measures: 2,
            open_measures: 0,
            evidence: 1,
            submitted_by: Some(7),
            actor: 9,
        }
    }

    #[test]
    fn the_ladder_runs_in_order() {
        use ProblemStatus::*;
        assert_eq!(apply(Transition::Start, &ctx(Pending)).unwrap(), InProgress);
        assert_eq!(
            apply(Transition::Submit, &ctx(InProgress)).unwrap(),
            AwaitingReview
        );
        assert_eq!(
            apply(Transition::Close, &ctx(AwaitingReview)).unwrap(),
            Closed
        );
        assert_eq!(
            apply(Transition::RecheckHolds, &ctx(Closed)).unwrap(),
            Closed
        );
        assert_eq!(apply(Transition::Reopen, &ctx(Closed)).unwrap(), InProgress);
        assert_eq!(
            apply(Transition::Return, &ctx(AwaitingReview)).unwrap(),
            InProgress
        );
        assert!(apply(Transition::Close, &ctx(InProgress)).is_err());
        assert!(apply(Transition::Reopen, &ctx(InProgress)).is_err());
    }

    #[test]
    fn closing_needs_evidence_and_another_person() {
        let mut c = ctx(ProblemStatus::AwaitingReview);
        c.actor = 7;
        assert!(apply(Transition::Close, &c)
            .unwrap_err()
            .message
            .contains("整改人以外"));
        c.actor = 9;
        c.evidence = 0;
        assert!(apply(Transition::Close, &c)
            .unwrap_err()
            .message
            .contains("佐证"));
    }

    #[test]
    fn submitting_needs_every_measure_done() {
        let mut c = ctx(ProblemStatus::InProgress);
        c.open_measures = 1;
        assert!(apply(Transition::Submit, &c)
            .unwrap_err()
            .message
            .contains("1条"));
        c.measures = 0;
        c.open_measures = 0;
        assert!(apply(Transition::Submit, &c).is_err());
    }

    #[test]
    fn statuses_parse_code_or_label() {
        for s in ProblemStatus::ALL {
            assert_eq!(ProblemStatus::parse(s.code()).unwrap(), s);
            assert_eq!(ProblemStatus::parse(s.label()).unwrap(), s);
        }
    }

    #[test]
    fn batch_text_reads_columns_continuations_and_numbering() {
        let text = "政治建设｜1.理论学习不够深入｜制定学习计划｜fushuji｜2024-06-30\n\
                    ｜｜开展专题研讨｜李红梅｜2024/9/30\n\
                    \n\
                    （2）“三会一课”记录不规范\n\
                    组织建设\t党员发展程序不严\t严格发展程序\t孙丽\t2024年12月31日\n";
        let (lines, errors) = parse_batch_text(text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].category, "政治建设");
        assert_eq!(lines[0].description, "理论学习不够深入");
        assert_eq!(lines[0].measures.len(), 2);
        assert_eq!(lines[0].measures[1].owner, "李红梅");
        assert_eq!(lines[0].measures[1].line, 2);
        assert_eq!(lines[0].measures[1].deadline.text(), "2024-09-30");
        assert_eq!(lines[1].line, 4);
        assert_eq!(lines[1].description, "“三会一课”记录不规范");
        assert!(lines[1].measures.is_empty());
        assert_eq!(lines[2].measures[0].deadline.text(), "2024-12-31");
    }

    #[test]
    fn batch_text_errors_carry_line_numbers() {
        let text = "作风｜问题一｜措施｜张三｜明年\n｜｜措施｜张三\n\n a|b|c|d|e|f\n｜｜措施｜李四｜2024-01-01";
        let (lines, errors) = parse_batch_text(text);
        let at: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(at, vec![1, 2, 4, 5], "{errors:?}");
        assert!(errors[0].message.contains("明年"));
        assert!(errors[1].message.contains("整改期限"));
        assert!(errors[2].message.contains("6栏"));
        assert!(lines.is_empty());
        let (_, errors) = parse_batch_text("  \n ");
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn void_reasons_are_required_one_liners() {
        assert!(parse_void_reason(" ").is_err());
        assert!(parse_void_reason("重复录入\n第二行").is_err());
        assert_eq!(parse_void_reason(" 重复录入 ").unwrap(), "重复录入");
    }
}
