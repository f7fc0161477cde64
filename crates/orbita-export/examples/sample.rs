//! Writes a small sample export to the given path (`.xlsx` or `.csv`), for opening by hand.
//!
//! `cargo run -p orbita-export --example sample -- /tmp/sample.xlsx [en]`

use chrono::NaiveDate;
use orbita_domain::org::Locale;
use orbita_domain::validation::{Currency, Money};
use orbita_export::{Cell, Column, ColumnKind, ExportWriter, Format};
use rust_decimal::Decimal;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = std::path::PathBuf::from(args.next().ok_or("usage: sample <path.xlsx|path.csv> [en]")?);
    let locale = if args.next().as_deref() == Some("en") { Locale::En } else { Locale::Ru };
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    let format = Format::from_extension(extension).ok_or("the path must end in .xlsx or .csv")?;
    let columns = vec![
        Column::new("Компания", ColumnKind::Text),
        Column::new("Телефон", ColumnKind::Text).with_width(18.0),
        Column::new("Сделок", ColumnKind::Integer),
        Column::new("Сумма", ColumnKind::Money),
        Column::new("Конверсия", ColumnKind::Percent),
        Column::new("Создана", ColumnKind::Date),
        Column::new("Последнее касание", ColumnKind::DateTime),
    ];
    let day = NaiveDate::from_ymd_opt(2025, 12, 31).ok_or("date")?;
    let rows = [
        ("ООО «Ромашка»", "+7 916 123-45-67", 42, Money::from_minor(150_000_050, Currency::RUB), 4235),
        ("=HYPERLINK(\"http://x.ru\")", "8 800 555-35-35", 3, Money::from_minor(9_900, Currency::USD), 5000),
        ("Рога; копыта, \"и\"\nко", "", -1, Money::from_minor(7, Currency::EUR), 0),
    ];
    let file = std::fs::File::create(&path)?;
    let mut writer = ExportWriter::new(format, "Компании", columns, locale, file)?;
    for (name, phone, deals, money, percent) in rows {
        writer.write_row(&[
            Cell::from(name),
            Cell::from(phone),
            Cell::Integer(deals),
            Cell::Money(money),
            Cell::Percent(Decimal::new(percent, 4)),
            Cell::Date(day),
            Cell::DateTime(day.and_hms_opt(23, 59, 5).ok_or("time")?),
        ])?;
    }
    println!("{} rows → {}", writer.finish()?, path.display());
    Ok(())
}
