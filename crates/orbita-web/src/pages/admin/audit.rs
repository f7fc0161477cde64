//! The audit log: who did what, when, from where; filtered by user, entity, action and period.

use crate::pages::wall_clock::date;
use crate::pages::wall_clock::{day_end, day_start};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::routing::get;
use orbita_app::admin;
use orbita_domain::audit::{AuditAction, AuditEntity, AuditEvent};
use orbita_domain::list::AuditFilter;
use orbita_domain::list::Cursor;
use orbita_domain::{CompanyId, ContactId, DealId, UserId};

use super::Tab;
use super::audit_words::Words;
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::pages::deals::common::LinkNames;
use crate::pages::exports::export_query;
use crate::pages::list_query::ListQuery;
use crate::ui::layout::url;
use crate::ui::{Layout, Nav, SelectOption};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/audit", get(list))
}

const PAGE: u64 = 50;

/// The filter's label of an entity: `entity-sales-target` for `sales_target`.
fn entity_key(entity: AuditEntity) -> String {
    format!("entity-{}", entity.as_str().replace('_', "-"))
}

/// The page's query string, read in one place for the page and for its export.
#[derive(Default, Clone)]
pub(in crate::pages) struct AuditQuery {
    user: String,
    entity: String,
    action: String,
    /// `YYYY-MM-DD`, in the organisation's time zone.
    from: String,
    to: String,
    after: String,
}

impl AuditQuery {
    pub(in crate::pages) fn parse(raw: Option<&str>) -> AuditQuery {
        let query = ListQuery::parse(raw);
        let get = |name: &str| query.get(name).to_owned();
        AuditQuery {
            user: get("user"),
            entity: get("entity"),
            action: get("action"),
            from: get("from"),
            to: get("to"),
            after: get("after"),
        }
    }

    pub(in crate::pages) fn filter(&self, time_zone: &str) -> AuditFilter {
        AuditFilter {
            actor_id: self.user.parse().ok().map(UserId),
            // The reader's scope is applied by the service.
            actors: None,
            entity: AuditEntity::parse(&self.entity).map(|e| e.as_str().to_owned()),
            entity_id: None,
            action: AuditAction::parse(&self.action),
            from: date(&self.from).map(|d| day_start(d, time_zone)),
            to: date(&self.to).map(|d| day_end(d, time_zone)),
        }
    }

    /// The filters as URL pairs, without the page cursor.
    fn pairs(&self) -> [(&'static str, &str); 5] {
        [
            ("user", &self.user),
            ("entity", &self.entity),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ]
    }
}

/// One drop-down of the filter bar.
struct FilterSelect {
    name: &'static str,
    label: String,
    options: Vec<SelectOption>,
}

struct Row {
    event: AuditEvent,
    actor: String,
    /// What the event is about, in the page's language (as stored, for a name no longer used).
    entity: String,
    link: String,
    /// The record's name when the reader may see it, else its number.
    record: String,
    changes: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    tab: Tab,
    tabs: [Tab; 12],
    query: AuditQuery,
    selects: Vec<FilterSelect>,
    rows: Vec<Row>,
    next_href: String,
    /// The filters' query string for the export form (a background job).
    export_query: String,
}

async fn list(
    State(state): State<AppState>,
    user: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<AuditPage, PageError> {
    let query = AuditQuery::parse(raw.as_deref());
    let access = &user.session.access;
    let layout = user.page(user.t("admin-audit"), Some(Nav::Admin));
    let filter = query.filter(&layout.time_zone);
    let after = Cursor::decode(&query.after);
    let page = admin::audit_log(&state.db, access, &filter, after.as_ref(), PAGE).await?;
    let users = admin::users(&state.db, access).await?;
    let (pipelines, stages) = orbita_app::deals::pipelines_and_stages(&state.db).await?;
    // Role and group names for those who may read them; the others see the numbers.
    let roles = admin::roles(&state.db, access).await.map(|r| r.into_iter().map(|(role, _)| role).collect());
    let groups =
        admin::groups(&state.db, access).await.map(|g| g.into_iter().map(|(group, _)| group).collect());
    let words = Words {
        layout: &layout,
        users: &users,
        stages,
        pipelines,
        roles: roles.unwrap_or_default(),
        groups: groups.unwrap_or_default(),
    };
    let name_of = |id: Option<UserId>| match id {
        Some(id) => {
            users.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_else(|| format!("#{id}"))
        }
        None => layout.t("audit-system"),
    };
    // The records' names, as far as the reader may see them (one query per kind).
    let linked = page.items.iter().filter_map(|e| {
        let id = e.entity_id?;
        match e.entity.as_str() {
            "company" => Some((Some(CompanyId(id)), None, None)),
            "contact" => Some((None, Some(ContactId(id)), None)),
            "deal" => Some((None, None, Some(DealId(id)))),
            _ => None,
        }
    });
    let names = LinkNames::load(&state.db, access, linked.collect::<Vec<_>>()).await?;
    let rows = page
        .items
        .into_iter()
        .map(|event| {
            let record = match (event.entity.as_str(), event.entity_id) {
                ("user", Some(id)) => users.iter().find(|u| u.id.0 == id).map(|u| u.name.clone()),
                (kind, Some(id)) => names.known(kind, id).map(str::to_owned),
                _ => None,
            }
            .or_else(|| event.entity_id.map(|id| format!("#{id}")))
            .unwrap_or_default();
            let link = match (event.entity.as_str(), event.entity_id) {
                ("company", Some(id)) => format!("/companies/{id}"),
                ("contact", Some(id)) => format!("/contacts/{id}"),
                ("deal", Some(id)) => format!("/deals/{id}"),
                ("task", Some(id)) => format!("/tasks/{id}"),
                ("activity", Some(id)) => format!("/activities/{id}"),
                ("user", Some(id)) => format!("/admin/users/{id}"),
                ("settings", _) => "/admin/settings".to_owned(),
                _ => String::new(),
            };
            let changes = event
                .changes
                .iter()
                .map(|c| words.change(&c.field, c.before.as_deref(), c.after.as_deref()))
                .collect();
            let entity = match AuditEntity::parse(&event.entity) {
                Some(entity) => layout.t(&entity_key(entity)),
                None => event.entity.clone(),
            };
            // A rule's change is the rule's, not the system's at large.
            let actor = match (&event.via, event.actor_id) {
                (Some(via), None) => via.clone(),
                _ => name_of(event.actor_id),
            };
            Row { actor, entity, link, record, changes, event }
        })
        .collect();
    let here = url("/admin/audit", &query.pairs());
    let next_href = match &page.next {
        Some(cursor) => {
            let after = cursor.encode();
            let mut pairs = query.pairs().to_vec();
            pairs.push(("after", &after));
            url("/admin/audit", &pairs)
        }
        None => String::new(),
    };
    let any = |label: String| SelectOption::new("", label, false);
    let user_options = std::iter::once(any(layout.t("filter-any")))
        .chain(
            users
                .iter()
                .map(|u| SelectOption::new(u.id.to_string(), u.name.clone(), query.user == u.id.to_string())),
        )
        .collect();
    let entities =
        std::iter::once(any(layout.t("filter-any")))
            .chain(AuditEntity::ALL.iter().map(|e| {
                SelectOption::new(e.as_str(), layout.t(&entity_key(*e)), query.entity == e.as_str())
            }))
            .collect();
    let actions = std::iter::once(any(layout.t("filter-any")))
        .chain(AuditAction::ALL.iter().map(|a| {
            SelectOption::new(
                a.as_str(),
                layout.t(&format!("audit-action-{}", a.as_str().replace('_', "-"))),
                query.action == a.as_str(),
            )
        }))
        .collect();
    let selects = vec![
        FilterSelect { name: "user", label: layout.t("audit-who"), options: user_options },
        FilterSelect { name: "entity", label: layout.t("audit-entity"), options: entities },
        FilterSelect { name: "action", label: layout.t("audit-what"), options: actions },
    ];
    let export_query = export_query(&here);
    Ok(AuditPage { layout, tab: Tab::Audit, tabs: Tab::ALL, query, selects, rows, next_href, export_query })
}
