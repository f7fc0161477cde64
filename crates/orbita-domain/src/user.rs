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

/// Passwords of 8 to 128 characters, no composition rules (NIST SP 800-63B).
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
