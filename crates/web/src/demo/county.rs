//! A generated county (`zeren demo --scale county`): one county committee, 30 township
//! committees with about 20 branches each, ~30,000 members and three years of ledgers
//! (~300,000 work records, ~50,000 problems with their measures, ~20,000 list items), made
//! deterministically from a seed. It exists to measure Zeren at the scale of a county.
//!
//! Organizations and accounts are created through the audited write paths; the ledger rows
//! are bulk-loaded (one audit entry for the whole load).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zeren_domain::account::{hash_password, Username};
use zeren_domain::org::{OrgCode, OrgKind, OrgName};
use zeren_domain::role::Role;
use zeren_storage::bulk::{Batch, Cell};
use zeren_storage::{Actor, NewAccount, NewOrg, Org, StorageError, Store};

/// How big a county to generate.
#[derive(Debug, Clone)]
pub struct CountyScale {
    pub townships: usize,
    pub branches_per_township: usize,
    pub members_per_branch: usize,
    /// The years generated, e.g. 2023..=2025.
    pub first_year: i32,
    pub years: i32,
    pub seed: u64,
}

impl Default for CountyScale {
    fn default() -> Self {
        Self {
            townships: 30,
            branches_per_township: 20,
            members_per_branch: 50,
            first_year: 2023,
            years: 3,
            seed: 2023,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CountySummary {
    pub orgs: usize,
    pub branches: usize,
    pub accounts: usize,
    pub members: usize,
    pub records: usize,
    pub problems: usize,
    pub measures: usize,
    pub lists: usize,
    pub list_items: usize,
    pub risks: usize,
    pub risk_measures: usize,
    pub discipline: usize,
    /// False when the database already held data and nothing was generated.
    pub generated: bool,
}

const TOWN_NAMES: [&str; 30] = [
    "城关", "东关", "西湖", "南岗", "北辰", "青山", "白石", "清河", "柳溪", "桃源", "杏林", "梅岭",
    "松涛", "竹园", "兰亭", "金沙", "银河", "龙泉", "凤鸣", "石门", "长乐", "永安", "太平", "和顺",
    "兴隆", "丰收", "新民", "红星", "黄土", "马坊",
];

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
const GIVEN: [&str; 24] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "霞", "平", "刚", "华", "红", "建国", "春梅",
];

/// The password of every generated account (a generated county is for measuring only).
pub const COUNTY_PASSWORD: &str = "County#2026ok";

fn invalid(e: zeren_domain::Invalid) -> StorageError {
    StorageError::Rejected {
        field: e.field,
        message: e.message,
    }
}

fn new_org(
    parent: Option<i64>,
    code: &str,
    name: &str,
    kind: OrgKind,
    order: i64,
) -> Result<NewOrg, StorageError> {
    Ok(NewOrg {
        parent_id: parent,
        code: OrgCode::parse(code).map_err(invalid)?,
        name: OrgName::parse(name).map_err(invalid)?,
        kind,
        sort_order: order,
    })
}

fn day(y: i32, m: u32, d: u32) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

/// A name chosen by a number, for rows that need no randomness of their own.
fn person_for(n: i64) -> String {
    let n = n.unsigned_abs() as usize;
    format!(
        "{}{}",
        SURNAMES[n % SURNAMES.len()],
        GIVEN[(n / SURNAMES.len()) % GIVEN.len()]
    )
}

fn person(rng: &mut StdRng) -> String {
    format!(
        "{}{}",
        SURNAMES[rng.gen_range(0..SURNAMES.len())],
        GIVEN[rng.gen_range(0..GIVEN.len())]
    )
}

const NOW: &str = "2026-01-01T00:00:00.000Z";

/// Columns of the bulk batches, in the order rows give them.
const MEMBER_COLS: &[&str] = &[
    "id",
    "org_id",
    "org_path",
    "name",
    "gender",
    "birth_date",
    "joined_on",
    "full_on",
    "status",
    "created_at",
    "updated_at",
];
const RECORD_COLS: &[&str] = &[
    "id",
    "org_id",
    "org_path",
    "type_code",
    "title",
    "held_on",
    "host",
    "person_times",
    "hours",
    "sessions",
    "items",
    "outlet_level",
    "content",
    "created_at",
    "updated_at",
];
const PROBLEM_COLS: &[&str] = &[
    "id",
    "org_id",
    "org_path",
    "source_code",
    "category",
    "description",
    "found_on",
    "status",
    "closed_on",
    "created_at",
    "updated_at",
];
const MEASURE_COLS: &[&str] = &[
    "id",
    "problem_id",
    "org_path",
    "description",
    "owner_name",
    "deadline",
    "status",
    "done_on",
    "created_at",
    "updated_at",
];
const LIST_COLS: &[&str] = &[
    "id",
    "org_id",
    "org_path",
    "year",
    "kind",
    "title",
    "parent_list_id",
    "created_at",
    "updated_at",
];
const ITEM_COLS: &[&str] = &[
    "id",
    "list_id",
    "org_id",
    "org_path",
    "category",
    "description",
    "deadline",
    "recurrence",
    "due_on",
    "steps",
    "status",
    "completed_on",
    "created_at",
    "updated_at",
];
const RISK_COLS: &[&str] = &[
    "id",
    "org_id",
    "org_path",
    "subject_kind",
    "subject",
    "description",
    "level",
    "identified_on",
    "reviewed_on",
    "created_at",
    "updated_at",
];
const RISK_MEASURE_COLS: &[&str] = &["id", "risk_id", "description", "owner", "created_at"];
const DISCIPLINE_COLS: &[&str] = &[
    "id",
    "org_id",
    "org_path",
    "person_name",
    "form",
    "sanction",
    "reason",
    "decided_on",
    "created_at",
    "updated_at",
];

/// Running ids and batches for one township at a time.
struct Loader {
    ids: std::collections::HashMap<&'static str, i64>,
    batches: Vec<Batch>,
    summary: CountySummary,
}

impl Loader {
    fn id(&mut self, table: &'static str) -> i64 {
        let next = self.ids.entry(table).or_insert(1);
        let id = *next;
        *next += 1;
        id
    }

    fn push(&mut self, table: &'static str, columns: &'static [&'static str], row: Vec<Cell>) {
        match self.batches.iter_mut().find(|b| b.table == table) {
            Some(b) => b.rows.push(row),
            None => self.batches.push(Batch {
                table,
                columns,
                rows: vec![row],
            }),
        }
    }
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// Generates the county into an empty database.
pub async fn generate(store: &Store, scale: &CountyScale) -> Result<CountySummary, StorageError> {
    if store.org_count().await? > 0 {
        return Ok(CountySummary::default());
    }
    let mut rng = StdRng::seed_from_u64(scale.seed);
    let actor = Actor::cli();
    let hash = hash_password(COUNTY_PASSWORD);
    let mut tx = store.begin_write().await?;
    let root = tx
        .create_org(
            new_org(None, "xian", "县委", OrgKind::Committee, 0)?,
            &actor,
        )
        .await?;
    let mut summary = CountySummary {
        orgs: 1,
        generated: true,
        ..Default::default()
    };
    let account = |username: String, name: String, org: i64| NewAccount {
        username: Username::parse(&username)
            .unwrap_or_else(|_| Username::parse("nobody").expect("valid")),
        display_name: name,
        password_hash: hash.clone(),
        org_id: org,
        title: String::new(),
        portfolio: String::new(),
        must_change_password: false,
    };
    for (username, name, role) in [
        ("admin", "县委组织部管理员", Role::Admin),
        ("xianwei", "县委书记", Role::Secretary),
        ("xian-dangwu", "县委组织部干事", Role::Clerk),
        ("xian-jiwei", "县纪委干部", Role::Inspector),
    ] {
        let a = tx
            .create_account(account(username.into(), name.into(), root.id), &actor)
            .await?;
        tx.grant_role(a.id, role, root.id, &actor).await?;
        summary.accounts += 1;
    }
    let mut towns: Vec<(Org, Vec<Org>)> = Vec::new();
    for (i, town_name) in TOWN_NAMES.iter().take(scale.townships).enumerate() {
        let code = format!("xz{:02}", i + 1);
        let town = tx
            .create_org(
                new_org(
                    Some(root.id),
                    &code,
                    &format!("{town_name}镇党委"),
                    OrgKind::Committee,
                    i as i64,
                )?,
                &actor,
            )
            .await?;
        summary.orgs += 1;
        for (suffix, name, role) in [
            ("shuji", "书记", Role::Secretary),
            ("dangwu", "党务工作者", Role::Clerk),
        ] {
            let a = tx
                .create_account(
                    account(
                        format!("{code}-{suffix}"),
                        format!("{town_name}镇{name}"),
                        town.id,
                    ),
                    &actor,
                )
                .await?;
            tx.grant_role(a.id, role, town.id, &actor).await?;
            summary.accounts += 1;
        }
        let mut branches = Vec::new();
        for b in 0..scale.branches_per_township {
            let name = if b < scale.branches_per_township * 3 / 4 {
                format!("{town_name}镇第{}村党支部", b + 1)
            } else {
                format!("{town_name}镇机关第{}党支部", b + 1)
            };
            let branch = tx
                .create_org(
                    new_org(
                        Some(town.id),
                        &format!("{code}-b{b:02}"),
                        &name,
                        OrgKind::Branch,
                        b as i64,
                    )?,
                    &actor,
                )
                .await?;
            summary.orgs += 1;
            summary.branches += 1;
            branches.push(branch);
        }
        towns.push((town, branches));
    }
    let mut loader = Loader {
        ids: std::collections::HashMap::new(),
        batches: Vec::new(),
        summary,
    };
    for table in [
        "members",
        "work_records",
        "resp_lists",
        "list_items",
        "problems",
        "problem_measures",
        "risk_points",
        "risk_measures",
        "discipline_records",
    ] {
        loader.ids.insert(table, store.next_id(table).await?);
    }
    for (town, branches) in &towns {
        township(&mut loader, &mut rng, scale, town, branches);
        for batch in std::mem::take(&mut loader.batches) {
            tx.bulk_insert(&batch).await?;
        }
    }
    let summary = loader.summary;
    tx.bulk_finish(&serde_json::to_value(&summary).unwrap_or_default(), &actor)
        .await?;
    tx.commit().await?;
    store.analyze().await?;
    Ok(summary)
}

/// One township: its branches' members, three years of records, problems, lists, risks and
/// discipline cases.
fn township(l: &mut Loader, rng: &mut StdRng, scale: &CountyScale, town: &Org, branches: &[Org]) {
    let years: Vec<i32> = (scale.first_year..scale.first_year + scale.years).collect();
    let last_year = *years.last().unwrap_or(&scale.first_year);
    // Members.
    for b in branches {
        for _ in 0..scale.members_per_branch {
            let id = l.id("members");
            let joined_year = rng.gen_range(1975..=last_year);
            let age_at_join = rng.gen_range(19..=45);
            let birth = day(
                joined_year - age_at_join,
                rng.gen_range(1..=12),
                rng.gen_range(1..=28),
            );
            let joined = day(joined_year, rng.gen_range(1..=12), rng.gen_range(1..=28));
            let probationary = joined_year == last_year;
            l.push(
                "members",
                MEMBER_COLS,
                vec![
                    Cell::Int(id),
                    Cell::Int(b.id),
                    t(b.path.as_str()),
                    t(person(rng)),
                    t(if rng.gen_bool(0.7) { "男" } else { "女" }),
                    t(birth),
                    t(joined),
                    Cell::OptText((!probationary).then(|| day(joined_year + 1, 6, 30))),
                    t(if probationary { "probationary" } else { "full" }),
                    t(NOW),
                    t(NOW),
                ],
            );
            l.summary.members += 1;
        }
    }
    let record = |l: &mut Loader,
                  o: &Org,
                  ty: &str,
                  label: &str,
                  date: String,
                  pt: Option<i64>,
                  hours: Option<f64>,
                  items: Option<i64>,
                  outlet: &str| {
        let id = l.id("work_records");
        l.push(
            "work_records",
            RECORD_COLS,
            vec![
                Cell::Int(id),
                Cell::Int(o.id),
                t(o.path.as_str()),
                t(ty),
                t(format!("{}{}", o.name, label)),
                t(date),
                t(person_for(id)),
                Cell::OptInt(pt),
                Cell::Real(hours),
                Cell::OptInt(None),
                Cell::OptInt(items),
                t(outlet),
                t(format!("{label}：传达学习上级精神，研究部署相关工作。")),
                t(NOW),
                t(NOW),
            ],
        );
        l.summary.records += 1;
    };
    for &y in &years {
        // The committee's own work.
        for m in 1..=12u32 {
            if m % 3 != 2 {
                record(
                    l,
                    town,
                    "study_group",
                    &format!("理论学习中心组学习（{m}月）"),
                    day(y, m, 12),
                    Some(rng.gen_range(12..20)),
                    Some(3.0),
                    None,
                    "",
                );
            }
            record(
                l,
                town,
                "training",
                &format!("党员干部培训班（{m}月）"),
                day(y, m, 18),
                Some(rng.gen_range(40..70)),
                Some(8.0),
                None,
                "",
            );
            record(
                l,
                town,
                "publicity",
                &format!("公众号发布（{m}月）"),
                day(y, m, 28),
                None,
                None,
                Some(rng.gen_range(20..45)),
                "own",
            );
            record(
                l,
                town,
                "publicity",
                &format!("区级媒体采用（{m}月）"),
                day(y, m, 28),
                None,
                None,
                Some(rng.gen_range(5..30)),
                "district",
            );
            record(
                l,
                town,
                "integrity_talk",
                &format!("廉政谈话（{m}月）"),
                day(y, m, 8),
                Some(rng.gen_range(10..30)),
                None,
                None,
                "",
            );
        }
        for q in 0..4u32 {
            record(
                l,
                town,
                "special_supervision",
                &format!("专项监督（第{}季度）", q + 1),
                day(y, q * 3 + 2, 20),
                Some(6),
                None,
                None,
                "",
            );
            record(
                l,
                town,
                "branch_inspection",
                &format!("村级党建巡查（第{}季度）", q + 1),
                day(y, q * 3 + 3, 10),
                Some(5),
                None,
                None,
                "",
            );
        }
        record(
            l,
            town,
            "democratic_life",
            "民主生活会",
            day(y, 12, 20),
            Some(9),
            None,
            Some(6),
            "",
        );
        record(
            l,
            town,
            "building_meeting",
            "党建工作会",
            day(y, 2, 15),
            Some(40),
            None,
            None,
            "",
        );
        // Each branch's 三会一课 and other work: some branches fall short.
        for b in branches {
            let diligence = rng.gen_range(0.8..1.0);
            for m in 1..=12u32 {
                // Two Party groups each meet monthly.
                for (ty, label, d) in [
                    ("branch_committee", "支委会", 5),
                    ("group_meeting", "第一党小组会", 10),
                    ("group_meeting", "第二党小组会", 11),
                    ("theme_day", "主题党日", 15),
                ] {
                    if rng.gen_bool(diligence) {
                        record(
                            l,
                            b,
                            ty,
                            &format!("{label}（{m}月）"),
                            day(y, m, d),
                            Some(rng.gen_range(5..12)),
                            None,
                            None,
                            "",
                        );
                    }
                }
                for _ in 0..6 {
                    record(
                        l,
                        b,
                        "heart_talk",
                        &format!("谈心谈话（{m}月）"),
                        day(y, m, rng.gen_range(1..=28)),
                        Some(rng.gen_range(1..4)),
                        None,
                        None,
                        "",
                    );
                }
                record(
                    l,
                    b,
                    "publicity",
                    &format!("宣传稿件（{m}月）"),
                    day(y, m, 25),
                    None,
                    None,
                    Some(rng.gen_range(1..4)),
                    "own",
                );
                record(
                    l,
                    b,
                    "volunteer",
                    &format!("志愿服务（{m}月）"),
                    day(y, m, 20),
                    Some(rng.gen_range(8..30)),
                    None,
                    None,
                    "",
                );
                record(
                    l,
                    b,
                    "online_study",
                    &format!("网络专题学习（{m}月）"),
                    day(y, m, 22),
                    Some(rng.gen_range(20..50)),
                    Some(10.0),
                    Some(1),
                    "",
                );
            }
            for q in 0..4u32 {
                record(
                    l,
                    b,
                    "member_meeting",
                    &format!("支部党员大会（第{}季度）", q + 1),
                    day(y, q * 3 + 3, 8),
                    Some(rng.gen_range(20..45)),
                    None,
                    None,
                    "",
                );
                record(
                    l,
                    b,
                    "party_lecture",
                    &format!("党课（第{}季度）", q + 1),
                    day(y, q * 3 + 2, 26),
                    Some(rng.gen_range(20..45)),
                    Some(2.0),
                    None,
                    "",
                );
            }
            record(
                l,
                b,
                "org_life",
                "组织生活会",
                day(y, 12, 10),
                Some(rng.gen_range(20..45)),
                None,
                Some(4),
                "",
            );
            record(
                l,
                b,
                "member_appraisal",
                "民主评议党员",
                day(y, 12, 15),
                Some(rng.gen_range(20..45)),
                None,
                None,
                "",
            );
        }
        // Problems: the inspection's feedback to the committee and the branches, and what
        // branches find in themselves. Older years are closed; the last year is under way.
        let problem = |l: &mut Loader,
                       rng: &mut StdRng,
                       o: &Org,
                       source: &str,
                       category: &str,
                       text: String,
                       found: String| {
            let id = l.id("problems");
            let closed = y < last_year || rng.gen_bool(0.6);
            let status = if closed {
                "closed"
            } else {
                ["pending", "in_progress", "awaiting_review"][rng.gen_range(0..3)]
            };
            l.push(
                "problems",
                PROBLEM_COLS,
                vec![
                    Cell::Int(id),
                    Cell::Int(o.id),
                    t(o.path.as_str()),
                    t(source),
                    t(category),
                    t(text),
                    t(found),
                    t(status),
                    Cell::OptText(closed.then(|| day(y, 12, 28))),
                    t(NOW),
                    t(NOW),
                ],
            );
            l.summary.problems += 1;
            for k in 0..rng.gen_range(1..=3) {
                let mid = l.id("problem_measures");
                let done = closed || rng.gen_bool(0.4);
                l.push(
                    "problem_measures",
                    MEASURE_COLS,
                    vec![
                        Cell::Int(mid),
                        Cell::Int(id),
                        t(o.path.as_str()),
                        t(format!("整改措施{}：健全制度、明确责任、限期整改", k + 1)),
                        t(person(rng)),
                        t(day(y, rng.gen_range(7..=12), 28)),
                        t(if done { "done" } else { "open" }),
                        Cell::OptText(done.then(|| day(y, 11, 30))),
                        t(NOW),
                        t(NOW),
                    ],
                );
                l.summary.measures += 1;
            }
        };
        let categories = ["政治建设", "思想建设", "组织建设", "作风建设", "纪律建设"];
        for k in 0..40 {
            let c = categories[k % categories.len()];
            problem(
                l,
                rng,
                town,
                "inspection_tour",
                c,
                format!("巡察反馈：{c}方面存在薄弱环节（第{}条）", k + 1),
                day(y, 4, 15),
            );
        }
        for (k, b) in branches.iter().enumerate() {
            let c = categories[k % categories.len()];
            problem(
                l,
                rng,
                b,
                "inspection_tour",
                c,
                format!("巡察反馈：{}{c}方面存在问题", b.name),
                day(y, 4, 15),
            );
            for j in 0..26 {
                let c = categories[j % categories.len()];
                let (source, label) = match j % 4 {
                    0 => ("branch_inspection", "党建巡查发现"),
                    1 => ("org_life", "组织生活会查摆"),
                    2 => ("special_supervision", "专项监督发现"),
                    _ => ("self_check", "自查发现"),
                };
                let found = day(y, rng.gen_range(1..=11), rng.gen_range(1..=28));
                problem(
                    l,
                    rng,
                    b,
                    source,
                    c,
                    format!("{label}：{c}方面的问题（第{}条）", j + 1),
                    found,
                );
            }
        }
        // Lists: the committee's, and each branch's handed down from it.
        let list_id = l.id("resp_lists");
        l.push(
            "resp_lists",
            LIST_COLS,
            vec![
                Cell::Int(list_id),
                Cell::Int(town.id),
                t(town.path.as_str()),
                Cell::Int(y as i64),
                t("responsibility"),
                t(format!("{}{y}年全面从严治党主体责任清单", town.name)),
                Cell::OptInt(None),
                t(NOW),
                t(NOW),
            ],
        );
        l.summary.lists += 1;
        let item = |l: &mut Loader, rng: &mut StdRng, list: i64, o: &Org, k: usize| {
            let id = l.id("list_items");
            let c = zeren_domain::lists::BUILTIN_CATEGORIES[k % 8];
            let m = (k % 12) as u32 + 1;
            let done = y < last_year || rng.gen_bool(0.7);
            l.push(
                "list_items",
                ITEM_COLS,
                vec![
                    Cell::Int(id),
                    Cell::Int(list),
                    Cell::Int(o.id),
                    t(o.path.as_str()),
                    t(c),
                    t(format!("落实{c}任务第{}项", k + 1)),
                    Cell::OptText(Some(day(y, m, 28))),
                    t(""),
                    t(day(y, m, 28)),
                    t("制定方案、推进落实、总结评估"),
                    t(if done { "done" } else { "open" }),
                    Cell::OptText(done.then(|| day(y, m, 20))),
                    t(NOW),
                    t(NOW),
                ],
            );
            l.summary.list_items += 1;
        };
        for k in 0..30 {
            item(l, rng, list_id, town, k);
        }
        for b in branches {
            let bl = l.id("resp_lists");
            l.push(
                "resp_lists",
                LIST_COLS,
                vec![
                    Cell::Int(bl),
                    Cell::Int(b.id),
                    t(b.path.as_str()),
                    Cell::Int(y as i64),
                    t("task"),
                    t(format!("{}{y}年任务清单", b.name)),
                    Cell::OptInt(Some(list_id)),
                    t(NOW),
                    t(NOW),
                ],
            );
            l.summary.lists += 1;
            for k in 0..11 {
                item(l, rng, bl, b, k);
            }
        }
        // Discipline cases.
        for _ in 0..rng.gen_range(8..14) {
            let id = l.id("discipline_records");
            let form = rng.gen_range(1..=4);
            let sanction = match form {
                1 => "",
                2 => ["warning", "serious_warning", "demerit"][rng.gen_range(0..3)],
                3 => ["removal", "probation"][rng.gen_range(0..2)],
                _ => "expulsion",
            };
            let o = &branches[rng.gen_range(0..branches.len())];
            l.push(
                "discipline_records",
                DISCIPLINE_COLS,
                vec![
                    Cell::Int(id),
                    Cell::Int(o.id),
                    t(o.path.as_str()),
                    t(person(rng)),
                    Cell::Int(form),
                    t(sanction),
                    t("违反工作纪律"),
                    t(day(y, rng.gen_range(1..=12), rng.gen_range(1..=28))),
                    t(NOW),
                    t(NOW),
                ],
            );
            l.summary.discipline += 1;
        }
    }
    // Integrity risks, identified in the first year and reviewed each year since.
    let y0 = scale.first_year;
    let risk = |l: &mut Loader, rng: &mut StdRng, o: &Org, kind: &str, subject: String| {
        let id = l.id("risk_points");
        let level = ["high", "medium", "low"][rng.gen_range(0..3)];
        l.push(
            "risk_points",
            RISK_COLS,
            vec![
                Cell::Int(id),
                Cell::Int(o.id),
                t(o.path.as_str()),
                t(kind),
                t(subject),
                t("资金审批、项目招投标等环节存在廉洁风险"),
                t(level),
                t(day(y0, 3, 1)),
                Cell::OptText(Some(day(last_year, 3, 1))),
                t(NOW),
                t(NOW),
            ],
        );
        l.summary.risks += 1;
        for k in 0..2 {
            let mid = l.id("risk_measures");
            l.push(
                "risk_measures",
                RISK_MEASURE_COLS,
                vec![
                    Cell::Int(mid),
                    Cell::Int(id),
                    t(format!("防控措施{}：集体研究、公开公示、全程留痕", k + 1)),
                    t(person(rng)),
                    t(NOW),
                ],
            );
            l.summary.risk_measures += 1;
        }
    };
    for k in 0..10 {
        risk(
            l,
            rng,
            town,
            if k % 2 == 0 { "unit" } else { "post" },
            format!("{}第{}项业务", town.name, k + 1),
        );
    }
    for b in branches {
        risk(l, rng, b, "unit", b.name.clone());
        let who = person(rng);
        risk(l, rng, b, "person", who);
    }
}
