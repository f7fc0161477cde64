//! Each operation as a browser sends it: the page's URL with the user's cookie, or the form
//! with the CSRF token from the page. Redirects are not followed: a write is timed until the
//! server has committed it and answered.

use std::sync::atomic::Ordering;

use anyhow::bail;

use super::{Actor, Ctx, Op, next_move, pick};
use crate::http::Reply;

/// The status each operation answers with when it works.
pub fn expected_status(op: Op) -> u16 {
    match op {
        Op::CreateDeal | Op::LogCall => 303,
        // The kanban board's script gets "204 No Content" for a move.
        Op::MoveStage => 204,
        _ => 200,
    }
}

pub fn query(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// The URL of a read operation for the `i`-th sample value.
pub fn path(ctx: &Ctx, op: Op, actor: &Actor, i: usize) -> anyhow::Result<String> {
    let s = &actor.samples;
    Ok(match op {
        Op::Session => "/search/suggest?q=x".to_owned(),
        Op::ListFirst => "/companies?sort=name".to_owned(),
        Op::ListDeep => {
            format!("/companies?{}", query(&[("sort", "name"), ("after", &pick(&s.deep, i)?.encode())]))
        }
        Op::ByInn => format!("/companies?{}", query(&[("q", pick(&s.inns, i)?)])),
        Op::ByKpp => format!("/companies?{}", query(&[("q", pick(&s.kpps, i)?)])),
        Op::ByName => format!("/companies?{}", query(&[("q", pick(&s.name_fragments, i)?)])),
        Op::ContactByPhone => format!("/contacts?{}", query(&[("q", pick(&s.phones, i)?)])),
        Op::ContactByEmail => format!("/contacts?{}", query(&[("q", pick(&s.email_fragments, i)?)])),
        Op::GlobalSearch => format!("/search/suggest?{}", query(&[("q", pick(&s.name_fragments, i)?)])),
        Op::Card => format!("/companies/{}", pick(&s.companies, i)?.id),
        Op::ContactCard => format!("/contacts/{}", pick(&s.contacts, i)?),
        Op::DealCard => format!("/deals/{}", pick(&s.deals, i)?),
        Op::DealsList => "/deals".to_owned(),
        Op::DealsFiltered => format!("/deals?{}", query(&[("filter", &super::deals_filter(ctx, actor))])),
        Op::DealsByCustomField => {
            format!("/deals?{}", query(&[("sort", "title"), ("filter", &super::custom_field_filter())]))
        }
        Op::MyTasks => "/tasks".to_owned(),
        Op::MyDay => "/".to_owned(),
        Op::Activities => "/activities".to_owned(),
        Op::Kanban => "/deals/kanban".to_owned(),
        Op::Summary => format!("/reports?{}", period(ctx.month)),
        Op::Funnel => format!("/reports/funnel?{}", period(ctx.year)),
        Op::CreateDeal | Op::MoveStage | Op::LogCall | Op::WebFormPost => bail!("{op:?} is a form post"),
    })
}

fn period((from, to): (chrono::NaiveDate, chrono::NaiveDate)) -> String {
    query(&[("from", &from.to_string()), ("to", &to.to_string())])
}

/// Sends the operation once and returns the server's answer, whatever its status.
pub async fn send(ctx: &Ctx, op: Op, actor: &Actor, i: usize) -> anyhow::Result<Reply> {
    let browser = &actor.browser;
    let cookie = Some(browser.cookie.as_str());
    let csrf = browser.csrf.as_str();
    match op {
        Op::CreateDeal => {
            let n = ctx.created.fetch_add(1, Ordering::Relaxed);
            let title = format!("Benchmark deal {n}");
            let company = pick(&actor.samples.companies, i)?.id.to_string();
            let stage = ctx.pipeline.open_stages.first().map(ToString::to_string).unwrap_or_default();
            let owner = actor.user_id.to_string();
            let form = [
                ("csrf_token", csrf),
                ("title", title.as_str()),
                ("amount", "150000"),
                ("currency", ctx.currency.as_str()),
                ("expected_close_date", ""),
                ("source", ""),
                ("notes", ""),
                ("company_id", company.as_str()),
                ("contact_id", ""),
                ("stage_id", stage.as_str()),
                ("owner_id", owner.as_str()),
            ];
            ctx.http.post_form("/deals", cookie, &form, &[]).await
        }
        Op::MoveStage => {
            let (deal, stage) = next_move(ctx, i)?;
            let stage = stage.to_string();
            let form =
                [("csrf_token", csrf), ("stage_id", stage.as_str()), ("lost_reason", ""), ("version", "")];
            let script = [("x-requested-with", "XMLHttpRequest")];
            ctx.http.post_form(&format!("/deals/{deal}/stage"), cookie, &form, &script).await
        }
        Op::LogCall => {
            let company = pick(&actor.samples.companies, i)?.id;
            // An empty time is "now", as the form's prefilled value would be.
            let form = [
                ("csrf_token", csrf),
                ("kind", "call"),
                ("direction", "outgoing"),
                ("occurred_at", ""),
                ("duration_minutes", "5"),
                ("subject", "Benchmark call"),
                ("contact_id", ""),
                ("task_title", ""),
                ("task_due_at", ""),
            ];
            ctx.http.post_form(&format!("/companies/{company}/activities"), cookie, &form, &[]).await
        }
        Op::WebFormPost => {
            let n = ctx.created.fetch_add(1, Ordering::Relaxed);
            let answers = super::web_form_answers(n);
            let form: Vec<(&str, &str)> = answers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let path = format!("/f/{}", super::WEB_FORM_KEY);
            ctx.http.post_form(&path, None, &form, &[("accept", "application/json")]).await
        }
        _ => ctx.http.get(&path(ctx, op, actor, i)?, cookie).await,
    }
}

/// Sends the operation and insists on its success status.
pub async fn call(ctx: &Ctx, op: Op, actor: &Actor, i: usize) -> anyhow::Result<()> {
    let reply = send(ctx, op, actor, i).await?;
    let expected = expected_status(op);
    if reply.status != expected {
        bail!("{}: HTTP {} (expected {expected}): {}", op.title(), reply.status, reply.excerpt());
    }
    // A refused form comes back as the form again (422), so a redirect means it was saved;
    // check it goes where a saved record's does.
    let want = match op {
        Op::CreateDeal => Some("/deals/"),
        Op::LogCall => Some("?notice=logged"),
        _ => None,
    };
    if let Some(want) = want
        && !reply.location.as_deref().is_some_and(|l| l.contains(want))
    {
        bail!("{}: redirected to {:?}, not to {want}", op.title(), reply.location);
    }
    Ok(())
}
