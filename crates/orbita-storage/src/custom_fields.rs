//! Custom fields: their definitions, the SQL that reads a value out of a record's `custom`
//! JSON (for filters, sorts and indexes alike, so an index and the query that needs it name
//! the same expression), and the indexes an "indexed" field gets.
//!
//! Keys reach the SQL text as JSON paths and index names. They are checked by
//! `custom::key_is_valid` when a field is made and again here, and the tables are the kinds'
//! own: nothing from a request is spliced in.

use orbita_domain::Timestamp;
use orbita_domain::custom::{
    CustomField, CustomFieldSpec, CustomType, CustomValues, key_is_valid, values_to_json,
};
use orbita_domain::kind::RecordKind;
use sea_query::{Expr, ExprTrait, Order, Query, SimpleExpr};

use crate::db::{Backend, Db, Tx};
use crate::error::{Result, StorageError};
use crate::values::corrupt;

const TABLE: &str = "custom_fields";
const COLUMNS: [&str; 13] = [
    "id",
    "kind",
    "key",
    "type",
    "label_ru",
    "label_en",
    "options",
    "link_kind",
    "required",
    "indexed",
    "group_name",
    "position",
    "removed_at",
];

#[derive(sqlx::FromRow)]
struct FieldRow {
    id: i64,
    kind: String,
    key: String,
    #[sqlx(rename = "type")]
    ty: String,
    label_ru: String,
    label_en: String,
    options: String,
    link_kind: Option<String>,
    required: bool,
    indexed: bool,
    group_name: Option<String>,
    position: i32,
    removed_at: Option<Timestamp>,
}

impl TryFrom<FieldRow> for CustomField {
    type Error = StorageError;

    fn try_from(row: FieldRow) -> Result<Self> {
        let kind =
            RecordKind::parse_list_key(&row.kind).ok_or_else(|| corrupt(format!("kind {:?}", row.kind)))?;
        if !key_is_valid(&row.key) {
            return Err(corrupt(format!("custom field key {:?}", row.key)));
        }
        Ok(CustomField {
            id: row.id,
            kind,
            key: row.key,
            ty: CustomType::parse(&row.ty)
                .ok_or_else(|| corrupt(format!("custom field type {:?}", row.ty)))?,
            label_ru: row.label_ru,
            label_en: row.label_en,
            options: serde_json::from_str(&row.options).map_err(corrupt)?,
            link_kind: row.link_kind.as_deref().and_then(RecordKind::parse_list_key),
            required: row.required,
            indexed: row.indexed,
            group: row.group_name,
            position: row.position,
            removed_at: row.removed_at,
        })
    }
}

fn select(kind: RecordKind) -> sea_query::SelectStatement {
    Query::select()
        .columns(COLUMNS)
        .from(TABLE)
        .and_where(Expr::col("kind").eq(kind.list_key()))
        .order_by("position", Order::Asc)
        .order_by("id", Order::Asc)
        .to_owned()
}

/// Every field of a kind, removed ones included, in the order shown.
pub async fn list(db: &Db, kind: RecordKind) -> Result<Vec<CustomField>> {
    db.fetch_all::<FieldRow>(&select(kind)).await?.into_iter().map(CustomField::try_from).collect()
}

/// The same inside a write: a record's values are checked against the fields as they are
/// when it is saved.
pub async fn list_in(tx: &mut Tx, kind: RecordKind) -> Result<Vec<CustomField>> {
    tx.fetch_all::<FieldRow>(&select(kind)).await?.into_iter().map(CustomField::try_from).collect()
}

fn spec_values(spec: &CustomFieldSpec) -> [(&'static str, sea_query::Value); 9] {
    [
        ("type", spec.ty.as_str().into()),
        ("label_ru", spec.label_ru.clone().into()),
        ("label_en", spec.label_en.clone().into()),
        ("options", serde_json::Value::from(spec.options.clone()).to_string().into()),
        ("link_kind", spec.link_kind.map(|k| k.list_key()).into()),
        ("required", spec.required.into()),
        ("indexed", spec.indexed.into()),
        ("group_name", spec.group.clone().into()),
        ("position", spec.position.into()),
    ]
}

pub async fn insert(tx: &mut Tx, kind: RecordKind, spec: &CustomFieldSpec, now: Timestamp) -> Result<i64> {
    let mut columns = vec![("kind", kind.list_key().into()), ("key", spec.key.clone().into())];
    columns.extend(spec_values(spec));
    columns.extend([("created_at", now.into()), ("updated_at", now.into())]);
    let (names, values): (Vec<_>, Vec<_>) = columns.into_iter().map(|(n, v)| (n, Expr::val(v))).unzip();
    tx.insert(Query::insert().into_table(TABLE).columns(names).values_panic(values).to_owned()).await
}

/// Saves a changed definition (its key and type stay, as `CustomFieldInput::validate_change`
/// keeps them).
pub async fn update(tx: &mut Tx, id: i64, spec: &CustomFieldSpec, now: Timestamp) -> Result<()> {
    let mut stmt = Query::update();
    stmt.table(TABLE)
        .values(spec_values(spec).map(|(n, v)| (n, Expr::val(v))))
        .value("updated_at", now)
        .and_where(Expr::col("id").eq(id));
    match tx.execute(&stmt).await? {
        0 => Err(StorageError::NotFound),
        _ => Ok(()),
    }
}

/// Marks a field removed (`Some`) or back (`None`); its values stay in the records.
pub async fn set_removed(tx: &mut Tx, id: i64, removed_at: Option<Timestamp>, now: Timestamp) -> Result<()> {
    let mut stmt = Query::update();
    stmt.table(TABLE)
        .value("removed_at", removed_at)
        .value("updated_at", now)
        .and_where(Expr::col("id").eq(id));
    match tx.execute(&stmt).await? {
        0 => Err(StorageError::NotFound),
        _ => Ok(()),
    }
}

/// Deletes a removed field for good: its definition, its indexes and its values in every
/// record of its kind. Returns how many records held a value.
pub async fn purge(tx: &mut Tx, field: &CustomField) -> Result<u64> {
    drop_indexes(tx, field).await?;
    let table = field.kind.table();
    let key = checked_key(field)?;
    let sql = match tx.backend() {
        Backend::Sqlite => format!(
            "UPDATE {table} SET custom = json_remove(custom, '$.{key}') WHERE json_type(custom, '$.{key}') IS NOT NULL"
        ),
        Backend::Postgres => format!(
            "UPDATE {table} SET custom = (CAST(custom AS jsonb) - '{key}')::text WHERE CAST(custom AS jsonb) -> '{key}' IS NOT NULL"
        ),
    };
    let cleared = tx.execute_ddl(&sql).await?;
    tx.execute(&Query::delete().from_table(TABLE).and_where(Expr::col("id").eq(field.id)).to_owned()).await?;
    Ok(cleared)
}

fn checked_key(field: &CustomField) -> Result<&str> {
    if key_is_valid(&field.key) {
        Ok(&field.key)
    } else {
        Err(corrupt(format!("custom key {:?}", field.key)))
    }
}

/// The SQL text of a field's value in a row of `table` (`None`: unqualified, as an index
/// names it): the stored JSON value as text, or as an integer / boolean for such fields, so it
/// compares with the bound values of `filter_sql`.
pub fn value_sql(backend: Backend, table: Option<&str>, key: &str, ty: CustomType) -> String {
    let column = match table {
        Some(table) => format!("\"{table}\".\"custom\""),
        None => "custom".to_owned(),
    };
    match backend {
        Backend::Sqlite => format!("json_extract({column}, '$.{key}')"),
        Backend::Postgres => {
            let text = format!("(CAST({column} AS jsonb) ->> '{key}')");
            match ty {
                _ if ty.is_integer() => format!("CAST({text} AS BIGINT)"),
                CustomType::Bool => format!("CAST({text} AS BOOLEAN)"),
                _ => text,
            }
        }
    }
}

/// The SQL text a list sorts by: the value with a stand-in for "none" (the lowest), so keyset
/// paging never meets a NULL and both databases put empty values in the same place.
pub fn sort_sql(backend: Backend, table: Option<&str>, key: &str, ty: CustomType) -> String {
    let value = value_sql(backend, table, key, ty);
    match (ty, backend) {
        (ty, _) if ty.is_integer() => format!("COALESCE({value}, {})", i64::MIN + 1),
        (CustomType::Bool, Backend::Sqlite) => format!("COALESCE({value}, -1)"),
        (CustomType::Bool, Backend::Postgres) => format!("COALESCE(CAST({value} AS INTEGER), -1)"),
        _ => format!("COALESCE({value}, '')"),
    }
}

/// The value expression for a query builder.
pub fn value_expr(backend: Backend, table: &str, key: &str, ty: CustomType) -> SimpleExpr {
    Expr::cust(value_sql(backend, Some(table), key, ty))
}

/// The sort expression for a query builder.
pub fn sort_expr(backend: Backend, table: &str, key: &str, ty: CustomType) -> SimpleExpr {
    Expr::cust(sort_sql(backend, Some(table), key, ty))
}

fn index_names(field: &CustomField) -> [String; 2] {
    let table = field.kind.table();
    [format!("custom_{table}_{}", field.key), format!("custom_{table}_{}_sort", field.key)]
}

/// The indexes of an indexed field: its value, then the kind's name column and id (a
/// filtered list in name order reads the index in order), and its sort value with the id (a
/// list sorted by the field pages along it). Each as (name, what it indexes).
fn indexes(backend: Backend, field: &CustomField) -> Result<[(String, String); 2]> {
    let key = checked_key(field)?;
    let table = field.kind.table();
    let [by_value, by_sort] = index_names(field);
    let value = value_sql(backend, None, key, field.ty);
    let sort = sort_sql(backend, None, key, field.ty);
    let name = field.kind.name_column();
    Ok([(by_value, format!("{table} (({value}), {name}, id)")), (by_sort, format!("{table} (({sort}), id)"))])
}

/// Builds an indexed field's indexes inside a write (the demo loader's). `IF NOT EXISTS`:
/// building them twice, or on two instances at once, is harmless.
pub async fn create_indexes(tx: &mut Tx, field: &CustomField) -> Result<()> {
    for (name, on) in indexes(tx.backend(), field)? {
        tx.execute_ddl(&format!("CREATE INDEX IF NOT EXISTS {name} ON {on}")).await?;
    }
    Ok(())
}

/// Builds an indexed field's indexes as a job of their own, outside any transaction: on
/// PostgreSQL `CONCURRENTLY`, so a million records go on being written while it runs (an
/// index a failed build left invalid is dropped and built again); SQLite builds them as
/// usual, its writes taking turns anyway.
pub async fn build_indexes(db: &Db, field: &CustomField) -> Result<()> {
    if db.backend() == Backend::Sqlite {
        let mut tx = db.begin().await?;
        create_indexes(&mut tx, field).await?;
        return tx.commit().await;
    }
    for (name, on) in indexes(Backend::Postgres, field)? {
        let invalid = postgres_indexes(std::slice::from_ref(&name), false);
        if db.fetch_optional::<(String,)>(&invalid).await?.is_some() {
            db.execute_ddl(&format!("DROP INDEX CONCURRENTLY IF EXISTS {name}")).await?;
        }
        db.execute_ddl(&format!("CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {on}")).await?;
    }
    Ok(())
}

/// The names among `names` of PostgreSQL indexes that are usable (`valid`), or that a failed
/// concurrent build left unusable.
fn postgres_indexes(names: &[String], valid: bool) -> sea_query::SelectStatement {
    Query::select()
        .expr(Expr::col(("c", "relname")))
        .from_as("pg_index", "i")
        .join_as(
            sea_query::JoinType::InnerJoin,
            "pg_class",
            "c",
            Expr::col(("c", "oid")).equals(("i", "indexrelid")),
        )
        .and_where(Expr::col(("c", "relname")).is_in(names.iter().map(String::as_str)))
        .and_where(Expr::col(("i", "indisvalid")).eq(valid))
        .to_owned()
}

/// Whether an indexed field's indexes are built and usable (a job builds them).
pub async fn indexes_built(db: &Db, field: &CustomField) -> Result<bool> {
    let names = index_names(field);
    let stmt = match db.backend() {
        Backend::Sqlite => Query::select()
            .column("name")
            .from("sqlite_master")
            .and_where(Expr::col("type").eq("index"))
            .and_where(Expr::col("name").is_in(names.iter().map(String::as_str)))
            .to_owned(),
        Backend::Postgres => postgres_indexes(&names, true),
    };
    Ok(db.fetch_all::<(String,)>(&stmt).await?.len() == names.len())
}

/// One field by id, removed or not.
pub async fn get(db: &Db, id: i64) -> Result<Option<CustomField>> {
    let stmt = Query::select().columns(COLUMNS).from(TABLE).and_where(Expr::col("id").eq(id)).to_owned();
    db.fetch_optional::<FieldRow>(&stmt).await?.map(CustomField::try_from).transpose()
}

pub async fn drop_indexes(tx: &mut Tx, field: &CustomField) -> Result<()> {
    checked_key(field)?;
    for name in index_names(field) {
        tx.execute_ddl(&format!("DROP INDEX IF EXISTS {name}")).await?;
    }
    Ok(())
}

/// Saves a record's custom values, inside the write that checked them. `touched`: the values
/// are the write's only change, so the record's version and time move on as for any edit
/// (an edit that also saved fields has moved them already).
pub async fn write_values(
    tx: &mut Tx,
    kind: RecordKind,
    id: i64,
    values: &CustomValues,
    touched: Option<Timestamp>,
) -> Result<()> {
    let mut stmt = Query::update();
    stmt.table(kind.table()).value("custom", values_to_json(values)).and_where(Expr::col("id").eq(id));
    if let Some(now) = touched {
        stmt.value("updated_at", now).value("version", Expr::col("version").add(1));
    }
    match tx.execute(&stmt).await? {
        0 => Err(StorageError::NotFound),
        _ => Ok(()),
    }
}
