//! Web forms, their posts, and the public endpoints' rate windows.

use orbita_domain::automation::{Assignee, AssigneeKind};
use orbita_domain::web_form::{FormField, MapsTo, WebForm, WebFormFields};
use orbita_domain::{DealId, GroupId, PipelineId, StageId, Timestamp, UserId};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query, SimpleExpr};
use serde_json::{Value, json};

use crate::db::{Db, Tx};
use crate::error::Result;
use crate::values::{corrupt, table_row};

const TABLE: &str = "web_forms";
const POSTS: &str = "web_form_posts";

table_row! {
    struct Row {
        id: i64,
        key: String,
        name: String,
        active: bool,
        pipeline_id: Option<i64>,
        stage_id: Option<i64>,
        assignee_kind: String,
        assignee_user_id: Option<i64>,
        assignee_group_id: Option<i64>,
        fields: String,
        allowed_origins: String,
        thank_you: Option<String>,
        redirect_url: Option<String>,
        consent: bool,
        consent_text: Option<String>,
        created_at: Timestamp,
        updated_at: Timestamp,
    }
}

/// A form's field from its JSON column (`[{"name", "maps_to", "required", "label_ru", "label_en"}]`).
fn stored_field(v: &Value) -> Result<FormField> {
    let text = |key: &str| v.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let maps_to = MapsTo::parse(&text("maps_to")).ok_or_else(|| corrupt(format!("web form field {v}")))?;
    Ok(FormField {
        name: text("name"),
        maps_to,
        required: v.get("required").and_then(Value::as_bool).unwrap_or(false),
        label_ru: text("label_ru"),
        label_en: text("label_en"),
    })
}

impl TryFrom<Row> for WebForm {
    type Error = crate::StorageError;

    fn try_from(r: Row) -> Result<WebForm> {
        let stored: Vec<Value> = serde_json::from_str(&r.fields).map_err(corrupt)?;
        let fields = stored.iter().map(stored_field).collect::<Result<Vec<_>>>()?;
        let kind = AssigneeKind::parse(&r.assignee_kind).ok_or_else(|| corrupt("web form assignee"))?;
        let assignee =
            Assignee::from_parts(kind, r.assignee_user_id.map(UserId), r.assignee_group_id.map(GroupId))
                .ok_or_else(|| corrupt("web form assignee"))?;
        Ok(WebForm {
            id: r.id,
            key: r.key,
            fields: WebFormFields {
                name: r.name,
                active: r.active,
                pipeline_id: r.pipeline_id.map(PipelineId),
                stage_id: r.stage_id.map(StageId),
                assignee,
                fields,
                allowed_origins: r.allowed_origins.lines().map(str::to_owned).collect(),
                thank_you: r.thank_you,
                redirect_url: r.redirect_url,
                consent: r.consent,
                consent_text: r.consent_text,
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn field_columns(f: &WebFormFields) -> Vec<(&'static str, SimpleExpr)> {
    let stored: Vec<Value> = f
        .fields
        .iter()
        .map(|f| {
            json!({"name": f.name, "maps_to": f.maps_to.as_string(), "required": f.required,
                   "label_ru": f.label_ru, "label_en": f.label_en})
        })
        .collect();
    let fields = Value::Array(stored).to_string();
    vec![
        ("name", f.name.clone().into()),
        ("active", f.active.into()),
        ("pipeline_id", f.pipeline_id.map(|p| p.0).into()),
        ("stage_id", f.stage_id.map(|s| s.0).into()),
        ("assignee_kind", f.assignee.kind().as_str().into()),
        ("assignee_user_id", f.assignee.user().map(|u| u.0).into()),
        ("assignee_group_id", f.assignee.group().map(|g| g.0).into()),
        ("fields", fields.into()),
        ("allowed_origins", f.allowed_origins.join("\n").into()),
        ("thank_you", f.thank_you.clone().into()),
        ("redirect_url", f.redirect_url.clone().into()),
        ("consent", f.consent.into()),
        ("consent_text", f.consent_text.clone().into()),
    ]
}

pub async fn insert(tx: &mut Tx, fields: &WebFormFields, key: &str, now: Timestamp) -> Result<i64> {
    let (mut names, mut values): (Vec<_>, Vec<_>) = field_columns(fields).into_iter().unzip();
    names.extend(["key", "created_at", "updated_at"]);
    values.extend([key.into(), now.into(), now.into()]);
    tx.insert(Query::insert().into_table(TABLE).columns(names).values_panic(values).to_owned()).await
}

pub async fn update(tx: &mut Tx, id: i64, fields: &WebFormFields, now: Timestamp) -> Result<bool> {
    let stmt = Query::update()
        .table(TABLE)
        .values(field_columns(fields))
        .value("updated_at", now)
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    Ok(tx.execute(&stmt).await? == 1)
}

pub async fn delete(tx: &mut Tx, id: i64) -> Result<bool> {
    // The posts go first: SQLite enforces the cascade only with foreign keys switched on.
    tx.execute(&Query::delete().from_table(POSTS).and_where(Expr::col("web_form_id").eq(id)).to_owned())
        .await?;
    Ok(tx.execute(&Query::delete().from_table(TABLE).and_where(Expr::col("id").eq(id)).to_owned()).await?
        == 1)
}

pub async fn list(db: &Db) -> Result<Vec<WebForm>> {
    let stmt = Query::select().columns(COLUMNS).from(TABLE).order_by("id", Order::Asc).to_owned();
    db.fetch_all::<Row>(&stmt).await?.into_iter().map(WebForm::try_from).collect()
}

pub async fn get(db: &Db, id: i64) -> Result<Option<WebForm>> {
    let stmt = Query::select().columns(COLUMNS).from(TABLE).and_where(Expr::col("id").eq(id)).to_owned();
    db.fetch_optional::<Row>(&stmt).await?.map(WebForm::try_from).transpose()
}

pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<WebForm>> {
    let stmt = Query::select().columns(COLUMNS).from(TABLE).and_where(Expr::col("id").eq(id)).to_owned();
    tx.fetch_optional::<Row>(&stmt).await?.map(WebForm::try_from).transpose()
}

/// The form with this public key.
pub async fn by_key(db: &Db, key: &str) -> Result<Option<WebForm>> {
    let stmt = Query::select().columns(COLUMNS).from(TABLE).and_where(Expr::col("key").eq(key)).to_owned();
    db.fetch_optional::<Row>(&stmt).await?.map(WebForm::try_from).transpose()
}

/// The deal an identical post to the form made since `since`: a double click's second post.
pub async fn same_post_in(
    tx: &mut Tx,
    form: i64,
    digest: &str,
    since: Timestamp,
) -> Result<Option<Option<DealId>>> {
    let stmt = Query::select()
        .column("deal_id")
        .from(POSTS)
        .and_where(Expr::col("web_form_id").eq(form))
        .and_where(Expr::col("digest").eq(digest))
        .and_where(Expr::col("created_at").gte(since))
        .limit(1)
        .to_owned();
    Ok(tx.fetch_optional::<(Option<i64>,)>(&stmt).await?.map(|(d,)| d.map(DealId)))
}

/// Who got the form's latest request: the turn of a round-robin form goes on from them.
pub async fn last_owner_in(tx: &mut Tx, form: i64) -> Result<Option<UserId>> {
    let stmt = Query::select()
        .column("owner_id")
        .from(POSTS)
        .and_where(Expr::col("web_form_id").eq(form))
        .order_by("id", Order::Desc)
        .limit(1)
        .to_owned();
    Ok(tx.fetch_optional::<(i64,)>(&stmt).await?.map(|(u,)| UserId(u)))
}

pub async fn record_post(
    tx: &mut Tx,
    form: i64,
    digest: &str,
    deal: DealId,
    owner: UserId,
    now: Timestamp,
) -> Result<()> {
    let stmt = Query::insert()
        .into_table(POSTS)
        .columns(["web_form_id", "digest", "deal_id", "owner_id", "created_at"])
        .values_panic([form.into(), digest.into(), deal.0.into(), owner.0.into(), now.into()])
        .to_owned();
    tx.execute(&stmt).await?;
    Ok(())
}

/// Counts one request in `bucket`'s window starting at `window_start` and returns the window's
/// count so far. When a bucket's window starts, every older window is dropped, of any bucket:
/// an address seen once leaves no row behind, and the table holds little more than the current
/// window. Autocommitted: a request refused later still counts.
pub async fn count_public_request(db: &Db, bucket: &str, window_start: Timestamp) -> Result<i64> {
    let upsert = Query::insert()
        .into_table("public_rate_windows")
        .columns(["bucket", "window_start", "requests"])
        .values_panic([bucket.into(), window_start.into(), 1i64.into()])
        .on_conflict(
            OnConflict::columns(["bucket", "window_start"])
                .value("requests", Expr::col(("public_rate_windows", "requests")).add(1))
                .to_owned(),
        )
        .returning_col("requests")
        .to_owned();
    let counted: Vec<(i64,)> = db.write_returning(&upsert).await?;
    let requests = counted.first().map_or(1, |(n,)| *n);
    if requests == 1 {
        let old = Query::delete()
            .from_table("public_rate_windows")
            .and_where(Expr::col("window_start").lt(window_start))
            .to_owned();
        db.execute(&old).await?;
    }
    Ok(requests)
}
