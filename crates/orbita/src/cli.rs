//! The command line: `serve`, `worker`, `migrate`, `user create`, `token create`, `demo-data`.

use std::net::SocketAddr;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "orbita",
    version,
    about = "Orbita CRM: web UI, REST API and background jobs in one program"
)]
pub struct Cli {
    /// Where the data lives: sqlite://PATH (created on first run) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "ORBITA_DATABASE_URL",
        default_value = "sqlite://./orbita-data/orbita.db",
        global = true
    )]
    pub database_url: String,

    /// The key webhook signing secrets are derived from (at least 32 characters; the same on
    /// every instance). Without it webhooks cannot be made.
    #[arg(long, env = "ORBITA_SECRET_KEY", global = true, hide_env_values = true)]
    pub secret_key: Option<String>,

    /// Let webhooks call loopback and private addresses (tests, a single office's network).
    #[arg(long, env = "ORBITA_WEBHOOKS_ALLOW_PRIVATE", global = true, value_parser = clap::builder::BoolishValueParser::new())]
    pub webhooks_allow_private: bool,

    /// The SMTP server notification e-mails and digests go through:
    /// smtp://[USER:PASSWORD@]HOST[:PORT][?tls=required] (STARTTLS) or smtps://… (TLS). Without
    /// it e-mail is off.
    #[arg(long, env = "ORBITA_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of Orbita's e-mails: crm@example.ru or "Orbita <crm@example.ru>".
    #[arg(long, env = "ORBITA_SMTP_FROM", global = true, default_value = "Orbita <orbita@localhost>")]
    pub smtp_from: String,

    /// Where users open Orbita (https://crm.example.ru), for the links in e-mails; by default
    /// the address `serve` listens on.
    #[arg(long, env = "ORBITA_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web UI and the API (migrates the database first).
    Serve {
        /// Address and port to listen on.
        #[arg(long, env = "ORBITA_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Load the small demo data set into an empty database and print demo logins.
        #[arg(long)]
        demo: bool,
        /// Mark the session cookie Secure: set this when users reach Orbita over HTTPS.
        #[arg(long, env = "ORBITA_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Take client addresses from X-Forwarded-For (only behind a proxy that sets it).
        #[arg(long, env = "ORBITA_TRUST_FORWARDED_FOR")]
        trust_forwarded_for: bool,
        /// Posts one address may send to the web forms in 10 minutes (a benchmark raises it).
        #[arg(long, env = "ORBITA_WEB_FORM_POSTS_PER_ADDRESS", default_value_t = orbita_app::web_forms::POSTS_PER_ADDRESS)]
        web_form_posts_per_address: i64,
        /// The bearer token `/metrics` asks for; unset, only this machine may read it.
        #[arg(long, env = "ORBITA_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Run background jobs only, without serving (every `serve` runs them too).
    Worker,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage personal API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// For the crash test: create companies one transaction at a time and print `ack ID` only
    /// after each commit, until killed or `count` is reached.
    #[command(hide = true)]
    DebugWriteBurst {
        #[arg(long, default_value_t = 1_000_000)]
        count: u64,
    },
    /// Load demo data into an empty database.
    DemoData {
        #[arg(long, value_enum, default_value_t = DemoSizeArg::Small)]
        size: DemoSizeArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// administrator, head_of_sales, manager or read_only.
        #[arg(long, default_value = "manager")]
        role: String,
        /// Read the password from standard input (required: never pass it as an argument).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user; the token is printed once, alone on the last line.
    Create {
        /// The user the token acts as (with that user's rights).
        #[arg(long)]
        email: String,
        /// What the token is for, to recognise it later.
        #[arg(long, default_value = "")]
        name: String,
        /// Allow reading only (GET, HEAD, OPTIONS); without it the token may also write.
        #[arg(long)]
        read_only: bool,
        /// The day the token stops working (YYYY-MM-DD, from 00:00 UTC); a later day than
        /// today. Without it the token works until revoked.
        #[arg(long, value_name = "YYYY-MM-DD", default_value = "")]
        expires: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoSizeArg {
    /// A few hundred companies: for trying Orbita.
    Small,
    /// A million companies, contacts and deals, three million activities: for benchmarks.
    Large,
}
