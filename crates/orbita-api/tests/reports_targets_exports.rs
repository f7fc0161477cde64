//! Sales targets, the reports and the file downloads through the API, on SQLite and PostgreSQL:
//! a head of sales sets their team's targets and a manager may not; the summary report counts
//! won deals against the targets to the kopeck, month by month in the organisation's time
//! zone; a download holds exactly the rows of the list the same caller sees, only theirs, with
//! formula-like text neutralised, and is audited; it is written in the caller's language
//! (their own, else the organisation's), as the web writes it for them.

mod support;

use std::io::Cursor as IoCursor;

use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};
use chrono::{DateTime, Utc};
use orbita_app::{Access, admin, deals};
use orbita_domain::audit::AuditAction;
use orbita_domain::org::Locale;
use orbita_domain::pipeline::{Stage, StageKind};
use orbita_domain::{DealId, GroupId, UserId, now};
use orbita_storage::Db;
use orbita_storage::audit::AuditFilter;
use orbita_storage::users::UserChanges;
use orbita_testkit::on_both;
use serde_json::{Value, json};
use support::{Client, File, Org, org, person, token_for};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The API's organisation plus a head of sales: the head and manager 1 in team A, manager 2
/// in team B.
struct Team {
    org: Org,
    head: UserId,
    head_token: String,
    /// Manager 2's group: outside the head's scope.
    group_b: GroupId,
}

impl Team {
    fn head(&self) -> Client {
        self.org.client.as_token(&self.head_token)
    }
}

async fn team(db: &Db) -> Team {
    let org = org(db).await;
    let head = person(db, "head@x.ru", "head_of_sales").await;
    let mut tx = db.begin().await.expect("begin");
    let a = orbita_storage::users::insert_group(&mut tx, "Team A", now()).await.expect("group");
    let b = orbita_storage::users::insert_group(&mut tx, "Team B", now()).await.expect("group");
    for (group, user) in [(a, head), (a, org.manager1), (b, org.manager2)] {
        orbita_storage::users::add_to_group(&mut tx, group, user, now()).await.expect("member");
    }
    tx.commit().await.expect("commit");
    Team { head_token: token_for(db, "head@x.ru").await, head, org, group_b: b }
}

fn target_path(user: UserId, month: &str) -> String {
    format!("/api/v1/sales-targets/{user}/{month}")
}

#[tokio::test]
async fn a_head_sets_their_teams_targets_and_a_manager_may_not() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        let (head, m1) = (team.head(), team.org.manager1());
        let path = target_path(team.org.manager1, "2025-03");

        let set = head.put(&path, json!({"amount": "150000.00"})).await.expect(StatusCode::OK);
        assert_eq!(
            set.body,
            json!({"user_id": team.org.manager1.0, "user_name": "m1@x.ru", "month": "2025-03",
                   "amount": "150000.00", "currency": "RUB", "won_amount": "0.00", "target_percent": "0.00"})
        );
        let read = head.get(&path).await.expect(StatusCode::OK);
        assert_eq!(read.body, set.body);
        // A new amount replaces the old one; the Russian way of typing it is read too.
        let changed = head.put(&path, json!({"amount": "175 000,50"})).await.expect(StatusCode::OK);
        assert_eq!(changed.body["amount"], "175000.50");
        assert_eq!(head.get(&path).await.body["amount"], "175000.50");

        // The manager reads their own target, but may not set it; nor may the head set the
        // target of another team's manager.
        assert_eq!(m1.get(&path).await.expect(StatusCode::OK).body["amount"], "175000.50");
        m1.put(&path, json!({"amount": "1.00"})).await.expect(StatusCode::FORBIDDEN);
        let other = target_path(team.org.manager2, "2025-03");
        head.put(&other, json!({"amount": "1.00"})).await.expect(StatusCode::FORBIDDEN);
        team.org.manager2().get(&path).await.expect(StatusCode::NOT_FOUND);
        team.org.admin().put(&other, json!({"amount": "90000"})).await.expect(StatusCode::OK);
        assert_eq!(head.get(&path).await.body["amount"], "175000.50", "unchanged by the refusals");

        // The list: what the caller may see, employee by employee, month by month.
        let april = target_path(team.org.manager1, "2025-04");
        head.put(&april, json!({"amount": "100000"})).await.expect(StatusCode::OK);
        let listed = head.get("/api/v1/sales-targets?from=2025-03&to=2025-04").await.expect(StatusCode::OK);
        let items: Vec<(i64, String, String)> = listed.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| (i["user_id"].as_i64().expect("id"), i["month"].to_string(), i["amount"].to_string()))
            .collect();
        let m1_id = team.org.manager1.0;
        assert_eq!(
            items,
            [
                (m1_id, "\"2025-03\"".to_owned(), "\"175000.50\"".to_owned()),
                (m1_id, "\"2025-04\"".to_owned(), "\"100000.00\"".to_owned())
            ],
            "the head's team only"
        );
        let everyone = team.org.admin().get("/api/v1/sales-targets?from=2025-03&to=2025-04").await;
        assert_eq!(everyone.expect(StatusCode::OK).body["items"].as_array().map(Vec::len), Some(3));
        let one_month = head.get("/api/v1/sales-targets?from=2025-04").await.expect(StatusCode::OK);
        assert_eq!(one_month.body["items"].as_array().map(Vec::len), Some(1));
        head.get("/api/v1/sales-targets").await.expect(StatusCode::OK);

        // Refusals: field by field, never a 500.
        let bad_month = head.put(&target_path(team.org.manager1, "2025-13"), json!({"amount": "1"})).await;
        assert_eq!(bad_month.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["month"]);
        let both = head.put(&target_path(team.org.manager1, "03.2025"), json!({"amount": "1,234.5"})).await;
        assert_eq!(both.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["month", "amount"]);
        for (amount, code) in [
            (json!("-5"), "amount-negative"),
            (json!("1.234"), "amount-precision"),
            (json!("lots"), "amount-format"),
            (json!(150000), "invalid-type"),
        ] {
            let refused = head.put(&path, json!({ "amount": amount })).await;
            let refused = refused.expect(StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(
                (refused.error_fields(), refused.error_codes()),
                (vec!["amount".into()], vec![code.into()])
            );
        }
        let missing = head.put(&path, json!({})).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(missing.error_codes(), ["required"]);
        let admin = team.org.admin();
        admin
            .put(&target_path(UserId(999_999), "2025-03"), json!({"amount": "1"}))
            .await
            .expect(StatusCode::NOT_FOUND);
        admin
            .put("/api/v1/sales-targets/abc/2025-03", json!({"amount": "1"}))
            .await
            .expect(StatusCode::BAD_REQUEST);
        admin.get("/api/v1/sales-targets/abc/2025-03").await.expect(StatusCode::BAD_REQUEST);
        admin.get(&target_path(team.org.manager1, "2025-05")).await.expect(StatusCode::NOT_FOUND);
        let bad = admin.get(&target_path(team.org.manager1, "2025-5")).await;
        assert_eq!(bad.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["month"]);
        let bad = admin.get("/api/v1/sales-targets?from=2025-3&to=x").await;
        assert_eq!(bad.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["from", "to"]);
        let reversed = admin.get("/api/v1/sales-targets?from=2025-04&to=2025-03").await;
        assert_eq!(reversed.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["to"]);
        let long = admin.get("/api/v1/sales-targets?from=2020-01&to=2025-01").await;
        assert_eq!(long.expect(StatusCode::UNPROCESSABLE_ENTITY).error_codes(), ["period-too-long"]);

        // Every change is in the audit log, the refusals are not.
        let access = Access::load(&t.db, team.org.admin, None).await.expect("access");
        let filter = AuditFilter { entity: Some("sales_target".into()), ..AuditFilter::default() };
        let events = admin::audit_log(&t.db, &access, &filter, None, 50).await.expect("audit").items;
        assert_eq!(events.len(), 4, "created, changed, another's created, April created");
        let _ = team.head;
        t
    })
    .await;
}

/// The default pipeline's stage of `kind`.
async fn stage(db: &Db, kind: StageKind) -> Stage {
    let (pipelines, stages) = deals::pipelines_and_stages(db).await.expect("stages");
    let pipeline = pipelines.iter().find(|p| p.is_default).expect("default pipeline");
    stages.into_iter().find(|s| s.pipeline_id == pipeline.id && s.kind == kind).expect("stage")
}

/// A deal of the client's user, closed at `at` as won or lost (as the board would have done
/// then: the service closes deals now, so the move is stored with that time).
async fn closed_deal(db: &Db, client: &Client, amount: &str, kind: StageKind, at: &str) -> i64 {
    let created =
        client.post("/api/v1/deals", json!({"title": format!("Сделка на {amount}"), "amount": amount})).await;
    let id = created.expect(StatusCode::CREATED).id();
    let at: DateTime<Utc> = at.parse().expect("time");
    let stage = stage(db, kind).await;
    let deal = orbita_storage::deals::get(db, DealId(id)).await.expect("deal");
    let to = orbita_domain::deal::move_to_stage(&stage, "Дорого", at).expect("move");
    let mut tx = db.begin().await.expect("begin");
    orbita_storage::deals::move_stage(&mut tx, &deal, &to, Some(deal.owner_id), at).await.expect("moved");
    tx.commit().await.expect("commit");
    id
}

/// The row of `user` (`None`: the total) of a summary report.
fn row(report: &Value, user: Option<UserId>) -> Value {
    match user {
        None => report["total"].clone(),
        Some(user) => report["rows"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["user_id"] == json!(user.0)))
            .cloned()
            .unwrap_or_else(|| panic!("no row of user {user} in {report}")),
    }
}

/// `won_amount`, `target_amount`, `target_percent` of a row.
fn won_and_target(row: &Value) -> (Value, Value, Value) {
    (row["won_amount"].clone(), row["target_amount"].clone(), row["target_percent"].clone())
}

#[tokio::test]
async fn the_summary_counts_won_deals_against_targets_to_the_kopeck() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        let (m1, m2, admin) = (team.org.manager1(), team.org.manager2(), team.org.admin());
        let (u1, u2) = (team.org.manager1, team.org.manager2);
        // March 2025 (Moscow time): m1 wins two deals, m2 one; April: m1 wins one at 01:30 on
        // the 1st in Moscow (still 31 March in UTC) and one later; m2 loses one.
        closed_deal(&t.db, &m1, "120000.00", StageKind::Won, "2025-03-10T09:00:00Z").await;
        closed_deal(&t.db, &m1, "30000.50", StageKind::Won, "2025-03-20T12:00:00Z").await;
        closed_deal(&t.db, &m2, "50000.00", StageKind::Won, "2025-03-05T08:00:00Z").await;
        closed_deal(&t.db, &m1, "1000.00", StageKind::Won, "2025-03-31T22:30:00Z").await;
        closed_deal(&t.db, &m1, "33333.33", StageKind::Won, "2025-04-15T10:00:00Z").await;
        closed_deal(&t.db, &m2, "7777.77", StageKind::Lost, "2025-04-02T10:00:00Z").await;
        for (user, month, amount) in
            [(u1, "2025-03", "150000.00"), (u1, "2025-04", "100000.00"), (u2, "2025-03", "40000.00")]
        {
            admin.put(&target_path(user, month), json!({ "amount": amount })).await.expect(StatusCode::OK);
        }

        let march = admin.get("/api/v1/reports/summary?from=2025-03-01&to=2025-03-31").await;
        let march = march.expect(StatusCode::OK).body;
        assert_eq!((march["from"].clone(), march["to"].clone()), (json!("2025-03-01"), json!("2025-03-31")));
        assert_eq!(march["currency"], "RUB");
        assert_eq!(march["target_months"], json!(["2025-03"]));
        // 150 000,50 of 150 000,00 is 100.0003 %: 100.00.
        assert_eq!(
            won_and_target(&row(&march, Some(u1))),
            (json!("150000.50"), json!("150000.00"), json!("100.00"))
        );
        assert_eq!(row(&march, Some(u1))["won_count"], 2);
        assert_eq!(row(&march, Some(u1))["average_won"], "75000.25");
        assert_eq!(
            won_and_target(&row(&march, Some(u2))),
            (json!("50000.00"), json!("40000.00"), json!("125.00"))
        );
        // 200 000,50 of 190 000,00 is 105.2634 %.
        assert_eq!(
            won_and_target(&row(&march, None)),
            (json!("200000.50"), json!("190000.00"), json!("105.26"))
        );
        assert_eq!(row(&march, None)["user_id"], Value::Null);
        assert_eq!(row(&march, None)["won_count"], 3);

        let april = admin.get("/api/v1/reports/summary?from=2025-04-01&to=2025-04-30").await;
        let april = april.expect(StatusCode::OK).body;
        // 34 333,33 of 100 000,00.
        assert_eq!(
            won_and_target(&row(&april, Some(u1))),
            (json!("34333.33"), json!("100000.00"), json!("34.33"))
        );
        assert_eq!(won_and_target(&row(&april, Some(u2))), (json!("0.00"), Value::Null, Value::Null));
        let m2_april = row(&april, Some(u2));
        assert_eq!(
            (m2_april["lost_count"].clone(), m2_april["conversion"].clone()),
            (json!(1), json!("0.00"))
        );
        assert_eq!(m2_april["lost_reasons"], json!([{"reason": "Дорого", "count": 1}]));

        // Both months: the targets of both add up. 184 333,83 of 250 000,00 is 73.7335 %.
        let both = admin.get("/api/v1/reports/summary?from=2025-03-01&to=2025-04-30").await;
        let both = both.expect(StatusCode::OK).body;
        assert_eq!(both["target_months"], json!(["2025-03", "2025-04"]));
        assert_eq!(
            won_and_target(&row(&both, Some(u1))),
            (json!("184333.83"), json!("250000.00"), json!("73.73"))
        );
        assert_eq!(
            won_and_target(&row(&both, None)),
            (json!("234333.83"), json!("290000.00"), json!("80.80"))
        );

        // The head sees their team; a manager, themselves; a group narrows the rows.
        let by_head = team.head().get("/api/v1/reports/summary?from=2025-03-01&to=2025-03-31").await;
        let by_head = by_head.expect(StatusCode::OK).body;
        let users = |report: &Value| -> Vec<i64> {
            report["rows"].as_array().expect("rows").iter().filter_map(|r| r["user_id"].as_i64()).collect()
        };
        assert!(users(&by_head).contains(&u1.0) && !users(&by_head).contains(&u2.0));
        assert_eq!(won_and_target(&row(&by_head, None)).0, json!("150000.50"));
        let own = m2.get("/api/v1/reports/summary?from=2025-03-01&to=2025-03-31").await;
        assert_eq!(users(&own.expect(StatusCode::OK).body), [u2.0]);

        // The period: this month by default; refused field by field.
        let default = admin.get("/api/v1/reports/summary").await.expect(StatusCode::OK);
        assert!(default.body["from"].as_str().is_some_and(|d| d.ends_with("-01")));
        let bad = admin.get("/api/v1/reports/summary?from=2025-02-30&to=31.03.2025").await;
        assert_eq!(bad.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["from", "to"]);
        let reversed = admin.get("/api/v1/reports/summary?from=2025-03-02&to=2025-03-01").await;
        assert_eq!(reversed.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["to"]);
        admin.get("/api/v1/reports/summary?group_id=x").await.expect(StatusCode::BAD_REQUEST);
        let nobody = admin.get("/api/v1/reports/summary?group_id=999999").await.expect(StatusCode::OK);
        assert_eq!(nobody.body["rows"], json!([]));

        // The report's file: a row per employee and the total, the same figures.
        let csv = admin.download("/api/v1/reports/summary.csv?from=2025-03-01&to=2025-03-31").await;
        assert_eq!(csv.status, StatusCode::OK);
        let rows = read_csv(&csv);
        assert_eq!(rows.len(), march["rows"].as_array().map_or(0, Vec::len) + 2, "header, employees, total");
        // In the organisation's language (the administrator chose none): Russian, `,` decimals.
        let column = |name: &str| rows[0].iter().position(|h| h == name).expect(name);
        let last = &rows[rows.len() - 1];
        assert_eq!(last[0], "Итого");
        assert_eq!(
            (last[column("Выиграно, сумма")].as_str(), last[column("План")].as_str()),
            ("200000,50", "190000,00")
        );
        assert_eq!(last[column("% плана")], "105,26%");
        // A manager has no right to export reports.
        m1.get("/api/v1/reports/summary.xlsx").await.expect(StatusCode::FORBIDDEN);

        // The funnel of the default pipeline: the deals created this month.
        let pipeline = stage(&t.db, StageKind::Won).await.pipeline_id;
        let funnel = admin.get(&format!("/api/v1/reports/funnel?pipeline_id={pipeline}")).await;
        let funnel = funnel.expect(StatusCode::OK).body;
        assert_eq!(
            (funnel["deals"].clone(), funnel["won"].clone(), funnel["lost"].clone()),
            (json!(6), json!(5), json!(1))
        );
        assert_eq!(funnel["stages"][0]["reached"], 6);
        admin.get("/api/v1/reports/funnel?pipeline_id=999999").await.expect(StatusCode::NOT_FOUND);
        admin.get("/api/v1/reports/funnel").await.expect(StatusCode::BAD_REQUEST);
        t
    })
    .await;
}

fn read_xlsx(file: &File) -> Vec<Vec<Data>> {
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(IoCursor::new(file.bytes.clone())).expect("valid xlsx");
    let names = workbook.sheet_names();
    let range = workbook.worksheet_range(&names[0]).expect("sheet");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// Every record of a UTF-8 CSV with a byte-order mark, header first, as Russian Excel reads
/// it: separated by `;` (the test organisation's language is Russian).
fn read_csv(file: &File) -> Vec<Vec<String>> {
    read_csv_with(file, b';')
}

fn read_csv_with(file: &File, delimiter: u8) -> Vec<Vec<String>> {
    let body = file.bytes.strip_prefix(b"\xEF\xBB\xBF").expect("a byte-order mark");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(body)
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect()
}

/// Text as a download writes it: a leading `'` before what a spreadsheet would compute.
fn neutralised(text: &str) -> String {
    orbita_export::neutralise(text).into_owned()
}

/// Every item of a list, through its pages.
async fn every(client: &Client, path: &str) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut url = format!("{path}{sep}limit=2");
    loop {
        let page = client.get(&url).await.expect(StatusCode::OK);
        items.extend(page.body["items"].as_array().expect("items").iter().cloned());
        match page.body["next_cursor"].as_str() {
            Some(cursor) => url = format!("{path}{sep}limit=2&cursor={cursor}"),
            None => return items,
        }
    }
}

/// A company of the list as its download's row: name, INN, KPP, region, phones, owner.
/// A company as a download's row: `csv` text neutralised with `'`; XLSX as typed (finding 8).
fn company_row(company: &Value, names: &[(i64, &str)], csv: bool) -> Vec<String> {
    let neutralised = |s: &str| if csv { neutralised(s) } else { s.to_owned() };
    let text = |v: &Value| v.as_str().map(neutralised).unwrap_or_default();
    let phones: Vec<&str> =
        company["phones"].as_array().expect("phones").iter().filter_map(Value::as_str).collect();
    let owner = names.iter().find(|(id, _)| company["owner_id"] == json!(id)).map_or("", |(_, n)| n);
    vec![
        text(&company["name"]),
        text(&company["inn"]),
        text(&company["kpp"]),
        text(&company["region"]),
        neutralised(&phones.join(", ")),
        owner.to_owned(),
    ]
}

/// The same columns of a download's row (headers in the organisation's language, Russian).
fn file_row(header: &[String], row: &[String]) -> Vec<String> {
    ["Название", "ИНН", "КПП", "Регион", "Телефон", "Ответственный"]
        .iter()
        .map(|name| row[header.iter().position(|h| h == name).expect(name)].clone())
        .collect()
}

#[tokio::test]
async fn companies_download_as_the_list_shows_them_and_only_the_callers() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let (m1, m2, admin) = (org.manager1(), org.manager2(), org.admin());
        for (client, body) in [
            (&m1, json!({"name": "ПАО Сбербанк", "inn": "7707083893", "kpp": "773601001", "phones": ["8 (495) 500-55-50"], "region": "Москва"})),
            (&m1, json!({"name": "=1+2", "region": "@SUM(A1)"})),
            (&m1, json!({"name": "Ромашка, \"Север\"", "region": "Санкт-Петербург"})),
            (&m2, json!({"name": "Ромашка Юг", "region": "-Краснодар"})),
            (&m2, json!({"name": "Лютик"})),
        ] {
            client.post("/api/v1/companies", body).await.expect(StatusCode::CREATED);
        }
        let names = [(org.manager1.0, "m1@x.ru"), (org.manager2.0, "m2@x.ru")];

        // The administrator: the whole list, in its sort, row by row.
        for query in ["sort=-name", "q=%D0%A0%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0&sort=name", "owner_id=0"] {
            let listed = every(&admin, &format!("/api/v1/companies?{query}")).await;
            let expected: Vec<Vec<String>> = listed.iter().map(|c| company_row(c, &names, false)).collect();

            let xlsx = admin.download(&format!("/api/v1/companies.xlsx?{query}&limit=1")).await;
            assert_eq!(xlsx.status, StatusCode::OK, "{query}");
            assert_eq!(xlsx.header("content-type"), XLSX);
            let disposition = xlsx.header("content-disposition");
            assert!(disposition.starts_with("attachment; filename=\"companies-") && disposition.ends_with(".xlsx\""));
            let sheet: Vec<Vec<String>> = read_xlsx(&xlsx).iter().map(|r| r.iter().map(text).collect()).collect();
            let header = &sheet[0];
            let rows: Vec<Vec<String>> = sheet[1..].iter().map(|r| file_row(header, r)).collect();
            assert_eq!(rows, expected, "XLSX of {query}: the list's rows in its order");

            let csv = admin.download(&format!("/api/v1/companies.csv?{query}")).await;
            assert_eq!(csv.status, StatusCode::OK);
            assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
            assert!(csv.header("content-disposition").ends_with(".csv\""));
            assert_eq!(csv.header("content-length"), csv.bytes.len().to_string());
            let records = read_csv(&csv);
            let header = &records[0];
            assert_eq!(header[..3], ["Название", "ИНН", "КПП"]);
            let rows: Vec<Vec<String>> = records[1..].iter().map(|r| file_row(header, r)).collect();
            let expected: Vec<Vec<String>> = listed.iter().map(|c| company_row(c, &names, true)).collect();
            assert_eq!(rows, expected, "CSV of {query}");
        }
        // Formula-like text comes out neutralised, in both formats: `'` in CSV only.
        let csv = read_csv(&admin.download("/api/v1/companies.csv?sort=name").await);
        assert!(csv.iter().any(|r| r[0] == "'=1+2" && r.contains(&"'@SUM(A1)".to_owned())), "{csv:?}");
        assert!(csv.iter().any(|r| r[0] == "Ромашка, \"Север\""), "quoted, not split");
        assert!(!csv.iter().flatten().any(|cell| cell.starts_with('=') || cell.starts_with('@')));
        let sheet = read_xlsx(&admin.download("/api/v1/companies.xlsx").await);
        // XLSX: a text cell with Excel's quote prefix, no literal `'` (finding 8).
        assert!(sheet.iter().any(|r| text(&r[0]) == "=1+2"));

        // A manager's download holds their own companies only: what their list shows.
        let mine = every(&m2, "/api/v1/companies?sort=name").await;
        assert_eq!(mine.len(), 2);
        let records = read_csv(&m2.download("/api/v1/companies.csv?sort=name").await);
        let rows: Vec<Vec<String>> = records[1..].iter().map(|r| file_row(&records[0], r)).collect();
        assert_eq!(rows, mine.iter().map(|c| company_row(c, &names, true)).collect::<Vec<_>>());
        assert!(rows.iter().all(|r| r[5] == "m2@x.ru"));
        let sheet = read_xlsx(&m1.download("/api/v1/companies.xlsx?owner_id=").await);
        assert_eq!(sheet.len(), 4, "m1's header and three companies");

        // Someone without the export right; a bad parameter: a problem document, no file.
        let refused = org.reader().get("/api/v1/companies.xlsx").await.expect(StatusCode::FORBIDDEN);
        assert_eq!(refused.body["type"], "urn:orbita:problem:forbidden");
        let bad = admin.get("/api/v1/companies.csv?sort=inn").await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.error_fields(), ["sort"]);
        let bad = admin.get("/api/v1/companies.xlsx?created_from=yesterday").await;
        bad.expect(StatusCode::BAD_REQUEST);

        // The files' routes and the records' do not clash.
        let first = every(&admin, "/api/v1/companies").await[0]["id"].as_i64().expect("id");
        admin.get(&format!("/api/v1/companies/{first}")).await.expect(StatusCode::OK);
        admin.get(&format!("/api/v1/companies/{first}.xlsx")).await.expect(StatusCode::BAD_REQUEST);
        let unknown = admin.get("/api/v1/companies.json").await.expect(StatusCode::NOT_FOUND);
        assert_eq!(unknown.body["type"], "urn:orbita:problem:no-such-path");
        admin.send(axum::http::Method::POST, "/api/v1/companies.csv", Some(&json!({})), &[]).await
            .expect(StatusCode::METHOD_NOT_ALLOWED);

        // Every download is audited with its filter and row count; a refused one is not.
        let access = Access::load(&t.db, org.admin, None).await.expect("access");
        let filter = AuditFilter { action: Some(AuditAction::Export), ..AuditFilter::default() };
        let events = admin::audit_log(&t.db, &access, &filter, None, 100).await.expect("audit").items;
        assert_eq!(events.len(), 10, "six by the administrator in the loop, two after it, two by managers");
        let by_m2 = events.iter().find(|e| e.actor_id == Some(org.manager2)).expect("m2's download");
        assert_eq!(by_m2.entity, "companies");
        assert!(by_m2.changes.iter().any(|c| c.field == "rows" && c.after.as_deref() == Some("2")));
        assert!(by_m2.changes.iter().any(|c| c.field == "format" && c.after.as_deref() == Some("csv")));
        t
    })
    .await;
}

#[tokio::test]
async fn every_list_downloads_with_its_own_filters() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let (m1, admin) = (org.manager1(), org.admin());
        let company =
            m1.post("/api/v1/companies", json!({"name": "Ромашка"})).await.expect(StatusCode::CREATED).id();
        m1.post(
            "/api/v1/contacts",
            json!({"last_name": "Иванов", "first_name": "=cmd", "company_id": company}),
        )
        .await
        .expect(StatusCode::CREATED);
        m1.post("/api/v1/deals", json!({"title": "Окна", "amount": "1500.50", "company_id": company}))
            .await
            .expect(StatusCode::CREATED);
        m1.post("/api/v1/tasks", json!({"title": "Позвонить", "company_id": company}))
            .await
            .expect(StatusCode::CREATED);
        m1.post("/api/v1/activities", json!({"kind": "call", "subject": "+7 звонок", "company_id": company}))
            .await
            .expect(StatusCode::CREATED);

        for (path, list, first_header) in [
            ("/api/v1/contacts.csv?sort=-name", "/api/v1/contacts?sort=-name", "ФИО"),
            ("/api/v1/deals.csv?status=open", "/api/v1/deals?status=open", "Название"),
            ("/api/v1/tasks.csv?done=false", "/api/v1/tasks?done=false", "Название"),
            ("/api/v1/activities.csv?kind=call", "/api/v1/activities?kind=call", "Дата и время"),
        ] {
            let file = admin.download(path).await;
            assert_eq!(file.status, StatusCode::OK, "{path}");
            let records = read_csv(&file);
            assert_eq!(records[0][0], first_header, "{path}");
            assert_eq!(records.len() - 1, every(&admin, list).await.len(), "{path}: the list's rows");
        }
        let deals = read_csv(&admin.download("/api/v1/deals.csv").await);
        let column = |name: &str| deals[0].iter().position(|h| h == name).expect(name);
        assert_eq!(
            (
                deals[1][column("Сумма")].as_str(),
                deals[1][column("Статус")].as_str(),
                deals[1][column("Компания")].as_str()
            ),
            ("1500,50", "В работе", "Ромашка")
        );
        let contacts = read_csv(&admin.download("/api/v1/contacts.csv").await);
        assert_eq!(contacts[1][0], "Иванов =cmd", "not a formula: it does not start with =");
        let activities = read_csv(&admin.download("/api/v1/activities.csv").await);
        assert!(activities[1].contains(&"'+7 звонок".to_owned()));
        for path in [
            "/api/v1/contacts.xlsx",
            "/api/v1/deals.xlsx?sort=-amount",
            "/api/v1/tasks.xlsx",
            "/api/v1/activities.xlsx",
            "/api/v1/reports/summary.xlsx?from=2025-01-01&to=2025-12-31",
        ] {
            let file = admin.download(path).await;
            assert_eq!((file.status, file.header("content-type")), (StatusCode::OK, XLSX), "{path}");
            assert!(read_xlsx(&file).len() >= 2, "{path}");
        }
        // The lists' own refusals hold for their files.
        admin.get("/api/v1/tasks.csv?sort=-due_at").await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        admin.get("/api/v1/activities.xlsx?kind=visit").await.expect(StatusCode::BAD_REQUEST);
        admin.get("/api/v1/deals.xlsx?closed_from=0000-01-01T00:00:00Z").await;
        org.reader().get("/api/v1/deals.csv").await.expect(StatusCode::FORBIDDEN);
        t
    })
    .await;
}

/// Sets a person's language as an administrator's edit of the user would.
async fn speak(db: &Db, id: UserId, locale: Option<Locale>) {
    let user = orbita_storage::users::get(db, id).await.expect("user");
    let changes = UserChanges {
        email: &user.email,
        name: &user.name,
        role_id: user.role_id,
        is_active: user.is_active,
        locale,
    };
    let mut tx = db.begin().await.expect("begin");
    orbita_storage::users::update(&mut tx, id, &changes, now()).await.expect("update");
    tx.commit().await.expect("commit");
}

/// The columns named `names` (by the header row) of every data row of a CSV or XLSX file.
fn columns(records: &[Vec<String>], names: &[&str]) -> Vec<Vec<String>> {
    let at: Vec<usize> = names
        .iter()
        .map(|n| records[0].iter().position(|h| h == n).unwrap_or_else(|| panic!("{n} in {:?}", records[0])))
        .collect();
    records[1..].iter().map(|r| at.iter().map(|i| r[*i].clone()).collect()).collect()
}

#[tokio::test]
async fn files_speak_the_callers_language() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let (m1, m2, admin) = (org.manager1(), org.manager2(), org.admin());
        // The administrator's company, hidden from the managers; a deal of each manager on it:
        // a manager's file names the company by number only, as their screen does.
        let company =
            admin.post("/api/v1/companies", json!({"name": "Тайна"})).await.expect(StatusCode::CREATED).id();
        for owner in [org.manager1, org.manager2] {
            let deal =
                json!({"title": "Окна", "amount": "1500.50", "company_id": company, "owner_id": owner});
            admin.post("/api/v1/deals", deal).await.expect(StatusCode::CREATED);
        }
        speak(&t.db, org.manager1, Some(Locale::En)).await;

        // Manager 2 chose no language: the organisation's, Russian. `;`-separated, `,` decimals.
        let csv = m2.download("/api/v1/deals.csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        let raw = String::from_utf8(csv.bytes.clone()).expect("UTF-8");
        assert!(raw.trim_start_matches('\u{feff}').starts_with("Название;Компания;"), "{raw}");
        let ru = read_csv_with(&csv, b';');
        let expected_ru = vec![vec![
            "Окна".to_owned(),
            format!("Компания № {company}"),
            "В работе".into(),
            "1500,50".into(),
        ]];
        assert_eq!(columns(&ru, &["Название", "Компания", "Статус", "Сумма"]), expected_ru);

        // Manager 1 reads English: `,`-separated, `.` decimals, English words.
        let csv = m1.download("/api/v1/deals.csv").await;
        let raw = String::from_utf8(csv.bytes.clone()).expect("UTF-8");
        assert!(raw.trim_start_matches('\u{feff}').starts_with("Title,Company,"), "{raw}");
        let en = read_csv_with(&csv, b',');
        let expected_en =
            vec![vec!["Окна".to_owned(), format!("Company #{company}"), "Open".into(), "1500.50".into()]];
        assert_eq!(columns(&en, &["Title", "Company", "Status", "Amount"]), expected_en);

        // The workbooks too: the sheet's name, the headers, the words; the amount a number.
        for (client, sheet_name, header, words) in [
            (&m2, "Сделки", ["Название", "Компания", "Статус", "Сумма"], ["Компания № ", "В работе"]),
            (&m1, "Deals", ["Title", "Company", "Status", "Amount"], ["Company #", "Open"]),
        ] {
            let file = client.download("/api/v1/deals.xlsx").await;
            assert_eq!((file.status, file.header("content-type")), (StatusCode::OK, XLSX));
            let workbook: Xlsx<_> =
                calamine::open_workbook_from_rs(IoCursor::new(file.bytes.clone())).expect("valid xlsx");
            assert_eq!(workbook.sheet_names(), [sheet_name]);
            let sheet = read_xlsx(&file);
            let texts: Vec<Vec<String>> = sheet.iter().map(|r| r.iter().map(text).collect()).collect();
            let row = &columns(&texts, &header)[0];
            assert_eq!((row[1].clone(), row[2].as_str()), (format!("{}{company}", words[0]), words[1]));
            let amount = texts[0].iter().position(|h| h == header[3]).expect("amount");
            assert_eq!(sheet[1][amount], Data::Float(1500.5));
        }

        // The organisation switches to English: whoever chose no language follows it, whoever
        // chose Russian keeps it.
        let mut settings = orbita_app::setup::settings(&t.db).await.expect("settings");
        settings.locale = Locale::En;
        let mut tx = t.db.begin().await.expect("begin");
        orbita_storage::org::update(&mut tx, &settings, now()).await.expect("settings");
        tx.commit().await.expect("commit");
        let records = read_csv_with(&admin.download("/api/v1/companies.csv").await, b',');
        assert_eq!(records[0][..3], ["Name", "INN", "KPP"]);
        let records = read_csv_with(&m2.download("/api/v1/deals.csv").await, b',');
        assert_eq!(records[0][0], "Title");
        speak(&t.db, org.manager2, Some(Locale::Ru)).await;
        let records = read_csv_with(&m2.download("/api/v1/deals.csv").await, b';');
        assert_eq!(records[0][..2], ["Название", "Компания"]);
        let report = read_csv_with(&admin.download("/api/v1/reports/summary.csv").await, b',');
        assert_eq!(report.last().map(|r| r[0].as_str()), Some("Total"));
        t
    })
    .await;
}

/// A query value as a URL carries it: `Москва` is `%D0%9C…`.
fn encoded(value: &str) -> String {
    value.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// A company of the client's user in a region and an industry, with `deals` deals.
async fn client_with_deals(client: &Client, name: &str, region: &str, industry: &str, deals: usize) {
    let company =
        client.post("/api/v1/companies", json!({"name": name, "region": region, "industry": industry}));
    let company = company.await.expect(StatusCode::CREATED).id();
    for i in 0..deals {
        let deal = json!({"title": format!("{name} {i}"), "company_id": company});
        client.post("/api/v1/deals", deal).await.expect(StatusCode::CREATED);
    }
}

#[tokio::test]
async fn the_funnel_slices_by_the_companys_region_and_industry_and_downloads() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        let (m1, m2, admin, head) = (team.org.manager1(), team.org.manager2(), team.org.admin(), team.head());
        client_with_deals(&m1, "Ромашка", "Москва", "Ритейл", 2).await;
        client_with_deals(&m1, "Лютик", "Казань", "Ритейл", 1).await;
        client_with_deals(&m2, "Василёк", "Москва", "ИТ", 1).await;
        m2.post("/api/v1/deals", json!({"title": "Без компании"})).await.expect(StatusCode::CREATED);
        let pipeline = stage(&t.db, StageKind::Won).await.pipeline_id;
        let funnel = |query: String| format!("/api/v1/reports/funnel{query}");
        let base = format!("?pipeline_id={pipeline}");

        let deals = |body: &Value| body["deals"].as_i64().expect("deals");
        let json = |query: String| {
            let admin = &admin;
            async move { admin.get(&funnel(query)).await.expect(StatusCode::OK).body }
        };
        assert_eq!(deals(&json(base.clone()).await), 5, "{}: every deal", t.name);
        let moscow = format!("{base}&region={}", encoded("Москва"));
        let by_region = json(moscow.clone()).await;
        assert_eq!(deals(&by_region), 3, "{}: Moscow's companies", t.name);
        assert_eq!(by_region["stages"][0]["reached"], 3);
        assert_eq!(deals(&json(format!("{base}&industry={}", encoded("Ритейл"))).await), 3, "{}", t.name);
        let both = format!("{moscow}&industry={}", encoded("Ритейл"));
        assert_eq!(deals(&json(both).await), 2, "{}: Moscow retail", t.name);
        assert_eq!(deals(&json(format!("{base}&region=")).await), 5, "{}: empty is no slice", t.name);

        // The files: the same funnel, a row per stage, then the total ("Итого": the cohort).
        let xlsx = admin.download(&funnel(format!(".xlsx{moscow}"))).await;
        assert_eq!((xlsx.status, xlsx.header("content-type")), (StatusCode::OK, XLSX));
        assert!(xlsx.header("content-disposition").contains("funnel-report-"), "{}", t.name);
        let sheet = read_xlsx(&xlsx);
        assert_eq!(text(&sheet[0][0]), "Этап");
        assert_eq!(sheet.len(), by_region["stages"].as_array().map_or(0, Vec::len) + 2);
        let total = &sheet[sheet.len() - 1];
        assert_eq!((text(&total[0]), total[1].clone()), ("Итого".to_owned(), Data::Float(3.0)));
        assert_eq!(sheet[1][1], Data::Float(3.0), "{}: counts are numbers", t.name);
        assert_eq!(sheet[1][3], Data::Float(1.0), "{}: 100 % from the start, a number", t.name);
        let csv = admin.download(&funnel(format!(".csv{moscow}"))).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.header("content-type").starts_with("text/csv"), "{}", t.name);
        let rows = read_csv(&csv);
        assert_eq!(rows[0][1], "Дошли");
        assert_eq!((rows[1][1].as_str(), rows[1][3].as_str()), ("3", "100%"));
        assert_eq!(rows.last().map(|r| (r[0].as_str(), r[1].as_str())), Some(("Итого", "3")));

        // A group outside the head's scope: the same answer from the JSON and the files, an
        // empty funnel; a bad pipeline or a missing one likewise.
        let other = format!("{base}&group_id={}", team.group_b);
        let scoped = head.get(&funnel(other.clone())).await;
        assert_eq!((scoped.status, deals(&scoped.body)), (StatusCode::OK, 0), "{}", t.name);
        for extension in [".xlsx", ".csv"] {
            let file = head.download(&funnel(format!("{extension}{other}"))).await;
            assert_eq!(file.status, scoped.status, "{}: {extension}", t.name);
        }
        let rows = read_csv(&head.download(&funnel(format!(".csv{other}"))).await);
        assert_eq!(rows.last().map(|r| (r[0].as_str(), r[1].as_str())), Some(("Итого", "0")));
        for query in ["?pipeline_id=999999".to_owned(), String::new()] {
            let json = admin.get(&funnel(query.clone())).await.status;
            let file = admin.download(&funnel(format!(".csv{query}"))).await.status;
            assert_eq!(file, json, "{}: {query}", t.name);
        }
        // Managers see their funnel but may not download reports.
        m1.get(&funnel(base.clone())).await.expect(StatusCode::OK);
        let refused = m1.download(&funnel(format!(".xlsx{base}"))).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", t.name);
        t
    })
    .await;
}
