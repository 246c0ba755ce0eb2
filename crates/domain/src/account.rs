//! Accounts: usernames, the password policy (等保2.0 level 3) and password hashing (argon2id).

use crate::Invalid;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::rngs::OsRng;
use serde::Serialize;

/// Failed logins in a row that lock an account.
pub const MAX_FAILED_LOGINS: i64 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT_MINUTES: i64 = 15;
/// A web session ends after this long without a request.
pub const SESSION_IDLE_MINUTES: i64 = 30;
/// An API token lives this long.
pub const API_TOKEN_HOURS: i64 = 12;

/// A login name: 3–32 characters of ASCII letters, digits, `.`, `-`, `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Username(String);

impl Username {
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Invalid::new("username", "请填写用户名"));
        }
        let n = text.chars().count();
        if !(3..=32).contains(&n) {
            return Err(Invalid::new("username", "用户名长度应为3至32个字符"));
        }
        if !text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        {
            return Err(Invalid::new(
                "username",
                "用户名只能包含英文字母、数字和“.”“-”“_”",
            ));
        }
        Ok(Self(text.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A display name such as 张建国.
pub fn parse_display_name(text: &str) -> Result<String, Invalid> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Invalid::new("display_name", "请填写姓名"));
    }
    if text.chars().count() > 30 {
        return Err(Invalid::new("display_name", "姓名不能超过30个字符"));
    }
    if text.chars().any(char::is_control) {
        return Err(Invalid::new("display_name", "姓名不能包含换行等控制字符"));
    }
    Ok(text.to_string())
}

/// Why a password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("密码长度至少8位")]
    TooShort,
    #[error("密码不能超过128位")]
    TooLong,
    #[error("密码须包含大写字母、小写字母、数字、特殊符号中的至少三类")]
    TooFewClasses,
    #[error("密码不能包含用户名")]
    ContainsUsername,
}

impl From<PasswordError> for Invalid {
    fn from(e: PasswordError) -> Self {
        Invalid::new("password", e.to_string())
    }
}

/// The password rules: at least 8 characters from at least three of four classes.
pub struct PasswordPolicy;

impl PasswordPolicy {
    pub fn check(password: &str, username: &str) -> Result<(), PasswordError> {
        let n = password.chars().count();
        if n < 8 {
            return Err(PasswordError::TooShort);
        }
        if n > 128 {
            return Err(PasswordError::TooLong);
        }
        let classes = [
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ];
        if classes.iter().filter(|x| **x).count() < 3 {
            return Err(PasswordError::TooFewClasses);
        }
        if !username.is_empty()
            && password
                .to_ascii_lowercase()
                .contains(&username.to_ascii_lowercase())
        {
            return Err(PasswordError::ContainsUsername);
        }
        Ok(())
    }

    /// A random password that satisfies the policy, for generated demo and reset passwords.
    pub fn generate() -> String {
        use rand::seq::SliceRandom;
        use rand::Rng;
        const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
        const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
        const DIGIT: &[u8] = b"23456789";
        const SYMBOL: &[u8] = b"@#%+=";
        let mut rng = rand::thread_rng();
        let mut out: Vec<u8> = Vec::with_capacity(12);
        for set in [UPPER, LOWER, DIGIT, SYMBOL] {
            out.push(set[rng.gen_range(0..set.len())]);
        }
        let all: Vec<u8> = [UPPER, LOWER, DIGIT].concat();
        while out.len() < 12 {
            out.push(all[rng.gen_range(0..all.len())]);
        }
        out.shuffle(&mut rng);
        String::from_utf8(out).unwrap_or_default()
    }
}

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        // Hashing only fails on parameter errors, which the defaults do not have.
        .unwrap_or_default()
}

/// Checks a password against a stored PHC hash; a malformed hash never verifies.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash that never verifies, used to spend the same time on unknown usernames.
pub fn dummy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$N4xk6Xg7BD4VtB8pRgpKkDMTnVtJDpDbmsRhJfsGsEw"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_rules() {
        assert_eq!(Username::parse(" Admin ").unwrap().as_str(), "admin");
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("张三").is_err());
        assert!(Username::parse("a b c").is_err());
    }

    #[test]
    fn password_policy() {
        assert_eq!(
            PasswordPolicy::check("Ab1!", "u"),
            Err(PasswordError::TooShort)
        );
        assert_eq!(
            PasswordPolicy::check("abcdefgh1", "u"),
            Err(PasswordError::TooFewClasses)
        );
        assert_eq!(
            PasswordPolicy::check("zhangsan#2024", "zhangsan"),
            Err(PasswordError::ContainsUsername)
        );
        assert!(PasswordPolicy::check("abcdefg1!", "u").is_ok());
        assert!(PasswordPolicy::check("Abcdefg12", "u").is_ok());
        for _ in 0..20 {
            let p = PasswordPolicy::generate();
            assert!(PasswordPolicy::check(&p, "admin").is_ok(), "{p}");
        }
    }

    #[test]
    fn hashes_verify_only_their_password() {
        let h = hash_password("Qingshi@2023");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Qingshi@2023", &h));
        assert!(!verify_password("qingshi@2023", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(!verify_password("anything", dummy_hash()));
    }
}
