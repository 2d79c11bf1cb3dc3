//! `supplier`: suppliers with addresses, phones, balances, and comments of which a few carry
//! the "Customer … Complaints/Recommends" text that TPC-H query 16 looks for.

use super::columns::ColumnMask;
use super::dists::dists;
use super::fields::{Address, InlineStr, Phone, random_address, random_phone, tagged_number};
use super::random::{RandomStream, StreamSpec};
use super::scale::{RowRange, ScaleFactor};
use super::text::TextSpec;

/// Column indices of `supplier`.
pub mod col {
    /// `s_suppkey`
    pub const SUPPKEY: usize = 0;
    /// `s_name`
    pub const NAME: usize = 1;
    /// `s_address`
    pub const ADDRESS: usize = 2;
    /// `s_nationkey`
    pub const NATIONKEY: usize = 3;
    /// `s_phone`
    pub const PHONE: usize = 4;
    /// `s_acctbal`
    pub const ACCTBAL: usize = 5;
    /// `s_comment`
    pub const COMMENT: usize = 6;
}

const ADDRESS_STREAM: StreamSpec = StreamSpec::new(706_178_559, 9);
const NATION_STREAM: StreamSpec = StreamSpec::new(110_356_601, 1);
const PHONE_STREAM: StreamSpec = StreamSpec::new(884_434_366, 3);
const ACCTBAL_STREAM: StreamSpec = StreamSpec::new(962_338_209, 1);
const COMMENT_STREAM: StreamSpec = StreamSpec::new(1_341_315_363, 2);
const BBB_JUNK_STREAM: StreamSpec = StreamSpec::new(263_032_577, 1);
const BBB_TYPE_STREAM: StreamSpec = StreamSpec::new(753_643_799, 1);
const BBB_COMMENT_STREAM: StreamSpec = StreamSpec::new(202_794_285, 1);
const BBB_OFFSET_STREAM: StreamSpec = StreamSpec::new(715_851_524, 1);
const COMMENT_TEXT: TextSpec = TextSpec::around(63);

/// A supplier comment: a pool slice, sometimes edited, so stored inline.
pub type SupplierComment = InlineStr<100>;

/// One `supplier` row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Supplier {
    /// `s_suppkey`
    pub suppkey: i64,
    /// `s_address`
    pub address: Address,
    /// `s_nationkey`
    pub nationkey: i64,
    /// `s_phone`
    pub phone: Phone,
    /// `s_acctbal` in cents
    pub acctbal: i64,
    /// `s_comment`
    pub comment: SupplierComment,
}

impl Supplier {
    /// `s_name`: `Supplier#` and the key on 9 digits.
    pub fn name(&self) -> InlineStr<40> {
        tagged_number("Supplier#", self.suppkey, 9)
    }
}

/// Generates `supplier` rows.
#[derive(Clone, Debug)]
pub struct SupplierGenerator {
    next: u64,
    end: u64,
    columns: ColumnMask,
    address: RandomStream,
    nation: RandomStream,
    phone: RandomStream,
    acctbal: RandomStream,
    comment: RandomStream,
    bbb_junk: RandomStream,
    bbb_type: RandomStream,
    bbb_comment: RandomStream,
    bbb_offset: RandomStream,
}

impl SupplierGenerator {
    /// The rows in `range`, with the columns in `columns`.
    pub fn new(sf: &ScaleFactor, range: RowRange, columns: ColumnMask) -> Self {
        let at = |spec: StreamSpec| spec.at_row(range.start);
        SupplierGenerator {
            next: range.start,
            end: range.end.min(sf.supplier_count() as u64),
            columns,
            address: at(ADDRESS_STREAM),
            nation: at(NATION_STREAM),
            phone: at(PHONE_STREAM),
            acctbal: at(ACCTBAL_STREAM),
            comment: at(COMMENT_STREAM),
            bbb_junk: at(BBB_JUNK_STREAM),
            bbb_type: at(BBB_TYPE_STREAM),
            bbb_comment: at(BBB_COMMENT_STREAM),
            bbb_offset: at(BBB_OFFSET_STREAM),
        }
    }

    fn streams(&mut self) -> [&mut RandomStream; 9] {
        [
            &mut self.address,
            &mut self.nation,
            &mut self.phone,
            &mut self.acctbal,
            &mut self.comment,
            &mut self.bbb_junk,
            &mut self.bbb_type,
            &mut self.bbb_comment,
            &mut self.bbb_offset,
        ]
    }

    /// Values drawn so far.
    pub fn draws(&mut self) -> u64 {
        self.streams().iter().map(|s| s.draws()).sum()
    }

    fn comment(&mut self) -> SupplierComment {
        let mut comment = SupplierComment::new();
        comment.push_bytes(COMMENT_TEXT.draw(&mut self.comment).as_bytes());
        let len = comment.as_bytes().len() as i64;
        // dbgen draws these for every row, and edits one comment in a thousand.
        const BASE: &[u8] = b"Customer ";
        const TAG_LEN: i64 = 19;
        let bad_press = self.bbb_comment.uniform(1, 10_000);
        let kind = self.bbb_type.uniform(0, 100);
        let noise = self.bbb_junk.uniform(0, len - TAG_LEN);
        let offset = self.bbb_offset.uniform(0, len - (TAG_LEN + noise)) as usize;
        if bad_press <= 10 {
            let verdict: &[u8] = if kind < 50 {
                b"Complaints"
            } else {
                b"Recommends"
            };
            let bytes = comment.bytes_mut();
            bytes[offset..offset + BASE.len()].copy_from_slice(BASE);
            let at = offset + BASE.len() + noise as usize;
            bytes[at..at + verdict.len()].copy_from_slice(verdict);
        }
        comment
    }
}

impl Iterator for SupplierGenerator {
    type Item = Supplier;

    fn next(&mut self) -> Option<Supplier> {
        if self.next >= self.end {
            return None;
        }
        let suppkey = self.next as i64 + 1;
        self.next += 1;
        let c = self.columns;
        let address = if c.has(col::ADDRESS) {
            random_address(&mut self.address)
        } else {
            Address::new()
        };
        let needs_nation = c.any(&[col::NATIONKEY, col::PHONE]);
        let nationkey = if needs_nation {
            self.nation.uniform(0, dists().nations.len() as i64 - 1)
        } else {
            0
        };
        let phone = if c.has(col::PHONE) {
            random_phone(nationkey, &mut self.phone)
        } else {
            Phone::new()
        };
        let acctbal = if c.has(col::ACCTBAL) {
            self.acctbal.uniform(-99_999, 999_999)
        } else {
            0
        };
        let comment = if c.has(col::COMMENT) {
            self.comment()
        } else {
            SupplierComment::new()
        };
        for stream in self.streams() {
            stream.end_row();
        }
        Some(Supplier {
            suppkey,
            address,
            nationkey,
            phone,
            acctbal,
            comment,
        })
    }
}
