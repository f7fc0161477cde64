//! The state of the deals list and the kanban board, all in the URL: search, filters, sort,
//! the page cursor and the chosen columns. A link, a bookmark, a saved view and an export
//! carry the same query, so the export holds exactly what the screen shows.

use orbita_app::exports::{DealColumn, ListColumn};
use orbita_app::{Access, AppError, Db, filters};
use orbita_domain::access::Area;
use orbita_domain::custom::{CustomField, CustomSort};
use orbita_domain::deal::DealStatus;
use orbita_domain::kind::RecordKind;
use orbita_domain::list::Cursor;
use orbita_domain::list::{DealFilter, DealSort};
use orbita_domain::{PipelineId, StageId, UserId};

use super::common::{self};
use crate::pages::groups;
use crate::pages::list_query::ListQuery;
use crate::pages::wall_clock;
use crate::ui::layout::url;

pub const DEFAULT_SORT: &str = "-created";

#[derive(Debug, Clone, Default)]
pub struct DealQuery {
    pub q: String,
    /// A user id, or `me`.
    pub owner: String,
    /// A user group's id: the deals of its members (`pages::groups`).
    pub group: String,
    pub pipeline: String,
    pub stage: String,
    pub status: String,
    pub source: String,
    /// The `utm_campaign` a web form's request came with.
    pub campaign: String,
    /// The deal's company's region and industry, matched exactly.
    pub region: String,
    pub industry: String,
    pub created_from: String,
    pub created_to: String,
    pub closed_from: String,
    pub closed_to: String,
    /// A condition as JSON (filters as data: `orbita_domain::filter`), as the API takes it.
    pub filter: String,
    /// `title`, `amount`, `created`, `updated`; a leading `-` for descending.
    pub sort: String,
    pub after: String,
    /// The chosen columns (empty: the default ones).
    pub cols: Vec<String>,
}

impl DealQuery {
    pub fn parse(query: Option<&str>) -> DealQuery {
        let p = ListQuery::parse(query);
        let sort = p.get("sort");
        let key = sort.trim_start_matches('-');
        let custom_key =
            |key: &str| key.strip_prefix("custom.").is_some_and(orbita_domain::custom::key_is_valid);
        let valid_sort = DealColumn::ALL.iter().any(|c| c.sort() == Some(key)) || custom_key(key);
        // `cols=title,amount` like the other lists (repeated or comma-separated); `col=`, which
        // older links and saved views carry, too. Custom columns are kept by key and shown if
        // the field exists (`custom_columns`).
        let cols: Vec<String> = p
            .all("cols")
            .chain(p.all("col"))
            .flat_map(|v| v.split(',').map(|c| c.trim().to_owned()).collect::<Vec<_>>())
            .filter(|c| DealColumn::parse(c).is_some() || custom_key(c))
            .collect();
        DealQuery {
            q: p.get("q").to_owned(),
            owner: p.get("owner").to_owned(),
            group: p.get("group").to_owned(),
            pipeline: p.get("pipeline").to_owned(),
            stage: p.get("stage").to_owned(),
            status: DealStatus::parse(p.get("status")).map(|s| s.as_str().to_owned()).unwrap_or_default(),
            source: p.get("source").to_owned(),
            campaign: p.get("campaign").to_owned(),
            region: p.get("region").to_owned(),
            industry: p.get("industry").to_owned(),
            created_from: p.get("created_from").to_owned(),
            created_to: p.get("created_to").to_owned(),
            closed_from: p.get("closed_from").to_owned(),
            closed_to: p.get("closed_to").to_owned(),
            filter: p.get("filter").to_owned(),
            sort: if valid_sort { sort.to_owned() } else { String::new() },
            after: p.get("after").to_owned(),
            cols,
        }
    }

    /// The filter for the application service, dates read in the organisation's zone. The
    /// group is not in it: [`Self::filter_in_group`] resolves it to its members.
    pub fn filter(&self, me: UserId, tz: &str) -> DealFilter {
        let owner = if self.owner == "me" { Some(me) } else { common::id::<UserId>(&self.owner) };
        let (created_from, created_to) = wall_clock::period(tz, &self.created_from, &self.created_to);
        let (closed_from, closed_to) = wall_clock::period(tz, &self.closed_from, &self.closed_to);
        DealFilter {
            q: Some(self.q.clone()).filter(|q| !q.is_empty()),
            pipeline_id: common::id::<PipelineId>(&self.pipeline),
            stage_ids: common::id::<StageId>(&self.stage).map(|s| vec![s]),
            status: DealStatus::parse(&self.status),
            owner_ids: owner.map(|o| vec![o]),
            source: Some(self.source.clone()).filter(|s| !s.is_empty()),
            utm_campaign: Some(self.campaign.clone()).filter(|s| !s.is_empty()),
            region: Some(self.region.clone()).filter(|s| !s.is_empty()),
            industry: Some(self.industry.clone()).filter(|s| !s.is_empty()),
            created_from,
            created_to,
            closed_from,
            closed_to,
            ..DealFilter::default()
        }
    }

    /// [`Self::filter`] with the owners narrowed to the group's members: what the list, the
    /// board and the export apply.
    pub async fn filter_in_group(&self, db: &Db, access: &Access, tz: &str) -> Result<DealFilter, AppError> {
        let mut filter = self.filter(access.user_id(), tz);
        filter.owner_ids = groups::owners(db, access, Area::Deals, &self.group, filter.owner_ids).await?;
        let tree = Some(self.filter.as_str()).filter(|f| !f.trim().is_empty());
        filter.tree = filters::optional(db, tree, RecordKind::Deal).await?;
        Ok(filter)
    }

    /// The sort as the service takes it, and whether it descends, knowing the deals' custom
    /// fields (`sort=custom.window_type`); a custom field that is not there sorts as the default.
    pub fn sort_in(&self, fields: &[CustomField]) -> (DealSort, bool) {
        let sort = if self.sort.is_empty() { DEFAULT_SORT } else { self.sort.as_str() };
        let descending = sort.starts_with('-');
        let custom = |key: &str| fields.iter().find(|f| f.key == key).and_then(CustomSort::of);
        let by = match sort.trim_start_matches('-') {
            "title" => DealSort::Title,
            "amount" => DealSort::Amount,
            "updated" => DealSort::UpdatedAt,
            other => match other.strip_prefix("custom.").and_then(custom) {
                Some(field) => DealSort::Custom(field),
                None => return (DealSort::CreatedAt, DEFAULT_SORT.starts_with('-')),
            },
        };
        (by, descending)
    }

    /// The custom fields chosen as columns, in the order of the fields.
    pub fn custom_columns<'a>(&self, fields: &'a [CustomField]) -> Vec<&'a CustomField> {
        fields
            .iter()
            .filter(|f| self.cols.iter().any(|c| c.strip_prefix("custom.") == Some(f.key.as_str())))
            .collect()
    }

    /// The current sort as written in the URL (the default when none is given).
    pub fn sort_key(&self) -> &str {
        if self.sort.is_empty() { DEFAULT_SORT } else { &self.sort }
    }

    pub fn cursor(&self) -> Option<Cursor> {
        Cursor::decode(&self.after)
    }

    /// The columns to show, in table order, the title first; the file's default set (the
    /// screen's) until the user picks.
    pub fn columns(&self) -> Vec<DealColumn> {
        let keys: Vec<&str> = self.cols.iter().map(String::as_str).collect();
        orbita_app::exports::columns::choose(&keys)
    }

    /// The filters only (no sort, cursor or columns), as URL pairs.
    pub fn filter_pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("q", self.q.clone()),
            ("owner", self.owner.clone()),
            ("group", self.group.clone()),
            ("pipeline", self.pipeline.clone()),
            ("stage", self.stage.clone()),
            ("status", self.status.clone()),
            ("source", self.source.clone()),
            ("campaign", self.campaign.clone()),
            ("region", self.region.clone()),
            ("industry", self.industry.clone()),
            ("created_from", self.created_from.clone()),
            ("created_to", self.created_to.clone()),
            ("closed_from", self.closed_from.clone()),
            ("closed_to", self.closed_to.clone()),
            ("filter", self.filter.clone()),
        ]
    }

    /// Filters, sort and columns: the whole view without the page position.
    pub fn view_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = self.filter_pairs();
        pairs.push(("sort", self.sort.clone()));
        pairs.push(self.cols_pair());
        pairs
    }

    /// The chosen columns as the URL keeps them: `cols=title,amount` (empty: the default set).
    pub fn cols_pair(&self) -> (&'static str, String) {
        ("cols", self.cols.join(","))
    }

    /// `path` with these pairs (empty values dropped).
    pub fn link(path: &str, pairs: &[(&'static str, String)]) -> String {
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        url(path, &borrowed)
    }

    /// The query string of the view, without `?`: what a saved view stores.
    pub fn view_query(&self) -> String {
        let link = Self::link("", &self.view_pairs());
        link.trim_start_matches('?').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_round_trips() {
        let q = DealQuery::parse(Some(
            "q=%D0%9E%D0%BA%D0%BD%D0%B0&status=won&sort=-amount&col=amount&cols=bogus,probability&after=i1:2&owner=me",
        ));
        assert_eq!(q.q, "Окна");
        assert_eq!(q.cols, vec!["probability", "amount"]);
        assert_eq!(q.sort_in(&[]), (DealSort::Amount, true));
        assert_eq!(q.filter(UserId(7), "Europe/Moscow").owner_ids, Some(vec![UserId(7)]));
        assert_eq!(q.columns(), [DealColumn::Title, DealColumn::Amount, DealColumn::Probability]);
        assert_eq!(DealQuery::default().columns(), DealColumn::DEFAULT);
        assert_eq!(
            q.view_query(),
            "q=%D0%9E%D0%BA%D0%BD%D0%B0&owner=me&status=won&sort=-amount&cols=probability%2Camount"
        );
        let bad = DealQuery::parse(Some("sort=password&status=maybe"));
        assert_eq!((bad.sort.as_str(), bad.status.as_str()), ("", ""));
        assert_eq!(bad.sort_in(&[]), (DealSort::CreatedAt, true));
    }
}
