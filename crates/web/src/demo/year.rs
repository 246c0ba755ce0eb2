//! The demo township's year: everything 青石镇党委 and its branches recorded in 2023, through
//! the same audited write paths users take, so that every figure of its annual report
//! (`FIGURES.md`) comes out of the metric layer. Plus a slice of the current year, so that
//! the desks (工作台) of the demo accounts have something due.

use super::{evidence_pdf, DemoAccount};
use std::collections::HashMap;
use zeren_domain::date::Day;
use zeren_domain::lists::{ListKind, Recurrence};
use zeren_domain::members::{MemberStatus, MemberValues};
use zeren_domain::problems::Transition;
use zeren_domain::records::{OutletLevel, RecordValues};
use zeren_domain::risks::{RiskLevel, SubjectKind};
use zeren_storage::{
    Actor, Attendance, ItemFields, MeasureChange, Member, NewBatch, NewDiscipline, NewList,
    NewMeasure, NewMember, NewProblem, NewRecord, NewRisk, NewRiskMeasure, Org, Problem,
    StorageError, WriteTx,
};

/// What the year's load wrote.
#[derive(Debug, Clone, Default)]
pub struct YearSummary {
    pub members: usize,
    pub records: usize,
    pub problems: usize,
    pub risks: usize,
    pub discipline: usize,
    pub list_items: usize,
}

/// Who is who in the demo, for the loader.
pub struct Ctx<'a> {
    pub root: &'a Org,
    /// 镇机关第一党支部 … 红旗村党支部, in the order of the demo's branches.
    pub branches: &'a [Org],
    pub accounts: &'a [DemoAccount],
    /// Account ids by username.
    pub ids: &'a HashMap<String, i64>,
}

impl Ctx<'_> {
    fn actor(&self, username: &str) -> Actor {
        Actor {
            id: self.ids.get(username).copied(),
            name: username.to_string(),
            address: "demo".into(),
        }
    }

    fn id(&self, username: &str) -> Option<i64> {
        self.ids.get(username).copied()
    }

    fn branch(&self, code: &str) -> &Org {
        self.branches
            .iter()
            .find(|b| b.code == code)
            .unwrap_or(self.root)
    }

    fn villages(&self) -> Vec<&Org> {
        self.branches
            .iter()
            .filter(|b| b.code.starts_with("qs-v"))
            .collect()
    }

    /// The secretary of a branch (its demo account).
    fn secretary_of(&self, branch: &Org) -> String {
        format!("zb-{}", branch.code.trim_start_matches("qs-"))
    }
}

fn day(y: i32, m: u8, d: u8) -> Day {
    // The demo's dates are written here and are all valid.
    Day::from_ymd(y, m, d).unwrap_or_else(Day::today)
}

const SURNAMES: [&str; 23] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑",
];
const GIVEN: [&str; 29] = [
    "志强", "秀英", "建华", "丽娟", "海涛", "春燕", "国平", "玉梅", "永刚", "晓东", "桂兰", "德明",
    "红霞", "振宇", "淑芬", "立新", "雪梅", "文博", "金凤", "浩然", "小芳", "俊杰", "翠花", "宏伟",
    "慧敏", "子涵", "晨阳", "思远", "佳怡",
];

/// A name chosen by a number (the two lists have coprime lengths, so names rarely repeat).
fn name_for(n: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[n % SURNAMES.len()],
        GIVEN[(n * 7 + n / 23) % GIVEN.len()]
    )
}

fn rejected(message: String) -> StorageError {
    StorageError::Rejected {
        field: "demo",
        message,
    }
}

/// Members per branch, in the order of the demo's branches (offices, then villages), and
/// how many of each joined in 2023.
const ROSTER: [(usize, usize); 16] = [
    (18, 2),
    (15, 2),
    (22, 3),
    (28, 4),
    (20, 3),
    (12, 2),
    (36, 4),
    (41, 4),
    (33, 4),
    (30, 4),
    (38, 4),
    (29, 4),
    (35, 4),
    (32, 4),
    (40, 4),
    (34, 4),
];

const ABSENCE: [&str; 4] = ["外出务工", "因病请假", "因公出差", "在外就医"];

/// The roster of every branch. 56 members joined in 2023, 45 of them under 35; everyone's
/// entry is complete and consistent. The leadership and the branch secretaries are members
/// too (of 镇机关第一党支部 and of their branches).
async fn roster(
    tx: &mut WriteTx,
    ctx: &Ctx<'_>,
    s: &mut YearSummary,
) -> Result<HashMap<i64, Vec<Member>>, StorageError> {
    let clerk = ctx.actor("dangwu");
    let mut by_branch: HashMap<i64, Vec<Member>> = HashMap::new();
    let mut n = 0usize;
    let mut older_joiners = 0usize;
    for (i, (branch, (count, joiners))) in ctx.branches.iter().zip(ROSTER).enumerate() {
        // Known people first: the leadership in the first office branch, each branch's
        // secretary in their branch.
        let mut known: Vec<(String, &str)> = Vec::new();
        if i == 0 {
            for a in ctx.accounts.iter().filter(|a| {
                a.org_name == ctx.root.name && a.username != "admin" && a.username != "quwei"
            }) {
                known.push((a.display_name.clone(), "镇党委班子成员"));
            }
        }
        if let Some(sec) = ctx
            .accounts
            .iter()
            .find(|a| a.username == ctx.secretary_of(branch))
        {
            known.push((sec.display_name.clone(), "支部书记"));
        }
        for k in 0..count {
            n += 1;
            let joined_2023 = k >= count - joiners;
            let (name, post) = match known.get(k) {
                Some((name, post)) => (name.clone(), post.to_string()),
                None => (
                    name_for(n + i * 31),
                    if k < 5 {
                        "支部委员".into()
                    } else {
                        String::new()
                    },
                ),
            };
            let gender = if (n * 3) % 5 < 3 { "男" } else { "女" };
            let (birth, joined, status, full_on) = if joined_2023 {
                // 11 of the 56 joined at 35 or older: the last joiner of each village
                // branch and of the non-public enterprises' branch.
                let older =
                    k == count - 1 && (branch.code.starts_with("qs-v") || branch.code == "qs-fg");
                if older {
                    older_joiners += 1;
                }
                let age = if older {
                    36 + (n % 5) as i32
                } else {
                    22 + (n % 11) as i32
                };
                let joined = day(2023, (1 + n % 11) as u8, (1 + n % 27) as u8);
                (
                    day(
                        joined.year() - age,
                        (1 + (n * 5) % 12) as u8,
                        (1 + (n * 3) % 27) as u8,
                    ),
                    joined,
                    if older {
                        MemberStatus::Full
                    } else {
                        MemberStatus::Probationary
                    },
                    // Those who joined early in the year were made full members a year on only
                    // after 2023; the demo keeps the older joiners full to vary the roster.
                    if older {
                        Some(day(2024, (1 + n % 11) as u8, (1 + n % 27) as u8))
                    } else {
                        None
                    },
                )
            } else {
                let joined_year = 1978 + ((n * 7) % 44) as i32;
                let age = 21 + (n % 14) as i32;
                let joined = day(joined_year, (1 + n % 12) as u8, (1 + n % 27) as u8);
                (
                    day(
                        joined_year - age,
                        (1 + (n * 5) % 12) as u8,
                        (1 + (n * 3) % 27) as u8,
                    ),
                    joined,
                    MemberStatus::Full,
                    Some(day(joined_year + 1, (1 + n % 12) as u8, (1 + n % 27) as u8)),
                )
            };
            let m = tx
                .create_member(
                    NewMember {
                        org_id: branch.id,
                        values: MemberValues {
                            name,
                            gender: gender.into(),
                            birth_date: Some(birth),
                            joined_on: Some(joined),
                            full_on,
                            status,
                            education: ["大学本科", "大专", "高中", "研究生"][n % 4].into(),
                            post,
                            phone: String::new(),
                        },
                    },
                    &clerk,
                )
                .await?;
            by_branch.entry(branch.id).or_default().push(m);
            s.members += 1;
        }
    }
    if older_joiners != 11 {
        return Err(rejected(format!(
            "演示数据：35岁以上入党人数应为11，实为{older_joiners}"
        )));
    }
    Ok(by_branch)
}

/// A demo work record: its type, title and day, and the fields its type has.
struct Rec {
    type_code: &'static str,
    title: String,
    on: Day,
    person_times: Option<i64>,
    hours: Option<f64>,
    sessions: Option<i64>,
    items: Option<i64>,
    outlet: Option<OutletLevel>,
    attendance: Option<Vec<Attendance>>,
}

impl Rec {
    fn new(type_code: &'static str, title: impl Into<String>, on: Day) -> Rec {
        Rec {
            type_code,
            title: title.into(),
            on,
            person_times: None,
            hours: None,
            sessions: None,
            items: None,
            outlet: None,
            attendance: None,
        }
    }

    fn person_times(mut self, n: i64) -> Rec {
        self.person_times = Some(n);
        self
    }

    fn hours(mut self, h: f64) -> Rec {
        self.hours = Some(h);
        self
    }

    fn sessions(mut self, n: i64) -> Rec {
        self.sessions = Some(n);
        self
    }

    fn items(mut self, n: i64) -> Rec {
        self.items = Some(n);
        self
    }

    fn outlet(mut self, level: OutletLevel) -> Rec {
        self.outlet = Some(level);
        self
    }

    fn attendance(mut self, people: Vec<Attendance>) -> Rec {
        self.attendance = Some(people);
        self
    }

    /// Records it through the audited write path, keeping only the fields its type has.
    async fn save(self, tx: &mut WriteTx, actor: &Actor, org: &Org) -> Result<i64, StorageError> {
        let type_code = self.type_code;
        let ty = zeren_domain::records::builtin_types()
            .into_iter()
            .find(|t| t.code == type_code)
            .ok_or_else(|| rejected(format!("演示数据：没有类型 {type_code}")))?;
        let values = RecordValues {
            content: format!("{}。会议传达学习了上级有关文件精神，结合实际研究部署了相关工作，明确了责任分工和时间要求。", self.title),
            title: self.title,
            held_on: self.on,
            place: "镇党委会议室".into(),
            host: String::new(),
            recorder: "陈静".into(),
            person_times: self.person_times,
            hours: self.hours,
            sessions: self.sessions,
            items: self.items,
            outlet_level: self.outlet,
        }
        .keep_only(&ty);
        let r = tx
            .create_record(
                NewRecord {
                    org_id: org.id,
                    type_code: type_code.into(),
                    values,
                    attendance: self.attendance,
                },
                actor,
            )
            .await?;
        Ok(r.id)
    }
}

/// Attendance of a meeting: everyone in `people`, one or two absent with a reason.
fn attendance(people: &[Member], seed: usize) -> Vec<Attendance> {
    people
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let absent = people.len() > 6 && (i + seed) % 17 == 3;
            Attendance {
                member_id: m.id,
                present: !absent,
                absence_reason: if absent {
                    ABSENCE[(i + seed) % ABSENCE.len()].into()
                } else {
                    String::new()
                },
            }
        })
        .collect()
}

/// The 三会一课 of every branch in `year`, for the months up to `last_month`; 杨湾村党支部
/// falls short (two 支委会 and one 党课 missed) so that 应开/已开 shows a gap.
async fn branch_meetings(
    tx: &mut WriteTx,
    ctx: &Ctx<'_>,
    roster: &HashMap<i64, Vec<Member>>,
    year: i32,
    last_month: u8,
    s: &mut YearSummary,
) -> Result<(), StorageError> {
    for (bi, b) in ctx.branches.iter().enumerate() {
        let actor = ctx.actor(&ctx.secretary_of(b));
        let people = roster.get(&b.id).cloned().unwrap_or_default();
        let committee: Vec<Member> = people.iter().take(5).cloned().collect();
        let group: Vec<Member> = people.iter().take(people.len() / 2 + 1).cloned().collect();
        let short = b.code == "qs-v06";
        for m in 1..=last_month {
            let seed = bi * 13 + m as usize;
            if !(short && (m == 3 || m == 8)) {
                Rec::new(
                    "branch_committee",
                    format!("{}{}月支委会", b.name, m),
                    day(year, m, 5),
                )
                .attendance(attendance(&committee, seed))
                .save(tx, &actor, b)
                .await?;
                s.records += 1;
            }
            Rec::new(
                "group_meeting",
                format!("{}{}月党小组会", b.name, m),
                day(year, m, 10),
            )
            .attendance(attendance(&group, seed))
            .save(tx, &actor, b)
            .await?;
            Rec::new(
                "theme_day",
                format!("{}{}月主题党日活动", b.name, m),
                day(year, m, 15),
            )
            .attendance(attendance(&people, seed))
            .save(tx, &actor, b)
            .await?;
            s.records += 2;
            if m % 3 == 0 {
                let q = m / 3;
                Rec::new(
                    "member_meeting",
                    format!("{}第{}季度支部党员大会", b.name, q),
                    day(year, m, 20),
                )
                .attendance(attendance(&people, seed + 1))
                .save(tx, &actor, b)
                .await?;
                s.records += 1;
                if !(short && q == 3) {
                    Rec::new(
                        "party_lecture",
                        format!("{}第{}季度书记讲党课", b.name, q),
                        day(year, m, 25),
                    )
                    .hours(2.0)
                    .attendance(attendance(&people, seed + 2))
                    .save(tx, &actor, b)
                    .await?;
                    s.records += 1;
                }
            }
        }
        if last_month == 12 {
            Rec::new(
                "org_life",
                format!("{}{}年度组织生活会", b.name, year),
                day(year, 12, 18),
            )
            .items(4)
            .attendance(attendance(&people, bi))
            .save(tx, &actor, b)
            .await?;
            Rec::new(
                "member_appraisal",
                format!("{}{}年度民主评议党员", b.name, year),
                day(year, 12, 22),
            )
            .attendance(attendance(&people, bi + 1))
            .save(tx, &actor, b)
            .await?;
            s.records += 2;
        }
    }
    Ok(())
}

/// The committee's own work in 2023: study, training, supervision, publicity, integrity.
/// Returns the ids of the records that found problems, by type.
async fn committee_work(
    tx: &mut WriteTx,
    ctx: &Ctx<'_>,
    roster: &HashMap<i64, Vec<Member>>,
    s: &mut YearSummary,
) -> Result<HashMap<&'static str, Vec<i64>>, StorageError> {
    let clerk = ctx.actor("dangwu");
    let inspector = ctx.actor("jiwei");
    let root = ctx.root;
    let y = 2023;
    let leadership: Vec<Member> = roster
        .get(&ctx.branch("qs-jg1").id)
        .map(|m| m.iter().take(7).cloned().collect())
        .unwrap_or_default();
    let mut found: HashMap<&'static str, Vec<i64>> = HashMap::new();
    let add = |s: &mut YearSummary| s.records += 1;
    // 理论学习中心组学习 8 次.
    for (i, m) in [2u8, 3, 4, 6, 7, 9, 10, 12].iter().enumerate() {
        let id = Rec::new(
            "study_group",
            format!("党委理论学习中心组{}年第{}次集体学习", y, i + 1),
            day(y, *m, 8),
        )
        .hours(3.0)
        .attendance(attendance(&leadership, i))
        .save(tx, &clerk, root)
        .await?;
        tx.attach(
            "record",
            id,
            &format!("中心组学习记录{}.pdf", i + 1),
            &evidence_pdf(&format!("Study group session {} of 2023", i + 1)),
            "application/pdf",
            &clerk,
        )
        .await?;
        add(s);
    }
    // “比学践悟”专题读书班 3 期.
    for (i, m) in [3u8, 6, 11].iter().enumerate() {
        Rec::new(
            "reading_class",
            format!("“比学践悟”专题读书班第{}期", i + 1),
            day(y, *m, 15),
        )
        .person_times(45)
        .hours(16.0)
        .sessions(1)
        .save(tx, &clerk, root)
        .await?;
        add(s);
    }
    // 集中学习研讨班 4 次，培训 210 人次.
    for (i, (m, pt)) in [(2u8, 52i64), (5, 53), (8, 50), (11, 55)]
        .iter()
        .enumerate()
    {
        Rec::new(
            "seminar",
            format!("学习贯彻党的二十大精神集中学习研讨班（第{}次）", i + 1),
            day(y, *m, 20),
        )
        .person_times(*pt)
        .hours(12.0)
        .save(tx, &clerk, root)
        .await?;
        add(s);
    }
    // 党校、青年干部、入党积极分子培训班 24 期，参训 1236 人次.
    let kinds = ["乡镇党校培训班", "青年干部培训班", "入党积极分子培训班"];
    for i in 0..24usize {
        let m = (1 + i / 2) as u8;
        let pt = 48 + (i as i64 * 7) % 11;
        let pt = if i == 23 {
            1236 - (0..23).map(|k| 48 + (k as i64 * 7) % 11).sum::<i64>()
        } else {
            pt
        };
        Rec::new(
            "training",
            format!("{}第{}期", kinds[i % 3], i / 3 + 1),
            day(y, m, (6 + (i % 2) * 12) as u8),
        )
        .person_times(pt)
        .hours(8.0)
        .sessions(1)
        .save(tx, &clerk, root)
        .await?;
        add(s);
    }
    // 网络平台专题学习 45 项、450 学时 (9 batches of 5).
    for i in 0..9u8 {
        Rec::new(
            "online_study",
            format!("网络平台专题学习（第{}批）", i + 1),
            day(y, 2 + i, 26),
        )
        .person_times(120)
        .hours(50.0)
        .items(5)
        .save(tx, &clerk, root)
        .await?;
        add(s);
    }
    // 党建工作会 3 次; 专题会议听取班子成员履责汇报 2 次.
    for (i, m) in [1u8, 6, 12].iter().enumerate() {
        Rec::new(
            "building_meeting",
            format!("{}年第{}次党建工作会", y, i + 1),
            day(y, *m, 12),
        )
        .attendance(attendance(&leadership, i + 3))
        .save(tx, &clerk, root)
        .await?;
        add(s);
    }
    for (m, label) in [(7u8, "年中"), (12, "年底")] {
        Rec::new(
            "duty_report",
            format!("{label}听取班子成员履行全面从严治党主体责任情况汇报专题会议"),
            day(y, m, 26),
        )
        .attendance(attendance(&leadership, m as usize))
        .save(tx, &clerk, root)
        .await?;
        add(s);
    }
    // 专项监督 8 次, 村级党建巡查 4 次 (their findings are entered below).
    let themes = [
        "人居环境整治",
        "荒草禁烧",
        "文明祭扫",
        "违建治理",
        "安全生产",
        "自建房安全",
        "防范化解债务隐患",
        "干部作风建设",
    ];
    for (i, t) in themes.iter().enumerate() {
        let id = Rec::new(
            "special_supervision",
            format!("{t}专项监督"),
            day(y, (2 + i) as u8, 16),
        )
        .person_times(6)
        .save(tx, &inspector, root)
        .await?;
        found.entry("special_supervision").or_default().push(id);
        add(s);
    }
    for q in 1..=4u8 {
        let id = Rec::new(
            "branch_inspection",
            format!("{y}年第{q}季度村级党建巡查"),
            day(y, q * 3, 12),
        )
        .person_times(5)
        .save(tx, &inspector, root)
        .await?;
        found.entry("branch_inspection").or_default().push(id);
        add(s);
    }
    // 谈心谈话 13 人次.
    for (i, pt) in [4i64, 3, 3, 3].iter().enumerate() {
        Rec::new(
            "heart_talk",
            format!("书记与班子成员谈心谈话（第{}轮）", i + 1),
            day(y, (3 + i * 3) as u8, 9),
        )
        .person_times(*pt)
        .save(tx, &ctx.actor("shuji"), root)
        .await?;
        add(s);
    }
    // 专题民主生活会: 围绕 6 个方面.
    let id = Rec::new(
        "democratic_life",
        format!("{y}年度镇党委领导班子专题民主生活会"),
        day(y, 12, 27),
    )
    .items(6)
    .attendance(attendance(&leadership, 9))
    .save(tx, &clerk, root)
    .await?;
    found.entry("democratic_life").or_default().push(id);
    add(s);
    // 宣传: 公众号 430 篇，区级 310 篇，市级 210 篇，国家级 24 篇 (monthly tallies).
    for (level, total) in [
        (OutletLevel::Own, 430i64),
        (OutletLevel::District, 310),
        (OutletLevel::City, 210),
        (OutletLevel::National, 24),
    ] {
        let mut left = total;
        for m in 1..=12u8 {
            let n = if m == 12 {
                left
            } else {
                total / 12 + (m as i64 % 3) - 1
            };
            let n = n.min(left).max(0);
            left -= n;
            if n == 0 {
                continue;
            }
            Rec::new(
                "publicity",
                format!("{}月宣传稿件刊发情况（{}）", m, level.label()),
                day(y, m, 28),
            )
            .items(n)
            .outlet(level)
            .save(tx, &ctx.actor("xuanchuan"), root)
            .await?;
            add(s);
        }
    }
    // 志愿服务 12 次、1040 人次, in the villages.
    let villages = ctx.villages();
    let volunteering = [
        "困难群众慰问",
        "农村人居环境清整",
        "红歌传唱",
        "义务植树",
        "敬老院探访",
        "防汛巡查",
    ];
    for i in 0..12usize {
        let v = villages[i % villages.len()];
        let pt = if i == 11 { 1040 - 11 * 86 } else { 86 };
        Rec::new(
            "volunteer",
            format!("{}志愿服务活动", volunteering[i % volunteering.len()]),
            day(y, (1 + i) as u8, 21),
        )
        .person_times(pt)
        .save(tx, &ctx.actor(&ctx.secretary_of(v)), v)
        .await?;
        add(s);
    }
    // 警示教育大会 3 次、廉政培训 2 次；廉政履职谈话 243 人次；心得体会 56 篇；警示教育片 4 部.
    for (i, m) in [3u8, 7, 11].iter().enumerate() {
        Rec::new(
            "warning_meeting",
            format!("{y}年第{}次警示教育大会", i + 1),
            day(y, *m, 14),
        )
        .person_times(150 + i as i64 * 10)
        .save(tx, &inspector, root)
        .await?;
        add(s);
    }
    for (i, m) in [4u8, 9].iter().enumerate() {
        Rec::new(
            "integrity_training",
            format!("党员干部廉政培训（第{}期）", i + 1),
            day(y, *m, 19),
        )
        .person_times(80)
        .hours(4.0)
        .sessions(1)
        .save(tx, &inspector, root)
        .await?;
        add(s);
    }
    for (i, pt) in [61i64, 60, 62, 60].iter().enumerate() {
        Rec::new(
            "integrity_talk",
            format!("第{}季度廉政履职谈话", i + 1),
            day(y, (i * 3 + 2) as u8, 23),
        )
        .person_times(*pt)
        .save(tx, &inspector, root)
        .await?;
        add(s);
    }
    for (i, n) in [20i64, 18, 18].iter().enumerate() {
        Rec::new(
            "reflection",
            format!("警示教育心得体会汇编（第{}批）", i + 1),
            day(y, (i * 4 + 3) as u8, 28),
        )
        .items(*n)
        .save(tx, &inspector, root)
        .await?;
        add(s);
    }
    for (i, film) in [
        "《零容忍》",
        "《持续发力 纵深推进》",
        "《警钟长鸣》",
        "《蝇贪之害》",
    ]
    .iter()
    .enumerate()
    {
        Rec::new(
            "warning_film",
            format!("组织观看警示教育片{film}"),
            day(y, (i * 3 + 2) as u8, 25),
        )
        .person_times(120)
        .save(tx, &inspector, root)
        .await?;
        add(s);
    }
    // 镇纪委书记同各村“一把手”廉政履职谈话 10 人次.
    Rec::new(
        "head_talk",
        "镇纪委书记同各村党组织书记廉政履职谈话",
        day(y, 7, 18),
    )
    .person_times(10)
    .save(tx, &inspector, root)
    .await?;
    add(s);
    Ok(found)
}

fn measure(text: &str, owner: Option<i64>, owner_name: &str, deadline: Day) -> NewMeasure {
    NewMeasure {
        description: text.into(),
        owner_account_id: owner,
        owner_name: owner_name.into(),
        deadline,
    }
}

/// Completes a problem's measures, files its evidence, has the clerk submit it and a leader
/// close it (销号 by someone other than the one who rectified).
async fn close(
    tx: &mut WriteTx,
    ctx: &Ctx<'_>,
    p: &Problem,
    on: Day,
    n: usize,
) -> Result<(), StorageError> {
    let clerk = ctx.actor("dangwu");
    let leader = ctx.actor("fushuji");
    for m in tx_measures(tx, p.id).await? {
        tx.complete_measure(m, on, "已按期完成整改", &clerk).await?;
    }
    tx.attach(
        "problem",
        p.id,
        &format!("整改佐证材料{n}.pdf"),
        &evidence_pdf(&format!("Rectification evidence No. {n}")),
        "application/pdf",
        &clerk,
    )
    .await?;
    tx.move_problem(p.id, Transition::Submit, on, "整改完成，申请销号", &clerk)
        .await?;
    tx.move_problem(
        p.id,
        Transition::Close,
        on.plus_days(3),
        "经核查整改到位，同意销号",
        &leader,
    )
    .await?;
    Ok(())
}

async fn tx_measures(tx: &mut WriteTx, problem_id: i64) -> Result<Vec<i64>, StorageError> {
    tx.measure_ids(problem_id).await
}

/// Problems of 2023 and their rectification.
async fn problems(
    tx: &mut WriteTx,
    ctx: &Ctx<'_>,
    found: &HashMap<&'static str, Vec<i64>>,
    s: &mut YearSummary,
) -> Result<(), StorageError> {
    let clerk = ctx.actor("dangwu");
    let root = ctx.root;
    let villages = ctx.villages();
    let owners = [
        "shuji",
        "fushuji",
        "jiwei",
        "zuzhi",
        "xuanchuan",
        "wuzhuang",
        "tongzhan",
    ];
    let categories = [
        "政治建设",
        "思想建设",
        "组织建设",
        "作风建设",
        "纪律建设",
        "制度建设",
    ];
    let mut n = 0usize;
    // 区委巡察: 45 problems fed back to the committee, 35 to the village branches.
    let mut batch = Vec::new();
    for i in 0..45usize {
        let owner = owners[i % owners.len()];
        let c = categories[i % categories.len()];
        batch.push(NewProblem {
            org_id: root.id,
            source_code: "inspection_tour".into(),
            category: c.into(),
            description: format!("{c}方面：{}", TOUR_FINDINGS[i % TOUR_FINDINGS.len()]),
            found_on: day(2023, 4, 20),
            record_id: None,
            measures: vec![
                measure(
                    "制定专项整改方案，明确整改责任和时限",
                    ctx.id(owner),
                    "",
                    day(2023, 9, 30),
                ),
                measure(
                    "建立长效机制，完善相关制度",
                    ctx.id(owner),
                    "",
                    day(2023, 11, 30),
                ),
            ],
        });
    }
    for i in 0..35usize {
        let v = villages[i % villages.len()];
        let c = categories[(i + 2) % categories.len()];
        batch.push(NewProblem {
            org_id: v.id,
            source_code: "inspection_tour".into(),
            category: c.into(),
            description: format!(
                "{}{c}方面：{}",
                v.name,
                VILLAGE_FINDINGS[i % VILLAGE_FINDINGS.len()]
            ),
            found_on: day(2023, 4, 20),
            record_id: None,
            measures: vec![measure(
                "对照问题逐项整改，建立台账",
                None,
                &ctx.secretary_name(v),
                day(2023, 10, 31),
            )],
        });
    }
    let (_, tour) = tx
        .create_problem_batch(
            NewBatch {
                org_id: root.id,
                source_code: "inspection_tour".into(),
                title: "区委第三巡察组关于巡察青石镇党委的反馈意见".into(),
                received_on: day(2023, 4, 20),
                problems: batch,
            },
            &clerk,
        )
        .await?;
    s.problems += tour.len();
    for (i, p) in tour.iter().enumerate() {
        n += 1;
        let committee = i < 45;
        let open = if committee { i >= 42 } else { i - 45 >= 34 };
        if !open {
            close(tx, ctx, p, day(2023, 11, (1 + i % 27) as u8), n).await?;
        } else if committee {
            // Still being rectified: the plan is made; the long-term measure of two of them
            // was extended to the end of this year, the third is overdue.
            let measures = tx_measures(tx, p.id).await?;
            if let Some(m) = measures.first() {
                tx.complete_measure(*m, day(2023, 9, 28), "整改方案已制定", &clerk)
                    .await?;
            }
            if let (Some(m), true) = (measures.get(1), i < 44) {
                tx.update_measure(
                    *m,
                    MeasureChange {
                        deadline: Some(day(Day::today().year(), 12, 31)),
                        ..Default::default()
                    },
                    &clerk,
                )
                .await?;
            }
        } else {
            // The last village problem is rectified and waits for 销号 review.
            for m in tx_measures(tx, p.id).await? {
                tx.complete_measure(m, day(2023, 10, 30), "已整改", &clerk)
                    .await?;
            }
            tx.attach(
                "problem",
                p.id,
                "整改情况说明.pdf",
                &evidence_pdf("Village rectification report"),
                "application/pdf",
                &clerk,
            )
            .await?;
            tx.move_problem(
                p.id,
                Transition::Submit,
                day(2023, 10, 30),
                "整改完成，申请销号",
                &clerk,
            )
            .await?;
        }
    }
    // 专项监督: 24 problems (3 per supervision), each rectified and closed.
    if let Some(ids) = found.get("special_supervision") {
        for (k, rid) in ids.iter().enumerate() {
            for j in 0..3usize {
                let v = villages[(k * 3 + j) % villages.len()];
                let on = day(2023, (2 + k) as u8, 20);
                let p = tx
                    .create_problem(
                        NewProblem {
                            org_id: v.id,
                            source_code: "special_supervision".into(),
                            category: "作风建设".into(),
                            description: format!(
                                "{}：{}",
                                v.name,
                                SUPERVISION_FINDINGS[(k * 3 + j) % SUPERVISION_FINDINGS.len()]
                            ),
                            found_on: on,
                            record_id: Some(*rid),
                            measures: vec![measure(
                                "限期整改到位并报送整改情况",
                                None,
                                &ctx.secretary_name(v),
                                on.plus_days(30),
                            )],
                        },
                        &ctx.actor("jiwei"),
                    )
                    .await?;
                n += 1;
                s.problems += 1;
                close(tx, ctx, &p, on.plus_days(25), n).await?;
            }
        }
    }
    // 村级党建巡查: 13 problems circulated (通报), rectified, closed and re-checked (回头看).
    if let Some(ids) = found.get("branch_inspection") {
        for j in 0..13usize {
            let rid = ids[j % ids.len()];
            let v = villages[(j * 7) % villages.len()];
            let on = day(2023, (3 * (1 + j % 4)) as u8, 12);
            let p = tx
                .create_problem(
                    NewProblem {
                        org_id: v.id,
                        source_code: "branch_inspection".into(),
                        category: "组织建设".into(),
                        description: format!(
                            "{}：{}",
                            v.name,
                            INSPECTION_FINDINGS[j % INSPECTION_FINDINGS.len()]
                        ),
                        found_on: on,
                        record_id: Some(rid),
                        measures: vec![measure(
                            "对照通报问题立行立改",
                            None,
                            &ctx.secretary_name(v),
                            on.plus_days(20),
                        )],
                    },
                    &ctx.actor("jiwei"),
                )
                .await?;
            n += 1;
            s.problems += 1;
            close(tx, ctx, &p, on.plus_days(15), n).await?;
            tx.move_problem(
                p.id,
                Transition::RecheckHolds,
                day(2023, 12, 15),
                "回头看：整改成效巩固，未发现反弹",
                &ctx.actor("jiwei"),
            )
            .await?;
        }
    }
    // 专题民主生活会: 20 problems found, 35 measures, all rectified.
    let dl = found
        .get("democratic_life")
        .and_then(|v| v.first())
        .copied();
    for j in 0..20usize {
        let owner = owners[j % owners.len()];
        let mut measures = vec![measure(
            DL_MEASURES[j % DL_MEASURES.len()],
            ctx.id(owner),
            "",
            day(2023, 12, 31),
        )];
        if j < 15 {
            measures.push(measure(
                "建立整改清单，定期对账销号",
                ctx.id(owner),
                "",
                day(2023, 12, 31),
            ));
        }
        let p = tx
            .create_problem(
                NewProblem {
                    org_id: root.id,
                    source_code: "democratic_life".into(),
                    category: categories[j % categories.len()].into(),
                    description: DL_FINDINGS[j % DL_FINDINGS.len()].into(),
                    found_on: day(2023, 12, 27),
                    record_id: dl,
                    measures,
                },
                &clerk,
            )
            .await?;
        n += 1;
        s.problems += 1;
        close(tx, ctx, &p, day(2023, 12, 29), n).await?;
    }
    // 区委主体责任检查考核反馈: all closed.
    for j in 0..6usize {
        let p = tx
            .create_problem(
                NewProblem {
                    org_id: root.id,
                    source_code: "responsibility_check".into(),
                    category: categories[j].into(),
                    description: CHECK_FINDINGS[j].into(),
                    found_on: day(2023, 2, 10),
                    record_id: None,
                    measures: vec![measure(
                        "成立整改工作领导小组，制定整改方案",
                        ctx.id("shuji"),
                        "",
                        day(2023, 6, 30),
                    )],
                },
                &clerk,
            )
            .await?;
        n += 1;
        s.problems += 1;
        close(tx, ctx, &p, day(2023, 6, 20), n).await?;
    }
    Ok(())
}

const TOUR_FINDINGS: [&str; 9] = [
    "学习贯彻习近平新时代中国特色社会主义思想不够深入系统",
    "落实“第一议题”制度存在学用脱节现象",
    "基层党组织书记队伍建设存在短板",
    "落实中央八项规定精神还有薄弱环节",
    "“三重一大”事项集体决策程序执行不够规范",
    "意识形态工作责任制落实不够到位",
    "对村级“三资”监管力度不够",
    "干部教育培训针对性不强",
    "巡察整改长效机制建设滞后",
];
const VILLAGE_FINDINGS: [&str; 5] = [
    "“三会一课”记录不完整",
    "村务公开不及时、不规范",
    "发展党员程序存在瑕疵",
    "集体资产台账登记不全",
    "党员教育管理不够经常",
];
const SUPERVISION_FINDINGS: [&str; 6] = [
    "村庄环境卫生死角清理不彻底",
    "禁烧巡查值守记录缺失",
    "违建排查台账更新不及时",
    "安全隐患整改未闭环",
    "自建房安全排查存在遗漏",
    "值班值守纪律执行不严",
];
const INSPECTION_FINDINGS: [&str; 5] = [
    "主题党日活动内容单一",
    "支部委员分工不明确",
    "党费收缴台账不规范",
    "组织生活会查摆问题不深入",
    "党员积分管理未落实",
];
const DL_FINDINGS: [&str; 10] = [
    "理论学习的系统性和深入性不够",
    "运用党的创新理论指导实践的能力有待提高",
    "深入基层调查研究不够经常",
    "推动乡村振兴的办法不多",
    "抓党建与抓发展结合不够紧密",
    "对分管领域全面从严治党工作督促不够",
    "批评与自我批评辣味不足",
    "落实“一岗双责”存在重业务轻党建倾向",
    "服务群众的精准度有待提升",
    "廉洁自律的标杆作用发挥不够",
];
const DL_MEASURES: [&str; 5] = [
    "制定个人学习计划，每月开展专题学习",
    "每季度到联系村开展蹲点调研",
    "建立分管领域党建工作清单",
    "定期听取分管领域党风廉政建设情况汇报",
    "严格落实个人有关事项报告制度",
];
const CHECK_FINDINGS: [&str; 6] = [
    "党委会研究党建工作的次数偏少",
    "全面从严治党主体责任清单量化不够",
    "基层党组织标准化建设进展不平衡",
    "党风廉政建设责任传导不到位",
    "谈心谈话覆盖面不够",
    "制度执行监督检查不够经常",
];

impl Ctx<'_> {
    fn secretary_name(&self, branch: &Org) -> String {
        self.accounts
            .iter()
            .find(|a| a.username == self.secretary_of(branch))
            .map(|a| a.display_name.clone())
            .unwrap_or_default()
    }
}

/// Integrity risks identified in 2023: 8 of units and posts with 16 measures, 25 of people
/// with 46 measures.
async fn risks(tx: &mut WriteTx, ctx: &Ctx<'_>, s: &mut YearSummary) -> Result<(), StorageError> {
    let inspector = ctx.actor("jiwei");
    let units: [(&str, SubjectKind, &str); 8] = [
        (
            "党政综合办公室",
            SubjectKind::Unit,
            "公务接待、公车使用审批把关不严",
        ),
        ("财政所", SubjectKind::Unit, "资金拨付审核流于形式"),
        (
            "规划建设办",
            SubjectKind::Unit,
            "工程项目招投标、验收环节廉洁风险",
        ),
        ("农业农村办", SubjectKind::Unit, "惠农补贴发放审核不严"),
        ("东岭村", SubjectKind::Unit, "村级工程项目发包不规范"),
        ("西河村", SubjectKind::Unit, "集体资产出租未公开竞价"),
        (
            "村报账员岗位",
            SubjectKind::Post,
            "村级财务报账票据审核不严",
        ),
        ("项目审批岗位", SubjectKind::Post, "项目审批中吃拿卡要风险"),
    ];
    for (i, (subject, kind, text)) in units.iter().enumerate() {
        let org = match *subject {
            "东岭村" => ctx.branch("qs-v01"),
            "西河村" => ctx.branch("qs-v02"),
            _ => ctx.root,
        };
        tx.create_risk(
            NewRisk {
                org_id: org.id,
                subject_kind: *kind,
                subject: (*subject).into(),
                description: (*text).into(),
                level: [RiskLevel::High, RiskLevel::Medium, RiskLevel::Low][i % 3],
                likelihood: None,
                impact: None,
                identified_on: day(2023, 3, 15),
                measures: vec![
                    NewRiskMeasure {
                        description: "建立审批台账，实行集体研究、全程留痕".into(),
                        owner: "分管领导".into(),
                    },
                    NewRiskMeasure {
                        description: "定期公开公示，接受群众监督".into(),
                        owner: "科室负责人".into(),
                    },
                ],
            },
            &inspector,
        )
        .await?;
        s.risks += 1;
    }
    // People: the leadership and the branch secretaries, and two staff.
    let mut people: Vec<(String, &Org)> = ctx
        .accounts
        .iter()
        .filter(|a| a.org_name == ctx.root.name && a.username != "quwei")
        .map(|a| (a.display_name.clone(), ctx.root))
        .collect();
    for b in ctx.branches {
        people.push((ctx.secretary_name(b), b));
    }
    for (i, (name, org)) in people.into_iter().take(25).enumerate() {
        let mut measures = vec![NewRiskMeasure {
            description: "严格执行个人有关事项报告制度".into(),
            owner: name.clone(),
        }];
        if i >= 4 {
            measures.push(NewRiskMeasure {
                description: "自觉接受组织监督和群众监督，定期开展自查".into(),
                owner: name.clone(),
            });
        }
        tx.create_risk(
            NewRisk {
                org_id: org.id,
                subject_kind: SubjectKind::Person,
                subject: name,
                description: PERSON_RISKS[i % PERSON_RISKS.len()].into(),
                level: if i % 5 == 0 {
                    RiskLevel::Medium
                } else {
                    RiskLevel::Low
                },
                likelihood: None,
                impact: None,
                identified_on: day(2023, 3, 20),
                measures,
            },
            &inspector,
        )
        .await?;
        s.risks += 1;
    }
    Ok(())
}

const PERSON_RISKS: [&str; 5] = [
    "分管领域项目资金审批中可能受人情干扰",
    "参与工程建设管理存在利益输送风险",
    "落实惠民政策中可能优亲厚友",
    "选人用人推荐中可能打招呼说情",
    "接受管理服务对象宴请风险",
];

/// Discipline in 2023: 第一种形态 10 人次, 记过 10, 严重警告 10, 开除党籍 10.
async fn discipline(
    tx: &mut WriteTx,
    ctx: &Ctx<'_>,
    s: &mut YearSummary,
) -> Result<(), StorageError> {
    let inspector = ctx.actor("jiwei");
    let villages = ctx.villages();
    let cases: [(i64, &str, &str); 4] = [
        (1, "", "工作作风不实，予以谈话提醒"),
        (2, "demerit", "违反工作纪律，造成不良影响"),
        (2, "serious_warning", "违反廉洁纪律，收受礼金"),
        (4, "expulsion", "严重违纪违法"),
    ];
    for (k, (form, sanction, reason)) in cases.iter().enumerate() {
        for i in 0..10usize {
            let v = villages[(i + k) % villages.len()];
            tx.create_discipline(
                NewDiscipline {
                    org_id: v.id,
                    person_name: name_for(500 + k * 10 + i),
                    member_id: None,
                    post: ["村委委员", "村会计", "网格员", "村民小组长"][i % 4].into(),
                    form: *form,
                    sanction: (*sanction).into(),
                    reason: (*reason).into(),
                    decided_on: day(2023, (1 + (i + k * 3) % 12) as u8, (5 + i) as u8),
                },
                &inspector,
            )
            .await?;
            s.discipline += 1;
        }
    }
    Ok(())
}

/// An item of the committee's list: owner, category, text, and the metric target if any.
type PlannedItem = (
    &'static str,
    &'static str,
    &'static str,
    Option<(&'static str, f64)>,
);

/// The committee's 2023 责任清单: the leaders' items (一岗双责), all done — three by their
/// quantified targets, the rest signed off with evidence — and two handed down to the
/// village branches, which completed most of theirs.
async fn lists(tx: &mut WriteTx, ctx: &Ctx<'_>, s: &mut YearSummary) -> Result<i64, StorageError> {
    let clerk = ctx.actor("dangwu");
    let list = tx
        .create_list(
            NewList {
                org_id: ctx.root.id,
                year: 2023,
                kind: ListKind::Responsibility,
                title: "青石镇党委2023年全面从严治党主体责任清单".into(),
            },
            &clerk,
        )
        .await?;
    let items: [PlannedItem; 14] = [
        (
            "shuji",
            "政治建设",
            "全年开展党委理论学习中心组学习不少于8次",
            Some(("理论学习中心组学习次数", 8.0)),
        ),
        (
            "shuji",
            "组织建设",
            "年中、年底专题听取班子成员履行主体责任情况汇报",
            Some(("履责汇报专题会议次数", 2.0)),
        ),
        (
            "fushuji",
            "组织建设",
            "全年召开党建工作会不少于3次",
            Some(("党建工作会次数", 3.0)),
        ),
        ("fushuji", "思想建设", "举办“比学践悟”专题读书班", None),
        (
            "fushuji",
            "意识形态",
            "落实意识形态工作责任制，每半年研判一次意识形态形势",
            None,
        ),
        ("jiwei", "纪律建设", "开展专项监督，督促问题整改", None),
        ("jiwei", "反腐败", "组织警示教育大会和廉政培训", None),
        ("jiwei", "纪律建设", "开展廉政履职谈话全覆盖", None),
        (
            "zuzhi",
            "组织建设",
            "按计划完成年度发展党员任务，35岁以下占比不低于70%",
            None,
        ),
        (
            "zuzhi",
            "组织建设",
            "开展村级党建巡查，通报问题并“回头看”",
            None,
        ),
        (
            "xuanchuan",
            "意识形态",
            "加强新闻宣传，全年在区级以上媒体刊发稿件不少于300篇",
            None,
        ),
        ("wuzhuang", "作风建设", "结合安全生产开展专项监督检查", None),
        ("tongzhan", "作风建设", "组织开展志愿服务活动", None),
        ("tongzhan", "制度建设", "完善“三重一大”集体决策制度", None),
    ];
    let mut handed = Vec::new();
    for (i, (owner, category, text, target)) in items.iter().enumerate() {
        let item = tx
            .create_item(
                list.id,
                ItemFields {
                    category: (*category).into(),
                    description: (*text).into(),
                    owner_account_id: ctx.id(owner),
                    org_id: ctx.root.id,
                    deadline: Some(day(2023, 12, 31)),
                    recurrence: Recurrence::Once,
                    steps: "一季度制定方案；二、三季度推进落实，季度调度；四季度总结评估".into(),
                    target: target.map(|(m, v)| (m.to_string(), v)),
                },
                &clerk,
            )
            .await?;
        s.list_items += 1;
        tx.add_progress(
            item.id,
            day(2023, 6, 30),
            "按计划推进，已完成年度任务过半",
            &ctx.actor(owner),
        )
        .await?;
        if target.is_none() {
            tx.attach(
                "item",
                item.id,
                &format!("完成情况佐证{}.pdf", i + 1),
                &evidence_pdf(&format!("List item {} completed", i + 1)),
                "application/pdf",
                &clerk,
            )
            .await?;
            tx.complete_item(
                item.id,
                day(2023, 12, 20),
                "已全面完成年度任务",
                &ctx.actor(owner),
            )
            .await?;
        }
        if matches!(i, 9 | 12) {
            handed.push(item.id);
        }
    }
    let village_ids: Vec<i64> = ctx.villages().iter().map(|v| v.id).collect();
    let branch_lists = tx.hand_down(list.id, &handed, &village_ids, &clerk).await?;
    // Eight of the ten villages completed both handed-down items; two have one open.
    for (k, bl) in branch_lists.iter().enumerate() {
        for (j, item_id) in tx.item_ids_of_list(bl.id).await?.into_iter().enumerate() {
            s.list_items += 1;
            if k >= 8 && j == 1 {
                continue;
            }
            let v = ctx.villages()[k % 10];
            let sec = ctx.actor(&ctx.secretary_of(v));
            tx.attach(
                "item",
                item_id,
                "落实情况.pdf",
                &evidence_pdf(&format!("Branch {k} item {j}")),
                "application/pdf",
                &sec,
            )
            .await?;
            tx.complete_item(item_id, day(2023, 12, 10), "已按要求完成", &sec)
                .await?;
        }
    }
    Ok(list.id)
}

/// A slice of the current year: the branches' 三会一课 up to last month, this year's list with
/// items due this month, and problems under way — what the desks show today.
async fn current_year(
    tx: &mut WriteTx,
    ctx: &Ctx<'_>,
    roster: &HashMap<i64, Vec<Member>>,
    s: &mut YearSummary,
) -> Result<(), StorageError> {
    let today = Day::today();
    let y = today.year();
    if today.month() > 1 {
        branch_meetings(tx, ctx, roster, y, today.month() - 1, s).await?;
    }
    let clerk = ctx.actor("dangwu");
    let list = tx
        .create_list(
            NewList {
                org_id: ctx.root.id,
                year: y,
                kind: ListKind::Responsibility,
                title: format!("青石镇党委{y}年全面从严治党主体责任清单"),
            },
            &clerk,
        )
        .await?;
    let month_end = today.month_end();
    let due: [(&str, &str, &str); 6] = [
        (
            "fushuji",
            "组织建设",
            "完成年度基层党组织书记述职评议准备工作",
        ),
        (
            "zuzhi",
            "组织建设",
            "完成年度党员信息核查和党费收缴台账核对",
        ),
        ("jiwei", "纪律建设", "开展年终廉政履职谈话"),
        ("xuanchuan", "意识形态", "完成年度意识形态工作总结"),
        ("shuji", "政治建设", "召开年度民主生活会征求意见座谈会"),
        ("tongzhan", "制度建设", "修订完善“三重一大”决策事项清单"),
    ];
    for (owner, category, text) in due {
        tx.create_item(
            list.id,
            ItemFields {
                category: category.into(),
                description: text.into(),
                owner_account_id: ctx.id(owner),
                org_id: ctx.root.id,
                deadline: Some(month_end),
                recurrence: Recurrence::Once,
                steps: "制定方案、组织实施、形成报告".into(),
                target: None,
            },
            &clerk,
        )
        .await?;
        s.list_items += 1;
    }
    // Problems under way: one with a measure past its deadline, one waiting for 销号 review.
    let start = Day::from_ymd(y, 1, 1).unwrap_or(today);
    let found = if today.month() > 2 {
        day(y, today.month() - 2, 10)
    } else {
        start
    };
    tx.create_problem(
        NewProblem {
            org_id: ctx.branch("qs-v03").id,
            source_code: "self_check".into(),
            category: "组织建设".into(),
            description: "南庄村党支部党员活动室台账资料不全".into(),
            found_on: found,
            record_id: None,
            measures: vec![measure(
                "补齐活动室各类台账资料",
                ctx.id("dangwu"),
                "",
                if today.day() > 1 {
                    today.plus_days(-1)
                } else {
                    found.plus_days(20)
                },
            )],
        },
        &clerk,
    )
    .await?;
    s.problems += 1;
    let waiting = tx
        .create_problem(
            NewProblem {
                org_id: ctx.root.id,
                source_code: "self_check".into(),
                category: "作风建设".into(),
                description: "机关干部考勤管理制度执行不严".into(),
                found_on: found,
                record_id: None,
                measures: vec![measure(
                    "重新修订考勤管理办法并通报执行情况",
                    ctx.id("dangwu"),
                    "",
                    today,
                )],
            },
            &clerk,
        )
        .await?;
    s.problems += 1;
    for m in tx_measures(tx, waiting.id).await? {
        tx.complete_measure(m, today, "已修订并通报", &clerk)
            .await?;
    }
    tx.attach(
        "problem",
        waiting.id,
        "考勤管理办法（修订）.pdf",
        &evidence_pdf("Attendance rules revised"),
        "application/pdf",
        &clerk,
    )
    .await?;
    tx.move_problem(
        waiting.id,
        Transition::Submit,
        today,
        "整改完成，申请销号",
        &clerk,
    )
    .await?;
    Ok(())
}

/// Loads the whole year into the demo's transaction.
pub async fn load(tx: &mut WriteTx, ctx: &Ctx<'_>) -> Result<YearSummary, StorageError> {
    let mut s = YearSummary::default();
    let roster = roster(tx, ctx, &mut s).await?;
    branch_meetings(tx, ctx, &roster, 2023, 12, &mut s).await?;
    let found = committee_work(tx, ctx, &roster, &mut s).await?;
    problems(tx, ctx, &found, &mut s).await?;
    risks(tx, ctx, &mut s).await?;
    discipline(tx, ctx, &mut s).await?;
    lists(tx, ctx, &mut s).await?;
    current_year(tx, ctx, &roster, &mut s).await?;
    Ok(s)
}
