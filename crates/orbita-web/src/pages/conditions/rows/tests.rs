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
    let (tree, placed) = one.tree(&all, "Europe/Moscow");
    assert_eq!(tree.as_deref(), Some(r#"{"field":"title","op":"contains","value":"окна"}"#));
    assert_eq!(placed, [at("", 0)]);

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
    let (tree, placed) = group.tree(&all, "Europe/Moscow");
    let tree: Value = serde_json::from_str(&tree.expect("a tree")).expect("JSON");
    assert_eq!(
        tree,
        json!({"or": [
            {"field": "custom.window_type", "op": "empty"},
            {"field": "created_at", "op": "gt", "value": "2026-12-01T06:00:00+00:00"},
        ]})
    );
    assert_eq!(placed, [at(".or[0]", 1), at(".or[1]", 2)]);
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
fn a_deeper_tree_is_kept_as_text_and_the_builder_starts_afresh() {
    let nested = r#"{"or":[{"and":[{"or":[{"field":"amount","op":"gt","value":"1"}]}]}]}"#;
    let read = Builder::from_tree(Some(nested), &candidates(), "UTC");
    assert_eq!(read.foreign, nested);
    assert_eq!(read.rows, [Row::default()]);
    assert_eq!(Builder::from_tree(Some("not json"), &candidates(), "UTC").foreign, "not json");
    let negated = r#"{"not":{"field":"amount","op":"gt","value":"1"}}"#;
    assert_eq!(Builder::from_tree(Some(negated), &candidates(), "UTC").foreign, negated);
}

#[test]
fn removing_the_last_row_leaves_a_blank_one() {
    let mut built = Builder::from_form(&pairs(&[("join", "and"), ("0.field", "title")]));
    built.remove(5);
    assert_eq!(built.rows.len(), 1);
    built.remove(0);
    assert_eq!(built.rows, [Row::default()]);
    assert!(built.edit(&pairs(&[("add", "1")])));
    assert_eq!(built.rows.len(), 2);
    assert!(!built.edit(&pairs(&[("apply", "1")])), "not a change of the rows");
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
    let placed = place_errors(found, &[at(".and[0]", 0), at(".and[1]", 3)]);
    let fields: Vec<&str> = placed.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["c3", "filter"]);

    let mut single = ValidationErrors::default();
    single.push(FieldError::new("filter.value", "filter-value", "A number"));
    assert_eq!(place_errors(single, &[at("", 2)]).0[0].field, "c2");

    // In a group, `.or[1]` is not `.or[10]`'s start, and the deepest place wins.
    let mut grouped = ValidationErrors::default();
    grouped.push(FieldError::new("filter.or[1].and[1].value", "filter-value", "A number"));
    grouped.push(FieldError::new("filter.or[10].value", "filter-value", "A number"));
    let places = [at(".or[0]", 0), at(".or[1].and[0]", 1), at(".or[1].and[1]", 2), at(".or[10]", 7)];
    let fields: Vec<String> = place_errors(grouped, &places).0.into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["c2", "c7"]);
}

fn at(path: &str, row: usize) -> Placed {
    Placed { path: path.to_owned(), row }
}

/// "(stage is Proposal and amount over 500,000) or the window is ПВХ": a group in the rows.
fn grouped_form() -> Vec<(String, String)> {
    pairs(&[
        ("join", "or"),
        ("0.field", "title"),
        ("0.op", "contains"),
        ("0.value", "окна"),
        ("0.group", "1"),
        ("1.field", "custom.window_type"),
        ("1.op", "eq"),
        ("1.value", "ПВХ"),
        ("2.field", "amount"),
        ("2.op", "gt"),
        ("2.value", "500000"),
        ("2.group", "1"),
    ])
}

#[test]
fn a_groups_rows_are_joined_the_other_way_and_stand_as_one_condition() {
    let all = candidates();
    let built = Builder::from_form(&grouped_form());
    let (tree, placed) = built.tree(&all, "UTC");
    let tree: Value = serde_json::from_str(&tree.expect("a tree")).expect("JSON");
    assert_eq!(
        tree,
        json!({"or": [
            {"and": [
                {"field": "title", "op": "contains", "value": "окна"},
                {"field": "amount", "op": "gt", "value": "500000"},
            ]},
            {"field": "custom.window_type", "op": "eq", "value": "ПВХ"},
        ]})
    );
    assert_eq!(placed, [at(".or[0].and[0]", 0), at(".or[0].and[1]", 2), at(".or[1]", 1)]);

    // Read back, the group's rows come first, together, as the tree holds them.
    let read = Builder::from_tree(Some(&tree.to_string()), &all, "UTC");
    assert!(read.foreign.is_empty());
    assert_eq!(read.join, Join::Or);
    let shape: Vec<(&str, usize)> = read.rows.iter().map(|r| (r.field.as_str(), r.group)).collect();
    assert_eq!(shape, [("title", 1), ("amount", 1), ("custom.window_type", 0)]);
    assert_eq!(read.tree(&all, "UTC").0.as_deref(), Some(tree.to_string().as_str()));
    // The page shows the group first too, where the tree has it.
    let views =
        read.views(&Layout::new(orbita_domain::org::Locale::En, ""), &all, &ValidationErrors::default());
    let shape: Vec<(usize, usize)> = sections(&views).iter().map(|s| (s.group, s.rows.len())).collect();
    assert_eq!(shape, [(1, 2), (0, 1)]);
}

#[test]
fn a_group_of_one_row_is_that_row_and_a_group_joined_the_same_way_reads_as_rows() {
    let all = candidates();
    let mut form = grouped_form();
    form.retain(|(n, _)| !n.starts_with("2."));
    let (tree, _) = Builder::from_form(&form).tree(&all, "UTC");
    let tree: Value = serde_json::from_str(&tree.expect("a tree")).expect("JSON");
    assert_eq!(tree["or"][0], json!({"field": "title", "op": "contains", "value": "окна"}));

    let same = r#"{"and":[{"and":[{"field":"amount","op":"gt","value":"1"},{"field":"title","op":"contains","value":"a"}]}]}"#;
    let read = Builder::from_tree(Some(same), &all, "UTC");
    assert!(read.foreign.is_empty());
    assert!(read.rows.iter().all(|r| r.group == 0));
}

#[test]
fn a_group_is_added_with_two_rows_and_grows_by_its_own_button() {
    let mut built = Builder::from_form(&pairs(&[("join", "and"), ("0.field", "title"), ("1.field", "")]));
    assert!(built.edit(&pairs(&[("add_group", "1")])));
    let groups: Vec<usize> = built.rows.iter().map(|r| r.group).collect();
    assert_eq!(groups, [0, 1, 1], "the blank row at the end became the group's first");
    assert!(built.edit(&pairs(&[("add_to", "1")])));
    assert!(built.edit(&pairs(&[("add_group", "1")])));
    let groups: Vec<usize> = built.rows.iter().map(|r| r.group).collect();
    assert_eq!(groups, [0, 1, 1, 1, 2, 2]);
    let sections = sections(&built.views(
        &Layout::new(orbita_domain::org::Locale::En, ""),
        &candidates(),
        &ValidationErrors::default(),
    ));
    let shape: Vec<(usize, usize)> = sections.iter().map(|s| (s.group, s.rows.len())).collect();
    assert_eq!(shape, [(0, 1), (1, 3), (2, 2)]);
}
