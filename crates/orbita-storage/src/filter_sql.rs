//! A checked filter tree (`orbita_domain::filter`) as a SQL condition on a kind's table: one
//! compiler for every list and both databases. Values are always bound parameters; columns come
//! from the kind's field descriptions, never from the request.

use orbita_domain::fields::FieldType;
use orbita_domain::filter::{Comparison, Filter, Op, Scalar};
use sea_query::{Cond, Condition, Expr, ExprTrait, Func, LikeExpr, SimpleExpr, Value};

use crate::list::like_pattern;

/// `filter` over the columns of `table`. Relative periods must have been resolved
/// (`Filter::resolve`): an unresolved one selects nothing rather than guess a time zone.
pub fn condition(filter: &Filter, table: &'static str) -> Condition {
    match filter {
        Filter::And(nodes) => nodes.iter().fold(Cond::all(), |all, n| all.add(condition(n, table))),
        Filter::Or(nodes) => nodes.iter().fold(Cond::any(), |any, n| any.add(condition(n, table))),
        Filter::Not(node) => condition(node, table).not(),
        Filter::Compare(comparison) => Cond::all().add(compare(comparison, table)),
    }
}

fn value(scalar: &Scalar) -> Value {
    match scalar {
        Scalar::Text(text) => text.clone().into(),
        Scalar::Int(n) => (*n).into(),
        Scalar::Date(date) => (*date).into(),
        Scalar::Time(at) => (*at).into(),
    }
}

fn compare(comparison: &Comparison, table: &'static str) -> SimpleExpr {
    let field = comparison.field;
    let column = || Expr::col((table, field.column));
    let first = || comparison.values.first().map(value).unwrap_or(Value::Bool(None));
    let empty = || {
        let null = column().is_null();
        // Text typed and then cleared may be stored as '' on older rows: empty all the same.
        if field.ty == FieldType::Text { null.or(column().eq("")) } else { null }
    };
    match comparison.op {
        Op::Eq => column().eq(first()),
        // "Not X" includes the records with no value at all, as a person reading it expects.
        Op::Ne if field.optional => column().ne(first()).or(column().is_null()),
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
