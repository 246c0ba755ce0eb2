//! The member roster (党员名册). A member belongs to one organization; the row carries that
//! organization's path, so "members of this subtree" is one predicate. Members are voided,
//! never deleted: attendance rows and, later, development stages and dues refer to them.

use crate::orgs::Actor;
use crate::{Result, StorageError, Store, WriteTx};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use zeren_domain::clock;
use zeren_domain::date::Day;
use zeren_domain::members::{MemberStatus, MemberValues};
use zeren_domain::org::OrgPath;

/// A roster entry, with its organization's code and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub org_code: String,
    pub org_name: String,
    pub name: String,
    pub gender: String,
    pub birth_date: Option<String>,
    pub joined_on: Option<String>,
    pub full_on: Option<String>,
    /// `full`, `probationary`, `transferred_out`, `deceased`
    pub status: String,
    pub education: String,
    pub post: String,
    pub phone: String,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub voided: bool,
    pub void_reason: String,
    pub voided_at: Option<String>,
    pub voided_by: Option<i64>,
}

impl Member {
    pub fn status(&self) -> Option<MemberStatus> {
        MemberStatus::parse(&self.status).ok()
    }

    pub fn status_label(&self) -> &'static str {
        self.status().map(|s| s.label()).unwrap_or("未知")
    }

    /// On the roster: not voided, a full or probationary member.
    pub fn on_roster(&self) -> bool {
        !self.voided && self.status().is_some_and(|s| s.on_roster())
    }

    pub fn path(&self) -> OrgPath {
        OrgPath(self.org_path.clone())
    }

    /// Whole years of age on `on`, when the birth date is known.
    pub fn age_on(&self, on: Day) -> Option<i32> {
        let birth = Day::from_stored(self.birth_date.as_deref()?)?;
        Some(zeren_domain::members::age_on(birth, on))
    }

    /// The values as the domain type (for changes that keep most fields).
    pub fn values(&self) -> MemberValues {
        let day = |d: &Option<String>| d.as_deref().and_then(Day::from_stored);
        MemberValues {
            name: self.name.clone(),
            gender: self.gender.clone(),
            birth_date: day(&self.birth_date),
            joined_on: day(&self.joined_on),
            full_on: day(&self.full_on),
            status: self.status().unwrap_or(MemberStatus::Full),
            education: self.education.clone(),
            post: self.post.clone(),
            phone: self.phone.clone(),
        }
    }
}

pub(crate) const MEMBER_SELECT: &str = "SELECT m.id, m.org_id, m.org_path, o.code AS org_code, \
     o.name AS org_name, m.name, m.gender, m.birth_date, m.joined_on, m.full_on, m.status, \
     m.education, m.post, m.phone, m.created_by, m.created_at, m.updated_at, m.voided, \
     m.void_reason, m.voided_at, m.voided_by FROM members m JOIN orgs o ON o.id = m.org_id";

fn from_row(row: &AnyRow) -> Result<Member> {
    Ok(Member {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        org_path: row.try_get("org_path")?,
        org_code: row.try_get("org_code")?,
        org_name: row.try_get("org_name")?,
        name: row.try_get("name")?,
        gender: row.try_get("gender")?,
        birth_date: row.try_get("birth_date")?,
        joined_on: row.try_get("joined_on")?,
        full_on: row.try_get("full_on")?,
        status: row.try_get("status")?,
        education: row.try_get("education")?,
        post: row.try_get("post")?,
        phone: row.try_get("phone")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        voided: crate::get_bool(row, "voided")?,
        void_reason: row.try_get("void_reason")?,
        voided_at: row.try_get("voided_at")?,
        voided_by: row.try_get("voided_by")?,
    })
}

/// The few facts about an organization a ledger row needs.
pub(crate) struct LedgerOrg {
    pub id: i64,
    pub path: OrgPath,
    pub name: String,
    pub active: bool,
}

/// A domain value's rejection as a storage rejection (the same field and message).
pub(crate) fn invalid(e: zeren_domain::Invalid) -> StorageError {
    StorageError::Rejected {
        field: e.field,
        message: e.message,
    }
}

/// A new roster entry: the organization and the values (checked again on insert).
#[derive(Debug, Clone)]
pub struct NewMember {
    pub org_id: i64,
    pub values: MemberValues,
}

/// Which members to list.
#[derive(Debug, Clone, Default)]
pub struct MemberQuery {
    /// Subtrees to look in (the caller's scope, or one organization's subtree); empty: none.
    pub roots: Vec<OrgPath>,
    pub status: Option<MemberStatus>,
    /// Part of the name.
    pub name: Option<String>,
    pub include_voided: bool,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone)]
pub struct MemberPage {
    pub rows: Vec<Member>,
    pub total: i64,
}

/// `text` for a `LIKE … ESCAPE '\'` pattern that matches it anywhere.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// A value bound to a query built piece by piece.
pub(crate) enum Bind {
    Text(String),
    Int(i64),
}

/// Appends `(col LIKE $n OR col LIKE $n+1 …)` for the subtrees.
pub(crate) fn roots_clause(col: &str, roots: &[OrgPath], binds: &mut Vec<Bind>) -> String {
    let parts: Vec<String> = roots
        .iter()
        .map(|r| {
            binds.push(Bind::Text(format!("{}%", r.as_str())));
            format!("{col} LIKE ${}", binds.len())
        })
        .collect();
    format!("({})", parts.join(" OR "))
}

pub(crate) fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &'q [Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Text(t) => q.bind(t.as_str()),
            Bind::Int(i) => q.bind(*i),
        };
    }
    q
}

impl Store {
    pub async fn member(&self, id: i64) -> Result<Member> {
        let row = sqlx::query(&format!("{MEMBER_SELECT} WHERE m.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("member"))?;
        from_row(&row)
    }

    /// Members in the subtrees, by organization (tree path) then name; with the total count.
    pub async fn members(&self, q: &MemberQuery) -> Result<MemberPage> {
        if q.roots.is_empty() || q.name.as_deref().is_some_and(|n| !crate::storable(n)) {
            return Ok(MemberPage {
                rows: Vec::new(),
                total: 0,
            });
        }
        let mut binds = Vec::new();
        let mut conds = vec![roots_clause("m.org_path", &q.roots, &mut binds)];
        if !q.include_voided {
            conds.push("m.voided = FALSE".into());
        }
        if let Some(s) = q.status {
            binds.push(Bind::Text(s.code().into()));
            conds.push(format!("m.status = ${}", binds.len()));
        }
        if let Some(n) = q.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            binds.push(Bind::Text(contains_pattern(n)));
            conds.push(format!("m.name LIKE ${} ESCAPE '\\'", binds.len()));
        }
        let filter = conds.join(" AND ");
        let count_sql = format!("SELECT COUNT(*) FROM members m WHERE {filter}");
        let (total,): (i64,) = {
            let mut cq = sqlx::query_as::<_, (i64,)>(&count_sql);
            for b in &binds {
                cq = match b {
                    Bind::Text(t) => cq.bind(t.as_str()),
                    Bind::Int(i) => cq.bind(*i),
                };
            }
            cq.fetch_one(&self.pool).await?
        };
        let n = binds.len();
        binds.push(Bind::Int(q.limit.clamp(0, 1000)));
        binds.push(Bind::Int(q.offset.max(0)));
        let sql = format!(
            "{MEMBER_SELECT} WHERE {filter} ORDER BY m.org_path, m.voided, m.id LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let rows = bind_all(sqlx::query(&sql), &binds)
            .fetch_all(&self.pool)
            .await?;
        Ok(MemberPage {
            rows: rows.iter().map(from_row).collect::<Result<_>>()?,
            total,
        })
    }

    /// The members on the roster of one organization itself (for attendance lists), by name
    /// order as stored (id).
    pub async fn members_of_org(&self, org_id: i64) -> Result<Vec<Member>> {
        let rows = sqlx::query(&format!(
            "{MEMBER_SELECT} WHERE m.org_id = $1 AND m.voided = FALSE \
             AND m.status IN ('full', 'probationary') ORDER BY m.id"
        ))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Members by id (for attendance lists); unknown ids are left out.
    pub async fn members_by_ids(&self, ids: &[i64]) -> Result<Vec<Member>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = ids
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let rows = sqlx::query(&format!(
            "{MEMBER_SELECT} WHERE m.id IN ({list}) ORDER BY m.id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }
}

impl WriteTx {
    pub(crate) async fn member(&mut self, id: i64) -> Result<Member> {
        let row = sqlx::query(&format!("{MEMBER_SELECT} WHERE m.id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound("member"))?;
        from_row(&row)
    }

    /// An active organization to put a member or record on.
    pub(crate) async fn active_org(&mut self, id: i64, field: &'static str) -> Result<LedgerOrg> {
        let row = sqlx::query("SELECT id, path, name, kind, active FROM orgs WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound("organization"))?;
        let org = LedgerOrg {
            id: row.try_get("id")?,
            path: OrgPath(row.try_get("path")?),
            name: row.try_get("name")?,
            active: crate::get_bool(&row, "active")?,
        };
        if !org.active {
            return Err(StorageError::Rejected {
                field,
                message: format!("“{}”已停用，不能再登记", org.name),
            });
        }
        Ok(org)
    }

    /// Adds a member to the roster; audited.
    pub async fn create_member(&mut self, new: NewMember, actor: &Actor) -> Result<Member> {
        let v = new.values.check(Day::today()).map_err(invalid)?;
        let org = self.active_org(new.org_id, "org").await?;
        let now = clock::now_text();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO members (org_id, org_path, name, gender, birth_date, joined_on, full_on, \
             status, education, post, phone, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
        )
        .bind(org.id)
        .bind(org.path.as_str())
        .bind(&v.name)
        .bind(&v.gender)
        .bind(v.birth_date.map(|d| d.text()))
        .bind(v.joined_on.map(|d| d.text()))
        .bind(v.full_on.map(|d| d.text()))
        .bind(v.status.code())
        .bind(&v.education)
        .bind(&v.post)
        .bind(&v.phone)
        .bind(actor.id)
        .bind(&now)
        .fetch_one(&mut *self.tx)
        .await?;
        let member = self.member(id).await?;
        self.audit(actor.event("member.create", "member", id, None::<&()>, Some(&member)))
            .await?;
        Ok(member)
    }

    /// Changes a member's entry (and, with `org_id`, moves the member to another
    /// organization); audited. A voided entry cannot be changed.
    pub async fn update_member(
        &mut self,
        id: i64,
        org_id: Option<i64>,
        values: MemberValues,
        actor: &Actor,
    ) -> Result<Member> {
        let before = self.member(id).await?;
        if before.voided {
            return Err(StorageError::Rejected {
                field: "id",
                message: "该党员信息已作废，不能修改".into(),
            });
        }
        let v = values.check(Day::today()).map_err(invalid)?;
        let (org_id, org_path) = match org_id {
            Some(o) if o != before.org_id => {
                let org = self.active_org(o, "org").await?;
                (org.id, org.path.as_str().to_string())
            }
            _ => (before.org_id, before.org_path.clone()),
        };
        sqlx::query(
            "UPDATE members SET org_id = $1, org_path = $2, name = $3, gender = $4, \
             birth_date = $5, joined_on = $6, full_on = $7, status = $8, education = $9, \
             post = $10, phone = $11, updated_at = $12 WHERE id = $13",
        )
        .bind(org_id)
        .bind(&org_path)
        .bind(&v.name)
        .bind(&v.gender)
        .bind(v.birth_date.map(|d| d.text()))
        .bind(v.joined_on.map(|d| d.text()))
        .bind(v.full_on.map(|d| d.text()))
        .bind(v.status.code())
        .bind(&v.education)
        .bind(&v.post)
        .bind(&v.phone)
        .bind(clock::now_text())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.member(id).await?;
        let action = if after.status != before.status {
            "member.status"
        } else {
            "member.update"
        };
        self.audit(actor.event(action, "member", id, Some(&before), Some(&after)))
            .await?;
        Ok(after)
    }

    /// Voids a roster entry (entered by mistake, a duplicate) with a reason; audited. The
    /// attendance it appears in is kept.
    pub async fn void_member(&mut self, id: i64, reason: &str, actor: &Actor) -> Result<Member> {
        let reason = zeren_domain::records::void_reason(reason).map_err(invalid)?;
        let before = self.member(id).await?;
        if before.voided {
            return Err(StorageError::Rejected {
                field: "id",
                message: "该党员信息已作废".into(),
            });
        }
        sqlx::query(
            "UPDATE members SET voided = TRUE, void_reason = $1, voided_at = $2, voided_by = $3, \
             updated_at = $2 WHERE id = $4",
        )
        .bind(&reason)
        .bind(clock::now_text())
        .bind(actor.id)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        let after = self.member(id).await?;
        self.audit(actor.event("member.void", "member", id, Some(&before), Some(&after)))
            .await?;
        Ok(after)
    }
}
