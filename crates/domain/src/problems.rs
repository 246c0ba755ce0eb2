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
}
