//! What every page shares: the [`Layout`] a page struct embeds as its `layout` field (and
//! `templates/base.html` reads), and the small view types the component macros in
//! `templates/macros.html` take. Translation and formatting are methods on `Layout`, so a
//! template writes `{{ layout.t("nav-deals") }}` or `{{ layout.money(deal.amount) }}` and
//! the page's language and time zone are never passed by hand.

use chrono::{DateTime, NaiveDate, Utc};
use orbita_domain::deal::DealStatus;
use orbita_domain::org::Locale;
use orbita_domain::pipeline::StageKind;
use orbita_domain::task::TaskPriority;
use orbita_domain::validation::Money;
use orbita_domain::{FieldError, ValidationErrors};

use super::{assets, format, i18n};

/// A value as templates hand it to a method: owned, by reference, or (an `if let` binding
/// passed on) by a reference to a reference.
pub trait Arg<T> {
    fn arg(&self) -> &T;
}

impl<T> Arg<T> for T {
    fn arg(&self) -> &T {
        self
    }
}

impl<T> Arg<T> for &T {
    fn arg(&self) -> &T {
        self
    }
}

impl<T> Arg<T> for &&T {
    fn arg(&self) -> &T {
        self
    }
}

/// A whole number as templates hand it over: by value or by reference, of any integer type
/// a list count or a `len()` comes in.
pub trait Whole {
    fn whole(&self) -> i64;
}

macro_rules! whole {
    ($($t:ty),*) => {$(
        impl Whole for $t {
            fn whole(&self) -> i64 {
                i64::try_from(*self).unwrap_or(i64::MAX)
            }
        }
    )*};
}
whole!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);

impl<T: Whole + ?Sized> Whole for &T {
    fn whole(&self) -> i64 {
        (**self).whole()
    }
}

/// The sections of the main navigation, in menu order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    MyDay,
    Companies,
    Contacts,
    Deals,
    Kanban,
    Tasks,
    Activities,
    Reports,
    Admin,
}

impl Nav {
    pub const ALL: &'static [Nav] = &[
        Nav::MyDay,
        Nav::Companies,
        Nav::Contacts,
        Nav::Deals,
        Nav::Kanban,
        Nav::Tasks,
        Nav::Activities,
        Nav::Reports,
        Nav::Admin,
    ];

    pub fn href(self) -> &'static str {
        match self {
            Nav::MyDay => "/",
            Nav::Companies => "/companies",
            Nav::Contacts => "/contacts",
            Nav::Deals => "/deals",
            Nav::Kanban => "/deals/kanban",
            Nav::Tasks => "/tasks",
            Nav::Activities => "/activities",
            Nav::Reports => "/reports",
            Nav::Admin => "/admin",
        }
    }

    /// The section a kind of record's pages belong to.
    pub fn of(kind: orbita_domain::kind::RecordKind) -> Nav {
        use orbita_domain::kind::RecordKind;
        match kind {
            RecordKind::Company => Nav::Companies,
            RecordKind::Contact => Nav::Contacts,
            RecordKind::Deal => Nav::Deals,
            RecordKind::Task => Nav::Tasks,
            RecordKind::Activity => Nav::Activities,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Nav::MyDay => "nav-my-day",
            Nav::Companies => "nav-companies",
            Nav::Contacts => "nav-contacts",
            Nav::Deals => "nav-deals",
            Nav::Kanban => "nav-kanban",
            Nav::Tasks => "nav-tasks",
            Nav::Activities => "nav-activities",
            Nav::Reports => "nav-reports",
            Nav::Admin => "nav-admin",
        }
    }
}

/// One rendered navigation link.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashKind {
    Info,
    Success,
    Warning,
    Error,
}

impl FlashKind {
    /// The modifier class and the `alert-*` title key share this name.
    pub fn as_str(self) -> &'static str {
        match self {
            FlashKind::Info => "info",
            FlashKind::Success => "success",
            FlashKind::Warning => "warning",
            FlashKind::Error => "error",
        }
    }
}

/// A one-time message shown above the page content ("Changes saved.").
#[derive(Debug, Clone)]
pub struct Flash {
    pub kind: FlashKind,
    pub message: String,
}

/// The frame of every page: language, title, who is signed in, where in the menu we are.
/// Build it with [`Layout::new`] and set the public fields; a page struct holds it as a field
/// named `layout`, which `base.html` relies on.
#[derive(Debug, Clone)]
pub struct Layout {
    pub locale: Locale,
    /// The page's own title; `base.html` appends the application name.
    pub title: String,
    /// `None` on pages for signed-out visitors: no user menu and no sign-out form.
    pub user_name: Option<String>,
    /// Sent back by every form on the page, including the sign-out form in the header.
    pub csrf_token: String,
    pub active_nav: Option<Nav>,
    pub org_name: String,
    /// IANA zone in which times are shown, e.g. `Europe/Moscow`.
    pub time_zone: String,
    /// Whether the Administration link is shown; the handler decides from the user's rights.
    pub show_admin: bool,
    pub flashes: Vec<Flash>,
    /// Fills the header search box on the search results page.
    pub search_query: String,
}

impl Layout {
    pub fn new(locale: Locale, title: impl Into<String>) -> Self {
        let org = orbita_domain::org::OrgSettings::default();
        Self {
            locale,
            title: title.into(),
            user_name: None,
            csrf_token: String::new(),
            active_nav: None,
            org_name: org.name,
            time_zone: org.time_zone,
            show_admin: false,
            flashes: Vec::new(),
            search_query: String::new(),
        }
    }

    /// The value of `<html lang>`.
    pub fn lang(&self) -> &'static str {
        self.locale.as_str()
    }

    pub fn t(&self, key: &str) -> String {
        i18n::t(self.locale, key)
    }

    /// A message with one text argument: `layout.t_with("signed-in-as", "name", user)`.
    /// A kind of record's name, as its list is called in the menu ("Сделки").
    pub fn kind_name(&self, kind: orbita_domain::kind::RecordKind) -> String {
        self.t(Nav::of(kind).label_key())
    }

    /// The message `key`, or `fallback` when the language has none (a value from data).
    pub fn t_or(&self, key: &str, fallback: &str) -> String {
        if i18n::has(self.locale, key) { self.t(key) } else { fallback.to_owned() }
    }

    pub fn t_with(&self, key: &str, name: &str, value: &str) -> String {
        i18n::t_args(self.locale, key, &[(name, value.to_owned().into())])
    }

    /// A count in the right plural form: `layout.count("count-deals", 21)`.
    pub fn count(&self, key: &str, n: impl Whole) -> String {
        i18n::count(self.locale, key, n.whole())
    }

    // The formatting methods take `impl Arg<…>` / `impl Whole` because askama passes a
    // template variable by reference and a literal or a call's result by value.

    pub fn money(&self, money: impl Arg<Money>) -> String {
        format::money(self.locale, money.arg())
    }

    pub fn number(&self, n: impl Whole) -> String {
        format::number(self.locale, n.whole())
    }

    /// `value` is clamped to 0–100.
    pub fn percent(&self, value: impl Whole) -> String {
        let value = u8::try_from(value.whole().clamp(0, 100)).unwrap_or(100);
        format::percent(self.locale, value)
    }

    pub fn date(&self, date: impl Arg<NaiveDate>) -> String {
        format::date(self.locale, *date.arg())
    }

    /// The calendar date of a moment in the organisation's zone: `23.11.2026` for a
    /// timestamp, where a list has no room for the time (the cell's `title` can hold it).
    pub fn date_of(&self, at: impl Arg<DateTime<Utc>>) -> String {
        format::date(self.locale, format::local_date(&self.time_zone, *at.arg()))
    }

    pub fn datetime(&self, at: impl Arg<DateTime<Utc>>) -> String {
        format::datetime(self.locale, &self.time_zone, *at.arg())
    }

    pub fn relative_due(&self, due: impl Arg<DateTime<Utc>>, now: impl Arg<DateTime<Utc>>) -> String {
        format::relative_due(self.locale, &self.time_zone, *due.arg(), *now.arg())
    }

    pub fn asset(&self, name: &str) -> String {
        assets::asset_url(name)
    }

    pub fn nav_items(&self) -> Vec<NavItem> {
        Nav::ALL
            .iter()
            .filter(|nav| self.show_admin || **nav != Nav::Admin)
            .map(|&nav| NavItem {
                href: nav.href(),
                label: self.t(nav.label_key()),
                active: self.active_nav == Some(nav),
            })
            .collect()
    }

    /// A form field's label by its domain name: `owner_id` → `field-owner`,
    /// `expected_close_date` → `field-expected-close-date`, `emails[1]` → `field-emails`.
    pub fn field_label(&self, field: &str) -> String {
        let key = format!("field-{}", field_key(field));
        if i18n::has(self.locale, &key) { self.t(&key) } else { field.to_owned() }
    }

    /// The message for a domain error in this page's language, by its code; the English
    /// text from the domain if the code has no translation yet.
    pub fn error_message(&self, error: &FieldError) -> String {
        let key = format!("error-{}", error.code);
        if i18n::has(self.locale, &key) { self.t(&key) } else { error.message.clone() }
    }

    /// The message for `field`, or an empty string when it is valid: the field macros take
    /// an empty string as "no error".
    pub fn field_error(&self, errors: &ValidationErrors, field: &str) -> String {
        errors.field(field).map(|e| self.error_message(e)).unwrap_or_default()
    }

    /// Every error, labelled, for the summary box at the top of a form.
    pub fn error_items(&self, errors: &ValidationErrors) -> Vec<ErrorItem> {
        errors
            .0
            .iter()
            .map(|e| ErrorItem {
                target: format!("f-{}", e.field),
                label: self.field_label(&e.field),
                message: self.error_message(e),
            })
            .collect()
    }
}

fn field_key(field: &str) -> String {
    let base = field.split('[').next().unwrap_or(field);
    let base = base.strip_suffix("_id").or_else(|| base.strip_suffix("_at")).unwrap_or(base);
    base.replace('_', "-")
}

/// One line of the error summary; `target` is the id of the input, for the link to it.
#[derive(Debug, Clone)]
pub struct ErrorItem {
    pub target: String,
    pub label: String,
    pub message: String,
}

/// One `<option>` of a select field.
#[derive(Debug, Clone)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl SelectOption {
    pub fn new(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Self {
        Self { value: value.into(), label: label.into(), selected }
    }
}

/// A column header of a data table. Sortable columns link to the same list sorted by them;
/// `aria_sort` is `ascending`, `descending` or `none`.
#[derive(Debug, Clone)]
pub struct Column {
    pub label: String,
    /// Empty for a column that cannot be sorted.
    pub href: String,
    pub aria_sort: &'static str,
    /// Right-aligned: amounts and counts line up by their last digit.
    pub numeric: bool,
}

impl Column {
    pub fn plain(label: impl Into<String>) -> Self {
        Self { label: label.into(), href: String::new(), aria_sort: "none", numeric: false }
    }

    /// A sortable column. The list's sort order travels as `sort=<key>` (ascending) or
    /// `sort=-<key>` (descending); `current` is the request's value. `base` is the list URL
    /// with its filters but without `sort` and the page cursor, since a new order starts
    /// from the first page. Clicking the current ascending column sorts it descending.
    pub fn sortable(label: impl Into<String>, key: &str, current: &str, base: &str) -> Self {
        let (aria_sort, next) = match current.strip_prefix('-') {
            Some(k) if k == key => ("descending", key.to_owned()),
            None if current == key => ("ascending", format!("-{key}")),
            _ => ("none", key.to_owned()),
        };
        let separator = if base.contains('?') { '&' } else { '?' };
        let href = format!("{base}{separator}sort={}", encode(&next));
        Self { label: label.into(), href, aria_sort, numeric: false }
    }

    pub fn numeric(mut self) -> Self {
        self.numeric = true;
        self
    }
}

/// `path` with a query string, skipping empty values: `url("/companies", &[("q", "ООО"),
/// ("cursor", "")])` is `/companies?q=%D0%9E%D0%9E%D0%9E`.
pub fn url(path: &str, params: &[(&str, &str)]) -> String {
    let query: Vec<String> = params
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect();
    if query.is_empty() { path.to_owned() } else { format!("{path}?{}", query.join("&")) }
}

/// Percent-encoding for a query component: everything but unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Badge colours. Statuses keep one colour everywhere: blue is in work, green won, red lost.
pub mod tone {
    use super::{DealStatus, StageKind, TaskPriority};

    pub fn deal_status(status: DealStatus) -> &'static str {
        match status {
            DealStatus::Open => "blue",
            DealStatus::Won => "green",
            DealStatus::Lost => "red",
        }
    }

    pub fn stage_kind(kind: StageKind) -> &'static str {
        deal_status(kind.into())
    }

    pub fn task_priority(priority: TaskPriority) -> &'static str {
        match priority {
            TaskPriority::Low => "neutral",
            TaskPriority::Normal => "blue",
            TaskPriority::High => "amber",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_labels_follow_domain_names() {
        let layout = Layout::new(Locale::Ru, "t");
        assert_eq!(layout.field_label("inn"), "ИНН");
        assert_eq!(layout.field_label("owner_id"), "Ответственный");
        assert_eq!(layout.field_label("expected_close_date"), "Ожидаемая дата закрытия");
        assert_eq!(layout.field_label("emails[1]"), "Эл. почта");
        assert_eq!(layout.field_label("due_at"), "Срок");
        assert_eq!(layout.field_label("mystery"), "mystery");
    }

    #[test]
    fn errors_are_translated_by_code() {
        let layout = Layout::new(Locale::Ru, "t");
        let errors = ValidationErrors(vec![FieldError::new("inn", "inn-check-digits", "English")]);
        assert!(layout.field_error(&errors, "inn").starts_with("Контрольные цифры ИНН"));
        assert_eq!(layout.field_error(&errors, "kpp"), "");
        let unknown = FieldError::new("x", "brand-new-code", "Fallback text");
        assert_eq!(layout.error_message(&unknown), "Fallback text");
        let items = layout.error_items(&errors);
        assert_eq!((items[0].target.as_str(), items[0].label.as_str()), ("f-inn", "ИНН"));
    }

    #[test]
    fn sortable_columns_cycle_direction() {
        let col = |current| Column::sortable("Name", "name", current, "/companies?q=%D0%9E");
        assert_eq!(col("").href, "/companies?q=%D0%9E&sort=name");
        assert_eq!(col("").aria_sort, "none");
        assert_eq!(col("name").href, "/companies?q=%D0%9E&sort=-name");
        assert_eq!(col("name").aria_sort, "ascending");
        assert_eq!(col("-name").href, "/companies?q=%D0%9E&sort=name");
        assert_eq!(col("-name").aria_sort, "descending");
        assert_eq!(Column::sortable("Name", "name", "inn", "/companies").href, "/companies?sort=name");
    }

    #[test]
    fn urls_encode_and_skip_empty_values() {
        assert_eq!(url("/companies", &[("q", "ООО"), ("cursor", "")]), "/companies?q=%D0%9E%D0%9E%D0%9E");
        assert_eq!(url("/deals", &[("q", "a&b c")]), "/deals?q=a%26b%20c");
        assert_eq!(url("/tasks", &[]), "/tasks");
    }

    #[test]
    fn admin_link_only_when_allowed() {
        let mut layout = Layout::new(Locale::En, "t");
        layout.active_nav = Some(Nav::Deals);
        let items = layout.nav_items();
        assert!(!items.iter().any(|i| i.href == "/admin"));
        assert!(items.iter().any(|i| i.href == "/deals" && i.active && i.label == "Deals"));
        layout.show_admin = true;
        assert_eq!(layout.nav_items().len(), Nav::ALL.len());
    }
}
