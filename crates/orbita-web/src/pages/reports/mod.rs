//! The report pages: the summary report (`/reports`, the Reports menu's landing page), the
//! funnel with plan versus actual (`/reports/funnel`), and what they share: the period in the
//! URL, the tabs, percentages, the group filter. The targets grid is `pages::targets`; the
//! report's download is `pages::exports`.

pub(super) mod chart;
pub(super) mod drill;
pub(super) mod funnel;
pub(super) mod period;
pub(super) mod sources;
pub(super) mod summary;

use axum::Router;
use axum::routing::get;
use orbita_app::{Access, AppError, Db, admin};
use orbita_domain::month::Month;
use orbita_domain::org::Locale;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::AppState;
use crate::ui::{Layout, SelectOption};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(summary::summary))
        .route("/reports/funnel", get(funnel::funnel))
        .route("/reports/sources", get(sources::sources))
}

/// The tabs of the reports section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Summary,
    Targets,
    Funnel,
    Sources,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Summary, Tab::Targets, Tab::Funnel, Tab::Sources];

    pub fn href(self) -> &'static str {
        match self {
            Tab::Summary => "/reports",
            Tab::Targets => "/reports/targets",
            Tab::Funnel => "/reports/funnel",
            Tab::Sources => "/reports/sources",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Tab::Summary => "report-summary-title",
            Tab::Targets => "report-targets-title",
            Tab::Funnel => "report-funnel-title",
            Tab::Sources => "report-sources-title",
        }
    }
}

/// A fraction (0.4235) as a whole percentage in the page's language: `42 %`, `42%`; above 100
/// when a target is beaten.
pub fn percent(layout: &Layout, fraction: Decimal) -> String {
    let whole = (fraction * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(0);
    if (0..=100).contains(&whole) {
        layout.percent(whole)
    } else {
        match layout.locale {
            Locale::Ru => format!("{}\u{a0}%", layout.number(whole)),
            Locale::En => format!("{}%", layout.number(whole)),
        }
    }
}

/// `ноя 2026`, `Nov 2026`.
pub fn month_label(layout: &Layout, month: Month) -> String {
    format!("{} {}", layout.t(&format!("report-month-{}", month.month())), month.year())
}

/// A fraction for a bar's length.
pub fn fraction_f64(fraction: Decimal) -> f64 {
    fraction.to_f64().unwrap_or(0.0)
}

/// The group filter's options, or none when the user may not list groups (a head of sales
/// sees their own group's figures anyway: their scope).
pub async fn group_options(
    db: &Db,
    access: &Access,
    layout: &Layout,
    current: &str,
) -> Result<Vec<SelectOption>, AppError> {
    // A head of sales picks among their own groups, an administrator among all.
    let groups = admin::report_groups(db, access).await?;
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let any = format!("{}: {}", layout.t("report-group"), layout.t("filter-all"));
    let mut options = vec![SelectOption::new("", any, current.is_empty())];
    options.extend(
        groups.into_iter().map(|g| SelectOption::new(g.id.to_string(), g.name, g.id.to_string() == current)),
    );
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_and_may_pass_100() {
        let ru = Layout::new(Locale::Ru, "t");
        let en = Layout::new(Locale::En, "t");
        assert_eq!(percent(&ru, Decimal::new(4235, 4)), "42\u{a0}%");
        assert_eq!(percent(&en, Decimal::new(4250, 4)), "43%");
        assert_eq!(percent(&en, Decimal::new(123_456, 4)), "1,235%");
        assert_eq!(percent(&ru, Decimal::new(13_000, 4)), "130\u{a0}%");
    }
}
