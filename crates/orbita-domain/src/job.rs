//! A job of the durable queue: work that runs later or in the background, on whichever
//! instance claims it. Its rules are here: the states, and how long a failed job waits
//! before its next attempt.

use chrono::Duration;

use crate::Timestamp;

crate::text_enum!(
    /// Queued → running → done; a failure waits as `failed` for its next attempt, and after the
    /// last one the job is `dead` until an administrator retries it.
    JobState { Queued => "queued", Running => "running", Done => "done", Failed => "failed", Dead => "dead" }
);

/// A job as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: i64,
    /// What it does (`custom_field_indexes`); its `payload` (JSON) says to what.
    pub kind: String,
    pub payload: String,
    pub state: JobState,
    pub run_at: Timestamp,
    /// Attempts begun, this one included while it runs.
    pub attempts: i64,
    pub max_attempts: i64,
    pub last_error: Option<String>,
    pub locked_by: Option<String>,
    pub locked_until: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// How long a job waits after its `attempts`-th failure: 30 seconds doubling each time, at
/// most six hours, shortened by up to a quarter (`jitter` in 0..1) so that jobs that failed
/// together do not all come back at the same moment.
pub fn backoff(attempts: i64, jitter: f64) -> Duration {
    const FIRST: i64 = 30;
    const MOST: i64 = 6 * 3600;
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    let seconds = FIRST.saturating_mul(1 << doublings).min(MOST);
    // Whole milliseconds; `jitter` outside 0..1 is clamped.
    let millis = (seconds as f64 * 1000.0 * (1.0 - 0.25 * jitter.clamp(0.0, 1.0))) as i64;
    Duration::milliseconds(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_six_hours_and_jitter_only_shortens_them() {
        assert_eq!(backoff(1, 0.0), Duration::seconds(30));
        assert_eq!(backoff(2, 0.0), Duration::seconds(60));
        assert_eq!(backoff(5, 0.0), Duration::seconds(480));
        assert_eq!(backoff(30, 0.0), Duration::hours(6));
        assert_eq!(backoff(1, 1.0), Duration::milliseconds(22_500));
        assert_eq!(backoff(3, 0.5), Duration::milliseconds(105_000));
        assert_eq!(backoff(0, 2.0), Duration::milliseconds(22_500));
        assert_eq!(JobState::parse("dead"), Some(JobState::Dead));
    }
}
