//! Problems and rectification (问题整改台账): every operation pages and the API share.
//!
//! Reading needs ViewOrgs over the problem's organization (otherwise 404: its existence is not
//! revealed); recording, changing and voiding need RecordWork; 销号, 退回 and 回头看 need Approve
//! ([`Transition::needs_approver`]), and 销号 is refused to the one who submitted the problem
//! (decided in the domain rules, inside the transaction).

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::AppState;
use zeren_domain::date::Day;
use zeren_domain::evidence;
use zeren_domain::permissions::Action;
use zeren_domain::problems::{self as rules, MoveContext, ProblemStatus, Transition};
use zeren_domain::Invalid;
use zeren_storage::{
    Account, AttachmentLink, Measure, MeasureChange, NewBatch, NewMeasure, NewProblem, Org,
    Problem, ProblemBatch, ProblemChange,
};

/// A number from a path; anything else is "not found".
pub fn parse_id(id: &str, what: &'static str) -> Result<i64, AppError> {
    id.trim()
        .parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or(AppError::NotFound(what))
}

/// A problem the user may see, or 404.
pub async fn visible(state: &AppState, user: &CurrentUser, id: &str) -> Result<Problem, AppError> {
    let id = parse_id(id, "该问题")?;
    match state.store.problem(id).await {
        Ok(p) if user.perms.can(Action::ViewOrgs, &p.org_path) => Ok(p),
        _ => Err(AppError::NotFound("该问题")),
    }
}

/// A measure (with its problem) the user may see, or 404.
pub async fn visible_measure(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<(Measure, Problem), AppError> {
    let id = parse_id(id, "该整改措施")?;
    let m = state
        .store
        .problem_measure(id)
        .await
        .map_err(|_| AppError::NotFound("该整改措施"))?;
    let p = state
        .store
        .problem(m.problem_id)
        .await
        .map_err(|_| AppError::NotFound("该整改措施"))?;
    if !user.perms.can(Action::ViewOrgs, &p.org_path) {
        return Err(AppError::NotFound("该整改措施"));
    }
    Ok((m, p))
}

pub async fn visible_batch(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<ProblemBatch, AppError> {
    let id = parse_id(id, "该批次")?;
    match state.store.problem_batch(id).await {
        Ok(b) if user.perms.can(Action::ViewOrgs, &b.org_path) => Ok(b),
        _ => Err(AppError::NotFound("该批次")),
    }
}

fn require(user: &CurrentUser, action: Action, p: &Problem) -> Result<(), AppError> {
    if user.perms.can(action, &p.org_path) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// An organization to record a problem against: one the user may record work for. Unknown
/// and out-of-scope organizations get the same answer.
pub fn org_for_recording(
    user: &CurrentUser,
    org: Result<Org, AppError>,
    field: &'static str,
) -> Result<Org, AppError> {
    let refuse = || Invalid::new(field, "组织不存在或不在您的工作范围内");
    let org = org.map_err(|_| refuse())?;
    if !user.perms.can(Action::RecordWork, &org.path) {
        return Err(refuse().into());
    }
    if !org.active {
        return Err(Invalid::new(field, "该组织已停用").into());
    }
    Ok(org)
}

pub async fn org_by_code(state: &AppState, code: &str) -> Result<Org, AppError> {
    Ok(state.store.org_by_code(code.trim()).await?)
}

/// An organization by its id or its code ([`zeren_storage::org_by_reference`]), from the
/// kept organization tree.
pub async fn org_by_ref(state: &AppState, reference: &str) -> Result<Org, AppError> {
    let tree = state.store.org_tree().await?;
    zeren_storage::org_by_reference(&tree, reference)
        .cloned()
        .ok_or(AppError::NotFound("该组织"))
}

/// A problem source by code or name, among those in use.
pub async fn parse_source(state: &AppState, text: &str) -> Result<String, AppError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Invalid::new("source", "请选择问题来源").into());
    }
    let sources = state.store.problem_sources().await?;
    sources
        .into_iter()
        .find(|(c, n)| c == t || n == t)
        .map(|(c, _)| c)
        .ok_or_else(|| Invalid::new("source", "请选择有效的问题来源").into())
}

/// A day typed by the user; empty means today.
pub fn day_or_today(field: &'static str, text: &str) -> Result<Day, Invalid> {
    if text.trim().is_empty() {
        Ok(Day::today())
    } else {
        Day::parse(field, text)
    }
}

/// Who owns a measure, as given.
#[derive(Debug, Clone)]
pub enum OwnerInput {
    None,
    /// An account's username (API `owner`): must exist within the user's view.
    Username(String),
    /// A name typed for someone without an account (API `owner_name`).
    Name(String),
    /// Text typed on a page: a username, the display name of one account in view, or a name.
    Guess(String),
}

/// A measure as typed or sent, before validation.
#[derive(Debug, Clone)]
pub struct MeasureInput {
    /// Where it was typed (e.g. "第3行"), for messages; `None` names it by its position.
    pub label: Option<String>,
    pub description: String,
    pub owner: OwnerInput,
    pub deadline: String,
}

/// The accounts a user may name as owners: those homed in the user's view.
pub struct OwnerBook {
    accounts: Vec<Account>,
}

impl OwnerBook {
    pub async fn load(state: &AppState, user: &CurrentUser) -> Result<Self, AppError> {
        let accounts = state
            .store
            .accounts_in(&user.perms.scope(Action::ViewOrgs))
            .await?;
        Ok(Self { accounts })
    }

    fn by_username(&self, name: &str) -> Option<&Account> {
        let n = name.trim().to_ascii_lowercase();
        self.accounts.iter().find(|a| a.username == n && a.active)
    }

    /// (account, name typed) for the measure's owner fields.
    pub fn resolve(&self, owner: &OwnerInput) -> Result<(Option<i64>, String), Invalid> {
        match owner {
            OwnerInput::None => Ok((None, String::new())),
            OwnerInput::Username(u) => {
                let u = rules::parse_owner_name(u).map_err(|e| Invalid::new("owner", e.message))?;
                match self.by_username(&u) {
                    Some(a) => Ok((Some(a.id), String::new())),
                    None => Err(Invalid::new(
                        "owner",
                        format!("找不到用户名为“{u}”的账户，或不在您的工作范围内"),
                    )),
                }
            }
            OwnerInput::Name(n) => Ok((None, rules::parse_owner_name(n)?)),
            OwnerInput::Guess(text) => {
                let t = rules::parse_owner_name(text)?;
                if t.is_empty() {
                    return Ok((None, String::new()));
                }
                if let Some(a) = self.by_username(&t) {
                    return Ok((Some(a.id), String::new()));
                }
                let same: Vec<&Account> = self
                    .accounts
                    .iter()
                    .filter(|a| a.active && a.display_name == t)
                    .collect();
                if same.len() == 1 {
                    return Ok((Some(same[0].id), String::new()));
                }
                Ok((None, t))
            }
        }
    }

    pub fn measure(&self, m: &MeasureInput) -> Result<NewMeasure, Invalid> {
        let description = rules::parse_measure_text(&m.description)?;
        let (owner_account_id, owner_name) = self.resolve(&m.owner)?;
        if m.deadline.trim().is_empty() {
            return Err(Invalid::new("deadline", "请填写整改期限"));
        }
        let deadline = Day::parse("deadline", &m.deadline)?;
        Ok(NewMeasure {
            description,
            owner_account_id,
            owner_name,
            deadline,
        })
    }
}

/// Prefixes the message with where in a list the value was ("第2条整改措施：…") and files the
/// error under the list's field.
fn at(list_field: &'static str, position: String) -> impl Fn(Invalid) -> Invalid {
    move |e| Invalid::new(list_field, format!("{position}：{}", e.message))
}

/// A problem as typed or sent, before validation.
#[derive(Debug, Clone, Default)]
pub struct ProblemInput {
    pub source: String,
    pub category: String,
    pub description: String,
    pub found_on: String,
    pub record_id: Option<i64>,
    pub measures: Vec<MeasureInput>,
}

/// Checks the work record that found a problem: it exists and the user may see it.
async fn check_record(
    state: &AppState,
    user: &CurrentUser,
    record_id: Option<i64>,
) -> Result<(), AppError> {
    if let Some(r) = record_id {
        let visible = state
            .store
            .finding_record_path(r)
            .await?
            .is_some_and(|p| user.perms.can(Action::ViewOrgs, &p));
        if !visible {
            return Err(Invalid::new("record_id", "关联的工作纪实不存在或不在您的范围内").into());
        }
    }
    Ok(())
}

/// Records one problem with its measures.
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    org: &Org,
    input: ProblemInput,
) -> Result<Problem, AppError> {
    if !user.perms.can(Action::RecordWork, &org.path) {
        return Err(AppError::Forbidden);
    }
    let source_code = parse_source(state, &input.source).await?;
    let category = rules::parse_category(&input.category)?;
    let description = rules::parse_description(&input.description)?;
    let found_on = day_or_today("found_on", &input.found_on)?;
    check_record(state, user, input.record_id).await?;
    let book = OwnerBook::load(state, user).await?;
    let mut measures = Vec::with_capacity(input.measures.len());
    for (i, m) in input.measures.iter().enumerate() {
        measures.push(
            book.measure(m)
                .map_err(at("measures", format!("第{}条整改措施", i + 1)))?,
        );
    }
    let mut tx = state.store.begin_write().await?;
    let p = tx
        .create_problem(
            NewProblem {
                org_id: org.id,
                source_code,
                category,
                description,
                found_on,
                record_id: input.record_id,
                measures,
            },
            &user.actor(),
        )
        .await?;
    tx.commit().await?;
    Ok(p)
}

/// One problem of a batch, as typed or sent.
#[derive(Debug, Clone, Default)]
pub struct BatchProblemInput {
    /// Where it was typed (e.g. "第3行"), for messages; `None` names it by its position.
    pub label: Option<String>,
    /// The organization concerned (code); the batch's organization when absent.
    pub org: Option<String>,
    pub category: String,
    pub description: String,
    pub found_on: String,
    pub measures: Vec<MeasureInput>,
}

/// The head of a batch, as typed or sent.
#[derive(Debug, Clone, Default)]
pub struct BatchInput {
    pub source: String,
    pub title: String,
    pub received_on: String,
}

/// A validated batch, ready to write (pages preview it first).
pub struct CheckedBatch {
    pub new: NewBatch,
    pub org: Org,
    pub source_name: String,
    /// The organization name of each problem, in order.
    pub org_names: Vec<String>,
}

/// Validates a batch without writing it: every problem, with its position in the message.
pub async fn check_batch(
    state: &AppState,
    user: &CurrentUser,
    org: &Org,
    head: BatchInput,
    problems: Vec<BatchProblemInput>,
) -> Result<CheckedBatch, AppError> {
    if !user.perms.can(Action::RecordWork, &org.path) {
        return Err(AppError::Forbidden);
    }
    let source_code = parse_source(state, &head.source).await?;
    let title = zeren_domain::text::required("title", "批次名称", &head.title, 100)?;
    let title = zeren_domain::text::line("title", "批次名称", &title, 100)?;
    let received_on = day_or_today("received_on", &head.received_on)?;
    if received_on > Day::today() {
        return Err(Invalid::new("received_on", "反馈日期不能晚于今天").into());
    }
    if problems.is_empty() {
        return Err(Invalid::new("problems", "请至少录入一个问题").into());
    }
    if problems.len() > rules::MAX_BATCH {
        return Err(Invalid::new(
            "problems",
            format!("一次最多录入{}个问题", rules::MAX_BATCH),
        )
        .into());
    }
    let book = OwnerBook::load(state, user).await?;
    let mut out = Vec::with_capacity(problems.len());
    let mut org_names = Vec::with_capacity(problems.len());
    for (i, p) in problems.into_iter().enumerate() {
        let here = at(
            "problems",
            p.label
                .clone()
                .unwrap_or_else(|| format!("第{}个问题", i + 1)),
        );
        let porg = match p.org.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            None => org.clone(),
            Some(code) => {
                let found = state.store.org_by_code(code).await.ok().filter(|o| {
                    user.perms.can(Action::RecordWork, &o.path) && org.path.covers(&o.path)
                });
                found.ok_or_else(|| {
                    here(Invalid::new(
                        "org",
                        format!("组织“{}”不存在或不是被检查组织的下级组织", short(code)),
                    ))
                })?
            }
        };
        let category = rules::parse_category(&p.category).map_err(&here)?;
        let description = rules::parse_description(&p.description).map_err(&here)?;
        let found_on = if p.found_on.trim().is_empty() {
            received_on
        } else {
            Day::parse("found_on", &p.found_on).map_err(&here)?
        };
        if found_on > Day::today() {
            return Err(here(Invalid::new("found_on", "发现日期不能晚于今天")).into());
        }
        let mut measures = Vec::with_capacity(p.measures.len());
        for (j, m) in p.measures.iter().enumerate() {
            let label = m
                .label
                .clone()
                .unwrap_or_else(|| format!("第{}个问题第{}条整改措施", i + 1, j + 1));
            let m = book
                .measure(m)
                .map_err(|e| Invalid::new("problems", format!("{label}：{}", e.message)))?;
            if m.deadline < found_on {
                return Err(
                    Invalid::new("problems", format!("{label}：整改期限不能早于发现日期")).into(),
                );
            }
            measures.push(m);
        }
        org_names.push(porg.name.clone());
        out.push(NewProblem {
            org_id: porg.id,
            source_code: source_code.clone(),
            category,
            description,
            found_on,
            record_id: None,
            measures,
        });
    }
    let source_name = state
        .store
        .problem_sources()
        .await?
        .into_iter()
        .find(|(c, _)| *c == source_code)
        .map(|(_, n)| n)
        .unwrap_or_default();
    Ok(CheckedBatch {
        new: NewBatch {
            org_id: org.id,
            source_code,
            title,
            received_on,
            problems: out,
        },
        org: org.clone(),
        source_name,
        org_names,
    })
}

fn short(text: &str) -> String {
    text.chars().take(20).collect()
}

/// Writes a checked batch: all or nothing.
pub async fn create_batch(
    state: &AppState,
    user: &CurrentUser,
    checked: CheckedBatch,
) -> Result<(ProblemBatch, Vec<Problem>), AppError> {
    let mut tx = state.store.begin_write().await?;
    let out = tx.create_problem_batch(checked.new, &user.actor()).await?;
    tx.commit().await?;
    Ok(out)
}

/// New values for a problem's description fields; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct ProblemEdit {
    pub source: Option<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    pub found_on: Option<String>,
}

pub async fn update(
    state: &AppState,
    user: &CurrentUser,
    p: &Problem,
    edit: ProblemEdit,
) -> Result<Problem, AppError> {
    require(user, Action::RecordWork, p)?;
    let change = ProblemChange {
        source_code: match edit.source.as_deref() {
            Some(s) => Some(parse_source(state, s).await?),
            None => None,
        },
        category: edit
            .category
            .as_deref()
            .map(rules::parse_category)
            .transpose()?,
        description: edit
            .description
            .as_deref()
            .map(rules::parse_description)
            .transpose()?,
        found_on: edit
            .found_on
            .as_deref()
            .map(|d| Day::parse("found_on", d))
            .transpose()?,
    };
    let mut tx = state.store.begin_write().await?;
    let p = tx.update_problem(p.id, change, &user.actor()).await?;
    tx.commit().await?;
    Ok(p)
}

pub async fn void(
    state: &AppState,
    user: &CurrentUser,
    p: &Problem,
    reason: &str,
) -> Result<Problem, AppError> {
    require(user, Action::RecordWork, p)?;
    let reason = rules::parse_void_reason(reason)?;
    let mut tx = state.store.begin_write().await?;
    let p = tx.void_problem(p.id, &reason, &user.actor()).await?;
    tx.commit().await?;
    Ok(p)
}

pub async fn add_measure(
    state: &AppState,
    user: &CurrentUser,
    p: &Problem,
    input: MeasureInput,
) -> Result<Measure, AppError> {
    require(user, Action::RecordWork, p)?;
    let m = OwnerBook::load(state, user).await?.measure(&input)?;
    let mut tx = state.store.begin_write().await?;
    let m = tx.add_measure(p.id, m, &user.actor()).await?;
    tx.commit().await?;
    Ok(m)
}

/// New values for a measure; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct MeasureEdit {
    pub description: Option<String>,
    pub owner: Option<OwnerInput>,
    pub deadline: Option<String>,
}

pub async fn update_measure(
    state: &AppState,
    user: &CurrentUser,
    m: &Measure,
    p: &Problem,
    edit: MeasureEdit,
) -> Result<Measure, AppError> {
    require(user, Action::RecordWork, p)?;
    let owner = match &edit.owner {
        Some(o) => Some(OwnerBook::load(state, user).await?.resolve(o)?),
        None => None,
    };
    let change = MeasureChange {
        description: edit
            .description
            .as_deref()
            .map(rules::parse_measure_text)
            .transpose()?,
        owner,
        deadline: edit
            .deadline
            .as_deref()
            .map(|d| Day::parse("deadline", d))
            .transpose()?,
    };
    let mut tx = state.store.begin_write().await?;
    let m = tx.update_measure(m.id, change, &user.actor()).await?;
    tx.commit().await?;
    Ok(m)
}

pub async fn complete_measure(
    state: &AppState,
    user: &CurrentUser,
    m: &Measure,
    p: &Problem,
    date: &str,
    note: &str,
) -> Result<Measure, AppError> {
    require(user, Action::RecordWork, p)?;
    let on = day_or_today("date", date)?;
    let note = rules::parse_note(note)?;
    let mut tx = state.store.begin_write().await?;
    let m = tx.complete_measure(m.id, on, &note, &user.actor()).await?;
    tx.commit().await?;
    Ok(m)
}

pub async fn void_measure(
    state: &AppState,
    user: &CurrentUser,
    m: &Measure,
    p: &Problem,
    reason: &str,
) -> Result<Measure, AppError> {
    require(user, Action::RecordWork, p)?;
    let reason = rules::parse_void_reason(reason)?;
    let mut tx = state.store.begin_write().await?;
    let m = tx.void_measure(m.id, &reason, &user.actor()).await?;
    tx.commit().await?;
    Ok(m)
}

/// The permission a move needs.
pub fn needed(t: Transition) -> Action {
    if t.needs_approver() {
        Action::Approve
    } else {
        Action::RecordWork
    }
}

/// Moves a problem's status (开始整改, 提交, 退回, 销号, 回头看).
pub async fn transition(
    state: &AppState,
    user: &CurrentUser,
    p: &Problem,
    action: &str,
    note: &str,
    date: &str,
) -> Result<Problem, AppError> {
    let t = Transition::parse(action)?;
    require(user, needed(t), p)?;
    let note = rules::parse_note(note)?;
    let on = day_or_today("date", date)?;
    let mut tx = state.store.begin_write().await?;
    let p = tx.move_problem(p.id, t, on, &note, &user.actor()).await?;
    tx.commit().await?;
    Ok(p)
}

/// Whether a move starts from this status at all.
fn starts_from(t: Transition, s: ProblemStatus) -> bool {
    use ProblemStatus::*;
    match t {
        Transition::Start => s == Pending,
        Transition::Submit => matches!(s, Pending | InProgress),
        Transition::Return | Transition::Close => s == AwaitingReview,
        Transition::RecheckHolds | Transition::Reopen => s == Closed,
    }
}

/// A move offered on the problem's page, or the reason it cannot be made yet.
pub struct Move {
    pub transition: Transition,
    pub refused: Option<String>,
}

/// The moves the user may make now (and, for those the rules still refuse, why).
pub fn moves(user: &CurrentUser, p: &Problem) -> Vec<Move> {
    if p.voided {
        return Vec::new();
    }
    let ctx = MoveContext {
        status: p.status,
        measures: p.measures as usize,
        open_measures: p.open_measures as usize,
        evidence: p.evidence as usize,
        submitted_by: p.submitted_by,
        actor: user.account.id,
    };
    [
        Transition::Start,
        Transition::Submit,
        Transition::Return,
        Transition::Close,
        Transition::RecheckHolds,
        Transition::Reopen,
    ]
    .into_iter()
    .filter(|t| starts_from(*t, p.status) && user.perms.can(needed(*t), &p.org_path))
    .map(|t| Move {
        transition: t,
        refused: rules::apply(t, &ctx).err().map(|e| e.message),
    })
    .collect()
}

/// What evidence is attached to.
pub enum EvidenceTarget<'a> {
    Problem(&'a Problem),
    Measure(&'a Measure, &'a Problem),
}

/// Checks uploaded files by their bytes and attaches them, all in one transaction.
pub async fn attach(
    state: &AppState,
    user: &CurrentUser,
    target: EvidenceTarget<'_>,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Vec<AttachmentLink>, AppError> {
    let (p, object_type, object_id) = match &target {
        EvidenceTarget::Problem(p) => (*p, "problem", p.id),
        EvidenceTarget::Measure(m, p) => {
            if m.voided {
                return Err(Invalid::new("file", "该整改措施已作废").into());
            }
            (*p, "measure", m.id)
        }
    };
    require(user, Action::RecordWork, p)?;
    if p.voided {
        return Err(Invalid::new("file", "该问题已作废").into());
    }
    if files.is_empty() {
        return Err(Invalid::new("file", "请选择要上传的佐证材料").into());
    }
    if files.len() > 20 {
        return Err(Invalid::new("file", "一次最多上传20个文件").into());
    }
    // Recognising a file scans its bytes: off the async workers.
    let checked = tokio::task::spawn_blocking(move || {
        files
            .into_iter()
            .map(|(name, bytes)| {
                let kind = evidence::check(&name, &bytes)?;
                Ok::<_, Invalid>((evidence::clean_file_name(&name), bytes, kind.mime))
            })
            .collect::<Result<Vec<_>, Invalid>>()
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    let mut tx = state.store.begin_write().await?;
    let mut links = Vec::with_capacity(checked.len());
    for (name, bytes, mime) in checked {
        links.push(
            tx.attach(object_type, object_id, &name, &bytes, mime, &user.actor())
                .await?,
        );
    }
    tx.commit().await?;
    Ok(links)
}

/// Adds a problem source to the catalogue (an administrator at the top).
pub async fn add_source(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    name: &str,
) -> Result<(String, String), AppError> {
    if !user.perms.can_at_top(Action::ManageOrgs) {
        return Err(AppError::Forbidden);
    }
    let code = code.trim();
    let valid = (2..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && code.as_bytes()[0].is_ascii_lowercase();
    if !valid {
        return Err(
            Invalid::new("code", "编码应为2至32位小写字母、数字或下划线，以字母开头").into(),
        );
    }
    let name = zeren_domain::text::required("name", "来源名称", name, 20)?;
    let name = zeren_domain::text::line("name", "来源名称", &name, 20)?;
    let mut tx = state.store.begin_write().await?;
    let e = tx
        .add_catalog_entry(
            zeren_storage::CatalogKind::ProblemSource,
            code,
            &name,
            "{}",
            &user.actor(),
        )
        .await
        .map_err(|e| match e {
            zeren_storage::StorageError::Duplicate(_) => {
                AppError::Invalid(Invalid::new("code", "该编码或名称已被使用"))
            }
            other => other.into(),
        })?;
    tx.commit().await?;
    Ok((e.code, e.name))
}
