//! One function per table that builds a column of a batch from the generator's typed rows.
//!
//! Each takes the rows of one batch and a column index in schema order (the generator's
//! `col::` constants) and returns that column. Columns the projection did not ask for are
//! never built, and the generator did not compute them either (see `ColumnMask`).

use arrow::array::ArrayRef;
use arrow::error::ArrowError;

#[cfg(test)]
use super::arrays::{chars, dates};
use super::arrays::{decimals, ints, keys, text, text_sized};
use tpch_dbgen::{
    Customer, Nation, Part, Partsupp, Region, Supplier, customer, nation, part, partsupp, region,
    supplier,
};
#[cfg(test)]
use tpch_dbgen::{Order, orders};

/// Bytes of a `Customer#000000001`-style name (`Supplier#…` is one byte shorter).
const TAGGED_NAME_LEN: usize = 18;

fn unknown(table: &str, column: usize) -> ArrowError {
    ArrowError::InvalidArgumentError(format!("{table} has no column {column}"))
}

/// A column of `region`.
pub(crate) fn region(rows: &[Region], column: usize) -> Result<ArrayRef, ArrowError> {
    use region::col::*;
    match column {
        REGIONKEY => keys(rows.iter().map(|r| r.regionkey)),
        NAME => text(rows, |r| r.name),
        COMMENT => text(rows, |r| r.comment),
        _ => Err(unknown("region", column)),
    }
}

/// A column of `nation`.
pub(crate) fn nation(rows: &[Nation], column: usize) -> Result<ArrayRef, ArrowError> {
    use nation::col::*;
    match column {
        NATIONKEY => keys(rows.iter().map(|r| r.nationkey)),
        NAME => text(rows, |r| r.name),
        REGIONKEY => keys(rows.iter().map(|r| r.regionkey)),
        COMMENT => text(rows, |r| r.comment),
        _ => Err(unknown("nation", column)),
    }
}

/// A column of `supplier`.
pub(crate) fn supplier(rows: &[Supplier], column: usize) -> Result<ArrayRef, ArrowError> {
    use supplier::col::*;
    match column {
        SUPPKEY => keys(rows.iter().map(|r| r.suppkey)),
        NAME => text_sized(rows, rows.len() * TAGGED_NAME_LEN, |r| r.name()),
        ADDRESS => text(rows, |r| r.address.as_str()),
        NATIONKEY => keys(rows.iter().map(|r| r.nationkey)),
        PHONE => text(rows, |r| r.phone.as_str()),
        ACCTBAL => decimals(rows.iter().map(|r| r.acctbal)),
        COMMENT => text(rows, |r| r.comment.as_str()),
        _ => Err(unknown("supplier", column)),
    }
}

/// A column of `customer`.
pub(crate) fn customer(rows: &[Customer], column: usize) -> Result<ArrayRef, ArrowError> {
    use customer::col::*;
    match column {
        CUSTKEY => keys(rows.iter().map(|r| r.custkey)),
        NAME => text_sized(rows, rows.len() * TAGGED_NAME_LEN, |r| r.name()),
        ADDRESS => text(rows, |r| r.address.as_str()),
        NATIONKEY => keys(rows.iter().map(|r| r.nationkey)),
        PHONE => text(rows, |r| r.phone.as_str()),
        ACCTBAL => decimals(rows.iter().map(|r| r.acctbal)),
        MKTSEGMENT => text(rows, |r| r.mktsegment),
        COMMENT => text(rows, |r| r.comment),
        _ => Err(unknown("customer", column)),
    }
}

/// A column of `part`.
pub(crate) fn part(rows: &[Part], column: usize) -> Result<ArrayRef, ArrowError> {
    use part::col::*;
    match column {
        PARTKEY => keys(rows.iter().map(|r| r.partkey)),
        NAME => text(rows, |r| r.name.as_str()),
        MFGR => text_sized(rows, rows.len() * 14, |r| r.mfgr_text()),
        BRAND => text_sized(rows, rows.len() * 8, |r| r.brand_text()),
        TYPE => text(rows, |r| r.type_),
        SIZE => ints(rows.iter().map(|r| r.size)),
        CONTAINER => text(rows, |r| r.container),
        RETAILPRICE => decimals(rows.iter().map(|r| r.retailprice)),
        COMMENT => text(rows, |r| r.comment),
        _ => Err(unknown("part", column)),
    }
}

/// A column of `partsupp`.
pub(crate) fn partsupp(rows: &[Partsupp], column: usize) -> Result<ArrayRef, ArrowError> {
    use partsupp::col::*;
    match column {
        PARTKEY => keys(rows.iter().map(|r| r.partkey)),
        SUPPKEY => keys(rows.iter().map(|r| r.suppkey)),
        AVAILQTY => ints(rows.iter().map(|r| r.availqty)),
        SUPPLYCOST => decimals(rows.iter().map(|r| r.supplycost)),
        COMMENT => text(rows, |r| r.comment),
        _ => Err(unknown("partsupp", column)),
    }
}

/// A column of `orders`.
#[cfg(test)]
pub(crate) fn orders(rows: &[Order], column: usize) -> Result<ArrayRef, ArrowError> {
    use orders::col::*;
    match column {
        ORDERKEY => keys(rows.iter().map(|r| r.orderkey)),
        CUSTKEY => keys(rows.iter().map(|r| r.custkey)),
        ORDERSTATUS => chars(rows, |r| r.orderstatus),
        TOTALPRICE => decimals(rows.iter().map(|r| r.totalprice)),
        ORDERDATE => dates(rows.iter().map(|r| r.orderdate)),
        ORDERPRIORITY => text(rows, |r| r.orderpriority),
        CLERK => text_sized(rows, rows.len() * 15, |r| r.clerk_text()),
        SHIPPRIORITY => ints(rows.iter().map(|r| r.shippriority)),
        COMMENT => text(rows, |r| r.comment),
        _ => Err(unknown("orders", column)),
    }
}

/// A column of `lineitem` from typed rows: the row-wise reference that tests hold the columnar
/// [`super::lineitem_source`] to.
#[cfg(test)]
pub(crate) fn lineitem(
    rows: &[tpch_dbgen::Lineitem],
    column: usize,
) -> Result<ArrayRef, ArrowError> {
    use tpch_dbgen::lineitem::col::*;
    match column {
        ORDERKEY => keys(rows.iter().map(|r| r.orderkey)),
        PARTKEY => keys(rows.iter().map(|r| r.partkey)),
        SUPPKEY => keys(rows.iter().map(|r| r.suppkey)),
        LINENUMBER => ints(rows.iter().map(|r| r.linenumber)),
        // Whole units, as hundredths.
        QUANTITY => decimals(rows.iter().map(|r| r.quantity * 100)),
        EXTENDEDPRICE => decimals(rows.iter().map(|r| r.extendedprice)),
        DISCOUNT => decimals(rows.iter().map(|r| r.discount)),
        TAX => decimals(rows.iter().map(|r| r.tax)),
        RETURNFLAG => chars(rows, |r| r.returnflag),
        LINESTATUS => chars(rows, |r| r.linestatus),
        SHIPDATE => dates(rows.iter().map(|r| r.shipdate)),
        COMMITDATE => dates(rows.iter().map(|r| r.commitdate)),
        RECEIPTDATE => dates(rows.iter().map(|r| r.receiptdate)),
        SHIPINSTRUCT => text(rows, |r| r.shipinstruct),
        SHIPMODE => text(rows, |r| r.shipmode),
        COMMENT => text(rows, |r| r.comment),
        _ => Err(unknown("lineitem", column)),
    }
}
