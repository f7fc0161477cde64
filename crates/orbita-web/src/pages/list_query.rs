//! A list page's whole state lives in its URL, so a list can be bookmarked, sent to a
//! colleague, saved as a view and exported exactly as shown: `q` (the search box), any
//! filters, `sort=name` or `sort=-name` (descending), `after=<cursor>` (keyset paging) and
//! `cols` (the chosen columns, repeated or comma-separated). This module reads that state
//! and writes links that change one part of it; it knows no list in particular.

use std::str::FromStr;

use chrono::NaiveDate;
use orbita_domain::custom::{CustomField, CustomSort};
use orbita_domain::list::Cursor;

/// Parameters that describe a moment, not the list: dropped from saved views, sort links and
/// export links.
const TRANSIENT: &[&str] = &["after", "notice"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Every parameter with a non-empty value, in URL order.
    params: Vec<(String, String)>,
}

impl ListQuery {
    /// Reads a raw query string (`RawQuery`); an unreadable one is an empty list state.
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs: Vec<(String, String)> =
            raw.and_then(|raw| serde_urlencoded::from_str(raw).ok()).unwrap_or_default();
        let params = pairs
            .into_iter()
            .map(|(name, value)| (name, value.trim().to_owned()))
            .filter(|(_, value)| !value.is_empty())
            .collect();
        Self { params }
    }

    /// The first value of `name`, or `""`.
    pub fn get(&self, name: &str) -> &str {
        self.params.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name` (a repeated parameter).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.params.iter().filter(move |(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The value of `name` for a filter: `None` when absent.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|v| !v.is_empty()).map(str::to_owned)
    }

    /// The value of `name` parsed (an id, a number); `None` when absent or unreadable.
    pub fn parsed<T: FromStr>(&self, name: &str) -> Option<T> {
        self.get(name).parse().ok()
    }

    /// A `YYYY-MM-DD` value (what `<input type="date">` sends).
    pub fn date(&self, name: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(self.get(name), "%Y-%m-%d").ok()
    }

    pub fn q(&self) -> &str {
        self.get("q")
    }

    /// The sort as asked (`name`, `-created`), or `""`.
    pub fn sort(&self) -> &str {
        self.get("sort")
    }

    /// The sort among the list's `options` (URL key → the service's sort) with its direction;
    /// `default` (e.g. `"-created"`) when the URL names none or one the list does not offer.
    pub fn sort_as<T: Copy + Default>(&self, options: &[(&'static str, T)], default: &str) -> Sort<T> {
        let pick = |text: &str| {
            let (key, descending) = text.strip_prefix('-').map_or((text, false), |key| (key, true));
            let &(_, by) = options.iter().find(|(k, _)| *k == key)?;
            Some(Sort { by, descending, current: text.to_owned() })
        };
        pick(self.sort()).or_else(|| pick(default)).unwrap_or_else(|| Sort {
            by: T::default(),
            descending: false,
            current: String::new(),
        })
    }

    /// The page cursor (`after`), if it is a valid one.
    /// The condition as data (`filter=`, a JSON tree), when one is given.
    pub fn tree(&self) -> Option<&str> {
        Some(self.get("filter")).filter(|tree| !tree.trim().is_empty())
    }

    /// This query without its condition as data: the badge's ×.
    pub fn without_tree(&self, path: &str) -> String {
        self.href(path, &["filter", "after"], &[])
    }

    pub fn cursor(&self) -> Option<Cursor> {
        Cursor::decode(self.get("after"))
    }

    /// Whether this is a later page (the "First page" link is shown).
    pub fn is_paged(&self) -> bool {
        !self.get("after").is_empty()
    }

    /// The chosen columns among `available`, in the list's own order; `default` when the URL
    /// chooses none it knows. `cols` may repeat (checkboxes) or hold a comma-separated list.
    pub fn columns(&self, available: &[&'static str], default: &[&'static str]) -> Vec<&'static str> {
        let chosen: Vec<&str> = self
            .params
            .iter()
            .filter(|(n, _)| n == "cols")
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .collect();
        let columns: Vec<&'static str> = available.iter().copied().filter(|c| chosen.contains(c)).collect();
        if columns.is_empty() { default.to_vec() } else { columns }
    }

    /// The custom fields chosen as columns (`cols=custom.window_type`), in the fields' order.
    pub fn custom_columns<'f>(&self, fields: &'f [CustomField]) -> Vec<&'f CustomField> {
        let chosen: Vec<&str> = self
            .params
            .iter()
            .filter(|(n, _)| n == "cols")
            .flat_map(|(_, v)| v.split(','))
            .filter_map(|c| c.trim().strip_prefix("custom."))
            .collect();
        fields.iter().filter(|f| chosen.contains(&f.key.as_str())).collect()
    }

    /// `sort=custom.<key>` (or `-custom.<key>`) as the list's sort, when it names a field a list
    /// may be sorted by; `None` otherwise (the list's own sorts then apply).
    pub fn custom_sort<T>(&self, fields: &[CustomField], make: impl Fn(CustomSort) -> T) -> Option<Sort<T>> {
        let text = self.sort();
        let (key, descending) = text.strip_prefix('-').map_or((text, false), |key| (key, true));
        let field = fields.iter().find(|f| key.strip_prefix("custom.") == Some(f.key.as_str()))?;
        Some(Sort { by: make(CustomSort::of(field)?), descending, current: text.to_owned() })
    }

    /// The list's state as a query string, without the page cursor and one-time notices: what
    /// a saved view stores and an export link carries.
    pub fn state(&self) -> String {
        self.encode(&[], &[])
    }

    /// `path` with this state, minus the parameters in `drop` (and the transient ones), plus
    /// `add`: `href("/companies", &["sort"], &[("sort", "-name")])`.
    pub fn href(&self, path: &str, drop: &[&str], add: &[(&str, &str)]) -> String {
        let query = self.encode(drop, add);
        if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") }
    }

    /// The link to the next page after `cursor`.
    pub fn next_href(&self, path: &str, cursor: &Cursor) -> String {
        self.href(path, &[], &[("after", &cursor.encode())])
    }

    fn encode(&self, drop: &[&str], add: &[(&str, &str)]) -> String {
        let kept = self
            .params
            .iter()
            .filter(|(n, _)| !TRANSIENT.contains(&n.as_str()) && !drop.contains(&n.as_str()))
            .map(|(n, v)| (n.as_str(), v.as_str()));
        let pairs: Vec<(&str, &str)> =
            kept.chain(add.iter().copied().filter(|(_, v)| !v.is_empty())).collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// A list's order: what the service sorts by, the direction, and the URL text of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort<T> {
    pub by: T,
    pub descending: bool,
    /// `name` or `-name`: what `Column::sortable` compares against.
    pub current: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    enum By {
        #[default]
        Name,
        Created,
    }

    const SORTS: &[(&str, By)] = &[("name", By::Name), ("created", By::Created)];

    #[test]
    fn reads_values_and_skips_empty_ones() {
        let q = ListQuery::parse(Some("q=%D0%9E%D0%9E%D0%9E+%C2%AB&owner=&region=+Москва+&owner=7"));
        assert_eq!(q.q(), "ООО «");
        assert_eq!(q.get("region"), "Москва");
        assert_eq!(q.parsed::<i64>("owner"), Some(7));
        assert_eq!(q.opt("industry"), None);
        assert_eq!(ListQuery::parse(Some("%%%")), ListQuery::default());
    }

    #[test]
    fn sort_falls_back_to_the_default() {
        let sort = ListQuery::parse(Some("sort=-created")).sort_as(SORTS, "name");
        assert_eq!((sort.by, sort.descending, sort.current.as_str()), (By::Created, true, "-created"));
        let sort = ListQuery::parse(Some("sort=amount")).sort_as(SORTS, "-name");
        assert_eq!((sort.by, sort.descending, sort.current.as_str()), (By::Name, true, "-name"));
        let sort = ListQuery::parse(None).sort_as(SORTS, "name");
        assert_eq!((sort.by, sort.descending), (By::Name, false));
    }

    #[test]
    fn columns_keep_the_list_order() {
        let available = ["name", "inn", "kpp", "region"];
        let q = ListQuery::parse(Some("cols=region&cols=name,inn&cols=bogus"));
        assert_eq!(q.columns(&available, &["name"]), ["name", "inn", "region"]);
        assert_eq!(
            ListQuery::parse(Some("cols=bogus")).columns(&available, &["name", "kpp"]),
            ["name", "kpp"]
        );
    }

    #[test]
    fn links_change_one_part_and_drop_the_cursor() {
        let q = ListQuery::parse(Some("q=a+b&sort=-name&after=t1%3A61&notice=view-saved"));
        assert_eq!(q.state(), "q=a+b&sort=-name");
        assert_eq!(q.href("/companies", &["sort"], &[("sort", "created")]), "/companies?q=a+b&sort=created");
        assert_eq!(ListQuery::default().href("/companies", &[], &[]), "/companies");
        assert!(q.is_paged());
        let cursor = Cursor { value: orbita_domain::list::SortValue::Int(5), id: 9 };
        assert_eq!(q.next_href("/x", &cursor), "/x?q=a+b&sort=-name&after=i9%3A5");
        assert_eq!(ListQuery::parse(Some(&q.next_href("/x", &cursor)[3..])).cursor(), Some(cursor));
    }
}
