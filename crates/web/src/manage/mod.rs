//! What pages and the API both do: each operation checks permission over the organization
//! concerned, validates, writes in one audited transaction, and answers with typed errors.
//! Handlers only translate forms or JSON into these calls and render the outcome.

pub mod accounts;
pub mod check;
// Excel in and out for every ledger (台账).
pub mod excel;
pub mod lists;
pub mod metrics;
pub mod orgs;
pub mod report_templates;
// The year's ledgers: problems and rectification, integrity risks, discipline records.
pub mod discipline;
pub mod members;
pub mod problems;
pub mod records;
pub mod risks;
// 报告起草: drafts from the records, versions, export.
pub mod reports;
