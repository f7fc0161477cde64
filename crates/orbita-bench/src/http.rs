//! A small HTTP/1.1 client for loopback: keep-alive connections (a pool, as a browser keeps
//! them), the session cookie set by hand, form posts with the CSRF token, and the two things
//! the bench reads from pages: the hidden `csrf_token` and the list's "next page" link.

use anyhow::{Context, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use hyper::{Method, Request};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

const SESSION_COOKIE: &str = "orbita_session";

#[derive(Clone)]
pub struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
    base_url: String,
}

/// A whole response: the body is read to the end, as a browser would before showing it.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookie: Vec<String>,
    pub body: Bytes,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The start of the body, for error messages.
    pub fn excerpt(&self) -> String {
        self.text().chars().take(300).collect()
    }
}

impl Http {
    pub fn new(base_url: &str) -> Http {
        let mut connector = HttpConnector::new();
        // Small requests and answers: do not wait to fill a packet.
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new()).pool_max_idle_per_host(256).build(connector);
        Http { client, base_url: base_url.trim_end_matches('/').to_owned() }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> anyhow::Result<Reply> {
        self.send(Method::GET, path, cookie, None, &[]).await
    }

    /// A form post. `headers` adds, e.g., `X-Requested-With` for the kanban's script calls.
    pub async fn post_form(
        &self,
        path: &str,
        cookie: Option<&str>,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> anyhow::Result<Reply> {
        let body = serde_urlencoded::to_string(form).context("encoding a form")?;
        self.send(Method::POST, path, cookie, Some(body), headers).await
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        form: Option<String>,
        headers: &[(&str, &str)],
    ) -> anyhow::Result<Reply> {
        let mut request = Request::builder().method(method).uri(format!("{}{path}", self.base_url));
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        if form.is_some() {
            request = request.header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::new(Bytes::from(form.unwrap_or_default()))).context("request")?;
        let response = self.client.request(request).await.with_context(|| format!("requesting {path}"))?;
        let status = response.status().as_u16();
        let location = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let set_cookie = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect();
        let body =
            response.into_body().collect().await.with_context(|| format!("reading {path}"))?.to_bytes();
        Ok(Reply { status, location, set_cookie, body })
    }
}

/// A signed-in browser: its cookie header, the session token in it, and the CSRF token.
#[derive(Debug, Clone)]
pub struct Browser {
    pub cookie: String,
    pub token: String,
    pub csrf: String,
}

/// Signs in through the form, as a person does, then reads the CSRF token from a page.
pub async fn sign_in(http: &Http, email: &str, password: &str) -> anyhow::Result<Browser> {
    let reply = http.post_form("/login", None, &[("email", email), ("password", password)], &[]).await?;
    if reply.status != 303 {
        bail!("signing in as {email}: HTTP {} {}", reply.status, reply.excerpt());
    }
    let token = reply
        .set_cookie
        .iter()
        .find_map(|c| c.strip_prefix(&format!("{SESSION_COOKIE}="))?.split(';').next())
        .filter(|t| !t.is_empty())
        .with_context(|| format!("no {SESSION_COOKIE} cookie after signing in as {email}"))?
        .to_owned();
    let cookie = format!("{SESSION_COOKIE}={token}");
    let page = http.get("/companies", Some(&cookie)).await?;
    let csrf = hidden_input(&page.text(), "csrf_token")
        .with_context(|| format!("no csrf_token on /companies for {email} (HTTP {})", page.status))?;
    Ok(Browser { cookie, token, csrf })
}

/// The value of `<input type="hidden" name="NAME" value="…">`, attributes in any order.
pub fn hidden_input(html: &str, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\"");
    let at = html.find(&needle)?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let value = tag.split_once("value=\"")?.1.split('"').next()?;
    Some(unescape(value))
}

/// The list's "next page" link (`<a … href="…" rel="next">`), unescaped.
pub fn next_link(html: &str) -> Option<String> {
    let at = html.find("rel=\"next\"")?;
    let start = html[..at].rfind('<')?;
    let tag = &html[start..at];
    let href = tag.split_once("href=\"")?.1.split('"').next()?;
    Some(unescape(href))
}

/// HTML character references: the named ones templates use and any numeric one (askama
/// writes `&` as `&#38;`).
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|&i| i <= 8) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hidden_inputs_and_links() {
        let html = r#"<form><input type="hidden" name="csrf_token" value="a&amp;b"></form>
            <a class="btn" href="/companies?sort=name&#38;after=t5%3A41" rel="next">Next →</a>"#;
        assert_eq!(hidden_input(html, "csrf_token").as_deref(), Some("a&b"));
        assert_eq!(next_link(html).as_deref(), Some("/companies?sort=name&after=t5%3A41"));
        assert_eq!(hidden_input(html, "other"), None);
        assert_eq!(next_link("<p>no link</p>"), None);
        assert_eq!(unescape("a &#x2B; b &amp; c & d"), "a + b & c & d");
    }
}
