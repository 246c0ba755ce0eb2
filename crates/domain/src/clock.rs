//! Timestamps are stored as RFC 3339 text in UTC with milliseconds, so that they sort as text
//! and read the same on SQLite and PostgreSQL.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, UtcOffset};

/// Fixed width, so that text order is time order.
const STORED: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// Now, in UTC, formatted for storage.
pub fn now_text() -> String {
    format_utc(OffsetDateTime::now_utc())
}

pub fn format_utc(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(STORED)
        .unwrap_or_default()
}

pub fn parse(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// `now + d`, formatted for storage.
pub fn after(d: Duration) -> String {
    format_utc(OffsetDateTime::now_utc() + d)
}

/// Shows a stored timestamp in China Standard Time (UTC+8) for pages: `2026-11-22 08:03`.
pub fn display_cst(text: &str) -> String {
    let Some(at) = parse(text) else {
        return text.to_string();
    };
    let cst = UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC);
    let at = at.to_offset(cst);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        at.year(),
        at.month() as u8,
        at.day(),
        at.hour(),
        at.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_text_sorts_like_time() {
        let a = format_utc(OffsetDateTime::UNIX_EPOCH + Duration::milliseconds(1500));
        let b = format_utc(OffsetDateTime::UNIX_EPOCH + Duration::seconds(2));
        let c = format_utc(OffsetDateTime::UNIX_EPOCH + Duration::seconds(1));
        assert!(c < a && a < b, "{c} < {a} < {b}");
        assert_eq!(c, "1970-01-01T00:00:01.000Z");
        assert_eq!(parse(&a).unwrap().millisecond(), 500);
    }

    #[test]
    fn display_is_china_time() {
        assert_eq!(display_cst("2026-11-22T00:02:58.000Z"), "2026-11-22 08:02");
        assert_eq!(display_cst("garbage"), "garbage");
    }
}
