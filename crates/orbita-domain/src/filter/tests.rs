use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::fields::DEAL_FIELDS;

fn parse(json: &str) -> Result<Filter, ValidationErrors> {
    let raw: RawFilter = serde_json::from_str(json).expect("JSON of the right shape");
    Filter::parse(&raw, Fields::builtin(DEAL_FIELDS), "filter")
}

fn codes(json: &str) -> Vec<(String, &'static str)> {
    parse(json).expect_err("refused").0.into_iter().map(|e| (e.field, e.code)).collect()
}

#[test]
fn the_issues_example_reads_as_a_tree() {
    let filter = parse(
        r#"{"or": [
            {"and": [{"field": "stage_id", "op": "in", "value": [3, 4]}, {"field": "amount", "op": "gt", "value": "500000"}]},
            {"field": "owner_id", "op": "in", "value": ["7", 8]}
        ]}"#,
    )
    .expect("valid");
    let Filter::Or(nodes) = filter else { panic!("an or") };
    let Filter::And(first) = &nodes[0] else { panic!("an and") };
    let Filter::Compare(amount) = &first[1] else { panic!("a comparison") };
    assert_eq!((&amount.field, amount.op), (&Target::Column(&DEAL_FIELDS[1]), Op::Gt));
    assert_eq!(amount.values, [Scalar::Int(50_000_000)], "roubles to kopecks");
    let Filter::Compare(owners) = &nodes[1] else { panic!("a comparison") };
    assert_eq!(owners.values, [Scalar::Int(7), Scalar::Int(8)]);
}

#[test]
fn every_mistake_names_its_place() {
    assert_eq!(
        codes(r#"{"field": "nope", "op": "eq", "value": 1}"#),
        [("filter.field".into(), "filter-field-unknown")]
    );
    assert_eq!(
        codes(r#"{"field": "title", "op": "like", "value": "x"}"#),
        [("filter.op".into(), "filter-op-unknown")]
    );
    assert_eq!(
        codes(r#"{"field": "title", "op": "gt", "value": "x"}"#),
        [("filter.op".into(), "filter-op-not-for-field")]
    );
    assert_eq!(
        codes(r#"{"field": "title", "op": "empty"}"#),
        [("filter.op".into(), "filter-op-not-for-field")]
    );
    assert_eq!(
        codes(
            r#"{"and": [{"field": "amount", "op": "eq", "value": "много"}, {"field": "status", "op": "eq", "value": "maybe"}]}"#
        ),
        [("filter.and[0].value".into(), "filter-value"), ("filter.and[1].value".into(), "filter-value")]
    );
    assert_eq!(
        codes(r#"{"field": "amount", "op": "between", "value": [1]}"#),
        [("filter.value".into(), "filter-value")]
    );
    assert_eq!(
        codes(r#"{"field": "amount", "op": "in", "value": 1}"#),
        [("filter.value".into(), "filter-value")]
    );
    assert_eq!(
        codes(r#"{"field": "created_at", "op": "this_month", "value": 1}"#),
        [("filter.value".into(), "filter-value")]
    );
    assert_eq!(
        codes(r#"{"field": "title", "op": "eq", "value": "a\u0000"}"#),
        [("filter.value".into(), "filter-value")]
    );
    assert_eq!(codes(r#"{"and": []}"#), [("filter.and".into(), "filter-shape")]);
    assert_eq!(codes(r#"{"and": [], "or": []}"#), [("filter".into(), "filter-shape")]);
    assert_eq!(codes(r#"{}"#), [("filter".into(), "filter-shape")]);
    assert_eq!(
        codes(r#"{"not": {"field": "title", "op": "eq"}}"#),
        [("filter.not.value".into(), "filter-value")]
    );
}

#[test]
fn deep_or_large_trees_are_refused() {
    let deep = (0..MAX_DEPTH)
        .fold(r#"{"field": "title", "op": "eq", "value": "x"}"#.to_owned(), |inner, _| {
            format!(r#"{{"not": {inner}}}"#)
        });
    assert_eq!(codes(&deep).last().map(|(_, code)| *code), Some("filter-too-deep"));
    let many = vec![r#"{"field": "probability", "op": "eq", "value": 1}"#; MAX_COMPARISONS + 1].join(",");
    assert_eq!(codes(&format!(r#"{{"or": [{many}]}}"#)), [("filter".into(), "filter-too-large")]);
}

#[test]
fn relative_periods_become_ranges_in_local_days() {
    let today = NaiveDate::from_ymd_opt(2026, 12, 6).expect("date"); // a Sunday
    let start = |d: NaiveDate| {
        Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("time")) - chrono::Duration::hours(3)
    };
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
    let range = |op: &str| {
        let filter = parse(&format!(r#"{{"field": "created_at", "op": "{op}"}}"#))
            .expect("valid")
            .resolve(today, &start);
        let Filter::And(bounds) = filter else { panic!("{op}: a range") };
        bounds
            .into_iter()
            .map(|b| match b {
                Filter::Compare(Comparison { values, .. }) => values[0].clone(),
                other => panic!("{other:?}"),
            })
            .collect::<Vec<_>>()
    };
    let times = |a, b| vec![Scalar::Time(start(a)), Scalar::Time(start(b))];
    assert_eq!(range("today"), times(date(2026, 12, 6), date(2026, 12, 7)));
    assert_eq!(range("this_week"), times(date(2026, 11, 30), date(2026, 12, 7)), "weeks start on Monday");
    assert_eq!(range("last_month"), times(date(2026, 11, 1), date(2026, 12, 1)));
    assert_eq!(range("this_quarter"), times(date(2026, 10, 1), date(2027, 1, 1)));
    assert_eq!(range("this_year"), times(date(2026, 1, 1), date(2027, 1, 1)));
    let overdue =
        parse(r#"{"field": "expected_close_date", "op": "overdue"}"#).expect("valid").resolve(today, &start);
    let Filter::Compare(Comparison { op: Op::Lt, values, .. }) = overdue else { panic!("before today") };
    assert_eq!(values, [Scalar::Date(today)]);
}

#[test]
fn custom_fields_are_named_custom_dot_key_and_compared_as_stored() {
    use crate::custom::{CustomField, CustomType};
    use crate::kind::RecordKind;
    let field = |key: &str, ty, options: &[&str]| CustomField {
        id: 1,
        kind: RecordKind::Deal,
        key: key.into(),
        ty,
        label_ru: key.into(),
        label_en: key.into(),
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        link_kind: None,
        required: false,
        indexed: true,
        group: None,
        position: 0,
        removed_at: None,
    };
    let custom = [
        field("window_type", CustomType::List, &["ПВХ", "Дерево"]),
        field("budget", CustomType::Money, &[]),
        field("installed", CustomType::Date, &[]),
    ];
    let fields = Fields { builtin: DEAL_FIELDS, custom: &custom };
    let read = |json: &str| {
        let raw: RawFilter = serde_json::from_str(json).expect("JSON of the right shape");
        Filter::parse(&raw, fields, "filter")
    };
    let filter = read(
        r#"{"and": [{"field": "custom.window_type", "op": "eq", "value": "ПВХ"},
                    {"field": "custom.budget", "op": "gt", "value": "500000"},
                    {"field": "custom.installed", "op": "this_month"}]}"#,
    )
    .expect("valid");
    let Filter::And(nodes) = filter.resolve(NaiveDate::from_ymd_opt(2026, 12, 6).expect("day"), &|d| {
        Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
    }) else {
        panic!("an and")
    };
    let Filter::Compare(window) = &nodes[0] else { panic!("a comparison") };
    assert_eq!(window.field, Target::Custom { key: "window_type".into(), ty: CustomType::List });
    let Filter::Compare(budget) = &nodes[1] else { panic!("a comparison") };
    assert_eq!(budget.values, [Scalar::Int(50_000_000)], "kopecks, as stored");
    let Filter::And(month) = &nodes[2] else { panic!("a range") };
    let Filter::Compare(from) = &month[0] else { panic!("a comparison") };
    assert_eq!(from.values, [Scalar::Date(NaiveDate::from_ymd_opt(2026, 12, 1).expect("day"))]);

    let mistakes = |json: &str| -> Vec<(String, &'static str)> {
        read(json).expect_err("refused").0.into_iter().map(|e| (e.field, e.code)).collect()
    };
    assert_eq!(
        mistakes(r#"{"field": "custom.window_type", "op": "eq", "value": "Стекло"}"#),
        [("filter.value".into(), "filter-value")]
    );
    assert_eq!(
        mistakes(r#"{"field": "custom.window_type", "op": "gt", "value": "ПВХ"}"#),
        [("filter.op".into(), "filter-op-not-for-field")]
    );
    assert_eq!(
        mistakes(r#"{"field": "custom.nope", "op": "eq", "value": 1}"#),
        [("filter.field".into(), "filter-field-unknown")]
    );
    assert_eq!(
        mistakes(r#"{"field": "window_type", "op": "eq", "value": "ПВХ"}"#),
        [("filter.field".into(), "filter-field-unknown")],
        "custom fields are named with their prefix"
    );
}
