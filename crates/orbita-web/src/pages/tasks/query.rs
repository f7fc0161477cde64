//! The tasks list's query string (`assignee`, `group`, `status`, `done_from`, `done_to`,
//! `overdue`, a condition as data in `filter`), read in one place for the page and for its export, so the file holds what the screen shows.

use chrono::NaiveDate;
use orbita_app::{Access, AppError, Db, filters};
use orbita_domain::access::{Action, Area, Scope};
use orbita_domain::kind::RecordKind;
use orbita_domain::list::TaskFilter;
use orbita_domain::{Timestamp, UserId};

use crate::pages::deals::common;
use crate::pages::groups;
use crate::pages::list_query::ListQuery;
use crate::pages::wall_clock::{day_end, day_start};

pub struct TasksQuery {
    /// As typed: empty or `me` (mine), `all` (the team's) or a user's id; `all` when a group
    /// is chosen without an assignee (the group's tasks) by a user who sees the team's.
    pub assignee: String,
    /// A user group's id: the tasks of its members (`pages::groups`).
    pub group: String,
    pub done: bool,
    /// The period of done tasks (local days, both included).
    pub done_from: Option<NaiveDate>,
    pub done_to: Option<NaiveDate>,
    /// Open tasks: only the overdue ones.
    pub overdue: bool,
    /// The user sees more than their own tasks: the team's and a person's tabs.
    pub team: bool,
    /// A condition as data (`filter=`, a JSON tree), as given.
    pub tree: String,
    /// The custom fields shown on each task (`cols=custom.<key>`, comma-joined), as given.
    pub cols: String,
    /// `custom.<key>` (or `-custom.<key>`): ordered by a custom field, not by due time.
    pub sort: String,
}

impl TasksQuery {
    pub fn parse(raw: Option<&str>, access: &Access) -> TasksQuery {
        let p = ListQuery::parse(raw);
        let done = p.get("status") == "done";
        let day = |name: &str| p.date(name);
        let team = access.permissions.scope(Area::Tasks, Action::View).is_some_and(|s| s != Scope::Own);
        let group = p.get("group").to_owned();
        let mut assignee = p.get("assignee").to_owned();
        if team && assignee.is_empty() && groups::id(&group).is_some() {
            assignee = "all".to_owned();
        }
        TasksQuery {
            assignee,
            group,
            done,
            done_from: if done { day("done_from") } else { None },
            done_to: if done { day("done_to") } else { None },
            overdue: !done && p.get("overdue") == "1",
            team,
            tree: p.get("filter").to_owned(),
            cols: p.all("cols").collect::<Vec<_>>().join(","),
            sort: p.get("sort").to_owned(),
        }
    }

    /// The storage filter: "done in a period" and "overdue" are the lists behind the summary
    /// report's task figures.
    pub fn filter(&self, access: &Access, time_zone: &str, now: Timestamp) -> TaskFilter {
        let me = access.user_id();
        let assignee_ids = match self.assignee.as_str() {
            "all" if self.team => None,
            "" | "me" => Some(vec![me]),
            other => Some(vec![common::id::<UserId>(other).unwrap_or(me)]),
        };
        TaskFilter {
            assignee_ids,
            done: Some(self.done),
            due_before: self.overdue.then_some(now),
            done_from: self.done_from.map(|d| day_start(d, time_zone)),
            done_to: self.done_to.map(|d| day_end(d, time_zone)),
            ..TaskFilter::default()
        }
    }

    /// [`Self::filter`] with the assignees narrowed to the group's members: what the list and
    /// its export apply.
    pub async fn filter_in_group(
        &self,
        db: &Db,
        access: &Access,
        time_zone: &str,
        now: Timestamp,
    ) -> Result<TaskFilter, AppError> {
        let mut filter = self.filter(access, time_zone, now);
        filter.assignee_ids =
            groups::owners(db, access, Area::Tasks, &self.group, filter.assignee_ids).await?;
        let tree = Some(self.tree.as_str()).filter(|t| !t.is_empty());
        filter.tree = filters::optional(db, tree, RecordKind::Task).await?;
        Ok(filter)
    }

    pub fn status_value(&self) -> &'static str {
        if self.done { "done" } else { "" }
    }

    pub fn done_from_text(&self) -> String {
        self.done_from.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
    }

    pub fn done_to_text(&self) -> String {
        self.done_to.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
    }

    /// The query as URL pairs (empty values are left out by `url`): the list as it is now.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("assignee", self.assignee.clone()),
            ("group", self.group.clone()),
            ("status", self.status_value().to_owned()),
            ("done_from", self.done_from_text()),
            ("done_to", self.done_to_text()),
            ("overdue", if self.overdue { "1" } else { "" }.to_owned()),
            ("filter", self.tree.clone()),
            ("cols", self.cols.clone()),
            ("sort", self.sort.clone()),
        ]
    }
}
