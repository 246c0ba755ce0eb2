//! Zeren's domain: the values and rules that do not depend on storage or the web.
//!
//! - [`org`]: the organization tree (党委 → 党总支 → 党支部 …).
//! - [`account`]: accounts, usernames and the password policy.
//! - [`role`]: roles granted on an organization and its subtree.
//! - [`permissions`]: the one module that decides who may see and change what.
//! - [`audit`]: the tamper-evident audit chain (全程留痕).
//! - the year's ledgers: [`members`], [`records`] (纪实), [`lists`] (责任清单), [`problems`]
//!   (问题整改), [`risks`] (廉政风险点), [`discipline`] (执纪问责), [`meetings`] (三会一课 rules);
//! - [`metrics`]: the metric definitions every figure is counted with.

pub mod account;
pub mod audit;
pub mod clock;
pub mod date;
pub mod discipline;
pub mod evidence;
pub mod lists;
pub mod meetings;
pub mod members;
pub mod metrics;
pub mod org;
pub mod permissions;
pub mod problems;
pub mod records;
pub mod risks;
pub mod role;
pub mod text;

pub use account::{PasswordError, PasswordPolicy, Username};
pub use org::{OrgCode, OrgKind, OrgName, OrgPath};
pub use permissions::{Action, Grant, Permissions};
pub use role::Role;

/// A rejected value, with the field it came from and a Chinese message for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}
