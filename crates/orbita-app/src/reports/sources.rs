//! Where clients come from: the deals created in a period by their source (a web form writes
//! its name there) and by the advertising campaign of the page they were sent from — how many
//! came, how many of them are won now, the conversion, the revenue and the average deal.
//! Counted as a cohort, like the funnel: a deal counts in the period it came in, however long
//! it takes to win. Whose deals: the Reports/View scope, optionally one group. Money is the
//! organisation's currency; deals won in another are counted but not added.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use orbita_domain::validation::{Currency, Money};
use orbita_domain::{GroupId, UserId};
use orbita_storage::Db;
use orbita_storage::deals::DealFilter;
use orbita_storage::reports::{self as aggregates, Period, SourceCount, SourceKey};
use rust_decimal::Decimal;

use super::{Drill, calendar};
use crate::{Access, AppError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourcesParams {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group: Option<GroupId>,
}

/// One source's (or campaign's) figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLine {
    /// `None`: the deals with no source written.
    pub source: Option<String>,
    pub leads: i64,
    pub won: i64,
    /// `won` over `leads`.
    pub conversion: Option<Decimal>,
    /// Won, in the organisation's currency.
    pub revenue: Money,
    /// `revenue` over the deals won in that currency.
    pub average: Option<Money>,
}

#[derive(Debug, Clone)]
pub struct SourcesReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub period: Period,
    pub currency: Currency,
    /// Most leads first.
    pub by_source: Vec<SourceLine>,
    /// Only the deals with a campaign, most leads first.
    pub by_campaign: Vec<SourceLine>,
    pub total: SourceLine,
    owners: Option<Vec<UserId>>,
}

impl SourcesReport {
    /// The deals a source's (or, with `campaign`, a campaign's) leads count, as the deals
    /// list filter; none for "no source": the list cannot ask for an empty source.
    pub fn drill(&self, source: Option<&str>, campaign: bool, won: bool) -> Option<Drill> {
        let source = source?.to_owned();
        let status = won.then_some(orbita_domain::deal::DealStatus::Won);
        let (utm_campaign, source) = if campaign { (Some(source), None) } else { (None, Some(source)) };
        Some(Drill::Deals(DealFilter {
            source,
            utm_campaign,
            status,
            owner_ids: self.owners.clone(),
            created_from: Some(self.period.from),
            created_to: Some(self.period.to),
            ..DealFilter::default()
        }))
    }
}

/// What is summed for one line before it is printed.
#[derive(Default)]
struct Tally {
    leads: i64,
    won: i64,
    won_in_currency: i64,
    revenue_minor: i64,
}

impl Tally {
    fn add(&mut self, row: &SourceCount, currency: Currency) {
        self.leads += row.leads;
        self.won += row.won;
        if row.currency == currency.as_str() {
            self.won_in_currency += row.won;
            self.revenue_minor += row.won_minor;
        }
    }

    fn line(&self, source: Option<String>, currency: Currency) -> SourceLine {
        let revenue = Money::from_minor(self.revenue_minor, currency);
        SourceLine {
            source,
            leads: self.leads,
            won: self.won,
            conversion: (self.leads > 0)
                .then(|| (Decimal::from(self.won) / Decimal::from(self.leads)).round_dp(4)),
            average: (self.won_in_currency > 0)
                .then(|| Money::from_minor(self.revenue_minor / self.won_in_currency, currency)),
            revenue,
        }
    }
}

fn lines(rows: &[SourceCount], currency: Currency, total: Option<&mut Tally>) -> Vec<SourceLine> {
    let mut tallies: BTreeMap<Option<String>, Tally> = BTreeMap::new();
    for row in rows {
        tallies.entry(row.source.clone().filter(|s| !s.trim().is_empty())).or_default().add(row, currency);
    }
    if let Some(total) = total {
        for row in rows {
            total.add(row, currency);
        }
    }
    let mut lines: Vec<SourceLine> =
        tallies.into_iter().map(|(source, t)| t.line(source, currency)).collect();
    // Most leads first; the deals with no source last.
    lines.sort_by(|a, b| {
        (a.source.is_none(), b.leads, &a.source).cmp(&(b.source.is_none(), a.leads, &b.source))
    });
    lines
}

pub async fn sources(db: &Db, access: &Access, params: &SourcesParams) -> Result<SourcesReport, AppError> {
    let staff = calendar::staff(db, access, params.group).await?;
    let settings = crate::setup::settings(db).await?;
    let period = calendar::period(params.from, params.to, calendar::time_zone(&settings))?;
    let currency = settings.currency;
    let owners = staff.filter.as_deref();
    let by_source = aggregates::deals_by_source(db, period, owners, SourceKey::Source).await?;
    let by_campaign = aggregates::deals_by_source(db, period, owners, SourceKey::Campaign).await?;
    let mut total = Tally::default();
    Ok(SourcesReport {
        from: params.from,
        to: params.to,
        period,
        currency,
        by_source: lines(&by_source, currency, Some(&mut total)),
        by_campaign: lines(&by_campaign, currency, None),
        total: total.line(None, currency),
        owners: staff.filter.clone(),
    })
}
