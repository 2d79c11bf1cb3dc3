//! `part`: parts with colour names, manufacturers, brands, types, sizes, containers, prices.

use super::columns::ColumnMask;
use super::dists::dists;
use super::fields::{InlineStr, retail_price, tagged_number};
use super::random::{RandomStream, StreamSpec};
use super::scale::{RowRange, ScaleFactor};
use super::text::TextSpec;

/// Column indices of `part`.
pub mod col {
    /// `p_partkey`
    pub const PARTKEY: usize = 0;
    /// `p_name`
    pub const NAME: usize = 1;
    /// `p_mfgr`
    pub const MFGR: usize = 2;
    /// `p_brand`
    pub const BRAND: usize = 3;
    /// `p_type`
    pub const TYPE: usize = 4;
    /// `p_size`
    pub const SIZE: usize = 5;
    /// `p_container`
    pub const CONTAINER: usize = 6;
    /// `p_retailprice`
    pub const RETAILPRICE: usize = 7;
    /// `p_comment`
    pub const COMMENT: usize = 8;
}

const MFGR_STREAM: StreamSpec = StreamSpec::new(1, 1);
const BRAND_STREAM: StreamSpec = StreamSpec::new(46_831_694, 1);
const TYPE_STREAM: StreamSpec = StreamSpec::new(1_841_581_359, 1);
const SIZE_STREAM: StreamSpec = StreamSpec::new(1_193_163_244, 1);
const CONTAINER_STREAM: StreamSpec = StreamSpec::new(727_633_698, 1);
const COMMENT_STREAM: StreamSpec = StreamSpec::new(804_159_733, 2);
/// The name is a shuffle of all 92 colours, of which the first five are kept.
const NAME_STREAM: StreamSpec = StreamSpec::new(709_314_158, 92);
const NAME_WORDS: usize = 5;
const COMMENT_TEXT: TextSpec = TextSpec::around(14);

/// A part name: five colours.
pub type PartName = InlineStr<55>;

/// One `part` row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Part {
    /// `p_partkey`
    pub partkey: i64,
    /// `p_name`
    pub name: PartName,
    /// Manufacturer number 1..=5 (`p_mfgr` is `Manufacturer#<n>`)
    pub mfgr: i64,
    /// Brand number 11..=55 (`p_brand` is `Brand#<n>`)
    pub brand: i64,
    /// `p_type`
    pub type_: &'static str,
    /// `p_size`
    pub size: i64,
    /// `p_container`
    pub container: &'static str,
    /// `p_retailprice` in cents
    pub retailprice: i64,
    /// `p_comment`
    pub comment: &'static str,
}

impl Part {
    /// `p_mfgr` as text.
    pub fn mfgr_text(&self) -> InlineStr<40> {
        tagged_number("Manufacturer#", self.mfgr, 1)
    }

    /// `p_brand` as text.
    pub fn brand_text(&self) -> InlineStr<40> {
        tagged_number("Brand#", self.brand, 2)
    }
}

/// Generates `part` rows.
#[derive(Clone, Debug)]
pub struct PartGenerator {
    next: u64,
    end: u64,
    columns: ColumnMask,
    mfgr: RandomStream,
    brand: RandomStream,
    type_: RandomStream,
    size: RandomStream,
    container: RandomStream,
    comment: RandomStream,
    name: RandomStream,
}

impl PartGenerator {
    /// The rows in `range`, with the columns in `columns`.
    pub fn new(sf: &ScaleFactor, range: RowRange, columns: ColumnMask) -> Self {
        let at = |spec: StreamSpec| spec.at_row(range.start);
        PartGenerator {
            next: range.start,
            end: range.end.min(sf.part_count() as u64),
            columns,
            mfgr: at(MFGR_STREAM),
            brand: at(BRAND_STREAM),
            type_: at(TYPE_STREAM),
            size: at(SIZE_STREAM),
            container: at(CONTAINER_STREAM),
            comment: at(COMMENT_STREAM),
            name: at(NAME_STREAM),
        }
    }

    fn streams(&mut self) -> [&mut RandomStream; 7] {
        [
            &mut self.mfgr,
            &mut self.brand,
            &mut self.type_,
            &mut self.size,
            &mut self.container,
            &mut self.comment,
            &mut self.name,
        ]
    }

    /// Values drawn so far.
    pub fn draws(&mut self) -> u64 {
        self.streams().iter().map(|s| s.draws()).sum()
    }

    /// dbgen shuffles the colour list (swap position i with a random position ≥ i) and keeps
    /// the first five; later swaps never touch those, so only five draws are made here.
    fn name(&mut self) -> PartName {
        let colors = &dists().colors;
        let mut order: [u8; 92] = std::array::from_fn(|i| i as u8);
        let last = colors.len() as i64 - 1;
        let mut name = PartName::new();
        for i in 0..NAME_WORDS {
            let j = self.name.uniform(i as i64, last) as usize;
            order.swap(i, j);
            if i > 0 {
                name.push_bytes(b" ");
            }
            name.push_bytes(colors.member(order[i] as usize).as_bytes());
        }
        name
    }
}

impl Iterator for PartGenerator {
    type Item = Part;

    fn next(&mut self) -> Option<Part> {
        if self.next >= self.end {
            return None;
        }
        let partkey = self.next as i64 + 1;
        self.next += 1;
        let c = self.columns;
        let d = dists();
        let name = if c.has(col::NAME) {
            self.name()
        } else {
            PartName::new()
        };
        let mfgr = if c.any(&[col::MFGR, col::BRAND]) {
            self.mfgr.uniform(1, 5)
        } else {
            0
        };
        let brand = if c.has(col::BRAND) {
            mfgr * 10 + self.brand.uniform(1, 5)
        } else {
            0
        };
        let type_ = if c.has(col::TYPE) {
            d.part_types.pick(&mut self.type_)
        } else {
            ""
        };
        let size = if c.has(col::SIZE) {
            self.size.uniform(1, 50)
        } else {
            0
        };
        let container = if c.has(col::CONTAINER) {
            d.containers.pick(&mut self.container)
        } else {
            ""
        };
        let comment = if c.has(col::COMMENT) {
            COMMENT_TEXT.draw(&mut self.comment)
        } else {
            ""
        };
        for stream in self.streams() {
            stream.end_row();
        }
        Some(Part {
            partkey,
            name,
            mfgr,
            brand,
            type_,
            size,
            container,
            retailprice: retail_price(partkey),
            comment,
        })
    }
}
