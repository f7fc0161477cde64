//! The record pickers of the task, deal and activity forms: linked records are found by name
//! (`/companies/suggest`, `/contacts/suggest`, `/deals/suggest`) among those the user may see,
//! a form shows its linked records by name (by number when the user may not see one), and
//! what is picked is what gets linked.

mod support;

use axum::http::StatusCode;
use orbita_app::{Access, companies, contacts, deals, tasks};
use orbita_domain::company::CompanyInput;
use orbita_domain::contact::ContactInput;
use orbita_domain::deal::DealInput;
use orbita_domain::{CompanyId, ContactId, DealId};
use orbita_storage::Db;
use orbita_storage::tasks::TaskFilter;
use orbita_testkit::{TestDb, on_both};
use support::{Browser, PASSWORD, with_user};

/// One manager's company, contact (with phone and e-mail, at the company) and deal.
struct Records {
    company: CompanyId,
    contact: ContactId,
    deal: DealId,
}

async fn records(db: &Db, access: &Access, company: &str, inn: &str, last_name: &str, deal: &str) -> Records {
    let company =
        CompanyInput { name: company.into(), inn: inn.into(), kpp: "770101001".into(), ..Default::default() };
    let company = companies::create(db, access, &company, None).await.expect("company").id;
    let contact = ContactInput {
        last_name: last_name.into(),
        first_name: "Иван".into(),
        company_id: Some(company),
        phones: "+7 912 345-67-89".into(),
        emails: format!("{}@example.ru", inn),
        ..Default::default()
    };
    let contact = contacts::create(db, access, &contact, None).await.expect("contact").id;
    let deal = DealInput {
        title: deal.into(),
        amount: "250000".into(),
        company_id: Some(company),
        contact_id: Some(contact),
        ..Default::default()
    };
    let deal = deals::create(db, access, &deal, None, None, None).await.expect("deal").id;
    Records { company, contact, deal }
}

/// Anna and Boris, two managers, each with their own records of the same names.
async fn two_managers(db: &Db) -> (Access, Records, Records) {
    let anna = with_user(db, "anna@x.ru", "manager").await;
    let boris = with_user(db, "boris@x.ru", "manager").await;
    let anna = Access::load(db, anna, None).await.expect("access");
    let boris = Access::load(db, boris, None).await.expect("access");
    let ours = records(db, &anna, "ООО «Стеклопакет»", "7707083893", "Петров", "Окна для Стеклопакета").await;
    let theirs =
        records(db, &boris, "АО «Стеклотайна»", "7736050003", "Петровский", "Окна для Стеклотайны").await;
    (anna, ours, theirs)
}

async fn signed_in(db: &Db, email: &str) -> Browser {
    let mut browser = Browser::new(db);
    let response = browser.sign_in(email, PASSWORD).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "sign-in of {email}");
    browser
}

/// As htmx asks: a fragment, not a page.
async fn fragment(browser: &mut Browser, path: &str) -> String {
    let response = browser.get_fragment(path).await;
    assert_eq!(response.status, StatusCode::OK, "{path}");
    assert!(!response.body.contains("<html"), "{path}: a fragment");
    response.body
}

fn radio(name: &str, value: impl std::fmt::Display) -> String {
    format!("name=\"{name}\" value=\"{value}\"")
}

fn checked(name: &str, value: impl std::fmt::Display) -> String {
    format!("name=\"{name}\" value=\"{value}\" checked")
}

fn enc(text: &str) -> String {
    serde_urlencoded::to_string([("", text)]).expect("encoded").trim_start_matches('=').to_owned()
}

/// Each picker's search offers the user's own records, by name with their details, and never
/// another manager's: the suggestions go through the lists' services and so their scope.
#[tokio::test]
async fn suggestions_offer_only_the_records_the_user_may_see() {
    on_both(|t| async move {
        let (_, ours, theirs) = two_managers(&t.db).await;
        let mut anna = signed_in(&t.db, "anna@x.ru").await;
        let name = &t.name;

        let found = fragment(&mut anna, &format!("/contacts/suggest?contact_q={}", enc("Петров"))).await;
        assert!(found.contains(&radio("contact_id", ours.contact)), "{name}: {found}");
        assert!(found.contains("Петров Иван"), "{name}: the contact by name");
        assert!(found.contains("ООО «Стеклопакет»"), "{name}: with its company");
        assert!(found.contains("@example.ru"), "{name}: and its e-mail");
        assert!(!found.contains(&radio("contact_id", theirs.contact)), "{name}: not Boris's contact");
        assert!(!found.contains("Петровский"), "{name}: {found}");
        // By phone too, as the contacts list searches.
        let by_phone = fragment(&mut anna, "/contacts/suggest?contact_q=9123456").await;
        assert!(by_phone.contains(&radio("contact_id", ours.contact)), "{name}: {by_phone}");
        assert!(!by_phone.contains(&radio("contact_id", theirs.contact)), "{name}: {by_phone}");

        let found = fragment(&mut anna, &format!("/deals/suggest?deal_q={}", enc("Окна для"))).await;
        assert!(found.contains(&radio("deal_id", ours.deal)), "{name}: {found}");
        assert!(found.contains("Окна для Стеклопакета"), "{name}: the deal by title");
        assert!(found.contains("250\u{a0}000,00\u{a0}₽"), "{name}: with its budget: {found}");
        assert!(found.contains("Новая заявка"), "{name}: and its stage");
        assert!(!found.contains(&radio("deal_id", theirs.deal)), "{name}: not Boris's deal");
        assert!(!found.contains("Стеклотайн"), "{name}: {found}");

        let found = fragment(&mut anna, &format!("/companies/suggest?company_q={}", enc("Стекло"))).await;
        assert!(found.contains(&radio("company_id", ours.company)), "{name}: {found}");
        assert!(found.contains("ИНН 7707083893"), "{name}: with its INN");
        assert!(!found.contains(&radio("company_id", theirs.company)), "{name}: not Boris's company");

        // Nothing of Anna's matches: "nothing found"; too short to search: nothing at all.
        let none = fragment(&mut anna, &format!("/deals/suggest?deal_q={}", enc("Стеклотайн"))).await;
        assert!(none.contains("Ничего не найдено") && !none.contains("type=\"radio\""), "{name}: {none}");
        assert!(fragment(&mut anna, "/contacts/suggest?contact_q=%D0%9F").await.trim().is_empty(), "{name}");

        // Boris sees his own.
        let mut boris = signed_in(&t.db, "boris@x.ru").await;
        let found = fragment(&mut boris, &format!("/contacts/suggest?q={}", enc("Петров"))).await;
        assert!(found.contains(&radio("contact_id", theirs.contact)), "{name}: {found}");
        assert!(!found.contains(&radio("contact_id", ours.contact)), "{name}: {found}");
        t
    })
    .await;
}

/// A task form opened from a card shows the linked deal by title, checked; the task form, the
/// deal form and the activity form refused for another field keep what was picked, by name.
#[tokio::test]
async fn forms_show_the_picked_records_by_name() {
    let t = TestDb::sqlite().await;
    let (_, ours, theirs) = two_managers(&t.db).await;
    let mut anna = signed_in(&t.db, "anna@x.ru").await;
    let (deal, company, contact) =
        (ours.deal.to_string(), ours.company.to_string(), ours.contact.to_string());

    let form = anna.get(&format!("/tasks/new?deal_id={deal}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(&checked("deal_id", &deal)), "the deal is picked");
    assert!(form.body.contains("Окна для Стеклопакета"), "by its title");
    assert!(form.body.contains(&checked("company_id", "")), "no company yet");
    assert!(
        form.body.contains("hx-get=\"/deals/suggest\"") && form.body.contains("hx-get=\"/contacts/suggest\"")
    );
    assert!(!form.body.contains("inputmode=\"numeric\""), "no record is typed by number");

    // No title: refused, the three links kept and named.
    let links =
        [("deal_id", deal.as_str()), ("company_id", company.as_str()), ("contact_id", contact.as_str())];
    let mut fields = vec![("title", ""), ("due_at", "2030-01-10T09:00")];
    fields.extend(links);
    let refused = anna.post("/tasks", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for (name, value) in links {
        assert!(refused.body.contains(&checked(name, value)), "{name} kept: {}", refused.body);
    }
    for text in ["Окна для Стеклопакета", "ООО «Стеклопакет»", "Петров Иван"]
    {
        assert!(refused.body.contains(text), "{text} by name");
    }

    // The deal form's contact.
    anna.get("/deals/new").await;
    let refused =
        anna.post("/deals", &[("title", "Витражи"), ("amount", "12,345"), ("contact_id", &contact)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(&checked("contact_id", &contact)) && refused.body.contains("Петров Иван"));

    // The activity form's three links.
    anna.get("/activities/new").await;
    let mut fields = vec![("kind", "call"), ("status", "done"), ("duration_minutes", "много")];
    fields.extend(links);
    let refused = anna.post("/activities", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for (name, value) in links {
        assert!(refused.body.contains(&checked(name, value)), "{name} kept");
    }
    assert!(refused.body.contains("Окна для Стеклопакета") && refused.body.contains("ООО «Стеклопакет»"));

    // Another manager's deal in the address: by number, never by title.
    let form = anna.get(&format!("/tasks/new?deal_id={}", theirs.deal)).await;
    assert!(form.body.contains(&checked("deal_id", theirs.deal)));
    assert!(form.body.contains(&format!("Сделка № {}", theirs.deal)));
    assert!(!form.body.contains("Стеклотайн"), "a hidden deal's title never shows");
}

/// The records picked in the task form are the task's links, on the task and in My tasks.
#[tokio::test]
async fn a_task_created_with_picked_records_is_linked_to_them() {
    on_both(|t| async move {
        let (anna, ours, _) = two_managers(&t.db).await;
        let mut browser = signed_in(&t.db, "anna@x.ru").await;
        browser.get("/tasks/new").await;
        let (deal, company, contact) =
            (ours.deal.to_string(), ours.company.to_string(), ours.contact.to_string());
        let created = browser
            .post(
                "/tasks",
                &[
                    ("title", "Отправить КП Петрову"),
                    ("due_at", "2030-01-10T09:00"),
                    ("priority", "normal"),
                    ("deal_id", &deal),
                    ("company_id", &company),
                    ("contact_id", &contact),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}: {}", t.name, created.body);
        let filter = TaskFilter { deal_id: Some(ours.deal), ..TaskFilter::default() };
        let found = tasks::list(&t.db, &anna, &filter, None, 10).await.expect("tasks").items;
        assert_eq!(found.len(), 1, "{}", t.name);
        let task = &found[0].fields;
        assert_eq!(task.title, "Отправить КП Петрову");
        assert_eq!(
            (task.deal_id, task.company_id, task.contact_id),
            (Some(ours.deal), Some(ours.company), Some(ours.contact)),
            "{}",
            t.name
        );
        let list = browser.get("/tasks").await;
        for text in ["Окна для Стеклопакета", "ООО «Стеклопакет»", "Петров Иван"]
        {
            assert!(list.body.contains(text), "{}: {text} on the list", t.name);
        }
        // Opened again, the form shows the links picked, by name.
        let edit = browser.get(&format!("/tasks/{}", found[0].id)).await;
        assert!(
            edit.body.contains(&checked("deal_id", &deal))
                && edit.body.contains(&checked("contact_id", &contact))
        );
        t
    })
    .await;
}

/// A record picked among the found ones stays picked when the user searches again: the search
/// box sends it along, and the answer keeps it checked, first when the new search misses it,
/// by name, and only if the user may see it.
#[tokio::test]
async fn a_picked_record_stays_checked_through_another_search() {
    on_both(|t| async move {
        let (_, ours, theirs) = two_managers(&t.db).await;
        let mut anna = signed_in(&t.db, "anna@x.ru").await;
        let name = &t.name;

        // Still among the results: checked there, once.
        let path = format!("/deals/suggest?deal_q={}&deal_id={}", enc("Окна для"), ours.deal);
        let found = fragment(&mut anna, &path).await;
        assert!(found.contains(&checked("deal_id", ours.deal)), "{name}: {found}");
        assert_eq!(found.matches(&radio("deal_id", ours.deal)).count(), 1, "{name}: {found}");

        // Not found by the new text: kept first, checked, by its title.
        let path = format!("/deals/suggest?deal_q={}&deal_id={}", enc("Нет такого"), ours.deal);
        let found = fragment(&mut anna, &path).await;
        assert!(found.contains(&checked("deal_id", ours.deal)), "{name}: {found}");
        assert!(found.contains("Окна для Стеклопакета"), "{name}: {found}");
        let path = format!("/contacts/suggest?contact_q={}&contact_id={}", enc("Сидоров"), ours.contact);
        let found = fragment(&mut anna, &path).await;
        assert!(found.contains(&checked("contact_id", ours.contact)), "{name}: {found}");
        assert!(found.contains("Петров Иван"), "{name}: {found}");
        let path = format!("/companies/suggest?company_q={}&company_id={}", enc("Рога"), ours.company);
        let found = fragment(&mut anna, &path).await;
        assert!(found.contains(&checked("company_id", ours.company)), "{name}: {found}");
        assert!(found.contains("ООО «Стеклопакет»"), "{name}: {found}");

        // Another manager's deal sent along is named by number only, never by its title.
        let path = format!("/deals/suggest?deal_q={}&deal_id={}", enc("Нет такого"), theirs.deal);
        let found = fragment(&mut anna, &path).await;
        assert!(!found.contains("Стеклотайн"), "{name}: {found}");
        t
    })
    .await;
}
