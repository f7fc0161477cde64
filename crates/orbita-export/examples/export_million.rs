//! Writes 1 000 000 rows of a typical company list (10 columns) to a temp file and prints the
//! speed and the process's peak memory (VmHWM), to check that exports stream.
//!
//! `cargo run --release -p orbita-export --example export_million -- [xlsx|csv] [rows]`

use std::time::Instant;

use chrono::{Duration, NaiveDate};
use orbita_domain::org::Locale;
use orbita_domain::validation::{Currency, Money};
use orbita_export::{Cell, Column, ColumnKind, ExportWriter, Format};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let format = match args.next() {
        Some(ext) => Format::from_extension(&ext).ok_or("format: xlsx or csv")?,
        None => Format::Xlsx,
    };
    let rows: u64 = args.next().map(|n| n.parse()).transpose()?.unwrap_or(1_000_000);

    let columns = vec![
        Column::new("ID", ColumnKind::Integer),
        Column::new("Название", ColumnKind::Text),
        Column::new("ИНН", ColumnKind::Text).with_width(13.0),
        Column::new("Город", ColumnKind::Text).with_width(16.0),
        Column::new("Телефон", ColumnKind::Text).with_width(18.0),
        Column::new("E-mail", ColumnKind::Text),
        Column::new("Ответственный", ColumnKind::Text).with_width(20.0),
        Column::new("Выручка", ColumnKind::Money),
        Column::new("Создана", ColumnKind::DateTime),
        Column::new("Последнее касание", ColumnKind::Date),
    ];
    let cities = ["Москва", "Санкт-Петербург", "Новосибирск", "Екатеринбург", "Казань"];
    let owners = ["Иванов Иван", "Петрова Мария", "Сидоров Алексей", "Кузнецова Анна"];
    let epoch = NaiveDate::from_ymd_opt(2020, 1, 1).and_then(|d| d.and_hms_opt(9, 30, 0)).ok_or("date")?;

    let dir = tempfile::tempdir()?;
    let path = dir.path().join(format!("companies.{}", format.extension()));
    let file = std::fs::File::create(&path)?;
    let started = Instant::now();
    let mut writer = ExportWriter::new(format, "Компании", columns, Locale::Ru, file)?;
    for n in 0..rows {
        let i = n as i64;
        let created = epoch + Duration::minutes(i * 7);
        let row = [
            Cell::Integer(i + 1),
            Cell::Text(format!("ООО «Компания {n}»")),
            Cell::Text(format!("{:010}", 7_700_000_000 + n)),
            Cell::Text(cities[n as usize % cities.len()].to_owned()),
            Cell::Text(format!("+7 916 {:03}-{:02}-{:02}", n % 1000, n % 100, (n / 100) % 100)),
            Cell::Text(format!("info{n}@company{}.ru", n % 997)),
            Cell::Text(owners[n as usize % owners.len()].to_owned()),
            Cell::Money(Money::from_minor(150_000_000 + i * 137, Currency::RUB)),
            Cell::DateTime(created),
            if n % 5 == 0 { Cell::Empty } else { Cell::Date(created.date() + Duration::days(30)) },
        ];
        writer.write_row(&row)?;
    }
    let written_at = started.elapsed();
    let written = writer.finish()?;
    let elapsed = started.elapsed();

    let size = std::fs::metadata(&path)?.len();
    println!("format:        {}", format.extension());
    println!("rows:          {written}");
    println!(
        "rows written:  {:.2} s (finish: {:.2} s)",
        written_at.as_secs_f64(),
        (elapsed - written_at).as_secs_f64()
    );
    println!("total:         {:.2} s", elapsed.as_secs_f64());
    println!("rows/second:   {:.0}", written as f64 / elapsed.as_secs_f64());
    println!("file size:     {:.1} MB", size as f64 / 1e6);
    println!("peak RSS:      {}", peak_rss().unwrap_or_else(|| "unknown (no /proc)".to_owned()));
    Ok(())
}

/// The process's peak resident set (`VmHWM`), on Linux.
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    Some(line.trim_start_matches("VmHWM:").trim().to_owned())
}
