//! `partsupp`: four suppliers for every part, with stock and cost.

use super::columns::ColumnMask;
use super::fields::part_supplier;
use super::random::{RandomStream, StreamSpec};
use super::scale::{RowRange, ScaleFactor};
use super::text::TextSpec;

/// Column indices of `partsupp`.
pub mod col {
    /// `ps_partkey`
    pub const PARTKEY: usize = 0;
    /// `ps_suppkey`
    pub const SUPPKEY: usize = 1;
    /// `ps_availqty`
    pub const AVAILQTY: usize = 2;
    /// `ps_supplycost`
    pub const SUPPLYCOST: usize = 3;
    /// `ps_comment`
    pub const COMMENT: usize = 4;
}

/// Suppliers per part.
pub const SUPPLIERS_PER_PART: u64 = 4;

// Budgets are per part: four partsupp rows share one part row.
const QTY_STREAM: StreamSpec = StreamSpec::new(1_671_059_989, 4);
const COST_STREAM: StreamSpec = StreamSpec::new(1_051_288_424, 4);
const COMMENT_STREAM: StreamSpec = StreamSpec::new(1_961_692_154, 8);
const COMMENT_TEXT: TextSpec = TextSpec::around(124);

/// One `partsupp` row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partsupp {
    /// `ps_partkey`
    pub partkey: i64,
    /// `ps_suppkey`
    pub suppkey: i64,
    /// `ps_availqty`
    pub availqty: i64,
    /// `ps_supplycost` in cents
    pub supplycost: i64,
    /// `ps_comment`
    pub comment: &'static str,
}

/// Generates `partsupp` rows, four per part, for a range of parts.
#[derive(Clone, Debug)]
pub struct PartsuppGenerator {
    next_part: u64,
    end_part: u64,
    supplier_index: u64,
    suppliers: i64,
    columns: ColumnMask,
    qty: RandomStream,
    cost: RandomStream,
    comment: RandomStream,
}

impl PartsuppGenerator {
    /// The partsupp rows of the parts in `parts` (part rows, 0-based), with `columns`.
    pub fn new(sf: &ScaleFactor, parts: RowRange, columns: ColumnMask) -> Self {
        let at = |spec: StreamSpec| spec.at_row(parts.start);
        PartsuppGenerator {
            next_part: parts.start,
            end_part: parts.end.min(sf.part_count() as u64),
            supplier_index: 0,
            suppliers: sf.supplier_count(),
            columns,
            qty: at(QTY_STREAM),
            cost: at(COST_STREAM),
            comment: at(COMMENT_STREAM),
        }
    }

    /// Values drawn so far.
    pub fn draws(&self) -> u64 {
        self.qty.draws() + self.cost.draws() + self.comment.draws()
    }
}

impl Iterator for PartsuppGenerator {
    type Item = Partsupp;

    fn next(&mut self) -> Option<Partsupp> {
        if self.next_part >= self.end_part {
            return None;
        }
        let partkey = self.next_part as i64 + 1;
        let index = self.supplier_index as i64;
        let c = self.columns;
        let availqty = if c.has(col::AVAILQTY) {
            self.qty.uniform(1, 9_999)
        } else {
            0
        };
        let supplycost = if c.has(col::SUPPLYCOST) {
            self.cost.uniform(100, 100_000)
        } else {
            0
        };
        let comment = if c.has(col::COMMENT) {
            COMMENT_TEXT.draw(&mut self.comment)
        } else {
            ""
        };
        self.supplier_index += 1;
        if self.supplier_index == SUPPLIERS_PER_PART {
            self.supplier_index = 0;
            self.next_part += 1;
            self.qty.end_row();
            self.cost.end_row();
            self.comment.end_row();
        }
        Some(Partsupp {
            partkey,
            suppkey: part_supplier(partkey, index, self.suppliers),
            availqty,
            supplycost,
            comment,
        })
    }
}
