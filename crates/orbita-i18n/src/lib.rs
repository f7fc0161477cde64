//! Orbita's interface texts in Russian and English, from the Fluent files in `locales/`,
//! compiled into the binary. One crate for both deliveries: the web pages and the REST API's
//! files (an API export is the same file the web gives its user, headers in the user's
//! language). Russian is the fallback: the first users speak it, and a key missing in English
//! is better shown in Russian than as a key name.

use std::borrow::Cow;
use std::collections::HashMap;

/// Argument values for [`t_args`]: `FluentValue::from(5)`, `"text".into()`.
pub use fluent_templates::fluent_bundle::FluentValue;

pub mod format;
use fluent_templates::{LanguageIdentifier, Loader, langid};
pub use orbita_domain::org::Locale;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "ru",
        // Without this every argument is wrapped in U+2068/U+2069 marks, which end up
        // inside HTML attributes, CSV and XLSX cells and break copy-paste of numbers.
        customise: |bundle| {
            bundle.set_use_isolating(false);
            let russian = bundle.locales.first().is_some_and(|l| l.language.as_str() == "ru");
            bundle.set_formatter(Some(if russian { group_ru } else { group_en }));
        },
    };
}

static RU: LanguageIdentifier = langid!("ru");
static EN: LanguageIdentifier = langid!("en");

fn language(locale: Locale) -> &'static LanguageIdentifier {
    match locale {
        Locale::Ru => &RU,
        Locale::En => &EN,
    }
}

/// Fluent prints numbers bare (`1500 компаний`); counts in a CRM run into thousands, so they
/// get the same grouping as the rest of the page.
fn group_ru<M>(value: &FluentValue, _: &M) -> Option<String> {
    group(value, Locale::Ru)
}

fn group_en<M>(value: &FluentValue, _: &M) -> Option<String> {
    group(value, Locale::En)
}

fn group(value: &FluentValue, locale: Locale) -> Option<String> {
    match value {
        // Only whole numbers: fractions keep Fluent's own formatting and their options.
        FluentValue::Number(n) if n.value.fract() == 0.0 && n.value.abs() < 1e15 => {
            #[allow(clippy::cast_possible_truncation)] // whole and below 1e15, checked above
            Some(format::number(locale, n.value as i64))
        }
        _ => None,
    }
}

/// The text for `key`, or the key itself when no language has it: a visible key in a page
/// is easier to notice and fix than a blank, and a missing text must not fail a request.
pub fn t(locale: Locale, key: &str) -> String {
    lookup(locale, key, None)
}

/// The text for `key` with arguments, e.g. `t_args(locale, "count-deals", &[("count", 5.into())])`.
pub fn t_args(locale: Locale, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue<'_>> =
        args.iter().map(|(name, value)| (Cow::Owned((*name).to_owned()), value.clone())).collect();
    lookup(locale, key, Some(&map))
}

/// A count with the right plural form: `count(Ru, "count-companies", 21)` is `21 компания`.
/// The message must take `$count`.
pub fn count(locale: Locale, key: &str, n: i64) -> String {
    t_args(locale, key, &[("count", FluentValue::from(n))])
}

/// Whether `key` exists in `locale` itself, without falling back. For tests and for code
/// that picks between a specific and a generic message.
pub fn has(locale: Locale, key: &str) -> bool {
    LOCALES.lookup_single_language::<&str>(language(locale), key, None).is_ok()
}

fn lookup(locale: Locale, key: &str, args: Option<&HashMap<Cow<'static, str>, FluentValue<'_>>>) -> String {
    LOCALES.try_lookup_complete(language(locale), key, args).unwrap_or_else(|| {
        tracing::warn!(key, locale = locale.as_str(), "missing interface text");
        key.to_owned()
    })
}

/// The language for a visitor we know nothing else about, from `Accept-Language`: English
/// only when the browser ranks it above Russian (or lists English and not Russian), Russian
/// otherwise, because the first users speak it.
pub fn negotiate(accept_language: Option<&str>) -> Locale {
    let Some(header) = accept_language else { return Locale::Ru };
    let (mut ru, mut en, mut any) = (None::<f32>, None::<f32>, None::<f32>);
    for part in header.split(',') {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality = pieces
            .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()))
            .unwrap_or(1.0);
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        let slot = match primary {
            "ru" => &mut ru,
            "en" => &mut en,
            "*" => &mut any,
            _ => continue,
        };
        *slot = Some(slot.map_or(quality, |q| q.max(quality)));
    }
    // A wildcard stands for every language not named, Russian included.
    let ru = ru.or(any).unwrap_or(0.0);
    let en = en.or(any).unwrap_or(0.0);
    if en > 0.0 && en > ru { Locale::En } else { Locale::Ru }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_plurals() {
        let c = |n| count(Locale::Ru, "count-companies", n);
        assert_eq!(c(1), "1 компания");
        assert_eq!(c(2), "2 компании");
        assert_eq!(c(5), "5 компаний");
        assert_eq!(c(11), "11 компаний");
        assert_eq!(c(21), "21 компания");
        assert_eq!(c(22), "22 компании");
        assert_eq!(c(0), "0 компаний");
        assert_eq!(c(1500), "1\u{a0}500 компаний");
        assert_eq!(count(Locale::Ru, "count-contacts", 3), "3 контакта");
        assert_eq!(count(Locale::Ru, "count-deals", 101), "101 сделка");
        assert_eq!(count(Locale::Ru, "count-tasks", 14), "14 задач");
    }

    #[test]
    fn numbers_in_texts_are_grouped() {
        assert!(count(Locale::Ru, "count-companies", 1_500_000).starts_with("1\u{a0}500\u{a0}000 "));
        assert!(count(Locale::En, "count-deals", -1_234).starts_with("-1,234 "));
        assert!(count(Locale::Ru, "count-deals", 999).starts_with("999 "));
    }

    #[test]
    fn english_plurals() {
        assert_eq!(count(Locale::En, "count-companies", 1), "1 company");
        assert_eq!(count(Locale::En, "count-companies", 21), "21 companies");
        assert_eq!(count(Locale::En, "count-deals", 1500), "1,500 deals");
    }

    #[test]
    fn no_isolation_marks() {
        let text = t_args(Locale::En, "signed-in-as", &[("name", "Анна".into())]);
        assert_eq!(text, "Signed in as Анна");
        assert!(!text.contains(['\u{2068}', '\u{2069}']));
    }

    #[test]
    fn both_languages_and_missing_keys() {
        assert_eq!(t(Locale::Ru, "nav-companies"), "Компании");
        assert_eq!(t(Locale::En, "nav-companies"), "Companies");
        assert_eq!(t(Locale::En, "no-such-key"), "no-such-key");
        assert!(has(Locale::En, "error-inn-check-digits"));
        assert!(!has(Locale::En, "no-such-key"));
    }

    #[test]
    fn negotiation_prefers_russian() {
        assert_eq!(negotiate(None), Locale::Ru);
        assert_eq!(negotiate(Some("")), Locale::Ru);
        assert_eq!(negotiate(Some("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7")), Locale::Ru);
        assert_eq!(negotiate(Some("en-US,en;q=0.9,ru;q=0.8")), Locale::En);
        assert_eq!(negotiate(Some("en-GB")), Locale::En);
        assert_eq!(negotiate(Some("de-DE,de;q=0.9,en;q=0.5")), Locale::En);
        assert_eq!(negotiate(Some("de-DE,fr")), Locale::Ru);
        assert_eq!(negotiate(Some("en;q=0.5,*;q=0.8")), Locale::Ru);
        assert_eq!(negotiate(Some("en;q=0")), Locale::Ru);
        assert_eq!(negotiate(Some("garbage;;;q=x,EN")), Locale::En);
    }
}
