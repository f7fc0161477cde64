//! Password hashing with argon2id (m = 19 MiB, t = 2, p = 1: the crate's defaults, OWASP's
//! minimum). Hashes are PHC strings carrying their own parameters, so they can be raised later.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2};

use crate::AppError;

pub fn hash(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Password(e.to_string()))
}

/// Whether the password matches; a malformed stored hash never matches.
pub fn verify(stored_hash: &str, password: &str) -> bool {
    PasswordHash::new(stored_hash)
        .is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// Whether a stored hash is argon2id (and not something weaker left over).
pub fn is_argon2id(stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash).is_ok_and(|hash| hash.algorithm.as_str() == Algorithm::Argon2id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_salted_argon2id() {
        let first = hash("correct horse battery").expect("hash");
        let second = hash("correct horse battery").expect("hash");
        assert_ne!(first, second, "a fresh salt each time");
        assert!(first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{first}");
        assert!(is_argon2id(&first));
        assert!(verify(&first, "correct horse battery"));
        assert!(!verify(&first, "Correct horse battery"));
        assert!(!verify("not a hash", "x"));
    }
}
