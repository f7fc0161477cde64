//! A checked filter tree (`orbita_domain::filter`) as a SQL condition on a kind's table: one
//! compiler for every list and both databases. Values are always bound parameters; columns come
//! from the kind's field descriptions, never from the request.

use orbita_domain::custom::{CustomType, date_text, moment_text};
use orbita_domain::fields::FieldType;
use orbita_domain::filter::{Comparison, Filter, Op, Scalar, Target};
use sea_query::{Cond, Condition, Expr, ExprTrait, Func, LikeExpr, SimpleExpr, Value};

use crate::custom_fields::value_expr;
use crate::db::Backend;
use crate::list::like_pattern;

/// `filter` over the columns of `table`. Relative periods must have been resolved
/// (`Filter::resolve`): an unresolved one selects nothing rather than guess a time zone.
/// `backend`: custom fields are read out of JSON, which the two databases spell differently.
pub fn condition(filter: &Filter, table: &'static str, backend: Backend) -> Condition {
    match filter {
        Filter::And(nodes) => nodes.iter().fold(Cond::all(), |all, n| all.add(condition(n, table, backend))),
        Filter::Or(nodes) => nodes.iter().fold(Cond::any(), |any, n| any.add(condition(n, table, backend))),
        Filter::Not(node) => condition(node, table, backend).not(),
        Filter::Compare(comparison) => Cond::all().add(compare(comparison, table, backend)),
    }
}

/// A value bound beside a column, or beside a custom value, whose dates and moments are
/// stored as text in a fixed form.
fn value(scalar: &Scalar, custom: bool) -> Value {
    match scalar {
        Scalar::Text(text) => text.clone().into(),
        Scalar::Bool(b) => (*b).into(),
        Scalar::Int(n) => (*n).into(),
        Scalar::Date(date) if custom => date_text(*date).into(),
        Scalar::Date(date) => (*date).into(),
        Scalar::Time(at) if custom => moment_text(*at).into(),
        Scalar::Time(at) => (*at).into(),
    }
}

/// "Has this option" of a multi-list: its JSON array holds the value.
fn has_option(backend: Backend, table: &str, key: &str, option: Value) -> SimpleExpr {
    match backend {
        Backend::Sqlite => Expr::cust_with_values(
            format!(
                "EXISTS (SELECT 1 FROM json_each(\"{table}\".\"custom\", '$.{key}') AS o WHERE o.value = ?)"
            ),
            [option],
        ),
        Backend::Postgres => Expr::cust_with_values(
            format!(
                "COALESCE(CAST(\"{table}\".\"custom\" AS jsonb) -> '{key}' @> jsonb_build_array(CAST($1 AS TEXT)), FALSE)"
            ),
            [option],
        ),
    }
}

fn compare(comparison: &Comparison, table: &'static str, backend: Backend) -> SimpleExpr {
    let (column, optional, text): (Box<dyn Fn() -> SimpleExpr>, bool, bool) = match &comparison.field {
        Target::Column(spec) => {
            (Box::new(move || Expr::col((table, spec.column))), spec.optional, spec.ty == FieldType::Text)
        }
        Target::Custom { key, ty } => {
            let (key, ty) = (key.clone(), *ty);
            if ty == CustomType::MultiList {
                return multi_list(comparison, table, &key, backend);
            }
            // Custom values are never stored empty: a cleared one is an absent key.
            (Box::new(move || value_expr(backend, table, &key, ty)), true, false)
        }
    };
    let custom = matches!(comparison.field, Target::Custom { .. });
    let value = |scalar: &Scalar| value(scalar, custom);
    let first = || comparison.values.first().map(value).unwrap_or(Value::Bool(None));
    let empty = || {
        let null = column().is_null();
        // Text typed and then cleared may be stored as '' on older rows: empty all the same.
        if text { null.or(column().eq("")) } else { null }
    };
    match comparison.op {
        Op::Eq => column().eq(first()),
        // "Not X" includes the records with no value at all, as a person reading it expects.
        Op::Ne if optional => column().ne(first()).or(column().is_null()),
        Op::Ne => column().ne(first()),
        Op::In => column().is_in(comparison.values.iter().map(value)),
        Op::Gt => column().gt(first()),
        Op::Gte => column().gte(first()),
        Op::Lt => column().lt(first()),
        Op::Lte => column().lte(first()),
        Op::Between => {
            let last = comparison.values.last().map(value).unwrap_or(Value::Bool(None));
            column().gte(first()).and(column().lte(last))
        }
        Op::Contains => {
            let typed = match comparison.values.first() {
                Some(Scalar::Text(text)) => text.as_str(),
                _ => "",
            };
            // As typed, or in lower case: PostgreSQL's lower() folds every letter, SQLite's only
            // ASCII (whose LIKE ignores ASCII case anyway), so "ПВХ" finds "ПВХ" on both and
            // "пвх" finds it on PostgreSQL.
            let like = |text: &str| LikeExpr::new(like_pattern(text)).escape('\\');
            column().like(like(typed)).or(Expr::expr(Func::lower(column())).like(like(&typed.to_lowercase())))
        }
        Op::Empty => empty(),
        Op::NotEmpty => empty().not(),
        Op::Relative(_) => Expr::val(1).eq(0),
    }
}

/// A multi-list compared option by option: `eq` has it, `ne` has it not, `in` has any.
fn multi_list(comparison: &Comparison, table: &str, key: &str, backend: Backend) -> SimpleExpr {
    let has = |scalar: &Scalar| has_option(backend, table, key, value(scalar, true));
    let any =
        || comparison.values.iter().map(has).reduce(|a, b| a.or(b)).unwrap_or_else(|| Expr::val(1).eq(0));
    let missing = || value_expr(backend, table, key, CustomType::MultiList).is_null();
    match comparison.op {
        Op::Eq | Op::In => any(),
        Op::Ne => any().not(),
        Op::Empty => missing(),
        Op::NotEmpty => missing().not(),
        _ => Expr::val(1).eq(0),
    }
}
