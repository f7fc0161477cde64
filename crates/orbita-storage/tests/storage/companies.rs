//! Companies on both databases: round trip, conflicts, search, keyset pagination.

use orbita_domain::company::{CompanyFields, CompanyInput};
use orbita_domain::validation::Inn;
use orbita_domain::{CompanyId, UserId, now};
use orbita_storage::companies::{self, CompanyFilter, CompanySort};
use orbita_storage::{Db, StorageError, Visibility, access};

use orbita_testkit::on_both;

fn fields(name: &str, inn: &str, kpp: &str) -> CompanyFields {
    CompanyInput {
        name: name.into(),
        inn: inn.into(),
        kpp: kpp.into(),
        phones: "+7 495 123-45-67".into(),
        emails: format!("info@{}.ru", inn),
        region: "Москва".into(),
        ..Default::default()
    }
    .validate()
    .expect("valid company")
}

async fn insert(db: &Db, f: &CompanyFields, owner: UserId) -> Result<orbita_domain::CompanyId, StorageError> {
    let mut tx = db.begin().await?;
    let id = companies::insert(&mut tx, f, owner, Some(owner), now()).await?;
    tx.commit().await?;
    Ok(id)
}

fn valid_inn(n: u32) -> String {
    Inn::with_check_digits(&format!("77{n:07}")).expect("inn").as_str().to_owned()
}

#[tokio::test]
async fn company_round_trips_and_updates_with_version_check() {
    on_both(|t| async move {
        let owner = t.user("owner@example.com").await;
        let original = fields("ООО «Ромашка»", "7707083893", "773601001");
        let id = insert(&t.db, &original, owner).await.expect("insert");
        let stored = companies::get(&t.db, id).await.expect("get");
        assert_eq!(stored.fields, original, "{}", t.name);
        assert_eq!((stored.owner_id, stored.version), (owner, 1));

        let changed = CompanyFields { name: "ООО «Ромашка-2»".into(), ..original.clone() };
        let mut tx = t.db.begin().await.expect("begin");
        companies::update(&mut tx, id, &changed, Some(1), now()).await.expect("update");
        let stale = companies::update(&mut tx, id, &changed, Some(1), now()).await;
        assert!(matches!(stale, Err(StorageError::StaleVersion)), "{}: {stale:?}", t.name);
        let missing =
            companies::update(&mut tx, orbita_domain::CompanyId(999_999), &changed, None, now()).await;
        assert!(matches!(missing, Err(StorageError::NotFound)), "{}: {missing:?}", t.name);
        tx.commit().await.expect("commit");
        let stored = companies::get(&t.db, id).await.expect("get");
        assert_eq!((stored.fields.name.as_str(), stored.version), ("ООО «Ромашка-2»", 2));
        t
    })
    .await;
}

#[tokio::test]
async fn same_inn_and_kpp_is_a_conflict_but_another_kpp_is_a_branch() {
    on_both(|t| async move {
        let owner = t.user("owner@example.com").await;
        insert(&t.db, &fields("Head office", "7707083893", "773601001"), owner).await.expect("first");
        let duplicate = insert(&t.db, &fields("Copy", "7707083893", "773601001"), owner).await;
        match duplicate {
            Err(StorageError::Conflict { constraint }) => {
                assert_eq!(constraint, "companies_inn_kpp", "{}", t.name)
            }
            other => panic!("{}: expected a conflict, got {other:?}", t.name),
        }
        insert(&t.db, &fields("Branch", "7707083893", "775001001"), owner)
            .await
            .expect("a branch has its own KPP");
        // The failed insert rolled back whole: two companies, not three.
        let all = companies::list(&t.db, &CompanyFilter::default(), CompanySort::Name, false, None, 10)
            .await
            .expect("list");
        assert_eq!(all.items.len(), 2, "{}", t.name);
        t
    })
    .await;
}

/// The layers above answer "a record it refers to is gone" without reading SQL errors.
#[tokio::test]
async fn a_reference_to_a_missing_record_is_a_typed_refusal() {
    on_both(|t| async move {
        let gone = UserId(999_999);
        let refused = insert(&t.db, &fields("Ничья", "7707083893", "773601001"), gone).await;
        assert!(matches!(refused, Err(StorageError::MissingReference)), "{}: {refused:?}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn search_finds_by_inn_kpp_name_fragment_phone_and_email() {
    on_both(|t| async move {
        let owner = t.user("owner@example.com").await;
        insert(&t.db, &fields("ООО «Ромашка»", "7707083893", "773601001"), owner).await.expect("insert");
        insert(&t.db, &fields("ACME Trading", "7736207543", "770401001"), owner).await.expect("insert");
        insert(&t.db, &fields("Василёк и партнёры", &valid_inn(1), "771001001"), owner)
            .await
            .expect("insert");
        let search = |q: &str| {
            let filter = CompanyFilter { q: Some(q.into()), ..Default::default() };
            let db = t.db.clone();
            async move {
                let page =
                    companies::list(&db, &filter, CompanySort::Name, false, None, 50).await.expect("search");
                page.items.into_iter().map(|c| c.fields.name).collect::<Vec<_>>()
            }
        };
        assert_eq!(search("7707083893").await, ["ООО «Ромашка»"], "{} by INN", t.name);
        assert_eq!(search("770401001").await, ["ACME Trading"], "{} by KPP", t.name);
        assert_eq!(search("ромаш").await, ["ООО «Ромашка»"], "{} Cyrillic, any case", t.name);
        assert_eq!(search("acme").await, ["ACME Trading"], "{} Latin, any case", t.name);
        assert_eq!(search("info@7736207543").await, ["ACME Trading"], "{} by e-mail", t.name);
        assert_eq!(search("1234567").await.len(), 3, "{} by phone digits", t.name);
        // Whole identifiers go through their index; digits shaped like one that nobody has
        // are still a substring search.
        assert_eq!(search(" 773601001 ").await, ["ООО «Ромашка»"], "{} by a whole KPP", t.name);
        assert_eq!(search("770708389").await, ["ООО «Ромашка»"], "{} 9 digits of an INN", t.name);
        assert_eq!(search("4951234567").await.len(), 3, "{} 10 digits of a phone", t.name);
        assert!(search("nothing like this").await.is_empty(), "{}", t.name);
        assert_eq!(search("%").await.len(), 0, "{} LIKE wildcards are literal", t.name);
        let exact = CompanyFilter { inn: Some("7736207543".into()), ..Default::default() };
        let page = companies::list(&t.db, &exact, CompanySort::Name, false, None, 50).await.expect("by inn");
        assert_eq!(page.items.len(), 1, "{} exact INN filter", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn keyset_pages_cover_every_company_once_in_order() {
    on_both(|t| async move {
        let owner = t.user("owner@example.com").await;
        let other = t.user("other@example.com").await;
        // Equal names force the id tie-breaker.
        for n in 0..23u32 {
            let name = format!("Company {:02}", n / 2);
            let who = if n % 3 == 0 { other } else { owner };
            insert(&t.db, &fields(&name, &valid_inn(n), "770101001"), who).await.expect("insert");
        }
        for descending in [false, true] {
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let page = companies::list(
                    &t.db,
                    &CompanyFilter::default(),
                    CompanySort::Name,
                    descending,
                    after.as_ref(),
                    5,
                )
                .await
                .expect("page");
                assert!(page.items.len() <= 5);
                seen.extend(page.items.iter().map(|c| (c.fields.name.clone(), c.id.0)));
                match page.next {
                    Some(cursor) => after = Some(cursor),
                    None => break,
                }
            }
            let mut expected = seen.clone();
            expected.sort();
            if descending {
                expected.reverse();
            }
            assert_eq!(seen.len(), 23, "{}", t.name);
            assert_eq!(seen, expected, "{} descending={descending}", t.name);
        }
        let mine = CompanyFilter { owner_ids: Some(vec![owner]), ..Default::default() };
        let page =
            companies::list(&t.db, &mine, CompanySort::CreatedAt, true, None, 100).await.expect("mine");
        assert_eq!(page.items.len(), 15, "{}", t.name);
        assert!(page.items.iter().all(|c| c.owner_id == owner));
        t
    })
    .await;
}

#[tokio::test]
async fn names_come_in_one_query_and_only_the_visible_ones() {
    on_both(|t| async move {
        let owner = t.user("owner@example.com").await;
        let other = t.user("other@example.com").await;
        let mine =
            insert(&t.db, &fields("ООО «Моя»", &valid_inn(1), "770101001"), owner).await.expect("insert");
        let shared =
            insert(&t.db, &fields("ООО «Общая»", &valid_inn(2), "770101001"), other).await.expect("insert");
        let theirs =
            insert(&t.db, &fields("ООО «Чужая»", &valid_inn(3), "770101001"), other).await.expect("insert");
        let mut tx = t.db.begin().await.expect("begin");
        access::share_company(&mut tx, shared, owner, now()).await.expect("share");
        tx.commit().await.expect("commit");

        let ids = [mine, shared, theirs, mine, CompanyId(999_999)];
        let mut all = companies::names(&t.db, &ids, None).await.expect("all");
        all.sort();
        assert_eq!(
            all,
            vec![
                (mine, "ООО «Моя»".to_owned()),
                (shared, "ООО «Общая»".to_owned()),
                (theirs, "ООО «Чужая»".to_owned())
            ],
            "{}",
            t.name
        );
        let scope = Visibility { owners: vec![owner], shared_with: Some(owner) };
        let mut visible = companies::names(&t.db, &ids, Some(&scope)).await.expect("visible");
        visible.sort();
        assert_eq!(
            visible,
            vec![(mine, "ООО «Моя»".to_owned()), (shared, "ООО «Общая»".to_owned())],
            "{}",
            t.name
        );
        let own_only = Visibility { owners: vec![owner], shared_with: None };
        let names = companies::names(&t.db, &ids, Some(&own_only)).await.expect("own");
        assert_eq!(names, vec![(mine, "ООО «Моя»".to_owned())], "{}", t.name);
        assert!(companies::names(&t.db, &[], None).await.expect("none").is_empty());
        t
    })
    .await;
}

/// A team's list by name is read owner by owner (see `companies::list`): page after page, both
/// directions, with the companies shared with the user and with an owner filter, it holds
/// exactly the rows, in exactly the order, of the list sorted in memory.
#[tokio::test]
async fn a_teams_list_by_name_pages_like_the_sorted_list() {
    on_both(|t| async move {
        let owners = [
            t.user("anna@example.com").await,
            t.user("boris@example.com").await,
            t.user("vera@example.com").await,
        ];
        let outsider = t.user("gleb@example.com").await;
        let mut all = Vec::new();
        for n in 0..31u32 {
            // Repeated names, so the id decides between equals across owners.
            let name = format!("Компания {}", ["Альфа", "Бета", "Вега", "Гамма", "Альфа"][n as usize % 5]);
            let owner = if n % 7 == 6 { outsider } else { owners[n as usize % 3] };
            let id =
                insert(&t.db, &fields(&name, &valid_inn(n + 100), "773601001"), owner).await.expect("insert");
            all.push((name, id, owner));
        }
        // The outsider's fourth company is shared with Anna.
        let shared = all.iter().filter(|c| c.2 == outsider).nth(3).expect("shared").1;
        let mut tx = t.db.begin().await.expect("begin");
        access::share_company(&mut tx, shared, owners[0], now()).await.expect("share");
        tx.commit().await.expect("commit");

        let scopes = [
            (
                CompanyFilter {
                    visible: Some(Visibility { owners: owners.to_vec(), shared_with: Some(owners[0]) }),
                    ..Default::default()
                },
                all.iter().filter(|c| owners.contains(&c.2) || c.1 == shared).collect::<Vec<_>>(),
            ),
            (
                CompanyFilter { owner_ids: Some(vec![owners[1], owners[2]]), ..Default::default() },
                all.iter().filter(|c| c.2 == owners[1] || c.2 == owners[2]).collect(),
            ),
        ];
        for (filter, expected) in scopes {
            for descending in [false, true] {
                let mut expected: Vec<CompanyId> = {
                    let mut rows = expected.clone();
                    rows.sort_by(|a, b| (&a.0, a.1.0).cmp(&(&b.0, b.1.0)));
                    if descending {
                        rows.reverse();
                    }
                    rows.into_iter().map(|c| c.1).collect()
                };
                let mut seen = Vec::new();
                let mut after = None;
                loop {
                    let page =
                        companies::list(&t.db, &filter, CompanySort::Name, descending, after.as_ref(), 4)
                            .await
                            .expect("page");
                    assert!(page.items.len() <= 4, "{}", t.name);
                    seen.extend(page.items.iter().map(|c| c.id));
                    match page.next {
                        Some(next) => after = Some(next),
                        None => break,
                    }
                }
                assert_eq!(
                    seen,
                    std::mem::take(&mut expected),
                    "{}: {filter:?}, descending {descending}",
                    t.name
                );
            }
        }
        t
    })
    .await;
}
