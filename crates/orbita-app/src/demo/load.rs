//! Loads a demo client base: users in sales teams, companies with contacts, deals across the
//! pipeline's stages with their history, activities and tasks. Deterministic for a seed.
//! The large size (a million companies) is for benchmarks; it loads in chunks, one
//! transaction each, with ids chosen here so rows can refer to each other without reading back.

use chrono::{Duration, NaiveDate};
use orbita_domain::activity::{ActivityFields, ActivityKind, ActivityStatus, Direction};
use orbita_domain::custom::{CustomField, CustomFieldInput};
use orbita_domain::deal::move_to_stage;
use orbita_domain::kind::RecordKind;
use orbita_domain::pipeline::{Stage, StageKind};
use orbita_domain::task::{TaskFields, TaskPriority};
use orbita_domain::user::{BuiltinRole, NewUser};
use orbita_domain::{CompanyId, ContactId, DealId, Timestamp, UserId};
use orbita_storage::bulk::{self, BulkRow};
use orbita_storage::{Db, Tx, activities, companies, contacts, deals, pipelines, saved_views, tasks, users};
use rand::RngExt;
use serde_json::json;

use super::generate::DemoGenerator;
use crate::{AppError, passwords, setup};

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "orbita-demo";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSize {
    pub users: usize,
    pub companies: usize,
    /// Activities per company.
    pub activities_per_company: usize,
    /// One task per this many companies.
    pub companies_per_task: usize,
}

impl DemoSize {
    pub const SMALL: DemoSize =
        DemoSize { users: 12, companies: 300, activities_per_company: 3, companies_per_task: 2 };
    pub const LARGE: DemoSize =
        DemoSize { users: 200, companies: 1_000_000, activities_per_company: 3, companies_per_task: 10 };

    /// Rows to write, for a progress bar: companies, contacts, deals, activities, tasks.
    pub fn total_rows(&self) -> u64 {
        let per_company = 3 + self.activities_per_company;
        (self.companies * per_company + self.companies / self.companies_per_task.max(1)) as u64
    }
}

/// Progress so far, in rows written of `DemoSize::total_rows`.
pub trait Progress {
    fn advance(&self, rows: u64);
}

impl Progress for () {
    fn advance(&self, _rows: u64) {}
}

/// What was loaded, and how to sign in.
#[derive(Debug, Clone)]
pub struct DemoLogins {
    pub admin_email: String,
    pub head_email: String,
    pub manager_email: String,
    pub password: &'static str,
}

const CHUNK: usize = 5_000;
const SEED: u64 = 20_261_123;

/// Loads demo data into a bootstrapped database. Refuses (NotEmpty) when companies exist,
/// so it never mixes with real data.
pub async fn load(db: &Db, size: DemoSize, progress: &dyn Progress) -> Result<DemoLogins, AppError> {
    setup::bootstrap(db).await?;
    if bulk::next_id(db, "companies").await? > 1 {
        return Err(AppError::NotEmpty);
    }
    let mut generator = DemoGenerator::new(SEED);
    let owners = load_users(db, &mut generator, size.users).await?;
    let stages = pipelines::stages(db).await?;
    let pipeline = stages.first().map(|s| s.pipeline_id).ok_or(AppError::NotFound)?;
    let pipeline_stages: Vec<Stage> = stages.into_iter().filter(|s| s.pipeline_id == pipeline).collect();
    let now = orbita_domain::now();
    let today = now.date_naive();
    let fields = demo_fields(db, now).await?;
    let ids = Ids {
        company: bulk::next_id(db, "companies").await?,
        contact: bulk::next_id(db, "contacts").await?,
        deal: bulk::next_id(db, "deals").await?,
    };
    let mut start = 0;
    while start < size.companies {
        let end = (start + CHUNK).min(size.companies);
        let chunk = Chunk { start, end, ids: &ids, owners: &owners, stages: &pipeline_stages, now, today };
        let rows = chunk.generate(&mut generator, size)?;
        let written = rows.count();
        let mut tx = db.begin().await?;
        for (table, table_rows) in rows.tables() {
            bulk::insert_rows(&mut tx, table, table_rows).await?;
        }
        tx.commit().await?;
        progress.advance(written);
        start = end;
    }
    let mut tx = db.begin().await?;
    for table in ["companies", "contacts", "deals"] {
        bulk::sync_id_sequence(&mut tx, table).await?;
    }
    // After the rows, as a field marked indexed later would be: one pass over the table.
    for field in fields.iter().filter(|f| f.indexed) {
        orbita_storage::custom_fields::create_indexes(&mut tx, field).await?;
    }
    tx.commit().await?;
    super::windows::load(db, now).await?;
    bulk::analyze(db).await?;
    Ok(logins())
}

/// The demo's custom fields of deals: the window type (a list, indexed: the benchmark filters
/// a million deals by it), the fitting budget (money) and the measuring date.
async fn demo_fields(db: &Db, now: Timestamp) -> Result<Vec<CustomField>, AppError> {
    let specs = [
        CustomFieldInput {
            key: "window_type".into(),
            ty: "list".into(),
            label_ru: "Тип окон".into(),
            label_en: "Window type".into(),
            options: DEMO_WINDOWS.iter().map(|w| (*w).to_owned()).collect(),
            group: "Монтаж".into(),
            indexed: true,
            ..Default::default()
        },
        CustomFieldInput {
            key: "fitting_budget".into(),
            ty: "money".into(),
            label_ru: "Бюджет монтажа".into(),
            label_en: "Fitting budget".into(),
            group: "Монтаж".into(),
            position: Some(1),
            ..Default::default()
        },
        // The measurer's visit is due on it (the window pipeline's "Замер" robot).
        CustomFieldInput {
            key: "measure_date".into(),
            ty: "date".into(),
            label_ru: "Дата замера".into(),
            label_en: "Measuring date".into(),
            group: "Монтаж".into(),
            position: Some(2),
            ..Default::default()
        },
    ];
    // A measurer's task says where it happens; a call says how it ended (lists and files show
    // them as columns, `cols=custom.place`).
    let place = CustomFieldInput {
        key: "place".into(),
        ty: "list".into(),
        label_ru: "Место".into(),
        label_en: "Place".into(),
        options: DEMO_PLACES.iter().map(|p| (*p).to_owned()).collect(),
        ..Default::default()
    };
    let call_result = CustomFieldInput {
        key: "call_result".into(),
        ty: "list".into(),
        label_ru: "Итог звонка".into(),
        label_en: "Call result".into(),
        options: DEMO_CALL_RESULTS.iter().map(|r| (*r).to_owned()).collect(),
        ..Default::default()
    };
    let mut tx = db.begin().await?;
    let kinds = specs.iter().map(|s| (RecordKind::Deal, s));
    for (kind, spec) in kinds.chain([(RecordKind::Task, &place), (RecordKind::Activity, &call_result)]) {
        let spec = spec.validate(kind, &[])?;
        orbita_storage::custom_fields::insert(&mut tx, kind, &spec, now).await?;
    }
    let fields = orbita_storage::custom_fields::list_in(&mut tx, RecordKind::Deal).await?;
    tx.commit().await?;
    Ok(fields)
}

const DEMO_PLACES: [&str; 3] = ["Офис", "Объект", "Выезд к клиенту"];
const DEMO_CALL_RESULTS: [&str; 3] = ["Договорились", "Перезвонить", "Отказ"];

/// One demo value of a list field, from a number (not the generator, whose sequence the rest
/// follows): one record in four has none.
fn demo_choice(options: &[&str], key: &str, n: usize) -> String {
    let mut values = orbita_domain::custom::CustomValues::new();
    if let Some(option) = options.get(n % (options.len() + 1)) {
        values.insert(key.into(), (*option).into());
    }
    orbita_domain::custom::values_to_json(&values)
}

const DEMO_WINDOWS: [&str; 3] = ["ПВХ", "Дерево", "Алюминий"];

/// A deal's demo values, from its id (not the generator, whose sequence the rest follows):
/// three deals in four have a window type, every other one a budget.
fn demo_custom_values(deal: DealId) -> String {
    let mut values = orbita_domain::custom::CustomValues::new();
    let n = deal.0.unsigned_abs();
    if let Some(window) = DEMO_WINDOWS.get((n % 4) as usize) {
        values.insert("window_type".into(), (*window).into());
    }
    if n.is_multiple_of(2) {
        values.insert(
            "fitting_budget".into(),
            serde_json::Value::from(((n * 7919) % 500 + 50) as i64 * 100_000),
        );
    }
    orbita_domain::custom::values_to_json(&values)
}

/// Users: an administrator, heads of sales each with a team of managers, one read-only.
async fn load_users(db: &Db, generator: &mut DemoGenerator, count: usize) -> Result<Vec<UserId>, AppError> {
    // One hash for all demo users: argon2 is deliberately slow, and they share a password.
    let hash = passwords::hash(DEMO_PASSWORD)?;
    let now = orbita_domain::now();
    let roles = users::roles(db).await?;
    let role = |builtin: BuiltinRole| {
        roles.iter().find(|r| r.key == builtin.as_str()).map(|r| r.id).ok_or(AppError::NotFound)
    };
    let mut tx = db.begin().await?;
    let mut managers = Vec::new();
    let mut group = None;
    for n in 0..count.max(3) {
        let (email, name) = generator.user(n);
        let builtin = match n {
            0 => BuiltinRole::Administrator,
            1 => BuiltinRole::HeadOfSales,
            n if n == count.max(3) - 1 && count > 3 => BuiltinRole::ReadOnly,
            n if n % 20 == 1 => BuiltinRole::HeadOfSales,
            _ => BuiltinRole::Manager,
        };
        let user = NewUser::parse(&email, &name)?;
        let id = users::insert(&mut tx, &user, Some(&hash), role(builtin)?, now).await?;
        if builtin == BuiltinRole::Administrator {
            demo_views(&mut tx, id, now).await?;
        }
        if builtin == BuiltinRole::HeadOfSales {
            let number = n / 20 + 1;
            group = Some(users::insert_group(&mut tx, &format!("Отдел продаж {number}"), now).await?);
        }
        if let Some(group) = group.filter(|_| builtin != BuiltinRole::ReadOnly && n > 0) {
            users::add_to_group(&mut tx, group, id, now).await?;
        }
        if matches!(builtin, BuiltinRole::Manager | BuiltinRole::HeadOfSales) {
            managers.push(id);
        }
    }
    tx.commit().await?;
    Ok(managers)
}

/// The administrator's saved views: conditions as data (an and-group over a custom field, an
/// or-group) that the lists, their files and the API read alike.
async fn demo_views(tx: &mut Tx, admin: UserId, now: Timestamp) -> Result<(), AppError> {
    let views = [
        (
            "deals",
            "Крупные заказы ПВХ",
            json!({"and": [
                {"field": "custom.window_type", "op": "eq", "value": "ПВХ"},
                {"field": "amount", "op": "gt", "value": "500000"}
            ]}),
        ),
        (
            "companies",
            "Москва или стройка",
            json!({"or": [
                {"field": "region", "op": "eq", "value": "Москва"},
                {"field": "name", "op": "contains", "value": "Строй"}
            ]}),
        ),
    ];
    for (list, name, tree) in views {
        // A string pair always encodes; an empty query would only be the list unfiltered.
        let query = serde_urlencoded::to_string([("filter", tree.to_string())]).unwrap_or_default();
        saved_views::insert(tx, admin, list, name, &query, None, now).await?;
    }
    Ok(())
}

struct Ids {
    company: i64,
    contact: i64,
    deal: i64,
}

struct Chunk<'a> {
    start: usize,
    end: usize,
    ids: &'a Ids,
    owners: &'a [UserId],
    stages: &'a [Stage],
    now: Timestamp,
    today: NaiveDate,
}

#[derive(Default)]
struct ChunkRows {
    companies: Vec<BulkRow>,
    contacts: Vec<BulkRow>,
    contact_keys: Vec<BulkRow>,
    deals: Vec<BulkRow>,
    stage_changes: Vec<BulkRow>,
    activities: Vec<BulkRow>,
    tasks: Vec<BulkRow>,
}

impl ChunkRows {
    /// Rows counted toward progress (stage history is extra).
    fn count(&self) -> u64 {
        (self.companies.len()
            + self.contacts.len()
            + self.deals.len()
            + self.activities.len()
            + self.tasks.len()) as u64
    }

    /// In the order foreign keys need.
    fn tables(self) -> [(&'static str, Vec<BulkRow>); 7] {
        [
            ("companies", self.companies),
            ("contacts", self.contacts),
            ("contact_keys", self.contact_keys),
            ("deals", self.deals),
            ("deal_stage_changes", self.stage_changes),
            ("activities", self.activities),
            ("tasks", self.tasks),
        ]
    }
}

impl Chunk<'_> {
    fn generate(&self, g: &mut DemoGenerator, size: DemoSize) -> Result<ChunkRows, AppError> {
        let mut rows = ChunkRows::default();
        let open: Vec<&Stage> = self.stages.iter().filter(|s| s.kind == StageKind::Open).collect();
        let won = self.stages.iter().find(|s| s.kind == StageKind::Won).ok_or(AppError::NotFound)?;
        let lost = self.stages.iter().find(|s| s.kind == StageKind::Lost).ok_or(AppError::NotFound)?;
        for n in self.start..self.end {
            let offset = i64::try_from(n).map_err(|_| AppError::NotFound)?;
            let owner = self.owners[g.rng().random_range(0..self.owners.len())];
            let created = self.now - Duration::minutes(g.rng().random_range(60..365 * 24 * 60));
            let company = CompanyId(self.ids.company + offset);
            rows.companies.push(companies::bulk_row(company, &g.company(n), owner, created));
            let contact = ContactId(self.ids.contact + offset);
            let person = g.contact(Some(company));
            rows.contacts.push(contacts::bulk_row(contact, &person, owner, created));
            rows.contact_keys.extend(contacts::bulk_keys(contact, &person));

            // A deal walks the open stages and may end won or lost.
            let deal = DealId(self.ids.deal + offset);
            let reached = g.rng().random_range(0..open.len());
            let roll = g.rng().random_range(0..100);
            let (last, reason) = match roll {
                0..25 => (won, String::new()),
                25..40 => (lost, g.lost_reason()),
                _ => (open[reached], String::new()),
            };
            let span = (self.now - created).num_minutes().max(2);
            let closed_at = created + Duration::minutes(g.rng().random_range(1..span));
            let stage_move = move_to_stage(last, &reason, closed_at)?;
            let fields = g.deal(Some(company), Some(contact), self.today);
            let mut path: Vec<&Stage> = open[..=reached].to_vec();
            if last.kind != StageKind::Open {
                path.push(last);
            }
            let furthest =
                path.iter().filter(|s| s.kind != StageKind::Lost).map(|s| s.position).max().unwrap_or(0);
            let mut from = None;
            let mut entered_at = created;
            for (step, stage) in path.iter().enumerate() {
                entered_at =
                    if step == 0 { created } else { closed_at.min(created + Duration::minutes(step as i64)) };
                rows.stage_changes
                    .push(deals::bulk_stage_change_row(deal, from, stage.id, owner, entered_at));
                from = Some(stage.id);
            }
            let loaded = deals::LoadedPath { furthest_position: furthest, entered_at };
            let mut row =
                deals::bulk_row(deal, &fields, last.pipeline_id, &stage_move, owner, created, loaded);
            row.push(("custom", demo_custom_values(deal).into()));
            rows.deals.push(row);

            for k in 0..size.activities_per_company {
                let kind = match g.rng().random_range(0..10) {
                    0..6 => ActivityKind::Call,
                    6..8 => ActivityKind::Meeting,
                    8 => ActivityKind::Email,
                    _ => ActivityKind::Note,
                };
                let occurred_at = created + Duration::minutes(g.rng().random_range(0..span));
                let fields = ActivityFields {
                    kind,
                    direction: (kind != ActivityKind::Note).then(|| {
                        if g.rng().random_bool(0.4) { Direction::Incoming } else { Direction::Outgoing }
                    }),
                    status: ActivityStatus::Done,
                    occurred_at,
                    duration_minutes: matches!(kind, ActivityKind::Call | ActivityKind::Meeting)
                        .then(|| g.rng().random_range(1..90)),
                    subject: g.activity_subject(kind),
                    responsible_id: owner,
                    company_id: Some(company),
                    contact_id: Some(contact),
                    deal_id: (k == 0).then_some(deal),
                };
                let mut row = activities::bulk_row(&fields, Some(owner), occurred_at)?;
                // Every row of a bulk insert has the same columns: `{}` where a call's result is not.
                let result = if kind == ActivityKind::Call {
                    demo_choice(&DEMO_CALL_RESULTS, "call_result", n + k)
                } else {
                    orbita_domain::custom::values_to_json(&Default::default())
                };
                row.push(("custom", result.into()));
                rows.activities.push(row);
            }

            if n % size.companies_per_task.max(1) == 0 {
                let due = self.now + Duration::hours(g.rng().random_range(-72..240));
                let done = g.rng().random_bool(0.3).then_some(due.min(self.now));
                let fields = TaskFields {
                    title: g.task_title(),
                    description: None,
                    due_at: Some(due),
                    assignee_id: owner,
                    priority: if g.rng().random_bool(0.2) {
                        TaskPriority::High
                    } else {
                        TaskPriority::Normal
                    },
                    company_id: Some(company),
                    contact_id: None,
                    deal_id: Some(deal),
                };
                let mut row = tasks::bulk_row(&fields, Some(owner), done, created);
                row.push((
                    "custom",
                    demo_choice(&DEMO_PLACES, "place", n / size.companies_per_task.max(1)).into(),
                ));
                rows.tasks.push(row);
            }
        }
        Ok(rows)
    }
}

/// The demo logins, without loading anything (the generator is deterministic).
pub fn logins() -> DemoLogins {
    let mut generator = DemoGenerator::new(SEED);
    let mut email = |n: usize| generator.user(n).0;
    DemoLogins {
        admin_email: email(0),
        head_email: email(1),
        manager_email: email(2),
        password: DEMO_PASSWORD,
    }
}
