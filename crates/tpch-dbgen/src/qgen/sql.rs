//! qgen's parameters rendered into the crate's DataFusion SQL for the 22 queries.
//!
//! The templates (`templates/qNN.sql`) are the crate's DataFusion SQL for the 22 queries
//! with `:N` where a value goes, as in qgen's own templates. The values are qgen's parameters, with the date and
//! range arithmetic the specification writes into its queries (`date ':1' + interval '3'
//! month`, `:2 - 0.01`) done here, so every statement compares columns with plain literals —
//! the same SQL the validation queries have always been.

use crate::Date;

use super::QUERY_COUNT;

macro_rules! embed_templates {
    ($($n:literal),* $(,)?) => {
        [$(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/q", $n, ".sql"))),*]
    };
}

/// The 22 templates, `TEMPLATES[0]` is Q1.
const TEMPLATES: [&str; QUERY_COUNT] = embed_templates!(
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16",
    "17", "18", "19", "20", "21", "22",
);

/// Query `n`'s SQL with qgen's `parameters` (as its log prints them).
pub(super) fn render(n: usize, parameters: &[String]) -> String {
    substitute(TEMPLATES[n - 1], &values(n, parameters))
}

/// A `YYYY-MM-DD` parameter.
fn date(text: &str) -> Date {
    let mut parts = text.splitn(3, '-').map(|p| p.parse::<u32>().unwrap_or(1));
    let year = parts.next().unwrap_or(1970) as i32;
    let month = parts.next().unwrap_or(1);
    let day = parts.next().unwrap_or(1);
    Date::from_ymd(year, month, day)
}

fn months_after(text: &str, months: i32) -> String {
    date(text).add_months(months).to_string()
}

/// The values the template's `:1`, `:2`, … stand for.
fn values(n: usize, p: &[String]) -> Vec<String> {
    let all = || p.to_vec();
    let p: Vec<&str> = p.iter().map(String::as_str).collect();
    match (n, p.as_slice()) {
        // l_shipdate <= date '1998-12-01' - interval ':1' day
        (1, [delta]) => {
            let days: i32 = delta.parse().unwrap_or(90);
            vec![Date(Date::from_ymd(1998, 12, 1).0 - days).to_string()]
        }
        // [date, date + 3 months]
        (4 | 10 | 15, [start]) => vec![start.to_string(), months_after(start, 3)],
        (14, [start]) => vec![start.to_string(), months_after(start, 1)],
        (5, [region, start]) => vec![
            region.to_string(),
            start.to_string(),
            months_after(start, 12),
        ],
        // l_discount between :2 - 0.01 and :2 + 0.01 (qgen prints `.06` or `0.06`)
        (6, [start, discount, quantity]) => {
            let hundredths = (discount.parse::<f64>().unwrap_or(0.06) * 100.0).round() as i64;
            let bound = |h: i64| format!("{}.{:02}", h / 100, h % 100);
            vec![
                start.to_string(),
                months_after(start, 12),
                bound(hundredths - 1),
                bound(hundredths + 1),
                quantity.to_string(),
            ]
        }
        // The fraction with qgen's ten places (its `-d` log prints `0.0001`).
        (11, [nation, fraction]) => {
            let fraction = fraction.parse::<f64>().unwrap_or(0.0001);
            vec![nation.to_string(), format!("{fraction:.10}")]
        }
        (12, [first, second, start]) => vec![
            first.to_string(),
            second.to_string(),
            start.to_string(),
            months_after(start, 12),
        ],
        (20, [color, start, nation]) => vec![
            color.to_string(),
            start.to_string(),
            months_after(start, 12),
            nation.to_string(),
        ],
        _ => all(),
    }
}

/// `template` with each `:N` (N = 1, 2, …, greedy digits) replaced by `values[N - 1]`.
fn substitute(template: &str, values: &[String]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(at) = rest.find(':') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let index = after[..digits].parse::<usize>().ok();
        match index
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| values.get(i))
        {
            Some(value) => out.push_str(value),
            None => out.push_str(&rest[at..at + 1 + digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_take_whole_numbers() {
        let values: Vec<String> = (1..=10).map(|i| format!("v{i}")).collect();
        assert_eq!(substitute("(:1, :10) ':2%'", &values), "(v1, v10) 'v2%'");
        assert_eq!(substitute("a:b :11", &values), "a:b :11");
    }

    #[test]
    fn derived_values() {
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(values(1, &p(&["90"])), ["1998-09-02"]);
        assert_eq!(
            values(6, &p(&["1997-01-01", "0.09", "25"]))[1..4],
            ["1998-01-01", "0.08", "0.10"]
        );
        assert_eq!(values(4, &p(&["1997-11-01"]))[1], "1998-02-01");
        assert_eq!(values(11, &p(&["JAPAN", "0.0001"]))[1], "0.0001000000");
    }
}
