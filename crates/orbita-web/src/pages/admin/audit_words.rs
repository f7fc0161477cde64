//! The audit log's changes in people's words: user, stage, pipeline, role and group names
//! instead of their numbers, a deal's status and a right's scope in the page's language
//! ("Компании · просмотр: Свои → Все"), moments in the organisation's time zone. A value that
//! names nothing known any more is shown as stored.

use chrono::DateTime;
use orbita_domain::access::{Action, Area};
use orbita_domain::pipeline::{Pipeline, Stage};
use orbita_domain::user::{Group, Role, User};

use super::users::role_name;
use crate::pages::deals::common::{pipeline_name, stage_name};
use crate::ui::Layout;

/// Who and what the numbers in one page of the log stand for.
pub struct Words<'a> {
    pub layout: &'a Layout,
    pub users: &'a [User],
    pub stages: Vec<Stage>,
    pub pipelines: Vec<Pipeline>,
    pub roles: Vec<Role>,
    pub groups: Vec<Group>,
}

/// Fields whose values are users.
const USER_FIELDS: [&str; 8] = [
    "owner_id",
    "assignee_id",
    "responsible_id",
    "user_id",
    "revoked_by",
    "shared_with",
    "created_by",
    "actor_id",
];

impl Words<'_> {
    /// One change as a line: `Label: before → after`.
    pub fn change(&self, field: &str, before: Option<&str>, after: Option<&str>) -> String {
        let show = |v: Option<&str>| v.map_or_else(|| "—".to_owned(), |v| self.value(field, v));
        format!("{}: {} → {}", self.label(field), show(before), show(after))
    }

    fn label(&self, field: &str) -> String {
        // A role's right: `companies.view`.
        if let Some((area, action)) = field.split_once('.')
            && let (Some(area), Some(action)) = (Area::parse(area), Action::parse(action))
        {
            let action = self.layout.t(&format!("right-{action}")).to_lowercase();
            return format!("{} · {action}", self.layout.t(&format!("area-{area}")));
        }
        self.layout.field_label(field)
    }

    fn value(&self, field: &str, raw: &str) -> String {
        let id = raw.parse::<i64>().ok();
        let named = match (field, id) {
            (f, Some(id)) if USER_FIELDS.contains(&f) => {
                self.users.iter().find(|u| u.id.0 == id).map(|u| u.name.clone())
            }
            ("stage_id" | "from_stage_id" | "to_stage_id", Some(id)) => {
                self.stages.iter().find(|s| s.id.0 == id).map(|s| stage_name(self.layout.locale, s))
            }
            ("pipeline_id", Some(id)) => {
                self.pipelines.iter().find(|p| p.id.0 == id).map(|p| pipeline_name(self.layout.locale, p))
            }
            ("role_id" | "role", Some(id)) => {
                self.roles.iter().find(|r| r.id.0 == id).map(|r| role_name(self.layout, r))
            }
            ("group_id", Some(id)) => self.groups.iter().find(|g| g.id.0 == id).map(|g| g.name.clone()),
            _ => None,
        };
        if let Some(name) = named {
            return name;
        }
        if field.contains('.') && matches!(raw, "own" | "group" | "all") {
            return self.layout.t(&format!("scope-{raw}"));
        }
        if field == "status" {
            return self.layout.t_or(&format!("deal-status-{raw}"), raw);
        }
        if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
            return self.layout.datetime(at.to_utc());
        }
        raw.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use orbita_domain::{RoleId, UserId};

    use super::*;

    #[test]
    fn numbers_become_names_and_rights_become_words() {
        let mut layout = Layout::new(crate::ui::Locale::Ru, "t");
        layout.time_zone = "Europe/Moscow".into();
        let users = [User {
            id: UserId(13),
            email: orbita_domain::validation::Email::parse("anna@x.ru").expect("email"),
            name: "Анна Смирнова".into(),
            role_id: RoleId(1),
            locale: None,
            is_active: true,
            created_at: orbita_domain::now(),
            updated_at: orbita_domain::now(),
        }];
        let words = Words {
            layout: &layout,
            users: &users,
            stages: Vec::new(),
            pipelines: Vec::new(),
            roles: Vec::new(),
            groups: Vec::new(),
        };
        assert_eq!(words.change("owner_id", Some("13"), Some("99")), "Ответственный: Анна Смирнова → 99");
        assert_eq!(
            words.change("companies.view", Some("own"), Some("all")),
            "Компании · просмотр: Свои → Все"
        );
        assert_eq!(words.change("status", Some("open"), Some("won")), "Статус: В работе → Выиграна");
        assert_eq!(
            words.change("done_at", None, Some("2026-12-08T09:30:00+00:00")),
            format!(
                "{}: — → {}",
                layout.field_label("done_at"),
                layout.datetime(
                    DateTime::parse_from_rfc3339("2026-12-08T09:30:00+00:00").expect("time").to_utc()
                )
            )
        );
    }
}
