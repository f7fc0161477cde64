//! A web form on the company's site: a buyer leaves a request, and a contact (with their company,
//! if they named one) and a deal appear for the form's manager. The rules of what a form may
//! say, and of reading one submission into the records it makes, are here; the lookups, the
//! writes and the abuse limits are the application's.

use std::collections::BTreeMap;

use crate::automation::Assignee;
use crate::company::CompanyInput;
use crate::contact::ContactInput;
use crate::deal::DealInput;
use crate::{FieldError, PipelineId, StageId, Timestamp, ValidationErrors, text};

crate::text_enum!(
    /// A built-in field a form's answer fills: the person's, their company's or the deal's.
    /// `contact.name` is the name as a buyer types it, in one box.
    Target {
        ContactName => "contact.name",
        ContactLastName => "contact.last_name",
        ContactFirstName => "contact.first_name",
        ContactMiddleName => "contact.middle_name",
        ContactPosition => "contact.position",
        ContactPhone => "contact.phone",
        ContactEmail => "contact.email",
        CompanyName => "company.name",
        CompanyInn => "company.inn",
        DealTitle => "deal.title",
        DealAmount => "deal.amount",
        DealNotes => "deal.notes",
    }
);

/// Where one answer goes: a built-in field, or one of the deals' custom fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapsTo {
    Field(Target),
    DealCustom(String),
}

impl MapsTo {
    pub const CUSTOM_PREFIX: &'static str = "deal.custom.";

    pub fn parse(raw: &str) -> Option<MapsTo> {
        let raw = raw.trim();
        match raw.strip_prefix(Self::CUSTOM_PREFIX) {
            Some(key) if !key.is_empty() => Some(MapsTo::DealCustom(key.to_owned())),
            Some(_) => None,
            None => Target::parse(raw).map(MapsTo::Field),
        }
    }

    pub fn as_string(&self) -> String {
        match self {
            MapsTo::Field(target) => target.as_str().to_owned(),
            MapsTo::DealCustom(key) => format!("{}{key}", Self::CUSTOM_PREFIX),
        }
    }
}

/// One field of a form: the name the site posts it under, where it goes, and its labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    pub name: String,
    pub maps_to: MapsTo,
    pub required: bool,
    pub label_ru: String,
    pub label_en: String,
}

impl FormField {
    /// Its label in the language of the page (`ru` or anything else for English).
    pub fn label(&self, lang: &str) -> &str {
        if lang == "ru" { &self.label_ru } else { &self.label_en }
    }

    /// Whether the box is a long one (a comment) rather than one line.
    pub fn is_long(&self) -> bool {
        self.maps_to == MapsTo::Field(Target::DealNotes)
    }
}

/// What a form says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebFormFields {
    pub name: String,
    pub active: bool,
    /// The deal's pipeline; `None`: the default one.
    pub pipeline_id: Option<PipelineId>,
    /// The deal's stage; `None`: the pipeline's first.
    pub stage_id: Option<StageId>,
    /// Who gets the requests (never "the deal's owner": the deal is new).
    pub assignee: Assignee,
    pub fields: Vec<FormField>,
    /// The sites (`https://example.ru`) whose pages may post it from a script.
    pub allowed_origins: Vec<String>,
    pub thank_you: Option<String>,
    pub redirect_url: Option<String>,
    /// Whether the buyer must tick their consent to the processing of personal data.
    pub consent: bool,
    /// The words they consent to (the organisation's personal-data text, 152-ФЗ); `None`: the
    /// standard words.
    pub consent_text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebForm {
    pub id: i64,
    /// The form's public name in its address (`/f/{key}`).
    pub key: String,
    pub fields: WebFormFields,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One field of a form as an administrator types it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct FormFieldInput {
    pub name: String,
    pub maps_to: String,
    pub required: bool,
    pub label_ru: String,
    pub label_en: String,
}

/// A form as an administrator types it (the page's form or the API's body).
#[derive(Debug, Clone, Default)]
pub struct WebFormInput {
    pub name: String,
    pub active: Option<bool>,
    pub pipeline_id: Option<PipelineId>,
    pub stage_id: Option<StageId>,
    pub assignee: Option<Assignee>,
    pub fields: Vec<FormFieldInput>,
    pub allowed_origins: Vec<String>,
    pub thank_you: String,
    pub redirect_url: String,
    pub consent: bool,
    pub consent_text: String,
}

/// The most fields a form may have.
pub const MAX_FIELDS: usize = 30;
/// The longest answer taken for one field.
pub const MAX_ANSWER: usize = 4000;

/// The hidden fields every form may post besides its own: a trap for robots (a real person
/// leaves it empty), when the page was opened (milliseconds since 1970), the consent tick, the
/// page the buyer came from and the page the form is on.
pub const HONEYPOT: &str = "_hp";
pub const OPENED_AT: &str = "_ts";
pub const CONSENT: &str = "_consent";
pub const REFERRER: &str = "_referrer";
pub const PAGE: &str = "_page";
/// The advertising tags kept on the deal.
pub const UTM: [&str; 5] = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"];
/// A form filled faster than this, from the page's opening, was filled by a robot.
pub const MIN_FILL_MS: i64 = 2500;

impl WebFormInput {
    pub fn validate(&self) -> Result<WebFormFields, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = errors.check(text::required(&self.name, "name", 200));
        let assignee = match self.assignee {
            Some(Assignee::DealOwner) | None => {
                errors.push(FieldError::new("assignee", "web-form-assignee", "Choose who gets the requests"));
                None
            }
            other => other,
        };
        let fields = self.checked_fields(&mut errors);
        let mut allowed_origins = Vec::new();
        for raw in self.allowed_origins.iter().flat_map(|o| text::split_list(o)) {
            match origin(raw) {
                Some(origin) if !allowed_origins.contains(&origin) => allowed_origins.push(origin),
                Some(_) => {}
                None => errors.push(FieldError::new(
                    "allowed_origins",
                    "web-form-origin",
                    format!("{raw:?} is not a site's address such as https://example.ru"),
                )),
            }
        }
        let thank_you = errors.check(text::optional_limited(&self.thank_you, "thank_you", 2000)).flatten();
        let consent_text =
            errors.check(text::optional_limited(&self.consent_text, "consent_text", 2000)).flatten();
        let redirect_url = match text::optional(&self.redirect_url) {
            Some(raw) => errors.check(redirect(&raw)),
            None => None,
        };
        errors.into_result()?;
        Ok(WebFormFields {
            name: name.unwrap_or_default(),
            active: self.active.unwrap_or(true),
            pipeline_id: self.pipeline_id,
            stage_id: self.stage_id,
            assignee: assignee.unwrap_or(Assignee::DealOwner),
            fields,
            allowed_origins,
            thank_you,
            redirect_url,
            consent: self.consent,
            consent_text,
        })
    }

    fn checked_fields(&self, errors: &mut ValidationErrors) -> Vec<FormField> {
        let mut fields: Vec<FormField> = Vec::new();
        let given = self.fields.iter().filter(|f| !(f.name.trim().is_empty() && f.maps_to.trim().is_empty()));
        for (i, input) in given.enumerate() {
            let at = |part: &str| format!("fields[{i}].{part}");
            let name = input.name.trim();
            let name_ok = !name.is_empty()
                && name.chars().count() <= 60
                && name.chars().all(|c| c.is_alphanumeric() || "_-.[]".contains(c))
                && !name.starts_with('_')
                && !UTM.contains(&name);
            if !name_ok {
                errors.push(FieldError::new(
                    at("name"),
                    "web-form-field-name",
                    "A field's name is letters, digits, _ - . (not starting with _, not utm_…)",
                ));
            } else if fields.iter().any(|f| f.name == name) {
                errors.push(FieldError::new(at("name"), "web-form-field-twice", "Two fields have this name"));
            }
            let Some(maps_to) = MapsTo::parse(&input.maps_to) else {
                errors.push(FieldError::new(
                    at("maps_to"),
                    "web-form-maps-to",
                    "Choose where the answer goes",
                ));
                continue;
            };
            if fields.iter().any(|f| f.maps_to == maps_to) {
                errors.push(FieldError::new(
                    at("maps_to"),
                    "web-form-maps-to-twice",
                    "Two fields fill the same place",
                ));
            }
            let label = |raw: &str, field: &str| text::optional_limited(raw, &at(field), 200);
            let label_ru = errors.check(label(&input.label_ru, "label_ru")).flatten();
            let label_en = errors.check(label(&input.label_en, "label_en")).flatten();
            let fallback = || name.to_owned();
            fields.push(FormField {
                name: name.to_owned(),
                maps_to,
                required: input.required,
                label_ru: label_ru.clone().or_else(|| label_en.clone()).unwrap_or_else(fallback),
                label_en: label_en.or(label_ru).unwrap_or_else(fallback),
            });
        }
        if fields.len() > MAX_FIELDS {
            errors.push(FieldError::new(
                "fields",
                "web-form-too-many",
                format!("At most {MAX_FIELDS} fields"),
            ));
        }
        let reaches = |t: Target| fields.iter().any(|f| f.maps_to == MapsTo::Field(t));
        if !reaches(Target::ContactPhone)
            && !reaches(Target::ContactEmail)
            && errors.field("fields").is_none()
        {
            errors.push(FieldError::new(
                "fields",
                "web-form-no-way-back",
                "Ask for a phone or an e-mail, so the request can be answered",
            ));
        }
        fields
    }
}

/// `https://example.ru` from what an administrator typed (a page's address will do).
fn origin(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

fn redirect(raw: &str) -> Result<String, FieldError> {
    let url = url::Url::parse(raw).ok().filter(|u| matches!(u.scheme(), "http" | "https"));
    url.map(|u| u.to_string()).filter(|u| u.len() <= 2000).ok_or_else(|| {
        FieldError::new("redirect_url", "web-form-redirect", "Give a page's address, https://…")
    })
}

/// Where a deal came from: the form, the advertising tags, the page before and the form's page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DealOrigin {
    pub web_form_id: Option<i64>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_content: Option<String>,
    pub utm_term: Option<String>,
    pub referrer: Option<String>,
    pub landing_page: Option<String>,
}

impl DealOrigin {
    pub fn is_empty(&self) -> bool {
        *self == DealOrigin::default()
    }

    /// The tags by name, in `UTM` order.
    pub fn utm(&self) -> [(&'static str, Option<&str>); 5] {
        let values =
            [&self.utm_source, &self.utm_medium, &self.utm_campaign, &self.utm_content, &self.utm_term];
        let mut out = [("", None); 5];
        for (i, (name, value)) in UTM.iter().zip(values).enumerate() {
            out[i] = (*name, value.as_deref());
        }
        out
    }
}

/// One submission read against its form: the records it asks for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub contact: ContactInput,
    /// `None` unless the buyer named a company or an INN.
    pub company: Option<CompanyInput>,
    pub deal: DealInput,
    /// The deal's custom values by key, as typed.
    pub custom: serde_json::Map<String, serde_json::Value>,
    pub origin: DealOrigin,
}

/// What a submission is, before any record is made.
#[derive(Debug, Clone)]
pub enum Reading {
    /// Posted by a robot: the trap was filled, or the form was sent too soon after opening.
    /// It is answered as if taken, and nothing is made.
    Robot,
    Request(Box<Request>),
}

impl WebFormFields {
    /// Reads a submission (`sent`: the posted names and values), checking what the form asks:
    /// every required field, the consent, answers of a sane length. The values' own checks
    /// (a phone, an INN, an amount) are the records' and are put back on the form's fields by
    /// `blame`. `now` is for the fill time.
    pub fn read(
        &self,
        id: i64,
        sent: &BTreeMap<String, String>,
        now: Timestamp,
    ) -> Result<Reading, ValidationErrors> {
        let value = |name: &str| sent.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let opened = value(OPENED_AT).and_then(|ms| ms.parse::<i64>().ok());
        if value(HONEYPOT).is_some()
            || opened.is_some_and(|at| now.timestamp_millis().saturating_sub(at) < MIN_FILL_MS)
        {
            return Ok(Reading::Robot);
        }
        let mut errors = ValidationErrors::default();
        let mut request = Request::default();
        for field in &self.fields {
            let Some(answer) = value(&field.name) else {
                if field.required {
                    errors.push(FieldError::new(&field.name, "web-form-required", "Fill this in"));
                }
                continue;
            };
            if answer.chars().count() > MAX_ANSWER {
                errors.push(FieldError::new(&field.name, "web-form-too-long", "This answer is too long"));
                continue;
            }
            request.put(&field.maps_to, answer);
        }
        if self.consent && !value(CONSENT).is_some_and(|v| matches!(v, "on" | "1" | "yes" | "true")) {
            errors.push(FieldError::new(CONSENT, "web-form-consent", "Tick your consent to send the form"));
        }
        let contact = &request.contact;
        let reaches = |t: Target| self.fields.iter().find(|f| f.maps_to == MapsTo::Field(t));
        if errors.is_empty() && contact.phones.is_empty() && contact.emails.is_empty() {
            let field = reaches(Target::ContactPhone).or(reaches(Target::ContactEmail));
            let name = field.map_or("", |f| f.name.as_str());
            errors.push(FieldError::new(name, "web-form-no-way-back", "Leave a phone or an e-mail"));
        }
        errors.into_result()?;
        request.fill_gaps(&self.name);
        let tag = |name: &str, max: usize| value(name).map(|v| text::cut(v, max));
        request.origin = DealOrigin {
            web_form_id: Some(id),
            utm_source: tag("utm_source", 200),
            utm_medium: tag("utm_medium", 200),
            utm_campaign: tag("utm_campaign", 200),
            utm_content: tag("utm_content", 200),
            utm_term: tag("utm_term", 200),
            referrer: tag(REFERRER, 1000),
            landing_page: tag(PAGE, 1000),
        };
        request.deal.source = text::cut(&self.name, 200);
        Ok(Reading::Request(Box::new(request)))
    }

    /// The same errors named after the form's fields: an error of the contact's `phones` is on
    /// the field that fills `contact.phone`. `record` is `contact`, `company` or `deal`.
    pub fn blame(&self, record: &str, errors: ValidationErrors) -> ValidationErrors {
        let owner = |field: &str| {
            self.fields.iter().find(|f| match &f.maps_to {
                MapsTo::Field(t) => model_field(*t) == (record, field),
                MapsTo::DealCustom(key) => record == "deal" && field == format!("custom.{key}"),
            })
        };
        ValidationErrors(
            errors
                .0
                .into_iter()
                .map(|e| match owner(&e.field) {
                    Some(f) => e.for_field(&f.name),
                    None => e.for_field(""),
                })
                .collect(),
        )
    }
}

/// The record and its input field a built-in target fills.
fn model_field(target: Target) -> (&'static str, &'static str) {
    match target {
        Target::ContactName | Target::ContactLastName => ("contact", "last_name"),
        Target::ContactFirstName => ("contact", "first_name"),
        Target::ContactMiddleName => ("contact", "middle_name"),
        Target::ContactPosition => ("contact", "position"),
        Target::ContactPhone => ("contact", "phones"),
        Target::ContactEmail => ("contact", "emails"),
        Target::CompanyName => ("company", "name"),
        Target::CompanyInn => ("company", "inn"),
        Target::DealTitle => ("deal", "title"),
        Target::DealAmount => ("deal", "amount"),
        Target::DealNotes => ("deal", "notes"),
    }
}

impl Request {
    fn put(&mut self, to: &MapsTo, answer: &str) {
        let answer = answer.to_owned();
        let Self { contact, deal, .. } = self;
        match to {
            MapsTo::DealCustom(key) => {
                self.custom.insert(key.clone(), serde_json::Value::String(answer));
            }
            MapsTo::Field(target) => match target {
                Target::ContactName | Target::ContactLastName => contact.last_name = answer,
                Target::ContactFirstName => contact.first_name = answer,
                Target::ContactMiddleName => contact.middle_name = answer,
                Target::ContactPosition => contact.position = answer,
                Target::ContactPhone => contact.phones = answer,
                Target::ContactEmail => contact.emails = answer,
                Target::CompanyName => self.company.get_or_insert_with(CompanyInput::default).name = answer,
                Target::CompanyInn => self.company.get_or_insert_with(CompanyInput::default).inn = answer,
                Target::DealTitle => deal.title = answer,
                Target::DealAmount => deal.amount = answer,
                Target::DealNotes => deal.notes = answer,
            },
        }
    }

    /// A person is named by what they gave when they gave no last name (a first name, else
    /// their phone or e-mail); a company named only by its INN is called by it; an untitled
    /// deal is "<form>: <person>".
    fn fill_gaps(&mut self, form: &str) {
        let contact = &mut self.contact;
        if contact.last_name.is_empty() {
            contact.last_name = if contact.first_name.is_empty() {
                [&contact.phones, &contact.emails]
                    .into_iter()
                    .find(|v| !v.is_empty())
                    .cloned()
                    .unwrap_or_default()
            } else {
                std::mem::take(&mut contact.first_name)
            };
        }
        if let Some(company) = &mut self.company
            && company.name.is_empty()
        {
            company.name = format!("ИНН {}", company.inn);
        }
        if self.deal.title.is_empty() {
            let who = crate::contact::full_name(
                &contact.last_name,
                text::optional(&contact.first_name).as_deref(),
                text::optional(&contact.middle_name).as_deref(),
            );
            self.deal.title = text::cut(&format!("{form}: {who}"), 300);
        }
    }
}

#[cfg(test)]
mod tests;
