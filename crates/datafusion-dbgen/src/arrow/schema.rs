//! Arrow schemas of the eight TPC-H tables.
//!
//! Types, chosen for what a TPC-H user expects in DataFusion and for exact answers:
//!
//! | TPC-H column kind | Arrow type | why |
//! |---|---|---|
//! | keys (`*_orderkey`, `*_partkey`, `*_nationkey`, …) | `Int64` | `o_orderkey` passes 2³¹ at SF 358 (and `l_partkey` needs 64 bits at SF 30 000 in dbgen); one key type everywhere keeps joins cast-free |
//! | other integers (`p_size`, `ps_availqty`, `l_linenumber`, `o_shippriority`) | `Int32` | the specification's "integer"; always small |
//! | money, `l_quantity`, `l_discount`, `l_tax` | `Decimal128(15, 2)` | the specification's "decimal"; exact sums |
//! | dates | `Date32` | |
//! | single characters (`l_returnflag`, `l_linestatus`, `o_orderstatus`) | `Utf8View` | compares with string literals as in the queries; groups faster than `Utf8` (below) |
//! | text | `Utf8` | see below |
//!
//! Text is `Utf8` rather than `Utf8View`: measured with DataFusion 55 over this provider, `Utf8`
//! was as fast or faster end to end (BENCHMARKS.md), and building it needs one copy of each
//! string where a view array needs the copy plus a 16-byte view. The one-character flags are
//! `Utf8View`, as DataFusion reads Parquet strings: a flag is inline in its view (no data buffer
//! to build), and grouping by views compares 16-byte values instead of calling `memcmp` per row
//! (TPC-H Q1 groups by two flags; BENCHMARKS.md).
//!
//! Every column is non-nullable: dbgen never writes a null.

use std::sync::{Arc, OnceLock};

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use tpch_dbgen::Table;

/// Precision of the decimal columns (`DECIMAL(15,2)` in the specification).
pub const DECIMAL_PRECISION: u8 = 15;
/// Scale of the decimal columns: cents.
pub const DECIMAL_SCALE: i8 = 2;

/// How a column is represented in Arrow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A key: `Int64`.
    Key,
    /// A small integer: `Int32`.
    Int,
    /// Money or another two-decimal number: `Decimal128(15, 2)`.
    Decimal,
    /// A date: `Date32`.
    Date,
    /// Free text: `Utf8`.
    Text,
    /// One character: `Utf8View`.
    Char,
}

impl Kind {
    fn data_type(self) -> DataType {
        match self {
            Kind::Key => DataType::Int64,
            Kind::Int => DataType::Int32,
            Kind::Decimal => DataType::Decimal128(DECIMAL_PRECISION, DECIMAL_SCALE),
            Kind::Date => DataType::Date32,
            Kind::Text => DataType::Utf8,
            Kind::Char => DataType::Utf8View,
        }
    }
}

/// The kind of every column of `table`, in schema order.
pub(crate) const fn kinds(table: Table) -> &'static [Kind] {
    use Kind::*;
    match table {
        Table::Region => &[Key, Text, Text],
        Table::Nation => &[Key, Text, Key, Text],
        Table::Supplier => &[Key, Text, Text, Key, Text, Decimal, Text],
        Table::Customer => &[Key, Text, Text, Key, Text, Decimal, Text, Text],
        Table::Part => &[Key, Text, Text, Text, Text, Int, Text, Decimal, Text],
        Table::Partsupp => &[Key, Key, Int, Decimal, Text],
        Table::Orders => &[Key, Key, Char, Decimal, Date, Text, Text, Int, Text],
        Table::Lineitem => &[
            Key, Key, Key, Int, Decimal, Decimal, Decimal, Decimal, Char, Char, Date, Date, Date,
            Text, Text, Text,
        ],
    }
}

/// The Arrow schema of `table`: the specification's column names, in its order.
///
/// ```
/// use datafusion_dbgen::arrow::table_schema;
/// use datafusion_dbgen::Table;
///
/// let schema = table_schema(Table::Lineitem);
/// assert_eq!(schema.field(0).name(), "l_orderkey");
/// assert_eq!(schema.fields().len(), 16);
/// ```
pub fn table_schema(table: Table) -> SchemaRef {
    static SCHEMAS: OnceLock<[SchemaRef; 8]> = OnceLock::new();
    let all = SCHEMAS.get_or_init(|| Table::ALL.map(build_schema));
    // `Table::ALL` lists the tables in declaration order, so the discriminant is the index.
    Arc::clone(&all[table as usize])
}

fn build_schema(table: Table) -> SchemaRef {
    let fields: Vec<Field> = table
        .column_names()
        .iter()
        .zip(kinds(table))
        .map(|(name, kind)| Field::new(*name, kind.data_type(), false))
        .collect();
    Arc::new(Schema::new(fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_a_kind() {
        for table in Table::ALL {
            assert_eq!(table.column_names().len(), kinds(table).len(), "{table}");
            assert_eq!(table_schema(table).fields().len(), kinds(table).len());
        }
    }
}
