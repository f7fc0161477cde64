//! People who sign in, the teams they form and the roles that say what they may do.
//! The permission matrix itself belongs to the rights issue; a role here is its identity.

use crate::org::Locale;
use crate::validation::Email;
use crate::{FieldError, GroupId, RoleId, Timestamp, UserId, ValidationErrors, text};

crate::text_enum!(
    /// The roles every installation starts with. Administrators may add more.
    BuiltinRole {
        Administrator => "administrator",
        HeadOfSales => "head_of_sales",
        Manager => "manager",
        ReadOnly => "read_only",
    }
);

impl BuiltinRole {
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            BuiltinRole::Administrator => ("Администратор", "Administrator"),
            BuiltinRole::HeadOfSales => ("Руководитель отдела продаж", "Head of sales"),
            BuiltinRole::Manager => ("Менеджер по продажам", "Sales manager"),
            BuiltinRole::ReadOnly => ("Только просмотр", "Read-only"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: String,
    pub role_id: RoleId,
    pub is_active: bool,
    pub locale: Option<Locale>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub id: RoleId,
    pub key: String,
    pub name_ru: String,
    pub name_en: String,
    pub is_builtin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
}

/// A new user as typed by an administrator or on the command line.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub name: String,
}

impl NewUser {
    pub fn parse(email: &str, name: &str) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let email = errors.check(Email::parse(email));
        let name = errors.check(text::required(name, "name", 200));
        match (email, name) {
            (Some(email), Some(name)) if errors.is_empty() => Ok(Self { email, name }),
            _ => Err(errors),
        }
    }
}

/// Passwords of 8 to 128 characters, no composition rules (NIST SP 800-63B); the application
/// also refuses the most common ones (`is_common_password`).
pub fn check_password(password: &str) -> Result<(), FieldError> {
    let length = password.chars().count();
    if length < 8 {
        return Err(FieldError::new("password", "password-too-short", "At least 8 characters"));
    }
    if length > 128 {
        return Err(FieldError::new("password", "password-too-long", "At most 128 characters"));
    }
    Ok(())
}

/// The most common passwords (from public breach top lists, Russian ones included), refused
/// whatever their length. Compared case-insensitively.
const COMMON_PASSWORDS: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "12345678910",
    "123123123",
    "11111111",
    "00000000",
    "88888888",
    "87654321",
    "11223344",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "1qaz2wsx",
    "qwerty123",
    "qwertyui",
    "qwertyuiop",
    "qwerty12",
    "qwerty1234",
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "iloveyou",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "welcome1",
    "abc12345",
    "abcd1234",
    "asdfghjk",
    "asdfghjkl",
    "zxcvbnm1",
    "zaq12wsx",
    "superman",
    "starwars",
    "whatever",
    "trustno1",
    "dragon12",
    "monkey12",
    "letmein1",
    "admin123",
    "administrator",
    "changeme",
    "default1",
    "internet",
    "computer",
    "michael1",
    "jennifer",
    "1234qwer",
    "q1w2e3r4",
    "q1w2e3r4t5",
    "a1b2c3d4",
    "987654321",
    "147258369",
    "159753456",
    "123654789",
    "741852963",
    "55555555",
    "66666666",
    "77777777",
    "99999999",
    "12341234",
    "йцукенгш",
    "йцукенгшщз",
    "пароль123",
    "парольпароль",
    "любовьмоя",
    "qazwsxedc",
    "1qazxsw2",
    "zxcvbnmm",
    "marina12",
    "natasha1",
    "maksim12",
    "nikita12",
    "dmitriy1",
    "alexander",
    "aleksandr",
    "vladimir",
    "orbita123",
    "crm12345",
    "sales123",
    "manager1",
    "welcome123",
    "password12",
    "qwerty11",
    "qwerty007",
];

pub fn is_common_password(password: &str) -> bool {
    let lowered = password.to_lowercase();
    COMMON_PASSWORDS.contains(&lowered.as_str())
}

/// The audited difference of an administrator's edit of a user: the groups (by id) with
/// the fields, since membership widens what a head of sales sees.
pub fn users_diff(
    before: &User,
    before_groups: &[GroupId],
    after: &NewUser,
    role_id: RoleId,
    is_active: bool,
    locale: Option<Locale>,
    groups: &[GroupId],
) -> Vec<crate::audit::FieldChange> {
    crate::audit::diff(
        &[
            ("email", Some(before.email.as_str().to_owned())),
            ("name", Some(before.name.clone())),
            ("role_id", Some(before.role_id.to_string())),
            ("is_active", Some(before.is_active.to_string())),
            ("locale", before.locale.map(|l| l.to_string())),
            ("groups", groups_text(before_groups)),
        ],
        &[
            ("email", Some(after.email.as_str().to_owned())),
            ("name", Some(after.name.clone())),
            ("role_id", Some(role_id.to_string())),
            ("is_active", Some(is_active.to_string())),
            ("locale", locale.map(|l| l.to_string())),
            ("groups", groups_text(groups)),
        ],
    )
}

/// A user's groups as the audit log shows them: ids in ascending order, so that the order
/// a form sends them in is no change; nothing for none.
pub fn groups_text(groups: &[GroupId]) -> Option<String> {
    let mut ids: Vec<i64> = groups.iter().map(|g| g.0).collect();
    ids.sort_unstable();
    ids.dedup();
    (!ids.is_empty()).then(|| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        let now = crate::now();
        User {
            id: UserId(1),
            email: Email::parse("anna@x.ru").expect("email"),
            name: "Анна".into(),
            role_id: RoleId(3),
            is_active: true,
            locale: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_users_diff_names_changed_groups_and_ignores_their_order() {
        let before = user();
        let same = NewUser { email: before.email.clone(), name: before.name.clone() };
        let unchanged = users_diff(
            &before,
            &[GroupId(2), GroupId(1)],
            &same,
            RoleId(3),
            true,
            None,
            &[GroupId(1), GroupId(2)],
        );
        assert!(unchanged.is_empty(), "{unchanged:?}");
        let changed =
            users_diff(&before, &[GroupId(1)], &same, RoleId(4), true, None, &[GroupId(5), GroupId(1)]);
        let fields: Vec<_> =
            changed.iter().map(|c| (c.field.as_str(), c.before.as_deref(), c.after.as_deref())).collect();
        assert_eq!(fields, [("role_id", Some("3"), Some("4")), ("groups", Some("1"), Some("1, 5"))]);
        let left = users_diff(&before, &[GroupId(1)], &same, RoleId(3), true, None, &[]);
        assert_eq!(left[0].after, None, "no groups is shown as nothing");
    }
}
