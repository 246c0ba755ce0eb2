//! Zeren's domain: the values and rules that do not depend on storage or the web.
//!
//! - [`org`]: the organization tree (党委 → 党总支 → 党支部 …).
//! - [`account`]: accounts, usernames and the password policy.
//! - [`role`]: roles granted on an organization and its subtree.
//! - [`permissions`]: the one module that decides who may see and change what.
//! - [`audit`]: the tamper-evident audit chain (全程留痕).

pub mod account;
pub mod audit;
pub mod clock;
pub mod org;
pub mod permissions;
pub mod role;

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
