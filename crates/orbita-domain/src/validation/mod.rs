//! Parsers for the values a CRM user types: tax identifiers, e-mail, phone, money.
//! Each `parse` takes raw input and returns the value or a `FieldError` naming the field.

pub mod email;
pub mod inn;
pub mod kpp;
pub mod money;
pub mod ogrn;
pub mod phone;

pub use email::Email;
pub use inn::Inn;
pub use kpp::Kpp;
pub use money::{Currency, Money};
pub use ogrn::Ogrn;
pub use phone::Phone;
