//! The translation files stay complete: every message exists in both languages. (Which keys
//! the pages and the error codes need is checked where they are named: orbita-web's
//! tests/i18n.rs.)

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

/// Message ids of every `.ftl` file of a language (fluent-templates loads them all): `key = …`
/// at the start of a line. Terms (`-key`), comments, attributes and continuation lines are
/// indented or start otherwise.
fn message_ids(lang: &str) -> BTreeSet<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("locales").join(lang);
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
    assert!(ids.len() > 50, "locales/{lang}: only {} messages found; is the parser broken?", ids.len());
    ids
}

#[test]
fn both_languages_have_the_same_keys() {
    let ru = message_ids("ru");
    let en = message_ids("en");
    let only_ru: Vec<_> = ru.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&ru).collect();
    assert!(
        only_ru.is_empty() && only_en.is_empty(),
        "keys missing in locales/en: {only_ru:?}; keys missing in locales/ru: {only_en:?}"
    );
}

/// Every file of one language has its counterpart in the other, so a new page's texts are
/// not added to one language only (the key check above would catch that too, but this names
/// the file).
#[test]
fn both_languages_have_the_same_files() {
    let names = |lang: &str| -> BTreeSet<String> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("locales").join(lang);
        fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|entry| entry.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .filter(|name| name.ends_with(".ftl"))
            .collect()
    };
    assert_eq!(names("ru"), names("en"));
}

/// Every `$variable` any message of `lang` takes.
fn variables(lang: &str) -> BTreeSet<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("locales").join(lang);
    let mut names = BTreeSet::new();
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.map(|e| e.path()).unwrap_or_default();
        let text = fs::read_to_string(&path).unwrap_or_default();
        for (at, _) in text.match_indices('$') {
            let name: String = text[at + 1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            names.insert(name);
        }
    }
    names
}

/// The compiled-in bundles are these files: every message of every file is found in its own
/// language (a wrong `locales` path in the loader would leave them all missing).
#[test]
fn the_loader_has_every_message() {
    for (lang, locale) in [("ru", orbita_i18n::Locale::Ru), ("en", orbita_i18n::Locale::En)] {
        let names = variables(lang);
        // Any value will do: a message lacking one of its arguments is not formatted at all.
        let args: Vec<(&str, orbita_i18n::FluentValue<'_>)> =
            names.iter().map(|n| (n.as_str(), orbita_i18n::FluentValue::from(1))).collect();
        let missing: Vec<_> = message_ids(lang)
            .into_iter()
            .filter(|id| orbita_i18n::t_args(locale, id, &args) == *id)
            .collect();
        assert!(missing.is_empty(), "locales/{lang}: not loaded: {missing:?}");
    }
}
