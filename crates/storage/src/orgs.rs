//! Organization queries. Subtrees are selected by materialized path prefix.

use crate::{map_unique, Result, StorageError, Store, WriteTx};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::sync::Arc;
use zeren_domain::audit::AuditEvent;
use zeren_domain::clock;
use zeren_domain::org::{OrgCode, OrgKind, OrgName, OrgPath};
use zeren_domain::permissions::Scope;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Org {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub path: OrgPath,
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
    pub sort_order: i64,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl Org {
    pub fn depth(&self) -> usize {
        self.path.depth()
    }
}

const COLUMNS: &str =
    "id, parent_id, path, code, name, kind, sort_order, active, created_at, updated_at";

fn from_row(row: &AnyRow) -> Result<Org> {
    let kind: String = row.try_get("kind")?;
    Ok(Org {
        id: row.try_get("id")?,
        parent_id: row.try_get("parent_id")?,
        path: OrgPath(row.try_get("path")?),
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        kind: OrgKind::parse(&kind).unwrap_or(OrgKind::Other),
        sort_order: row.try_get("sort_order")?,
        active: crate::get_bool(row, "active")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The ledger tables that carry a copy of their organization's path (`org_path`).
pub(crate) const LEDGER_TABLES: [&str; 9] = [
    "members",
    "work_records",
    "resp_lists",
    "list_items",
    "problem_batches",
    "problems",
    "problem_measures",
    "risk_points",
    "discipline_records",
];

/// A new organization; the values are already validated by their types.
#[derive(Debug, Clone)]
pub struct NewOrg {
    pub parent_id: Option<i64>,
    pub code: OrgCode,
    pub name: OrgName,
    pub kind: OrgKind,
    pub sort_order: i64,
}

/// A change to an existing organization; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct OrgChange {
    pub name: Option<OrgName>,
    pub kind: Option<OrgKind>,
    pub sort_order: Option<i64>,
    pub active: Option<bool>,
    /// Move below another organization.
    pub parent_id: Option<i64>,
}

/// The organization a reference names among `orgs`: by id (what select boxes send) or by code
/// (a link typed or shared by hand, `?org=xz05`).
pub fn org_by_reference<'a>(orgs: &'a [Org], reference: &str) -> Option<&'a Org> {
    let reference = reference.trim();
    if reference.is_empty() {
        return None;
    }
    orgs.iter()
        .find(|o| o.id.to_string() == reference)
        .or_else(|| orgs.iter().find(|o| o.code == reference))
}

/// The organization tree as read at one data version, with the tree's change count then.
pub(crate) struct KeptTree {
    seen: crate::Version,
    stamp: i64,
    orgs: Arc<Vec<Org>>,
}

/// Orders a flat list depth-first (each parent followed by its children, by sort order then
/// name), which is how the tree is shown.
pub fn tree_order(mut orgs: Vec<Org>) -> Vec<Org> {
    orgs.sort_by(|a, b| (a.sort_order, &a.name, a.id).cmp(&(b.sort_order, &b.name, b.id)));
    let ids: std::collections::HashSet<i64> = orgs.iter().map(|o| o.id).collect();
    // Children by parent (in the order above); those whose parent is not among them are roots.
    let mut children: std::collections::HashMap<Option<i64>, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, o) in orgs.iter().enumerate() {
        let parent = o.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(i);
    }
    let mut order = Vec::with_capacity(orgs.len());
    // Depth first, without recursion: a stack of indexes, children pushed in reverse.
    let mut stack: Vec<usize> = children
        .get(&None)
        .into_iter()
        .flatten()
        .rev()
        .copied()
        .collect();
    while let Some(i) = stack.pop() {
        order.push(i);
        if let Some(kids) = children.get(&Some(orgs[i].id)) {
            stack.extend(kids.iter().rev().copied());
        }
    }
    let mut slots: Vec<Option<Org>> = orgs.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

impl Store {
    pub async fn org(&self, id: i64) -> Result<Org> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM orgs WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("organization"))?;
        from_row(&row)
    }

    pub async fn org_by_code(&self, code: &str) -> Result<Org> {
        if !crate::storable(code) {
            return Err(StorageError::NotFound("organization"));
        }
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM orgs WHERE code = $1"))
            .bind(code)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("organization"))?;
        from_row(&row)
    }

    /// Every organization inside the scope, in tree order.
    pub async fn orgs_in(&self, scope: &Scope) -> Result<Vec<Org>> {
        let tree = self.org_tree().await?;
        let inside: Vec<Org> = tree
            .iter()
            .filter(|o| scope.roots.iter().any(|r| r.covers(&o.path)))
            .cloned()
            .collect();
        Ok(tree_order(inside))
    }

    /// Every organization, in tree order, kept in memory between changes to the tree: the
    /// ledger pages offer a county's six hundred organizations as a filter on every read.
    /// Kept for one data version; when that moves, one number (`org_tree_version`, counted by
    /// every change to the tree on any instance) says whether the tree must be read again.
    pub async fn org_tree(&self) -> Result<Arc<Vec<Org>>> {
        let seen = self.data_version().await?;
        let kept = self
            .org_tree
            .lock()
            .ok()
            .and_then(|k| k.as_ref().map(|k| (k.seen, k.stamp, k.orgs.clone())));
        if let Some((at, _, orgs)) = &kept {
            if *at == seen {
                return Ok(orgs.clone());
            }
        }
        let (stamp,): (i64,) = sqlx::query_as("SELECT n FROM org_tree_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let orgs = match kept {
            Some((_, kept_stamp, orgs)) if kept_stamp == stamp => orgs,
            _ => {
                let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM orgs"))
                    .fetch_all(&self.pool)
                    .await?;
                let all = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
                Arc::new(tree_order(all))
            }
        };
        if let Ok(mut k) = self.org_tree.lock() {
            *k = Some(KeptTree {
                seen,
                stamp,
                orgs: orgs.clone(),
            });
        }
        Ok(orgs)
    }

    /// The organization's direct children, in display order.
    pub async fn org_children(&self, id: i64) -> Result<Vec<Org>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM orgs WHERE parent_id = $1"))
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        let mut out = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        // Ordered here, not in SQL: collations differ between SQLite and PostgreSQL.
        out.sort_by(|a, b| (a.sort_order, &a.name, a.id).cmp(&(b.sort_order, &b.name, b.id)));
        Ok(out)
    }

    /// The organizations from the root down to `org` (for breadcrumbs).
    pub async fn org_ancestors(&self, org: &Org) -> Result<Vec<Org>> {
        let mut out = Vec::new();
        for id in org.path.ids() {
            if id != org.id {
                out.push(self.org(id).await?);
            }
        }
        Ok(out)
    }

    pub async fn org_count(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orgs")
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }
}

impl WriteTx {
    /// Counts a change to the organization tree (see [`Store::org_tree`]).
    async fn tree_changed(&mut self) -> Result<()> {
        sqlx::query("UPDATE org_tree_version SET n = n + 1 WHERE id = 1")
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn org(&mut self, id: i64) -> Result<Org> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM orgs WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StorageError::NotFound("organization"))?;
        from_row(&row)
    }

    /// Creates an organization below `parent_id` (or a new root), audited.
    pub async fn create_org(&mut self, new: NewOrg, actor: &Actor) -> Result<Org> {
        let parent = match new.parent_id {
            Some(p) => Some(self.org(p).await?),
            None => None,
        };
        if let Some(p) = &parent {
            if !p.active {
                return Err(StorageError::Rejected {
                    field: "parent_id",
                    message: "上级组织已停用，不能在其下新建组织".into(),
                });
            }
        }
        let now = clock::now_text();
        // The path needs the new id: insert with a provisional path, then set it.
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO orgs (parent_id, path, code, name, kind, sort_order, active, created_at, updated_at) \
             VALUES ($1, '', $2, $3, $4, $5, TRUE, $6, $6) RETURNING id",
        )
        .bind(new.parent_id)
        .bind(new.code.as_str())
        .bind(new.name.as_str())
        .bind(new.kind.code())
        .bind(new.sort_order)
        .bind(&now)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(|e| map_unique(e, "code"))?;
        let path = match &parent {
            Some(p) => p.path.child(id),
            None => OrgPath::root(id),
        };
        sqlx::query("UPDATE orgs SET path = $1 WHERE id = $2")
            .bind(path.as_str())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        self.tree_changed().await?;
        let org = self.org(id).await?;
        self.audit(actor.event("org.create", "org", id, None::<&()>, Some(&org)))
            .await?;
        Ok(org)
    }

    /// Renames, retypes, reorders, (de)activates or moves an organization, audited.
    pub async fn update_org(&mut self, id: i64, change: OrgChange, actor: &Actor) -> Result<Org> {
        let before = self.org(id).await?;
        self.tree_changed().await?;
        let now = clock::now_text();
        sqlx::query(
            "UPDATE orgs SET name = $1, kind = $2, sort_order = $3, active = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(change.name.as_ref().map(|n| n.as_str()).unwrap_or(&before.name))
        .bind(change.kind.unwrap_or(before.kind).code())
        .bind(change.sort_order.unwrap_or(before.sort_order))
        .bind(change.active.unwrap_or(before.active))
        .bind(&now)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        if change.active == Some(false) && before.active {
            let (active_children,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM orgs WHERE parent_id = $1 AND active = TRUE")
                    .bind(id)
                    .fetch_one(&mut *self.tx)
                    .await?;
            if active_children > 0 {
                return Err(StorageError::Rejected {
                    field: "active",
                    message: "该组织下还有在用的下级组织，请先停用或移走下级组织".into(),
                });
            }
        }
        let target_parent = match change.parent_id {
            Some(p) => Some(p),
            None => before.parent_id,
        };
        if let Some(pid) = target_parent {
            let moving = Some(pid) != before.parent_id;
            let activating = change.active == Some(true) && !before.active;
            if (moving || activating)
                && change.active != Some(false)
                && !self.org(pid).await?.active
            {
                return Err(StorageError::Rejected {
                    field: "parent_id",
                    message: "上级组织已停用，请先启用上级组织或移到其他组织之下".into(),
                });
            }
        }
        if let Some(new_parent) = change.parent_id {
            if Some(new_parent) != before.parent_id {
                let parent = self.org(new_parent).await?;
                if before.path.covers(&parent.path) {
                    return Err(StorageError::Rejected {
                        field: "parent_id",
                        message: "不能把组织移动到它自己或它的下级组织之下".into(),
                    });
                }
                let new_path = parent.path.child(id);
                // Re-root the whole subtree in one statement.
                sqlx::query(
                    "UPDATE orgs SET path = $1 || substr(path, CAST($2 AS INTEGER)) WHERE path LIKE $3",
                )
                .bind(new_path.as_str())
                .bind(before.path.as_str().chars().count() as i64 + 1)
                .bind(format!("{}%", before.path.as_str()))
                .execute(&mut *self.tx)
                .await?;
                // The ledgers keep a copy of the path (see migration 0003): re-root them too.
                for table in LEDGER_TABLES {
                    sqlx::query(&format!(
                        "UPDATE {table} SET org_path = $1 || substr(org_path, CAST($2 AS INTEGER)) \
                         WHERE org_path LIKE $3"
                    ))
                    .bind(new_path.as_str())
                    .bind(before.path.as_str().chars().count() as i64 + 1)
                    .bind(format!("{}%", before.path.as_str()))
                    .execute(&mut *self.tx)
                    .await?;
                }
                sqlx::query("UPDATE orgs SET parent_id = $1 WHERE id = $2")
                    .bind(new_parent)
                    .bind(id)
                    .execute(&mut *self.tx)
                    .await?;
            }
        }
        let after = self.org(id).await?;
        let action = if change.active == Some(false) && before.active {
            "org.deactivate"
        } else if change.parent_id.is_some() && after.parent_id != before.parent_id {
            "org.move"
        } else {
            "org.update"
        };
        self.audit(actor.event(action, "org", id, Some(&before), Some(&after)))
            .await?;
        Ok(after)
    }
}

/// Who is acting, for the audit trail.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
    pub address: String,
}

impl Actor {
    /// The server's own command line (`zeren user create`, `zeren demo`).
    pub fn cli() -> Self {
        Self {
            id: None,
            name: "system".into(),
            address: "cli".into(),
        }
    }

    pub fn event<B: Serialize, A: Serialize>(
        &self,
        action: &str,
        object_type: &str,
        object_id: impl ToString,
        before: Option<&B>,
        after: Option<&A>,
    ) -> AuditEvent {
        AuditEvent {
            actor_id: self.id,
            actor: self.name.clone(),
            address: self.address.clone(),
            action: action.to_string(),
            object_type: object_type.to_string(),
            object_id: object_id.to_string(),
            before: before.and_then(|b| serde_json::to_string(b).ok()),
            after: after.and_then(|a| serde_json::to_string(a).ok()),
        }
    }
}
