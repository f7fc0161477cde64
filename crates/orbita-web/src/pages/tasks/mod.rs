//! "My tasks" (`GET /tasks`): open tasks grouped as overdue, today, upcoming and without a due
//! date, counted in the organisation's time zone; one click marks a task done (htmx swaps the
//! row; without a script the browser comes back to the list). A head of sales switches to the
//! team's tasks or to one person's. The task form lives in [`form`].

mod form;
pub(super) mod query;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use orbita_app::tasks;
use orbita_domain::access::{Action, Area};
use orbita_domain::custom::CustomField;
use orbita_domain::kind::RecordKind;
use orbita_domain::list::TaskFilter;
use orbita_domain::task::Task;
use orbita_domain::validation::Currency;
use orbita_domain::{TaskId, Timestamp};
use serde::Deserialize;

use self::query::TasksQuery;
use super::companies::table::ColumnChoice;
use super::custom_fields::{ChosenFields, People as Values};
use super::deals::common::{self, LinkNames, People};
use super::exports::export_query;
use super::{SignedIn, groups};
use crate::AppState;
use crate::error::PageError;
use crate::pages::list_query::ListQuery;
use crate::ui::format::local_date;
use crate::ui::layout::{tone, url};
use crate::ui::{Layout, Nav, SelectOption};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(list).post(form::create))
        .route("/tasks/new", get(form::new))
        .route("/tasks/{id}", get(form::edit).post(form::update))
        .route("/tasks/{id}/done", post(done))
        .route("/tasks/{id}/reopen", post(reopen))
        .route("/tasks/{id}/delete", post(form::delete))
}

const PAGE_SIZE: u64 = 200;

pub struct Link {
    pub href: String,
    pub text: String,
}

/// One task as a row prints it.
pub struct TaskRow {
    pub id: TaskId,
    pub title: String,
    pub description: String,
    pub done: bool,
    pub overdue: bool,
    pub due: Option<Timestamp>,
    pub priority: String,
    pub priority_tone: &'static str,
    pub high: bool,
    pub assignee: String,
    pub links: Vec<Link>,
    /// Where the done button brings the browser back to without a script.
    pub back: String,
    pub edit_href: String,
    /// The chosen custom fields' values, by name (`cols=custom.<key>`); empty ones left out.
    pub custom: Vec<(String, String)>,
}

impl TaskRow {
    pub(in crate::pages) fn new(
        layout: &Layout,
        task: &Task,
        people: &People,
        names: &LinkNames,
        now: Timestamp,
        back: &str,
    ) -> TaskRow {
        let f = &task.fields;
        let mut links = Vec::new();
        // A record the user may not see keeps its number: its name is not theirs to read.
        if let Some(id) = f.deal_id {
            links.push(Link { href: format!("/deals/{id}"), text: names.deal(layout, id) });
        }
        if let Some(id) = f.company_id {
            links.push(Link { href: format!("/companies/{id}"), text: names.company(layout, id) });
        }
        if let Some(id) = f.contact_id {
            links.push(Link { href: format!("/contacts/{id}"), text: names.contact(layout, id) });
        }
        TaskRow {
            id: task.id,
            title: f.title.clone(),
            description: f.description.clone().unwrap_or_default(),
            done: task.done_at.is_some(),
            overdue: task.is_overdue(now),
            due: f.due_at,
            priority: layout.t(&format!("task-priority-{}", f.priority.as_str())),
            priority_tone: tone::task_priority(f.priority),
            high: f.priority == orbita_domain::task::TaskPriority::High,
            assignee: people.name(f.assignee_id),
            links,
            back: back.to_owned(),
            edit_href: url(&format!("/tasks/{}", task.id), &[("return_to", back)]),
            custom: Vec::new(),
        }
    }

    /// The row with the values of the `shown` custom fields.
    fn with_custom(
        mut self,
        layout: &Layout,
        task: &Task,
        shown: &[&CustomField],
        values: &Values<'_>,
    ) -> Self {
        self.custom = shown
            .iter()
            .filter_map(|f| {
                let value = task.custom.get(&f.key)?;
                Some((
                    f.label(layout.lang()).to_owned(),
                    super::custom_fields::display(layout, f, value, values),
                ))
            })
            .collect();
        self
    }
}

pub struct Group {
    pub key: &'static str,
    pub title: String,
    pub rows: Vec<TaskRow>,
}

pub struct Tab {
    pub label: String,
    pub href: String,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "tasks/list.html")]
pub struct ListPage {
    pub layout: Layout,
    /// The order choices (the list's own, then each custom field that can order it), and the
    /// rest of the list for their form; none when no field can.
    pub orders: Vec<SelectOption>,
    pub kept_for_order: Vec<(&'static str, String)>,
    pub now: Timestamp,
    pub groups: Vec<Group>,
    pub total: usize,
    pub tabs: Vec<Tab>,
    pub status_tabs: Vec<Tab>,
    pub assignees: Vec<SelectOption>,
    /// The group filter of the team's tasks (none: no groups to offer).
    pub user_groups: Vec<SelectOption>,
    /// The chosen group's id, kept by the done-period form.
    pub group: String,
    pub status: String,
    /// The period filter of done tasks, as typed (`YYYY-MM-DD`).
    pub done_from: String,
    pub done_to: String,
    /// Open tasks: only the overdue ones.
    pub overdue: bool,
    pub overdue_href: String,
    /// The condition as data (`filter=`), and the list without it.
    pub tree: String,
    pub without_tree_href: String,
    pub team: bool,
    pub show_assignee: bool,
    pub next_href: String,
    pub new_href: String,
    /// The list's query string for the export form (a background job).
    pub export_query: String,
    pub can_create: bool,
    pub can_export: bool,
    /// The "Columns" panel: the custom fields, checked when shown, and the list's other
    /// parameters its form keeps.
    pub columns: Vec<ColumnChoice>,
    pub kept: Vec<(&'static str, String)>,
    /// `cols` as given, kept by the list's other forms.
    pub cols: String,
}

/// The row alone, for htmx to swap in after a click on "done".
#[derive(Template, WebTemplate)]
#[template(path = "tasks/row.html")]
pub struct RowPartial {
    pub layout: Layout,
    pub now: Timestamp,
    pub row: TaskRow,
    pub show_assignee: bool,
}

async fn list(State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery) -> Response {
    let query = TasksQuery::parse(raw.as_deref(), &user.session.access);
    let p = ListQuery::parse(raw.as_deref());
    let access = &user.session.access;
    let mut layout = user.page(user.t("tasks-title"), Some(Nav::Tasks));
    let me = access.user_id();
    let team = query.team;
    let assignee = query.assignee.clone();
    let status = if query.done { "done" } else { "open" };
    let now = orbita_domain::now();
    let overdue = query.overdue;
    // As asked, before the group becomes its members: what the title names.
    let asked = query.filter(access, &layout.time_zone, now);
    let chosen = match ChosenFields::load(&state.db, RecordKind::Task, raw.as_deref()).await {
        Ok(chosen) => chosen,
        Err(error) => return PageError::from(error).into_response(),
    };
    let filter = match query.filter_in_group(&state.db, access, &layout.time_zone, now).await {
        Ok(filter) => TaskFilter { order: chosen.order, ..filter },
        Err(error) => return PageError::from(error).into_response(),
    };
    let user_groups = match groups::options(&state.db, access, Area::Tasks, &layout, &query.group).await {
        Ok(options) => options,
        Err(error) => return PageError::from(error).into_response(),
    };
    let after = orbita_domain::list::Cursor::decode(p.get("after"));
    let page = match tasks::list(&state.db, access, &filter, after.as_ref(), PAGE_SIZE).await {
        Ok(page) => page,
        Err(error) => return PageError::from(error).into_response(),
    };
    // The linked deals, companies and contacts by name: one query per kind for the page.
    let links = page.items.iter().map(|t| (t.fields.company_id, t.fields.contact_id, t.fields.deal_id));
    let names = match LinkNames::load(&state.db, access, links).await {
        Ok(names) => names,
        Err(error) => return PageError::from(error).into_response(),
    };
    let people = match orbita_app::admin::users(&state.db, access).await {
        Ok(users) => People(users),
        Err(error) => return PageError::from(error).into_response(),
    };
    let shown = chosen.shown();
    let currency = match super::custom_fields::currency(&state.db, !shown.is_empty()).await {
        Ok(currency) => currency,
        Err(error) => return PageError::from(error).into_response(),
    };
    let values = Values { users: &people.0, currency };
    if let Some(ids) = asked.assignee_ids.as_ref().filter(|ids| ids.as_slice() != [me]) {
        let names: Vec<String> = ids.iter().map(|id| people.name(*id)).collect();
        layout.title = layout.t_with("tasks-title-of", "name", &names.join(", "));
    } else if let Some(group) =
        groups::name(&user_groups, &query.group).filter(|_| asked.assignee_ids.is_none())
    {
        layout.title = layout.t_with("tasks-title-of", "name", &group);
    } else if asked.assignee_ids.is_none() {
        layout.title = layout.t("tasks-title-team");
    }
    let done_from_raw = query.done_from_text();
    let done_to_raw = query.done_to_text();
    // The list as it is now: the filters stay on after a click on "done", on the next page
    // and in the export.
    let pairs = query.pairs();
    let pair_refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let here = url("/tasks", &pair_refs);
    let today = local_date(&layout.time_zone, now);
    // Ordered by a custom field, the tasks stay in that order: one group, not by due time.
    let sorted_by = chosen.order_label(&layout);
    let mut groups: Vec<Group> = if let Some(label) = &sorted_by {
        vec![Group {
            key: "sorted",
            title: layout.t_with("tasks-group-sorted", "field", label),
            rows: Vec::new(),
        }]
    } else if status == "done" {
        vec![Group { key: "done", title: layout.t("tasks-group-done"), rows: Vec::new() }]
    } else {
        [
            ("overdue", "tasks-group-overdue"),
            ("today", "tasks-group-today"),
            ("upcoming", "tasks-group-upcoming"),
            ("none", "tasks-group-no-due"),
        ]
        .iter()
        .map(|(key, title)| Group { key, title: layout.t(title), rows: Vec::new() })
        .collect()
    };
    let total = page.items.len();
    for task in &page.items {
        let row = TaskRow::new(&layout, task, &people, &names, now, &here)
            .with_custom(&layout, task, &shown, &values);
        let index = match (status, task.fields.due_at) {
            _ if sorted_by.is_some() => 0,
            ("done", _) => 0,
            (_, None) => 3,
            (_, Some(due)) if due < now => 0,
            (_, Some(due)) if local_date(&layout.time_zone, due) == today => 1,
            _ => 2,
        };
        groups[index].rows.push(row);
    }
    groups.retain(|g| !g.rows.is_empty());

    let tab = |label: &str, value: &str| Tab {
        label: layout.t(label),
        href: url("/tasks", &[("assignee", value), ("status", if status == "done" { "done" } else { "" })]),
        current: assignee == value || (value.is_empty() && assignee == "me"),
    };
    let tabs = if team { vec![tab("tasks-tab-mine", ""), tab("tasks-tab-team", "all")] } else { Vec::new() };
    let status_tab = |label: &str, value: &str| Tab {
        label: layout.t(label),
        href: url(
            "/tasks",
            &[
                ("assignee", &assignee),
                ("group", &query.group),
                ("status", value),
                ("filter", &query.tree),
                ("cols", &query.cols),
                ("sort", &query.sort),
            ],
        ),
        current: (value == "done") == (status == "done"),
    };
    let status_tabs = vec![status_tab("tasks-status-open", ""), status_tab("tasks-status-done", "done")];
    let mut assignees = vec![SelectOption::new(
        "",
        format!("{}: {}", layout.t("field-assignee"), layout.t("tasks-tab-mine")),
        assignee.is_empty(),
    )];
    if team {
        assignees.push(SelectOption::new("all", layout.t("tasks-tab-team"), assignee == "all"));
        assignees.extend(
            people
                .visible(access, Area::Tasks)
                .into_iter()
                .filter(|u| u.id != me)
                .map(|u| SelectOption::new(u.id.to_string(), u.name.clone(), u.id.to_string() == assignee)),
        );
    }
    let next_href = page.next.map_or_else(String::new, |cursor| {
        let after = cursor.encode();
        let mut next = pair_refs.clone();
        next.push(("after", &after));
        url("/tasks", &next)
    });
    let overdue_href = url(
        "/tasks",
        &[
            ("assignee", &assignee),
            ("group", &query.group),
            ("overdue", if overdue { "" } else { "1" }),
            ("filter", &query.tree),
            ("cols", &query.cols),
            ("sort", &query.sort),
        ],
    );
    let without_tree: Vec<(&str, &str)> = pair_refs.iter().copied().filter(|(k, _)| *k != "filter").collect();
    let without_tree_href = url("/tasks", &without_tree);
    // The "Columns" panel's form keeps the rest of the list as hidden fields.
    let kept = |drop: &str| -> Vec<(&'static str, String)> {
        pairs.iter().filter(|(k, v)| *k != drop && !v.is_empty()).cloned().collect()
    };
    let columns = super::companies::table::custom_choices(&layout, &chosen.fields, &chosen.picked());
    ListPage {
        kept: kept("cols"),
        kept_for_order: kept("sort"),
        orders: chosen.orders(&layout, "tasks-order-due"),
        columns,
        cols: query.cols.clone(),
        now,
        groups,
        total,
        tabs,
        status_tabs,
        assignees,
        user_groups,
        group: query.group.clone(),
        show_assignee: !assignee.is_empty() && assignee != "me",
        team,
        status: status.to_owned(),
        done_from: done_from_raw,
        done_to: done_to_raw,
        overdue,
        overdue_href,
        tree: query.tree.clone(),
        without_tree_href,
        next_href,
        new_href: url("/tasks/new", &[("return_to", &here)]),
        export_query: export_query(&here),
        can_create: access.can(Area::Tasks, Action::Create),
        can_export: access.can(Area::Tasks, Action::Export),
        layout,
    }
    .into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DoneForm {
    return_to: String,
}

async fn done(
    state: State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    id: Path<i64>,
    form: Form<DoneForm>,
) -> Response {
    set_done(state, user, headers, id, form, true).await
}

async fn reopen(
    state: State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    id: Path<i64>,
    form: Form<DoneForm>,
) -> Response {
    set_done(state, user, headers, id, form, false).await
}

/// `POST /tasks/{id}/done` and `/reopen`: htmx gets the row back, a form a redirect.
async fn set_done(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<DoneForm>,
    done: bool,
) -> Response {
    let access = &user.session.access;
    let task = match tasks::set_done(&state.db, access, TaskId(id), done).await {
        Ok(task) => task,
        Err(error) => return PageError::from(error).into_response(),
    };
    let back = common::return_to(&form.return_to, "/tasks");
    if !headers.contains_key("hx-request") {
        return Redirect::to(&back).into_response();
    }
    let people = People(orbita_app::admin::users(&state.db, access).await.unwrap_or_default());
    let now = orbita_domain::now();
    let layout = user.page(String::new(), Some(Nav::Tasks));
    let f = &task.fields;
    let names = LinkNames::load(&state.db, access, [(f.company_id, f.contact_id, f.deal_id)])
        .await
        .unwrap_or_default();
    // The row as the list showed it: with the custom fields its address chose.
    let chosen = ChosenFields::load(&state.db, RecordKind::Task, back.split_once('?').map(|(_, q)| q))
        .await
        .unwrap_or(ChosenFields { fields: Vec::new(), keys: Vec::new(), order: None });
    let shown = chosen.shown();
    let currency =
        super::custom_fields::currency(&state.db, !shown.is_empty()).await.unwrap_or(Currency::RUB);
    let values = Values { users: &people.0, currency };
    let row = TaskRow::new(&layout, &task, &people, &names, now, &back)
        .with_custom(&layout, &task, &shown, &values);
    let show_assignee = task.fields.assignee_id != access.user_id();
    RowPartial { layout, now, row, show_assignee }.into_response()
}
