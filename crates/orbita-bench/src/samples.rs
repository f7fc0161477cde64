//! Real values to ask for, read from the database before measuring: INNs, KPPs, name
//! fragments, phones and e-mails of records the user may see, positions deep in their list,
//! and open deals to move. Asking for many different values keeps one cached answer from
//! standing in for the database.

use anyhow::Context;
use orbita_app::Access;
use orbita_domain::access::{Action, Area};
use orbita_domain::company::Company;
use orbita_domain::deal::DealStatus;
use orbita_domain::pipeline::StageKind;
use orbita_domain::{ContactId, DealId, PipelineId, StageId};
use orbita_storage::companies::{self, CompanyFilter, CompanySort};
use orbita_storage::contacts::{self, ContactFilter, ContactSort};
use orbita_storage::deals::{self, DealFilter, DealSort};
use orbita_storage::{Cursor, Db, pipelines};

/// How far to walk a list for deep positions, and in what steps.
#[derive(Debug, Clone, Copy)]
pub struct Walk {
    pub step: u64,
    pub depth: u64,
}

/// One user's values.
#[derive(Debug, Default)]
pub struct Samples {
    /// Spread over the whole alphabet, not only its first page.
    pub companies: Vec<Company>,
    pub inns: Vec<String>,
    pub kpps: Vec<String>,
    pub name_fragments: Vec<String>,
    pub phones: Vec<String>,
    pub email_fragments: Vec<String>,
    /// Contacts and deals to open cards of.
    pub contacts: Vec<ContactId>,
    pub deals: Vec<DealId>,
    /// Cursors between half the walk and its end: pages deep in the list.
    pub deep: Vec<Cursor>,
    /// The rows before the median deep cursor.
    pub deep_rows: u64,
}

pub async fn collect(db: &Db, access: &Access, walk: Walk) -> anyhow::Result<Samples> {
    let mut samples = Samples::default();
    let filter = CompanyFilter {
        visible: access.visibility(Area::Companies, Action::View)?,
        ..CompanyFilter::default()
    };
    let mut after: Option<Cursor> = None;
    let mut walked = 0;
    // Every page's cursor and how many rows lie before it; the second half are "deep".
    let mut positions = Vec::new();
    // About fifty companies per page walked, a thousand at most.
    let every = usize::try_from(walk.step / 50).unwrap_or(1).max(1);
    while walked < walk.depth {
        let page = companies::list(db, &filter, CompanySort::Name, false, after.as_ref(), walk.step)
            .await
            .context("walking the companies list")?;
        walked += page.items.len() as u64;
        samples.companies.extend(page.items.into_iter().step_by(every));
        let Some(next) = page.next else { break };
        positions.push((walked, next.clone()));
        after = Some(next);
    }
    let deep: Vec<_> = positions.into_iter().filter(|(rows, _)| *rows >= walked / 2).collect();
    samples.deep_rows = deep.get(deep.len() / 2).map_or(0, |(rows, _)| *rows);
    samples.deep = deep.into_iter().map(|(_, cursor)| cursor).collect();
    samples.companies.truncate(1000);
    for company in &samples.companies {
        let f = &company.fields;
        samples.inns.extend(f.inn.as_ref().map(|v| v.as_str().to_owned()));
        samples.kpps.extend(f.kpp.as_ref().map(|v| v.as_str().to_owned()));
        samples.name_fragments.extend(name_fragment(&f.name));
    }

    let filter = ContactFilter {
        visible: access.visibility(Area::Contacts, Action::View)?,
        ..ContactFilter::default()
    };
    let page = contacts::list(db, &filter, ContactSort::Name, false, None, walk.step.min(1000))
        .await
        .context("reading contacts")?;
    for contact in page.items.iter().step_by(every.min(10)) {
        samples.phones.extend(contact.fields.phones.first().map(|p| phone_fragment(p.digits())));
        samples.email_fragments.extend(contact.fields.emails.first().map(|e| email_fragment(e.as_str())));
        samples.contacts.push(contact.id);
    }
    let filter =
        DealFilter { visible: access.visibility(Area::Deals, Action::View)?, ..DealFilter::default() };
    let page = deals::list(db, &filter, DealSort::UpdatedAt, true, None, walk.step.min(1000))
        .await
        .context("reading deals")?;
    samples.deals = page.items.iter().step_by(every.min(10)).map(|d| d.id).collect();
    Ok(samples)
}

/// What a person types to find a company by name: the first four letters of its longest
/// word ("Авангард-2000" → "Аван"), not the legal form in front of it.
pub fn name_fragment<'a>(name: &'a str) -> Option<String> {
    let longest =
        |best: &'a str, word: &'a str| if word.chars().count() > best.chars().count() { word } else { best };
    let word = name.split(|c: char| !c.is_alphabetic()).fold("", longest);
    (word.chars().count() >= 4).then(|| word.chars().take(4).collect())
}

/// A phone as typed without the country code: the last ten digits.
pub fn phone_fragment(digits: &str) -> String {
    let skip = digits.chars().count().saturating_sub(10);
    digits.chars().skip(skip).collect()
}

/// An e-mail address as half remembered: the part before `@`, at most twelve characters.
pub fn email_fragment(email: &str) -> String {
    email.split('@').next().unwrap_or(email).chars().take(12).collect()
}

/// The default pipeline's stages, for new deals and moves.
#[derive(Debug, Clone)]
pub struct Pipeline {
    pub id: PipelineId,
    pub open_stages: Vec<StageId>,
}

pub async fn default_pipeline(db: &Db) -> anyhow::Result<Pipeline> {
    let list = pipelines::list(db).await?;
    let id = list.iter().find(|p| p.is_default).or(list.first()).map(|p| p.id).context("no pipeline")?;
    let open_stages = pipelines::stages(db)
        .await?
        .into_iter()
        .filter(|s| s.pipeline_id == id && s.kind == StageKind::Open)
        .map(|s| s.id)
        .collect();
    Ok(Pipeline { id, open_stages })
}

/// Open deals the user may edit, with their current stage: moved round the open stages.
pub async fn open_deals(
    db: &Db,
    access: &Access,
    pipeline: PipelineId,
    limit: u64,
) -> anyhow::Result<Vec<(DealId, StageId)>> {
    let filter = DealFilter {
        visible: access.visibility(Area::Deals, Action::Edit)?,
        pipeline_id: Some(pipeline),
        status: Some(DealStatus::Open),
        ..DealFilter::default()
    };
    let page = deals::list(db, &filter, DealSort::CreatedAt, false, None, limit).await?;
    Ok(page.items.into_iter().map(|d| (d.id, d.stage_id)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_as_people_type_them() {
        assert_eq!(name_fragment("АО «Авангард-2000»").as_deref(), Some("Аван"));
        assert_eq!(name_fragment("Alpine Marine d.o.o.").as_deref(), Some("Alpi"));
        assert_eq!(name_fragment("ИП Ли"), None);
        assert_eq!(phone_fragment("79270771323"), "9270771323");
        assert_eq!(phone_fragment("4722885363"), "4722885363");
        assert_eq!(email_fragment("pavel.abramov99@inbox.ru"), "pavel.abramo");
        assert_eq!(email_fragment("abramov@bk.ru"), "abramov");
    }
}
