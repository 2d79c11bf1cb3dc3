//! qgen's substitution parameters (TPC-H 2.14 `varsub.c`, specification clause 2.4): each query
//! draws from its own Park–Miller stream, seeded from the run's seed, with the rules and word
//! lists below. The values are kept as qgen prints them in its parameter log (`qgen -l`).

use std::sync::OnceLock;

use crate::dists::{Distribution, dists, embedded};
use crate::random::{RandomStream, StreamSpec, advance};
use crate::{Date, ScaleFactor};

use super::QUERY_COUNT;

/// The largest seed qgen's generator takes: its states live in `[0, 2³¹ − 1)`.
pub const MAX_SEED: u64 = 2_147_483_646;

/// qgen's validation parameters (`qgen -d`, the `defaults` table of `varsub.c`), as its log
/// prints them.
const DEFAULTS: [&[&str]; QUERY_COUNT] = [
    &["90"],
    &["15", "BRASS", "EUROPE"],
    &["BUILDING", "1995-03-15"],
    &["1993-07-01"],
    &["ASIA", "1994-01-01"],
    &["1994-01-01", ".06", "24"],
    &["FRANCE", "GERMANY"],
    &["BRAZIL", "AMERICA", "ECONOMY ANODIZED STEEL"],
    &["green"],
    &["1993-10-01"],
    &["GERMANY", "0.0001"],
    &["MAIL", "SHIP", "1994-01-01"],
    &["special", "requests"],
    &["1995-09-01"],
    &["1996-01-01"],
    &[
        "Brand#45",
        "MEDIUM POLISHED",
        "49",
        "14",
        "23",
        "45",
        "19",
        "3",
        "36",
        "9",
    ],
    &["Brand#23", "MED BOX"],
    &["300"],
    &["Brand#12", "Brand#23", "Brand#34", "1", "10", "20"],
    &["forest", "1994-01-01", "CANADA"],
    &["SAUDI ARABIA"],
    &["13", "31", "23", "29", "30", "18", "17"],
];

/// The validation parameters of query `n` (1..=22) as qgen's log prints them.
pub(super) fn defaults(n: usize) -> Vec<String> {
    DEFAULTS[n - 1].iter().map(|s| s.to_string()).collect()
}

/// The seeds of the 22 queries' streams for qgen's `-r seed`: stream 0 starts at the seed and
/// query `q` gets the `q`-th Park–Miller successor.
fn query_seeds(seed: u64) -> [i64; QUERY_COUNT] {
    let mut seeds = [0i64; QUERY_COUNT];
    let mut state = seed as i64;
    for s in seeds.iter_mut() {
        state = advance(state, 1);
        *s = state;
    }
    seeds
}

/// Query `n`'s parameters for `seed` at scale factor `sf`, as qgen's log prints them.
pub(super) fn drawn(n: usize, seed: u64, sf: &ScaleFactor) -> Vec<String> {
    let seed = query_seeds(seed)[n - 1];
    let mut draws = Draws(RandomStream::new(StreamSpec { seed, per_row: 0 }));
    draws.parameters(n, sf)
}

/// The distributions only qgen reads, parsed once.
struct QgenDists {
    nations2: Distribution,
    q13a: Distribution,
    q13b: Distribution,
}

fn qgen_dists() -> &'static QgenDists {
    static DISTS: OnceLock<QgenDists> = OnceLock::new();
    DISTS.get_or_init(|| QgenDists {
        nations2: embedded("nations2"),
        q13a: embedded("Q13a"),
        q13b: embedded("Q13b"),
    })
}

/// One query's stream.
struct Draws(RandomStream);

/// `19YY-MM-01` for `months` after January 1993 (qgen's month offsets).
fn month_from_1993(months: i64) -> String {
    format!("19{:02}-{:02}-01", 93 + months / 12, months % 12 + 1)
}

/// The part-size and country-code lists qgen permutes (`sizes`, `ccode`).
fn sequence(first: i64, count: i64) -> Vec<i64> {
    (first..first + count).collect()
}

impl Draws {
    fn uniform(&mut self, low: i64, high: i64) -> i64 {
        self.0.uniform(low, high)
    }

    /// `pick_str`: one weighted draw, the member's index.
    fn pick_index(&mut self, dist: &Distribution) -> usize {
        dist.pick_index(&mut self.0)
    }

    fn pick(&mut self, dist: &Distribution) -> String {
        dist.member(self.pick_index(dist)).to_string()
    }

    /// Two different members of `dist` (qgen draws again until the second differs).
    fn pick_two(&mut self, dist: &Distribution) -> [String; 2] {
        let first = self.pick_index(dist);
        let second = loop {
            let i = self.pick_index(dist);
            if i != first {
                break i;
            }
        };
        [dist.member(first), dist.member(second)].map(str::to_string)
    }

    /// qgen's `permute`: position `i` swaps with a uniform position in `[i, len - 1]`.
    fn permute(&mut self, values: &mut [i64]) {
        let last = values.len() as i64 - 1;
        for i in 0..values.len() {
            let j = self.uniform(i as i64, last) as usize;
            values.swap(i, j);
        }
    }

    fn brand(&mut self) -> String {
        let m = self.uniform(1, 5);
        let n = self.uniform(1, 5);
        format!("Brand#{m}{n}")
    }

    fn year(&mut self) -> String {
        format!("19{:02}-01-01", self.uniform(93, 97))
    }

    fn parameters(&mut self, n: usize, sf: &ScaleFactor) -> Vec<String> {
        let d = dists();
        let q = qgen_dists();
        match n {
            1 => vec![self.uniform(60, 120).to_string()],
            2 => {
                let size = self.uniform(1, 50).to_string();
                let kind = self.pick(&d.part_types);
                let last_word = kind.rsplit(' ').next().unwrap_or(&kind).to_string();
                vec![size, last_word, self.pick(&d.regions)]
            }
            3 => {
                let segment = self.pick(&d.market_segment);
                let day = self.uniform(0, 30);
                let date = Date::from_ymd(1995, 3, 1).0 + day as i32;
                vec![segment, Date(date).to_string()]
            }
            4 => vec![month_from_1993(self.uniform(1, 58))],
            5 => vec![self.pick(&d.regions), self.year()],
            6 => {
                let year = self.year();
                let discount = format!("0.{:02}", self.uniform(2, 9));
                vec![year, discount, self.uniform(24, 25).to_string()]
            }
            7 => self.pick_two(&q.nations2).to_vec(),
            8 => {
                let nation = self.pick_index(&q.nations2);
                // `nations` lists the same countries; its cumulative weights are region keys.
                let region = d.nations.cumulative_weight(nation) as usize;
                let kind = self.pick(&d.part_types);
                vec![
                    q.nations2.member(nation).to_string(),
                    d.regions.member(region).to_string(),
                    kind,
                ]
            }
            9 => vec![self.pick(&d.colors)],
            10 => vec![month_from_1993(self.uniform(1, 24))],
            11 => vec![self.pick(&q.nations2), q11_fraction(sf)],
            12 => {
                let [first, second] = self.pick_two(&d.ship_mode);
                vec![first, second, self.year()]
            }
            13 => vec![self.pick(&q.q13a), self.pick(&q.q13b)],
            14 => vec![month_from_1993(self.uniform(0, 59))],
            15 => vec![month_from_1993(self.uniform(0, 57))],
            16 => {
                let brand = self.brand();
                let kind = self.pick(&d.part_types);
                let without_last = kind.rsplit_once(' ').map_or("", |(head, _)| head);
                let mut sizes = sequence(1, 50);
                self.permute(&mut sizes);
                let mut params = vec![brand, without_last.to_string()];
                params.extend(sizes[..8].iter().map(i64::to_string));
                params
            }
            17 => vec![self.brand(), self.pick(&d.containers)],
            18 => vec![self.uniform(312, 315).to_string()],
            19 => {
                let mut params: Vec<String> = (0..3).map(|_| self.brand()).collect();
                for (low, high) in [(1, 10), (10, 20), (20, 30)] {
                    params.push(self.uniform(low, high).to_string());
                }
                params
            }
            20 => vec![self.pick(&d.colors), self.year(), self.pick(&q.nations2)],
            21 => vec![self.pick(&q.nations2)],
            22 => {
                // TPC-H 2.14's codes are 10..=34, printed plus 10 (3.0 changed both).
                let mut codes = sequence(10, 25);
                self.permute(&mut codes);
                codes[..7].iter().map(|c| (c + 10).to_string()).collect()
            }
            _ => Vec::new(),
        }
    }
}

/// Q11's fraction, `0.0001 / SF` printed as C's `%11.10f`.
pub(super) fn q11_fraction(sf: &ScaleFactor) -> String {
    format!("{:11.10}", 0.0001 / sf.value())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_follow_qgen() {
        // Seed 1: query 1's stream starts at 16807, query 2's at 16807².
        let seeds = query_seeds(1);
        assert_eq!(seeds[0], 16_807);
        assert_eq!(seeds[1], 282_475_249);
    }

    #[test]
    fn fraction_is_printed_like_c() {
        let sf = |v| ScaleFactor::try_new(v).unwrap();
        assert_eq!(q11_fraction(&sf(1.0)), "0.0001000000");
        assert_eq!(q11_fraction(&sf(0.01)), "0.0100000000");
        assert_eq!(q11_fraction(&sf(1000.0)), "0.0000001000");
    }
}
