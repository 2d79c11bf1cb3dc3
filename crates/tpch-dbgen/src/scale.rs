//! Scale factors and how they size each table, with dbgen's rules; row ranges and dbgen's
//! chunking (`-C parts -S part`).

use super::table::Table;
use crate::error::{Error, Result};

/// Smallest accepted scale factor (dbgen sizes tables in thousandths of a base).
pub const MIN_SCALE_FACTOR: f64 = 0.001;
/// Largest accepted scale factor.
pub const MAX_SCALE_FACTOR: f64 = 100_000.0;

/// A validated TPC-H scale factor and the table sizes dbgen derives from it.
///
/// As in dbgen, scale factors of 1 and above are truncated to whole numbers (1.5 generates the
/// SF 1 data), and scale factors below 1 scale each table's base row count by thousandths.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScaleFactor {
    value: f64,
    scale: i64,
    parts: i64,
    suppliers: i64,
    customers: i64,
    orders: i64,
    /// dbgen's `-C` for the 64-bit streams (0: the default of [`WideChunks::default_for`]).
    wide_chunks: u64,
}

impl TryFrom<f64> for ScaleFactor {
    type Error = Error;

    /// [`ScaleFactor::try_new`]: so APIs can take `impl TryInto<ScaleFactor>` (an `f64` or a
    /// validated `ScaleFactor`).
    fn try_from(value: f64) -> Result<Self> {
        ScaleFactor::try_new(value)
    }
}

impl ScaleFactor {
    /// Validates `value` (0.001 ..= 100000).
    pub fn try_new(value: f64) -> Result<Self> {
        if !(MIN_SCALE_FACTOR..=MAX_SCALE_FACTOR).contains(&value) {
            return Err(Error::InvalidScaleFactor(value.to_string()));
        }
        let bases = [200_000i64, 10_000, 150_000, 1_500_000];
        let (scale, [parts, suppliers, customers, orders]) = if value < 1.0 {
            // dbgen: int_scale = (int)(1000 * sf); base = max(int_scale * base / 1000, 1).
            let thousandths = (1000.0 * value) as i64;
            (1, bases.map(|base| (thousandths * base / 1000).max(1)))
        } else {
            let scale = value as i64;
            (scale, bases.map(|base| base * scale))
        };
        Ok(ScaleFactor {
            value,
            scale,
            parts,
            suppliers,
            customers,
            orders,
            wide_chunks: 0,
        })
    }

    /// The same scale factor with dbgen's 64-bit streams restarting at the chunks of
    /// `dbgen -C chunks` (only scale factors ≥ 30000 have such streams; below, every chunking
    /// gives the same data). See [`wide`](super::wide) for why dbgen's data there depends on it.
    pub fn with_wide_chunks(mut self, chunks: u64) -> Self {
        self.wide_chunks = chunks;
        self
    }

    /// The chunks at which the 64-bit streams restart.
    pub fn wide_chunks(&self) -> WideChunks {
        let orders = self.orders as u64;
        match self.wide_chunks {
            0 => WideChunks::default_for(orders),
            chunks => WideChunks::new(orders, chunks),
        }
    }

    /// The scale factor as given.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The scale factor whose data this is, by dbgen's rule: whole scale factors from 1 up
    /// (SF 1.5 is SF 1), thousandths below 1 (SF 0.0015 is SF 0.001).
    pub fn effective(&self) -> f64 {
        if self.value < 1.0 {
            self.parts as f64 / 200_000.0
        } else {
            self.scale as f64
        }
    }

    /// Whether dbgen's rule makes this the data of a smaller scale factor
    /// ([`effective`](Self::effective)).
    pub fn is_truncated(&self) -> bool {
        self.value - self.effective() > self.value * 1e-9
    }

    /// dbgen's integer scale (1 for every SF below 1).
    pub fn int_scale(&self) -> i64 {
        self.scale
    }

    /// Rows of `part` (also the largest part key).
    pub fn part_count(&self) -> i64 {
        self.parts
    }

    /// Rows of `supplier` (also the largest supplier key).
    pub fn supplier_count(&self) -> i64 {
        self.suppliers
    }

    /// Rows of `customer` (also the largest customer key).
    pub fn customer_count(&self) -> i64 {
        self.customers
    }

    /// Rows of `orders`.
    pub fn order_count(&self) -> i64 {
        self.orders
    }

    /// Number of clerks orders are assigned to.
    pub fn clerk_count(&self) -> i64 {
        (self.scale * 1000).max(1000)
    }

    /// True where dbgen switches `o_custkey` and `l_partkey` to its 64-bit generator.
    pub fn uses_64bit_keys(&self) -> bool {
        self.scale >= 30_000
    }

    /// Rows the generator of `table` iterates over: orders for lineitem, parts for partsupp.
    pub fn generator_rows(&self, table: Table) -> u64 {
        (match table {
            Table::Region => 5,
            Table::Nation => 25,
            Table::Supplier => self.suppliers,
            Table::Customer => self.customers,
            Table::Part | Table::Partsupp => self.parts,
            Table::Orders | Table::Lineitem => self.orders,
        }) as u64
    }

    /// Rows of `table`, where known without generating (every table but lineitem).
    pub fn row_count(&self, table: Table) -> Option<u64> {
        match table {
            Table::Lineitem => None,
            Table::Partsupp => Some(4 * self.parts as u64),
            other => Some(self.generator_rows(other)),
        }
    }
}

/// A half-open range `[start, end)` of generator rows, 0-based (row `i` is dbgen's row `i + 1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RowRange {
    /// First row.
    pub start: u64,
    /// One past the last row.
    pub end: u64,
}

impl RowRange {
    /// `[start, end)`.
    pub const fn new(start: u64, end: u64) -> Self {
        RowRange { start, end }
    }

    /// Number of rows.
    pub const fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    /// True when the range has no rows.
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows of chunk `part` (1-based) of `parts`, as dbgen's `-C parts -S part` splits
    /// `total` rows: `total / parts` each, the last chunk also takes the remainder.
    pub fn chunk(total: u64, part: u64, parts: u64) -> Result<RowRange> {
        if parts == 0 {
            return Err(Error::InvalidParts(parts));
        }
        if part == 0 || part > parts {
            return Err(Error::PartOutOfRange { part, parts });
        }
        let per_part = total / parts;
        let start = per_part * (part - 1);
        let end = if part == parts {
            total
        } else {
            start + per_part
        };
        Ok(RowRange { start, end })
    }

    /// The parts of `self` outside every range of `cuts` (in any order, possibly
    /// overlapping), ascending.
    pub fn without(&self, cuts: &[RowRange]) -> Vec<RowRange> {
        let mut cuts: Vec<RowRange> = cuts
            .iter()
            .filter(|c| c.end > self.start && c.start < self.end && !c.is_empty())
            .copied()
            .collect();
        cuts.sort_by_key(|c| c.start);
        let mut pieces = Vec::new();
        let mut start = self.start;
        for cut in cuts {
            if cut.start > start {
                pieces.push(RowRange::new(start, cut.start));
            }
            start = start.max(cut.end);
        }
        if start < self.end {
            pieces.push(RowRange::new(start, self.end));
        }
        pieces
    }

    /// The sub-range of `self` that is chunk `part` (1-based) of `parts`.
    pub fn subchunk(&self, part: u64, parts: u64) -> Result<RowRange> {
        let inner = RowRange::chunk(self.len(), part, parts)?;
        Ok(RowRange::new(
            self.start + inner.start,
            self.start + inner.end,
        ))
    }
}

/// Orders per chunk of the default chunking.
pub const DEFAULT_ORDERS_PER_CHUNK: u64 = 15_000;

/// The dbgen chunks (`-C n`) of the order rows at which the 64-bit streams restart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WideChunks {
    per_chunk: u64,
    chunks: u64,
}

impl WideChunks {
    /// dbgen's `-C chunks` over `orders` order rows (each `orders / chunks`, the last also takes
    /// the remainder).
    pub fn new(orders: u64, chunks: u64) -> Self {
        let chunks = chunks.clamp(1, orders.max(1));
        WideChunks {
            per_chunk: (orders / chunks).max(1),
            chunks,
        }
    }

    /// The default: chunks of [`DEFAULT_ORDERS_PER_CHUNK`] orders.
    pub fn default_for(orders: u64) -> Self {
        WideChunks::new(orders, orders / DEFAULT_ORDERS_PER_CHUNK)
    }

    /// Number of chunks (dbgen's `-C`).
    pub fn count(&self) -> u64 {
        self.chunks
    }

    /// The first row of the chunk holding `row`.
    pub fn start_of(&self, row: u64) -> u64 {
        (row / self.per_chunk).min(self.chunks - 1) * self.per_chunk
    }

    /// The first row of the chunk after the one holding `row` (`u64::MAX` for the last).
    pub fn next_start(&self, row: u64) -> u64 {
        let chunk = (row / self.per_chunk).min(self.chunks - 1);
        if chunk + 1 >= self.chunks {
            u64::MAX
        } else {
            (chunk + 1) * self.per_chunk
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_dbgen_drops_are_told() {
        let sf = |v: f64| ScaleFactor::try_new(v).unwrap();
        for exact in [0.001, 0.01, 0.1, 0.3, 0.7, 1.0, 10.0, 30000.0] {
            assert!(!sf(exact).is_truncated(), "{exact}");
            assert_eq!(sf(exact).effective(), exact);
        }
        assert!(sf(1.5).is_truncated());
        assert_eq!(sf(1.5).effective(), 1.0);
        assert!(sf(0.0015).is_truncated());
        assert_eq!(sf(0.0015).effective(), 0.001);
    }

    #[test]
    fn ranges_without_cuts() {
        let r = RowRange::new;
        assert_eq!(r(0, 10).without(&[]), [r(0, 10)]);
        assert_eq!(
            r(0, 10).without(&[r(3, 5), r(0, 1), r(4, 7)]),
            [r(1, 3), r(7, 10)]
        );
        assert_eq!(r(5, 10).without(&[r(0, 20)]), []);
        assert_eq!(r(5, 10).without(&[r(0, 5), r(10, 12)]), [r(5, 10)]);
    }

    #[test]
    fn fractional_scale_factors_follow_dbgen() {
        let sf = ScaleFactor::try_new(0.01).unwrap();
        assert_eq!(sf.part_count(), 2000);
        assert_eq!(sf.supplier_count(), 100);
        assert_eq!(sf.customer_count(), 1500);
        assert_eq!(sf.order_count(), 15000);
        assert_eq!(sf.clerk_count(), 1000);
        let sf = ScaleFactor::try_new(1.7).unwrap();
        assert_eq!(sf.order_count(), 1_500_000);
        // Checked against dbgen: -s 0.29 writes 2900 suppliers, -s 0.009 writes 90.
        assert_eq!(ScaleFactor::try_new(0.29).unwrap().supplier_count(), 2900);
        assert_eq!(ScaleFactor::try_new(0.009).unwrap().supplier_count(), 90);
    }

    #[test]
    fn bad_scale_factors_are_errors() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 0.0009, 100_001.0] {
            assert!(ScaleFactor::try_new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn chunks_follow_dbgen() {
        assert_eq!(
            RowRange::chunk(20000, 3, 3).unwrap(),
            RowRange::new(13332, 20000)
        );
        assert_eq!(
            RowRange::chunk(20000, 1, 3).unwrap(),
            RowRange::new(0, 6666)
        );
        assert!(RowRange::chunk(10, 0, 3).is_err());
        assert!(RowRange::chunk(10, 4, 3).is_err());
        assert!(RowRange::chunk(10, 1, 0).is_err());
    }

    #[test]
    fn chunks_split_as_dbgen() {
        let c = WideChunks::new(45_000, 3);
        assert_eq!(
            (c.start_of(0), c.start_of(14_999), c.start_of(15_000)),
            (0, 0, 15_000)
        );
        assert_eq!(c.start_of(44_999), 30_000);
        assert_eq!((c.next_start(0), c.next_start(30_000)), (15_000, u64::MAX));
        // The last chunk takes the remainder.
        let c = WideChunks::new(10, 3);
        assert_eq!(
            (c.start_of(9), c.next_start(5), c.next_start(6)),
            (6, 6, u64::MAX)
        );
        assert_eq!(WideChunks::default_for(45_000_000_000).count(), 3_000_000);
        assert_eq!(WideChunks::default_for(100).count(), 1);
    }
}
