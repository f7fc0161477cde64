use super::*;

fn candidates() -> Vec<Candidate> {
    let choice =
        |values: &[&str]| Shape::Choice(values.iter().map(|v| ((*v).to_owned(), (*v).to_owned())).collect());
    vec![
        Candidate { key: "title".into(), label: "Title".into(), shape: Shape::Text, optional: false },
        Candidate { key: "amount".into(), label: "Amount".into(), shape: Shape::Number, optional: false },
        Candidate {
            key: "created_at".into(),
            label: "Created".into(),
            shape: Shape::Moment,
            optional: false,
        },
        Candidate {
            key: "custom.window_type".into(),
            label: "Window".into(),
            shape: choice(&["ПВХ", "Дерево"]),
            optional: true,
        },
    ]
}

fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
    raw.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn rows_are_read_by_their_numbers_whatever_the_order() {
    let built = Builder::from_form(&pairs(&[
        ("join", "or"),
        ("1.field", "amount"),
        ("0.field", "custom.window_type"),
        ("0.op", "in"),
        ("0.values", "ПВХ"),
        ("0.values", "Дерево"),
        ("1.op", "between"),
        ("1.value", " 100 "),
        ("1.value2", "200"),
        ("99.field", "title"),
    ]));
    assert_eq!(built.join, Join::Or);
    assert_eq!(built.rows.len(), 2, "a row past the most a filter takes is ignored");
    assert_eq!(built.rows[0].values, ["ПВХ", "Дерево"]);
    assert_eq!((built.rows[1].value.as_str(), built.rows[1].value2.as_str()), ("100", "200"));
}

#[test]
fn the_rows_make_one_comparison_or_a_group_and_blank_rows_are_left_out() {
    let all = candidates();
    let one = Builder::from_form(&pairs(&[
        ("join", "and"),
        ("0.field", "title"),
        ("0.op", "contains"),
        ("0.value", "окна"),
        ("1.field", ""),
    ]));
    let (tree, included) = one.tree(&all, "Europe/Moscow");
    assert_eq!(tree.as_deref(), Some(r#"{"field":"title","op":"contains","value":"окна"}"#));
    assert_eq!(included, [0]);

    let group = Builder::from_form(&pairs(&[
        ("join", "or"),
        ("0.field", ""),
        ("1.field", "custom.window_type"),
        ("1.op", "empty"),
        ("1.value", "ignored"),
        ("2.field", "created_at"),
        ("2.op", "gt"),
        ("2.value", "2026-12-01T09:00"),
    ]));
    let (tree, included) = group.tree(&all, "Europe/Moscow");
    let tree: Value = serde_json::from_str(&tree.expect("a tree")).expect("JSON");
    assert_eq!(
        tree,
        json!({"or": [
            {"field": "custom.window_type", "op": "empty"},
            {"field": "created_at", "op": "gt", "value": "2026-12-01T06:00:00+00:00"},
        ]})
    );
    assert_eq!(included, [1, 2]);
    assert_eq!(Builder::from_form(&pairs(&[("join", "and")])).tree(&all, "UTC").0, None);
}

#[test]
fn a_comparison_the_field_does_not_offer_becomes_its_first() {
    let built = Builder::from_form(&pairs(&[
        ("join", "and"),
        ("0.field", "amount"),
        ("0.op", "contains"),
        ("0.value", "5"),
    ]));
    let (tree, _) = built.tree(&candidates(), "UTC");
    assert_eq!(tree.as_deref(), Some(r#"{"field":"amount","op":"eq","value":"5"}"#));
}

#[test]
fn a_flat_tree_reads_back_into_the_rows_that_made_it() {
    let all = candidates();
    let form = Builder::from_form(&pairs(&[
        ("join", "or"),
        ("0.field", "custom.window_type"),
        ("0.op", "in"),
        ("0.values", "ПВХ"),
        ("1.field", "amount"),
        ("1.op", "between"),
        ("1.value", "100"),
        ("1.value2", "200"),
        ("2.field", "created_at"),
        ("2.op", "lt"),
        ("2.value", "2026-12-01T09:00"),
    ]));
    let (tree, _) = form.tree(&all, "Europe/Moscow");
    let read = Builder::from_tree(tree.as_deref(), &all, "Europe/Moscow");
    assert_eq!(read.rows, form.rows);
    assert_eq!(read.join, Join::Or);
    assert!(read.foreign.is_empty());
}

#[test]
fn a_nested_tree_is_kept_as_text_and_the_builder_starts_afresh() {
    let nested = r#"{"or":[{"and":[{"field":"amount","op":"gt","value":"1"}]}]}"#;
    let read = Builder::from_tree(Some(nested), &candidates(), "UTC");
    assert_eq!(read.foreign, nested);
    assert_eq!(read.rows, [Row::default()]);
    assert_eq!(Builder::from_tree(Some("not json"), &candidates(), "UTC").foreign, "not json");
}

#[test]
fn removing_the_last_row_leaves_a_blank_one() {
    let mut built = Builder::from_form(&pairs(&[("join", "and"), ("0.field", "title")]));
    built.remove(5);
    assert_eq!(built.rows.len(), 1);
    built.remove(0);
    assert_eq!(built.rows, [Row::default()]);
    built.add();
    assert_eq!(built.rows.len(), 2);
}

#[test]
fn a_value_left_blank_is_named_on_its_row() {
    let built = Builder::from_form(&pairs(&[
        ("join", "and"),
        ("0.field", "title"),
        ("0.op", "contains"),
        ("1.field", "custom.window_type"),
        ("1.op", "not_empty"),
        ("2.field", "amount"),
        ("2.op", "between"),
        ("2.value", "1"),
    ]));
    let errors = built.missing_values(&candidates());
    let rows: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(rows, ["c0", "c2"]);
}

#[test]
fn the_checks_messages_land_on_the_rows_they_are_about() {
    let mut found = ValidationErrors::default();
    found.push(FieldError::new("filter.and[1].value", "filter-value", "A number"));
    found.push(FieldError::new("filter", "filter-too-large", "too large"));
    let placed = place_errors(found, &[0, 3]);
    let fields: Vec<&str> = placed.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["c3", "filter"]);

    let mut single = ValidationErrors::default();
    single.push(FieldError::new("filter.value", "filter-value", "A number"));
    assert_eq!(place_errors(single, &[2]).0[0].field, "c2");
}
