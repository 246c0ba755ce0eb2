//! The demo: a township Party committee (镇党委) with its leadership, 10 village branches and
//! 6 office and other branches, and an account for every role.

use zeren_domain::account::{hash_password, PasswordPolicy, Username};
use zeren_domain::org::{OrgCode, OrgKind, OrgName};
use zeren_domain::role::Role;
use zeren_storage::{Actor, NewAccount, NewOrg, StorageError, Store};

pub mod county;
pub mod year;

pub struct DemoOptions {
    /// Password of `admin`; generated when `None`.
    pub admin_password: Option<String>,
    /// Password shared by the other demo accounts; generated when `None`.
    pub user_password: Option<String>,
    /// Also load the township's 2023 (members, records, problems, lists, risks, discipline)
    /// and a slice of the current year. Tests of other things leave it out: it takes seconds.
    pub with_year: bool,
}

pub struct DemoAccount {
    pub username: String,
    pub display_name: String,
    pub title: String,
    pub role: Role,
    pub org_name: String,
    pub password: String,
}

pub struct DemoSummary {
    pub orgs: usize,
    pub branches: usize,
    pub accounts: Vec<DemoAccount>,
    /// False when the database already held data and nothing was loaded.
    pub loaded: bool,
    /// What the year's load wrote (empty without `with_year`).
    pub year: year::YearSummary,
}

const ROOT: (&str, &str) = ("qs", "青石镇党委");

/// Office and other branches; the first two sit under the office general branch.
const OFFICE: [(&str, &str); 6] = [
    ("qs-jg1", "镇机关第一党支部"),
    ("qs-jg2", "镇机关第二党支部"),
    ("qs-wsy", "镇卫生院党支部"),
    ("qs-zx", "镇中心学校党支部"),
    ("qs-sq", "青石社区党支部"),
    ("qs-fg", "非公企业联合党支部"),
];

const VILLAGES: [&str; 10] = [
    "东岭村",
    "西河村",
    "南庄村",
    "北坡村",
    "柳林村",
    "杨湾村",
    "石桥村",
    "马庄村",
    "新华村",
    "红旗村",
];

/// Branch secretaries' names, one per branch in the order above (offices, then villages).
const BRANCH_SECRETARIES: [&str; 16] = [
    "冯立新",
    "蒋文静",
    "韩雪",
    "杨志远",
    "朱丽娟",
    "秦海波",
    "李明",
    "王建军",
    "刘春生",
    "陈国庆",
    "张玉兰",
    "赵德胜",
    "孙振华",
    "周永福",
    "吴桂芳",
    "郑长青",
];

/// The leadership (领导班子): username, name, title, role, portfolio (分管领域).
const LEADERSHIP: [(&str, &str, &str, Role, &str); 7] = [
    (
        "shuji",
        "张建国",
        "镇党委书记",
        Role::Secretary,
        "主持镇党委全面工作，履行全面从严治党第一责任人职责",
    ),
    (
        "fushuji",
        "李红梅",
        "镇党委副书记",
        Role::Leader,
        "党建、意识形态、乡村振兴",
    ),
    (
        "jiwei",
        "赵志强",
        "镇党委委员、纪委书记",
        Role::Inspector,
        "纪检监察、党风廉政建设",
    ),
    (
        "zuzhi",
        "孙丽",
        "镇党委委员、组织委员",
        Role::Leader,
        "组织、人才、党员发展与教育管理",
    ),
    (
        "xuanchuan",
        "周涛",
        "镇党委委员、宣传委员",
        Role::Leader,
        "宣传、精神文明、网络舆情",
    ),
    (
        "wuzhuang",
        "吴刚",
        "镇党委委员、武装部长",
        Role::Leader,
        "武装、安全生产、应急管理",
    ),
    (
        "tongzhan",
        "郑华",
        "镇党委委员、统战委员",
        Role::Leader,
        "统战、群团、民族宗教",
    ),
];

fn invalid(e: zeren_domain::Invalid) -> StorageError {
    StorageError::Rejected {
        field: e.field,
        message: e.message,
    }
}

fn org(
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

/// Loads the demo into an empty database, in one transaction (all or nothing).
pub async fn load(store: &Store, opts: DemoOptions) -> Result<DemoSummary, StorageError> {
    if store.org_count().await? > 0 {
        return Ok(DemoSummary {
            orgs: store.org_count().await? as usize,
            branches: 0,
            accounts: Vec::new(),
            loaded: false,
            year: year::YearSummary::default(),
        });
    }
    let admin_password = opts.admin_password.unwrap_or_else(PasswordPolicy::generate);
    PasswordPolicy::check(&admin_password, "admin").map_err(|e| invalid(e.into()))?;
    let user_password = opts.user_password.unwrap_or_else(PasswordPolicy::generate);
    PasswordPolicy::check(&user_password, "").map_err(|e| invalid(e.into()))?;
    // One hash for the shared demo password: hashing is deliberately slow.
    let user_hash = hash_password(&user_password);

    let actor = Actor::cli();
    let mut tx = store.begin_write().await?;
    let root = tx
        .create_org(org(None, ROOT.0, ROOT.1, OrgKind::Committee, 0)?, &actor)
        .await?;
    let office = tx
        .create_org(
            org(
                Some(root.id),
                "qs-jg",
                "镇机关党总支",
                OrgKind::GeneralBranch,
                1,
            )?,
            &actor,
        )
        .await?;
    let mut branches = Vec::new();
    for (i, (code, name)) in OFFICE.iter().enumerate() {
        let parent = if i < 2 { office.id } else { root.id };
        let b = tx
            .create_org(
                org(Some(parent), code, name, OrgKind::Branch, 2 + i as i64)?,
                &actor,
            )
            .await?;
        branches.push(b);
    }
    for (i, v) in VILLAGES.iter().enumerate() {
        let b = tx
            .create_org(
                org(
                    Some(root.id),
                    &format!("qs-v{:02}", i + 1),
                    &format!("{v}党支部"),
                    OrgKind::Branch,
                    10 + i as i64,
                )?,
                &actor,
            )
            .await?;
        branches.push(b);
    }

    let mut accounts = Vec::new();
    let mut add =
        |username: &str, name: &str, title: &str, role: Role, org_name: &str, password: &str| {
            accounts.push(DemoAccount {
                username: username.to_string(),
                display_name: name.to_string(),
                title: title.to_string(),
                role,
                org_name: org_name.to_string(),
                password: password.to_string(),
            });
        };
    add(
        "admin",
        "王磊",
        "党政办信息员",
        Role::Admin,
        &root.name,
        &admin_password,
    );
    for (u, n, t, r, _) in LEADERSHIP {
        add(u, n, t, r, &root.name, &user_password);
    }
    add(
        "dangwu",
        "陈静",
        "党建办党务工作者",
        Role::Clerk,
        &root.name,
        &user_password,
    );
    add(
        "quwei",
        "刘洋",
        "区委组织部组织科科长",
        Role::Viewer,
        &root.name,
        &user_password,
    );
    for (b, name) in branches.iter().zip(BRANCH_SECRETARIES) {
        let username = format!("zb-{}", b.code.trim_start_matches("qs-"));
        add(
            &username,
            name,
            &format!("{}书记", b.name),
            Role::BranchSecretary,
            &b.name,
            &user_password,
        );
    }

    let admin_hash = hash_password(&admin_password);
    let mut ids = std::collections::HashMap::new();
    for a in &accounts {
        let org_id = branches
            .iter()
            .find(|b| b.name == a.org_name)
            .map(|b| b.id)
            .unwrap_or(root.id);
        let portfolio = LEADERSHIP
            .iter()
            .find(|l| l.0 == a.username)
            .map(|l| l.4)
            .unwrap_or("");
        let created = tx
            .create_account(
                NewAccount {
                    username: Username::parse(&a.username).map_err(invalid)?,
                    display_name: a.display_name.clone(),
                    password_hash: if a.role == Role::Admin {
                        admin_hash.clone()
                    } else {
                        user_hash.clone()
                    },
                    org_id,
                    title: a.title.clone(),
                    portfolio: portfolio.to_string(),
                    must_change_password: false,
                },
                &actor,
            )
            .await?;
        tx.grant_role(created.id, a.role, org_id, &actor).await?;
        ids.insert(a.username.clone(), created.id);
    }
    let year = if opts.with_year {
        year::load(
            &mut tx,
            &year::Ctx {
                root: &root,
                branches: &branches,
                accounts: &accounts,
                ids: &ids,
            },
        )
        .await?
    } else {
        year::YearSummary::default()
    };
    tx.commit().await?;
    if opts.with_year {
        // Items with quantified targets are done when their metric says so.
        store.refresh_list_targets(&root.path, 2023).await?;
        store
            .refresh_list_targets(&root.path, zeren_domain::date::Day::today().year())
            .await?;
        store.analyze().await?;
    }
    Ok(DemoSummary {
        orgs: 2 + branches.len(),
        branches: branches.len(),
        accounts,
        loaded: true,
        year,
    })
}

/// A one-page PDF saying `title` (ASCII): the demo's scans of minutes and evidence.
pub fn evidence_pdf(title: &str) -> Vec<u8> {
    let text: String = title
        .chars()
        .filter(|c| c.is_ascii() && !matches!(c, '(' | ')' | '\\'))
        .collect();
    let stream = format!("BT /F1 20 Tf 72 760 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{stream}\nendstream",
            stream.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}
