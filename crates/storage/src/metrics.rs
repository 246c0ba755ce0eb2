//! The metric layer: every figure of a report, a dashboard, an assessment or a warning is a
//! named metric evaluated here, by the database, over an organization subtree and a period.
//!
//! A definition ([`MetricDef`]) is turned into one SQL aggregate: the source's table, the
//! source's date column within the period, the subtree by the ledger row's own copy of the
//! organization path, and the filters, each a whitelisted column compared with bound values
//! (no text of a definition is ever spliced into SQL). The same conditions without the
//! aggregate list the rows behind a value ([`Store::metric_records`]): every number a user sees
//! can be opened to the records that make it.

use crate::orgs::{Actor, Org};
use crate::{map_unique, Backend, Result, StorageError, Store, WriteTx};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use zeren_domain::clock;
use zeren_domain::date::{Day, Period};
use zeren_domain::metrics::{
    builtin, percentage, Filter, MetricDef, MetricKind, OrgScope, Source, SumField,
};

/// A metric's value over one subtree and period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricValue {
    pub name: String,
    /// `None` for a ratio whose denominator is zero.
    pub value: Option<f64>,
    pub unit: String,
    pub description: String,
}

/// One row behind a metric value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricRow {
    /// `record`, `problem`, `measure`, `item`, `risk`, `risk_measure`, `discipline`, `member`,
    /// `org`.
    pub kind: &'static str,
    pub id: i64,
    /// The object a page shows it on: the problem of a measure, the risk of a control
    /// measure; otherwise the row itself.
    pub page_id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// The day that files the row under the period (held, found, due, joined …).
    pub day: String,
    pub summary: String,
    /// What the row adds to a sum (人次, 学时 …); 1 for a count.
    pub amount: f64,
    /// For a ratio's rows (those of its denominator): whether the row is also counted in the
    /// numerator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_numerator: Option<bool>,
}

/// The rows behind a value, one page of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricRecords {
    pub name: String,
    pub value: Option<f64>,
    pub unit: String,
    /// The source the rows come from (a ratio's denominator's).
    pub source: Source,
    pub total: i64,
    pub rows: Vec<MetricRow>,
}

#[derive(Debug, Clone)]
enum Bind {
    Text(String),
    Int(i64),
}

/// A source's table, columns and filters, compiled to SQL pieces.
struct Compiled {
    from: &'static str,
    conditions: Vec<String>,
    binds: Vec<Bind>,
}

impl Compiled {
    fn bind(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len())
    }

    fn any_of(&mut self, column: &str, values: &[String]) {
        if values.is_empty() {
            return;
        }
        let marks: Vec<String> = values
            .iter()
            .map(|v| self.bind(Bind::Text(v.clone())))
            .collect();
        self.conditions
            .push(format!("{column} IN ({})", marks.join(", ")));
    }

    fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }
}

/// The columns each source is read through. `t` is the row that carries the organization.
struct Shape {
    from: &'static str,
    path: &'static str,
    org: &'static str,
    date: Option<&'static str>,
    /// Conditions that keep voided rows out.
    live: &'static [&'static str],
    kind: &'static str,
    id: &'static str,
    page_id: &'static str,
    summary: &'static str,
}

fn shape(source: Source) -> Shape {
    match source {
        Source::Records => Shape {
            from: "work_records t",
            path: "t.org_path",
            org: "t.org_id",
            date: Some("t.held_on"),
            live: &["t.voided = FALSE"],
            kind: "record",
            id: "t.id",
            page_id: "t.id",
            summary: "t.title",
        },
        Source::Problems => Shape {
            from: "problems t",
            path: "t.org_path",
            org: "t.org_id",
            date: Some("t.found_on"),
            live: &["t.voided = FALSE"],
            kind: "problem",
            id: "t.id",
            page_id: "t.id",
            summary: "t.description",
        },
        Source::Measures => Shape {
            from: "problem_measures m JOIN problems t ON t.id = m.problem_id",
            path: "t.org_path",
            org: "t.org_id",
            date: Some("t.found_on"),
            live: &["m.voided = FALSE", "t.voided = FALSE"],
            kind: "measure",
            id: "m.id",
            page_id: "t.id",
            summary: "m.description",
        },
        Source::ListItems => Shape {
            from: "list_items t JOIN resp_lists l ON l.id = t.list_id",
            path: "t.org_path",
            org: "t.org_id",
            date: Some("t.due_on"),
            live: &["t.voided = FALSE", "l.voided = FALSE"],
            kind: "item",
            id: "t.id",
            page_id: "t.id",
            summary: "t.description",
        },
        Source::Risks => Shape {
            from: "risk_points t",
            path: "t.org_path",
            org: "t.org_id",
            date: Some("t.identified_on"),
            live: &["t.voided = FALSE"],
            kind: "risk",
            id: "t.id",
            page_id: "t.id",
            summary: "t.subject || '：' || t.description",
        },
        Source::RiskMeasures => Shape {
            from: "risk_measures m JOIN risk_points t ON t.id = m.risk_id",
            path: "t.org_path",
            org: "t.org_id",
            date: Some("t.identified_on"),
            live: &["m.voided = FALSE", "t.voided = FALSE"],
            kind: "risk_measure",
            id: "m.id",
            page_id: "t.id",
            summary: "m.description",
        },
        Source::Discipline => Shape {
            from: "discipline_records t",
            path: "t.org_path",
            org: "t.org_id",
            date: Some("t.decided_on"),
            live: &["t.voided = FALSE"],
            kind: "discipline",
            id: "t.id",
            page_id: "t.id",
            summary: "t.person_name",
        },
        Source::Members => Shape {
            from: "members t",
            path: "t.org_path",
            org: "t.org_id",
            date: Some("t.joined_on"),
            live: &["t.voided = FALSE"],
            kind: "member",
            id: "t.id",
            page_id: "t.id",
            summary: "t.name",
        },
        Source::Orgs => Shape {
            from: "orgs t",
            path: "t.path",
            org: "t.id",
            date: None,
            live: &["t.active = TRUE"],
            kind: "org",
            id: "t.id",
            page_id: "t.id",
            summary: "t.name",
        },
    }
}

/// `YYYYMMDD` of a stored day as a number, the same on both databases.
fn day_number(column: &str) -> String {
    format!("CAST(replace({column}, '-', '') AS BIGINT)")
}

fn compile(
    backend: Backend,
    source: Source,
    filter: &Filter,
    org: &Org,
    period: Period,
) -> Compiled {
    let s = shape(source);
    let mut c = Compiled {
        from: s.from,
        conditions: s.live.iter().map(|x| x.to_string()).collect(),
        binds: Vec::new(),
    };
    // The subtree, from the ledger row's own copy of the path.
    match filter.scope {
        OrgScope::Subtree => {
            let p = c.bind(Bind::Text(format!("{}%", org.path.as_str())));
            // SQLite's planner (no histograms) prefers the path index for a township's prefix
            // and then reads every row of the subtree, three years of them (~80 ms); the
            // covering metric index, entered by type or source and date, answers in a
            // millisecond with the path checked inside it. `|| ''` keeps the path index out.
            // PostgreSQL weighs both from its statistics and is left to choose.
            if backend == Backend::Sqlite && matches!(source, Source::Records | Source::Problems) {
                c.conditions.push(format!("{} || '' LIKE {p}", s.path));
            } else {
                c.conditions.push(format!("{} LIKE {p}", s.path));
            }
        }
        OrgScope::Itself => {
            let p = c.bind(Bind::Int(org.id));
            c.conditions.push(format!("{} = {p}", s.org));
        }
        OrgScope::Below => {
            let p = c.bind(Bind::Text(format!("{}%", org.path.as_str())));
            let o = c.bind(Bind::Int(org.id));
            c.conditions
                .push(format!("{} LIKE {p} AND {} <> {o}", s.path, s.org));
        }
    }
    // The period, unless the metric reads the roster as it stands.
    if let Some(date) = s.date {
        if !filter.roster {
            let from = c.bind(Bind::Text(period.from.text()));
            let to = c.bind(Bind::Text(period.to.text()));
            c.conditions
                .push(format!("{date} >= {from} AND {date} <= {to}"));
        }
    }
    let today = Day::today().text();
    match source {
        Source::Records => {
            c.any_of("t.type_code", &filter.types);
            c.any_of("t.outlet_level", &filter.outlet_levels);
        }
        Source::Problems => {
            c.any_of("t.source_code", &filter.sources);
            c.any_of("t.status", &filter.statuses);
        }
        Source::Measures => {
            c.any_of("t.source_code", &filter.sources);
            c.any_of("m.status", &filter.statuses);
            if filter.overdue {
                let d = c.bind(Bind::Text(today));
                c.conditions
                    .push(format!("m.status = 'open' AND m.deadline < {d}"));
            }
        }
        Source::ListItems => {
            c.any_of("t.status", &filter.statuses);
            if filter.leader_owned {
                c.conditions.push("t.owner_account_id IS NOT NULL".into());
            }
            if filter.overdue {
                let d = c.bind(Bind::Text(today));
                c.conditions
                    .push(format!("t.status = 'open' AND t.due_on < {d}"));
            }
        }
        Source::Risks | Source::RiskMeasures => {
            c.any_of("t.subject_kind", &filter.subject_kinds);
            c.any_of("t.level", &filter.levels);
        }
        Source::Discipline => {
            if !filter.forms.is_empty() {
                let marks: Vec<String> =
                    filter.forms.iter().map(|f| c.bind(Bind::Int(*f))).collect();
                c.conditions
                    .push(format!("t.form IN ({})", marks.join(", ")));
            }
            c.any_of("t.sanction", &filter.sanctions);
        }
        Source::Members => {
            c.any_of("t.status", &filter.statuses);
            if filter.roster {
                c.conditions
                    .push("t.status IN ('full', 'probationary')".into());
            }
            let birth = day_number("t.birth_date");
            let joined = day_number("t.joined_on");
            if filter.under_35_at_join {
                c.conditions.push(format!(
                    "t.birth_date IS NOT NULL AND t.joined_on IS NOT NULL AND {birth} + 350000 > {joined}"
                ));
            }
            if filter.info_complete {
                c.conditions.push(
                    "t.name <> '' AND t.gender <> '' AND t.birth_date IS NOT NULL \
                     AND t.joined_on IS NOT NULL"
                        .into(),
                );
            }
            if filter.info_accurate {
                c.conditions.push(format!(
                    "t.birth_date IS NOT NULL AND t.joined_on IS NOT NULL AND {birth} + 180000 <= {joined}"
                ));
            }
        }
        Source::Orgs => {
            c.any_of("t.kind", &filter.org_kinds);
        }
    }
    c
}

/// What one row adds: 1 for a count, the field (or its default) for a sum.
fn amount_expr(def: &MetricDef) -> String {
    match (def.kind, def.field) {
        (MetricKind::Sum, Some(f)) => sum_term(f),
        _ => "1".into(),
    }
}

fn sum_term(f: SumField) -> String {
    format!(
        "CAST(COALESCE(t.{}, {}) AS DOUBLE PRECISION)",
        f.column(),
        f.default_value()
    )
}

fn bind_all<'q>(
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

fn find<'a>(catalog: &'a [MetricDef], name: &str) -> Result<&'a MetricDef> {
    catalog
        .iter()
        .find(|m| m.name == name)
        .ok_or(StorageError::NotFound("metric"))
}

/// The definition a ratio's rows come from (its denominator), or the metric itself.
fn row_source<'a>(catalog: &'a [MetricDef], def: &'a MetricDef) -> Result<&'a MetricDef> {
    match def.kind {
        MetricKind::Ratio => find(catalog, def.denominator.as_deref().unwrap_or_default()),
        _ => Ok(def),
    }
}

impl Store {
    /// The catalogue: the built-in metrics, then an administrator's active additions.
    pub async fn metric_catalog(&self) -> Result<Vec<MetricDef>> {
        let mut all = builtin();
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT definition FROM metric_defs WHERE active = TRUE ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        for (json,) in rows {
            match serde_json::from_str::<MetricDef>(&json) {
                Ok(mut def) => {
                    def.custom = true;
                    all.push(def);
                }
                Err(e) => tracing::warn!(error = %e, "a stored metric definition no longer parses"),
            }
        }
        Ok(all)
    }

    /// One count or sum, by one SQL aggregate.
    async fn aggregate(&self, def: &MetricDef, org: &Org, period: Period) -> Result<f64> {
        let source = def.source.ok_or(StorageError::NotFound("metric"))?;
        let c = compile(self.backend, source, &def.filter, org, period);
        let expr = match def.kind {
            MetricKind::Sum => format!("COALESCE(SUM({}), 0)", amount_expr(def)),
            _ => "COUNT(*)".into(),
        };
        let sql = format!(
            "SELECT CAST({expr} AS DOUBLE PRECISION) FROM {}{}",
            c.from,
            c.where_clause()
        );
        let row = bind_all(sqlx::query(&sql), &c.binds)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<f64, _>(0)?)
    }

    /// A metric's value over `org`'s subtree in `period`; `None` for a ratio of nothing.
    pub async fn metric_value(
        &self,
        catalog: &[MetricDef],
        name: &str,
        org: &Org,
        period: Period,
    ) -> Result<Option<f64>> {
        let def = find(catalog, name)?;
        match def.kind {
            MetricKind::Ratio => {
                let n = find(catalog, def.numerator.as_deref().unwrap_or_default())?;
                let d = find(catalog, def.denominator.as_deref().unwrap_or_default())?;
                let (nv, dv) = tokio::try_join!(
                    self.aggregate(n, org, period),
                    self.aggregate(d, org, period)
                )?;
                Ok(percentage(nv, dv))
            }
            _ => Ok(Some(self.aggregate(def, org, period).await?)),
        }
    }

    /// Every metric of the catalogue over `org`'s subtree in `period`, in catalogue order.
    /// Counts and sums run concurrently on the pool; ratios are computed from them.
    pub async fn metric_values(
        &self,
        catalog: &[MetricDef],
        org: &Org,
        period: Period,
    ) -> Result<Vec<MetricValue>> {
        let names: Vec<&str> = catalog.iter().map(|m| m.name.as_str()).collect();
        self.metric_values_of(catalog, &names, org, period).await
    }

    /// The named metrics (unknown names are left out), in the order given.
    pub async fn metric_values_of(
        &self,
        catalog: &[MetricDef],
        names: &[&str],
        org: &Org,
        period: Period,
    ) -> Result<Vec<MetricValue>> {
        let wanted: Vec<&MetricDef> = names
            .iter()
            .filter_map(|n| catalog.iter().find(|m| m.name == *n))
            .collect();
        // The counts and sums to evaluate: the wanted ones and the parts of wanted ratios.
        let mut plain: Vec<&MetricDef> = Vec::new();
        for m in &wanted {
            let parts: Vec<&MetricDef> = match m.kind {
                MetricKind::Ratio => [&m.numerator, &m.denominator]
                    .into_iter()
                    .filter_map(|p| catalog.iter().find(|c| Some(&c.name) == p.as_ref()))
                    .collect(),
                _ => vec![*m],
            };
            for p in parts {
                if !plain.iter().any(|x| x.name == p.name) {
                    plain.push(p);
                }
            }
        }
        let mut values: std::collections::HashMap<&str, f64> = std::collections::HashMap::new();
        // A few at a time: as many as the pool can serve without queueing much.
        for chunk in plain.chunks(8) {
            let results = futures_util::future::try_join_all(
                chunk.iter().map(|d| self.aggregate(d, org, period)),
            )
            .await?;
            for (d, v) in chunk.iter().zip(results) {
                values.insert(d.name.as_str(), v);
            }
        }
        Ok(wanted
            .into_iter()
            .map(|m| {
                let value = match m.kind {
                    MetricKind::Ratio => {
                        let n = values.get(m.numerator.as_deref().unwrap_or_default());
                        let d = values.get(m.denominator.as_deref().unwrap_or_default());
                        match (n, d) {
                            (Some(n), Some(d)) => percentage(*n, *d),
                            _ => None,
                        }
                    }
                    _ => values.get(m.name.as_str()).copied(),
                };
                MetricValue {
                    name: m.name.clone(),
                    value,
                    unit: m.unit.clone(),
                    description: m.description.clone(),
                }
            })
            .collect())
    }

    /// The rows behind a metric's value, newest first, one page; a ratio lists its
    /// denominator's rows, each marked whether it is counted in the numerator.
    pub async fn metric_records(
        &self,
        catalog: &[MetricDef],
        name: &str,
        org: &Org,
        period: Period,
        limit: i64,
        offset: i64,
    ) -> Result<MetricRecords> {
        let def = find(catalog, name)?;
        let rows_def = row_source(catalog, def)?;
        let source = rows_def.source.ok_or(StorageError::NotFound("metric"))?;
        let value = self.metric_value(catalog, name, org, period).await?;
        let s = shape(source);
        let c = compile(self.backend, source, &rows_def.filter, org, period);
        let where_clause = c.where_clause();
        let (total,): (i64,) = {
            let sql = format!("SELECT COUNT(*) FROM {}{where_clause}", c.from);
            let row = bind_all(sqlx::query(&sql), &c.binds)
                .fetch_one(&self.pool)
                .await?;
            (row.try_get(0)?,)
        };
        let day = s.date.unwrap_or("''");
        let sql = format!(
            "SELECT {id} AS id, {page} AS page_id, {org} AS org_id, o.name AS org_name, \
             COALESCE({day}, '') AS day, {summary} AS summary, {amount} AS amount \
             FROM {from} JOIN orgs o ON o.id = {org}{where_clause} \
             ORDER BY day DESC, id DESC LIMIT {limit} OFFSET {offset}",
            id = s.id,
            page = s.page_id,
            org = s.org,
            summary = s.summary,
            amount = amount_expr(rows_def),
            from = c.from,
            limit = limit.clamp(1, 1000),
            offset = offset.max(0),
        );
        let fetched = bind_all(sqlx::query(&sql), &c.binds)
            .fetch_all(&self.pool)
            .await?;
        let mut rows = fetched
            .iter()
            .map(|r| row_from(s.kind, r))
            .collect::<Result<Vec<_>>>()?;
        // A ratio's rows: which are in the numerator (when both parts read the same source).
        if def.kind == MetricKind::Ratio && !rows.is_empty() {
            let num = find(catalog, def.numerator.as_deref().unwrap_or_default())?;
            if num.source == Some(source) {
                let nc = compile(self.backend, source, &num.filter, org, period);
                let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
                let sql = format!(
                    "SELECT {id} FROM {from}{w} AND {id} IN ({ids})",
                    id = s.id,
                    from = nc.from,
                    w = nc.where_clause(),
                    ids = ids.join(", ")
                );
                let hits = bind_all(sqlx::query(&sql), &nc.binds)
                    .fetch_all(&self.pool)
                    .await?;
                let hits: std::collections::HashSet<i64> = hits
                    .iter()
                    .filter_map(|r| r.try_get::<i64, _>(0).ok())
                    .collect();
                for r in &mut rows {
                    r.in_numerator = Some(hits.contains(&r.id));
                }
            }
        }
        Ok(MetricRecords {
            name: def.name.clone(),
            value,
            unit: def.unit.clone(),
            source,
            total,
            rows,
        })
    }

    /// The definitions an administrator added (active or not), for the catalogue page.
    pub async fn custom_metric_defs(&self) -> Result<Vec<(i64, bool, MetricDef)>> {
        let rows = sqlx::query("SELECT id, active, definition FROM metric_defs ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            let json: String = r.try_get("definition")?;
            if let Ok(def) = serde_json::from_str::<MetricDef>(&json) {
                out.push((r.try_get("id")?, crate::get_bool(r, "active")?, def));
            }
        }
        Ok(out)
    }
}

fn row_from(kind: &'static str, r: &AnyRow) -> Result<MetricRow> {
    Ok(MetricRow {
        kind,
        id: r.try_get("id")?,
        page_id: r.try_get("page_id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        day: r.try_get("day")?,
        summary: r.try_get("summary")?,
        amount: r
            .try_get::<f64, _>("amount")
            .or_else(|_| r.try_get::<i64, _>("amount").map(|v| v as f64))?,
        in_numerator: None,
    })
}

impl WriteTx {
    /// Adds a metric to the catalogue; the caller has validated it against the catalogue.
    /// Audited.
    pub async fn add_metric_def(&mut self, def: &MetricDef, actor: &Actor) -> Result<i64> {
        if builtin().iter().any(|b| b.name == def.name) {
            return Err(StorageError::Rejected {
                field: "name",
                message: format!("“{}”是内置指标，不能重复定义", def.name),
            });
        }
        let mut stored = def.clone();
        stored.custom = true;
        let json = serde_json::to_string(&stored).unwrap_or_default();
        let now = clock::now_text();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO metric_defs (name, definition, active, created_at, updated_at) \
             VALUES ($1, $2, TRUE, $3, $3) RETURNING id",
        )
        .bind(&def.name)
        .bind(&json)
        .bind(&now)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(|e| map_unique(e, "metric"))?;
        self.audit(actor.event("metric.add", "metric", id, None::<&()>, Some(&stored)))
            .await?;
        Ok(id)
    }

    /// Switches an added metric off or on again. Audited.
    pub async fn set_metric_def_active(
        &mut self,
        id: i64,
        active: bool,
        actor: &Actor,
    ) -> Result<()> {
        let before: Option<(String,)> =
            sqlx::query_as("SELECT definition FROM metric_defs WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?;
        let (json,) = before.ok_or(StorageError::NotFound("metric"))?;
        sqlx::query("UPDATE metric_defs SET active = $1, updated_at = $2 WHERE id = $3")
            .bind(active)
            .bind(clock::now_text())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        let def: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        self.audit(actor.event(
            if active {
                "metric.activate"
            } else {
                "metric.deactivate"
            },
            "metric",
            id,
            Some(&def),
            Some(&serde_json::json!({"active": active})),
        ))
        .await?;
        Ok(())
    }
}
