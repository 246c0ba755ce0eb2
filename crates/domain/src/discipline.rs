//! Discipline records (执纪问责): the four forms (四种形态) and sanctions (党纪处分, 政务处分).
//! Names are restricted data: only 纪检 and 书记 of the organization or above may see them
//! (`Action::ViewDiscipline`); everyone else sees counts through the metric layer.

use crate::Invalid;

/// 第一种形态 … 第四种形态.
pub fn form_label(form: i64) -> &'static str {
    match form {
        1 => "第一种形态",
        2 => "第二种形态",
        3 => "第三种形态",
        4 => "第四种形态",
        _ => "未知形态",
    }
}

pub fn parse_form(text: &str) -> Result<i64, Invalid> {
    let t = text.trim();
    let n = match t {
        "1" | "第一种形态" | "第一种" => 1,
        "2" | "第二种形态" | "第二种" => 2,
        "3" | "第三种形态" | "第三种" => 3,
        "4" | "第四种形态" | "第四种" => 4,
        _ => return Err(Invalid::new("form", "形态应为第一种至第四种形态")),
    };
    Ok(n)
}

/// Sanctions: 党纪处分 and the common 政务处分; the empty code means none (e.g. 第一种形态).
pub const SANCTIONS: [(&str, &str); 10] = [
    ("", "无"),
    ("warning", "警告"),
    ("serious_warning", "严重警告"),
    ("removal", "撤销党内职务"),
    ("probation", "留党察看"),
    ("expulsion", "开除党籍"),
    ("demerit", "记过"),
    ("major_demerit", "记大过"),
    ("demotion", "降级"),
    ("dismissal", "撤职"),
];

pub fn sanction_label(code: &str) -> &'static str {
    SANCTIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or("无")
}

pub fn parse_sanction(text: &str) -> Result<&'static str, Invalid> {
    let t = text.trim();
    let t = t.strip_prefix("党内").unwrap_or(t);
    let t = t.strip_suffix("处分").unwrap_or(t);
    SANCTIONS
        .iter()
        .find(|(c, l)| *c == t || *l == t || (t.is_empty() && c.is_empty()))
        .map(|(c, _)| *c)
        .ok_or_else(|| Invalid::new("sanction", "请选择有效的处分种类"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_sanctions_parse() {
        assert_eq!(parse_form("第三种形态").unwrap(), 3);
        assert!(parse_form("5").is_err());
        assert_eq!(parse_sanction("党内严重警告").unwrap(), "serious_warning");
        assert_eq!(parse_sanction("记过处分").unwrap(), "demerit");
        assert_eq!(parse_sanction("").unwrap(), "");
        assert!(parse_sanction("罚款").is_err());
        assert_eq!(sanction_label("expulsion"), "开除党籍");
    }
}
