//! Timing: run an operation for a time budget, one call after another (a user waits for each
//! answer), or from many tasks at once; then percentiles and throughput.

use std::future::Future;
use std::time::{Duration, Instant};

/// How long and how often to run one operation.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub duration: Duration,
    /// At least this many timed calls, even past the duration (percentiles need some).
    pub min_calls: usize,
    /// At most this many (writes add rows to a database that is reused).
    pub max_calls: usize,
    /// Untimed calls first: connections opened, caches warm, as for a user at work.
    pub warmup: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub calls: usize,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    /// Calls per second over the whole timed run.
    pub per_sec: f64,
}

impl Stats {
    pub fn from_samples(mut samples: Vec<Duration>, elapsed: Duration) -> Stats {
        samples.sort_unstable();
        let calls = samples.len();
        let seconds = elapsed.as_secs_f64();
        Stats {
            calls,
            p50: percentile(&samples, 0.50),
            p95: percentile(&samples, 0.95),
            p99: percentile(&samples, 0.99),
            per_sec: if seconds > 0.0 { calls as f64 / seconds } else { 0.0 },
        }
    }
}

/// Nearest rank: the smallest sample with at least `p` of all samples at or below it.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Calls `call(i)` one after another within the budget and times each call.
pub async fn sequential<F, Fut>(budget: &Budget, mut call: F) -> anyhow::Result<Stats>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    for i in 0..budget.warmup {
        call(i).await?;
    }
    let mut samples = Vec::new();
    let started = Instant::now();
    let mut i = budget.warmup;
    while samples.len() < budget.min_calls
        || (started.elapsed() < budget.duration && samples.len() < budget.max_calls)
    {
        let at = Instant::now();
        call(i).await?;
        samples.push(at.elapsed());
        i += 1;
    }
    Ok(Stats::from_samples(samples, started.elapsed()))
}

/// `tasks` tasks each calling `call(i)` in a loop until `duration` is over: throughput under
/// load. Every call's latency is kept, so the percentiles include queueing.
pub async fn concurrent<F, Fut>(tasks: usize, duration: Duration, call: F) -> anyhow::Result<Stats>
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let started = Instant::now();
    let deadline = started + duration;
    let mut handles = Vec::with_capacity(tasks);
    for task in 0..tasks {
        let call = call.clone();
        handles.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut i = task;
            while Instant::now() < deadline {
                let at = Instant::now();
                call(i).await?;
                samples.push(at.elapsed());
                i += tasks;
            }
            anyhow::Ok(samples)
        }));
    }
    let mut samples = Vec::new();
    for handle in handles {
        samples.extend(handle.await??);
    }
    Ok(Stats::from_samples(samples, started.elapsed()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).rev().map(ms).collect();
        let stats = Stats::from_samples(samples, Duration::from_secs(2));
        assert_eq!((stats.p50, stats.p95, stats.p99), (ms(50), ms(95), ms(99)));
        assert_eq!(stats.calls, 100);
        assert!((stats.per_sec - 50.0).abs() < 1e-9);
        let one = Stats::from_samples(vec![ms(7)], Duration::from_secs(1));
        assert_eq!((one.p50, one.p99), (ms(7), ms(7)));
        assert_eq!(Stats::from_samples(Vec::new(), Duration::ZERO).p95, Duration::ZERO);
    }

    #[tokio::test]
    async fn runs_at_least_the_minimum() {
        let budget = Budget { duration: Duration::ZERO, min_calls: 5, max_calls: 10, warmup: 2 };
        let stats = sequential(&budget, |_| async { Ok(()) }).await.expect("runs");
        assert_eq!(stats.calls, 5);
    }
}
