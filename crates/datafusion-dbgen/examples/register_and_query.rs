//! Register TPC-H `lineitem` as a generating table in DataFusion and run a Q1-like query.
//!
//! ```sh
//! cargo run --example register_and_query            # SF 0.1
//! cargo run --example register_and_query -- 1       # SF 1
//! ```
//!
//! No file is read or written: the table is generated (dbgen-identical) while it is scanned.

use std::sync::Arc;

use datafusion::error::Result;
use datafusion::prelude::SessionContext;
use datafusion_dbgen::provider::TpchTableProvider;

#[tokio::main]
async fn main() -> Result<()> {
    let sf: f64 = match std::env::args().nth(1) {
        Some(arg) => arg.parse().map_err(|e| {
            datafusion::error::DataFusionError::Plan(format!("scale factor {arg:?}: {e}"))
        })?,
        None => 0.1,
    };

    let ctx = SessionContext::new();
    ctx.register_table("lineitem", Arc::new(TpchTableProvider::lineitem(sf)?))?;

    let df = ctx
        .sql(
            "SELECT l_returnflag, l_linestatus,
                    sum(l_quantity) AS sum_qty,
                    sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price,
                    avg(l_discount) AS avg_disc,
                    count(*) AS count_order
             FROM lineitem
             WHERE l_shipdate <= DATE '1998-09-02'
             GROUP BY l_returnflag, l_linestatus
             ORDER BY l_returnflag, l_linestatus",
        )
        .await?;
    df.show().await?;
    Ok(())
}
