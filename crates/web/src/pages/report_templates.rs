//! 报告模板: the list of templates, the editor (errors beside it with their lines, the
//! language's help and the metric catalogue to search and insert from), and learning a
//! template from last year's report.

use super::problems::Fields;
use super::{
    notice_text, render, render_status, FieldError, Layout, NoticeQuery, PageForm, PageResult,
};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::{Path, Query, Upload};
use crate::manage::report_templates::{self as manage, Problem, SaveError};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use zeren_domain::Invalid;
use zeren_reports::template::learn::{self, Choice, Learned};
use zeren_reports::template::BuiltinTemplate;

pub struct Row {
    pub code: String,
    pub name: String,
    pub kind_label: &'static str,
    pub builtin: bool,
    pub modified: bool,
    pub updated_at: String,
}

#[derive(Template)]
#[template(path = "report_templates.html")]
pub struct ListPage {
    pub layout: Layout,
    pub rows: Vec<Row>,
    pub editable: bool,
}

pub async fn index(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let rows = manage::list(&state)
        .await?
        .into_iter()
        .map(|e| Row {
            kind_label: manage::kind_label(&e.kind),
            updated_at: e.updated_at.chars().take(10).collect(),
            code: e.code,
            name: e.name,
            builtin: e.builtin,
            modified: e.modified,
        })
        .collect();
    Ok(render(&ListPage {
        layout: Layout::new(&user, "report_templates", "报告模板")
            .with_notice(notice_text(q.notice.as_deref())),
        rows,
        editable: manage::may_edit(&user),
    }))
}

/// A metric to search and insert in the editor.
pub struct MetricItem {
    pub name: String,
    pub unit: String,
    pub description: String,
}

/// A line of the language's help: how it is written, what it does.
pub struct HelpLine {
    pub code: &'static str,
    pub text: &'static str,
}

const SYNTAX: &[HelpLine] = &[
    HelpLine {
        code: "% 标题",
        text: "报告标题（只能有一个）",
    },
    HelpLine {
        code: "# 一级标题",
        text: "标题一至四级：# ## ### ####，编号（一、（一）1.（1））自动生成，勿手写",
    },
    HelpLine {
        code: "其他文字",
        text: "每行一个自然段；行末写 \\ 则与下一行连成一段",
    },
    HelpLine {
        code: "{% if 条件 %}…{% endif %}",
        text: "条件成立时才写出这段文字",
    },
    HelpLine {
        code: "{% for i in 存在问题 %}…{% endfor %}",
        text: "逐条写出列表",
    },
    HelpLine {
        code: "{# 注释 #}",
        text: "注释，不会出现在报告中",
    },
];

const FUNCTIONS: &[HelpLine] = &[
    HelpLine {
        code: "{{ 指标(\"名称\") }}",
        text: "本期该指标的数字（如 12、93.3%），与记录关联",
    },
    HelpLine {
        code: "{{ 指标(\"名称\", 余=true) }}",
        text: "取整写作“1200余”",
    },
    HelpLine {
        code: "{{ 指标(\"名称\", 单位=true) }}",
        text: "带单位，如“12次”",
    },
    HelpLine {
        code: "指标值(\"名称\")",
        text: "数值，用于条件和计算，如 {% if 指标值(\"名称\") > 0 %}",
    },
    HelpLine {
        code: "有数据(\"名称\")",
        text: "该指标本期是否有数据（比率分母为0时没有）",
    },
    HelpLine {
        code: "上年指标(\"名称\")",
        text: "上年同期的数字；上年指标值、有上年数据同理",
    },
    HelpLine {
        code: "较上年(\"名称\")",
        text: "“较上年增加3次”“与上年持平”；方式=\"增长率\" 写作“增长12.5%”",
    },
    HelpLine {
        code: "待补充(\"提示\")",
        text: "醒目标记的待填空白",
    },
    HelpLine {
        code: "序号()",
        text: "一是、二是……（每个标题下重新计数）；序号(\"要\") 写作一要、二要",
    },
    HelpLine {
        code: "约数(x)、中文数字(n)",
        text: "取整加“余”；写作一、十一、二十",
    },
    HelpLine {
        code: "x | 成句、x | 去句末标点",
        text: "以句号结尾；去掉句末标点",
    },
];

const VARIABLES: &[HelpLine] = &[
    HelpLine {
        code: "单位、简称、发文机关",
        text: "本单位全称、简称、落款机关",
    },
    HelpLine {
        code: "年度、上年度",
        text: "报告年度及上一年，如 {{ 年度 }}年",
    },
    HelpLine {
        code: "季度、季度中文",
        text: "季度报告的季度：2、二",
    },
    HelpLine {
        code: "起始日期、截止日期、报告日期",
        text: "写作2023年1月1日",
    },
    HelpLine {
        code: "主送",
        text: "主送机关",
    },
    HelpLine {
        code: "报告人.姓名 / .职务 / .分管",
        text: "述责述廉报告的报告人",
    },
    HelpLine {
        code: "存在问题",
        text: "查摆问题：.描述 .类别 .来源 .状态 .单位",
    },
    HelpLine {
        code: "下一步、清单事项",
        text: "清单事项：.类别 .内容 .责任人 .期限 .状态 .进展",
    },
    HelpLine {
        code: "逾期措施",
        text: "逾期整改措施：.问题 .措施 .责任人 .期限 .逾期天数 .单位",
    },
    HelpLine {
        code: "支部",
        text: "各支部：.名称 .纪实数 .应开展 .已开展",
    },
];

#[derive(Template)]
#[template(path = "report_template_edit.html")]
pub struct EditPage {
    pub layout: Layout,
    /// A new template (code chosen here) rather than an existing one.
    pub creating: bool,
    pub code: String,
    pub kind: String,
    pub name: String,
    pub source: String,
    pub builtin: bool,
    pub modified: bool,
    pub stored: bool,
    pub editable: bool,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub problems: Vec<Problem>,
    /// The lines with errors, for the editor's gutter: "3,7".
    pub error_lines: String,
    pub error: FieldError,
    pub metrics: Vec<MetricItem>,
    pub syntax: &'static [HelpLine],
    pub functions: &'static [HelpLine],
    pub variables: &'static [HelpLine],
}

pub struct EditForm {
    pub code: String,
    pub kind: String,
    pub name: String,
    pub source: String,
}

async fn edit_page(
    state: &AppState,
    user: &CurrentUser,
    creating: bool,
    form: EditForm,
    problems: Vec<Problem>,
    error: Option<Invalid>,
    notice: Option<String>,
) -> PageResult {
    let status = if error.is_some() || !problems.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let builtin = BuiltinTemplate::from_key(&form.code).filter(|_| !creating);
    let stored = if creating {
        None
    } else {
        state.store.report_template(&form.code).await?
    };
    let catalog = state.store.metric_catalog().await?;
    let title = if creating {
        "新建报告模板".to_string()
    } else {
        form.name.clone()
    };
    let mut lines: Vec<usize> = problems.iter().filter_map(|p| p.line).collect();
    lines.dedup();
    let page = EditPage {
        layout: Layout::new(user, "report_templates", title).with_notice(notice),
        creating,
        modified: match (builtin, &stored) {
            (Some(b), Some(s)) => s.source != b.source() || s.name != b.label(),
            _ => false,
        },
        stored: stored.is_some(),
        builtin: builtin.is_some(),
        editable: manage::may_edit(user),
        kinds: manage::kinds(),
        error_lines: lines
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join(","),
        problems,
        error: FieldError(error),
        metrics: catalog
            .into_iter()
            .map(|m| MetricItem {
                name: m.name,
                unit: m.unit,
                description: m.description,
            })
            .collect(),
        syntax: SYNTAX,
        functions: FUNCTIONS,
        variables: VARIABLES,
        code: form.code,
        kind: form.kind,
        name: form.name,
        source: form.source,
    };
    Ok(render_status(&page, status))
}

/// What a new template starts from.
const STARTER: &str = "% {{ 单位 }}关于{{ 年度 }}年度落实全面从严治党主体责任情况的报告\n\
{{ 年度 }}年，{{ 简称 }}……现将有关情况报告如下：\n\
\n\
# 工作开展情况\n\
{% if 指标值(\"理论学习中心组学习次数\") > 0 %}\n\
全年开展党委理论学习中心组学习{{ 指标(\"理论学习中心组学习次数\") }}次。\n\
{% endif %}\n\
\n\
# 存在的问题\n\
{{ 待补充(\"存在的主要问题\") }}\n\
\n\
# 下一步工作打算\n\
{{ 待补充(\"下一步工作打算\") }}\n";

pub async fn new_form(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    let form = EditForm {
        code: String::new(),
        kind: "annual".into(),
        name: String::new(),
        source: STARTER.into(),
    };
    edit_page(&state, &user, true, form, Vec::new(), None, None).await
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let e = manage::get(&state, &code).await?;
    let form = EditForm {
        code: e.code,
        kind: e.kind,
        name: e.name,
        source: e.source,
    };
    let notice = notice_text(q.notice.as_deref());
    edit_page(&state, &user, false, form, Vec::new(), None, notice).await
}

/// A form's source as the browser sent it: textareas send CRLF line ends.
fn normalized(source: &str) -> String {
    source.replace("\r\n", "\n")
}

async fn save_form(
    state: &AppState,
    user: &CurrentUser,
    creating: bool,
    form: EditForm,
) -> PageResult {
    match manage::save(
        state,
        user,
        &form.code,
        &form.kind,
        &form.name,
        &form.source,
        creating,
    )
    .await
    {
        Ok(saved) => Ok(Redirect::to(&format!(
            "/report-templates/{}?notice=template_saved",
            saved.code
        ))
        .into_response()),
        Err(SaveError::Template(problems)) => {
            edit_page(state, user, creating, form, problems, None, None).await
        }
        Err(SaveError::App(AppError::Invalid(inv))) => {
            edit_page(state, user, creating, form, Vec::new(), Some(inv), None).await
        }
        Err(SaveError::App(e)) => Err(e.into()),
    }
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let f = Fields(fields);
    let form = EditForm {
        code: f.get("code").trim().to_string(),
        kind: f.get("kind"),
        name: f.get("name"),
        source: normalized(&f.get("source")),
    };
    save_form(&state, &user, true, form).await
}

pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    // The code is the address's; a built-in template keeps its kind.
    let existing = manage::get(&state, &code).await?;
    let f = Fields(fields);
    let kind = if existing.builtin {
        existing.kind
    } else {
        f.get("kind")
    };
    let form = EditForm {
        code: existing.code,
        kind,
        name: f.get("name"),
        source: normalized(&f.get("source")),
    };
    save_form(&state, &user, false, form).await
}

pub async fn restore(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> PageResult {
    let saved = manage::restore(&state, &user, &code).await?;
    Ok(Redirect::to(&format!(
        "/report-templates/{}?notice=template_restored",
        saved.code
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "report_template_learn.html")]
pub struct LearnFormPage {
    pub layout: Layout,
    pub error: Option<String>,
}

fn learn_form_page(user: &CurrentUser, error: Option<String>) -> LearnFormPage {
    LearnFormPage {
        layout: Layout::new(user, "report_templates", "从上年报告学习模板"),
        error,
    }
}

pub async fn learn_form(user: CurrentUser) -> PageResult {
    Ok(render(&learn_form_page(&user, None)))
}

/// One candidate in a figure's select box.
pub struct FigureChoice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct FigureRow {
    pub index: usize,
    pub line: usize,
    pub phrase: String,
    pub original: String,
    pub options: Vec<FigureChoice>,
    /// A metric typed in instead of choosing one.
    pub other: String,
    /// An error of the saved template is on this figure's line.
    pub has_error: bool,
}

#[derive(Template)]
#[template(path = "report_template_review.html")]
pub struct ReviewPage {
    pub layout: Layout,
    /// The learned template as JSON, carried to the confirmation.
    pub learned_json: String,
    pub title: String,
    pub year: String,
    pub notes: Vec<String>,
    pub rows: Vec<FigureRow>,
    pub suggested: usize,
    pub code: String,
    pub kind: String,
    pub name: String,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub metric_names: Vec<String>,
    pub problems: Vec<Problem>,
    pub error: FieldError,
    pub editable: bool,
}

/// What a select box sends for a choice.
fn choice_value(c: &Choice) -> String {
    match c {
        Choice::Metric(m) => format!("m:{m}"),
        Choice::Blank => "blank".into(),
        Choice::Keep => "keep".into(),
    }
}

/// The kind a report's title says it is.
fn kind_of_title(title: &str) -> &'static str {
    if title.contains("述责述廉") || title.contains("述职述廉") {
        "accountability"
    } else if title.contains("季度") {
        "quarterly"
    } else if title.contains("自查") || title.contains("总结") {
        "self_inspection"
    } else {
        "annual"
    }
}

/// A learned template's first name: the old title without its organization and year
/// ("中共青石镇委员会关于2023年度落实…的报告" → "年度落实…的报告").
fn default_name(title: &str) -> String {
    let after = title.split_once("关于").map_or(title, |(_, rest)| rest);
    let name: String = after.chars().filter(|c| !c.is_ascii_digit()).collect();
    let name = match name.strip_prefix('年') {
        Some(rest) if !rest.starts_with('度') => rest.to_string(),
        _ => name,
    };
    let name: String = name.trim().chars().take(60).collect();
    if name.chars().count() < 2 {
        "由上年报告学习的模板".into()
    } else {
        name
    }
}

struct ReviewForm {
    code: String,
    kind: String,
    name: String,
    choices: Vec<(usize, Choice)>,
    others: Vec<String>,
}

async fn review_page(
    state: &AppState,
    user: &CurrentUser,
    learned: &Learned,
    form: ReviewForm,
    problems: Vec<Problem>,
    error: Option<Invalid>,
) -> PageResult {
    let status = if error.is_some() || !problems.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let catalog = state.store.metric_catalog().await?;
    let error_lines: Vec<usize> = problems.iter().filter_map(|p| p.line).collect();
    let rows = learned
        .proposals
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let chosen = form
                .choices
                .iter()
                .find(|(k, _)| *k == i)
                .map(|(_, c)| choice_value(c))
                .unwrap_or_else(|| "blank".into());
            let mut options: Vec<FigureChoice> = p
                .candidates
                .iter()
                .map(|c| FigureChoice {
                    value: format!("m:{}", c.metric),
                    label: format!("{}（匹配度{:.0}%）", c.metric, c.score * 100.0),
                    selected: false,
                })
                .collect();
            // A metric chosen earlier that is not among the candidates stays choosable.
            if chosen.starts_with("m:") && !options.iter().any(|o| o.value == chosen) {
                options.push(FigureChoice {
                    label: chosen[2..].to_string(),
                    value: chosen.clone(),
                    selected: false,
                });
            }
            options.push(FigureChoice {
                value: "blank".into(),
                label: "不绑定（标记为待补充）".into(),
                selected: false,
            });
            options.push(FigureChoice {
                value: "keep".into(),
                label: "不是统计数字，保留原文".into(),
                selected: false,
            });
            for o in options.iter_mut() {
                o.selected = o.value == chosen;
            }
            FigureRow {
                index: i,
                line: p.line,
                phrase: p.phrase.clone(),
                original: p.original_text.clone(),
                options,
                other: form.others.get(i).cloned().unwrap_or_default(),
                has_error: error_lines.contains(&p.line),
            }
        })
        .collect();
    let page = ReviewPage {
        layout: Layout::new(user, "report_templates", "核对上年报告中的数字"),
        learned_json: serde_json::to_string(learned)
            .map_err(|e| AppError::Internal(e.to_string()))?,
        title: learned.title.clone(),
        year: learned
            .year
            .map(|y| format!("{y}年"))
            .unwrap_or_else(|| "未识别".into()),
        notes: learned.notes.clone(),
        suggested: learned
            .proposals
            .iter()
            .filter(|p| p.suggested().is_some())
            .count(),
        rows,
        code: form.code,
        kind: form.kind,
        name: form.name,
        kinds: manage::kinds(),
        metric_names: catalog.into_iter().map(|m| m.name).collect(),
        problems,
        error: FieldError(error),
        editable: manage::may_edit(user),
    };
    Ok(render_status(&page, status))
}

pub async fn learn_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Upload(mut multipart): Upload,
) -> PageResult {
    let bad = |e: axum::extract::multipart::MultipartError| {
        crate::error::rejection(e.status(), "上传的表单数据不完整，请重试")
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(bad)?;
            if !bytes.is_empty() {
                file = Some((name, bytes.to_vec()));
            }
        }
    }
    let fail = |msg: String| {
        Ok(render_status(
            &learn_form_page(&user, Some(msg)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ))
    };
    let Some((name, bytes)) = file else {
        return fail("请选择上年报告文件（.docx 或 .txt）".into());
    };
    let learned = match manage::learn_upload(&state, &name, bytes).await {
        Ok(l) => l,
        Err(e @ AppError::Internal(_)) => return Err(e.into()),
        Err(e) => return fail(e.body().message),
    };
    let year = learned.year.map(|y| y.to_string()).unwrap_or_default();
    let form = ReviewForm {
        code: if year.is_empty() {
            "learned".into()
        } else {
            format!("learned_{year}")
        },
        kind: kind_of_title(&learned.title).into(),
        name: default_name(&learned.title),
        choices: learned.suggested_choices(),
        others: Vec::new(),
    };
    review_page(&state, &user, &learned, form, Vec::new(), None).await
}

pub async fn learn_confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    // One look-up per field: the form has two fields per figure.
    let f: std::collections::HashMap<String, String> = fields.into_iter().rev().collect();
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let broken = || AppError::BadRequest("页面数据不完整或已损坏，请重新上传上年报告".into());
    let learned: Learned = serde_json::from_str(&get("learned")).map_err(|_| broken())?;
    let n = learned.proposals.len();
    if n > learn::MAX_PROPOSALS {
        return Err(broken().into());
    }
    let others: Vec<String> = (0..n).map(|i| get(&format!("o{i}"))).collect();
    let choices: Vec<(usize, Choice)> = (0..n)
        .map(|i| {
            let other = others[i].trim();
            let c = if !other.is_empty() {
                Choice::Metric(other.to_string())
            } else {
                let v = get(&format!("c{i}"));
                match v.strip_prefix("m:") {
                    Some(m) if !m.trim().is_empty() => Choice::Metric(m.trim().to_string()),
                    _ if v == "keep" => Choice::Keep,
                    _ => Choice::Blank,
                }
            };
            (i, c)
        })
        .collect();
    let form = ReviewForm {
        code: get("code").trim().to_string(),
        kind: get("kind"),
        name: get("name"),
        choices,
        others,
    };
    let source = learn::apply(&learned, &form.choices);
    match manage::save(
        &state, &user, &form.code, &form.kind, &form.name, &source, true,
    )
    .await
    {
        Ok(saved) => Ok(Redirect::to(&format!(
            "/report-templates/{}?notice=template_learned",
            saved.code
        ))
        .into_response()),
        Err(SaveError::Template(problems)) => {
            review_page(&state, &user, &learned, form, problems, None).await
        }
        Err(SaveError::App(AppError::Invalid(inv))) => {
            review_page(&state, &user, &learned, form, Vec::new(), Some(inv)).await
        }
        Err(SaveError::App(e)) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learned_templates_are_named_and_kinded_from_the_old_title() {
        assert_eq!(
            default_name("中共青石镇委员会关于2023年度落实全面从严治党主体责任情况的报告"),
            "年度落实全面从严治党主体责任情况的报告"
        );
        assert_eq!(
            default_name("2023年全面从严治党工作总结"),
            "全面从严治党工作总结"
        );
        assert_eq!(default_name(""), "由上年报告学习的模板");
        assert_eq!(kind_of_title("2023年度述责述廉报告"), "accountability");
        assert_eq!(kind_of_title("2023年工作总结"), "self_inspection");
        assert_eq!(kind_of_title("第三季度调度报告"), "quarterly");
        assert_eq!(
            kind_of_title("关于2023年度落实主体责任情况的报告"),
            "annual"
        );
    }
}
