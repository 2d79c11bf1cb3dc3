//! `nation`: the 25 nations, each in a region, with a comment.

use super::columns::ColumnMask;
use super::dists::dists;
use super::random::{RandomStream, StreamSpec};
use super::scale::RowRange;
use super::text::TextSpec;

/// Column indices of `nation`.
pub mod col {
    /// `n_nationkey`
    pub const NATIONKEY: usize = 0;
    /// `n_name`
    pub const NAME: usize = 1;
    /// `n_regionkey`
    pub const REGIONKEY: usize = 2;
    /// `n_comment`
    pub const COMMENT: usize = 3;
}

const COMMENT_STREAM: StreamSpec = StreamSpec::new(606_179_079, 2);
const COMMENT_TEXT: TextSpec = TextSpec::around(72);

/// One `nation` row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nation {
    /// `n_nationkey`, 0..25
    pub nationkey: i64,
    /// `n_name`
    pub name: &'static str,
    /// `n_regionkey`
    pub regionkey: i64,
    /// `n_comment`
    pub comment: &'static str,
}

/// Generates `nation` rows.
#[derive(Clone, Debug)]
pub struct NationGenerator {
    next: u64,
    end: u64,
    comment: RandomStream,
    columns: ColumnMask,
}

impl NationGenerator {
    /// The rows in `range` (of 0..25), with the columns in `columns`.
    pub fn new(range: RowRange, columns: ColumnMask) -> Self {
        NationGenerator {
            next: range.start,
            end: range.end.min(25),
            comment: COMMENT_STREAM.at_row(range.start),
            columns,
        }
    }

    /// Values drawn so far.
    pub fn draws(&self) -> u64 {
        self.comment.draws()
    }
}

impl Iterator for NationGenerator {
    type Item = Nation;

    fn next(&mut self) -> Option<Nation> {
        if self.next >= self.end {
            return None;
        }
        let index = self.next as usize;
        self.next += 1;
        let comment = if self.columns.has(col::COMMENT) {
            COMMENT_TEXT.draw(&mut self.comment)
        } else {
            ""
        };
        self.comment.end_row();
        let nations = &dists().nations;
        Some(Nation {
            nationkey: index as i64,
            name: nations.member(index),
            regionkey: nations.cumulative_weight(index),
            comment,
        })
    }
}
