//! `region`: the five regions, each with a comment.

use super::columns::ColumnMask;
use super::dists::dists;
use super::random::{RandomStream, StreamSpec};
use super::scale::RowRange;
use super::text::TextSpec;

/// Column indices of `region`.
pub mod col {
    /// `r_regionkey`
    pub const REGIONKEY: usize = 0;
    /// `r_name`
    pub const NAME: usize = 1;
    /// `r_comment`
    pub const COMMENT: usize = 2;
}

const COMMENT_STREAM: StreamSpec = StreamSpec::new(1_500_869_201, 2);
const COMMENT_TEXT: TextSpec = TextSpec::around(72);

/// One `region` row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// `r_regionkey`, 0..5
    pub regionkey: i64,
    /// `r_name`
    pub name: &'static str,
    /// `r_comment`
    pub comment: &'static str,
}

/// Generates `region` rows.
#[derive(Clone, Debug)]
pub struct RegionGenerator {
    next: u64,
    end: u64,
    comment: RandomStream,
    columns: ColumnMask,
}

impl RegionGenerator {
    /// The rows in `range` (of 0..5), with the columns in `columns`.
    pub fn new(range: RowRange, columns: ColumnMask) -> Self {
        RegionGenerator {
            next: range.start,
            end: range.end.min(5),
            comment: COMMENT_STREAM.at_row(range.start),
            columns,
        }
    }

    /// Values drawn so far.
    pub fn draws(&self) -> u64 {
        self.comment.draws()
    }
}

impl Iterator for RegionGenerator {
    type Item = Region;

    fn next(&mut self) -> Option<Region> {
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
        Some(Region {
            regionkey: index as i64,
            name: dists().regions.member(index),
            comment,
        })
    }
}
