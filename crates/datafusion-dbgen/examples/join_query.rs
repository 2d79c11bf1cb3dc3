//! A join over several generated TPC-H tables (TPC-H Q5, local supplier volume), with all eight
//! tables registered by one call, and the same data reached through the `tpch` catalog and a
//! table function.
//!
//! ```sh
//! cargo run --example join_query            # SF 0.1
//! cargo run --example join_query -- 1       # SF 1
//! ```

use datafusion::error::{DataFusionError, Result};
use datafusion::prelude::SessionContext;
use datafusion_dbgen::provider::{
    register_tpch, register_tpch_catalog, register_tpch_functions, schema_name,
};

#[tokio::main]
async fn main() -> Result<()> {
    let sf: f64 = match std::env::args().nth(1) {
        Some(arg) => arg
            .parse()
            .map_err(|e| DataFusionError::Plan(format!("scale factor {arg:?}: {e}")))?,
        None => 0.1,
    };

    let ctx = SessionContext::new();
    // `lineitem`, `orders`, … in the default schema, as the TPC-H queries name them.
    register_tpch(&ctx, sf)?;
    // `tpch.sf0_1.lineitem` and `tpch_lineitem(0.1)` name the same generated data.
    register_tpch_catalog(&ctx);
    register_tpch_functions(&ctx);

    println!("TPC-H Q5 at SF {sf}:");
    ctx.sql(
        "SELECT n_name, sum(l_extendedprice * (1 - l_discount)) AS revenue
         FROM customer, orders, lineitem, supplier, nation, region
         WHERE c_custkey = o_custkey
           AND l_orderkey = o_orderkey
           AND l_suppkey = s_suppkey
           AND c_nationkey = s_nationkey
           AND s_nationkey = n_nationkey
           AND n_regionkey = r_regionkey
           AND r_name = 'ASIA'
           AND o_orderdate >= DATE '1994-01-01'
           AND o_orderdate < DATE '1995-01-01'
         GROUP BY n_name
         ORDER BY revenue DESC",
    )
    .await?
    .show()
    .await?;

    let schema = schema_name(sf);
    println!("Orders per market segment, from tpch.{schema} and a table function:");
    ctx.sql(&format!(
        "SELECT c_mktsegment, count(*) AS orders
         FROM tpch.{schema}.orders o JOIN tpch_customer({sf}) c ON o.o_custkey = c.c_custkey
         GROUP BY c_mktsegment
         ORDER BY c_mktsegment"
    ))
    .await?
    .show()
    .await?;
    Ok(())
}
