//! `customer`: customers with addresses, nations, phones, balances, market segments, comments.

use super::columns::ColumnMask;
use super::dists::dists;
use super::fields::{Address, InlineStr, Phone, random_address, random_phone, tagged_number};
use super::random::{RandomStream, StreamSpec};
use super::scale::{RowRange, ScaleFactor};
use super::text::TextSpec;

/// Column indices of `customer`.
pub mod col {
    /// `c_custkey`
    pub const CUSTKEY: usize = 0;
    /// `c_name`
    pub const NAME: usize = 1;
    /// `c_address`
    pub const ADDRESS: usize = 2;
    /// `c_nationkey`
    pub const NATIONKEY: usize = 3;
    /// `c_phone`
    pub const PHONE: usize = 4;
    /// `c_acctbal`
    pub const ACCTBAL: usize = 5;
    /// `c_mktsegment`
    pub const MKTSEGMENT: usize = 6;
    /// `c_comment`
    pub const COMMENT: usize = 7;
}

const ADDRESS_STREAM: StreamSpec = StreamSpec::new(881_155_353, 9);
const NATION_STREAM: StreamSpec = StreamSpec::new(1_489_529_863, 1);
const PHONE_STREAM: StreamSpec = StreamSpec::new(1_521_138_112, 3);
const ACCTBAL_STREAM: StreamSpec = StreamSpec::new(298_370_230, 1);
const SEGMENT_STREAM: StreamSpec = StreamSpec::new(1_140_279_430, 1);
const COMMENT_STREAM: StreamSpec = StreamSpec::new(1_335_826_707, 2);
const COMMENT_TEXT: TextSpec = TextSpec::around(73);

/// One `customer` row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Customer {
    /// `c_custkey`
    pub custkey: i64,
    /// `c_address`
    pub address: Address,
    /// `c_nationkey`
    pub nationkey: i64,
    /// `c_phone`
    pub phone: Phone,
    /// `c_acctbal` in cents
    pub acctbal: i64,
    /// `c_mktsegment`
    pub mktsegment: &'static str,
    /// `c_comment`
    pub comment: &'static str,
}

impl Customer {
    /// `c_name`: `Customer#` and the key on 9 digits.
    pub fn name(&self) -> InlineStr<40> {
        tagged_number("Customer#", self.custkey, 9)
    }
}

/// Generates `customer` rows.
#[derive(Clone, Debug)]
pub struct CustomerGenerator {
    next: u64,
    end: u64,
    columns: ColumnMask,
    address: RandomStream,
    nation: RandomStream,
    phone: RandomStream,
    acctbal: RandomStream,
    segment: RandomStream,
    comment: RandomStream,
}

impl CustomerGenerator {
    /// The rows in `range`, with the columns in `columns`.
    pub fn new(sf: &ScaleFactor, range: RowRange, columns: ColumnMask) -> Self {
        let at = |spec: StreamSpec| spec.at_row(range.start);
        CustomerGenerator {
            next: range.start,
            end: range.end.min(sf.customer_count() as u64),
            columns,
            address: at(ADDRESS_STREAM),
            nation: at(NATION_STREAM),
            phone: at(PHONE_STREAM),
            acctbal: at(ACCTBAL_STREAM),
            segment: at(SEGMENT_STREAM),
            comment: at(COMMENT_STREAM),
        }
    }

    fn streams(&mut self) -> [&mut RandomStream; 6] {
        [
            &mut self.address,
            &mut self.nation,
            &mut self.phone,
            &mut self.acctbal,
            &mut self.segment,
            &mut self.comment,
        ]
    }

    /// Values drawn so far.
    pub fn draws(&mut self) -> u64 {
        self.streams().iter().map(|s| s.draws()).sum()
    }
}

impl Iterator for CustomerGenerator {
    type Item = Customer;

    fn next(&mut self) -> Option<Customer> {
        if self.next >= self.end {
            return None;
        }
        let custkey = self.next as i64 + 1;
        self.next += 1;
        let c = self.columns;
        let d = dists();
        let address = if c.has(col::ADDRESS) {
            random_address(&mut self.address)
        } else {
            Address::new()
        };
        let nationkey = if c.any(&[col::NATIONKEY, col::PHONE]) {
            self.nation.uniform(0, d.nations.len() as i64 - 1)
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
        let mktsegment = if c.has(col::MKTSEGMENT) {
            d.market_segment.pick(&mut self.segment)
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
        Some(Customer {
            custkey,
            address,
            nationkey,
            phone,
            acctbal,
            mktsegment,
            comment,
        })
    }
}
