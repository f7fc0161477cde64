//! What the deal, kanban, task and activity pages share: reading values people type into URLs
//! and forms (ids, dates and times in the organisation's zone), user names for owner columns
//! and pickers, and where to send the browser back after a form.

use std::collections::HashMap;
use std::fmt::Display;
use std::hash::Hash;
use std::str::FromStr;

use axum::http::HeaderMap;
use orbita_app::{Access, AppError, Db};
use orbita_domain::access::{Action, Area};
use orbita_domain::pipeline::Stage;
use orbita_domain::user::User;
use orbita_domain::{CompanyId, ContactId, DealId, FieldError, UserId, ValidationErrors};

use crate::session::safe_next;
use crate::ui::{Layout, Locale, SelectOption};

/// An id typed in a URL or a form; empty or malformed is `None`.
pub fn id<T: FromStr>(raw: &str) -> Option<T> {
    let raw = raw.trim();
    if raw.is_empty() { None } else { raw.parse().ok() }
}

/// An optional id field of a form: empty is `None`; anything but a number is a field error.
pub fn id_field<T: FromStr>(raw: &str, field: &str, errors: &mut ValidationErrors) -> Option<T> {
    let raw = raw.trim().trim_start_matches('#').trim_start_matches('№').trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.push(FieldError::new(field, "link-id-format", "Enter the record's number"));
            None
        }
    }
}

/// Where a form sends the browser afterwards: the page it came from (a local path only), or
/// `default`.
pub fn return_to(raw: &str, default: &str) -> String {
    let raw = raw.trim();
    // Only what a `Location` header can carry as is (our own links are percent-encoded).
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_graphic()) {
        default.to_owned()
    } else {
        safe_next(Some(raw))
    }
}

/// A request made by a script (htmx or `kanban.js`), which wants a fragment or a status
/// rather than a redirect.
pub fn from_script(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request") || headers.contains_key("x-requested-with")
}

/// The users of the organisation, for names in lists and for pickers.
#[derive(Debug, Clone, Default)]
pub struct People(pub Vec<User>);

impl People {
    pub fn name(&self, id: UserId) -> String {
        self.0.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_else(|| format!("#{id}"))
    }

    /// Two letters for an avatar: "Анна Смирнова" → "АС".
    pub fn initials(&self, id: UserId) -> String {
        let name = self.name(id);
        let letters: String = name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect();
        letters.to_uppercase()
    }

    /// The users `access` may give records of `area` to, active ones only, for an owner,
    /// assignee or responsible picker; `selected` is marked. `blank` adds an empty first option.
    pub fn options(
        &self,
        access: &Access,
        area: Area,
        action: Action,
        selected: &str,
        blank: Option<String>,
    ) -> Vec<SelectOption> {
        let mut options: Vec<SelectOption> =
            blank.into_iter().map(|label| SelectOption::new("", label, selected.is_empty())).collect();
        options.extend(
            self.0
                .iter()
                .filter(|u| {
                    (u.is_active && access.covers_owner(area, action, u.id)) || u.id.to_string() == selected
                })
                .map(|u| SelectOption::new(u.id.to_string(), u.name.clone(), u.id.to_string() == selected)),
        );
        options
    }

    /// The users whose records `access` may see in `area`: the choices of an owner filter.
    pub fn visible(&self, access: &Access, area: Area) -> Vec<&User> {
        self.0.iter().filter(|u| access.covers_owner(area, Action::View, u.id)).collect()
    }
}

/// A pipeline's name in the page's language.
pub fn pipeline_name(locale: Locale, pipeline: &orbita_domain::pipeline::Pipeline) -> String {
    match locale {
        Locale::Ru => pipeline.name_ru.clone(),
        Locale::En => pipeline.name_en.clone(),
    }
}

/// A stage's name in the page's language.
pub fn stage_name(locale: Locale, stage: &Stage) -> String {
    match locale {
        Locale::Ru => stage.name_ru.clone(),
        Locale::En => stage.name_en.clone(),
    }
}

/// A linked company by name, from `names` (one lookup per page, `companies::names`); one the
/// user may not see is not there and is shown by number, as on a deal's card.
pub fn company_name(layout: &Layout, names: &HashMap<CompanyId, String>, id: CompanyId) -> String {
    by_name(layout, names, "deals-company-number", id)
}

/// A linked record by its name in `names`, or by number (`key`: "Контакт № 5") where the user
/// may not see it and so it is not there.
fn by_name<K: Hash + Eq + Display>(layout: &Layout, names: &HashMap<K, String>, key: &str, id: K) -> String {
    names.get(&id).cloned().unwrap_or_else(|| layout.t_with(key, "id", &id.to_string()))
}

/// The companies, contacts and deals a page links to, by name where the user may see them:
/// one query per kind for the whole page, whatever its length.
#[derive(Debug, Default)]
pub struct LinkNames {
    companies: HashMap<CompanyId, String>,
    contacts: HashMap<ContactId, String>,
    deals: HashMap<DealId, String>,
}

impl LinkNames {
    /// Names for each row's (company, contact, deal) links; a kind the page does not show can
    /// be left `None` and costs no query.
    pub async fn load(
        db: &Db,
        access: &Access,
        links: impl IntoIterator<Item = (Option<CompanyId>, Option<ContactId>, Option<DealId>)>,
    ) -> Result<LinkNames, AppError> {
        let (mut companies, mut contacts, mut deals) = (Vec::new(), Vec::new(), Vec::new());
        for (company, contact, deal) in links {
            companies.extend(company);
            contacts.extend(contact);
            deals.extend(deal);
        }
        Ok(LinkNames {
            companies: orbita_app::companies::names(db, access, &companies).await?,
            contacts: orbita_app::contacts::names(db, access, &contacts).await?,
            deals: orbita_app::deals::titles(db, access, &deals).await?,
        })
    }

    pub fn company(&self, layout: &Layout, id: CompanyId) -> String {
        company_name(layout, &self.companies, id)
    }

    pub fn contact(&self, layout: &Layout, id: ContactId) -> String {
        by_name(layout, &self.contacts, "deals-contact-number", id)
    }

    pub fn deal(&self, layout: &Layout, id: DealId) -> String {
        by_name(layout, &self.deals, "deals-deal-number", id)
    }

    /// The name of a record of `kind` (`company`, `contact`, `deal`) the user may see, if any.
    pub fn known(&self, kind: &str, id: i64) -> Option<&str> {
        match kind {
            "company" => self.companies.get(&CompanyId(id)),
            "contact" => self.contacts.get(&ContactId(id)),
            "deal" => self.deals.get(&DealId(id)),
            _ => None,
        }
        .map(String::as_str)
    }
}

/// A decimal amount as a form shows it for editing: `1500000,00` in Russian.
pub fn amount_input(layout: &Layout, amount: &orbita_domain::validation::Money) -> String {
    let text = amount.amount.to_string();
    match layout.locale {
        Locale::Ru => text.replace('.', ","),
        Locale::En => text,
    }
}

/// Select options from `(value, label)` pairs with one marked.
pub fn options(pairs: impl IntoIterator<Item = (String, String)>, selected: &str) -> Vec<SelectOption> {
    pairs
        .into_iter()
        .map(|(value, label)| SelectOption::new(value.clone(), label, value == selected))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_return_paths() {
        let mut errors = ValidationErrors::default();
        assert_eq!(id_field::<i64>(" №12 ", "company_id", &mut errors), Some(12));
        assert_eq!(id_field::<i64>("ООО", "company_id", &mut errors), None);
        assert!(errors.field("company_id").is_some());
        assert_eq!(id::<i64>(""), None);
        assert_eq!(return_to("//evil.example", "/deals"), "/");
        assert_eq!(return_to("", "/deals"), "/deals");
        assert_eq!(return_to("/deals/kanban?pipeline=1", "/deals"), "/deals/kanban?pipeline=1");
        assert_eq!(return_to("/deals\r\nSet-Cookie: x", "/deals"), "/deals");
    }
}
