//! The interface foundation in-process: the style guide renders in both languages within
//! the Content-Security-Policy's rules (no inline script, style or event handler, nothing
//! from another origin), and the embedded static files are served with the right types
//! and cache headers.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn get(path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = Request::get(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let router: Router = orbita_web::ui::routes();
    let response = router.oneshot(request.body(Body::empty()).expect("request")).await.expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

fn header(reply: &Reply, name: header::HeaderName) -> &str {
    reply.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// Every value of `attribute="…"` in `html`.
fn attribute_values<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
    let needle = format!(" {attribute}=\"");
    html.match_indices(&needle).filter_map(|(at, _)| html[at + needle.len()..].split('"').next()).collect()
}

/// The opening tags named `tag`, e.g. every `<script …>`.
fn tags<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let needle = format!("<{tag}");
    html.match_indices(&needle)
        .filter(|(at, _)| html[at + needle.len()..].starts_with(|c: char| c.is_whitespace() || c == '>'))
        .filter_map(|(at, _)| html[at..].split('>').next())
        .collect()
}

fn assert_page_is_clean(html: &str) {
    assert!(html.starts_with("<!doctype html>"), "{}", &html[..html.len().min(200)]);
    assert!(!html.contains(['\u{2068}', '\u{2069}']), "Fluent isolation marks in the page");
    assert!(!html.contains("Unknown localization key"), "a missing translation");
    let scripts = tags(html, "script");
    assert!(!scripts.is_empty());
    for script in scripts {
        assert!(script.contains(" src=\"/static/"), "inline or foreign script: {script}");
    }
    assert!(tags(html, "style").is_empty(), "inline <style> is refused by the CSP");
    assert!(attribute_values(html, "style").is_empty(), "inline style= attribute");
    let lower = html.to_ascii_lowercase();
    for handler in [" onclick=", " onload=", " onchange=", " onsubmit=", " oninput=", "javascript:"] {
        assert!(!lower.contains(handler), "inline event handler {handler}");
    }
    for attribute in ["src", "href", "action", "hx-get", "hx-post"] {
        for url in attribute_values(html, attribute) {
            assert!(!url.contains("//"), "{attribute}=\"{url}\" leaves the origin (no CDNs)");
        }
    }
    // Every aria-describedby points at an element that exists.
    for ids in attribute_values(html, "aria-describedby") {
        for id in ids.split_whitespace() {
            assert!(html.contains(&format!("id=\"{id}\"")), "aria-describedby names a missing id {id}");
        }
    }
    assert!(html.contains("<meta name=\"viewport\""));
    assert!(html.contains("class=\"skip-link\" href=\"#main\""));
    assert!(html.contains("id=\"main\""));
}

#[tokio::test]
async fn preview_renders_russian_by_default_and_english_on_request() {
    let ru = get("/ui/preview", &[]).await;
    assert_eq!(ru.status, StatusCode::OK);
    assert!(header(&ru, header::CONTENT_TYPE).starts_with("text/html"));
    assert!(ru.body.contains("<html lang=\"ru\">"));
    assert!(ru.body.contains(">Компании</a>"));
    assert!(ru.body.contains("8 компаний"));
    assert_page_is_clean(&ru.body);

    let en = get("/ui/preview?lang=en", &[]).await;
    assert_eq!(en.status, StatusCode::OK);
    assert!(en.body.contains("<html lang=\"en\">"));
    assert!(en.body.contains(">Companies</a>"));
    assert!(en.body.contains("8 companies"));
    assert_page_is_clean(&en.body);

    let browser = get("/ui/preview", &[("accept-language", "en-US,en;q=0.9,ru;q=0.5")]).await;
    assert!(browser.body.contains("<html lang=\"en\">"));
    let russian_browser = get("/ui/preview", &[("accept-language", "ru-RU,ru;q=0.9,en;q=0.8")]).await;
    assert!(russian_browser.body.contains("<html lang=\"ru\">"));
    let forced = get("/ui/preview?lang=ru", &[("accept-language", "en")]).await;
    assert!(forced.body.contains("<html lang=\"ru\">"));
}

#[tokio::test]
async fn preview_shows_every_component() {
    let html = get("/ui/preview", &[]).await.body;
    for needle in [
        // The layout: navigation, search wired to htmx, user menu with the sign-out form.
        "href=\"/companies\" aria-current=\"page\"",
        "href=\"/deals/kanban\"",
        "href=\"/admin\"",
        "action=\"/search\"",
        "hx-get=\"/search/suggest\"",
        "hx-trigger=\"input changed delay:250ms",
        "hx-target=\"#search-results\"",
        "action=\"/logout\"",
        "name=\"csrf_token\" value=\"preview-token\"",
        // A field in error, tied to its message, and the summary linking to it.
        "aria-invalid=\"true\" aria-describedby=\"f-inn-error\"",
        "id=\"f-inn-error\"",
        "href=\"#f-inn\"",
        "Контрольные цифры ИНН не совпадают",
        "class=\"error-summary\"",
        // Table, pagination, badges, alerts, empty state, kanban, money.
        "aria-sort=\"ascending\"",
        "rel=\"next\"",
        "class=\"badge badge--green\"",
        "class=\"alert alert--error\" role=\"alert\"",
        "class=\"empty\"",
        "class=\"kanban\"",
        "1\u{a0}500\u{a0}000,00\u{a0}₽",
    ] {
        assert!(html.contains(needle), "the preview lacks {needle:?}");
    }
}

#[tokio::test]
async fn every_static_url_in_the_page_is_served() {
    let html = get("/ui/preview", &[]).await.body;
    let css_url = attribute_values(&html, "href")
        .into_iter()
        .find(|url| url.starts_with("/static/app.css?v="))
        .expect("the page links /static/app.css?v=<hash>")
        .to_owned();
    let mut urls: Vec<String> = attribute_values(&html, "src")
        .into_iter()
        .chain(attribute_values(&html, "href"))
        .filter(|url| url.starts_with("/static/"))
        .map(str::to_owned)
        .collect();
    assert!(urls.len() >= 3, "{urls:?}");

    let css = get(&css_url, &[]).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(header(&css, header::CONTENT_TYPE).starts_with("text/css"));
    assert!(header(&css, header::CACHE_CONTROL).contains("immutable"));
    // Images the stylesheet refers to, relative to /static/.
    for part in css.body.split("url(\"").skip(1) {
        let path = part.split('"').next().unwrap_or("");
        assert!(!path.contains("//"), "the stylesheet loads {path} from elsewhere");
        urls.push(format!("/static/{path}"));
    }
    for url in urls {
        assert_eq!(get(&url, &[]).await.status, StatusCode::OK, "{url}");
    }
}

#[tokio::test]
async fn htmx_is_served_as_javascript() {
    let htmx = get("/static/htmx.min.js", &[]).await;
    assert_eq!(htmx.status, StatusCode::OK);
    let content_type = header(&htmx, header::CONTENT_TYPE);
    assert!(
        content_type.starts_with("application/javascript") || content_type.starts_with("text/javascript"),
        "{content_type}"
    );
    assert!(htmx.body.starts_with("var htmx="), "not htmx: {}", &htmx.body[..60.min(htmx.body.len())]);
    assert_eq!(header(&htmx, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    // Without the version the file may change under the same URL, so it is revalidated.
    assert_eq!(header(&htmx, header::CACHE_CONTROL), "no-cache");

    let etag = header(&htmx, header::ETAG).to_owned();
    assert!(etag.starts_with('"'), "{etag:?}");
    let again = get("/static/htmx.min.js", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());

    let stale = get("/static/htmx.min.js?v=0000", &[]).await;
    assert_eq!(header(&stale, header::CACHE_CONTROL), "no-cache", "a wrong hash must not be cached for good");
}

#[tokio::test]
async fn unknown_static_paths_are_not_found() {
    for path in ["/static/nope.css", "/static/../Cargo.toml", "/static/%2e%2e/Cargo.toml", "/static/icons/"] {
        assert_eq!(get(path, &[]).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}
