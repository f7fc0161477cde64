//! The translation files stay complete for the pages: every validation code the domain and
//! the application services can return has an `error-<code>` message, and every key the
//! templates and the UI code name exists (that every message exists in both languages is
//! orbita-i18n's test, tests/locales.rs). The codes are read from the source at test time,
//! so a new `FieldError::new(…, "new-code", …)` fails this test until both `.ftl` files say
//! what to show for it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Message ids of every `.ftl` file of a language (fluent-templates loads them all): `key = …`
/// at the start of a line. Terms (`-key`), comments, attributes and continuation lines are
/// indented or start otherwise.
fn message_ids(lang: &str) -> BTreeSet<String> {
    // The texts live in the orbita-i18n crate, shared with the API's downloads.
    let dir = crate_dir().join("../orbita-i18n/locales").join(lang);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "ftl"))
        .collect();
    files.sort();
    let mut ids = BTreeSet::new();
    for path in files {
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            let Some((id, _)) = line.split_once('=') else { continue };
            let id = id.trim_end();
            let first = id.chars().next();
            if first.is_some_and(|c| c.is_ascii_alphabetic())
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                assert!(ids.insert(id.to_owned()), "{lang}/{name}:{}: `{id}` is defined twice", n + 1);
            }
        }
    }
    assert!(ids.len() > 50, "{lang}/main.ftl: only {} messages found; is the parser broken?", ids.len());
    ids
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Splits the argument list that starts right after an opening parenthesis at `text[0]`
/// into top-level arguments, skipping string and char literals. `None` if unbalanced.
fn arguments(text: &str) -> Option<Vec<String>> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                current.push(c);
                while let Some(s) = chars.next() {
                    current.push(s);
                    if s == '\\' {
                        current.extend(chars.next());
                    } else if s == '"' {
                        break;
                    }
                }
            }
            '(' | '[' | '{' => {
                depth += 1;
                current.push(c);
            }
            ')' | ']' | '}' if depth == 0 => {
                args.push(current.trim().to_owned());
                return Some(args);
            }
            ')' | ']' | '}' => {
                depth -= 1;
                current.push(c);
            }
            ',' if depth == 0 => args.push(std::mem::take(&mut current).trim().to_owned()),
            _ => current.push(c),
        }
    }
    None
}

fn string_literal(arg: &str) -> Option<&str> {
    arg.strip_prefix('"')?.strip_suffix('"')
}

/// Every code passed to `FieldError::new` in `source`: a literal second argument, or, when
/// the code is a parameter of a closure `let name = |…, code, …| FieldError::new(…, code, …)`,
/// the literals that calls `name("code", …)` pass in its place.
fn codes_in(source: &str, file: &Path, codes: &mut BTreeMap<String, String>) {
    // Tests build errors with made-up codes; only what the product returns counts.
    let source = source.split("#[cfg(test)]").next().unwrap_or(source);
    let needle = "FieldError::new(";
    for (at, _) in source.match_indices(needle) {
        let line = source[..at].lines().count();
        let place = format!("{}:{line}", file.display());
        let args = arguments(&source[at + needle.len()..])
            .unwrap_or_else(|| panic!("{place}: cannot read the arguments of FieldError::new"));
        let code = args.get(1).unwrap_or_else(|| panic!("{place}: FieldError::new without a code"));
        if let Some(code) = string_literal(code) {
            codes.insert(code.to_owned(), place);
            continue;
        }
        // `let error = |code, message| FieldError::new(field, code, message);`
        let statement_start = source[..at].rfind(['\n', ';', '{']).map_or(0, |i| i + 1);
        let head = source[statement_start..at].trim();
        let closure = head
            .strip_prefix("let ")
            .and_then(|rest| rest.split_once('='))
            .map(|(name, params)| (name.trim(), params.trim()))
            .and_then(|(name, params)| {
                let params = params.strip_prefix('|')?.split_once('|')?.0;
                let index =
                    params.split(',').position(|p| p.split(':').next().map(str::trim) == Some(code))?;
                Some((name, index))
            });
        let (name, index) = closure.unwrap_or_else(|| {
            panic!(
                "{place}: the code `{code}` is neither a string literal nor a closure parameter; \
                 teach tests/i18n.rs to find it"
            )
        });
        let call = format!("{name}(");
        let mut found = false;
        for (call_at, _) in source.match_indices(&call) {
            let before = source[..call_at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let Some(args) = arguments(&source[call_at + call.len()..]) else { continue };
            if let Some(code) = args.get(index).and_then(|a| string_literal(a)) {
                codes.insert(
                    code.to_owned(),
                    format!("{}:{}", file.display(), source[..call_at].lines().count()),
                );
                found = true;
            }
        }
        assert!(found, "{place}: no call of the closure `{name}` passes a code literal");
    }
}

fn error_codes() -> BTreeMap<String, String> {
    let crates = crate_dir().parent().expect("crates directory").to_path_buf();
    let mut files = Vec::new();
    // The domain's validation, and the application services' own refusals (a taken INN,
    // an inactive owner), which forms show next to fields just the same.
    for name in ["orbita-domain", "orbita-app"] {
        rust_files(&crates.join(name).join("src"), &mut files);
    }
    let mut codes = BTreeMap::new();
    for file in &files {
        let source = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        codes_in(&source, file, &mut codes);
    }
    codes
}

#[test]
fn every_error_code_has_a_message_in_both_languages() {
    let codes = error_codes();
    // The scanner must see literal codes and the ones passed through a closure (money.rs).
    for known in ["required", "inn-check-digits", "kpp-format", "amount-precision", "amount-too-large"] {
        assert!(codes.contains_key(known), "the scan missed `{known}`: {codes:?}");
    }
    for lang in ["ru", "en"] {
        let ids = message_ids(lang);
        let missing: Vec<String> = codes
            .iter()
            .filter(|(code, _)| !ids.contains(&format!("error-{code}")))
            .map(|(code, place)| format!("error-{code} (from {place})"))
            .collect();
        assert!(missing.is_empty(), "add to locales/{lang}/main.ftl: {missing:#?}");
    }
}

/// `name("key"` where `name` is the whole identifier before the parenthesis.
fn literal_keys(text: &str, name: &str, keys: &mut BTreeSet<String>) {
    let needle = format!("{name}(\"");
    for (at, _) in text.match_indices(&needle) {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &text[at + needle.len()..];
        let key = rest.split('"').next().unwrap_or("");
        let looks_like_key = key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if looks_like_key {
            keys.insert(key.to_owned());
        }
    }
}

#[test]
fn every_key_the_interface_names_exists() {
    let mut sources = Vec::new();
    rust_files(&crate_dir().join("src"), &mut sources);
    let templates = fs::read_dir(crate_dir().join("templates")).expect("templates directory");
    for entry in templates {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|e| e == "html") {
            sources.push(path);
        }
    }
    let mut keys = BTreeSet::new();
    for path in &sources {
        let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // Templates: `layout.t("…")`, `layout.t_with("…", …)`, `layout.count("…", n)`;
        // Rust: `i18n::t(locale, "…")` and the like.
        for name in ["t", "t_with", "count"] {
            literal_keys(&text, name, &mut keys);
        }
        for call in ["t(locale, ", "t_args(locale, ", "count(locale, "] {
            for (at, _) in text.match_indices(call) {
                let rest = &text[at + call.len()..];
                if let Some(key) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) {
                    keys.insert(key.to_owned());
                }
            }
        }
    }
    assert!(keys.len() > 30, "only {} keys found in the interface; is the scan broken?", keys.len());
    let ids = message_ids("ru");
    let missing: Vec<_> = keys.iter().filter(|k| !ids.contains(*k)).collect();
    assert!(missing.is_empty(), "keys used by the interface but missing in the .ftl files: {missing:?}");
}
