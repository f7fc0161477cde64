//! The audit log: who did what, when, from where; filtered by user, entity, action and period.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use chrono::NaiveDate;
use orbita_app::admin;
use orbita_domain::UserId;
use orbita_domain::audit::{AuditAction, AuditEvent};
use orbita_storage::Cursor;
use orbita_storage::audit::AuditFilter;
use serde::Deserialize;

use super::Tab;
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::ui::{Layout, Nav, SelectOption, format};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/audit", get(list))
}

const PAGE: u64 = 50;
const ENTITIES: &[&str] =
    &["company", "contact", "deal", "task", "activity", "user", "group", "role", "settings"];

#[derive(Deserialize, Default, Clone)]
struct AuditQuery {
    #[serde(default)]
    user: String,
    #[serde(default)]
    entity: String,
    #[serde(default)]
    action: String,
    /// `YYYY-MM-DD`, in the organisation's time zone.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    after: Option<String>,
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
    link: String,
    changes: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    tab: Tab,
    tabs: [Tab; 6],
    query: AuditQuery,
    selects: Vec<FilterSelect>,
    rows: Vec<Row>,
    next_href: String,
}

/// The start of a local day, as UTC.
fn day_start(tz: &str, raw: &str) -> Option<orbita_domain::Timestamp> {
    let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()?;
    let local = date.and_hms_opt(0, 0, 0)?;
    let zone = format::time_zone(tz);
    local.and_local_timezone(zone).earliest().map(|t| t.with_timezone(&chrono::Utc))
}

async fn list(
    State(state): State<AppState>,
    user: SignedIn,
    Query(query): Query<AuditQuery>,
) -> Result<AuditPage, PageError> {
    let access = &user.session.access;
    let layout = user.page(user.t("admin-audit"), Some(Nav::Admin));
    let filter = AuditFilter {
        actor_id: query.user.parse().ok().map(UserId),
        entity: ENTITIES.iter().find(|e| **e == query.entity).map(|e| (*e).to_owned()),
        entity_id: None,
        action: AuditAction::parse(&query.action),
        from: day_start(&layout.time_zone, &query.from),
        to: day_start(&layout.time_zone, &query.to).map(|t| t + chrono::Duration::days(1)),
    };
    let after = query.after.as_deref().and_then(Cursor::decode);
    let page = admin::audit_log(&state.db, access, &filter, after.as_ref(), PAGE).await?;
    let users = admin::users(&state.db, access).await?;
    let name_of = |id: Option<UserId>| match id {
        Some(id) => {
            users.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_else(|| format!("#{id}"))
        }
        None => layout.t("audit-system"),
    };
    let rows = page
        .items
        .into_iter()
        .map(|event| {
            let link = match (event.entity.as_str(), event.entity_id) {
                ("company", Some(id)) => format!("/companies/{id}"),
                ("contact", Some(id)) => format!("/contacts/{id}"),
                ("deal", Some(id)) => format!("/deals/{id}"),
                ("user", Some(id)) => format!("/admin/users/{id}"),
                ("settings", _) => "/admin/settings".to_owned(),
                _ => String::new(),
            };
            let changes = event
                .changes
                .iter()
                .map(|c| {
                    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
                    format!("{}: {} → {}", layout.field_label(&c.field), show(&c.before), show(&c.after))
                })
                .collect();
            Row { actor: name_of(event.actor_id), link, changes, event }
        })
        .collect();
    let next_href = match &page.next {
        Some(cursor) => {
            let mut params = vec![
                ("user", query.user.clone()),
                ("entity", query.entity.clone()),
                ("action", query.action.clone()),
                ("from", query.from.clone()),
                ("to", query.to.clone()),
            ];
            params.push(("after", cursor.encode()));
            let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            crate::ui::layout::url("/admin/audit", &pairs)
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
    let entities = std::iter::once(any(layout.t("filter-any")))
        .chain(
            ENTITIES
                .iter()
                .map(|e| SelectOption::new(*e, layout.t(&format!("entity-{e}")), query.entity == *e)),
        )
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
    Ok(AuditPage { layout, tab: Tab::Audit, tabs: Tab::ALL, query, selects, rows, next_href })
}
