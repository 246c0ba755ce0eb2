//! A small helper for list queries whose filters vary: collects `WHERE` conditions and their
//! arguments and numbers the placeholders (`$1`, `$2` …), so one text serves both databases.

use sqlx::any::AnyArguments;
use sqlx::query::{Query, QueryAs};
use sqlx::Any;
use zeren_domain::permissions::Scope;

#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
}

#[derive(Debug, Default)]
pub(crate) struct Where {
    conditions: Vec<String>,
    args: Vec<Arg>,
}

impl Where {
    /// The next placeholder, bound to `arg`.
    pub fn arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    pub fn text(&mut self, t: impl Into<String>) -> String {
        self.arg(Arg::Text(t.into()))
    }

    pub fn int(&mut self, i: i64) -> String {
        self.arg(Arg::Int(i))
    }

    pub fn push(&mut self, condition: String) {
        self.conditions.push(condition);
    }

    /// `column LIKE '<root>%'` for any root of the scope; nothing matches an empty scope.
    pub fn scope(&mut self, column: &str, scope: &Scope) {
        if scope.roots.is_empty() {
            self.push("1 = 0".into());
            return;
        }
        let parts: Vec<String> = scope
            .roots
            .iter()
            .map(|r| {
                let p = self.text(format!("{}%", r.as_str()));
                format!("{column} LIKE {p}")
            })
            .collect();
        self.push(format!("({})", parts.join(" OR ")));
    }

    /// `column LIKE '%text%'` with the text's own `%`, `_` and `\` taken literally.
    pub fn contains(&mut self, columns: &[&str], needle: &str) {
        let escaped = like_escape(needle);
        let p = self.text(format!("%{escaped}%"));
        let parts: Vec<String> = columns
            .iter()
            .map(|c| format!("{c} LIKE {p} ESCAPE '\\'"))
            .collect();
        self.push(format!("({})", parts.join(" OR ")));
    }

    /// ` WHERE a AND b …` (empty when there is no condition).
    pub fn sql(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }

    pub fn args(&self) -> &[Arg] {
        &self.args
    }
}

pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(crate) fn bind<'q>(
    mut q: Query<'q, Any, AnyArguments<'q>>,
    args: &'q [Arg],
) -> Query<'q, Any, AnyArguments<'q>> {
    for a in args {
        q = match a {
            Arg::Text(t) => q.bind(t.as_str()),
            Arg::Int(i) => q.bind(*i),
        };
    }
    q
}

pub(crate) fn bind_as<'q, O>(
    mut q: QueryAs<'q, Any, O, AnyArguments<'q>>,
    args: &'q [Arg],
) -> QueryAs<'q, Any, O, AnyArguments<'q>> {
    for a in args {
        q = match a {
            Arg::Text(t) => q.bind(t.as_str()),
            Arg::Int(i) => q.bind(*i),
        };
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut w = Where::default();
        let a = w.int(5);
        w.push(format!("x = {a}"));
        w.contains(&["d", "c"], "50%_a");
        assert_eq!(
            w.sql(),
            " WHERE x = $1 AND (d LIKE $2 ESCAPE '\\' OR c LIKE $2 ESCAPE '\\')"
        );
        match &w.args()[1] {
            Arg::Text(t) => assert_eq!(t, "%50\\%\\_a%"),
            _ => panic!(),
        }
    }
}
