use serde_json::json;

use super::*;

fn field(key: &str, ty: CustomType) -> CustomField {
    CustomField {
        id: 1,
        kind: RecordKind::Deal,
        key: key.into(),
        ty,
        label_ru: "Поле".into(),
        label_en: "Field".into(),
        options: if ty.has_options() { vec!["ПВХ".into(), "Дерево".into()] } else { Vec::new() },
        link_kind: (ty == CustomType::Link).then_some(RecordKind::Company),
        required: false,
        indexed: false,
        group: None,
        position: 0,
        removed_at: None,
    }
}

#[test]
fn a_definition_is_checked_and_its_key_is_safe_for_sql() {
    let input = CustomFieldInput {
        key: "window_type".into(),
        ty: "list".into(),
        label_ru: "Тип окна".into(),
        label_en: "Window type".into(),
        options: vec!["ПВХ".into(), " Дерево ".into(), "ПВХ".into(), "".into()],
        indexed: true,
        ..Default::default()
    };
    let spec = input.validate(RecordKind::Deal, &[]).expect("valid");
    assert_eq!(spec.options, ["ПВХ", "Дерево"], "trimmed, each once, blanks dropped");
    assert!(spec.indexed);

    for bad in ["Window", "1st", "a-b", "x'; drop", "", &"a".repeat(41)] {
        let e = CustomFieldInput { key: bad.into(), ..input.clone() }.validate(RecordKind::Deal, &[]);
        assert_eq!(e.expect_err(bad).0[0].code, "custom-key-format", "{bad}");
    }
    let taken = CustomFieldInput { key: "amount".into(), ..input.clone() }.validate(RecordKind::Deal, &[]);
    assert_eq!(taken.expect_err("built-in").0[0].code, "custom-key-taken");
    let taken = input.validate(RecordKind::Deal, &["window_type"]);
    assert_eq!(taken.expect_err("custom").0[0].code, "custom-key-taken");
    let no_options = CustomFieldInput { options: vec![], ..input.clone() }.validate(RecordKind::Deal, &[]);
    assert_eq!(no_options.expect_err("options").0[0].field, "options");
    let link = CustomFieldInput { ty: "link".into(), options: vec![], ..input.clone() };
    assert_eq!(link.validate(RecordKind::Deal, &[]).expect_err("kind").0[0].field, "link_kind");
    let link = CustomFieldInput { link_kind: "companies".into(), ..link };
    assert_eq!(link.validate(RecordKind::Deal, &[]).expect("link").link_kind, Some(RecordKind::Company));
    let bad_type = CustomFieldInput { ty: "blob".into(), ..input };
    assert_eq!(bad_type.validate(RecordKind::Deal, &[]).expect_err("type").0[0].field, "type");
}

#[test]
fn values_take_their_canonical_form() {
    let cases = [
        (CustomType::Text, json!(" Окна "), Some(json!("Окна"))),
        (CustomType::Number, json!("12,5"), Some(json!(125_000))),
        (CustomType::Number, json!(-3), Some(json!(-30_000))),
        (CustomType::Money, json!("1 500 000,50"), Some(json!(150_000_050))),
        (CustomType::Date, json!("2026-12-31"), Some(json!("2026-12-31"))),
        (
            CustomType::DateTime,
            json!("2026-12-01T09:00:00+03:00"),
            Some(json!("2026-12-01T06:00:00.000000Z")),
        ),
        (CustomType::Bool, json!(true), Some(json!(true))),
        (CustomType::Bool, json!("нет"), Some(json!(false))),
        (CustomType::List, json!("ПВХ"), Some(json!("ПВХ"))),
        (CustomType::MultiList, json!(["Дерево", "ПВХ", "ПВХ"]), Some(json!(["ПВХ", "Дерево"]))),
        (CustomType::User, json!(7), Some(json!(7))),
        (CustomType::Url, json!("https://okna.ru"), Some(json!("https://okna.ru"))),
        (CustomType::Email, json!("Info@Okna.RU"), Some(json!("info@okna.ru"))),
        (CustomType::Phone, json!("8 916 123-45-67"), Some(json!("+79161234567"))),
        (CustomType::Text, json!(""), None),
        (CustomType::MultiList, json!([]), None),
        (CustomType::Money, Value::Null, None),
    ];
    for (ty, raw, expected) in cases {
        assert_eq!(parse_value(&field("f", ty), &raw), Ok(expected), "{ty:?} {raw}");
    }
    for (ty, raw) in [
        (CustomType::Number, json!("12.34567")),
        (CustomType::Money, json!("-5")),
        (CustomType::Date, json!("31.12.2026")),
        (CustomType::List, json!("Алюминий")),
        (CustomType::MultiList, json!(["ПВХ", "Алюминий"])),
        (CustomType::User, json!("seven")),
        (CustomType::Url, json!("javascript:alert(1)")),
        (CustomType::Text, json!("two\nlines")),
        (CustomType::Text, json!({"a": 1})),
    ] {
        assert!(parse_value(&field("f", ty), &raw).is_err(), "{ty:?} {raw}");
    }
}

#[test]
fn changes_name_the_field_and_required_fields_must_stay_filled() {
    let mut budget = field("budget", CustomType::Money);
    budget.required = true;
    let fields = vec![field("window_type", CustomType::List), budget];
    let sent = json!({"window_type": "Стекло", "nope": 1});
    let errors = parse_changes(&fields, sent.as_object().expect("object")).expect_err("bad");
    let places: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(places, ["custom.nope", "custom.window_type"]);

    let sent = json!({"window_type": "ПВХ"});
    let changes = parse_changes(&fields, sent.as_object().expect("object")).expect("good");
    let missing = apply_changes(&fields, &CustomValues::new(), &changes).expect_err("budget is required");
    assert_eq!(missing.0[0].field, "custom.budget");
    let before: CustomValues = [("budget".to_owned(), json!(100))].into();
    let after = apply_changes(&fields, &before, &changes).expect("filled");
    assert_eq!(values_to_json(&after), r#"{"budget":100,"window_type":"ПВХ"}"#);
    assert_eq!(values_from_json(&values_to_json(&after)), after);
    assert_eq!(values_from_json("not json"), CustomValues::new());
}

#[test]
fn the_api_and_forms_show_values_as_people_write_them() {
    assert_eq!(api_value(&field("b", CustomType::Money), &json!(150_000_050)), json!("1500000.50"));
    assert_eq!(api_value(&field("n", CustomType::Number), &json!(125_000)), json!(12.5));
    assert_eq!(input_text(&field("n", CustomType::Number), &json!(125_000)), "12.5");
    assert_eq!(input_text(&field("m", CustomType::MultiList), &json!(["ПВХ", "Дерево"])), "ПВХ, Дерево");
}
