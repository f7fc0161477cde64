//! Bulk loading (the demo data set): rows of one call must share one column list.

use orbita_storage::{StorageError, bulk};
use orbita_testkit::on_both;

/// Bulk rows that do not share one column list are refused with a typed error before any
/// statement runs, where they used to panic inside the query builder.
#[tokio::test]
async fn bulk_rows_of_different_shapes_are_refused_with_a_typed_error() {
    on_both(|t| async move {
        let row = |name: &str, with_region: bool| {
            let mut row: bulk::BulkRow = vec![("name", name.into())];
            if with_region {
                row.push(("region", "Москва".into()));
            }
            row
        };
        let mut tx = t.db.begin().await.expect("tx");
        let refused = bulk::insert_rows(&mut tx, "pipelines", vec![row("A", false), row("B", true)]).await;
        assert!(
            matches!(refused, Err(StorageError::BulkShape { table: "pipelines" })),
            "{}: {refused:?}",
            t.name
        );
        t
    })
    .await;
}
