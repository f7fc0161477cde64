//! Monthly sales targets (план продаж): a head of sales sets each team member's target for a
//! month, the grid shows employees × months with target and actual (won in the organisation's
//! currency, by `closed_at` in its time zone), and a month can be copied forward.
//!
//! Also the calendar that reports and exports share: the organisation's time zone, periods of
//! local days as UTC instants, and the employees a user may report on.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use orbita_domain::access::{Action, Area};
use orbita_domain::audit::{self as audit_rules, AuditAction, FieldChange};
use orbita_domain::local_time::day_start;
use orbita_domain::org::OrgSettings;
use orbita_domain::user::User;
use orbita_domain::validation::{Currency, Money};
use orbita_domain::{FieldError, GroupId, Timestamp, UserId, ValidationErrors};
use orbita_storage::reports::{self as aggregates, Period};
use orbita_storage::targets::{self as store, Month, SalesTarget};
use orbita_storage::{Db, users};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::audit_trail::{self, AuditView};
use crate::{Access, AppError, setup};

/// The longest grid: three years of months.
pub const MAX_GRID_MONTHS: usize = 36;

/// A month as a month picker sends it: exactly `YYYY-MM`.
pub fn parse_month(raw: &str) -> Result<Month, FieldError> {
    Month::parse(raw.trim())
        .ok_or_else(|| FieldError::new("month", "month-format", "Enter a month as YYYY-MM"))
}

fn audit_view(target: &SalesTarget) -> AuditView {
    vec![
        ("month", Some(target.month.to_string())),
        ("amount", Some(target.amount.amount.to_string())),
        ("currency", Some(target.amount.currency.as_str().to_owned())),
    ]
}

/// Sets `user`'s target for `month` (in the organisation's currency). Needs Reports/Edit over
/// that user: a head of sales for their groups' members, an administrator for everyone.
pub async fn set(
    db: &Db,
    access: &Access,
    user: UserId,
    month: &str,
    amount_raw: &str,
) -> Result<SalesTarget, AppError> {
    access.require(Area::Reports, Action::Edit)?;
    let mut errors = ValidationErrors::default();
    let month = errors.check(parse_month(month));
    let amount = errors.check(Money::parse_amount(amount_raw, "amount"));
    let (Some(month), Some(amount)) = (month, amount) else { return Err(errors.into()) };
    users::get(db, user).await?;
    if !access.covers_owner(Area::Reports, Action::Edit, user) {
        return Err(AppError::Forbidden);
    }
    let amount = Money { amount, currency: setup::settings(db).await?.currency };
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before = store::get_in(&mut tx, user, month).await?;
    store::upsert(&mut tx, user, month, &amount, Some(access.user_id()), now).await?;
    let after = store::get_in(&mut tx, user, month).await?.ok_or(AppError::NotFound)?;
    let (action, changes) = match &before {
        None => (AuditAction::Create, audit_trail::created(&audit_view(&after))),
        Some(before) => {
            let mut changes = audit_rules::diff(&audit_view(before), &audit_view(&after));
            // The month never changes; it stays in the event to say which target this was.
            let month = Some(month.to_string());
            changes.insert(0, FieldChange { field: "month".into(), before: month.clone(), after: month });
            (AuditAction::Update, changes)
        }
    };
    if before.as_ref().is_none_or(|b| b.amount != after.amount) {
        audit_trail::record(&mut tx, &access.context(), "sales_target", user.0, action, changes, now).await?;
    }
    tx.commit().await?;
    Ok(after)
}

/// Copies the previous month's targets into `month` for the users the user may set targets
/// for and who have none in `month` yet. Returns the targets created.
pub async fn copy_previous_month(
    db: &Db,
    access: &Access,
    month: Month,
) -> Result<Vec<SalesTarget>, AppError> {
    let users = access.visibility(Area::Reports, Action::Edit)?.map(|v| v.owners);
    let previous = month
        .previous()
        .ok_or_else(|| FieldError::new("month", "month-format", "Enter a month as YYYY-MM"))?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let created =
        store::copy_month(&mut tx, previous, month, users.as_deref(), Some(access.user_id()), now).await?;
    for target in &created {
        let mut changes = audit_trail::created(&audit_view(target));
        changes.extend(audit_trail::one("copied_from", None, Some(previous.to_string())));
        audit_trail::record(
            &mut tx,
            &access.context(),
            "sales_target",
            target.user_id.0,
            AuditAction::Create,
            changes,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(created)
}

/// Plan versus actual: employees × months.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetGrid {
    pub months: Vec<Month>,
    pub currency: Currency,
    pub rows: Vec<GridRow>,
    /// Per month, over the rows.
    pub totals: Vec<GridCell>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridRow {
    pub user_id: UserId,
    pub name: String,
    /// Whether the user may set this employee's targets.
    pub editable: bool,
    pub cells: Vec<GridCell>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridCell {
    pub target: Option<Money>,
    /// Won in the month, in the organisation's currency.
    pub actual: Money,
    /// `actual / target`, a fraction with four decimals.
    pub percent: Option<Decimal>,
}

impl GridCell {
    fn new(target: Option<i64>, actual: i64, currency: Currency) -> GridCell {
        GridCell {
            target: target.map(|t| Money::from_minor(t, currency)),
            actual: Money::from_minor(actual, currency),
            percent: target.and_then(|t| fraction(actual, t)),
        }
    }
}

/// The grid of the months `first`..=`last` for the employees the user may report on.
pub async fn grid(db: &Db, access: &Access, first: Month, last: Month) -> Result<TargetGrid, AppError> {
    let staff = staff(db, access, None).await?;
    let settings = setup::settings(db).await?;
    let (tz, currency) = (time_zone(&settings), settings.currency);
    let months = first.through(last);
    if months.is_empty() {
        return Err(period_order().into());
    }
    if months.len() > MAX_GRID_MONTHS {
        return Err(FieldError::new("to", "period-too-long", "Choose at most 36 months").into());
    }
    let end = last.next().ok_or_else(period_order)?;
    let boundaries: Vec<Timestamp> =
        months.iter().chain([&end]).map(|m| day_start(m.first_day(), &tz)).collect();
    let owners = staff.filter.as_deref();
    let mut targets: BTreeMap<(i64, Month), i64> = BTreeMap::new();
    for t in store::list(db, first, last, owners).await?.into_iter().filter(|t| t.amount.currency == currency)
    {
        targets.insert((t.user_id.0, t.month), t.amount.to_minor());
    }
    let mut actual: BTreeMap<(i64, usize), i64> = BTreeMap::new();
    for row in aggregates::won_by_period(db, &boundaries, owners).await? {
        if let (Ok(bucket), true) = (usize::try_from(row.bucket), row.currency == currency.as_str()) {
            *actual.entry((row.owner_id, bucket)).or_default() += row.amount_minor;
        }
    }
    let mut rows = Vec::new();
    // Per month: the targets' sum, what everyone won, and what those with a target won.
    let mut totals = vec![(None::<i64>, 0i64, 0i64); months.len()];
    for user in &staff.users {
        let cells: Vec<(Option<i64>, i64)> = months
            .iter()
            .enumerate()
            .map(|(i, m)| {
                (targets.get(&(user.id.0, *m)).copied(), actual.get(&(user.id.0, i)).copied().unwrap_or(0))
            })
            .collect();
        if !user.is_active && cells.iter().all(|(t, a)| t.is_none() && *a == 0) {
            continue;
        }
        for ((total_target, won_by_all, won_by_targeted), (target, won)) in totals.iter_mut().zip(&cells) {
            if let Some(target) = target {
                *total_target = Some(total_target.unwrap_or(0) + target);
                *won_by_targeted += won;
            }
            *won_by_all += won;
        }
        rows.push(GridRow {
            user_id: user.id,
            name: user.name.clone(),
            editable: access.covers_owner(Area::Reports, Action::Edit, user.id),
            cells: cells.into_iter().map(|(t, a)| GridCell::new(t, a, currency)).collect(),
        });
    }
    // A month's total compares the targets with what the same people won (someone without a
    // target would lift it past 100 % by themselves); without any target, what everyone won.
    let totals = totals
        .into_iter()
        .map(|(target, all, targeted)| {
            GridCell::new(target, if target.is_some() { targeted } else { all }, currency)
        })
        .collect();
    Ok(TargetGrid { months, currency, rows, totals })
}

/// The organisation's time zone; a name chrono-tz does not know falls back to UTC (and says so
/// in the log) rather than failing every report.
pub(crate) fn time_zone(settings: &OrgSettings) -> Tz {
    Tz::from_str(&settings.time_zone).unwrap_or_else(|_| {
        tracing::warn!(time_zone = %settings.time_zone, "unknown time zone in the settings: using UTC");
        Tz::UTC
    })
}

/// A stored instant as the organisation's wall-clock time (spreadsheets have no time zones).
pub(crate) fn local_time(at: Timestamp, tz: Tz) -> NaiveDateTime {
    at.with_timezone(&tz).naive_local()
}

pub(crate) fn period_order() -> FieldError {
    FieldError::new("to", "period-order", "The end of the period must be after its start")
}

/// Local days `from` (included) to `to` (excluded) as instants.
pub(crate) fn period(from: NaiveDate, to: NaiveDate, tz: Tz) -> Result<Period, AppError> {
    if to <= from {
        return Err(period_order().into());
    }
    Ok(Period { from: day_start(from, &tz), to: day_start(to, &tz) })
}

pub(crate) fn month_of(date: NaiveDate) -> Result<Month, AppError> {
    Month::of(date)
        .ok_or_else(|| FieldError::new("from", "date-format", "Choose a date between 1000 and 9999").into())
}

/// The employees a user may report on (Reports/View scope), narrowed to a group.
pub(crate) struct Staff {
    pub users: Vec<User>,
    /// The owner filter for SQL: `None` is everyone (scope all and no group).
    pub filter: Option<Vec<UserId>>,
}

pub(crate) async fn staff(db: &Db, access: &Access, group: Option<GroupId>) -> Result<Staff, AppError> {
    let mut filter = access.visibility(Area::Reports, Action::View)?.map(|v| v.owners);
    if let Some(group) = group {
        let members = users::group_members(db, group).await?;
        filter = Some(match filter {
            Some(visible) => visible.into_iter().filter(|u| members.contains(u)).collect(),
            None => members,
        });
    }
    let users = users::list(db)
        .await?
        .into_iter()
        .filter(|u| filter.as_ref().is_none_or(|f| f.contains(&u.id)))
        .collect();
    Ok(Staff { users, filter })
}

/// `part / whole` with four decimals (a percentage with two), half away from zero.
pub(crate) fn fraction(part: i64, whole: i64) -> Option<Decimal> {
    (whole != 0).then(|| {
        (Decimal::from(part) / Decimal::from(whole))
            .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
    })
}

/// `n / d` rounded half away from zero, in integers (money stays exact).
pub(crate) fn div_round(n: i64, d: i64) -> i64 {
    if d == 0 {
        return 0;
    }
    let (n, d) = (i128::from(n), i128::from(d));
    let q = (2 * n.abs() + d.abs()) / (2 * d.abs());
    let q = if (n < 0) != (d < 0) { -q } else { q };
    i64::try_from(q).unwrap_or(if q < 0 { i64::MIN } else { i64::MAX })
}

/// The five most frequent entries, most frequent first, ties by name.
pub(crate) fn top(counts: BTreeMap<String, i64>) -> Vec<(String, i64)> {
    let mut entries: Vec<(String, i64)> = counts.into_iter().collect();
    entries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    entries.truncate(5);
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(div_round(1_333_620, 100), 13_336);
        assert_eq!(div_round(150, 100), 2);
        assert_eq!(div_round(149, 100), 1);
        assert_eq!(div_round(-150, 100), -2);
        assert_eq!(div_round(7, 0), 0);
        assert_eq!(fraction(1, 3), Some(Decimal::new(3333, 4)));
        assert_eq!(fraction(2, 3), Some(Decimal::new(6667, 4)));
        assert_eq!(fraction(1, 0), None);
    }

    #[test]
    fn a_day_starts_at_local_midnight() {
        let moscow: Tz = "Europe/Moscow".parse().expect("tz");
        let start = day_start(NaiveDate::from_ymd_opt(2025, 2, 1).expect("date"), &moscow);
        assert_eq!(start.to_rfc3339(), "2025-01-31T21:00:00+00:00");
        assert_eq!(parse_month(" 2025-02 ").map(|m| m.to_string()), Ok("2025-02".into()));
        assert_eq!(parse_month("02.2025").map_err(|e| e.field), Err("month".into()));
    }
}
