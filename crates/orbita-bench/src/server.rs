//! The server under test: the real `orbita serve` on a free loopback port, its start time
//! (launch until `/readyz` answers) and its memory, sampled from /proc while it works.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::http::Http;

/// Migrations of a million rows run before "serving at" is printed: allow for them.
const START_TIMEOUT: Duration = Duration::from_secs(900);
const RSS_EVERY: Duration = Duration::from_millis(50);

pub struct Server {
    child: Child,
    pub pid: u32,
    pub base_url: String,
    /// From launch until `/readyz` answered 200.
    pub start_time: Duration,
    /// Resident memory right after the start, in KiB.
    pub rss_after_start_kib: u64,
    peak_sampled_kib: Arc<AtomicU64>,
    sampling: Arc<AtomicBool>,
}

impl Server {
    /// Launches `orbita serve --listen 127.0.0.1:0`, reads the address it prints and waits
    /// until it is ready. The server's log goes to `log`.
    pub async fn start(orbita: &Path, database_url: &str, log: &Path) -> anyhow::Result<Server> {
        let log_file = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let started = Instant::now();
        let mut child = Command::new(orbita)
            .arg("--database-url")
            .arg(database_url)
            .args(["serve", "--listen", "127.0.0.1:0"])
            // Every request comes from loopback: lift the web forms' per-address limit.
            .env("ORBITA_WEB_FORM_POSTS_PER_ADDRESS", "1000000000")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .kill_on_drop(true)
            .spawn()
            .context("starting orbita serve")?;
        let pid = child.id().context("the server exited at once")?;
        let stdout = child.stdout.take().context("server output")?;
        let mut lines = BufReader::new(stdout).lines();
        let address = tokio::time::timeout(START_TIMEOUT, async {
            while let Some(line) = lines.next_line().await? {
                if let Some(address) = serving_address(&line) {
                    return Ok(address);
                }
            }
            bail!("the server stopped before serving (see {})", log.display())
        })
        .await
        .context("the server did not start in time")??;
        // Keep reading, or the server blocks on a full pipe when it prints.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

        let base_url = format!("http://{address}");
        let http = Http::new(&base_url);
        loop {
            if matches!(http.get("/readyz", None).await, Ok(reply) if reply.status == 200) {
                break;
            }
            if started.elapsed() > START_TIMEOUT {
                bail!("/readyz never answered");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let start_time = started.elapsed();
        let rss_after_start_kib = read_status(pid, "VmRSS:").unwrap_or(0);
        let mut server = Server {
            child,
            pid,
            base_url,
            start_time,
            rss_after_start_kib,
            peak_sampled_kib: Arc::new(AtomicU64::new(rss_after_start_kib)),
            sampling: Arc::new(AtomicBool::new(true)),
        };
        server.sample_rss();
        Ok(server)
    }

    /// VmHWM misses nothing between samples; sampling VmRSS as well shows the same figure
    /// from another angle (and would catch a kernel without VmHWM).
    fn sample_rss(&mut self) {
        let (pid, peak, sampling) = (self.pid, self.peak_sampled_kib.clone(), self.sampling.clone());
        tokio::spawn(async move {
            while sampling.load(Ordering::Relaxed) {
                if let Some(rss) = read_status(pid, "VmRSS:") {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                tokio::time::sleep(RSS_EVERY).await;
            }
        });
    }

    /// The peak resident memory so far, in KiB: the kernel's high-water mark, or the highest sample.
    pub fn peak_rss_kib(&self) -> u64 {
        let sampled = self.peak_sampled_kib.load(Ordering::Relaxed);
        read_status(self.pid, "VmHWM:").unwrap_or(0).max(sampled)
    }

    /// SIGTERM (a graceful stop, as in production), then SIGKILL if it hangs.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.sampling.store(false, Ordering::Relaxed);
        let _ = Command::new("kill").arg("-TERM").arg(self.pid.to_string()).status().await;
        match tokio::time::timeout(Duration::from_secs(15), self.child.wait()).await {
            Ok(status) => {
                status.context("waiting for the server")?;
            }
            Err(_) => {
                self.child.kill().await.context("killing the server")?;
            }
        }
        Ok(())
    }
}

/// `Orbita is serving at http://127.0.0.1:43210/ (database …)` → `127.0.0.1:43210`.
fn serving_address(line: &str) -> Option<String> {
    let rest = line.split_once("serving at http://")?.1;
    let address = rest.split(['/', ' ']).next()?;
    (!address.is_empty()).then(|| address.to_owned())
}

/// The resident memory of a process now, in KiB.
pub fn rss_kib(pid: u32) -> Option<u64> {
    read_status(pid, "VmRSS:")
}

/// A `kB` line of /proc/<pid>/status, such as `VmRSS:` or `VmHWM:`.
fn read_status(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|line| line.strip_prefix(key)?.trim().strip_suffix("kB")?.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_address() {
        let line = "Orbita is serving at http://127.0.0.1:43210/ (database Sqlite(\"x\")). Stop with Ctrl-C.";
        assert_eq!(serving_address(line).as_deref(), Some("127.0.0.1:43210"));
        assert_eq!(serving_address("No users yet"), None);
    }

    #[test]
    fn reads_our_own_memory() {
        assert!(read_status(std::process::id(), "VmRSS:").is_some_and(|kib| kib > 0));
    }
}
