//! Dates as TPC-H uses them: whole days, printed `YYYY-MM-DD`.

use std::sync::OnceLock;

/// A calendar date, stored as days since 1970-01-01 (the same value as Arrow's `Date32`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i32);

/// Number of days in dbgen's calendar (1992-01-01 ..= 1998-12-31).
pub const TPCH_DAYS: i32 = 2557;

impl Date {
    /// 1992-01-01, the first day of dbgen's calendar.
    pub const START: Date = Date(8035);
    /// 1995-06-17, dbgen's "current date" that splits shipped from open line items.
    pub const CURRENT: Date = Date(8035 + 1263);

    /// The date `offset` days after 1992-01-01.
    #[inline]
    pub const fn from_start(offset: i64) -> Date {
        Date(Date::START.0 + offset as i32)
    }

    /// Days since 1970-01-01.
    #[inline]
    pub const fn days_since_epoch(self) -> i32 {
        self.0
    }

    /// Year, month (1–12) and day (1–31) in the proleptic Gregorian calendar.
    pub fn ymd(self) -> (i32, u32, u32) {
        // Count in 400-year eras starting on 0000-03-01 so that leap days fall at era ends.
        let z = self.0 as i64 + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
        let month = if shifted_month < 10 {
            shifted_month + 3
        } else {
            shifted_month - 9
        } as u32;
        let year = (year_of_era + era * 400 + i64::from(month <= 2)) as i32;
        (year, month, day)
    }

    /// The date of `year`, `month` (1–12) and `day` (1–31) in the proleptic Gregorian calendar
    /// (the inverse of [`Date::ymd`]).
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Date {
        // Years start on March 1st so that the leap day is the last day of a year.
        let year = i64::from(year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let shifted_month = i64::from((month + 9) % 12);
        let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        Date((era * 146_097 + day_of_era - 719_468) as i32)
    }

    /// This date moved by whole calendar `months` (the day of the month kept; callers pass
    /// days that exist in every month, as TPC-H's parameters do).
    pub fn add_months(self, months: i32) -> Date {
        let (year, month, day) = self.ymd();
        let index = year * 12 + month as i32 - 1 + months;
        Date::from_ymd(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, day)
    }

    /// The date as the 10 bytes `YYYY-MM-DD` (years 0–9999).
    #[inline]
    pub fn iso_bytes(self) -> [u8; 10] {
        let offset = self.0 - Date::START.0;
        if (0..TPCH_DAYS + 256).contains(&offset) {
            return calendar()[offset as usize];
        }
        format_iso(self)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bytes = self.iso_bytes();
        f.write_str(std::str::from_utf8(&bytes).map_err(|_| std::fmt::Error)?)
    }
}

fn format_iso(date: Date) -> [u8; 10] {
    let (y, m, d) = date.ymd();
    let y = y.clamp(0, 9999) as u32;
    let digit = |v: u32| b'0' + (v % 10) as u8;
    [
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        digit(m / 10),
        digit(m),
        b'-',
        digit(d / 10),
        digit(d),
    ]
}

/// Pre-formatted dates of dbgen's calendar (plus slack), built once.
fn calendar() -> &'static [[u8; 10]] {
    static CALENDAR: OnceLock<Vec<[u8; 10]>> = OnceLock::new();
    CALENDAR.get_or_init(|| {
        (0..TPCH_DAYS + 256)
            .map(|k| format_iso(Date::from_start(k as i64)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(Date::START.to_string(), "1992-01-01");
        assert_eq!(Date::CURRENT.to_string(), "1995-06-17");
        assert_eq!(Date(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_start(59).to_string(), "1992-02-29");
        assert_eq!(
            Date::from_start(TPCH_DAYS as i64 - 1).to_string(),
            "1998-12-31"
        );
        assert_eq!(Date(-1).ymd(), (1969, 12, 31));
        for days in [-800_000, -1, 0, 59, 8035, 10_956, 2_000_000] {
            let (y, m, d) = Date(days).ymd();
            assert_eq!(Date::from_ymd(y, m, d), Date(days));
        }
        assert_eq!(
            Date::from_ymd(1995, 3, 1).add_months(10).to_string(),
            "1996-01-01"
        );
        assert_eq!(
            Date::from_ymd(1993, 1, 1).add_months(-1).to_string(),
            "1992-12-01"
        );
    }
}
