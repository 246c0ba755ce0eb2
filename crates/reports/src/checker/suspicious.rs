//! Rule `suspicious`: figures that look made up or left unfilled.
//!
//! Sub-ids: `suspicious.repeat` (three or more different quantities in a row with the same
//! value and unit: "运用第一种形态10人次，记过处分10人次，党内严重警告10人次…"),
//! `suspicious.round` (four or more figures in a row that are all multiples of ten; 提示),
//! `suspicious.exceed` (a completion or share rate above 100%).

use super::numbers::{Kind, Num};
use super::text;
use super::{Ctx, Finding, Severity};

/// Figures further apart than this are not "in a row".
const MAX_GAP: usize = 30;

pub fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (p, para) in ctx.paras.iter().enumerate() {
        let nums: Vec<&Num> = para
            .nums
            .iter()
            .filter(|n| matches!(n.kind, Kind::Count | Kind::Percent))
            .collect();
        repeats(ctx, p, &nums, out);
        round_runs(ctx, p, &nums, out);
        for n in &nums {
            if n.kind == Kind::Percent && n.value > 100.0 {
                exceed(ctx, p, n, out);
            }
        }
    }
}

fn repeats(ctx: &Ctx, p: usize, nums: &[&Num], out: &mut Vec<Finding>) {
    let mut i = 0;
    while i < nums.len() {
        let a = nums[i];
        let mut j = i + 1;
        while j < nums.len()
            && nums[j].value == a.value
            && nums[j].unit == a.unit
            && nums[j].approx == a.approx
            && nums[j].start - nums[j - 1].end <= MAX_GAP
        {
            j += 1;
        }
        // 1次 and 100% are naturally common; approximate figures are honest about it.
        let plain = !a.approx
            && a.value != 1.0
            && a.value != 0.0
            && !(a.kind == Kind::Percent && a.value == 100.0)
            && !is_calendar_frequency(a);
        if j - i >= 3 && plain {
            let text: String = ctx.paras[p].chars[a.start..a.end].iter().collect();
            out.push(ctx.finding(
                p,
                a.start,
                nums[j - 1].end,
                "suspicious.repeat",
                Severity::Warning,
                format!("连续{}个不同的数据都是“{text}”，疑似未按实际填写", j - i),
                "逐项核对实际数字",
            ));
        }
        i = j;
    }
}

/// Meetings held monthly, quarterly or half-yearly come out at 12次, 4次, 2次 a year: the
/// "三会一课" and 主题党日 of one branch (支委会12次、党小组会12次、主题党日12次) legitimately share
/// a value. Only events (次/场/期) count; person-times (人次) and items do not follow a calendar.
fn is_calendar_frequency(n: &Num) -> bool {
    n.kind == Kind::Count
        && matches!(n.unit, "次" | "场" | "期")
        && (n.value == 2.0 || n.value == 4.0 || n.value == 12.0)
}

fn round_runs(ctx: &Ctx, p: usize, nums: &[&Num], out: &mut Vec<Finding>) {
    let is_round = |n: &Num| {
        n.kind == Kind::Count
            && !n.approx
            && n.decimals == 0
            && n.value >= 10.0
            && n.value % 10.0 == 0.0
    };
    let mut i = 0;
    while i < nums.len() {
        if !is_round(nums[i]) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < nums.len() && is_round(nums[j]) && nums[j].start - nums[j - 1].end <= MAX_GAP {
            j += 1;
        }
        let distinct = nums[i..j].iter().any(|n| n.value != nums[i].value);
        if j - i >= 4 && distinct {
            out.push(ctx.finding(
                p,
                nums[i].start,
                nums[j - 1].end,
                "suspicious.round",
                Severity::Hint,
                format!(
                    "连续{}个数据都是整十、整百的数，请确认是实际统计结果",
                    j - i
                ),
                "按台账核对数字；估计数请写明“余”“约”",
            ));
        }
        i = j;
    }
}

fn exceed(ctx: &Ctx, p: usize, n: &Num, out: &mut Vec<Finding>) {
    let cs = &ctx.paras[p].chars;
    let near = &cs[n.start.saturating_sub(6)..n.start];
    const BOUNDED: &[&str] = &[
        "完成率",
        "整改率",
        "办结率",
        "销号率",
        "覆盖率",
        "参与率",
        "参学率",
        "合格率",
        "达标率",
        "满意率",
        "知晓率",
        "准确率",
        "完整率",
        "到位率",
        "执行率",
        "出席率",
        "到会率",
        "回收率",
        "成功率",
        "通过率",
        "出勤率",
        "到课率",
        "结案率",
        "收缴率",
        "参保率",
        "普及率",
        "建档率",
        "签订率",
        "化解率",
        "答复率",
        "回复率",
        "受理率",
        "占比",
        "比例",
        "比重",
    ];
    if !text::contains_any(near, 0, near.len(), BOUNDED) {
        return;
    }
    out.push(ctx.finding(
        p,
        n.start,
        n.end,
        "suspicious.exceed",
        Severity::Error,
        "完成率、占比一类的比率不会超过100%",
        "核对计数和比率",
    ));
}

#[cfg(test)]
mod tests {
    use crate::checker::{check_text, CheckOptions};

    fn hits(t: &str) -> Vec<(String, String)> {
        check_text(t, &CheckOptions::all())
            .into_iter()
            .filter(|f| f.rule.starts_with("suspicious"))
            .map(|f| (f.rule, f.text))
            .collect()
    }

    #[test]
    fn repeated_values() {
        assert_eq!(
            hits("班子成员共运用“第一种形态”10人次，记过处分10人次，党内严重警告10人次，开除党籍10人次。"),
            [(
                "suspicious.repeat".to_string(),
                "10人次，记过处分10人次，党内严重警告10人次，开除党籍10人次".to_string()
            )]
        );
        let ok = [
            "完整率100％、准确率100％、及时率100％。",
            "每月1次，每季度1次，每年1次。",
            "开展谈话10人次，约谈5人次，函询10人次。",
            "参与10余次、10余次、10余次。",
            "召开会议3次。\n督查3次。\n通报3次。",
            // Monthly and quarterly meetings: the same count is the calendar's, not a slip.
            "全年召开支委会12次、党小组会12次，开展主题党日活动12次。",
            "召开党员大会4次、讲党课4次、组织生活会4次。",
        ];
        for t in ok {
            assert_eq!(hits(t), [], "{t}");
        }
        // Person-times and items do not follow the calendar.
        assert_eq!(
            hits("谈话12人次，约谈12人次，函询12人次。").len(),
            1,
            "12人次 three times"
        );
        assert_eq!(hits("督查7次，通报7次，约谈7次。").len(), 1);
    }

    #[test]
    fn round_numbers() {
        assert_eq!(
            hits("发布文章400篇，转载300篇，刊发200篇，采用100篇。")[0].0,
            "suspicious.round"
        );
        assert_eq!(hits("发布文章430篇，转载310篇，刊发210篇，采用24篇。"), []);
    }

    #[test]
    fn rates_over_100() {
        assert_eq!(hits("整改完成率105%。")[0].0, "suspicious.exceed");
        assert_eq!(hits("同比增长150%。"), []);
        assert_eq!(
            hits("调处矛盾纠纷19起，调处成功率110%。")[0].0,
            "suspicious.exceed"
        );
        assert_eq!(hits("党费收缴率102%。")[0].0, "suspicious.exceed");
    }
}
