//! A company shared with a manager: seen in the list, on its card and in search only while
//! the share lasts; sharing and transferring from the card (a company's or a contact's) are
//! audited.

mod support;

use axum::http::StatusCode;
use orbita_app::Access;
use orbita_domain::UserId;
use orbita_domain::audit::AuditAction;
use orbita_domain::company::{Company, CompanyInput};
use orbita_domain::contact::ContactInput;
use orbita_storage::audit::AuditFilter;
use orbita_testkit::{TestDb, on_both};
use support::{Browser, PASSWORD, with_user};

async fn company_of(t: &TestDb, owner: UserId, name: &str) -> Company {
    let access = Access::load(&t.db, owner, None).await.expect("access");
    let input = CompanyInput { name: name.into(), ..CompanyInput::default() };
    orbita_app::companies::create(&t.db, &access, &input, None).await.expect("company")
}

async fn company_events(t: &TestDb, action: AuditAction) -> Vec<orbita_domain::audit::AuditEvent> {
    let filter =
        AuditFilter { entity: Some("company".into()), action: Some(action), ..AuditFilter::default() };
    orbita_storage::audit::list(&t.db, &filter, None, 100).await.expect("audit").items
}

/// Whether the manager finds the company in the list, on its card and in search.
async fn sees(browser: &mut Browser, company: &Company) -> [bool; 3] {
    let list = browser.get("/companies?q=%D0%9F%D0%BE%D0%BB%D1%8F%D1%80%D0%BD%D0%B0%D1%8F").await;
    let card = browser.get(&format!("/companies/{}", company.id)).await;
    let search = browser.get("/search?q=%D0%9F%D0%BE%D0%BB%D1%8F%D1%80%D0%BD%D0%B0%D1%8F").await;
    let href = format!("/companies/{}\"", company.id);
    [list.body.contains(&href), card.status == StatusCode::OK, search.body.contains(&href)]
}

#[tokio::test]
async fn a_manager_sees_a_company_only_while_it_is_shared_with_them() {
    on_both(|t| async move {
        let anna = with_user(&t.db, "anna@x.ru", "manager").await;
        let boris = with_user(&t.db, "boris@x.ru", "manager").await;
        let company = company_of(&t, anna, "Полярная звезда").await;
        let mut boris_browser = Browser::new(&t.db);
        boris_browser.sign_in("boris@x.ru", PASSWORD).await;
        assert_eq!(sees(&mut boris_browser, &company).await, [false; 3], "{}: not shared yet", t.name);

        let mut anna_browser = Browser::new(&t.db);
        anna_browser.sign_in("anna@x.ru", PASSWORD).await;
        let card = anna_browser.get(&format!("/companies/{}", company.id)).await;
        assert!(card.body.contains(&format!("action=\"/companies/{}/shares\"", company.id)), "Share with…");
        let with = boris.to_string();
        let shared =
            anna_browser.post(&format!("/companies/{}/shares", company.id), &[("user_id", &with)]).await;
        assert_eq!(shared.status, StatusCode::SEE_OTHER, "{}", shared.body);
        let card = anna_browser.get(&format!("/companies/{}", company.id)).await;
        assert!(card.body.contains(&format!("/shares/{boris}/delete")), "listed with a remove button");

        assert_eq!(sees(&mut boris_browser, &company).await, [true; 3], "{}: shared", t.name);
        let card = boris_browser.get(&format!("/companies/{}", company.id)).await;
        assert!(!card.body.contains("/shares/"), "only the owner's side may share further");

        let removed =
            anna_browser.post(&format!("/companies/{}/shares/{boris}/delete", company.id), &[]).await;
        assert_eq!(removed.status, StatusCode::SEE_OTHER);
        assert_eq!(sees(&mut boris_browser, &company).await, [false; 3], "{}: unshared", t.name);

        let events = company_events(&t, AuditAction::Update).await;
        let shares: Vec<(Option<&str>, Option<&str>)> = events
            .iter()
            .rev()
            .flat_map(|e| e.changes.iter())
            .filter(|c| c.field == "shared_with")
            .map(|c| (c.before.as_deref(), c.after.as_deref()))
            .collect();
        assert_eq!(shares, vec![(None, Some(with.as_str())), (Some(with.as_str()), None)]);
        t
    })
    .await;
}

/// A head of sales sees their group's companies; one shared with them by someone outside the
/// group is in their list and opens on its card too (read-only), and neither after the share
/// is removed.
#[tokio::test]
async fn a_head_of_sales_opens_a_company_shared_from_outside_their_group() {
    on_both(|t| async move {
        let anna = with_user(&t.db, "anna@x.ru", "manager").await;
        let head = with_user(&t.db, "head@x.ru", "head_of_sales").await;
        let boris = with_user(&t.db, "boris@x.ru", "manager").await;
        let now = orbita_domain::now();
        let mut tx = t.db.begin().await.expect("begin");
        let group = orbita_storage::users::insert_group(&mut tx, "Отдел Б", now).await.expect("group");
        for member in [head, boris] {
            orbita_storage::users::add_to_group(&mut tx, group, member, now).await.expect("member");
        }
        tx.commit().await.expect("commit");
        let company = company_of(&t, anna, "Полярная звезда").await;
        let mut head_browser = Browser::new(&t.db);
        head_browser.sign_in("head@x.ru", PASSWORD).await;
        assert_eq!(sees(&mut head_browser, &company).await, [false; 3], "{}: outside the group", t.name);

        let mut anna_browser = Browser::new(&t.db);
        anna_browser.sign_in("anna@x.ru", PASSWORD).await;
        let with = head.to_string();
        let shared =
            anna_browser.post(&format!("/companies/{}/shares", company.id), &[("user_id", &with)]).await;
        assert_eq!(shared.status, StatusCode::SEE_OTHER, "{}", shared.body);
        assert_eq!(sees(&mut head_browser, &company).await, [true; 3], "{}: shared", t.name);
        let card = head_browser.get(&format!("/companies/{}", company.id)).await;
        assert!(card.body.contains("Полярная звезда"), "{}", t.name);
        assert!(!card.body.contains(&format!("/companies/{}/edit", company.id)), "{}: read-only", t.name);
        // The share lets a group-scope head see the company, not change it.
        let head_access = Access::load(&t.db, head, None).await.expect("access");
        let edit = CompanyInput { name: "Переименована".into(), ..CompanyInput::default() };
        let refused = orbita_app::companies::update(&t.db, &head_access, company.id, &edit, None).await;
        assert!(matches!(refused, Err(orbita_app::AppError::Forbidden)), "{}: {refused:?}", t.name);

        let removed =
            anna_browser.post(&format!("/companies/{}/shares/{head}/delete", company.id), &[]).await;
        assert_eq!(removed.status, StatusCode::SEE_OTHER);
        assert_eq!(sees(&mut head_browser, &company).await, [false; 3], "{}: unshared", t.name);
        let card = head_browser.get(&format!("/companies/{}", company.id)).await;
        assert_eq!(card.status, StatusCode::NOT_FOUND, "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn sharing_is_refused_to_someone_who_may_not_edit_the_company() {
    on_both(|t| async move {
        let anna = with_user(&t.db, "anna@x.ru", "manager").await;
        let boris = with_user(&t.db, "boris@x.ru", "manager").await;
        let company = company_of(&t, anna, "Полярная звезда").await;
        let mut boris_browser = Browser::new(&t.db);
        boris_browser.sign_in("boris@x.ru", PASSWORD).await;
        let me = boris.to_string();
        let attempt =
            boris_browser.post(&format!("/companies/{}/shares", company.id), &[("user_id", &me)]).await;
        assert_eq!(attempt.status, StatusCode::NOT_FOUND, "{}", t.name);
        assert!(orbita_storage::access::company_shares(&t.db, company.id).await.expect("shares").is_empty());
        t
    })
    .await;
}

#[tokio::test]
async fn the_company_card_transfers_the_owner_and_the_previous_one_loses_it() {
    on_both(|t| async move {
        let admin = with_user(&t.db, "admin@x.ru", "administrator").await;
        let anna = with_user(&t.db, "anna@x.ru", "manager").await;
        let boris = with_user(&t.db, "boris@x.ru", "manager").await;
        let company = company_of(&t, anna, "Полярная звезда").await;
        let mut admin_browser = Browser::new(&t.db);
        admin_browser.sign_in("admin@x.ru", PASSWORD).await;
        let card = admin_browser.get(&format!("/companies/{}", company.id)).await;
        assert!(card.body.contains(&format!("action=\"/companies/{}/owner\"", company.id)));
        let to = boris.to_string();
        let moved =
            admin_browser.post(&format!("/companies/{}/owner", company.id), &[("owner_id", &to)]).await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
        assert!(moved.location().contains("notice=owner-changed"));
        let now = orbita_storage::companies::get(&t.db, company.id).await.expect("company");
        assert_eq!(now.owner_id, boris);
        let events = company_events(&t, AuditAction::OwnerChange).await;
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].actor_id, Some(admin));
        let mut anna_browser = Browser::new(&t.db);
        anna_browser.sign_in("anna@x.ru", PASSWORD).await;
        let card = anna_browser.get(&format!("/companies/{}", company.id)).await;
        assert_eq!(card.status, StatusCode::NOT_FOUND, "{}", t.name);
        t
    })
    .await;
}

// --- A contact's owner, from its card --------------------------------------------------------

#[tokio::test]
async fn the_contact_card_transfers_the_owner_and_the_previous_one_loses_it() {
    on_both(|t| async move {
        let admin = with_user(&t.db, "admin@x.ru", "administrator").await;
        let anna = with_user(&t.db, "anna@x.ru", "manager").await;
        let boris = with_user(&t.db, "boris@x.ru", "manager").await;
        let as_anna = Access::load(&t.db, anna, None).await.expect("access");
        let input = ContactInput { last_name: "Петров".into(), ..ContactInput::default() };
        let contact = orbita_app::contacts::create(&t.db, &as_anna, &input, None).await.expect("contact");
        let card_path = format!("/contacts/{}", contact.id);
        let owner_path = format!("/contacts/{}/owner", contact.id);

        // A manager may give their contacts to nobody else: no form, and a forged post is refused.
        let mut anna_browser = Browser::new(&t.db);
        anna_browser.sign_in("anna@x.ru", PASSWORD).await;
        let card = anna_browser.get(&card_path).await;
        assert_eq!(card.status, StatusCode::OK);
        assert!(!card.body.contains(&format!("action=\"{owner_path}\"")), "{}", t.name);
        let to = boris.to_string();
        let refused = anna_browser.post(&owner_path, &[("owner_id", &to)]).await;
        assert!(refused.location().contains("notice=contact-owner-refused"), "{}", t.name);
        assert_eq!(orbita_storage::contacts::get(&t.db, contact.id).await.expect("contact").owner_id, anna);

        let mut admin_browser = Browser::new(&t.db);
        admin_browser.sign_in("admin@x.ru", PASSWORD).await;
        let card = admin_browser.get(&card_path).await;
        assert!(card.body.contains(&format!("action=\"{owner_path}\"")), "{}", t.name);
        let moved = admin_browser.post(&owner_path, &[("owner_id", &to)]).await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
        assert_eq!(moved.location(), format!("{card_path}?notice=owner-changed"));
        assert!(admin_browser.get(moved.location()).await.body.contains("alert--success"));
        assert_eq!(orbita_storage::contacts::get(&t.db, contact.id).await.expect("contact").owner_id, boris);
        let filter = AuditFilter {
            entity: Some("contact".into()),
            entity_id: Some(contact.id.0),
            action: Some(AuditAction::OwnerChange),
            ..AuditFilter::default()
        };
        let events = orbita_storage::audit::list(&t.db, &filter, None, 10).await.expect("audit").items;
        assert_eq!(events.len(), 1, "{}", t.name);
        assert_eq!(events[0].actor_id, Some(admin));
        let (before, after) = (anna.to_string(), boris.to_string());
        let change = &events[0].changes[0];
        assert_eq!(
            (change.field.as_str(), change.before.as_deref(), change.after.as_deref()),
            ("owner_id", Some(before.as_str()), Some(after.as_str()))
        );

        assert_eq!(anna_browser.get(&card_path).await.status, StatusCode::NOT_FOUND, "{}", t.name);
        let mut boris_browser = Browser::new(&t.db);
        boris_browser.sign_in("boris@x.ru", PASSWORD).await;
        assert_eq!(boris_browser.get(&card_path).await.status, StatusCode::OK, "{}", t.name);
        // Someone who does not exist cannot take it.
        let nobody = admin_browser.post(&owner_path, &[("owner_id", "999999")]).await;
        assert!(nobody.location().contains("notice=contact-owner-refused"), "{}", t.name);
        t
    })
    .await;
}

// --- Refusals change nothing (issue 13, findings 4 and 8) ------------------------------------

#[tokio::test]
async fn the_edit_form_with_a_refused_owner_saves_none_of_its_fields() {
    on_both(|t| async move {
        let anna = with_user(&t.db, "anna@x.ru", "manager").await;
        let boris = with_user(&t.db, "boris@x.ru", "manager").await;
        let company = company_of(&t, anna, "Полярная звезда").await;
        let mut anna_browser = Browser::new(&t.db);
        anna_browser.sign_in("anna@x.ru", PASSWORD).await;
        anna_browser.get(&format!("/companies/{}/edit", company.id)).await;
        let (to, version) = (boris.to_string(), company.version.to_string());
        let fields = [("name", "Северная звезда"), ("owner_id", to.as_str()), ("version", version.as_str())];
        let reply = anna_browser.post(&format!("/companies/{}", company.id), &fields).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {}", t.name, reply.body);
        let now = orbita_storage::companies::get(&t.db, company.id).await.expect("company");
        assert_eq!((now.fields.name.as_str(), now.owner_id), ("Полярная звезда", anna), "{}", t.name);
        assert!(company_events(&t, AuditAction::Update).await.is_empty(), "{}", t.name);
        assert!(company_events(&t, AuditAction::OwnerChange).await.is_empty(), "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn a_transfer_of_a_company_one_cannot_see_is_a_404_and_one_cannot_change_a_403() {
    on_both(|t| async move {
        let anna = with_user(&t.db, "anna@x.ru", "manager").await;
        let boris = with_user(&t.db, "boris@x.ru", "manager").await;
        with_user(&t.db, "reader@x.ru", "read_only").await;
        let company = company_of(&t, anna, "Полярная звезда").await;
        let owner_path = format!("/companies/{}/owner", company.id);
        let me = boris.to_string();

        let mut boris_browser = Browser::new(&t.db);
        boris_browser.sign_in("boris@x.ru", PASSWORD).await;
        let unseen = boris_browser.post(&owner_path, &[("owner_id", &me)]).await;
        assert_eq!(unseen.status, StatusCode::NOT_FOUND, "{}: {}", t.name, unseen.location());

        let mut reader_browser = Browser::new(&t.db);
        reader_browser.sign_in("reader@x.ru", PASSWORD).await;
        let seen = reader_browser.post(&owner_path, &[("owner_id", &me)]).await;
        assert_eq!(seen.status, StatusCode::FORBIDDEN, "{}: {}", t.name, seen.location());

        let now = orbita_storage::companies::get(&t.db, company.id).await.expect("company");
        assert_eq!(now.owner_id, anna, "{}", t.name);
        assert!(company_events(&t, AuditAction::OwnerChange).await.is_empty(), "{}", t.name);
        t
    })
    .await;
}
