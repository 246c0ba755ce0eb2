//! Static analysis of a template's source: every call of a metric function and the metric
//! name it names, and calls of functions that do not exist, found by reading the code parts
//! (`{{ … }}`, `{% … %}`) of the source, so that names in branches a particular rendering
//! does not take are checked too.

/// Functions whose first argument is a metric name; the name must be a string literal so
/// that it can be checked at save and fetched before rendering.
pub const METRIC_FUNCTIONS: &[&str] = &[
    "指标",
    "指标值",
    "有数据",
    "上年指标",
    "上年指标值",
    "有上年数据",
    "较上年",
];

/// The metric functions that read the previous period.
pub const PREVIOUS_FUNCTIONS: &[&str] = &["上年指标", "上年指标值", "有上年数据", "较上年"];

/// Functions the template may call besides the metric functions: ours and minijinja's.
const OTHER_FUNCTIONS: &[&str] = &[
    "约数",
    "中文数字",
    "待补充",
    "序号",
    "成句",
    "去句末标点", // ours
    "range",
    "dict",
    "namespace",
    "debug", // minijinja's built-ins
    "caller",
    "loop",
    "super",
    "self",
    "varargs",
    "kwargs",
];

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Punct(char),
    Other,
}

/// Words of the language that may stand before "(" without being calls.
const KEYWORDS: &[&str] = &[
    "not",
    "and",
    "or",
    "in",
    "is",
    "if",
    "else",
    "elif",
    "for",
    "recursive",
    "true",
    "false",
    "none",
    "True",
    "False",
    "None",
];

/// What the analysis found wrong, with the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// A metric function called with something other than a string literal first.
    NotLiteral { line: usize, function: String },
    /// A call of a function that is neither ours, minijinja's, nor defined in the template.
    UnknownFunction { line: usize, name: String },
    /// A `{{`, `{%` or `{#` that is never closed (minijinja reports it too; kept as a
    /// fallback so that the scan never reads past the end silently).
    Unclosed { line: usize },
}

/// The result of scanning a source.
#[derive(Debug, Default)]
pub struct Scan {
    /// Every metric function call with a literal name: (line, function, name), in source order.
    pub calls: Vec<(usize, String, String)>,
    pub findings: Vec<Finding>,
}

pub fn scan(source: &str) -> Scan {
    let chars: Vec<char> = source.chars().collect();
    let mut blocks: Vec<Vec<(usize, Tok)>> = Vec::new();
    let mut out = Scan::default();
    let mut i = 0;
    let mut line = 1;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
            continue;
        }
        if c != '{' || i + 1 >= chars.len() {
            i += 1;
            continue;
        }
        match chars[i + 1] {
            '#' => {
                let start = line;
                match find(&chars, i + 2, "#}") {
                    Some(end) => {
                        line += count_newlines(&chars[i..end]);
                        i = end + 2;
                    }
                    None => {
                        out.findings.push(Finding::Unclosed { line: start });
                        break;
                    }
                }
            }
            '{' | '%' => {
                let close = if chars[i + 1] == '{' { '}' } else { '%' };
                let start = line;
                let (toks, end, new_line) = lex_code(&chars, i + 2, line, close);
                line = new_line;
                let Some(end) = end else {
                    out.findings.push(Finding::Unclosed { line: start });
                    break;
                };
                i = end;
                // {% raw %} … {% endraw %}: the content is text.
                if close == '%' && is_keyword_block(&toks, "raw") {
                    match find_endraw(&chars, i) {
                        Some((after, nl)) => {
                            line += nl;
                            i = after;
                        }
                        None => {
                            out.findings.push(Finding::Unclosed { line: start });
                            break;
                        }
                    }
                }
                blocks.push(toks);
            }
            _ => i += 1,
        }
    }
    analyse(&blocks, &mut out);
    out
}

fn count_newlines(cs: &[char]) -> usize {
    cs.iter().filter(|c| **c == '\n').count()
}

fn find(cs: &[char], from: usize, pat: &str) -> Option<usize> {
    let p: Vec<char> = pat.chars().collect();
    (from..cs.len()).find(|&k| cs[k..].starts_with(&p))
}

fn is_keyword_block(toks: &[(usize, Tok)], word: &str) -> bool {
    let words: Vec<&Tok> = toks
        .iter()
        .map(|(_, t)| t)
        .filter(|t| !matches!(t, Tok::Punct('-' | '+')))
        .collect();
    matches!(words.as_slice(), [Tok::Ident(w)] if w == word)
}

/// The position after `{% endraw %}` at or after `from`, and the newlines skipped.
fn find_endraw(cs: &[char], from: usize) -> Option<(usize, usize)> {
    let mut k = from;
    while let Some(open) = find(cs, k, "{%") {
        let (toks, end, _) = lex_code(cs, open + 2, 0, '%');
        let end = end?;
        if is_keyword_block(&toks, "endraw") {
            return Some((end, count_newlines(&cs[from..end])));
        }
        k = open + 2;
    }
    None
}

/// Tokens of one code block starting at `i` (after its opening delimiter), up to the closing
/// `}}` or `%}` at brace depth 0. Returns the tokens, the position after the closing delimiter
/// (None when unclosed) and the line after the block.
fn lex_code(
    cs: &[char],
    mut i: usize,
    mut line: usize,
    close: char,
) -> (Vec<(usize, Tok)>, Option<usize>, usize) {
    let mut toks = Vec::new();
    let mut depth = 0i32;
    while i < cs.len() {
        let c = cs[i];
        if c == '\n' {
            line += 1;
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == close && cs.get(i + 1) == Some(&'}') && depth <= 0 {
            return (toks, Some(i + 2), line);
        }
        if c == '"' || c == '\'' {
            let start_line = line;
            let mut s = String::new();
            let mut k = i + 1;
            let mut closed = false;
            while k < cs.len() {
                match cs[k] {
                    '\\' if k + 1 < cs.len() => {
                        s.push(match cs[k + 1] {
                            'n' => '\n',
                            't' => '\t',
                            o => o,
                        });
                        k += 2;
                        continue;
                    }
                    q if q == c => {
                        closed = true;
                        break;
                    }
                    '\n' => {
                        line += 1;
                        s.push('\n');
                    }
                    o => s.push(o),
                }
                k += 1;
            }
            if !closed {
                return (toks, None, line);
            }
            toks.push((start_line, Tok::Str(s)));
            i = k + 1;
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let mut k = i;
            while k < cs.len() && (cs[k].is_alphanumeric() || cs[k] == '_') {
                k += 1;
            }
            toks.push((line, Tok::Ident(cs[i..k].iter().collect())));
            i = k;
            continue;
        }
        if c.is_ascii_digit() {
            let mut k = i;
            while k < cs.len() && (cs[k].is_ascii_alphanumeric() || cs[k] == '.' || cs[k] == '_') {
                k += 1;
            }
            toks.push((line, Tok::Other));
            i = k;
            continue;
        }
        match c {
            '{' | '(' | '[' => depth += 1,
            '}' | ')' | ']' => depth -= 1,
            _ => {}
        }
        toks.push((line, Tok::Punct(c)));
        i += 1;
    }
    (toks, None, line)
}

fn analyse(blocks: &[Vec<(usize, Tok)>], out: &mut Scan) {
    // Names the template defines itself (macros, variables, loop targets, imports) may be
    // called; anything else called must be a known function.
    let mut defined: Vec<&str> = Vec::new();
    for toks in blocks {
        for (k, (_, t)) in toks.iter().enumerate() {
            let Tok::Ident(w) = t else { continue };
            if matches!(
                w.as_str(),
                "macro" | "set" | "as" | "import" | "for" | "with"
            ) {
                for (_, next) in &toks[k + 1..] {
                    match next {
                        Tok::Ident(n) if n == "in" => break,
                        Tok::Ident(n) => defined.push(n),
                        Tok::Punct(',' | '(') => {}
                        _ => break,
                    }
                }
            }
        }
    }
    for toks in blocks {
        for (k, (line, t)) in toks.iter().enumerate() {
            let Tok::Ident(w) = t else { continue };
            let after_dot = k > 0 && matches!(toks[k - 1].1, Tok::Punct('.'));
            // A filter (`x | 约数`) or test (`x is odd`) is looked up by minijinja itself.
            let is_filter = k > 0
                && (matches!(toks[k - 1].1, Tok::Punct('|'))
                    || matches!(&toks[k - 1].1, Tok::Ident(p) if p == "is")
                    || (k > 1
                        && matches!(&toks[k - 1].1, Tok::Ident(p) if p == "not")
                        && matches!(&toks[k - 2].1, Tok::Ident(p) if p == "is")));
            if after_dot {
                continue;
            }
            let called = matches!(toks.get(k + 1), Some((_, Tok::Punct('('))));
            // Unconditionally: a variable named like a metric function would hide calls.
            if METRIC_FUNCTIONS.contains(&w.as_str()) {
                match (toks.get(k + 1), toks.get(k + 2), toks.get(k + 3)) {
                    (
                        Some((_, Tok::Punct('('))),
                        Some((_, Tok::Str(name))),
                        Some((_, Tok::Punct(',' | ')'))),
                    ) => out.calls.push((*line, w.clone(), name.clone())),
                    _ => out.findings.push(Finding::NotLiteral {
                        line: *line,
                        function: w.clone(),
                    }),
                }
                continue;
            }
            if called
                && !is_filter
                && !KEYWORDS.contains(&w.as_str())
                && !OTHER_FUNCTIONS.contains(&w.as_str())
                && !defined.contains(&w.as_str())
            {
                out.findings.push(Finding::UnknownFunction {
                    line: *line,
                    name: w.clone(),
                });
            }
        }
    }
    out.findings.sort_by_key(|f| match f {
        Finding::NotLiteral { line, .. }
        | Finding::UnknownFunction { line, .. }
        | Finding::Unclosed { line } => *line,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(src: &str) -> Vec<(usize, String)> {
        scan(src)
            .calls
            .into_iter()
            .map(|(l, _, n)| (l, n))
            .collect()
    }

    #[test]
    fn finds_literal_names_in_every_branch() {
        let src = "开展{{ 指标(\"甲\") }}次\n{% if false %}\n{{ 指标('乙', 余=true) }}{% endif %}\n\
                   {# {{ 指标(\"注释\") }} #}{% raw %}{{ 指标(\"原文\") }}{% endraw %}\n\
                   {% if 指标值(\"丙\") > 0 and 有数据('丁') %}{{ 较上年(\"戊\", 方式=\"增长率\") }}{% endif %}";
        assert_eq!(
            names(src),
            [
                (1, "甲".to_string()),
                (3, "乙".into()),
                (5, "丙".into()),
                (5, "丁".into()),
                (5, "戊".into())
            ]
        );
        assert!(scan(src).findings.is_empty());
    }

    #[test]
    fn rejects_non_literal_names_and_unknown_functions() {
        let s = scan("a\n{% set n = '甲' %}{{ 指标(n) }}\n{{ 指标('a' ~ 'b') }}{{ 指表('x') }}");
        assert_eq!(
            s.findings,
            [
                Finding::NotLiteral {
                    line: 2,
                    function: "指标".into()
                },
                Finding::NotLiteral {
                    line: 3,
                    function: "指标".into()
                },
                Finding::UnknownFunction {
                    line: 3,
                    name: "指表".into()
                },
            ]
        );
        // Methods, filters, macros and minijinja's functions are not unknown functions.
        let ok = "{% macro 段(x) %}{{ x|upper }}{% endmacro %}{{ 段(1) }}{{ 'a'.upper() }}\
                  {% for i in range(3) %}{{ loop.cycle(1, 2) }}{% endfor %}{{ {'a': {'b': 1}} }}\
                  {% if not (1 and (2 or 3)) or 1 in (1, 2) %}{% endif %}";
        assert_eq!(scan(ok).findings, []);
        assert_eq!(
            scan("x\n{{ 指标('a'").findings,
            [Finding::Unclosed { line: 2 }]
        );
    }
}
