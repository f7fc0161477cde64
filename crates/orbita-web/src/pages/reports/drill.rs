//! A report figure's list: the filter `SummaryReport::drill` returns, written as the URL of the
//! list page with that page's own parameter names (`/deals?status=won&owner=7&closed_from=…`).
//! Dates become the organisation's calendar days, both ends included, as the lists read them.
//!
//! One owner is `owner` (`assignee`, `responsible`); a group's total is the report's group
//! (`group`), which the lists narrow to its members within the user's scope as the report
//! does. Several owners without a group (the user's whole scope) need no parameter: the list
//! shows every record the user may see. Tasks done in the period open the done tasks of those
//! days (`done_from`, `done_to`); overdue ones the open tasks past their due time now
//! (`overdue=1`). The funnel's company slices are `region` and `industry`.

use chrono::Duration;
use orbita_app::reports::Drill;
use orbita_domain::{GroupId, Timestamp, UserId};

use crate::ui::format::local_date;
use crate::ui::layout::url;

/// The list page behind a figure of a report narrowed to `group` (if any).
pub fn href(drill: &Drill, tz: &str, group: Option<GroupId>) -> String {
    let day = |at: Timestamp| local_date(tz, at).format("%Y-%m-%d").to_string();
    // An exclusive end (the first moment after the period) as the last day included.
    let last_day = |at: Timestamp| day(at - Duration::nanoseconds(1));
    let mut pairs: Vec<(&str, String)> = Vec::new();
    // Only for several owners: one owner says it all.
    let group_of =
        |owners: Option<&[UserId]>| group.filter(|_| single(owners).is_none()).map(|g| g.to_string());
    let path = match drill {
        Drill::Deals(f) => {
            pairs.extend(single(f.owner_ids.as_deref()).map(|o| ("owner", o.to_string())));
            pairs.extend(group_of(f.owner_ids.as_deref()).map(|g| ("group", g)));
            pairs.extend(f.status.map(|s| ("status", s.as_str().to_owned())));
            pairs.extend(f.pipeline_id.map(|p| ("pipeline", p.to_string())));
            pairs.extend(f.stage_ids.as_deref().and_then(|s| s.first()).map(|s| ("stage", s.to_string())));
            pairs.extend(f.source.clone().map(|s| ("source", s)));
            pairs.extend(f.utm_campaign.clone().map(|c| ("campaign", c)));
            pairs.extend(f.region.clone().map(|r| ("region", r)));
            pairs.extend(f.industry.clone().map(|i| ("industry", i)));
            pairs.extend(f.created_from.map(|t| ("created_from", day(t))));
            pairs.extend(f.created_to.map(|t| ("created_to", last_day(t))));
            pairs.extend(f.closed_from.map(|t| ("closed_from", day(t))));
            pairs.extend(f.closed_to.map(|t| ("closed_to", last_day(t))));
            "/deals"
        }
        Drill::Activities(f) => {
            pairs.extend(f.kind.map(|k| ("kind", k.as_str().to_owned())));
            pairs.extend(f.status.map(|s| ("status", s.as_str().to_owned())));
            pairs.extend(single(f.responsible_ids.as_deref()).map(|r| ("responsible", r.to_string())));
            pairs.extend(group_of(f.responsible_ids.as_deref()).map(|g| ("group", g)));
            pairs.extend(f.from.map(|t| ("from", day(t))));
            pairs.extend(f.to.map(|t| ("to", last_day(t))));
            "/activities"
        }
        Drill::Tasks(t) => {
            let assignee =
                single(t.filter.assignee_ids.as_deref()).map_or_else(|| "all".to_owned(), |a| a.to_string());
            pairs.push(("assignee", assignee));
            pairs.extend(group_of(t.filter.assignee_ids.as_deref()).map(|g| ("group", g)));
            if t.filter.done == Some(true) {
                pairs.push(("status", "done".to_owned()));
            }
            pairs.extend(t.done_from.map(|at| ("done_from", day(at))));
            pairs.extend(t.done_to.map(|at| ("done_to", last_day(at))));
            if t.filter.due_before.is_some() {
                pairs.push(("overdue", "1".to_owned()));
            }
            "/tasks"
        }
    };
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    url(path, &borrowed)
}

fn single(ids: Option<&[UserId]>) -> Option<UserId> {
    match ids {
        Some([one]) => Some(*one),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use orbita_app::reports::TaskDrill;
    use orbita_domain::deal::DealStatus;
    use orbita_domain::list::DealFilter;
    use orbita_domain::list::TaskFilter;

    use super::*;

    #[test]
    fn deal_filters_become_list_parameters_in_local_days() {
        let utc = |d, h| chrono::Utc.with_ymd_and_hms(2026, 10, d, h, 0, 0).single().expect("time");
        // 1 and 31 October 00:00 in Moscow, 31 October exclusive: the last day is the 30th.
        let filter = DealFilter {
            status: Some(DealStatus::Won),
            owner_ids: Some(vec![UserId(7)]),
            closed_from: Some(utc(1, 21) - Duration::days(1)),
            closed_to: Some(utc(30, 21)),
            ..DealFilter::default()
        };
        assert_eq!(
            href(&Drill::Deals(filter), "Europe/Moscow", None),
            "/deals?owner=7&status=won&closed_from=2026-10-01&closed_to=2026-10-30"
        );
        let team = DealFilter { owner_ids: Some(vec![UserId(1), UserId(2)]), ..DealFilter::default() };
        assert_eq!(href(&Drill::Deals(team.clone()), "Europe/Moscow", None), "/deals");
        // A group's total opens the group's list; one of its members, that member's.
        assert_eq!(href(&Drill::Deals(team), "Europe/Moscow", Some(GroupId(4))), "/deals?group=4");
        let one = DealFilter { owner_ids: Some(vec![UserId(1)]), ..DealFilter::default() };
        assert_eq!(href(&Drill::Deals(one), "UTC", Some(GroupId(4))), "/deals?owner=1");
    }

    #[test]
    fn a_company_slice_goes_with_the_link() {
        let filter = DealFilter {
            region: Some("Москва".into()),
            industry: Some("ИТ".into()),
            ..DealFilter::default()
        };
        assert_eq!(
            href(&Drill::Deals(filter), "UTC", None),
            "/deals?region=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0&industry=%D0%98%D0%A2"
        );
    }

    #[test]
    fn tasks_open_the_tasks_list() {
        let drill = TaskDrill {
            filter: TaskFilter {
                assignee_ids: Some(vec![UserId(3)]),
                done: Some(true),
                ..TaskFilter::default()
            },
            ..TaskDrill::default()
        };
        assert_eq!(href(&Drill::Tasks(drill), "UTC", None), "/tasks?assignee=3&status=done");
        assert_eq!(href(&Drill::Tasks(TaskDrill::default()), "UTC", None), "/tasks?assignee=all");
        let utc = |d| chrono::Utc.with_ymd_and_hms(2026, 10, d, 0, 0, 0).single().expect("time");
        let done_in_october = TaskDrill {
            filter: TaskFilter { done: Some(true), ..TaskFilter::default() },
            done_from: Some(utc(1)),
            done_to: Some(utc(31)),
        };
        assert_eq!(
            href(&Drill::Tasks(done_in_october), "UTC", None),
            "/tasks?assignee=all&status=done&done_from=2026-10-01&done_to=2026-10-30"
        );
        let overdue = TaskDrill {
            filter: TaskFilter { done: Some(false), due_before: Some(utc(5)), ..TaskFilter::default() },
            ..TaskDrill::default()
        };
        assert_eq!(href(&Drill::Tasks(overdue), "UTC", None), "/tasks?assignee=all&overdue=1");
    }
}
