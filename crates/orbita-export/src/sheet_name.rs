//! Worksheet names: Excel refuses a file whose sheet name breaks its rules, and the name often
//! comes from data (a report title, a pipeline name), so it is repaired rather than rejected.

/// Excel's limit, counted in UTF-16 code units.
const MAX_LEN: usize = 31;
const FORBIDDEN: [char; 7] = ['[', ']', ':', '*', '?', '/', '\\'];
const FALLBACK: &str = "Sheet1";

/// A name Excel accepts: forbidden characters (`[]:*?/\` and control characters) become `_`,
/// leading and trailing apostrophes and spaces go, the result is cut to 31 UTF-16 units, an
/// empty result becomes `Sheet1`, and Excel's reserved `History` becomes `History_`.
pub fn sanitise_sheet_name(name: &str) -> String {
    let replaced: String =
        name.chars().map(|c| if FORBIDDEN.contains(&c) || c.is_control() { '_' } else { c }).collect();
    let mut out = String::with_capacity(replaced.len());
    let mut units = 0;
    for c in replaced.trim_matches(['\'', ' ']).chars() {
        units += c.len_utf16();
        if units > MAX_LEN {
            break;
        }
        out.push(c);
    }
    // Cutting can expose an apostrophe or space at the end again.
    let out = out.trim_end_matches(['\'', ' ']);
    if out.is_empty() {
        FALLBACK.to_owned()
    } else if out.eq_ignore_ascii_case("History") {
        format!("{out}_")
    } else {
        out.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn repairs() {
        assert_eq!(sanitise_sheet_name("Сделки"), "Сделки");
        assert_eq!(sanitise_sheet_name("Отчёт 01/2025 [Q1]: итоги?"), "Отчёт 01_2025 _Q1__ итоги_");
        assert_eq!(sanitise_sheet_name("'quoted'"), "quoted");
        assert_eq!(sanitise_sheet_name("O'Brien"), "O'Brien");
        assert_eq!(sanitise_sheet_name(""), "Sheet1");
        assert_eq!(sanitise_sheet_name("''"), "Sheet1");
        assert_eq!(sanitise_sheet_name("history"), "history_");
        assert_eq!(sanitise_sheet_name("a\tb"), "a_b");
        let long = "Компании, отфильтрованные по городу Москва";
        assert_eq!(sanitise_sheet_name(long), "Компании, отфильтрованные по го");
        // Emoji are two UTF-16 units each.
        assert_eq!(sanitise_sheet_name(&"😀".repeat(20)).chars().count(), 15);
        assert_eq!(sanitise_sheet_name(&format!("{}'x", "a".repeat(30))), "a".repeat(30));
    }

    proptest! {
        #[test]
        fn always_valid(name in "\\PC{0,60}|[\\[\\]:*?/\\\\' ]{0,10}") {
            let sheet = sanitise_sheet_name(&name);
            prop_assert!(!sheet.is_empty());
            prop_assert!(sheet.encode_utf16().count() <= MAX_LEN);
            prop_assert!(!sheet.contains(FORBIDDEN));
            prop_assert!(!sheet.starts_with('\'') && !sheet.ends_with('\''));
            // The writer's own check is rust_xlsxwriter's: it must accept every result.
            let mut workbook = rust_xlsxwriter::Workbook::new();
            prop_assert!(workbook.add_worksheet().set_name(&sheet).is_ok());
        }
    }
}
