//! What each command does: wire configuration to the application and report to the terminal.

use std::io::Read;
use std::time::Instant;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use orbita_app::api_tokens::{TokenInput, TokenScope};
use orbita_app::demo::{DemoLogins, DemoSize, Progress};
use orbita_app::webhooks::Outbound;
use orbita_app::{AppError, ConnectOptions, DatabaseUrl, Db, RequestContext, demo, setup, users};

use crate::cli::{Cli, Command, DemoSizeArg, TokenCommand, UserCommand};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let url: DatabaseUrl = cli.database_url.parse().context("--database-url / ORBITA_DATABASE_URL")?;
    let mut outbound = Outbound::new(cli.secret_key.as_deref(), cli.webhooks_allow_private)
        .map_err(|e| anyhow::anyhow!("--secret-key / ORBITA_SECRET_KEY: {e}"))?;
    if let Some(smtp_url) = cli.smtp_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        let public_url = match (&cli.public_url, &cli.command) {
            (Some(url), _) => url.clone(),
            (None, Command::Serve { listen, .. }) => format!("http://{listen}"),
            (None, _) => "http://127.0.0.1:8080".to_owned(),
        };
        let mailer = orbita_app::mail::Mailer::new(smtp_url, &cli.smtp_from, &public_url)
            .map_err(|e| anyhow::anyhow!("--smtp-url / --smtp-from / --public-url: {e}"))?;
        outbound = outbound.with_mail(mailer);
    }
    match cli.command {
        Command::Serve {
            listen,
            demo,
            secure_cookies,
            trust_forwarded_for,
            web_form_posts_per_address,
            metrics_token,
        } => {
            let config = orbita_web::WebConfig {
                secure_cookies,
                trust_forwarded_for,
                outbound,
                web_form_posts_per_address: Some(web_form_posts_per_address),
                metrics_token,
            };
            serve(&url, listen, demo, config).await
        }
        Command::Worker => {
            let db = open(&url).await?;
            println!("Orbita runs background jobs from {url:?}. Stop with Ctrl-C.");
            let outbound = orbita_web::with_exports(outbound, orbita_web::AppState::new(db.clone()));
            orbita_app::jobs::work(db.clone(), orbita_app::jobs::worker_name(), outbound, shutdown_signal())
                .await;
            db.close().await;
            Ok(())
        }
        Command::Migrate => {
            let db = open(&url).await?;
            println!("Database {url:?} is up to date.");
            db.close().await;
            Ok(())
        }
        Command::User { command: UserCommand::Create { email, name, role, password_stdin } } => {
            let password = read_password(password_stdin)?;
            let db = open(&url).await?;
            let id = users::create_user(&db, &RequestContext::system(), &email, &name, &role, &password)
                .await
                .map_err(explain)?;
            println!("Created user {id} <{}> with role {role}.", email.trim());
            db.close().await;
            Ok(())
        }
        Command::Token { command: TokenCommand::Create { email, name, read_only, expires } } => {
            let db = open(&url).await?;
            // The date stays text here: the application checks it, as it does the web form's.
            let scope = if read_only { TokenScope::ReadOnly } else { TokenScope::ReadWrite };
            let input = TokenInput { name, scope: scope.as_str().to_owned(), expires_on: expires };
            let created =
                orbita_app::api_tokens::create_for_email(&db, &RequestContext::system(), &email, &input)
                    .await
                    .map_err(explain)?;
            let token = &created.token;
            let until = token.expires_at.map_or_else(|| "never".to_owned(), |at| at.to_rfc3339());
            println!(
                "Created API token {} \"{}\" ({}, expires: {until}) for <{}>. It is shown only now:",
                token.id,
                token.name,
                token.scope,
                email.trim()
            );
            // Alone on the last line, so that scripts can take it with `tail -n 1`.
            println!("{}", created.secret);
            db.close().await;
            Ok(())
        }
        Command::DebugWriteBurst { count } => write_burst(&url, count).await,
        Command::DemoData { size } => {
            let db = open(&url).await?;
            let size = match size {
                DemoSizeArg::Small => DemoSize::SMALL,
                DemoSizeArg::Large => DemoSize::LARGE,
            };
            let started = Instant::now();
            let logins = load_demo(&db, size).await?;
            println!("Loaded demo data in {:.1} s.", started.elapsed().as_secs_f64());
            print_logins(&logins);
            db.close().await;
            Ok(())
        }
    }
}

async fn write_burst(url: &DatabaseUrl, count: u64) -> anyhow::Result<()> {
    use std::io::Write;
    let db = open(url).await?;
    let ctx = RequestContext::system();
    let owner = match users::any_user(&db).await.map_err(explain)? {
        Some(user) => user,
        None => users::create_user(&db, &ctx, "burst@example.com", "Burst", "manager", "burst-password")
            .await
            .map_err(explain)?,
    };
    let mut stdout = std::io::stdout().lock();
    for n in 0..count {
        let input =
            orbita_domain::company::CompanyInput { name: format!("Burst company {n}"), ..Default::default() };
        let company = orbita_app::companies::create_as(&db, &ctx, &input, owner).await.map_err(explain)?;
        writeln!(stdout, "ack {}", company.id).context("stdout")?;
        stdout.flush().context("stdout")?;
    }
    db.close().await;
    Ok(())
}

/// Connects, migrates and bootstraps: every command starts from an up-to-date database.
async fn open(url: &DatabaseUrl) -> anyhow::Result<Db> {
    let db = Db::connect(url, &ConnectOptions::default())
        .await
        .with_context(|| format!("cannot open the database {url:?}"))?;
    db.migrate().await.context("cannot migrate the database")?;
    setup::bootstrap(&db).await.map_err(explain)?;
    Ok(db)
}

async fn serve(
    url: &DatabaseUrl,
    listen: std::net::SocketAddr,
    with_demo: bool,
    config: orbita_web::WebConfig,
) -> anyhow::Result<()> {
    let db = open(url).await?;
    if with_demo {
        match load_demo(&db, DemoSize::SMALL).await {
            Ok(logins) => print_logins(&logins),
            Err(error) if matches!(error.downcast_ref::<AppError>(), Some(AppError::NotEmpty)) => {
                let logins = demo::logins();
                println!("The database already has data; demo logins, if it was loaded as a demo:");
                print_logins(&logins);
            }
            Err(error) => return Err(error),
        }
    }
    let listener =
        tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr().context("listening address")?;
    // After binding, so that the link names the port actually served (`--listen …:0`).
    if !with_demo && let Some(token) = orbita_app::auth::first_run_token(&db).await.map_err(explain)? {
        println!("No users yet: create the first administrator at (the link works once, for a day)");
        println!("  http://{address}/setup/{token}");
        println!(
            "or with: orbita user create --email you@example.com --name \"Your Name\" --role administrator --password-stdin"
        );
    }
    println!("Orbita is serving at http://{address}/ (database {url:?}). Stop with Ctrl-C.");
    let api_config = orbita_api::ApiConfig::from_env()
        .trust_forwarded_for(config.trust_forwarded_for)
        .outbound(config.outbound.clone());
    let api = orbita_api::router_with(db.clone(), api_config);
    let state = orbita_web::AppState { db: db.clone(), config };
    let outbound = orbita_web::with_exports(state.config.outbound.clone(), state.clone());
    // The job worker stops with the server: it finishes the jobs in hand and hands back the rest.
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(orbita_app::jobs::work(
        db.clone(),
        orbita_app::jobs::worker_name(),
        outbound,
        async move {
            let mut stop = stop;
            // An error means the sender is gone: the server has stopped either way.
            let _ = stop.wait_for(|stopped| *stopped).await;
        },
    ));
    let signal = async move {
        shutdown_signal().await;
        let _ = stopping.send(true);
    };
    let served = orbita_web::serve(listener, state, api, signal).await.context("server failed");
    if let Err(error) = worker.await {
        tracing::error!(%error, "the job worker crashed");
    }
    served?;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM: stop accepting, finish what is in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn advance(&self, rows: u64) {
        self.0.inc(rows);
    }
}

async fn load_demo(db: &Db, size: DemoSize) -> anyhow::Result<DemoLogins> {
    let bar = ProgressBar::new(size.total_rows());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} demo data [{elapsed_precise}] {wide_bar} {pos}/{len} rows ({per_sec}, {eta} left)",
    ) {
        bar.set_style(style);
    }
    if size == DemoSize::SMALL {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let result = demo::load(db, size, &Bar(bar.clone())).await;
    bar.finish_and_clear();
    result.map_err(|e| match e {
        AppError::NotEmpty => anyhow::Error::new(AppError::NotEmpty),
        other => explain(other),
    })
}

fn print_logins(logins: &DemoLogins) {
    println!("Demo logins (password for all: {}):", logins.password);
    println!("  administrator:  {}", logins.admin_email);
    println!("  head of sales:  {}", logins.head_email);
    println!("  sales manager:  {}", logins.manager_email);
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if !from_stdin {
        bail!("pass --password-stdin and the password on standard input");
    }
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password).context("cannot read the password from standard input")?;
    // A trailing newline from `echo` or a here-string is not part of the password.
    Ok(password.strip_suffix('\n').map(|p| p.strip_suffix('\r').unwrap_or(p)).unwrap_or(&password).to_owned())
}

/// Field errors as one readable line: "email: Enter an e-mail address …; password: At least 8 characters".
fn explain(error: AppError) -> anyhow::Error {
    match error {
        AppError::Invalid(errors) => anyhow::anyhow!(
            "{}",
            errors.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
        ),
        other => anyhow::Error::new(other),
    }
}
