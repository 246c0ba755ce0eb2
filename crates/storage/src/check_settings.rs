//! Report checker settings per organization.

use crate::orgs::Actor;
use crate::{Result, Store, WriteTx};
use zeren_domain::clock;
use zeren_domain::org::OrgPath;

fn parse(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

impl Store {
    /// Rules switched off on this organization itself.
    pub async fn check_rules_disabled_at(&self, org_id: i64) -> Result<Vec<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT disabled_rules FROM check_settings WHERE org_id = $1")
                .bind(org_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(j,)| parse(&j)).unwrap_or_default())
    }

    /// Rules switched off on the organization at `path` or any organization above it.
    pub async fn check_rules_disabled_for(&self, path: &OrgPath) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for id in path.ids() {
            for rule in self.check_rules_disabled_at(id).await? {
                if !out.contains(&rule) {
                    out.push(rule);
                }
            }
        }
        Ok(out)
    }
}

impl WriteTx {
    /// Replaces the organization's switched-off rules; audited.
    pub async fn set_check_rules(
        &mut self,
        org_id: i64,
        disabled: &[String],
        actor: &Actor,
    ) -> Result<()> {
        let before: Option<(String,)> =
            sqlx::query_as("SELECT disabled_rules FROM check_settings WHERE org_id = $1")
                .bind(org_id)
                .fetch_optional(&mut *self.tx)
                .await?;
        let json = serde_json::to_string(disabled).unwrap_or_else(|_| "[]".into());
        let now = clock::now_text();
        sqlx::query("DELETE FROM check_settings WHERE org_id = $1")
            .bind(org_id)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query(
            "INSERT INTO check_settings (org_id, disabled_rules, updated_at) VALUES ($1, $2, $3)",
        )
        .bind(org_id)
        .bind(&json)
        .bind(&now)
        .execute(&mut *self.tx)
        .await?;
        let before = before.map(|(j,)| parse(&j)).unwrap_or_default();
        self.audit(actor.event(
            "check_rules.update",
            "org",
            org_id,
            Some(&before),
            Some(&disabled.to_vec()),
        ))
        .await?;
        Ok(())
    }
}
