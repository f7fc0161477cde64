//! Web forms (`/admin/web-forms`): the forms on the company's site with their public pages, and
//! a form's editor — its fields and where each answer goes, the pipeline and stage of its
//! deals, who gets them, its sites, its thank-you — with the code to put on a site.
//! Administrators only; the service checks.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::header::HOST;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use orbita_app::{AppError, web_forms};
use orbita_domain::automation::{Assignee, AssigneeKind};
use orbita_domain::custom::CustomType;
use orbita_domain::web_form::{FormFieldInput, MapsTo, Target, WebForm, WebFormInput};
use orbita_domain::{GroupId, PipelineId, StageId, UserId, ValidationErrors};

use super::Tab;
use super::automation::Names;
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::pages::deals::common::stage_name;
use crate::ui::{ErrorItem, Layout, Nav, SelectOption};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/web-forms", get(list).post(create))
        .route("/admin/web-forms/{id}", get(show).post(update))
        .route("/admin/web-forms/{id}/delete", post(delete))
}

/// Blank field rows under a form's own, so a field is added without a script.
const BLANK_ROWS: usize = 2;

struct Row {
    id: i64,
    name: String,
    href: String,
    active: bool,
}

/// One field row of the editor.
struct FieldRow {
    i: usize,
    name: String,
    targets: Vec<SelectOption>,
    required: bool,
    label_ru: String,
    label_en: String,
    name_error: String,
    maps_to_error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/web_forms.html")]
struct WebFormsPage {
    layout: Layout,
    tab: Tab,
    tabs: [Tab; 12],
    rows: Vec<Row>,
    id: Option<i64>,
    form: EditForm,
    fields: Vec<FieldRow>,
    pipelines: Vec<SelectOption>,
    stages: Vec<SelectOption>,
    assignees: Vec<SelectOption>,
    users: Vec<SelectOption>,
    groups: Vec<SelectOption>,
    errors: ValidationErrors,
    error_items: Vec<ErrorItem>,
    /// The form's public page and the code for a site, once it is saved.
    public_url: String,
    snippet: String,
}

/// The editor as posted: `fields[i].name`, `fields[i].maps_to`, … per row.
#[derive(Default, Clone)]
struct EditForm {
    name: String,
    active: bool,
    pipeline_id: String,
    stage_id: String,
    assignee: String,
    assignee_user_id: String,
    assignee_group_id: String,
    fields: Vec<FormFieldInput>,
    allowed_origins: String,
    thank_you: String,
    redirect_url: String,
    consent: bool,
    consent_text: String,
}

fn id<T>(raw: &str, make: fn(i64) -> T) -> Option<T> {
    raw.trim().parse::<i64>().ok().map(make)
}

impl EditForm {
    fn read(pairs: Vec<(String, String)>) -> EditForm {
        let mut form = EditForm::default();
        for (name, value) in pairs {
            if let Some(rest) = name.strip_prefix("fields[")
                && let Some((i, part)) = rest.split_once("].")
                && let Ok(i) = i.parse::<usize>()
                && i < 100
            {
                if form.fields.len() <= i {
                    form.fields.resize_with(i + 1, FormFieldInput::default);
                }
                let field = &mut form.fields[i];
                match part {
                    "name" => field.name = value,
                    "maps_to" => field.maps_to = value,
                    "required" => field.required = true,
                    "label_ru" => field.label_ru = value,
                    "label_en" => field.label_en = value,
                    _ => {}
                }
                continue;
            }
            match name.as_str() {
                "name" => form.name = value,
                "active" => form.active = true,
                "pipeline_id" => form.pipeline_id = value,
                "stage_id" => form.stage_id = value,
                "assignee" => form.assignee = value,
                "assignee_user_id" => form.assignee_user_id = value,
                "assignee_group_id" => form.assignee_group_id = value,
                "allowed_origins" => form.allowed_origins = value,
                "thank_you" => form.thank_you = value,
                "redirect_url" => form.redirect_url = value,
                "consent" => form.consent = true,
                "consent_text" => form.consent_text = value,
                _ => {}
            }
        }
        form
    }

    fn input(&self, editing: bool) -> WebFormInput {
        let kind = AssigneeKind::parse(&self.assignee).unwrap_or(AssigneeKind::User);
        let user = id(&self.assignee_user_id, UserId);
        WebFormInput {
            name: self.name.clone(),
            // A new form takes requests at once; an edit says whether it does.
            active: Some(!editing || self.active),
            pipeline_id: id(&self.pipeline_id, PipelineId),
            stage_id: id(&self.stage_id, StageId),
            assignee: Assignee::from_parts(kind, user, id(&self.assignee_group_id, GroupId)),
            fields: self.fields.clone(),
            allowed_origins: vec![self.allowed_origins.clone()],
            thank_you: self.thank_you.clone(),
            redirect_url: self.redirect_url.clone(),
            consent: self.consent,
            consent_text: self.consent_text.clone(),
        }
    }

    fn of(form: &WebForm) -> EditForm {
        let f = &form.fields;
        let text = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        EditForm {
            name: f.name.clone(),
            active: f.active,
            pipeline_id: text(f.pipeline_id.map(|p| p.0)),
            stage_id: text(f.stage_id.map(|s| s.0)),
            assignee: f.assignee.kind().as_str().to_owned(),
            assignee_user_id: text(f.assignee.user().map(|u| u.0)),
            assignee_group_id: text(f.assignee.group().map(|g| g.0)),
            fields: f
                .fields
                .iter()
                .map(|x| FormFieldInput {
                    name: x.name.clone(),
                    maps_to: x.maps_to.as_string(),
                    required: x.required,
                    label_ru: x.label_ru.clone(),
                    label_en: x.label_en.clone(),
                })
                .collect(),
            allowed_origins: f.allowed_origins.join("\n"),
            thank_you: f.thank_you.clone().unwrap_or_default(),
            redirect_url: f.redirect_url.clone().unwrap_or_default(),
            consent: f.consent,
            consent_text: f.consent_text.clone().unwrap_or_default(),
        }
    }

    /// A new form's start: a name, a phone, an e-mail and a comment, for the signed-in user.
    fn fresh(user: UserId) -> EditForm {
        let field = |name: &str, to: Target, required, ru: &str, en: &str| FormFieldInput {
            name: name.to_owned(),
            maps_to: to.as_str().to_owned(),
            required,
            label_ru: ru.to_owned(),
            label_en: en.to_owned(),
        };
        EditForm {
            active: true,
            assignee: AssigneeKind::User.as_str().to_owned(),
            assignee_user_id: user.0.to_string(),
            fields: vec![
                field("name", Target::ContactName, true, "Имя", "Name"),
                field("phone", Target::ContactPhone, true, "Телефон", "Phone"),
                field("email", Target::ContactEmail, false, "E-mail", "E-mail"),
                field("comment", Target::DealNotes, false, "Комментарий", "Comment"),
            ],
            ..EditForm::default()
        }
    }
}

/// The address this instance is reached at, as the administrator's browser reached it.
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = if state.config.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// A plain HTML form for a site: it posts with no script; the script, when added, notes the
/// page's advertising tags and the time the page was opened, and posts without leaving it.
fn snippet(base: &str, form: &WebForm) -> String {
    let mut out = format!("<form method=\"post\" action=\"{base}/f/{}\" data-orbita-form>\n", form.key);
    for f in &form.fields.fields {
        let kind = match f.maps_to {
            MapsTo::Field(Target::ContactPhone) => "tel",
            MapsTo::Field(Target::ContactEmail) => "email",
            _ => "text",
        };
        let required = if f.required { " required" } else { "" };
        out.push_str(&format!(
            "  <label>{}\n    <input name=\"{}\" type=\"{kind}\"{required}>\n  </label>\n",
            escape(&f.label_ru),
            escape(&f.name)
        ));
    }
    if form.fields.consent {
        let words =
            form.fields.consent_text.as_deref().unwrap_or("Согласен на обработку персональных данных");
        out.push_str(&format!(
            "  <label><input type=\"checkbox\" name=\"_consent\" value=\"on\" required> {}</label>\n",
            escape(words)
        ));
    }
    out.push_str("  <input name=\"_hp\" tabindex=\"-1\" autocomplete=\"off\" aria-hidden=\"true\" style=\"position:absolute;left:-10000px\">\n");
    out.push_str("  <button type=\"submit\">Отправить</button>\n</form>\n");
    out.push_str(&format!("<script src=\"{base}/static/web-form.js\" async></script>\n"));
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

struct Shown {
    id: Option<i64>,
    form: EditForm,
    errors: ValidationErrors,
    saved: Option<WebForm>,
}

async fn page(
    state: &AppState,
    user: &SignedIn,
    headers: &HeaderMap,
    shown: Shown,
) -> Result<WebFormsPage, AppError> {
    let access = &user.session.access;
    let forms = web_forms::list(&state.db, access).await?;
    let names = Names::load(state, user).await?;
    let Shown { id, form, errors, saved } = shown;
    let title = saved.as_ref().map_or_else(|| user.t("web-forms-new"), |f| f.fields.name.clone());
    let layout = user.page(title, Some(Nav::Admin));
    let t = |key: &str| layout.t(key);
    let rows = forms
        .iter()
        .map(|f| Row {
            id: f.id,
            name: f.fields.name.clone(),
            href: format!("/f/{}", f.key),
            active: f.fields.active,
        })
        .collect();
    let mut targets: Vec<(String, String)> = Target::ALL
        .iter()
        .map(|t| (t.as_str().to_owned(), layout.t(&format!("web-form-to-{}", t.as_str().replace('.', "-")))))
        .collect();
    for c in names.custom.iter().filter(|c| !matches!(c.ty, CustomType::Link | CustomType::User)) {
        targets.push((
            MapsTo::DealCustom(c.key.clone()).as_string(),
            format!("{}: {}", t("web-form-to-deal"), c.label(layout.lang())),
        ));
    }
    let blank = FormFieldInput::default();
    let fields = form
        .fields
        .iter()
        .chain(std::iter::repeat_n(&blank, BLANK_ROWS))
        .enumerate()
        .map(|(i, f)| FieldRow {
            i,
            name: f.name.clone(),
            targets: std::iter::once(SelectOption::new("", "—", f.maps_to.is_empty()))
                .chain(targets.iter().map(|(v, l)| SelectOption::new(v.clone(), l.clone(), *v == f.maps_to)))
                .collect(),
            required: f.required,
            label_ru: f.label_ru.clone(),
            label_en: f.label_en.clone(),
            name_error: layout.field_error(&errors, &format!("fields[{i}].name")),
            maps_to_error: layout.field_error(&errors, &format!("fields[{i}].maps_to")),
        })
        .collect();
    let pipeline = form
        .pipeline_id
        .parse::<i64>()
        .ok()
        .or_else(|| names.pipelines.iter().find(|p| p.is_default).map(|p| p.id.0));
    let pipelines =
        std::iter::once(SelectOption::new("", t("web-forms-default-pipeline"), form.pipeline_id.is_empty()))
            .chain(names.pipelines.iter().map(|p| {
                SelectOption::new(
                    p.id.to_string(),
                    if layout.lang() == "ru" { p.name_ru.clone() } else { p.name_en.clone() },
                    p.id.to_string() == form.pipeline_id,
                )
            }))
            .collect();
    let stages = std::iter::once(SelectOption::new("", t("web-forms-first-stage"), form.stage_id.is_empty()))
        .chain(names.stages.iter().filter(|s| Some(s.pipeline_id.0) == pipeline).map(|s| {
            SelectOption::new(
                s.id.to_string(),
                stage_name(layout.locale, s),
                s.id.to_string() == form.stage_id,
            )
        }))
        .collect();
    let assignees = [AssigneeKind::User, AssigneeKind::RoundRobin, AssigneeKind::LeastLoaded]
        .iter()
        .map(|k| {
            SelectOption::new(
                k.as_str(),
                t(&format!("automation-assignee-{}", k.as_str())),
                k.as_str() == form.assignee,
            )
        })
        .collect();
    let none = |selected: bool| SelectOption::new("", "—", selected);
    let users = std::iter::once(none(form.assignee_user_id.is_empty()))
        .chain(names.users.iter().filter(|u| u.is_active).map(|u| {
            SelectOption::new(u.id.to_string(), u.name.clone(), u.id.to_string() == form.assignee_user_id)
        }))
        .collect();
    let groups = std::iter::once(none(form.assignee_group_id.is_empty()))
        .chain(names.groups.iter().map(|(g, name)| {
            SelectOption::new(g.to_string(), name.clone(), g.to_string() == form.assignee_group_id)
        }))
        .collect();
    let base = base_url(state, headers);
    let (public_url, snippet) = match &saved {
        Some(f) => (format!("{base}/f/{}", f.key), snippet(&base, f)),
        None => (String::new(), String::new()),
    };
    let error_items = layout.error_items(&errors);
    Ok(WebFormsPage {
        layout,
        tab: Tab::WebForms,
        tabs: Tab::ALL,
        rows,
        id,
        form,
        fields,
        pipelines,
        stages,
        assignees,
        users,
        groups,
        errors,
        error_items,
        public_url,
        snippet,
    })
}

async fn list(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
) -> Result<WebFormsPage, PageError> {
    let form = EditForm::fresh(user.session.access.user_id());
    let shown = Shown { id: None, form, errors: ValidationErrors::default(), saved: None };
    Ok(page(&state, &user, &headers, shown).await?)
}

async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<WebFormsPage, PageError> {
    let saved = web_forms::get(&state.db, &user.session.access, id).await?;
    let shown = Shown {
        id: Some(id),
        form: EditForm::of(&saved),
        errors: ValidationErrors::default(),
        saved: Some(saved),
    };
    Ok(page(&state, &user, &headers, shown).await?)
}

async fn create(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let form = EditForm::read(pairs);
    match web_forms::create(&state.db, &user.session.access, &form.input(false)).await {
        Ok(saved) => Ok(Redirect::to(&format!("/admin/web-forms/{}", saved.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let shown = page(&state, &user, &headers, Shown { id: None, form, errors, saved: None }).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, shown).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn update(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let form = EditForm::read(pairs);
    let access = &user.session.access;
    match web_forms::update(&state.db, access, id, &form.input(true)).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/web-forms/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let saved = web_forms::get(&state.db, access, id).await?;
            let shown =
                page(&state, &user, &headers, Shown { id: Some(id), form, errors, saved: Some(saved) })
                    .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, shown).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn delete(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
) -> Result<Redirect, PageError> {
    web_forms::delete(&state.db, &user.session.access, id).await?;
    Ok(Redirect::to("/admin/web-forms"))
}
