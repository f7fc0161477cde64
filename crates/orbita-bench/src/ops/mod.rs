//! The operations measured, each twice: over HTTP against the real server (`web`), and as the
//! same queries run in-process through the storage and service functions the page calls
//! (`floor`): the SQL, its row decoding and nothing else: no session check, no rendering, no HTTP.

pub mod floor;
pub mod web;

use std::sync::Mutex;
use std::sync::atomic::AtomicUsize;

use chrono::NaiveDate;
use orbita_app::Access;
use orbita_domain::{DealId, StageId, UserId};
use orbita_storage::Db;

use crate::http::{Browser, Http};
use crate::samples::{Pipeline, Samples};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Manager,
    Head,
    /// Sees every record: the custom-field line filters all million deals.
    Admin,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Head => "head of sales",
            Role::Admin => "administrator",
        }
    }
}

/// A signed-in user: the browser's cookie, their rights (for the floor) and their values.
pub struct Actor {
    pub user_id: UserId,
    pub browser: Browser,
    pub access: Access,
    pub samples: Samples,
}

/// Everything an operation needs.
pub struct Ctx {
    pub http: Http,
    /// The server's process, to read its memory after each operation.
    pub server_pid: u32,
    pub db: Db,
    pub manager: Actor,
    pub head: Actor,
    pub admin: Actor,
    pub pipeline: Pipeline,
    /// The organisation's currency, as the deal form preselects it.
    pub currency: String,
    /// The manager's open deals and their current stages, moved by both sides in turn.
    pub moves: Mutex<Vec<(DealId, StageId)>>,
    /// The summary report's period (this month) and the funnel's (this year), both ends included.
    pub month: (NaiveDate, NaiveDate),
    pub year: (NaiveDate, NaiveDate),
    /// Numbers new deals' titles.
    pub created: AtomicUsize,
}

impl Ctx {
    pub fn actor(&self, role: Role) -> &Actor {
        match role {
            Role::Manager => &self.manager,
            Role::Head => &self.head,
            Role::Admin => &self.admin,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `/search/suggest?q=x`: one letter is answered without a query, so this is the cost of
    /// every request's session check and page frame.
    Session,
    ListFirst,
    ListDeep,
    ByInn,
    ByKpp,
    ByName,
    ContactByPhone,
    ContactByEmail,
    GlobalSearch,
    Card,
    ContactCard,
    DealCard,
    DealsList,
    /// The deals list narrowed by a filter tree (records kernel: filters as data).
    DealsFiltered,
    /// The deals list filtered by an indexed custom list field, by title (custom fields).
    DealsByCustomField,
    MyTasks,
    /// The home page: today's tasks and meetings, deals without a next step and stuck, the
    /// month's target; for a head also the team's figures, the pipeline and the week's wins.
    MyDay,
    Activities,
    Kanban,
    CreateDeal,
    MoveStage,
    LogCall,
    /// A buyer's request through the demo's web form (`/f/demo-zamer`): a new person's phone
    /// looked up, a contact and a deal made, the pipeline's rules queued.
    WebFormPost,
    Summary,
    Funnel,
}

/// A latency target for p95, in milliseconds, on SQLite (PostgreSQL gets twice as long).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    pub p95_ms: Option<f64>,
    /// Not in the issue: a target by analogy (the funnel is a report like the summary).
    pub assumed: bool,
}

impl Op {
    pub fn title(self) -> &'static str {
        match self {
            Op::Session => "session check + empty fragment",
            Op::ListFirst => "companies list, first page by name",
            Op::ListDeep => "companies list, deep page (keyset)",
            Op::ByInn => "company by exact INN",
            Op::ByKpp => "company by KPP",
            Op::ByName => "company by 4-letter name fragment",
            Op::ContactByPhone => "contact by phone",
            Op::ContactByEmail => "contact by e-mail fragment",
            Op::GlobalSearch => "global search (header)",
            Op::Card => "company card",
            Op::ContactCard => "contact card",
            Op::DealCard => "deal card",
            Op::DealsList => "deals list, first page",
            Op::DealsFiltered => "deals list, or-group filter tree",
            Op::DealsByCustomField => "deals list, indexed custom list field, by title",
            Op::MyTasks => "my tasks",
            Op::MyDay => "my day (home page)",
            Op::Activities => "activities list, first page",
            Op::Kanban => "kanban, main pipeline",
            Op::CreateDeal => "create a deal",
            Op::MoveStage => "move a deal's stage",
            Op::LogCall => "log a call",
            Op::WebFormPost => "web form request (look-ups, contact, deal, rules)",
            Op::Summary => "monthly summary report",
            Op::Funnel => "funnel report (this year)",
        }
    }

    pub fn target(self) -> Target {
        let (p95_ms, assumed) = match self {
            Op::Session => (None, false),
            Op::ListFirst | Op::ListDeep | Op::ByInn | Op::ByKpp | Op::ContactByPhone | Op::Card => {
                (Some(10.0), false)
            }
            Op::ByName | Op::GlobalSearch => (Some(25.0), false),
            // A fragment of an address is searched like a fragment of a name.
            Op::ContactByEmail => (Some(25.0), true),
            // The issue names the companies list and card; the other lists and cards are alike.
            Op::ContactCard | Op::DealCard | Op::DealsList | Op::MyTasks | Op::Activities => {
                (Some(10.0), true)
            }
            // The records kernel's target for a filtered list (its custom-field line).
            Op::DealsFiltered => (Some(25.0), true),
            // The records kernel issue: a million deals by an indexed custom list field.
            Op::DealsByCustomField => (Some(25.0), false),
            // Issue "Daily work, polished": My day for both roles.
            Op::MyDay => (Some(25.0), false),
            Op::Kanban | Op::Summary => (Some(50.0), false),
            Op::Funnel => (Some(50.0), true),
            Op::CreateDeal | Op::MoveStage | Op::LogCall => (Some(10.0), false),
            Op::WebFormPost => (Some(15.0), false),
        };
        Target { p95_ms, assumed }
    }

    pub fn is_write(self) -> bool {
        matches!(self, Op::CreateDeal | Op::MoveStage | Op::LogCall | Op::WebFormPost)
    }

    /// What the floor runs, for the legend under the table.
    pub fn floor_text(self) -> &'static str {
        match self {
            Op::Session => "`auth::authenticate` (session, user, role, groups) + `setup::settings`",
            Op::ListFirst | Op::ListDeep | Op::ByInn | Op::ByKpp | Op::ByName => {
                "`orbita_storage::companies::list` with the user's visibility, 50 rows"
            }
            Op::ContactByPhone | Op::ContactByEmail => {
                "`orbita_storage::contacts::list` with the user's visibility, 50 rows"
            }
            Op::GlobalSearch => "`orbita_app::search::global` (companies, contacts, deals; 5 each)",
            Op::Card => {
                "the card's service calls: company, users, contacts, deals, stages, open tasks, timeline"
            }
            Op::ContactCard => "contact, users, company, deals, stages, open tasks, timeline",
            Op::DealCard => "deal, stages, users, open tasks, timeline",
            Op::DealsList => "`orbita_app::deals::list` (newest first, 50 rows), stages, users",
            Op::DealsFiltered => {
                "`filters::from_json` + `orbita_app::deals::list` ((two open stages and amount > 500 000) or own), stages, users"
            }
            Op::DealsByCustomField => {
                "`filters::from_json` + `orbita_app::deals::list` (custom.window_type = ПВХ, by title, 50 rows), stages, users"
            }
            Op::MyTasks => "`orbita_app::tasks::list` (own open tasks, 200 rows), users",
            Op::MyDay => {
                "`orbita_app::my_day::load` (tasks, meetings, figures, deals; the team's for a head), users, stages"
            }
            Op::Activities => "`orbita_app::activities::list` (newest first, 50 rows), users",
            Op::Kanban => "pipelines and stages, `orbita_app::kanban::board`, users",
            Op::CreateDeal => "`orbita_app::deals::create` (insert + audit event, one transaction)",
            Op::MoveStage => "`orbita_app::deals::move_stage` (update + stage history + audit event)",
            Op::LogCall => "`orbita_app::companies::get` + `orbita_app::activities::log` (+ audit event)",
            Op::WebFormPost => {
                "`orbita_app::web_forms::admit` + `submit` (look-ups, contact, deal, audit, rules queued)"
            }
            Op::Summary => "`orbita_app::reports::summary` for this month",
            Op::Funnel => "`orbita_app::reports::funnel` for this year",
        }
    }

    /// Whether the user has the values this operation asks for.
    pub fn has_samples(self, actor: &Actor) -> bool {
        let s = &actor.samples;
        match self {
            Op::ListDeep => !s.deep.is_empty(),
            Op::ByInn => !s.inns.is_empty(),
            Op::ByKpp => !s.kpps.is_empty(),
            Op::ByName | Op::GlobalSearch => !s.name_fragments.is_empty(),
            Op::ContactByPhone => !s.phones.is_empty(),
            Op::ContactByEmail => !s.email_fragments.is_empty(),
            Op::Card | Op::CreateDeal | Op::LogCall => !s.companies.is_empty(),
            Op::ContactCard => !s.contacts.is_empty(),
            Op::DealCard => !s.deals.is_empty(),
            Op::Session
            | Op::ListFirst
            | Op::DealsList
            | Op::DealsFiltered
            | Op::DealsByCustomField
            | Op::MyTasks
            | Op::MyDay
            | Op::Activities
            | Op::Kanban
            | Op::MoveStage
            | Op::WebFormPost
            | Op::Summary
            | Op::Funnel => true,
        }
    }
}

/// The filter tree of [`Op::DealsFiltered`]: the issue's saved view, "(stage is one of two
/// open stages and amount > 500 000) or the user's own", as the page's `filter=` carries it.
pub fn deals_filter(ctx: &Ctx, actor: &Actor) -> String {
    let stages: Vec<i64> = ctx.pipeline.open_stages.iter().take(2).map(|s| s.0).collect();
    serde_json::json!({"or": [
        {"and": [{"field": "stage_id", "op": "in", "value": stages},
                 {"field": "amount", "op": "gt", "value": "500000"}]},
        {"field": "owner_id", "op": "eq", "value": actor.user_id.0}
    ]})
    .to_string()
}

/// The filter of [`Op::DealsByCustomField`]: the demo's indexed custom list field.
pub fn custom_field_filter() -> String {
    serde_json::json!({"field": "custom.window_type", "op": "eq", "value": "ПВХ"}).to_string()
}

/// The demo's web form, and a new buyer's answers for the `i`-th request (a phone never seen).
pub const WEB_FORM_KEY: &str = "demo-zamer";

pub fn web_form_answers(n: usize) -> Vec<(String, String)> {
    let pairs = [
        ("name", format!("Покупатель {n}")),
        ("phone", format!("+7 999 {:07}", n % 10_000_000)),
        ("comment", "Окна в квартиру".to_owned()),
        ("_consent", "on".to_owned()),
        ("utm_source", "bench".to_owned()),
        ("utm_campaign", "load".to_owned()),
    ];
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// The `i`-th value, round the list.
pub fn pick<T>(list: &[T], i: usize) -> anyhow::Result<&T> {
    list.get(i % list.len().max(1)).ok_or_else(|| anyhow::anyhow!("no sample values"))
}

/// The next move: a deal and an open stage it is not at (a move to its own stage changes nothing).
pub fn next_move(ctx: &Ctx, i: usize) -> anyhow::Result<(DealId, StageId)> {
    let mut moves = ctx.moves.lock().map_err(|_| anyhow::anyhow!("moves poisoned"))?;
    let count = moves.len();
    let (deal, current) = *moves.get(i % count.max(1)).ok_or_else(|| anyhow::anyhow!("no open deals"))?;
    let stages = &ctx.pipeline.open_stages;
    let at = stages.iter().position(|s| *s == current).unwrap_or(0);
    let to = *stages.get((at + 1) % stages.len().max(1)).ok_or_else(|| anyhow::anyhow!("no open stages"))?;
    moves[i % count] = (deal, to);
    Ok((deal, to))
}
