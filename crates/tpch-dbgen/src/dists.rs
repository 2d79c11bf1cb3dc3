//! dbgen's distributions (`dists.dss`): word lists and weights behind every categorical and
//! text column. The file is embedded and parsed once, on first use.

use std::sync::OnceLock;

use super::random::{RandomStream, unif_int};

static DISTS_DSS: &str = include_str!("dists.dss");

/// One named distribution: members with cumulative weights.
#[derive(Debug)]
pub struct Distribution {
    members: Vec<&'static str>,
    cumulative: Vec<i64>,
    /// `by_draw[j - 1]` is the member picked when a weighted draw returns `j`.
    by_draw: Vec<u16>,
}

impl Distribution {
    fn new(members: Vec<&'static str>, cumulative: Vec<i64>) -> Self {
        let total = cumulative.last().copied().unwrap_or(0).max(0) as usize;
        let mut by_draw = Vec::with_capacity(total);
        let mut member = 0usize;
        for j in 1..=total as i64 {
            while cumulative[member] < j {
                member += 1;
            }
            by_draw.push(member as u16);
        }
        Distribution {
            members,
            cumulative,
            by_draw,
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// True when the distribution has no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The member at `index`.
    pub fn member(&self, index: usize) -> &'static str {
        self.members[index]
    }

    /// The cumulative weight up to and including `index` (dbgen reads nations' region keys so).
    pub fn cumulative_weight(&self, index: usize) -> i64 {
        self.cumulative[index]
    }

    /// A weighted pick (dbgen's `pick_str`): one draw from `stream`, returns the member's index.
    #[inline]
    pub fn pick_index(&self, stream: &mut RandomStream) -> usize {
        let j = stream.uniform(1, self.by_draw.len() as i64);
        self.by_draw[(j - 1) as usize] as usize
    }

    /// The sum of the weights: a weighted pick draws `1..=total_weight()`.
    pub fn total_weight(&self) -> usize {
        self.by_draw.len()
    }

    /// The member a weighted pick returns when its draw is `j + 1` (`j < total_weight()`).
    pub fn index_of_draw(&self, j: usize) -> usize {
        self.by_draw.get(j).map_or(0, |&m| usize::from(m))
    }

    /// The member index a weighted pick returns when its draw leaves the stream in `state`
    /// (for generators that compute a draw's state directly, see `line_batch`).
    #[inline]
    pub(crate) fn pick_index_at(&self, state: i64) -> usize {
        let j = unif_int(state, 1, self.by_draw.len() as i64);
        self.by_draw[(j - 1) as usize] as usize
    }

    /// [`pick_index`](Self::pick_index) after moving `stream` past `skipped` draws.
    #[inline]
    pub fn pick_index_after(&self, skipped: u32, stream: &mut RandomStream) -> usize {
        let j = stream.uniform_after(skipped, 1, self.by_draw.len() as i64);
        self.by_draw[(j - 1) as usize] as usize
    }

    /// A weighted pick returning the member itself.
    #[inline]
    pub fn pick(&self, stream: &mut RandomStream) -> &'static str {
        self.members[self.pick_index(stream)]
    }
}

/// Every distribution the generator uses.
#[derive(Debug)]
pub struct Distributions {
    /// Nation names; cumulative weights are region keys.
    pub nations: Distribution,
    /// Region names.
    pub regions: Distribution,
    /// Order priorities.
    pub order_priority: Distribution,
    /// Ship instructions.
    pub ship_instruct: Distribution,
    /// Ship modes.
    pub ship_mode: Distribution,
    /// Return flags.
    pub return_flag: Distribution,
    /// Customer market segments.
    pub market_segment: Distribution,
    /// Colours for part names.
    pub colors: Distribution,
    /// Part types.
    pub part_types: Distribution,
    /// Part containers.
    pub containers: Distribution,
    /// Text grammar: nouns.
    pub nouns: Distribution,
    /// Text grammar: verbs.
    pub verbs: Distribution,
    /// Text grammar: adjectives.
    pub adjectives: Distribution,
    /// Text grammar: adverbs.
    pub adverbs: Distribution,
    /// Text grammar: prepositions.
    pub prepositions: Distribution,
    /// Text grammar: auxiliaries.
    pub auxiliaries: Distribution,
    /// Text grammar: sentence terminators.
    pub terminators: Distribution,
    /// Text grammar: articles.
    pub articles: Distribution,
    /// Text grammar: sentence forms.
    pub grammar: Distribution,
    /// Text grammar: noun-phrase forms.
    pub noun_phrases: Distribution,
    /// Text grammar: verb-phrase forms.
    pub verb_phrases: Distribution,
}

/// The parsed distributions, shared by every generator.
pub fn dists() -> &'static Distributions {
    static DISTS: OnceLock<Distributions> = OnceLock::new();
    DISTS.get_or_init(|| {
        let d = |name: &str| parse(DISTS_DSS, name);
        Distributions {
            nations: d("nations"),
            regions: d("regions"),
            order_priority: d("o_oprio"),
            ship_instruct: d("instruct"),
            ship_mode: d("smode"),
            return_flag: d("rflag"),
            market_segment: d("msegmnt"),
            colors: d("colors"),
            part_types: d("p_types"),
            containers: d("p_cntr"),
            nouns: d("nouns"),
            verbs: d("verbs"),
            adjectives: d("adjectives"),
            adverbs: d("adverbs"),
            prepositions: d("prepositions"),
            auxiliaries: d("auxillaries"),
            terminators: d("terminators"),
            articles: d("articles"),
            grammar: d("grammar"),
            noun_phrases: d("np"),
            verb_phrases: d("vp"),
        }
    })
}

/// Distribution `name` of the embedded dists.dss, parsed anew: for the ones only qgen reads
/// (`nations2`, `Q13a`, `Q13b`).
pub(crate) fn embedded(name: &str) -> Distribution {
    parse(DISTS_DSS, name)
}

/// Reads distribution `name` from the text of a dists.dss file, with dbgen's rules: `#` starts a
/// comment, a block runs from `BEGIN name` to a line starting with `END`, entries are
/// `text|weight`, and the `count` entry is not a member.
fn parse(source: &'static str, name: &str) -> Distribution {
    let mut inside = false;
    let mut members = Vec::new();
    let mut cumulative = Vec::new();
    let mut total = 0i64;
    for raw in source.lines() {
        let line = raw.split('#').next().unwrap_or("");
        if line.is_empty() {
            continue;
        }
        if !inside {
            let mut words = line.split([' ', '\t']).filter(|w| !w.is_empty());
            let is_begin = words
                .next()
                .is_some_and(|w| w.eq_ignore_ascii_case("begin"));
            inside = is_begin && words.next().is_some_and(|w| w.eq_ignore_ascii_case(name));
            continue;
        }
        if line.len() >= 3 && line[..3].eq_ignore_ascii_case("end") {
            break;
        }
        let Some((text, weight)) = line.split_once('|') else {
            continue;
        };
        let Ok(weight) = weight.trim().parse::<i64>() else {
            continue;
        };
        if text.is_empty() || text.eq_ignore_ascii_case("count") {
            continue;
        }
        total += weight;
        members.push(text);
        cumulative.push(total);
    }
    assert!(
        !members.is_empty(),
        "embedded dists.dss lacks distribution {name}"
    );
    Distribution::new(members, cumulative)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distributions_have_dbgen_sizes() {
        let d = dists();
        assert_eq!(d.nations.len(), 25);
        assert_eq!(d.regions.len(), 5);
        assert_eq!(d.colors.len(), 92);
        assert_eq!(d.part_types.len(), 150);
        assert_eq!(d.containers.len(), 40);
        assert_eq!(d.terminators.member(5), "--");
        assert_eq!(d.noun_phrases.member(2), "J, J N");
    }

    #[test]
    fn nation_weights_accumulate_to_region_keys() {
        let d = dists();
        // ALGERIA → AFRICA (0), ARGENTINA → AMERICA (1), EGYPT → MIDDLE EAST (4), CHINA → ASIA (2).
        assert_eq!(d.nations.cumulative_weight(0), 0);
        assert_eq!(d.nations.cumulative_weight(1), 1);
        assert_eq!(d.nations.cumulative_weight(4), 4);
        assert_eq!(d.nations.member(18), "CHINA");
        assert_eq!(d.nations.cumulative_weight(18), 2);
    }
}
