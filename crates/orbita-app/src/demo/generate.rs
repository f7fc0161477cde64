//! A deterministic generator of a realistic client base: the same seed gives the same users,
//! companies, contacts, deals and texts, so demos are reproducible and benchmarks comparable.
//! Pure: no I/O. Everything it makes passes the domain's own validation.

use chrono::{NaiveDate, TimeDelta};
use orbita_domain::activity::ActivityKind;
use orbita_domain::company::CompanyFields;
use orbita_domain::contact::ContactFields;
use orbita_domain::deal::DealFields;
use orbita_domain::validation::{Currency, Email, Inn, Kpp, Money, Ogrn, Phone};
use orbita_domain::{CompanyId, ContactId};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::words::{self, City, feminine, tax_office, translit};

/// Generates demo records from a ChaCha8 stream seeded with a `u64`.
pub struct DemoGenerator {
    rng: ChaCha8Rng,
}

impl DemoGenerator {
    pub fn new(seed: u64) -> Self {
        Self { rng: ChaCha8Rng::seed_from_u64(seed) }
    }

    /// The n-th demo user (n from 0): (e-mail, full name). The first three are the
    /// administrator, a head of sales and a manager, with memorable logins.
    pub fn user(&mut self, n: usize) -> (String, String) {
        if let Some((login, name)) = words::FIXED_USERS.get(n) {
            return (format!("{login}@demo.orbita.local"), (*name).to_owned());
        }
        let (last, first) = if self.chance(0.15) {
            (self.pick(words::ENGLISH_LAST_NAMES).to_owned(), self.pick(words::ENGLISH_FIRST_NAMES))
        } else {
            let (last, first, _) = self.person(0.45);
            (last, first)
        };
        let mut login = String::with_capacity(48);
        translit(&mut login, first);
        login.push('.');
        translit(&mut login, &last);
        login.push_str(&format!(".{n}@demo.orbita.local"));
        (login, format!("{first} {last}"))
    }

    /// The n-th company. Its INN is derived from `n` alone, so INNs (and INN–KPP pairs) are
    /// unique for every n below ~52 million whatever the seed.
    pub fn company(&mut self, n: usize) -> CompanyFields {
        let roll = self.rng.random_range(0..100);
        if roll >= 97 {
            return self.foreign_company();
        }
        let individual = roll >= 90;
        let (region_index, office, serial) = tax_office(n);
        let region = &words::REGIONS[region_index];
        let city = self.pick_ref(region.cities);
        let year = self.rng.random_range(2..25u32);
        let mut company = CompanyFields {
            industry: Some(self.pick(words::INDUSTRIES).to_owned()),
            region: Some(region.name.to_owned()),
            address: Some(self.address(city)),
            phones: vec![self.landline_or_mobile(city, if individual { 0.2 } else { 0.75 })],
            source: self.chance(0.85).then(|| self.pick(words::SOURCES).to_owned()),
            notes: self.chance(0.05).then(|| self.pick(words::COMPANY_NOTES).to_owned()),
            ..CompanyFields::default()
        };
        if individual {
            // An individual entrepreneur: a person's 12-digit INN, no KPP, often an OGRNIP.
            let (last, first, patronymic) = self.person(0.35);
            company.name = format!("ИП {last} {}. {}.", initial(first), initial(patronymic));
            company.inn = Inn::with_check_digits(&format!("{office:04}{:06}", serial % 1_000_000));
            let serial = self.rng.random_range(0..1_000_000_000u64);
            let body = format!("3{year:02}{:02}{serial:09}", region.code);
            company.ogrn = self.chance(0.5).then(|| Ogrn::with_check_digit(&body)).flatten();
            if self.chance(0.5) {
                company.emails.push(self.personal_email(first, &last));
            }
            return company;
        }
        let core = self.organisation_name();
        company.name = format!("{} «{core}»", self.pick(words::LEGAL_FORMS));
        company.inn = Inn::with_check_digits(&format!("{office:04}{:05}", serial % 100_000));
        let branch = if self.chance(0.9) { 1 } else { self.rng.random_range(2..5) };
        company.kpp = Kpp::parse(&format!("{office:04}01{branch:03}")).ok();
        let sign = if self.chance(0.7) { 1 } else { 5 };
        let body = format!("{sign}{year:02}{office:04}{:05}", self.rng.random_range(0..100_000));
        company.ogrn = self.chance(0.6).then(|| Ogrn::with_check_digit(&body)).flatten();
        if self.chance(0.35) {
            let second =
                if self.chance(0.15) { self.phone("7800", 7) } else { self.landline_or_mobile(city, 0.3) };
            company.phones.push(second);
        }
        let mut domain = String::with_capacity(core.len() + 4);
        translit(&mut domain, &core);
        domain.push_str(if self.chance(0.9) { ".ru" } else { ".com" });
        company.emails = self.mailboxes(&domain);
        company.website = self.chance(0.5).then(|| format!("https://{domain}"));
        company
    }

    /// A contact person, optionally at a company: full Russian name with gendered forms,
    /// a position, a phone (mostly mobile), mostly an e-mail.
    pub fn contact(&mut self, company_id: Option<CompanyId>) -> ContactFields {
        let (last_name, first, patronymic) = self.person(0.5);
        let middle_name = self.chance(0.95).then(|| patronymic.to_owned());
        let position = self.chance(0.9).then(|| self.pick(words::POSITIONS).to_owned());
        let phone = if self.chance(0.85) {
            self.mobile()
        } else {
            let region = self.pick_ref(words::REGIONS);
            let city = self.pick_ref(region.cities);
            self.landline_or_mobile(city, 1.0)
        };
        let emails =
            if self.chance(0.85) { vec![self.personal_email(first, &last_name)] } else { Vec::new() };
        ContactFields {
            last_name,
            first_name: Some(first.to_owned()),
            middle_name,
            position,
            company_id,
            phones: vec![phone],
            emails,
            notes: self.chance(0.05).then(|| self.pick(words::CONTACT_NOTES).to_owned()),
        }
    }

    /// A deal in roubles: amounts log-normally spread over 10 000 – 20 000 000 ₽, mostly
    /// round, closing within 120 days either side of `today`.
    pub fn deal(
        &mut self,
        company_id: Option<CompanyId>,
        contact_id: Option<ContactId>,
        today: NaiveDate,
    ) -> DealFields {
        let mut title = self.pick(words::DEAL_TITLES).to_owned();
        if self.chance(0.25) {
            title.push_str(self.pick(words::DEAL_QUALIFIERS));
        }
        let days = self.rng.random_range(-120..=120);
        DealFields {
            title,
            company_id,
            contact_id,
            amount: Money::from_minor(self.amount_minor(), Currency::RUB),
            expected_close_date: Some(today.checked_add_signed(TimeDelta::days(days)).unwrap_or(today)),
            source: self.chance(0.85).then(|| self.pick(words::SOURCES).to_owned()),
            notes: self.chance(0.08).then(|| self.pick(words::DEAL_NOTES).to_owned()),
        }
    }

    pub fn lost_reason(&mut self) -> String {
        self.pick(words::LOST_REASONS).to_owned()
    }

    /// What a call, meeting, e-mail or note was about, as a manager would write it.
    pub fn activity_subject(&mut self, kind: ActivityKind) -> String {
        match kind {
            ActivityKind::Call if self.chance(0.3) => self.pick(words::CALLS).to_owned(),
            ActivityKind::Call => self.sentence(words::CALL_TOPICS, words::FOLLOW_UPS),
            ActivityKind::Meeting if self.chance(0.35) => self.pick(words::MEETINGS).to_owned(),
            ActivityKind::Meeting => self.sentence(words::MEETING_TOPICS, words::MEETING_FOLLOW_UPS),
            ActivityKind::Email if self.chance(0.3) => self.sentence(words::EMAILS, words::EMAIL_FOLLOW_UPS),
            ActivityKind::Email => self.pick(words::EMAILS).to_owned(),
            ActivityKind::Note => self.pick(words::NOTES).to_owned(),
        }
    }

    pub fn task_title(&mut self) -> String {
        self.pick(words::TASK_TITLES).to_owned()
    }

    /// The generator's random stream, for the caller's own choices (stage, owner, dates).
    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }

    fn pick<T: Copy>(&mut self, list: &[T]) -> T {
        *self.pick_ref(list)
    }

    fn pick_ref<'a, T>(&mut self, list: &'a [T]) -> &'a T {
        &list[self.rng.random_range(0..list.len())]
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn sentence(&mut self, heads: &[&str], tails: &[&str]) -> String {
        format!("{}, {}", self.pick(heads), self.pick(tails))
    }

    /// A Russian person, a woman with probability `p_female`: surname, first name and
    /// patronymic, all in the person's gender.
    fn person(&mut self, p_female: f64) -> (String, &'static str, &'static str) {
        let female = self.chance(p_female);
        let surname = self.pick(words::SURNAMES);
        let (patronymic, first) = match self.pick(words::PATRONYMICS) {
            (_, patronymic) if female => (patronymic, self.pick(words::FEMALE_NAMES)),
            (patronymic, _) => (patronymic, self.pick(words::MALE_NAMES)),
        };
        (if female { feminine(surname) } else { surname.to_owned() }, first, patronymic)
    }

    /// «Северный ветер», «Техноресурс», «Урал-Сервис», «Гарант-М».
    fn organisation_name(&mut self) -> String {
        let roll = self.rng.random_range(0..100);
        if roll < 35 {
            let (noun, gender) = self.pick(words::NOUNS);
            return format!("{} {noun}", self.pick(words::ADJECTIVES)[gender]);
        }
        if roll < 75 {
            let head = self.pick(words::COMPOUND_HEADS);
            let mut tail = self.pick(words::COMPOUND_TAILS);
            while head.chars().skip(1).eq(tail.chars().skip(1)) {
                tail = self.pick(words::COMPOUND_TAILS);
            }
            let mut name = String::with_capacity(head.len() + tail.len() + 1);
            name.push_str(head);
            let mut rest = tail.chars();
            if self.chance(0.2) {
                name.push('-');
                name.extend(rest.next().map(|c| c.to_uppercase()).into_iter().flatten());
            }
            name.extend(rest);
            return name;
        }
        let mut name = self.pick(words::SINGLE_NAMES).to_owned();
        if self.chance(0.35) {
            name.push_str(self.pick(words::NAME_SUFFIXES));
        }
        name
    }

    fn foreign_company(&mut self) -> CompanyFields {
        let country = self.pick_ref(words::COUNTRIES);
        let (adjective, noun) = (self.pick(words::ENGLISH_ADJECTIVES), self.pick(words::ENGLISH_NOUNS));
        let domain =
            format!("{}{}.{}", adjective.to_ascii_lowercase(), noun.to_ascii_lowercase(), country.tld);
        let house = self.rng.random_range(1..200);
        let address = if country.house_first {
            format!("{}, {house} {}", country.city, country.street)
        } else {
            format!("{}, {} {house}", country.city, country.street)
        };
        CompanyFields {
            name: format!("{adjective} {noun} {}", country.form),
            industry: Some(self.pick(words::INDUSTRIES).to_owned()),
            region: Some(country.name.to_owned()),
            address: Some(address),
            phones: vec![self.phone(country.phone_prefix, country.phone_digits)],
            emails: self.mailboxes(&domain),
            website: self.chance(0.7).then(|| format!("https://www.{domain}")),
            source: self.chance(0.85).then(|| self.pick(words::SOURCES).to_owned()),
            notes: self.chance(0.05).then(|| self.pick(words::COMPANY_NOTES).to_owned()),
            ..CompanyFields::default()
        }
    }

    /// «620014, г. Екатеринбург, ул. Малышева, д. 51, офис 304».
    fn address(&mut self, city: &City) -> String {
        let mut a = format!("{}{:03}, г. {}, ", city.postal, self.rng.random_range(0..1000), city.name);
        if self.chance(0.3) {
            a.push_str("ул. ");
            a.push_str(self.pick(words::STREETS_FEMININE));
        } else {
            a.push_str(self.pick(words::STREET_TYPES));
            a.push(' ');
            a.push_str(self.pick(words::STREETS));
        }
        a.push_str(&format!(", д. {}", self.rng.random_range(1..150)));
        if self.chance(0.15) {
            a.push_str(&format!(", стр. {}", self.rng.random_range(1..6)));
        }
        if self.chance(0.5) {
            a.push_str(&format!(", офис {}", self.rng.random_range(1..600)));
        }
        a
    }

    /// `+{prefix}` and `digits` random digits; the prefix starts with the country code.
    fn phone(&mut self, prefix: &str, digits: usize) -> Phone {
        let mut raw = String::with_capacity(16);
        raw.push('+');
        raw.push_str(prefix);
        let mut pool: u64 = self.rng.random();
        for _ in 0..digits {
            raw.push(char::from(b'0' + (pool % 10) as u8));
            pool /= 10;
        }
        Phone::parse(&raw).expect("generated phones have a valid length")
    }

    fn mobile(&mut self) -> Phone {
        let code = self.pick(words::MOBILE_CODES);
        self.phone(&format!("7{code}"), 7)
    }

    /// A landline in `city` with probability `p`, else a mobile.
    fn landline_or_mobile(&mut self, city: &City, p: f64) -> Phone {
        if self.chance(p) {
            self.phone(&format!("7{}", city.area), 10 - city.area.len())
        } else {
            self.mobile()
        }
    }

    /// None, one or two of info@, sales@, … at `domain`.
    fn mailboxes(&mut self, domain: &str) -> Vec<Email> {
        let count = match self.rng.random_range(0..100) {
            0..20 => 0,
            20..75 => 1,
            _ => 2,
        };
        let first = self.rng.random_range(0..words::MAILBOXES.len());
        let step = self.rng.random_range(1..words::MAILBOXES.len());
        (0..count)
            .map(|i| {
                let local = words::MAILBOXES[(first + i * step) % words::MAILBOXES.len()];
                Email::parse(&format!("{local}@{domain}")).expect("a mailbox at a generated domain")
            })
            .collect()
    }

    /// ivan.petrov@…, i.petrova@…, petrov85@mail.ru: at a public provider or a company domain.
    fn personal_email(&mut self, first: &str, last: &str) -> Email {
        let mut first_latin = String::with_capacity(16);
        translit(&mut first_latin, first);
        let mut s = String::with_capacity(48);
        match self.rng.random_range(0..4) {
            0 => s.push_str(&first_latin),
            1 => s.push_str(&first_latin[..1]),
            _ => {}
        }
        if !s.is_empty() {
            s.push('.');
        }
        translit(&mut s, last);
        s.push('@');
        if self.chance(0.45) {
            let provider = self.pick(words::MAIL_PROVIDERS);
            if self.chance(0.5) {
                s.insert_str(s.len() - 1, &self.rng.random_range(70..100).to_string());
            }
            s.push_str(provider);
        } else {
            translit(&mut s, self.pick(words::COMPOUND_HEADS));
            translit(&mut s, self.pick(words::COMPOUND_TAILS));
            s.push_str(".ru");
        }
        Email::parse(&s).expect("a generated address is plausible")
    }

    /// An amount in kopecks, log-normal around 350 000 ₽, rounded like people quote prices.
    fn amount_minor(&mut self) -> i64 {
        let (u1, u2): (f64, f64) = (1.0 - self.rng.random::<f64>(), self.rng.random());
        let normal = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let (low, high) = (10_000_i64, 20_000_000_i64);
        let log = (350_000f64.ln() + 1.3 * normal).clamp((low as f64).ln(), (high as f64).ln());
        let roubles = log.exp().round() as i64;
        let significant = match self.rng.random_range(0..100) {
            0..60 => 2,
            60..85 => 3,
            _ => 0,
        };
        let (roubles, kopecks) = if significant == 0 {
            (roubles, if self.chance(0.5) { self.rng.random_range(0..100) } else { 0 })
        } else {
            let mut step = 1;
            while roubles / step >= 10_i64.pow(significant) {
                step *= 10;
            }
            ((roubles + step / 2) / step * step, 0)
        };
        (roubles.clamp(low, high) * 100 + kopecks).min(high * 100)
    }
}

/// The first letter of a name: «А» for «Андрей».
fn initial(name: &str) -> char {
    name.chars().next().unwrap_or('А')
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use orbita_domain::company::CompanyInput;
    use orbita_domain::contact::ContactInput;

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 15).expect("a date")
    }

    #[test]
    fn same_seed_same_data_and_texts_are_never_empty() {
        let run = |seed| {
            let mut g = DemoGenerator::new(seed);
            let mut out = Vec::new();
            for n in 0..300 {
                let texts = [g.activity_subject(ActivityKind::ALL[n % 4]), g.lost_reason(), g.task_title()];
                assert!(texts.iter().all(|t| !t.trim().is_empty()));
                out.push(format!("{:?} {:?} {texts:?}", g.user(n), g.company(n)));
                out.push(format!("{:?} {:?}", g.contact(None), g.deal(None, None, today())));
            }
            out
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn companies_validate_with_unique_inn_kpp_and_the_right_mix() {
        let mut g = DemoGenerator::new(1);
        let (mut orgs, mut individuals, mut foreign, mut with_ogrn) = (0, 0, 0, 0);
        let mut pairs = HashSet::new();
        for n in 0..20_000 {
            let fields = g.company(n);
            assert_eq!(CompanyInput::from(&fields).validate().as_ref(), Ok(&fields), "company {n}");
            match (&fields.inn, &fields.kpp) {
                (Some(inn), Some(kpp)) => {
                    orgs += 1;
                    with_ogrn += usize::from(fields.ogrn.is_some());
                    assert_eq!((&inn.as_str()[..4], &kpp.as_str()[4..6]), (&kpp.as_str()[..4], "01"));
                }
                (Some(_), None) => individuals += 1,
                (None, _) => foreign += 1,
            }
            if let Some(inn) = &fields.inn {
                assert!(pairs.insert((inn.clone(), fields.kpp.clone())), "repeated INN {inn}");
            }
            assert!((1..=2).contains(&fields.phones.len()) && fields.emails.len() <= 2);
        }
        assert!((17_600..18_400).contains(&orgs), "{orgs} organisations");
        assert!((1_100..1_700).contains(&individuals), "{individuals} individual entrepreneurs");
        assert!((400..800).contains(&foreign), "{foreign} foreign");
        assert!((0.55..0.65).contains(&(with_ogrn as f64 / orgs as f64)), "{with_ogrn} OGRNs");
    }

    #[test]
    fn contacts_validate_with_gendered_names() {
        let mut g = DemoGenerator::new(2);
        let join = |items: Vec<&str>| items.join(", ");
        for n in 0..2_000 {
            let f = g.contact(Some(CompanyId(n)));
            let input = ContactInput {
                last_name: f.last_name.clone(),
                first_name: f.first_name.clone().unwrap_or_default(),
                middle_name: f.middle_name.clone().unwrap_or_default(),
                position: f.position.clone().unwrap_or_default(),
                company_id: f.company_id,
                phones: join(f.phones.iter().map(Phone::as_str).collect()),
                emails: join(f.emails.iter().map(Email::as_str).collect()),
                notes: f.notes.clone().unwrap_or_default(),
            };
            assert_eq!(input.validate().as_ref(), Ok(&f));
            let female = words::FEMALE_NAMES.contains(&f.first_name.as_deref().unwrap_or_default());
            assert!(f.middle_name.as_ref().is_none_or(|m| m.ends_with("на") == female), "{}", f.full_name());
        }
    }

    #[test]
    fn deals_are_in_whole_roubles_mostly_within_range() {
        let mut g = DemoGenerator::new(3);
        let mut round = 0;
        for _ in 0..5_000 {
            let deal = g.deal(Some(CompanyId(1)), Some(ContactId(2)), today());
            let minor = deal.amount.to_minor();
            assert_eq!((deal.amount.currency, deal.amount.amount.scale()), (Currency::RUB, 2));
            assert!((1_000_000..=2_000_000_000).contains(&minor), "{minor}");
            round += usize::from(minor % 100 == 0);
            let close = deal.expected_close_date.expect("a close date");
            assert!((close - today()).num_days().abs() <= 120);
            assert_eq!((deal.company_id, deal.contact_id), (Some(CompanyId(1)), Some(ContactId(2))));
        }
        assert!(round > 4_500, "{round} amounts without kopecks");
    }

    #[test]
    fn users_have_fixed_then_unique_logins() {
        let mut g = DemoGenerator::new(4);
        let emails: Vec<String> = (0..200).map(|n| g.user(n).0).collect();
        assert_eq!(
            emails[..3],
            ["admin@demo.orbita.local", "head@demo.orbita.local", "manager@demo.orbita.local"]
        );
        assert_eq!(emails.iter().collect::<HashSet<_>>().len(), 200);
        for email in &emails {
            assert_eq!(Email::parse(email).map(String::from).as_ref(), Ok(email));
        }
    }
}
