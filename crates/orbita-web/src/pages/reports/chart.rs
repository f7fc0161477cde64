//! Charts drawn on the server as inline SVG: no script, and they print. Text is black or
//! near-black, bars are strong greys, and the one thing colour would otherwise say (target
//! versus won, the won stage) is said with a hatch pattern and an outline as well.
//!
//! Horizontal positions are percentages of the chart's width and text keeps its pixel size,
//! so a chart fills a phone or a wide screen without its labels shrinking or growing.
//! Every piece of text passes through [`esc`]: stage and employee names are user data.

use std::fmt::Write;

const INK: &str = "#111827";
const BAR: &str = "#4b5563";
const TRACK: &str = "#e5e7eb";

/// Text for SVG (and HTML) content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A percentage of the width with two decimals: `37.25`.
fn pct(part: f64) -> String {
    format!("{:.2}", (part * 100.0).clamp(0.0, 100.0))
}

fn ratio(value: i64, max: i64) -> f64 {
    if max <= 0 {
        0.0
    } else {
        // Counts and kopeck sums far below 2^52: exact enough for a bar's length.
        #[allow(clippy::cast_precision_loss)]
        let r = value.max(0) as f64 / max as f64;
        r
    }
}

/// A diagonal hatch: the "target" bars and the won stage.
fn hatch(id: &str) -> String {
    format!(
        "<pattern id=\"{id}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"{INK}\" stroke-width=\"2.5\"/></pattern>"
    )
}

/// One stage of the funnel.
#[derive(Debug, Clone)]
pub struct FunnelBar {
    pub label: String,
    pub value: i64,
    /// Printed at the end of the bar: `120 · 100 %`.
    pub value_text: String,
    /// Printed right-aligned above the bar: the conversion from the previous stage.
    pub note: String,
    /// The won stage: hatched and outlined.
    pub won: bool,
}

/// The funnel as horizontal bars, one per stage, each as long as its share of the longest.
/// Each bar is a `rect.funnel-bar`.
pub fn funnel(id: &str, title: &str, bars: &[FunnelBar]) -> String {
    const ROW: usize = 50;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let height = bars.len() * ROW + 4;
    let mut svg = format!(
        "<svg class=\"chart chart--funnel\" width=\"100%\" height=\"{height}\" role=\"img\" \
         aria-labelledby=\"{id}-title\"><title id=\"{id}-title\">{}</title><defs>{}</defs>",
        esc(title),
        hatch(&format!("{id}-hatch"))
    );
    for (i, bar) in bars.iter().enumerate() {
        let top = i * ROW;
        let (label_y, bar_y) = (top + 15, top + 22);
        let share = ratio(bar.value, max);
        // A stage nobody reached still shows a hairline, so the row does not look missing.
        let width = if bar.value > 0 { pct(share.max(0.004)) } else { "0.3".to_owned() };
        let fill = if bar.won { format!("url(#{id}-hatch)") } else { BAR.to_owned() };
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{label_y}\" class=\"chart__label\" fill=\"{INK}\">{}</text>\
             <text x=\"100%\" y=\"{label_y}\" text-anchor=\"end\" class=\"chart__note\" fill=\"{INK}\">{}</text>\
             <rect x=\"0\" y=\"{bar_y}\" width=\"100%\" height=\"20\" fill=\"{TRACK}\"/>\
             <rect class=\"funnel-bar\" x=\"0\" y=\"{bar_y}\" width=\"{width}%\" height=\"20\" fill=\"{fill}\" \
             stroke=\"{INK}\" stroke-width=\"{}\"><title>{}: {}</title></rect>",
            esc(&bar.label),
            esc(&bar.note),
            if bar.won { "1.5" } else { "0" },
            esc(&bar.label),
            esc(&bar.value_text),
        );
        // The number sits after the bar, or inside a long one (white on the dark grey; on the
        // hatch of the won stage, on a white box).
        let text_y = bar_y + 15;
        if share > 0.72 {
            let _ = write!(
                svg,
                "<text x=\"{width}%\" dx=\"-8\" y=\"{text_y}\" text-anchor=\"end\" class=\"chart__value\" \
                 fill=\"{}\"{}>{}</text>",
                if bar.won { INK } else { "#fff" },
                if bar.won { " paint-order=\"stroke\" stroke=\"#fff\" stroke-width=\"4\"" } else { "" },
                esc(&bar.value_text)
            );
        } else {
            let _ = write!(
                svg,
                "<text x=\"{width}%\" dx=\"8\" y=\"{text_y}\" class=\"chart__value\" fill=\"{INK}\">{}</text>",
                esc(&bar.value_text)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// One month of an employee's plan-versus-actual chart.
#[derive(Debug, Clone)]
pub struct PlanPoint {
    /// `ноя 2026`.
    pub label: String,
    /// In minor units; `None`: no target set.
    pub target: Option<i64>,
    pub actual: i64,
    pub target_text: String,
    pub actual_text: String,
    /// Under the month: `85 %` or `—`.
    pub percent_text: String,
}

/// The words of a plan chart's tooltips and title.
pub struct PlanWords<'a> {
    pub title: &'a str,
    pub target: &'a str,
    pub actual: &'a str,
}

/// Grouped bars per month: the target (hatched, outlined) beside the won amount (solid).
/// `max` is the scale, shared by all employees' charts so they compare at a glance.
pub fn plan_vs_actual(id: &str, words: &PlanWords<'_>, points: &[PlanPoint], max: i64) -> String {
    const PLOT: f64 = 96.0;
    const TOP: f64 = 6.0;
    let base = TOP + PLOT;
    let n = points.len().max(1);
    let mut svg = format!(
        "<svg class=\"chart chart--plan\" width=\"100%\" height=\"146\" role=\"img\" \
         aria-labelledby=\"{id}-title\"><title id=\"{id}-title\">{}</title><defs>{}</defs>",
        esc(words.title),
        hatch(&format!("{id}-hatch"))
    );
    #[allow(clippy::cast_precision_loss)]
    let slot = 1.0 / n as f64;
    for (i, point) in points.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let start = i as f64 * slot;
        let bar = |value: i64| (ratio(value, max) * PLOT).max(if value > 0 { 1.0 } else { 0.0 });
        if let Some(target) = point.target {
            let h = bar(target);
            let _ = write!(
                svg,
                "<rect class=\"plan-bar plan-bar--target\" x=\"{}%\" y=\"{:.1}\" width=\"{}%\" height=\"{:.1}\" \
                 fill=\"url(#{id}-hatch)\" stroke=\"{INK}\" stroke-width=\"1\"><title>{} · {}: {}</title></rect>",
                pct(start + slot * 0.14),
                base - h,
                pct(slot * 0.34),
                h,
                esc(&point.label),
                esc(words.target),
                esc(&point.target_text),
            );
        }
        let h = bar(point.actual);
        let _ = write!(
            svg,
            "<rect class=\"plan-bar plan-bar--actual\" x=\"{}%\" y=\"{:.1}\" width=\"{}%\" height=\"{:.1}\" \
             fill=\"{BAR}\"><title>{} · {}: {}</title></rect>",
            pct(start + slot * 0.52),
            base - h,
            pct(slot * 0.34),
            h,
            esc(&point.label),
            esc(words.actual),
            esc(&point.actual_text),
        );
        let middle = pct(start + slot * 0.5);
        let _ = write!(
            svg,
            "<text x=\"{middle}%\" y=\"{:.0}\" text-anchor=\"middle\" class=\"chart__axis\" fill=\"{INK}\">{}</text>\
             <text x=\"{middle}%\" y=\"{:.0}\" text-anchor=\"middle\" class=\"chart__value\" fill=\"{INK}\">{}</text>",
            base + 17.0,
            esc(&point.label),
            base + 34.0,
            esc(&point.percent_text),
        );
    }
    let _ = write!(
        svg,
        "<line x1=\"0\" x2=\"100%\" y1=\"{base}\" y2=\"{base}\" stroke=\"{INK}\" stroke-width=\"1\"/></svg>"
    );
    svg
}

/// A small bar for "% of target": a track and a fill up to 100 %, an outline beyond it.
pub fn meter(fraction: f64) -> String {
    let over = fraction > 1.0;
    format!(
        "<svg class=\"meter{}\" width=\"56\" height=\"6\" aria-hidden=\"true\" focusable=\"false\">\
         <rect width=\"56\" height=\"6\" rx=\"1\" fill=\"{TRACK}\"/>\
         <rect width=\"{:.1}\" height=\"6\" rx=\"1\" fill=\"{}\"/></svg>",
        if over { " meter--over" } else { "" },
        56.0 * fraction.clamp(0.0, 1.0),
        if over { INK } else { BAR },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("<b>\"A&B\"</b> 'x'"), "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt; &#39;x&#39;");
        let bars = [FunnelBar {
            label: "<script>".into(),
            value: 3,
            value_text: "3".into(),
            note: String::new(),
            won: false,
        }];
        let svg = funnel("f", "T & C", &bars);
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;") && svg.contains("T &amp; C"));
    }

    #[test]
    fn bars_are_proportional_to_the_longest() {
        let bar = |value, won| FunnelBar {
            label: "s".into(),
            value,
            value_text: value.to_string(),
            note: String::new(),
            won,
        };
        let svg = funnel("f", "t", &[bar(8, false), bar(2, false), bar(0, true)]);
        assert_eq!(svg.matches("class=\"funnel-bar\"").count(), 3);
        assert!(svg.contains("width=\"100.00%\"") && svg.contains("width=\"25.00%\""));
        let points = [PlanPoint {
            label: "m".into(),
            target: Some(200),
            actual: 100,
            target_text: "2".into(),
            actual_text: "1".into(),
            percent_text: "50 %".into(),
        }];
        let words = PlanWords { title: "p", target: "Plan", actual: "Won" };
        let svg = plan_vs_actual("p", &words, &points, 200);
        assert!(svg.contains("height=\"96.0\"") && svg.contains("height=\"48.0\""));
    }
}
