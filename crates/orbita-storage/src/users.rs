//! Users, their roles and their groups (teams).

use orbita_domain::org::Locale;
use orbita_domain::user::{BuiltinRole, Group, NewUser, Role, User};
use orbita_domain::validation::Email;
use orbita_domain::{GroupId, RoleId, Timestamp, UserId};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query, SelectStatement};

use crate::db::{Db, Tx};
use crate::error::Result;
use crate::values::{corrupt, table_row};

table_row! {
    struct UserRow {
        id: i64,
        email: String,
        name: String,
        role_id: i64,
        is_active: bool,
        locale: Option<String>,
        created_at: Timestamp,
        updated_at: Timestamp,
    }
}

impl TryFrom<UserRow> for User {
    type Error = crate::StorageError;

    fn try_from(row: UserRow) -> Result<Self> {
        Ok(User {
            id: UserId(row.id),
            email: Email::parse(&row.email).map_err(corrupt)?,
            name: row.name,
            role_id: RoleId(row.role_id),
            is_active: row.is_active,
            locale: row.locale.as_deref().and_then(Locale::parse),
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct RoleRow {
    id: i64,
    key: String,
    name_ru: String,
    name_en: String,
    is_builtin: bool,
}

impl From<RoleRow> for Role {
    fn from(r: RoleRow) -> Self {
        Role {
            id: RoleId(r.id),
            key: r.key,
            name_ru: r.name_ru,
            name_en: r.name_en,
            is_builtin: r.is_builtin,
        }
    }
}

/// Creates the built-in roles that are missing; leaves existing ones as they are.
pub async fn ensure_builtin_roles(tx: &mut Tx, now: Timestamp) -> Result<()> {
    for role in BuiltinRole::ALL {
        let (name_ru, name_en) = role.names();
        let stmt = Query::insert()
            .into_table("roles")
            .columns(["key", "name_ru", "name_en", "is_builtin", "created_at", "updated_at"])
            .values_panic([
                role.as_str().into(),
                name_ru.into(),
                name_en.into(),
                true.into(),
                now.into(),
                now.into(),
            ])
            .on_conflict(OnConflict::column("key").do_nothing().to_owned())
            .to_owned();
        tx.execute(&stmt).await?;
    }
    Ok(())
}

pub async fn roles(db: &Db) -> Result<Vec<Role>> {
    let stmt = Query::select()
        .columns(["id", "key", "name_ru", "name_en", "is_builtin"])
        .from("roles")
        .order_by("id", Order::Asc)
        .to_owned();
    Ok(db.fetch_all::<RoleRow>(&stmt).await?.into_iter().map(Role::from).collect())
}

pub async fn role_by_key(db: &Db, key: &str) -> Result<Role> {
    let stmt = Query::select()
        .columns(["id", "key", "name_ru", "name_en", "is_builtin"])
        .from("roles")
        .and_where(Expr::col("key").eq(key))
        .to_owned();
    Ok(db.fetch_one::<RoleRow>(&stmt).await?.into())
}

pub async fn insert(
    tx: &mut Tx,
    user: &NewUser,
    password_hash: Option<&str>,
    role_id: RoleId,
    now: Timestamp,
) -> Result<UserId> {
    let stmt = Query::insert()
        .into_table("users")
        .columns(["email", "name", "password_hash", "role_id", "is_active", "created_at", "updated_at"])
        .values_panic([
            user.email.as_str().into(),
            user.name.as_str().into(),
            password_hash.map(str::to_owned).into(),
            role_id.0.into(),
            true.into(),
            now.into(),
            now.into(),
        ])
        .to_owned();
    tx.insert(stmt).await.map(UserId)
}

fn select() -> SelectStatement {
    Query::select().columns(COLUMNS).from("users").to_owned()
}

pub async fn get(db: &Db, id: UserId) -> Result<User> {
    db.fetch_one::<UserRow>(&select().and_where(Expr::col("id").eq(id.0)).to_owned()).await?.try_into()
}

/// A user and their password hash, for signing in.
pub async fn find_credentials(db: &Db, email: &Email) -> Result<Option<(User, Option<String>)>> {
    #[derive(sqlx::FromRow)]
    struct Hash {
        password_hash: Option<String>,
    }
    let stmt = select().and_where(Expr::col("email").eq(email.as_str())).to_owned();
    let Some(user) = db.fetch_optional::<UserRow>(&stmt).await? else { return Ok(None) };
    let hash: Hash = db
        .fetch_one(
            &Query::select()
                .column("password_hash")
                .from("users")
                .and_where(Expr::col("id").eq(user.id))
                .to_owned(),
        )
        .await?;
    Ok(Some((user.try_into()?, hash.password_hash)))
}

/// All users, by name: an organisation has hundreds, not millions.
pub async fn list(db: &Db) -> Result<Vec<User>> {
    let stmt = select().order_by("name", Order::Asc).order_by("id", Order::Asc).to_owned();
    db.fetch_all::<UserRow>(&stmt).await?.into_iter().map(User::try_from).collect()
}

/// The active users of a role other than `except`, read inside the transaction.
pub async fn count_active_in_role(tx: &mut Tx, role: RoleId, except: UserId) -> Result<i64> {
    let stmt = Query::select()
        .expr(Expr::col("id").count())
        .from("users")
        .and_where(Expr::col("role_id").eq(role.0))
        .and_where(Expr::col("is_active").eq(true))
        .and_where(Expr::col("id").ne(except.0))
        .to_owned();
    let (n,): (i64,) = tx.fetch_one(&stmt).await?;
    Ok(n)
}

/// The active users of the role with this key, read inside the transaction.
pub async fn active_with_role_in(tx: &mut Tx, role_key: &str) -> Result<Vec<UserId>> {
    let stmt = Query::select()
        .column(("users", "id"))
        .from("users")
        .inner_join("roles", Expr::col(("roles", "id")).equals(("users", "role_id")))
        .and_where(Expr::col(("roles", "key")).eq(role_key))
        .and_where(Expr::col(("users", "is_active")).eq(true))
        .order_by(("users", "id"), Order::Asc)
        .to_owned();
    Ok(tx.fetch_all::<(i64,)>(&stmt).await?.into_iter().map(|(id,)| UserId(id)).collect())
}

pub async fn count(db: &Db) -> Result<i64> {
    let (n,): (i64,) =
        db.fetch_one(&Query::select().expr(Expr::col("id").count()).from("users").to_owned()).await?;
    Ok(n)
}

pub async fn insert_group(tx: &mut Tx, name: &str, now: Timestamp) -> Result<GroupId> {
    let stmt = Query::insert()
        .into_table("user_groups")
        .columns(["name", "created_at", "updated_at"])
        .values_panic([name.into(), now.into(), now.into()])
        .to_owned();
    tx.insert(stmt).await.map(GroupId)
}

pub async fn add_to_group(tx: &mut Tx, group: GroupId, user: UserId, now: Timestamp) -> Result<()> {
    let stmt = Query::insert()
        .into_table("user_group_members")
        .columns(["group_id", "user_id", "created_at"])
        .values_panic([group.0.into(), user.0.into(), now.into()])
        .on_conflict(OnConflict::columns(["group_id", "user_id"]).do_nothing().to_owned())
        .to_owned();
    tx.execute(&stmt).await.map(drop)
}

#[derive(sqlx::FromRow)]
struct GroupRow {
    id: i64,
    name: String,
}

async fn named_groups(db: &Db, stmt: &SelectStatement) -> Result<Vec<Group>> {
    Ok(db
        .fetch_all::<GroupRow>(stmt)
        .await?
        .into_iter()
        .map(|g| Group { id: GroupId(g.id), name: g.name })
        .collect())
}

pub async fn groups(db: &Db) -> Result<Vec<Group>> {
    let stmt =
        Query::select().columns(["id", "name"]).from("user_groups").order_by("name", Order::Asc).to_owned();
    named_groups(db, &stmt).await
}

/// The groups a user belongs to, by name, in one query.
pub async fn named_groups_of(db: &Db, user: UserId) -> Result<Vec<Group>> {
    let stmt = Query::select()
        .columns(["id", "name"])
        .from("user_groups")
        .and_where(Expr::col("id").in_subquery(groups_of_query(user)))
        .order_by("name", Order::Asc)
        .to_owned();
    named_groups(db, &stmt).await
}

/// The members of a group.
pub async fn group_members(db: &Db, group: GroupId) -> Result<Vec<UserId>> {
    let stmt = Query::select()
        .column("user_id")
        .from("user_group_members")
        .and_where(Expr::col("group_id").eq(group.0))
        .order_by("user_id", Order::Asc)
        .to_owned();
    Ok(db.fetch_all::<(i64,)>(&stmt).await?.into_iter().map(|(id,)| UserId(id)).collect())
}

/// An administrator's edit of a user.
pub struct UserChanges<'a> {
    pub email: &'a Email,
    pub name: &'a str,
    pub role_id: RoleId,
    pub is_active: bool,
    pub locale: Option<Locale>,
}

pub async fn update(tx: &mut Tx, id: UserId, changes: &UserChanges<'_>, now: Timestamp) -> Result<()> {
    let stmt = Query::update()
        .table("users")
        .value("email", changes.email.as_str())
        .value("name", changes.name)
        .value("role_id", changes.role_id.0)
        .value("is_active", changes.is_active)
        .value("locale", changes.locale.map(Locale::as_str))
        .value("updated_at", now)
        .and_where(Expr::col("id").eq(id.0))
        .to_owned();
    if tx.execute(&stmt).await? == 1 { Ok(()) } else { Err(crate::StorageError::NotFound) }
}

pub async fn set_password_hash(tx: &mut Tx, id: UserId, hash: &str, now: Timestamp) -> Result<()> {
    let stmt = Query::update()
        .table("users")
        .value("password_hash", hash)
        .value("updated_at", now)
        .and_where(Expr::col("id").eq(id.0))
        .to_owned();
    if tx.execute(&stmt).await? == 1 { Ok(()) } else { Err(crate::StorageError::NotFound) }
}

pub async fn get_in(tx: &mut Tx, id: UserId) -> Result<User> {
    tx.fetch_one::<UserRow>(&select().and_where(Expr::col("id").eq(id.0)).to_owned()).await?.try_into()
}

/// The groups a user belongs to.
pub async fn groups_of(db: &Db, user: UserId) -> Result<Vec<GroupId>> {
    Ok(db.fetch_all::<(i64,)>(&groups_of_query(user)).await?.into_iter().map(|(id,)| GroupId(id)).collect())
}

/// The groups a user belongs to, read in the transaction that changes them (the audited
/// "before" of an edit).
pub async fn groups_of_in(tx: &mut Tx, user: UserId) -> Result<Vec<GroupId>> {
    Ok(tx.fetch_all::<(i64,)>(&groups_of_query(user)).await?.into_iter().map(|(id,)| GroupId(id)).collect())
}

fn groups_of_query(user: UserId) -> SelectStatement {
    Query::select()
        .column("group_id")
        .from("user_group_members")
        .and_where(Expr::col("user_id").eq(user.0))
        .order_by("group_id", Order::Asc)
        .to_owned()
}

/// Everyone who shares a group with the user, the user included: the "group" scope.
pub async fn group_mates(db: &Db, user: UserId) -> Result<Vec<UserId>> {
    let my_groups = Query::select()
        .column("group_id")
        .from("user_group_members")
        .and_where(Expr::col("user_id").eq(user.0))
        .to_owned();
    let stmt = Query::select()
        .distinct()
        .column("user_id")
        .from("user_group_members")
        .and_where(Expr::col("group_id").in_subquery(my_groups))
        .order_by("user_id", Order::Asc)
        .to_owned();
    let mut mates: Vec<UserId> =
        db.fetch_all::<(i64,)>(&stmt).await?.into_iter().map(|(id,)| UserId(id)).collect();
    if !mates.contains(&user) {
        mates.push(user);
    }
    Ok(mates)
}

/// Replaces a user's group memberships.
pub async fn set_groups(tx: &mut Tx, user: UserId, groups: &[GroupId], now: Timestamp) -> Result<()> {
    tx.execute(
        &Query::delete()
            .from_table("user_group_members")
            .and_where(Expr::col("user_id").eq(user.0))
            .to_owned(),
    )
    .await?;
    for group in groups {
        add_to_group(tx, *group, user, now).await?;
    }
    Ok(())
}

pub async fn get_role(db: &Db, id: RoleId) -> Result<Role> {
    let stmt = Query::select()
        .columns(["id", "key", "name_ru", "name_en", "is_builtin"])
        .from("roles")
        .and_where(Expr::col("id").eq(id.0))
        .to_owned();
    Ok(db.fetch_one::<RoleRow>(&stmt).await?.into())
}

pub async fn insert_role(
    tx: &mut Tx,
    key: &str,
    name_ru: &str,
    name_en: &str,
    now: Timestamp,
) -> Result<RoleId> {
    let stmt = Query::insert()
        .into_table("roles")
        .columns(["key", "name_ru", "name_en", "is_builtin", "created_at", "updated_at"])
        .values_panic([key.into(), name_ru.into(), name_en.into(), false.into(), now.into(), now.into()])
        .to_owned();
    tx.insert(stmt).await.map(RoleId)
}
