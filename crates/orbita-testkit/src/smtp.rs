//! A real SMTP server on loopback for the e-mail tests: Python's `aiosmtpd`, keeping each
//! message it accepts in a Maildir that the test reads back. `aiosmtpd` accepts a message only
//! after it is stored, so a message the sender saw accepted is already there.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SmtpServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpServer {
    /// Starts a server, or `None` (the test is skipped, saying why) when `aiosmtpd` is not
    /// installed. CI sets `ORBITA_SMTP_TESTS=1` and installs it, so there a missing server
    /// fails the test instead.
    pub fn start() -> Option<SmtpServer> {
        let installed = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !installed {
            assert!(
                std::env::var_os("ORBITA_SMTP_TESTS").is_none(),
                "ORBITA_SMTP_TESTS is set but aiosmtpd is missing: pip install aiosmtpd"
            );
            eprintln!("skipped: the e-mail test needs aiosmtpd (pip install aiosmtpd)");
            return None;
        }
        let port = free_port();
        let dir = tempfile::tempdir().expect("a maildir");
        let child = Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            // A path that does not exist yet: Maildir makes its folders only when it makes the
            // mailbox itself.
            .arg(dir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        let server = SmtpServer { child, port, dir };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(15), "aiosmtpd did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(server)
    }

    /// `smtp://127.0.0.1:PORT`: plain SMTP, as a local relay speaks it.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, raw, oldest first.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<(std::time::SystemTime, PathBuf)> =
            std::fs::read_dir(self.dir.path().join("mail/new"))
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .map(|e| {
                            (
                                e.metadata().and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH),
                                e.path(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
        files.sort();
        files.into_iter().map(|(_, path)| std::fs::read(path).expect("a stored message")).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}
