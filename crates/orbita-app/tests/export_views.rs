//! Files as the screens show them, on both databases, read back as a spreadsheet program would
//! (calamine for XLSX, the csv crate for CSV): the contacts' and deals' chosen columns against
//! the lists the same user sees, the summary report's other currencies and lost reasons, the
//! sales-targets grid, and the reports' default periods.

use std::io::Cursor as IoCursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{Duration, NaiveDate};
use orbita_app::exports::{self, ContactColumn, DealColumn, ExportFailure, ExportSpec, Format, ListExport};
use orbita_app::reports::{self, DefaultPeriod, SummaryParams};
use orbita_app::{
    Access, AppError, RequestContext, admin, companies, contacts, deals, setup, targets, users,
};
use orbita_domain::access::{Action, Area, Scope};
use orbita_domain::audit::AuditAction;
use orbita_domain::company::CompanyInput;
use orbita_domain::contact::ContactInput;
use orbita_domain::deal::DealInput;
use orbita_domain::org::Locale;
use orbita_domain::pipeline::StageKind;
use orbita_domain::{UserId, now};
use orbita_export::neutralise;
use orbita_storage::Db;
use orbita_storage::audit::AuditFilter;
use orbita_storage::contacts::{ContactFilter, ContactSort};
use orbita_storage::deals::{DealFilter, DealSort};
use orbita_storage::targets::Month;
use orbita_testkit::on_both;
use rust_decimal::prelude::ToPrimitive;

struct Team {
    admin: Access,
    m1: Access,
    m2: Access,
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
    let load = |id| async move { Access::load(db, id, None).await.expect("access") };
    Team { admin: load(admin).await, m1: load(m1).await, m2: load(m2).await }
}

/// Headers and words as `[key]`, so a test sees which key each column asked for.
fn label(key: &str) -> String {
    format!("[{key}]")
}

fn number(_: Locale, key: &str, id: &str) -> String {
    format!("[{key} {id}]")
}

fn no_progress(_: u64) {}

fn spec(format: Format) -> ExportSpec<'static> {
    ExportSpec { format, locale: Locale::Ru, label: &label, number, progress: &no_progress, tempdir: None }
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

/// A cell as text, whatever its type; a short row padded with empty cells.
fn xlsx_texts(row: &[Data], width: usize) -> Vec<String> {
    (0..width)
        .map(|i| match row.get(i) {
            None | Some(Data::Empty) => String::new(),
            Some(Data::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        })
        .collect()
}

/// m1's company with two contacts, one with two phones; m2's company and contact.
async fn clients(db: &Db, team: &Team) {
    for (who, company, people) in [
        (
            &team.m1,
            "Ромашка",
            vec![("Иванов", "Директор", "+7 916 123-45-67, +7 495 500-55-50"), ("Петров", "", "")],
        ),
        (&team.m2, "Лютик", vec![("Сидоров", "Бухгалтер", "")]),
    ] {
        let input = CompanyInput { name: company.into(), ..Default::default() };
        let company = companies::create(db, who, &input, None).await.expect("company").id;
        for (last_name, position, phones) in people {
            let input = ContactInput {
                last_name: last_name.into(),
                position: position.into(),
                phones: phones.into(),
                company_id: Some(company),
                ..Default::default()
            };
            contacts::create(db, who, &input, None).await.expect("contact");
        }
    }
}

#[tokio::test]
async fn contacts_export_the_chosen_columns_of_the_list_the_user_sees() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        clients(&t.db, &team).await;
        let filter = ContactFilter::default();
        let columns = vec![ContactColumn::Phone, ContactColumn::Company, ContactColumn::Owner];
        let export = ListExport {
            filter: filter.clone(),
            sort: ContactSort::Name,
            descending: false,
            columns,
            custom: Vec::new(),
        };
        for (who, expected_rows) in [(&team.m1, 2), (&team.admin, 3)] {
            let listed = contacts::list(&t.db, who, &filter, ContactSort::Name, false, None, 100)
                .await
                .expect("list")
                .items;
            assert_eq!(listed.len(), expected_rows, "{}: the fixture", t.name);
            let linked: Vec<_> = listed.iter().filter_map(|c| c.fields.company_id).collect();
            let names = companies::names(&t.db, who, &linked).await.expect("names");
            let expected: Vec<Vec<String>> = listed
                .iter()
                .map(|c| {
                    let f = &c.fields;
                    let phones: Vec<&str> = f.phones.iter().map(|p| p.as_str()).collect();
                    let owner = if c.owner_id == team.m1.user_id() { "m1@x.ru" } else { "m2@x.ru" };
                    vec![
                        f.full_name(),
                        f.company_id.and_then(|id| names.get(&id).cloned()).unwrap_or_default(),
                        neutralise(&phones.join(", ")).into_owned(),
                        owner.to_owned(),
                    ]
                })
                .collect();
            let headers = ["[field-full-name]", "[field-company]", "[field-phone]", "[field-owner]"];

            let csv = exports::write(&t.db, who, &export, &spec(Format::Csv), Vec::new()).await.expect("csv");
            let rows = read_csv(&csv.out);
            assert_eq!(rows[0], headers, "{}: the name first, then the list's order", t.name);
            assert_eq!(rows[1..].to_vec(), expected, "{}: CSV rows = list rows", t.name);

            let xlsx =
                exports::write(&t.db, who, &export, &spec(Format::Xlsx), Vec::new()).await.expect("xlsx");
            let sheet = read_xlsx(xlsx.out);
            let sheet: Vec<Vec<String>> = sheet.iter().map(|r| xlsx_texts(r, headers.len())).collect();
            assert_eq!(sheet[0], headers, "{}", t.name);
            // XLSX keeps text as typed (a quote-prefixed cell, no literal `'`); CSV alone has it.
            let typed: Vec<Vec<String>> = expected
                .iter()
                .map(|row| {
                    row.iter().map(|cell| cell.strip_prefix('\'').unwrap_or(cell).to_owned()).collect()
                })
                .collect();
            assert_eq!(sheet[1..].to_vec(), typed, "{}: XLSX rows = list rows", t.name);
        }
        // Both phones of the first contact: the screen shows the first for room.
        let csv =
            exports::write(&t.db, &team.m1, &export, &spec(Format::Csv), Vec::new()).await.expect("csv");
        assert_eq!(read_csv(&csv.out)[1][2], "'+79161234567, +74955005550", "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn deals_export_the_chosen_columns_and_record_them_in_the_audit_event() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        clients(&t.db, &team).await;
        let company =
            companies::list(&t.db, &team.m1, &Default::default(), Default::default(), false, None, 1)
                .await
                .expect("companies")
                .items[0]
                .id;
        let contact = contacts::list(&t.db, &team.m1, &Default::default(), ContactSort::Name, false, None, 1)
            .await
            .expect("contacts")
            .items[0]
            .id;
        let input = DealInput {
            title: "Окна".into(),
            amount: "1500,50".into(),
            company_id: Some(company),
            contact_id: Some(contact),
            source: "Сайт".into(),
            ..Default::default()
        };
        let deal = deals::create(&t.db, &team.m1, &input, None, None, None).await.expect("deal");
        let columns = vec![DealColumn::Closed, DealColumn::Source, DealColumn::Contact, DealColumn::Amount];
        let export = ListExport {
            filter: DealFilter::default(),
            sort: DealSort::CreatedAt,
            descending: true,
            columns,
            custom: Vec::new(),
        };
        let headers =
            ["[field-title]", "[field-contact]", "[field-amount]", "[field-source]", "[deals-field-closed]"];

        let csv =
            exports::write(&t.db, &team.m1, &export, &spec(Format::Csv), Vec::new()).await.expect("csv");
        let rows = read_csv(&csv.out);
        assert_eq!(rows[0], headers, "{}", t.name);
        assert_eq!(
            rows[1],
            ["Окна", "Иванов", "1500,50", "Сайт", ""],
            "{}: an open deal has no closing",
            t.name
        );
        let xlsx =
            exports::write(&t.db, &team.m1, &export, &spec(Format::Xlsx), Vec::new()).await.expect("xlsx");
        let sheet = read_xlsx(xlsx.out);
        assert_eq!(xlsx_texts(&sheet[0], headers.len()), headers, "{}", t.name);
        assert_eq!(sheet[1][2], Data::Float(deal.fields.amount.amount.to_f64().expect("f64")), "{}", t.name);
        // m2 sees none of m1's deals: a header alone.
        let none =
            exports::write(&t.db, &team.m2, &export, &spec(Format::Csv), Vec::new()).await.expect("csv");
        assert_eq!((none.rows, read_csv(&none.out).len()), (0, 1), "{}", t.name);

        let audit = AuditFilter {
            entity: Some("deals".into()),
            action: Some(AuditAction::Export),
            ..Default::default()
        };
        let events = admin::audit_log(&t.db, &team.admin, &audit, None, 10).await.expect("audit").items;
        let filter = events[0].changes.iter().find(|c| c.field == "filter").and_then(|c| c.after.clone());
        assert_eq!(
            filter.as_deref(),
            Some("sort=createdat desc; columns=title,contact,amount,source,closed"),
            "{}: the columns are part of what was exported",
            t.name
        );
        t
    })
    .await;
}

/// m1 wins a deal in roubles and one in dollars and loses two for "Дорого" and one for "Нет
/// бюджета"; m2 keeps an open deal in euros.
async fn summary_deals(db: &Db, team: &Team) {
    let (_, stages) = deals::pipelines_and_stages(db).await.expect("stages");
    let kind = |kind| stages.iter().find(|s| s.kind == kind).expect("stage").id;
    let (won, lost) = (kind(StageKind::Won), kind(StageKind::Lost));
    let plan = [
        (&team.m1, "1000", "", Some((won, ""))),
        (&team.m1, "100", "USD", Some((won, ""))),
        (&team.m1, "5", "", Some((lost, "Дорого"))),
        (&team.m1, "6", "", Some((lost, "Дорого"))),
        (&team.m1, "7", "", Some((lost, "Нет бюджета"))),
        (&team.m2, "50,5", "EUR", None),
    ];
    for (who, amount, currency, close) in plan {
        let input = DealInput {
            title: "Сделка".into(),
            amount: amount.into(),
            currency: currency.into(),
            ..Default::default()
        };
        let id = deals::create(db, who, &input, None, None, None).await.expect("deal").id;
        if let Some((stage, reason)) = close {
            deals::move_stage(db, who, id, stage, reason, None).await.expect("close");
        }
    }
}

#[tokio::test]
async fn the_summary_file_holds_the_other_currencies_and_the_lost_reasons_on_screen() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        summary_deals(&t.db, &team).await;
        let today = now().date_naive();
        let params =
            SummaryParams { from: today - Duration::days(1), to: today + Duration::days(2), group: None };
        let report = reports::summary(&t.db, &team.admin, &params).await.expect("report");
        let csv = exports::summary_report(&t.db, &team.admin, &params, &spec(Format::Csv), Vec::new())
            .await
            .expect("csv");
        let rows = read_csv(&csv.out);
        let column = |key: &str| rows[0].iter().position(|h| *h == label(key)).expect(key);
        let (won_other, reasons, open_other) =
            (column("report-won-other"), column("report-lost-reasons"), column("report-open-other"));
        assert_eq!(
            (
                column("report-won-amount") + 1,
                column("report-lost-count") + 1,
                column("report-open-amount") + 1
            ),
            (won_other, reasons, open_other),
            "{}: each beside the figure it goes with, as on screen",
            t.name
        );
        let line = |name: &str| rows.iter().find(|r| r[0] == name).expect(name).clone();
        let (m1, m2, total) = (line("m1@x.ru"), line("m2@x.ru"), line("[report-total]"));
        assert_eq!(m1[won_other], "100,00\u{a0}$", "{}", t.name);
        assert_eq!(m1[reasons], "Дорого (2), Нет бюджета (1)", "{}", t.name);
        assert_eq!(m2[open_other], "50,50\u{a0}€", "{}", t.name);
        assert_eq!((m2[won_other].as_str(), m2[reasons].as_str()), ("", ""), "{}", t.name);
        assert_eq!(total[open_other], "50,50\u{a0}€", "{}", t.name);
        // The same texts as the service's figures, written as the pages write them.
        let m1_row = report.rows.iter().find(|r| r.user_id == Some(team.m1.user_id())).expect("m1");
        assert_eq!(m1[reasons], exports::lost_reasons(&m1_row.lost_reasons, &label));
        assert_eq!(m1[won_other], exports::other_currencies(&m1_row.won_other, Locale::Ru));
        assert_eq!(exports::other_currencies(&m1_row.won_other, Locale::En), "$100.00");

        let xlsx = exports::summary_report(&t.db, &team.admin, &params, &spec(Format::Xlsx), Vec::new())
            .await
            .expect("xlsx");
        let sheet = read_xlsx(xlsx.out);
        let m1 = sheet.iter().find(|r| r[0] == Data::String("m1@x.ru".into())).expect("m1");
        assert_eq!(m1[won_other], Data::String("100,00\u{a0}$".into()), "{}", t.name);
        assert_eq!(m1[reasons - 1], Data::Float(3.0), "{}: the lost count stays a number", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn the_targets_grid_exports_as_on_screen_with_money_cells() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        summary_deals(&t.db, &team).await;
        let settings = setup::settings(&t.db).await.expect("settings");
        let tz: chrono_tz::Tz = settings.time_zone.parse().expect("zone");
        let this = Month::of(now().with_timezone(&tz).date_naive()).expect("month");
        let next = this.next().expect("next month");
        let (m1, m2) = (team.m1.user_id(), team.m2.user_id());
        targets::set(&t.db, &team.admin, m1, &this.to_string(), "2000").await.expect("target");
        targets::set(&t.db, &team.admin, m2, &next.to_string(), "300,50").await.expect("target");
        let grid = targets::grid(&t.db, &team.admin, this, next).await.expect("grid");

        let xlsx = exports::sales_targets(&t.db, &team.admin, this, next, &spec(Format::Xlsx), Vec::new())
            .await
            .expect("xlsx");
        assert_eq!(xlsx.rows, grid.rows.len() as u64 + 1, "{}: a row per employee and the total", t.name);
        let sheet = read_xlsx(xlsx.out);
        let month = |m: Month| format!("[report-month-{}] {}", m.month(), m.year());
        let mut header = vec!["[report-employee]".to_owned()];
        for m in [this, next] {
            for key in ["report-target", "report-actual", "report-target-percent"] {
                header.push(format!("{}: [{key}]", month(m)));
            }
        }
        assert_eq!(xlsx_texts(&sheet[0], 7), header, "{}", t.name);
        let money = |m: &orbita_domain::validation::Money| Data::Float(m.amount.to_f64().expect("f64"));
        let mut expected: Vec<Vec<Data>> = Vec::new();
        for (name, cells) in grid
            .rows
            .iter()
            .map(|r| (r.name.clone(), &r.cells))
            .chain([("[report-total]".to_owned(), &grid.totals)])
        {
            let mut row = vec![Data::String(name)];
            for cell in cells {
                row.push(cell.target.as_ref().map_or(Data::Empty, money));
                row.push(money(&cell.actual));
                row.push(cell.percent.map_or(Data::Empty, |p| Data::Float(p.to_f64().expect("f64"))));
            }
            expected.push(row);
        }
        let padded: Vec<Vec<Data>> = sheet[1..]
            .iter()
            .map(|r| (0..7).map(|i| r.get(i).cloned().unwrap_or(Data::Empty)).collect())
            .collect();
        assert_eq!(padded, expected, "{}: XLSX = the grid", t.name);
        let m1_row = expected.iter().find(|r| r[0] == Data::String("m1@x.ru".into())).expect("m1");
        assert_eq!(
            (m1_row[1].clone(), m1_row[2].clone()),
            (Data::Float(2000.0), Data::Float(1000.0)),
            "{}",
            t.name
        );
        assert_eq!(m1_row[3], Data::Float(0.5), "{}: half the target, in roubles only", t.name);

        let csv = exports::sales_targets(&t.db, &team.admin, this, next, &spec(Format::Csv), Vec::new())
            .await
            .expect("csv");
        let rows = read_csv(&csv.out);
        assert_eq!(rows[0], header, "{}", t.name);
        let m1 = rows.iter().find(|r| r[0] == "m1@x.ru").expect("m1");
        assert_eq!(m1[1..7], ["2000,00", "1000,00", "50%", "", "0,00", ""], "{}", t.name);
        let m2 = rows.iter().find(|r| r[0] == "m2@x.ru").expect("m2");
        assert_eq!(m2[4..7], ["300,50", "0,00", "0%"], "{}", t.name);
        assert_eq!(rows.last().map(|r| r[0].as_str()), Some("[report-total]"));

        // Managers have no report export; one granted it exports their own row only.
        let refused =
            exports::sales_targets(&t.db, &team.m1, this, next, &spec(Format::Csv), Vec::new()).await;
        assert!(matches!(refused, Err(ExportFailure::App(AppError::Forbidden))), "{}", t.name);
        let mut own = team.m1.clone();
        own.permissions.grant(Area::Reports, Action::Export, Some(Scope::Own));
        let csv = exports::sales_targets(&t.db, &own, this, next, &spec(Format::Csv), Vec::new())
            .await
            .expect("csv");
        let names: Vec<String> = read_csv(&csv.out)[1..].iter().map(|r| r[0].clone()).collect();
        assert_eq!(names, ["m1@x.ru", "[report-total]"], "{}", t.name);
        // A period the grid refuses is refused as the page refuses it.
        let reversed =
            exports::sales_targets(&t.db, &team.admin, next, this, &spec(Format::Csv), Vec::new()).await;
        assert!(matches!(reversed, Err(ExportFailure::App(AppError::Invalid(_)))), "{}", t.name);

        let audit = AuditFilter { action: Some(AuditAction::Export), ..Default::default() };
        let events = admin::audit_log(&t.db, &team.admin, &audit, None, 10).await.expect("audit").items;
        assert_eq!(events.len(), 3, "{}: every completed file, none refused", t.name);
        assert!(events.iter().all(|e| e.entity == "sales_target"), "{}", t.name);
        let filter = events[0].changes.iter().find(|c| c.field == "filter").and_then(|c| c.after.clone());
        assert_eq!(filter, Some(format!("from={this}; to={next}")), "{}", t.name);
        t
    })
    .await;
}

#[test]
fn the_reports_default_periods_are_a_month_and_a_year() {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
    let summary = DefaultPeriod::summary(day(2028, 2, 10));
    assert_eq!((summary.first, summary.last), (day(2028, 2, 1), day(2028, 2, 29)));
    let funnel = DefaultPeriod::funnel(day(2026, 11, 23));
    assert_eq!((funnel.first, funnel.last), (day(2026, 1, 1), day(2026, 12, 31)));
}
