//! Serves the style guide (`/ui/preview`) and the static files on 127.0.0.1:8099 (or the
//! address given as the first argument) without a database, for looking at the interface
//! in a browser or taking screenshots:
//! `cargo run -p orbita-web --example ui_preview`, then open http://127.0.0.1:8099/ui/preview.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8099".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("http://{addr}/ui/preview");
    axum::serve(listener, orbita_web::ui::routes::<()>()).await
}
