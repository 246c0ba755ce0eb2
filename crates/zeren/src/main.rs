//! `zeren`: the one binary. Serves the web application and runs the operator's tasks.

mod bench;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use zeren_domain::account::{hash_password, parse_display_name, PasswordPolicy, Username};
use zeren_domain::org::{OrgCode, OrgKind, OrgName};
use zeren_domain::role::Role;
use zeren_storage::{redact, sqlite_url_for_dir, Actor, NewAccount, NewOrg, Store};
use zeren_web::demo::{self, DemoOptions};
use zeren_web::{AppState, Config};

#[derive(Parser)]
#[command(
    name = "zeren",
    version,
    about = "责任纪实：全面从严治党主体责任纪实系统"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Data folder; the SQLite database is DATA/zeren.db.
    #[arg(long, default_value = "./zeren-data", global = true)]
    data: PathBuf,
    /// Database URL (postgres://… or sqlite://…); overrides --data.
    #[arg(long, env = "ZEREN_DATABASE_URL", global = true)]
    database: Option<String>,
}

impl DbArgs {
    fn url(&self) -> Result<String> {
        match &self.database {
            Some(u) => Ok(u.clone()),
            None => sqlite_url_for_dir(&self.data)
                .with_context(|| format!("cannot create data folder {}", self.data.display())),
        }
    }

    async fn open(&self) -> Result<Store> {
        let url = self.url()?;
        Store::open(&url)
            .await
            .with_context(|| format!("cannot open database {}", redact(&url)))
    }
}

#[derive(Args, Clone)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Mark cookies Secure (serve behind HTTPS).
    #[arg(long)]
    secure_cookies: bool,
    /// Behind a reverse proxy: record the client address from X-Forwarded-For.
    #[arg(long)]
    trust_forwarded_for: bool,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web application.
    Serve(ServeArgs),
    /// Load the demo township (if the database is empty) and serve it.
    Demo {
        #[command(flatten)]
        serve: ServeArgs,
        /// Load the demo and exit without serving.
        #[arg(long)]
        load_only: bool,
        /// Password of the demo administrator `admin` (generated if omitted).
        #[arg(long)]
        admin_password: Option<String>,
        /// Password shared by the other demo accounts (generated if omitted).
        #[arg(long)]
        user_password: Option<String>,
    },
    /// Apply pending database migrations and exit.
    Migrate(DbArgs),
    /// Manage organizations from the server's command line (e.g. the first, top one).
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Manage accounts from the server's command line.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// 报告体检: check report drafts (.docx, .md, .txt) for unfilled placeholders, numbering
    /// gaps, unbalanced quotes, figures that disagree … Exits 1 when any 错误 is found.
    Check {
        /// Files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print one JSON array of findings.
        #[arg(long)]
        json: bool,
        /// Switch a rule off (id or prefix, e.g. `time` or `numbering.style`); repeatable.
        #[arg(long = "disable", value_name = "RULE")]
        disable: Vec<String>,
        /// The report's year, when its title does not say.
        #[arg(long)]
        year: Option<i32>,
    },
    /// Measure a county-scale installation (hundreds of units) in a throwaway database and
    /// print how long the main pages and API calls take.
    Bench {
        /// Departments under the county working committee.
        #[arg(long, default_value_t = 300, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=5000))]
        units: usize,
        /// Branches per department.
        #[arg(long, default_value_t = 3, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=50))]
        branches: usize,
        /// Accounts per department.
        #[arg(long, default_value_t = 8, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=200))]
        accounts: usize,
        /// An EMPTY PostgreSQL database to measure instead of a temporary SQLite file.
        #[arg(long)]
        database: Option<String>,
    },
    /// Consistent online copy of the SQLite database (PostgreSQL: use pg_dump).
    Backup {
        /// Target file; must not exist.
        #[arg(long)]
        to: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account with a final password and one role on an organization.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
        /// admin, secretary, leader, inspector, clerk, branch_secretary, viewer (or 中文名)
        #[arg(long)]
        role: String,
        /// Organization code the role is granted on (and the account belongs to).
        #[arg(long)]
        org: String,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long, default_value = "")]
        title: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Set a new password (and unlock the account).
    ResetPassword {
        #[arg(long)]
        username: String,
        /// New password; generated and printed if omitted. The user must change it at login.
        #[arg(long)]
        password: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create an organization: a top one (no --parent) or one below another.
    Create {
        /// Stable code, e.g. `qs` or `qs-v11`.
        #[arg(long)]
        code: String,
        /// Name, e.g. 青石镇党委.
        #[arg(long)]
        name: String,
        /// committee, working_committee, party_group, general_branch, branch … (or 党委, 党支部 …)
        #[arg(long, default_value = "committee")]
        kind: String,
        /// Code of the parent organization; omitted for a top organization.
        #[arg(long)]
        parent: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the hash chain; exits non-zero at the first broken link.
    Verify(DbArgs),
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    // The server logs each request; one-shot commands print only their results.
    let default_filter = match cli.command {
        Command::Serve(_) | Command::Demo { .. } => "info,sqlx=warn",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| default_filter.into()),
        )
        .init();
    match cli.command {
        Command::Serve(args) => {
            let store = args.db.open().await?;
            serve(store, &args).await
        }
        Command::Demo {
            serve: args,
            load_only,
            admin_password,
            user_password,
        } => {
            let store = args.db.open().await?;
            let had_admin_password = admin_password.is_some();
            let summary = demo::load(
                &store,
                DemoOptions {
                    admin_password,
                    user_password,
                },
            )
            .await
            .context("cannot load the demo")?;
            if summary.loaded {
                println!(
                    "演示数据已载入：{} 个组织（{} 个党支部），{} 个账户。",
                    summary.orgs,
                    summary.branches,
                    summary.accounts.len()
                );
                println!(
                    "{:<12} {:<8} {:<10} {:<16} 所属组织",
                    "用户名", "姓名", "角色", "密码"
                );
                for a in &summary.accounts {
                    println!(
                        "{:<15} {:<6} {:<8} {:<18} {}",
                        a.username,
                        a.display_name,
                        a.role.label(),
                        a.password,
                        a.org_name
                    );
                }
            } else {
                println!("数据库中已有数据，未重复载入演示数据（账户密码保持不变）。");
                if had_admin_password {
                    println!(
                        "注意：--admin-password 未生效；如需修改密码，请用 zeren user reset-password --username admin --password …"
                    );
                }
            }
            if load_only {
                return Ok(());
            }
            serve(store, &args).await
        }
        Command::Migrate(db) => {
            let store = db.open().await?;
            for (v, d) in store.applied_migrations().await? {
                println!("applied {v:04} {d}");
            }
            Ok(())
        }
        Command::User { command } => user(command).await,
        Command::Org {
            command:
                OrgCommand::Create {
                    code,
                    name,
                    kind,
                    parent,
                    db,
                },
        } => {
            let invalid = |e: zeren_domain::Invalid| anyhow::anyhow!(e.message);
            let new = |parent_id| -> Result<NewOrg> {
                Ok(NewOrg {
                    parent_id,
                    code: OrgCode::parse(&code).map_err(invalid)?,
                    name: OrgName::parse(&name).map_err(invalid)?,
                    kind: OrgKind::parse(&kind).map_err(invalid)?,
                    sort_order: 0,
                })
            };
            new(None)?;
            let store = db.open().await?;
            let parent_id = match &parent {
                Some(p) => Some(
                    store
                        .org_by_code(p)
                        .await
                        .with_context(|| format!("上级组织编码 {p} 不存在"))?
                        .id,
                ),
                None => None,
            };
            let mut tx = store.begin_write().await?;
            let org = tx
                .create_org(new(parent_id)?, &Actor::cli())
                .await
                .context("cannot create the organization")?;
            tx.commit().await?;
            println!(
                "已创建组织 {}（{}，编码 {}）",
                org.name,
                org.kind.label(),
                org.code
            );
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify(db),
        } => {
            let store = db.open().await?;
            let report = store.verify_audit_chain().await?;
            match report.broken {
                None => {
                    println!("审计链完好：{} 条记录。", report.entries);
                    println!(
                        "链尾哈希：{}（请抄录留存，可发现日后末尾记录被删除）",
                        report.head
                    );
                    Ok(())
                }
                Some(b) => {
                    eprintln!("{b}（此前 {} 条完好）", report.entries);
                    std::process::exit(1);
                }
            }
        }
        Command::Check {
            files,
            json,
            disable,
            year,
        } => {
            let opts = zeren_reports::CheckOptions {
                disabled: disable,
                year,
            };
            let mut out = std::io::stdout().lock();
            // Exit 1: a 错误 was found; exit 2: a file could not be read or parsed.
            match zeren_reports::run_check_command(&files, json, &opts, &mut out) {
                Ok(code) => std::process::exit(code),
                Err(e) => {
                    eprintln!("报告体检失败：{e}");
                    std::process::exit(2);
                }
            }
        }
        Command::Bench {
            units,
            branches,
            accounts,
            database,
        } => {
            let dir = tempfile::tempdir()?;
            let url = match database {
                Some(u) => u,
                None => sqlite_url_for_dir(dir.path())?,
            };
            bench::run(
                &url,
                bench::Scale {
                    units,
                    branches_per_unit: branches,
                    accounts_per_unit: accounts,
                },
            )
            .await
        }
        Command::Backup { to, db } => {
            let store = db.open().await?;
            store
                .backup_to(&to)
                .await
                .with_context(|| format!("backup to {} failed", to.display()))?;
            println!("已备份到 {}", to.display());
            Ok(())
        }
    }
}

async fn serve(store: Store, args: &ServeArgs) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    println!("责任纪实已启动：http://{addr}");
    tracing::info!(%addr, backend = ?store.backend(), "serving");
    let state = AppState {
        store,
        config: Config {
            secure_cookies: args.secure_cookies,
            trust_forwarded_for: args.trust_forwarded_for,
        },
    };
    zeren_web::serve(state, listener).await?;
    Ok(())
}

async fn user(command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Create {
            username,
            password,
            role,
            org,
            display_name,
            title,
            db,
        } => {
            let username = Username::parse(&username).map_err(|e| anyhow::anyhow!(e.message))?;
            let role = Role::parse(&role).map_err(|e| anyhow::anyhow!(e.message))?;
            PasswordPolicy::check(&password, username.as_str())?;
            let display_name =
                parse_display_name(display_name.as_deref().unwrap_or(username.as_str()))
                    .map_err(|e| anyhow::anyhow!(e.message))?;
            let store = db.open().await?;
            let org = store
                .org_by_code(&org)
                .await
                .with_context(|| format!("组织编码 {org} 不存在"))?;
            let actor = Actor::cli();
            // Hashing is slow: done before the write lock is taken.
            let password_hash = hash_password(&password);
            let mut tx = store.begin_write().await?;
            let account = tx
                .create_account(
                    NewAccount {
                        username,
                        display_name,
                        password_hash,
                        org_id: org.id,
                        title,
                        portfolio: String::new(),
                        // Set on the server's command line: the password is final.
                        must_change_password: false,
                    },
                    &actor,
                )
                .await
                .context("cannot create the account")?;
            tx.grant_role(account.id, role, org.id, &actor).await?;
            tx.commit().await?;
            println!(
                "已创建账户 {}（{}，{}）",
                account.username,
                role.label(),
                org.name
            );
            Ok(())
        }
        UserCommand::ResetPassword {
            username,
            password,
            db,
        } => {
            let store = db.open().await?;
            let Some(account) = store.account_by_username(&username).await? else {
                bail!("用户名 {username} 不存在");
            };
            let (password, generated) = match password {
                Some(p) => {
                    PasswordPolicy::check(&p, &account.username)?;
                    (p, false)
                }
                None => (PasswordPolicy::generate(), true),
            };
            let password_hash = hash_password(&password);
            let mut tx = store.begin_write().await?;
            tx.set_password(account.id, &password_hash, generated, None, &Actor::cli())
                .await?;
            tx.commit().await?;
            if generated {
                println!("新密码：{password}（首次登录须修改）");
            } else {
                println!("密码已重置。");
            }
            Ok(())
        }
    }
}
