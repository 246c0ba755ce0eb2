//! The home page (工作台): each person's desk — their list items due this month, the
//! rectification measures they own that are overdue, the 三会一课 their organizations still owe
//! this period, the problems waiting for their 销号 review — then what they are responsible
//! for and may do.

use super::{render, Layout, PageResult};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use zeren_domain::clock;
use zeren_domain::date::Day;
use zeren_domain::lists::Recurrence;
use zeren_domain::org::OrgKind;
use zeren_domain::permissions::Action;
use zeren_domain::role::Role;
use zeren_storage::{Account, MeetingDue, Org};

/// Rows shown per desk section; the rest are behind "查看全部".
const DESK_ROWS: i64 = 10;

/// Rows shown on a phone (the stylesheet hides the others).
pub const PHONE_ROWS: usize = 5;

/// One row of a desk section: what it is, where and when, and the page that opens it.
pub struct DeskRow {
    pub href: String,
    pub title: String,
    /// The grey line under the title: organization, people, dates.
    pub meta: String,
    /// A short status (逾期12天, 12月31日到期 …) and its badge class.
    pub tag: String,
    pub tag_class: &'static str,
    /// Links under the row, in labelled groups (an organization's meetings still owed, by
    /// period); usually none.
    pub groups: Vec<ChipGroup>,
}

impl DeskRow {
    fn new(
        href: String,
        title: String,
        meta: String,
        tag: String,
        tag_class: &'static str,
    ) -> Self {
        DeskRow {
            href,
            title,
            meta,
            tag,
            tag_class,
            groups: Vec::new(),
        }
    }
}

/// Small links under a row, with a label (本月, 本季度 …).
pub struct ChipGroup {
    pub label: &'static str,
    pub chips: Vec<Chip>,
}

pub struct Chip {
    pub label: String,
    /// Said on hover: 本月应开1次，已开0次.
    pub title: String,
    pub href: String,
}

/// A section of the desk: a count, the first rows, a link to the ledger when there are more,
/// and what to say when there is nothing.
pub struct DeskSection {
    pub id: &'static str,
    pub title: &'static str,
    /// The title in four characters, for the phone's overview.
    pub short: &'static str,
    /// What the section covers, under the title.
    pub hint: String,
    pub total: i64,
    /// The count is a warning (something overdue), not only a number.
    pub alarm: bool,
    pub rows: Vec<DeskRow>,
    /// Not every row is shown: the ledger has the rest.
    pub more: bool,
    pub more_href: String,
    pub empty: &'static str,
}

/// The first characters of a text, with an ellipsis when cut.
fn cut(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(n).collect::<String>())
    }
}

fn days_between(from: &str, to: Day) -> i64 {
    Day::from_stored(from)
        .map(|d| (to.date() - d.date()).whole_days())
        .unwrap_or(0)
}

/// 逾期12天; a long delay in months or years (an item of an earlier year left open).
fn overdue_text(days: i64) -> String {
    match days {
        ..=99 => format!("逾期{days}天"),
        100..=364 => format!("逾期{}个月", days / 30),
        _ => format!("逾期{}年以上", days / 365),
    }
}

/// 本月到期的清单事项: the person's own items and, for the roles that answer for an
/// organization as a whole ([`Permissions::charge_scope`]), the items their organizations
/// carry out.
///
/// [`Permissions::charge_scope`]: zeren_domain::permissions::Permissions::charge_scope
async fn desk_items(
    state: &AppState,
    user: &CurrentUser,
    today: Day,
) -> Result<DeskSection, AppError> {
    let desk = state
        .store
        .desk_items(
            user.account.id,
            &user.perms.scope(Action::ViewOrgs),
            &user.perms.charge_scope(Action::ViewOrgs),
            today,
            DESK_ROWS,
        )
        .await?;
    let rows: Vec<DeskRow> = desk
        .rows
        .into_iter()
        .map(|v| {
            let i = &v.item;
            let (tag, tag_class) = if i.is_overdue(today) {
                (overdue_text(days_between(&i.due_on, today)), "badge-red")
            } else if i.due_on <= today.month_end().text() {
                match Day::from_stored(&i.due_on) {
                    Some(d) if d == today => ("今天到期".to_string(), "badge-amber"),
                    Some(d) => (format!("{}月{}日到期", d.month(), d.day()), "badge-amber"),
                    None => ("本月到期".to_string(), "badge-amber"),
                }
            } else {
                let every = match i.recurrence {
                    Recurrence::Quarterly => "每季度事项",
                    _ => "每月事项",
                };
                (every.to_string(), "badge-blue")
            };
            let mut meta = vec![v.org_name.clone()];
            if let Some(o) = &v.owner {
                meta.push(format!("责任领导 {}", o.name));
            }
            meta.push(format!("{}年 · {}", v.list_year, i.category));
            DeskRow::new(
                format!("/list-items/{}", i.id),
                i.description.clone(),
                meta.join(" · "),
                tag,
                tag_class,
            )
        })
        .collect();
    Ok(DeskSection {
        id: "desk-items",
        short: "本月到期",
        title: "本月到期的清单事项",
        hint: if desk.overdue > 0 {
            format!(
                "截至{}月底需完成的事项，其中已逾期 {} 项",
                today.month(),
                desk.overdue
            )
        } else {
            format!("截至{}月底需完成的事项", today.month())
        },
        total: desk.total,
        alarm: desk.overdue > 0,
        more: desk.total > rows.len() as i64,
        rows,
        more_href: "/lists".into(),
        empty: "本月没有到期的清单事项",
    })
}

/// 我负责的逾期整改措施: measures whose owner is this account (a name typed for someone
/// without an account is not matched: names are not unique).
async fn desk_measures(
    state: &AppState,
    user: &CurrentUser,
    today: Day,
) -> Result<DeskSection, AppError> {
    let (measures, total) = state
        .store
        .overdue_measures(
            &user.perms.scope(Action::ViewOrgs),
            None,
            Some(user.account.id),
            today,
            DESK_ROWS,
        )
        .await?;
    let rows: Vec<DeskRow> = measures
        .into_iter()
        .map(|o| {
            DeskRow::new(
                format!(
                    "/problems/{}#measure-{}",
                    o.measure.problem_id, o.measure.id
                ),
                o.measure.description.clone(),
                format!(
                    "{} · 问题：{} · 期限 {}",
                    o.org_name,
                    cut(&o.problem_description, 40),
                    o.measure.deadline
                ),
                overdue_text(o.days_overdue),
                "badge-red",
            )
        })
        .collect();
    Ok(DeskSection {
        id: "desk-measures",
        short: "逾期措施",
        title: "我负责的逾期整改措施",
        hint: "整改期限已过、尚未完成的措施".into(),
        total,
        alarm: total > 0,
        more: total > rows.len() as i64,
        rows,
        more_href: "/problems?overdue=1&mine=1".into(),
        empty: "没有逾期的整改措施",
    })
}

/// `12月31日前`: the end of the period a meeting is owed in.
fn by_day(d: Day) -> String {
    format!("{}月{}日前", d.month(), d.day())
}

/// 本期尚需召开的会议: the 三会一课 still owed this month, quarter or year by the
/// organizations the person records for as a whole ([`Permissions::charge_scope`]). One
/// branch's are listed kind by kind, each opening the record form; several branches' are
/// listed branch by branch, the kinds owed as links under each.
///
/// [`Permissions::charge_scope`]: zeren_domain::permissions::Permissions::charge_scope
async fn desk_meetings(
    state: &AppState,
    user: &CurrentUser,
    today: Day,
) -> Result<Option<DeskSection>, AppError> {
    let charge = user.perms.charge_scope(Action::RecordWork);
    if charge.is_empty() {
        return Ok(None);
    }
    let due = state.store.meetings_due(&charge, today).await?;
    let total = due.len() as i64;
    let owed = |d: &MeetingDue| {
        format!(
            "{}应开{}次，已开{}次",
            d.frequency.this_period(),
            d.should,
            d.held
        )
    };
    let record_href =
        |d: &MeetingDue| format!("/records/new?org={}&type={}", d.org_id, d.type_code);
    let mut orgs: Vec<i64> = Vec::new();
    for d in &due {
        if !orgs.contains(&d.org_id) {
            orgs.push(d.org_id);
        }
    }
    let (rows, shown_of): (Vec<DeskRow>, usize) = if orgs.len() <= 1 {
        let rows = due
            .iter()
            .take(DESK_ROWS as usize)
            .map(|d| {
                DeskRow::new(
                    record_href(d),
                    format!("{} · {}", d.org_name, d.type_name),
                    owed(d),
                    by_day(d.period.to),
                    "badge-amber",
                )
            })
            .collect();
        (rows, due.len())
    } else {
        let rows = orgs
            .iter()
            .take(DESK_ROWS as usize)
            .map(|&org| {
                let mine: Vec<&MeetingDue> = due.iter().filter(|d| d.org_id == org).collect();
                let short: i64 = mine.iter().map(|d| d.should - d.held).sum();
                let mut groups: Vec<ChipGroup> = Vec::new();
                for d in &mine {
                    let chip = Chip {
                        label: d.type_name.clone(),
                        title: owed(d),
                        href: record_href(d),
                    };
                    match groups
                        .iter_mut()
                        .find(|g| g.label == d.frequency.this_period())
                    {
                        Some(g) => g.chips.push(chip),
                        None => groups.push(ChipGroup {
                            label: d.frequency.this_period(),
                            chips: vec![chip],
                        }),
                    }
                }
                let first = mine[0];
                let mut row = DeskRow::new(
                    format!("/meetings?org={}", first.org_id),
                    first.org_name.clone(),
                    String::new(),
                    format!("尚缺{short}次"),
                    "badge-amber",
                );
                row.groups = groups;
                row
            })
            .collect();
        (rows, orgs.len())
    };
    // The ledger of the first organization the person answers for.
    let more_href = match charge.roots.first().and_then(|r| r.ids().last().copied()) {
        Some(id) => format!("/meetings?org={id}"),
        None => "/meetings".into(),
    };
    Ok(Some(DeskSection {
        id: "desk-meetings",
        short: "待开会议",
        title: "本期尚需召开的会议",
        hint: if orgs.len() > 1 {
            format!(
                "{} 个党组织本月、本季度或本年度还有“三会一课”未开，点击会议名称即可记录",
                orgs.len()
            )
        } else {
            "“三会一课”本月、本季度、本年度应开未开的会议，点击即可记录".into()
        },
        total,
        alarm: false,
        more: shown_of > rows.len(),
        rows,
        more_href,
        empty: "本期“三会一课”均已按要求召开",
    }))
}

/// 待我审核的问题: problems awaiting 销号 review where the person may approve, except those
/// they submitted themselves.
async fn desk_reviews(
    state: &AppState,
    user: &CurrentUser,
    today: Day,
) -> Result<Option<DeskSection>, AppError> {
    let scope = user.perms.scope(Action::Approve);
    if scope.is_empty() {
        return Ok(None);
    }
    let (problems, total) = state
        .store
        .awaiting_review(&scope, user.account.id, today, DESK_ROWS)
        .await?;
    let rows: Vec<DeskRow> = problems
        .into_iter()
        .map(|p| {
            let mut meta = vec![p.org_name.clone(), p.source_name.clone()];
            if !p.submitted_by_name.is_empty() {
                meta.push(format!("{} 提交", p.submitted_by_name));
            }
            let waited = p
                .submitted_at
                .as_deref()
                .map(|at| clock::display_cst(at).chars().take(10).collect::<String>())
                .and_then(|d| Day::from_stored(&d))
                .map(|d| (today.date() - d.date()).whole_days())
                .unwrap_or(0);
            DeskRow::new(
                format!("/problems/{}#moves", p.id),
                p.description.clone(),
                meta.join(" · "),
                if waited > 0 {
                    format!("已等待{waited}天")
                } else {
                    "今天提交".into()
                },
                "status-awaiting_review",
            )
        })
        .collect();
    Ok(Some(DeskSection {
        id: "desk-reviews",
        short: "待我审核",
        title: "待我审核的问题",
        hint: "已整改待审核，须由整改人以外的审核人销号".into(),
        total,
        alarm: false,
        more: total > rows.len() as i64,
        rows,
        more_href: "/problems?status=awaiting_review".into(),
        empty: "没有待您审核的问题",
    }))
}

/// The desk's sections that concern this person: lists and measures for those who record or
/// own anything, meetings for those who answer for organizations, reviews for approvers.
async fn desk(
    state: &AppState,
    user: &CurrentUser,
    today: Day,
) -> Result<Vec<DeskSection>, AppError> {
    let works = user.perms.can_somewhere(Action::RecordWork);
    // Four independent reads: at once, each on its own connection.
    let (items, measures, reviews, meetings) = tokio::try_join!(
        desk_items(state, user, today),
        desk_measures(state, user, today),
        desk_reviews(state, user, today),
        desk_meetings(state, user, today),
    )?;
    let mut out = Vec::new();
    if works || items.total > 0 {
        out.push(items);
    }
    if works || measures.total > 0 {
        out.push(measures);
    }
    out.extend(reviews);
    out.extend(meetings);
    Ok(out)
}

const WEEKDAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];

/// `2026年12月6日 星期日`.
fn today_label(today: Day) -> String {
    let w = today.date().weekday().number_days_from_monday() as usize;
    format!("{} 星期{}", today.chinese(), WEEKDAYS[w % 7])
}

pub struct Stat {
    pub label: &'static str,
    pub value: i64,
    pub href: &'static str,
}

pub struct Shortcut {
    pub label: &'static str,
    pub href: &'static str,
    pub note: &'static str,
}

/// One of the user's roles, where it applies, and what it answers for.
pub struct Duty {
    pub role: &'static str,
    pub org: String,
    pub text: &'static str,
}

/// What each role answers for (主体责任 and 监督责任 as the glossary puts them).
fn duty_text(role: Role) -> &'static str {
    match role {
        Role::Admin => "维护组织架构、账户和授权，保障系统安全运行；可查看审计日志，不接触执纪问责信息。",
        Role::Secretary => "履行全面从严治党第一责任人职责：重要工作亲自部署、重大问题亲自过问、重点环节亲自协调、重要案件亲自督办。",
        Role::Leader => "落实“一岗双责”：对分管领域的全面从严治党工作负直接领导责任，推动分管领域任务落实。",
        Role::Inspector => "履行监督责任：监督检查本级和下级党组织落实主体责任情况，可查看执纪问责信息和审计日志。",
        Role::Clerk => "做好党务工作纪实：会议、谈话、检查、整改等工作随做随记、附上佐证。",
        Role::BranchSecretary => "抓好本支部党建：落实“三会一课”、主题党日、组织生活会等制度，记录支部工作。",
        Role::Viewer => "以上级党组织身份查看下级组织落实主体责任的情况（只读）。",
    }
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub today: String,
    pub desk: Vec<DeskSection>,
    pub duties: Vec<Duty>,
    pub layout: Layout,
    pub scope_names: Vec<String>,
    pub stats: Vec<Stat>,
    pub leaders: Vec<Account>,
    pub branches: Vec<Org>,
    pub shortcuts: Vec<Shortcut>,
}

pub async fn index(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    let today = Day::today();
    let desk = desk(&state, &user, today).await?;
    let scope = user.perms.scope(Action::ViewOrgs);
    let orgs = state.store.orgs_in(&scope).await?;
    let scope_names: Vec<String> = orgs
        .iter()
        .filter(|o| scope.roots.contains(&o.path))
        .map(|o| o.name.clone())
        .collect();
    let branch_count = orgs
        .iter()
        .filter(|o| o.active && o.kind == OrgKind::Branch)
        .count() as i64;
    let mut stats = vec![
        Stat {
            label: "组织",
            value: orgs.iter().filter(|o| o.active).count() as i64,
            href: "/orgs",
        },
        Stat {
            label: "党支部",
            value: branch_count,
            href: "/orgs",
        },
    ];
    // The leadership and their portfolios (一岗双责) are shown to everyone in the scope.
    let all_accounts = state.store.accounts_in(&scope).await?;
    let leaders: Vec<Account> = all_accounts
        .iter()
        .filter(|a| a.active && !a.portfolio.is_empty())
        .cloned()
        .collect();
    if user.perms.can_somewhere(Action::ViewAccounts) {
        stats.push(Stat {
            label: "账户",
            value: all_accounts.iter().filter(|a| a.active).count() as i64,
            href: "/accounts",
        });
    }
    if user.perms.can_at_top(Action::ViewAudit) {
        stats.push(Stat {
            label: "审计记录",
            value: state.store.audit_count().await?,
            href: "/audit",
        });
    }
    // Branches directly visible to a branch secretary or a committee member.
    let branches: Vec<Org> = orgs
        .iter()
        .filter(|o| o.active && matches!(o.kind, OrgKind::Branch | OrgKind::GeneralBranch))
        .take(24)
        .cloned()
        .collect();
    let mut shortcuts = Vec::new();
    if user.perms.can_somewhere(Action::ManageOrgs) {
        shortcuts.push(Shortcut {
            label: "新建组织",
            href: "/orgs/new",
            note: "在组织树中增设党总支、党支部",
        });
    }
    if user.perms.can_somewhere(Action::ManageAccounts) {
        shortcuts.push(Shortcut {
            label: "新建账户",
            href: "/accounts/new",
            note: "为班子成员、支部书记、党务工作者开通账户",
        });
    }
    if user.perms.can_at_top(Action::ViewAudit) {
        shortcuts.push(Shortcut {
            label: "校验审计链",
            href: "/audit?verify=1",
            note: "检查操作记录是否被篡改",
        });
    }
    if user.perms.can_somewhere(Action::CheckReports) {
        shortcuts.push(Shortcut {
            label: "报告体检",
            href: "/check",
            note: "检查报告草稿中的占位符、跳号、数字矛盾等问题",
        });
    }
    shortcuts.push(Shortcut {
        label: "组织架构",
        href: "/orgs",
        note: "查看本级及下级组织",
    });
    shortcuts.push(Shortcut {
        label: "我的权限",
        href: "/me",
        note: "查看本人角色及可办理事项",
    });
    let duties = state
        .store
        .grant_rows(user.account.id)
        .await?
        .into_iter()
        .map(|g| Duty {
            role: g.role.label(),
            org: g.org_name,
            text: duty_text(g.role),
        })
        .collect();
    let page = HomePage {
        today: today_label(today),
        desk,
        duties,
        layout: Layout::new(&user, "home", "工作台"),
        scope_names,
        stats,
        leaders,
        branches,
        shortcuts,
    };
    Ok(render(&page))
}
