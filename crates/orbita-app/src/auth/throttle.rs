//! How failed sign-ins slow guessing down without handing anyone a way to lock a user out.
//!
//! Three counters over the last fifteen minutes, kept in the database so that every instance
//! counts together:
//! - per account and address: five failures stop that address trying that account;
//! - per address: thirty failures stop that address trying any account;
//! - per account, from anywhere: after a couple of typos each failure makes the next attempt on
//!   the account wait longer (1, 2, 4 … 60 s). Guessing from many places is slowed to a crawl,
//!   while the real user elsewhere waits a minute at most — never fifteen.
//!
//! Refused attempts are not recorded as failures, so a flood cannot push the wait further out.

use chrono::Duration;
use orbita_domain::Timestamp;
use orbita_storage::Db;
use orbita_storage::access::{self as store, SignInFailures};

/// Failed sign-ins are counted over this window.
pub const FAILURE_WINDOW: Duration = Duration::minutes(15);
pub const MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 30;
/// Failures on an account that cost no wait: typos happen.
pub const FREE_FAILURES_PER_ACCOUNT: i64 = 2;
pub const MAX_ACCOUNT_DELAY: Duration = Duration::seconds(60);

/// Which counter holds an attempt back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    AccountAndAddress,
    Address,
    Account,
}

impl Limit {
    /// The mark on the audit event of the failure that reached the limit.
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::AccountAndAddress => "account-and-address",
            Limit::Address => "address",
            Limit::Account => "account",
        }
    }
}

/// An attempt held back, and when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub limit: Limit,
    pub retry_after: Duration,
}

impl Throttled {
    /// Whole seconds for `Retry-After`, at least one.
    pub fn retry_after_seconds(&self) -> u64 {
        let millis = u64::try_from(self.retry_after.num_milliseconds()).unwrap_or(0).max(1);
        millis.div_ceil(1000)
    }
}

/// How long an account waits after its last failure, given its failures in the window.
pub fn account_delay(failures: i64) -> Duration {
    let over = failures - FREE_FAILURES_PER_ACCOUNT;
    if over <= 0 {
        return Duration::zero();
    }
    // 2^(over-1) s, capped; the shift is bounded so it cannot overflow.
    let seconds = 1_i64 << (over - 1).min(6);
    Duration::seconds(seconds).min(MAX_ACCOUNT_DELAY)
}

/// The counter keys of one attempt.
pub(super) struct Keys {
    pub account: String,
    pub account_and_address: Option<String>,
    pub address: Option<String>,
}

impl Keys {
    pub fn new(email: &str, ip: Option<&str>) -> Keys {
        let email = email.trim().to_lowercase();
        Keys {
            account_and_address: ip.map(|ip| format!("account-address:{email}|{ip}")),
            address: ip.map(|ip| format!("address:{ip}")),
            account: format!("account:{email}"),
        }
    }

    /// Every key a failure is recorded under.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        [Some(&self.account), self.account_and_address.as_ref(), self.address.as_ref()]
            .into_iter()
            .flatten()
            .map(String::as_str)
    }
}

/// The three counters as they stand before an attempt.
#[derive(Debug, Default)]
pub(super) struct Counts {
    account: SignInFailures,
    account_and_address: SignInFailures,
    address: SignInFailures,
}

impl Counts {
    pub async fn load(db: &Db, keys: &Keys, now: Timestamp) -> Result<Counts, orbita_storage::StorageError> {
        let since = now - FAILURE_WINDOW;
        let mut counts =
            Counts { account: store::sign_in_failures(db, &keys.account, since).await?, ..Counts::default() };
        if let Some(key) = &keys.account_and_address {
            counts.account_and_address = store::sign_in_failures(db, key, since).await?;
        }
        if let Some(key) = &keys.address {
            counts.address = store::sign_in_failures(db, key, since).await?;
        }
        Ok(counts)
    }

    /// Whether the attempt may go ahead at `now`.
    pub fn check(&self, now: Timestamp) -> Result<(), Throttled> {
        let full = |failures: &SignInFailures, max: i64, limit: Limit| match failures.first {
            Some(first) if failures.count >= max => {
                Err(Throttled { limit, retry_after: first + FAILURE_WINDOW - now })
            }
            _ => Ok(()),
        };
        full(&self.account_and_address, MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS, Limit::AccountAndAddress)?;
        full(&self.address, MAX_FAILURES_PER_ADDRESS, Limit::Address)?;
        if let Some(last) = self.account.last {
            let until = last + account_delay(self.account.count);
            if until > now {
                return Err(Throttled { limit: Limit::Account, retry_after: until - now });
            }
        }
        Ok(())
    }

    /// The limit one more failure reaches, if any: that failure's audit event carries it, so
    /// administrators see where guessing was stopped.
    pub fn reached_by_next_failure(&self) -> Option<Limit> {
        if self.account_and_address.count + 1 == MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS {
            Some(Limit::AccountAndAddress)
        } else if self.address.count + 1 == MAX_FAILURES_PER_ADDRESS {
            Some(Limit::Address)
        } else if self.account.count + 1 == FREE_FAILURES_PER_ACCOUNT + 1 {
            Some(Limit::Account)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_delay_grows_to_a_minute() {
        let delays: Vec<i64> = (0..12).map(|n| account_delay(n).num_seconds()).collect();
        assert_eq!(delays, [0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(account_delay(i64::MAX).num_seconds(), 60);
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let at = |millis| Throttled { limit: Limit::Account, retry_after: Duration::milliseconds(millis) };
        assert_eq!(at(1).retry_after_seconds(), 1);
        assert_eq!(at(1000).retry_after_seconds(), 1);
        assert_eq!(at(1001).retry_after_seconds(), 2);
        assert_eq!(at(-5).retry_after_seconds(), 1);
    }
}
