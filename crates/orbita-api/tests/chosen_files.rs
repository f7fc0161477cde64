//! The API's files as the pages' files, on SQLite and PostgreSQL: the companies', contacts'
//! and deals' downloads take the list page's column choice (`cols`), the sales-targets grid
//! downloads, and the funnel's JSON and file default to the funnel page's period (this year).

mod support;

use std::io::Cursor as IoCursor;

use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};
use chrono::{Datelike, NaiveDate, TimeZone};
use orbita_app::{deals, setup};
use orbita_domain::deal::{DealInput, move_to_stage};
use orbita_domain::validation::Currency;
use orbita_domain::{DealId, UserId};
use orbita_storage::{Db, bulk};
use orbita_testkit::on_both;
use serde_json::{Value, json};
use support::{Client, File, org};

fn read_xlsx(file: &File) -> Vec<Vec<String>> {
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(IoCursor::new(file.bytes.clone())).expect("valid xlsx");
    let names = workbook.sheet_names();
    let range = workbook.worksheet_range(&names[0]).expect("sheet");
    let text = |cell: &Data| match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    };
    range.rows().map(|r| r.iter().map(text).collect()).collect()
}

/// A Russian CSV (the organisation's language): `;`-separated, after a byte-order mark.
fn read_csv(file: &File) -> Vec<Vec<String>> {
    assert_eq!(file.status, StatusCode::OK, "{}", String::from_utf8_lossy(&file.bytes));
    let body = file.bytes.strip_prefix(b"\xEF\xBB\xBF").expect("a byte-order mark");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(b';')
        .from_reader(body)
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect()
}

/// Every item of a JSON list (one page is enough for these fixtures).
async fn items(client: &Client, path: &str) -> Vec<Value> {
    let page = client.get(path).await.expect(StatusCode::OK);
    page.body["items"].as_array().expect("items").clone()
}

#[tokio::test]
async fn list_files_hold_the_columns_chosen_as_on_the_page() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let (m1, admin) = (org.manager1(), org.admin());
        for (name, region, inn, kpp) in
            [("Ромашка", "Москва", Some("7707083893"), Some("773601001")), ("Лютик", "Казань", None, None)]
        {
            let body = json!({"name": name, "region": region, "inn": inn, "kpp": kpp});
            let company = m1.post("/api/v1/companies", body).await;
            let id = company.expect(StatusCode::CREATED).id();
            let contact = json!({"last_name": format!("Иванов {name}"), "company_id": id});
            m1.post("/api/v1/contacts", contact).await.expect(StatusCode::CREATED);
            let deal = json!({"title": format!("Окна {name}"), "amount": "1500.50", "company_id": id});
            m1.post("/api/v1/deals", deal).await.expect(StatusCode::CREATED);
        }
        // Chosen out of order: written in the list's order, the name first.
        let path = "/api/v1/companies.csv?sort=name&cols=owner,region";
        let rows = read_csv(&admin.download(path).await);
        assert_eq!(rows[0], ["Название", "Регион", "Ответственный"], "{}", t.name);
        let listed: Vec<Vec<String>> = items(&admin, "/api/v1/companies?sort=name")
            .await
            .iter()
            .map(|c| {
                let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
                vec![text(&c["name"]), text(&c["region"]), "m1@x.ru".to_owned()]
            })
            .collect();
        assert_eq!(rows[1..].to_vec(), listed, "{}: the list's rows in the chosen columns", t.name);
        let sheet = read_xlsx(&admin.download("/api/v1/companies.xlsx?sort=name&cols=owner,region").await);
        assert_eq!(sheet, rows, "{}: the XLSX holds the same", t.name);

        // No choice: the list page's default columns.
        let rows = read_csv(&admin.download("/api/v1/companies.csv").await);
        assert_eq!(
            rows[0],
            ["Название", "ИНН", "КПП", "Регион", "Телефон", "Ответственный", "Изменено"],
            "{}",
            t.name
        );
        let rows = read_csv(&admin.download("/api/v1/contacts.csv?sort=name&cols=company").await);
        assert_eq!(rows[0], ["ФИО", "Компания"], "{}", t.name);
        assert_eq!(rows[1], ["Иванов Лютик", "Лютик"], "{}", t.name);
        let rows = read_csv(&admin.download("/api/v1/deals.csv?sort=title&cols=amount,title,company").await);
        assert_eq!(rows[0], ["Название", "Компания", "Сумма"], "{}", t.name);
        assert_eq!(rows[1..], [["Окна Лютик", "Лютик", "1500,50"], ["Окна Ромашка", "Ромашка", "1500,50"]]);

        // A column the list does not have: a 422 on `cols`, no file.
        let bad =
            admin.get("/api/v1/deals.xlsx?cols=title,inn").await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            (bad.error_fields(), bad.error_codes()),
            (vec!["cols".to_owned()], vec!["unknown-column".to_owned()])
        );
        // The JSON lists take no `cols`: it is the files' parameter only.
        let doc = org.client.anonymous().get("/api/v1/openapi.json").await.body;
        let names = |path: &str| -> Vec<String> {
            doc["paths"][path]["get"]["parameters"]
                .as_array()
                .expect("parameters")
                .iter()
                .filter_map(|p| p["name"].as_str().map(str::to_owned))
                .collect()
        };
        for list in ["companies", "contacts", "deals"] {
            assert!(names(&format!("/api/v1/{list}.xlsx")).contains(&"cols".to_owned()), "{list}");
            assert!(names(&format!("/api/v1/{list}.csv")).contains(&"cols".to_owned()), "{list}");
            assert!(!names(&format!("/api/v1/{list}")).contains(&"cols".to_owned()), "{list}");
        }
        let cols = doc["paths"]["/api/v1/deals.csv"]["get"]["parameters"]
            .as_array()
            .and_then(|p| p.iter().find(|p| p["name"] == "cols"))
            .cloned()
            .expect("cols");
        assert_eq!(
            (cols["style"].as_str(), cols["explode"].as_bool()),
            (Some("form"), Some(false)),
            "{cols}"
        );
        assert!(
            cols["schema"]["items"]["enum"]
                .as_array()
                .is_some_and(|keys| keys.contains(&json!("expected_close")))
        );
        t
    })
    .await;
}

#[tokio::test]
async fn the_sales_targets_grid_downloads_as_its_list_reads() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let admin = org.admin();
        for (user, month, amount) in
            [(org.manager1, "2025-03", "150000"), (org.manager2, "2025-04", "1000.50")]
        {
            let path = format!("/api/v1/sales-targets/{user}/{month}");
            admin.put(&path, json!({"amount": amount})).await.expect(StatusCode::OK);
        }
        let csv = admin.download("/api/v1/sales-targets.csv?from=2025-03&to=2025-04").await;
        assert!(csv.header("content-disposition").starts_with("attachment; filename=\"sales-targets-"));
        let rows = read_csv(&csv);
        assert_eq!(
            rows[0],
            [
                "Сотрудник",
                "мар 2025: План",
                "мар 2025: Факт",
                "мар 2025: % плана",
                "апр 2025: План",
                "апр 2025: Факт",
                "апр 2025: % плана"
            ],
            "{}",
            t.name
        );
        let row = |name: &str| rows.iter().find(|r| r[0] == name).unwrap_or_else(|| panic!("{name}")).clone();
        assert_eq!(row("m1@x.ru")[1..], ["150000,00", "0,00", "0%", "", "0,00", ""], "{}", t.name);
        assert_eq!(row("m2@x.ru")[4..], ["1000,50", "0,00", "0%"], "{}", t.name);
        assert_eq!(row("Итого")[1..5], ["150000,00", "0,00", "0%", "1000,50"], "{}", t.name);

        let xlsx = admin.download("/api/v1/sales-targets.xlsx?from=2025-03&to=2025-04").await;
        assert_eq!(xlsx.status, StatusCode::OK);
        let sheet = read_xlsx(&xlsx);
        assert_eq!(sheet[0], rows[0], "{}", t.name);
        let m1 = sheet.iter().find(|r| r[0] == "m1@x.ru").expect("m1");
        assert_eq!(m1[1], "150000", "{}: the target is a number in the sheet", t.name);

        // The list's query: `from` alone is that one month; a bad month is a 422.
        let one = read_csv(&admin.download("/api/v1/sales-targets.csv?from=2025-04").await);
        assert_eq!(one[0].len(), 4, "{}", t.name);
        let bad = admin.get("/api/v1/sales-targets.xlsx?from=2025-3").await;
        assert_eq!(bad.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["from"]);
        // Managers have no report export.
        org.manager1().get("/api/v1/sales-targets.csv").await.expect(StatusCode::FORBIDDEN);
        t
    })
    .await;
}

/// An open deal of `owner` created on `day` (noon, Moscow): the services create deals now.
async fn deal_created_on(db: &Db, owner: UserId, day: NaiveDate) {
    let (pipelines, stages) = deals::pipelines_and_stages(db).await.expect("stages");
    let pipeline = pipelines.iter().find(|p| p.is_default).expect("default pipeline");
    let first = stages.iter().find(|s| s.pipeline_id == pipeline.id).expect("first stage");
    let fields = DealInput { title: "Давняя".into(), amount: "1".into(), ..Default::default() }
        .validate(&Currency::RUB)
        .expect("deal");
    let at = chrono_tz::Europe::Moscow
        .from_local_datetime(&day.and_hms_opt(12, 0, 0).expect("noon"))
        .single()
        .expect("time")
        .to_utc();
    let to = move_to_stage(first, "", at).expect("stage");
    let id = DealId(bulk::next_id(db, "deals").await.expect("id"));
    let mut tx = db.begin().await.expect("begin");
    let path = orbita_storage::deals::LoadedPath { furthest_position: 0, entered_at: at };
    let row = orbita_storage::deals::bulk_row(id, &fields, pipeline.id, &to, owner, at, path);
    bulk::insert_rows(&mut tx, "deals", vec![row]).await.expect("deal");
    let history = orbita_storage::deals::bulk_stage_change_row(id, None, first.id, owner, at);
    bulk::insert_rows(&mut tx, "deal_stage_changes", vec![history]).await.expect("history");
    bulk::sync_id_sequence(&mut tx, "deals").await.expect("sequence");
    bulk::sync_id_sequence(&mut tx, "deal_stage_changes").await.expect("sequence");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn the_funnel_defaults_to_this_year_as_its_page() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let admin = org.admin();
        let settings = setup::settings(&t.db).await.expect("settings");
        let tz: chrono_tz::Tz = settings.time_zone.parse().expect("zone");
        let today = orbita_domain::now().with_timezone(&tz).date_naive();
        let (first, last) = (
            NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("date"),
            NaiveDate::from_ymd_opt(today.year(), 12, 31).expect("date"),
        );
        // A deal of this year outside this month, and one of this month.
        let elsewhere = if today.month() == 1 { last } else { first };
        deal_created_on(&t.db, org.manager1, elsewhere).await;
        deal_created_on(&t.db, org.manager1, today).await;
        let pipeline = items(&admin, "/api/v1/pipelines")
            .await
            .iter()
            .find(|p| p["is_default"] == json!(true))
            .expect("default")["id"]
            .clone();

        let funnel = admin
            .get(&format!("/api/v1/reports/funnel?pipeline_id={pipeline}"))
            .await
            .expect(StatusCode::OK)
            .body;
        assert_eq!(
            (funnel["from"].clone(), funnel["to"].clone()),
            (json!(first.to_string()), json!(last.to_string())),
            "{}",
            t.name
        );
        assert_eq!(funnel["deals"], 2, "{}: both deals of the year", t.name);

        let file = |period: &str| {
            let admin = admin.clone();
            let path = format!("/api/v1/reports/funnel.csv?pipeline_id={pipeline}{period}");
            async move { read_csv(&admin.download(&path).await) }
        };
        let default = file("").await;
        let year = file(&format!("&from={first}&to={last}")).await;
        let month_start = today.with_day(1).expect("first of the month");
        let month = file(&format!("&from={month_start}&to={today}")).await;
        assert_eq!(default, year, "{}: the file's default period is the year", t.name);
        assert_ne!(default, month, "{}: not the month", t.name);
        assert_eq!(default.last().map(|r| r[1].as_str()), Some("2"), "{}: the total of the cohort", t.name);
        t
    })
    .await;
}
