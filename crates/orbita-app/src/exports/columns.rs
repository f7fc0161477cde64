//! The columns a list's file can hold: the companies', contacts' and deals' lists let the user
//! pick columns (`cols=` in the URL; the deals page also reads the `col=` of older links), and
//! their exports write exactly those, in the list's order. Each list's columns carry the key
//! its URL uses, the header (the same message key as the column on screen), the kind of cell
//! and the sort key; the default set is what the page shows until the user picks, so the pages
//! take their columns from here and a file without a choice holds what the screen holds.
//!
//! A cell may hold more than the screen's: the screen shows a company's first phone for room, a
//! file every phone, comma-separated.

use orbita_export::ColumnKind;

/// A list's choosable columns.
pub trait ListColumn: Copy + Eq + 'static {
    /// Every column, in the list's order; the first identifies the row and is always shown.
    const ALL: &'static [Self];
    /// Shown until the user picks others.
    const DEFAULT: &'static [Self];
    /// The key in the list's URL (`cols=inn`).
    fn key(self) -> &'static str;
    /// The header's message key, the same as the column's on screen.
    fn header(self) -> &'static str;
    fn kind(self) -> ColumnKind;
    /// The list's sort key (`sort=name`) when the list can be ordered by this column.
    fn sort(self) -> Option<&'static str>;

    /// Right-aligned on screen: amounts, percentages, counts.
    fn numeric(self) -> bool {
        matches!(self.kind(), ColumnKind::Money | ColumnKind::Percent | ColumnKind::Integer)
    }

    fn parse(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.key() == key)
    }

    /// The keys of the default set, for a page's column choice.
    fn default_keys() -> Vec<&'static str> {
        Self::DEFAULT.iter().map(|c| c.key()).collect()
    }
}

/// The columns a list shows for the keys its URL chose, as the pages pick them: in the list's
/// order whatever the order given, the identifying column first even when not chosen,
/// unknown keys ignored; the default set when no key is known.
pub fn choose<C: ListColumn>(keys: &[&str]) -> Vec<C> {
    let known = |c: &C| keys.contains(&c.key());
    if !C::ALL.iter().any(known) {
        return C::DEFAULT.to_vec();
    }
    let first = C::ALL.first().copied();
    C::ALL.iter().copied().filter(|c| Some(*c) == first || known(c)).collect()
}

/// A comma-separated choice (the API's `cols=name,inn`), which, unlike a page's URL, refuses
/// a key the list does not have: `Err` holds the first one. Empty keys are skipped, and
/// nothing chosen is the default set.
pub fn parse_choice<C: ListColumn>(raw: &str) -> Result<Vec<C>, String> {
    let keys: Vec<&str> = raw.split(',').map(str::trim).filter(|k| !k.is_empty()).collect();
    if let Some(unknown) = keys.iter().find(|k| C::parse(k).is_none()) {
        return Err((*unknown).to_owned());
    }
    Ok(choose(&keys))
}

/// Declares a list's columns: the enum in the list's order, and its [`ListColumn`] table —
/// the one description the page (its table, column choice and sort links) and the file read.
/// `Name = ("name", "field-name", Text, sort = "name")`: URL key, header, cell kind, and the
/// sort key when the list can be ordered by it.
macro_rules! list_columns {
    (
        $(#[$meta:meta])*
        $name:ident, default = [$($default:ident),+ $(,)?];
        $($variant:ident = ($key:literal, $header:literal, $kind:ident $(, sort = $sort:literal)?)),+ $(,)?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant),+
        }

        impl ListColumn for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            const DEFAULT: &'static [Self] = &[$($name::$default),+];

            fn key(self) -> &'static str {
                match self {
                    $($name::$variant => $key),+
                }
            }

            fn header(self) -> &'static str {
                match self {
                    $($name::$variant => $header),+
                }
            }

            fn kind(self) -> ColumnKind {
                match self {
                    $($name::$variant => ColumnKind::$kind),+
                }
            }

            fn sort(self) -> Option<&'static str> {
                match self {
                    $($name::$variant => None $(.or(Some($sort)))?),+
                }
            }
        }
    };
}

list_columns! {
    /// A column of the companies list (`/companies?cols=…`).
    CompanyColumn, default = [Name, Inn, Kpp, Region, Phone, Owner, Updated];
    Name = ("name", "field-name", Text, sort = "name"),
    Inn = ("inn", "field-inn", Text),
    Kpp = ("kpp", "field-kpp", Text),
    Ogrn = ("ogrn", "field-ogrn", Text),
    Region = ("region", "field-region", Text),
    Industry = ("industry", "field-industry", Text),
    Phone = ("phone", "field-phone", Text),
    Email = ("email", "field-email", Text),
    Source = ("source", "field-source", Text),
    Owner = ("owner", "field-owner", Text),
    Created = ("created", "field-created", DateTime, sort = "created"),
    Updated = ("updated", "field-updated", DateTime, sort = "updated"),
}

list_columns! {
    /// A column of the contacts list (`/contacts?cols=…`).
    ContactColumn, default = [Name, Position, Company, Phone, Email, Owner];
    Name = ("name", "field-full-name", Text, sort = "name"),
    Position = ("position", "field-position", Text),
    Company = ("company", "field-company", Text),
    Phone = ("phone", "field-phone", Text),
    Email = ("email", "field-email", Text),
    Owner = ("owner", "field-owner", Text),
    Created = ("created", "field-created", DateTime, sort = "created"),
    Updated = ("updated", "field-updated", DateTime),
}

list_columns! {
    /// A column of the deals list (`/deals?cols=…`).
    DealColumn, default = [Title, Company, Amount, Stage, Status, Owner, Created];
    Title = ("title", "field-title", Text, sort = "title"),
    Company = ("company", "field-company", Text),
    Contact = ("contact", "field-contact", Text),
    Amount = ("amount", "field-amount", Money, sort = "amount"),
    Stage = ("stage", "field-stage", Text),
    Status = ("status", "field-status", Text),
    Probability = ("probability", "field-probability", Percent),
    Owner = ("owner", "field-owner", Text),
    Source = ("source", "field-source", Text),
    ExpectedClose = ("expected_close", "field-expected-close-date", Date),
    Created = ("created", "field-created", DateTime, sort = "created"),
    Updated = ("updated", "field-updated", DateTime, sort = "updated"),
    Closed = ("closed", "deals-field-closed", DateTime),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sortable_columns_name_their_sort_and_amounts_are_numeric() {
        assert_eq!(CompanyColumn::Name.sort(), Some("name"));
        assert_eq!(CompanyColumn::Inn.sort(), None);
        assert_eq!(DealColumn::Amount.sort(), Some("amount"));
        assert!(
            DealColumn::Amount.numeric() && DealColumn::Probability.numeric() && !DealColumn::Title.numeric()
        );
    }

    #[test]
    fn a_choice_keeps_the_list_order_and_the_name_first() {
        let chosen: Vec<CompanyColumn> = choose(&["region", "owner", "inn", "bogus"]);
        let keys: Vec<&str> = chosen.iter().map(|c| c.key()).collect();
        assert_eq!(keys, ["name", "inn", "region", "owner"]);
        assert_eq!(choose::<CompanyColumn>(&["bogus"]), CompanyColumn::DEFAULT);
        assert_eq!(choose::<DealColumn>(&[]), DealColumn::DEFAULT);
        assert_eq!(choose::<DealColumn>(&["title"]), [DealColumn::Title]);
        assert_eq!(ContactColumn::default_keys(), ["name", "position", "company", "phone", "email", "owner"]);
    }

    #[test]
    fn the_api_refuses_an_unknown_column() {
        assert_eq!(
            parse_choice::<DealColumn>("amount, closed,,"),
            Ok(vec![DealColumn::Title, DealColumn::Amount, DealColumn::Closed])
        );
        assert_eq!(parse_choice::<DealColumn>("amount,inn"), Err("inn".to_owned()));
        assert_eq!(parse_choice::<ContactColumn>(""), Ok(ContactColumn::DEFAULT.to_vec()));
    }

    #[test]
    fn keys_are_unique_and_defaults_start_with_the_first_column() {
        fn check<C: ListColumn + std::fmt::Debug>() {
            let keys: Vec<&str> = C::ALL.iter().map(|c| c.key()).collect();
            let unique: std::collections::HashSet<&&str> = keys.iter().collect();
            assert_eq!(unique.len(), keys.len(), "{keys:?}");
            assert_eq!(C::DEFAULT.first(), C::ALL.first());
        }
        check::<CompanyColumn>();
        check::<ContactColumn>();
        check::<DealColumn>();
    }
}
