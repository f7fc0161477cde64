use super::*;
use crate::UserId;

fn field(name: &str, maps_to: &str, required: bool) -> FormFieldInput {
    FormFieldInput { name: name.into(), maps_to: maps_to.into(), required, ..FormFieldInput::default() }
}

fn form() -> WebFormFields {
    WebFormInput {
        name: "Замер".into(),
        assignee: Some(Assignee::User(UserId(1))),
        fields: vec![
            field("name", "contact.name", true),
            field("phone", "contact.phone", true),
            field("comment", "deal.notes", false),
            field("window", "deal.custom.window_type", false),
        ],
        allowed_origins: vec!["https://okna.example.ru/zamer?x=1\nhttp://localhost:8080".into()],
        consent: true,
        ..WebFormInput::default()
    }
    .validate()
    .expect("valid")
}

fn sent(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn now() -> Timestamp {
    crate::now()
}

#[test]
fn a_form_names_its_fields_its_manager_and_a_way_back() {
    let form = form();
    assert_eq!(form.allowed_origins, ["https://okna.example.ru", "http://localhost:8080"]);
    assert_eq!(form.fields[3].maps_to, MapsTo::DealCustom("window_type".into()));
    assert_eq!(form.fields[0].label_ru, "name", "a label defaults to the name");

    let bad = WebFormInput {
        fields: vec![
            field("_x", "contact.name", false),
            field("b", "contact.age", false),
            field("c", "contact.name", false),
        ],
        allowed_origins: vec!["ftp://x".into()],
        redirect_url: "javascript:alert(1)".into(),
        ..WebFormInput::default()
    };
    let errors = bad.validate().expect_err("invalid");
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    for expected in [
        "name",
        "assignee",
        "fields[0].name",
        "fields[1].maps_to",
        "fields[2].maps_to",
        "fields",
        "allowed_origins",
        "redirect_url",
    ] {
        assert!(fields.contains(&expected), "{expected} in {fields:?}");
    }
    let owner = WebFormInput { assignee: Some(Assignee::DealOwner), ..WebFormInput::default() };
    assert!(owner.validate().expect_err("no owner").field("assignee").is_some());
}

#[test]
fn a_submission_becomes_a_contact_and_a_deal_with_its_tags() {
    let at = now();
    let posted = sent(&[
        ("name", " Анна "),
        ("phone", "+7 900 123-45-67"),
        ("window", "ПВХ"),
        ("_consent", "on"),
        ("utm_campaign", "spring"),
        ("_page", "https://okna.example.ru/zamer"),
        ("_ts", &(at.timestamp_millis() - 10_000).to_string()),
    ]);
    let Reading::Request(request) = form().read(7, &posted, at).expect("read") else { panic!("not a robot") };
    assert_eq!(request.contact.last_name, "Анна");
    assert_eq!(request.contact.phones, "+7 900 123-45-67");
    assert!(request.company.is_none());
    assert_eq!(request.deal.title, "Замер: Анна");
    assert_eq!(request.deal.source, "Замер");
    assert_eq!(request.custom["window_type"], "ПВХ");
    assert_eq!(request.origin.web_form_id, Some(7));
    assert_eq!(request.origin.utm_campaign.as_deref(), Some("spring"));
    assert_eq!(request.origin.landing_page.as_deref(), Some("https://okna.example.ru/zamer"));
}

#[test]
fn required_answers_and_consent_are_asked_for_by_name() {
    let errors = form().read(1, &sent(&[("name", "Анна")]), now()).expect_err("incomplete");
    assert_eq!(errors.field("phone").map(|e| e.code), Some("web-form-required"));
    assert_eq!(errors.field(CONSENT).map(|e| e.code), Some("web-form-consent"));
}

#[test]
fn robots_are_told_apart_by_the_trap_and_the_clock() {
    let at = now();
    let full = [("name", "A"), ("phone", "+79001234567"), ("_consent", "on")];
    let mut trapped = sent(&full);
    trapped.insert(HONEYPOT.into(), "http://spam".into());
    assert!(matches!(form().read(1, &trapped, at), Ok(Reading::Robot)));
    let mut hasty = sent(&full);
    hasty.insert(OPENED_AT.into(), (at.timestamp_millis() - 500).to_string());
    assert!(matches!(form().read(1, &hasty, at), Ok(Reading::Robot)));
    assert!(
        matches!(form().read(1, &sent(&full), at), Ok(Reading::Request(_))),
        "no clock: a site's own form"
    );
}

#[test]
fn a_records_error_is_put_on_the_form_field_that_filled_it() {
    let errors = ValidationErrors(vec![
        FieldError::new("phones", "web-form-required", "bad"),
        FieldError::new("custom.window_type", "web-form-custom", "bad"),
        FieldError::new("currency", "web-form-too-long", "bad"),
    ]);
    let form = form();
    let contact = form.blame("contact", errors.clone());
    assert_eq!(contact.0[0].field, "phone");
    let deal = form.blame("deal", errors);
    assert_eq!(deal.0[1].field, "window");
    assert_eq!(deal.0[2].field, "", "an error no field owns is the form's");
}

#[test]
fn a_person_without_a_name_is_called_by_their_phone_and_a_company_by_its_inn() {
    let form = WebFormInput {
        name: "Звонок".into(),
        assignee: Some(Assignee::User(UserId(1))),
        fields: vec![field("tel", "contact.phone", true), field("inn", "company.inn", false)],
        ..WebFormInput::default()
    }
    .validate()
    .expect("valid");
    let posted = sent(&[("tel", "89001234567"), ("inn", "7707083893")]);
    let Reading::Request(request) = form.read(1, &posted, now()).expect("read") else { panic!() };
    assert_eq!(request.contact.last_name, "89001234567");
    assert_eq!(request.company.expect("company").name, "ИНН 7707083893");
}
