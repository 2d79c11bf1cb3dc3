//! `lineitem` one column at a time: the fast path behind `lineitem` record batches.
//!
//! The row engine ([`super::order_lines`]) walks all streams line after line. But a line stream
//! reserves a fixed budget of draws per order (7, or 14 for the comment's two draws a line), so
//! the state it holds after the `k`-th draw of an order is `S · 16807^(k+1)`, where `S` is its
//! state at the start of the order, and `S` steps by `16807^budget` from one order to the next.
//! A column is therefore one multiplication per line from its order's start state: no line
//! waits for the one before it, and one loop per column runs the arithmetic of many lines side
//! by side.
//!
//! A batch first plans its lines (a `Layout`): per line, its index in its order and the power
//! of 16807 for that draw. Per stream, the orders' start states (four interleaved chains, so
//! the multiplications overlap) are spread over their lines; a column is then one flat loop of
//! `start · power`, `UnifInt` and the column's formula, over exactly the batch's lines, with no
//! branch on the random line counts; the compiler vectorises it (compiled twice, the second
//! time for AVX2, chosen at run time). The values stay dbgen's: tests compare every column
//! with the row engine, for every batch size and for the 64-bit keys of large scale factors
//! (where `l_partkey`'s stream is sequential and is drawn order by order instead).

use std::ops::Range;

use super::columns::ColumnMask;
use super::date::Date;
use super::dists::dists;
use super::fields::{part_supplier, retail_price};
use super::lineitem::col;
use super::order_lines::{
    COMMITDATE_STREAM, DATE_BASE, DISCOUNT_STREAM, INSTRUCT_STREAM, LAST_ORDER_DAY,
    LINE_COMMENT_STREAM, LINE_COMMENT_TEXT, LINE_COUNT_STREAM, MAX_LINES, ORDERDATE_STREAM,
    PARTKEY_STREAM, QUANTITY_STREAM, RECEIPTDATE_STREAM, RETURNFLAG_STREAM, SHIPDATE_STREAM,
    SHIPMODE_STREAM, SUPPLIER_STREAM, TAX_STREAM, orderkey,
};
use super::random::{
    EXACT_SPAN_LIMIT, POWERS, RandomStream, StreamSpec, advance, mul_mod, unif_int, unif_small,
};
use super::scale::{RowRange, ScaleFactor};
use super::wide::{self, Restarts};

/// Values written per order when spreading per-order values over its lines (the next order
/// overwrites the surplus); at least [`MAX_LINES`].
pub const LANES: usize = 8;

/// The last day a line can be shipped and still count as shipped (`F`) or returnable.
const CURRENT: i32 = Date::CURRENT.0;

macro_rules! line_columns {
    ($($(#[$doc:meta])* $field:ident: $ty:ty = $col:ident,)*) => {
        /// `lineitem` columns as vectors, in the layout Arrow arrays take without a copy:
        /// keys `i64`, money and quantities in hundredths as `i128` (`Decimal128(15, 2)`),
        /// dates as days since 1970-01-01 (`Date32`), flags as bytes, text as pool slices.
        /// Only the columns a generator was asked for (and what they derive from) are filled.
        #[derive(Debug, Default)]
        pub struct LineColumns {
            $($(#[$doc])* pub $field: Vec<$ty>,)*
        }

        impl LineColumns {
            /// Empties the `needed` columns and starts them with `carry`'s values.
            fn restart(&mut self, needed: ColumnMask, carry: &LineColumns) {
                $(if needed.has(col::$col) {
                    self.$field.clear();
                    self.$field.extend_from_slice(&carry.$field);
                })*
            }

            /// Sizes the `needed` columns to `len` values (the loops write in place).
            fn resize(&mut self, needed: ColumnMask, len: usize) {
                $(if needed.has(col::$col) {
                    self.$field.resize(len, Default::default());
                })*
            }

            /// Keeps only the values in `runs` (ascending, disjoint ranges of row indices) in
            /// the columns of `columns`, and empties the others (values a column was only
            /// derived from).
            pub fn retain(&mut self, runs: &[Range<usize>], columns: ColumnMask) {
                $(if columns.has(col::$col) {
                    compact(&mut self.$field, runs);
                } else {
                    self.$field.clear();
                })*
            }

            /// Keeps the first `emit` values; moves `emit..end` into `carry`.
            fn split(&mut self, needed: ColumnMask, emit: usize, end: usize, carry: &mut Self) {
                $(if needed.has(col::$col) {
                    carry.$field.clear();
                    carry.$field.extend_from_slice(&self.$field[emit..end]);
                    self.$field.truncate(emit);
                })*
            }
        }
    };
}

/// Moves the values in `runs` (ascending, disjoint ranges) to the front of `values`, in order,
/// and drops the rest: one `memmove` per run. An empty vector (a column not filled, or already
/// handed out) stays empty.
fn compact<T: Copy>(values: &mut Vec<T>, runs: &[Range<usize>]) {
    if values.is_empty() {
        return;
    }
    let mut to = 0;
    for run in runs {
        if run.start != to {
            values.copy_within(run.clone(), to);
        }
        to += run.len();
    }
    values.truncate(to);
}

line_columns! {
    /// `l_orderkey`
    orderkey: i64 = ORDERKEY,
    /// `l_partkey`
    partkey: i64 = PARTKEY,
    /// `l_suppkey`
    suppkey: i64 = SUPPKEY,
    /// `l_linenumber`
    linenumber: i32 = LINENUMBER,
    /// `l_quantity` in hundredths
    quantity: i128 = QUANTITY,
    /// `l_extendedprice` in hundredths
    extendedprice: i128 = EXTENDEDPRICE,
    /// `l_discount` in hundredths
    discount: i128 = DISCOUNT,
    /// `l_tax` in hundredths
    tax: i128 = TAX,
    /// `l_returnflag`
    returnflag: u8 = RETURNFLAG,
    /// `l_linestatus`
    linestatus: u8 = LINESTATUS,
    /// `l_shipdate`, days since 1970-01-01
    shipdate: i32 = SHIPDATE,
    /// `l_commitdate`, days since 1970-01-01
    commitdate: i32 = COMMITDATE,
    /// `l_receiptdate`, days since 1970-01-01
    receiptdate: i32 = RECEIPTDATE,
    /// `l_shipinstruct`
    shipinstruct: &'static str = SHIPINSTRUCT,
    /// `l_shipmode`
    shipmode: &'static str = SHIPMODE,
    /// `l_comment`
    comment: &'static str = COMMENT,
}

/// A stream's state at the start of the current order.
#[derive(Clone, Copy, Debug)]
pub(super) struct OrderStream {
    pub(super) state: i64,
    /// `16807^budget`: one order's step.
    step: i64,
    budget: u64,
}

impl OrderStream {
    /// The stream at the start of order row `row` (Park–Miller states only).
    pub(super) fn at(spec: StreamSpec, row: u64) -> Self {
        OrderStream {
            state: advance(spec.seed, row * u64::from(spec.per_row)),
            step: POWERS[spec.per_row as usize],
            budget: u64::from(spec.per_row),
        }
    }

    /// Moves past `orders` whole orders in O(log n).
    pub(super) fn skip_orders(&mut self, orders: u64) {
        self.state = advance(self.state, orders * self.budget);
    }
}

/// dbgen's `UnifInt` for the small constant ranges of line columns (see [`unif_small`]).
#[inline(always)]
fn uniform(state: i64, low: i64, high: i64) -> i64 {
    unif_small(state, low, (high - low + 1) as u64)
}

/// The per-line plan of a batch, shared by every column: which line of its order each line is,
/// and the power of 16807 that takes an order's start state to that line's draw. A column is
/// then one flat loop over its lines: `state = start(order) · power(line)`, with no branch on
/// the random line counts and nothing wasted on lines orders do not have.
#[derive(Debug, Default)]
struct Layout {
    /// Lines in the batch's orders.
    lines: usize,
    /// Per line: its index within its order (0..7).
    line: Vec<u8>,
    /// Per line: `16807^(line + 1)`, the state of the order's draw number `line`.
    power: Vec<u32>,
    /// Per line: a stream's state at the start of the line's order (see [`Layout::stream`]).
    starts: Vec<u32>,
    /// Per line: the order date (days since 1970).
    days: Vec<i32>,
    /// Per line: the power of the line's `l_returnflag` draw.
    draw_power: Vec<u32>,
}

impl Layout {
    /// Plans the lines of orders with `counts` lines each.
    fn plan(&mut self, counts: &[u8]) {
        self.lines = counts.iter().map(|&c| usize::from(c)).sum();
        let (line, power) = (&mut self.line, &mut self.power);
        line.resize(self.lines + LANES, 0);
        power.resize(self.lines + LANES, 0);
        const LINE: [u8; LANES] = [0, 1, 2, 3, 4, 5, 6, 7];
        let powers: [u32; LANES] = std::array::from_fn(|j| POWERS[j + 1] as u32);
        let mut pos = 0;
        // Each order writes all lanes and moves by its own count: the next overwrites the rest.
        for &count in counts {
            line[pos..pos + LANES].copy_from_slice(&LINE);
            power[pos..pos + LANES].copy_from_slice(&powers);
            pos += usize::from(count);
        }
        line.truncate(self.lines);
        power.truncate(self.lines);
    }

    /// The plan with, per line, `stream`'s state at the start of the line's order.
    #[inline(always)]
    fn stream(&mut self, counts: &[u8], stream: OrderStream) -> Lines<'_> {
        let lines = self.lines;
        let starts = &mut self.starts;
        starts.resize(lines + LANES, 0);
        let mut pos = 0;
        for_each_order_start(stream, counts.len(), |order, state| {
            starts[pos..pos + LANES].fill(state as u32);
            pos += usize::from(counts[order]);
        });
        starts.truncate(lines);
        Lines {
            starts,
            line: &self.line,
            power: &self.power,
            days: &self.days,
        }
    }

    /// Per line, its order's date from `days` (one per order).
    fn spread_days(&mut self, counts: &[u8], days: &[i32]) {
        broadcast(&mut self.days, counts, |order| days[order]);
    }
}

/// A [`Layout`] seen from one stream: slices of the same length, one value per line.
struct Lines<'a> {
    starts: &'a [u32],
    line: &'a [u8],
    power: &'a [u32],
    days: &'a [i32],
}

/// Fills `out` with one value per line: `value(order)` for every line of the order.
#[inline(always)]
fn broadcast<T: Copy + Default>(
    out: &mut Vec<T>,
    counts: &[u8],
    mut value: impl FnMut(usize) -> T,
) {
    let lines: usize = counts.iter().map(|&c| usize::from(c)).sum();
    out.resize(lines + LANES, T::default());
    let mut pos = 0;
    for (order, &count) in counts.iter().enumerate() {
        out[pos..pos + LANES].fill(value(order));
        pos += usize::from(count);
    }
    out.truncate(lines);
}

/// A stream's order start states as four interleaved chains (orders `4i + c`, each stepping
/// four orders at a time): one order's state is the previous one times a constant, a chain of
/// dependent multiplications; four chains let the processor work on four at once.
#[derive(Clone, Copy)]
struct Chains {
    states: [i64; 4],
    step4: i64,
}

impl Chains {
    /// The chains of the next four orders of `stream`.
    #[inline(always)]
    fn new(stream: OrderStream) -> Self {
        let mut states = [stream.state; 4];
        for c in 1..4 {
            states[c] = mul_mod(states[c - 1], stream.step);
        }
        let step2 = mul_mod(stream.step, stream.step);
        Chains {
            states,
            step4: mul_mod(step2, step2),
        }
    }

    /// Calls `each(c, state)` for the first `group` (≤ 4) orders and moves those chains four
    /// orders on.
    #[inline(always)]
    fn take(&mut self, group: usize, mut each: impl FnMut(usize, i64)) {
        for (c, state) in self.states.iter_mut().enumerate().take(group) {
            each(c, *state);
            *state = mul_mod(*state, self.step4);
        }
    }
}

/// Calls `each(order, state)` with `stream`'s state at the start of each of `orders` orders,
/// in order (see [`Chains`]).
#[inline(always)]
pub(super) fn for_each_order_start(
    stream: OrderStream,
    orders: usize,
    mut each: impl FnMut(usize, i64),
) {
    let mut chains = Chains::new(stream);
    let mut order = 0;
    while order < orders {
        let group = (orders - order).min(4);
        chains.take(group, |c, state| each(order + c, state));
        order += group;
    }
}

/// The state of a line's draw: its order's start state times the line's power.
#[inline(always)]
fn state(start: u32, power: u32) -> i64 {
    mul_mod(i64::from(start), i64::from(power))
}

/// Exact `n / d` and `n % d` for `n, d < 2³²` by one multiplication (Lemire's method): `l_suppkey`
/// divides by the supplier count twice per line.
#[derive(Clone, Copy, Debug)]
struct Divisor {
    d: u64,
    inverse: u64,
}

impl Divisor {
    /// `None` unless `1 < d < 2³²` (the inverse of 1 would need 65 bits).
    fn new(d: i64) -> Option<Self> {
        let d = u32::try_from(d).ok().filter(|&d| d > 1)?;
        let d = u64::from(d);
        Some(Divisor {
            d,
            inverse: (u64::MAX / d).wrapping_add(1),
        })
    }

    #[inline(always)]
    fn div(self, n: u32) -> u64 {
        ((u128::from(self.inverse) * u128::from(n)) >> 64) as u64
    }

    #[inline(always)]
    fn rem(self, n: u32) -> u64 {
        let low = self.inverse.wrapping_mul(u64::from(n));
        ((u128::from(low) * u128::from(self.d)) >> 64) as u64
    }
}

/// [`retail_price`] for keys below 2³² in 32-bit arithmetic (which vector units divide by
/// constants).
#[inline(always)]
fn retail_price_u32(partkey: u32) -> u32 {
    90_000 + (partkey / 10) % 20_001 + (partkey % 1000) * 100
}

/// `l_partkey`'s stream where dbgen draws it with its 64-bit generator (scale ≥ 30000): drawn
/// in order, restarting at each dbgen chunk ([`wide`]).
#[derive(Clone, Debug)]
struct WidePartkey {
    stream: RandomStream,
    restarts: Restarts,
}

impl WidePartkey {
    fn new(sf: &ScaleFactor, row: u64) -> Self {
        WidePartkey {
            stream: wide::partkey_stream(sf, row),
            restarts: Restarts::after(sf, row),
        }
    }

    /// The keys of the orders from row `first_row` with `counts` lines each.
    fn draw(&mut self, first_row: u64, counts: &[u8], parts: i64, out: &mut [i64]) {
        let mut pos = 0;
        for (row, &count) in (first_row..).zip(counts) {
            if self.restarts.at(row) {
                self.stream = PARTKEY_STREAM.at_row(row);
            }
            for key in &mut out[pos..pos + usize::from(count)] {
                *key = self.stream.uniform64(1, parts);
            }
            self.stream.end_row();
            pos += usize::from(count);
        }
    }
}

/// `l_partkey` below SF 30000: one multiplication per line.
#[inline(always)]
fn draw_partkeys(
    stream: OrderStream,
    parts: i64,
    counts: &[u8],
    layout: &mut Layout,
    out: &mut [i64],
) {
    let l = layout.stream(counts, stream);
    let lines = l.starts.iter().zip(l.power);
    if parts <= EXACT_SPAN_LIMIT {
        for (key, (&s, &p)) in out.iter_mut().zip(lines) {
            *key = unif_small(state(s, p), 1, parts as u64);
        }
    } else {
        for (key, (&s, &p)) in out.iter_mut().zip(lines) {
            *key = unif_int(state(s, p), 1, parts);
        }
    }
}

/// `lineitem` columns for a range of orders, generated a batch of lines at a time (see the
/// module docs). Batches hold exactly the number of lines asked for; an order cut by a batch
/// end continues in the next batch.
#[derive(Debug)]
pub struct LineBatchGenerator {
    next: u64,
    end: u64,
    needed: ColumnMask,
    parts: i64,
    suppliers: i64,
    line_count: OrderStream,
    orderdate: OrderStream,
    quantity: OrderStream,
    discount: OrderStream,
    tax: OrderStream,
    instruct: OrderStream,
    shipmode: OrderStream,
    partkey: OrderStream,
    /// `l_partkey`'s stream when dbgen draws it with its 64-bit generator (scale ≥ 30000).
    wide_partkey: Option<WidePartkey>,
    supplier: OrderStream,
    shipdate: OrderStream,
    commitdate: OrderStream,
    receiptdate: OrderStream,
    returnflag: OrderStream,
    comment: OrderStream,
    /// Line counts and first days (since 1970) of the orders of the current batch.
    counts: Vec<u8>,
    order_days: Vec<i32>,
    layout: Layout,
    /// Lines generated beyond the last batch's end.
    carry: LineColumns,
    carried: usize,
    /// `l_returnflag` by the value of its draw (dbgen's weighted pick, as bytes).
    flag_by_draw: Vec<u8>,
}

impl LineBatchGenerator {
    /// The line items of the orders `orders` (0-based order rows) with the columns in `columns`
    /// (indices of [`col`]).
    pub fn new(sf: &ScaleFactor, orders: RowRange, columns: ColumnMask) -> Self {
        let start = orders.start;
        let at = |spec| OrderStream::at(spec, start);
        let mut needed = columns;
        if columns.any(&[col::EXTENDEDPRICE, col::SUPPKEY]) {
            needed = needed.union(ColumnMask::of([col::PARTKEY]));
        }
        if columns.has(col::RETURNFLAG) {
            needed = needed.union(ColumnMask::of([col::RECEIPTDATE]));
        }
        if needed.any(&[col::LINESTATUS, col::RECEIPTDATE]) {
            needed = needed.union(ColumnMask::of([col::SHIPDATE]));
        }
        let wide_partkey =
            (sf.uses_64bit_keys() && needed.has(col::PARTKEY)).then(|| WidePartkey::new(sf, start));
        let flags = &dists().return_flag;
        let flag_by_draw = (0..flags.total_weight())
            .map(|j| {
                flags
                    .member(flags.index_of_draw(j))
                    .bytes()
                    .next()
                    .unwrap_or(b'N')
            })
            .collect();
        LineBatchGenerator {
            next: start,
            end: orders.end.min(sf.order_count() as u64).max(start),
            needed,
            parts: sf.part_count(),
            suppliers: sf.supplier_count(),
            line_count: at(LINE_COUNT_STREAM),
            orderdate: at(ORDERDATE_STREAM),
            quantity: at(QUANTITY_STREAM),
            discount: at(DISCOUNT_STREAM),
            tax: at(TAX_STREAM),
            instruct: at(INSTRUCT_STREAM),
            shipmode: at(SHIPMODE_STREAM),
            partkey: at(PARTKEY_STREAM),
            wide_partkey,
            supplier: at(SUPPLIER_STREAM),
            shipdate: at(SHIPDATE_STREAM),
            commitdate: at(COMMITDATE_STREAM),
            receiptdate: at(RECEIPTDATE_STREAM),
            returnflag: at(RETURNFLAG_STREAM),
            comment: at(LINE_COMMENT_STREAM),
            counts: Vec::new(),
            order_days: Vec::new(),
            layout: Layout::default(),
            carry: LineColumns::default(),
            carried: 0,
            flag_by_draw,
        }
    }

    /// The columns this generator fills: those asked for and those they are computed from.
    pub fn filled(&self) -> ColumnMask {
        self.needed
    }

    /// Replaces the contents of `out`'s filled columns with the next (up to) `max` lines;
    /// returns how many (0 when the range is exhausted).
    pub fn fill(&mut self, max: usize, out: &mut LineColumns) -> usize {
        let needed = self.needed;
        out.restart(needed, &self.carry);
        let start = self.carried;
        let first_row = self.next;
        // The orders this batch needs: enough lines to fill it (orders may run over, the
        // surplus is carried). Four orders at a time (see [`Chains`]); kept in locals.
        let mut counts = std::mem::take(&mut self.counts);
        counts.clear();
        let mut chains = Chains::new(self.line_count);
        let (mut next, mut total) = (self.next, 0usize);
        while start + total < max && next < self.end {
            let group = (self.end - next).min(4) as usize;
            chains.take(group, |_, state| {
                let count = uniform(mul_mod(state, POWERS[1]), 1, MAX_LINES as i64) as u8;
                counts.push(count);
                total += usize::from(count);
            });
            next += group as u64;
        }
        self.line_count.skip_orders(next - self.next);
        (self.next, self.counts) = (next, counts);
        let end = start + total;
        out.resize(needed, end + LANES);
        if needed.any(&[col::SHIPDATE, col::COMMITDATE]) {
            self.draw_order_days();
        }
        self.draw_columns_fastest(first_row, start, out);
        let emit = end.min(max);
        out.split(needed, emit, end, &mut self.carry);
        self.carried = end - emit;
        let orders = self.counts.len() as u64;
        for stream in self.line_streams_mut() {
            stream.skip_orders(orders);
        }
        emit
    }

    fn line_streams_mut(&mut self) -> [&mut OrderStream; 13] {
        [
            &mut self.orderdate,
            &mut self.quantity,
            &mut self.discount,
            &mut self.tax,
            &mut self.instruct,
            &mut self.shipmode,
            &mut self.partkey,
            &mut self.supplier,
            &mut self.shipdate,
            &mut self.commitdate,
            &mut self.receiptdate,
            &mut self.returnflag,
            &mut self.comment,
        ]
    }

    /// [`draw_columns`](Self::draw_columns) compiled for the widest vector unit the CPU has.
    fn draw_columns_fastest(&mut self, first_row: u64, start: usize, out: &mut LineColumns) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above).
            unsafe { self.draw_columns_avx2(first_row, start, out) };
            return;
        }
        self.draw_columns(first_row, start, out);
    }

    /// The same code with AVX2 enabled: a column's lines are independent multiplications of
    /// 32-bit values, which the compiler turns into 4-wide vector ones.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn draw_columns_avx2(&mut self, first_row: u64, start: usize, out: &mut LineColumns) {
        self.draw_columns(first_row, start, out);
    }

    /// Draws every filled column for the orders in `counts`, writing from `start` on.
    #[inline(always)]
    fn draw_columns(&mut self, first_row: u64, start: usize, out: &mut LineColumns) {
        let needed = self.needed;
        let mut layout = std::mem::take(&mut self.layout);
        let counts = &self.counts[..];
        layout.plan(counts);
        let end = start + layout.lines;
        if needed.has(col::ORDERKEY) {
            let mut pos = start;
            for (order, &count) in counts.iter().enumerate() {
                let key = orderkey(first_row + order as u64 + 1);
                out.orderkey[pos..pos + LANES].fill(key);
                pos += usize::from(count);
            }
        }
        if needed.has(col::LINENUMBER) {
            for (number, &line) in out.linenumber[start..end].iter_mut().zip(&layout.line) {
                *number = i32::from(line) + 1;
            }
        }
        // One flat loop per column: `$out[i] = $value` with `$s` the state of line i's draw.
        macro_rules! per_line {
            ($out:expr, $stream:expr, |$s:ident| $value:expr) => {{
                let l = layout.stream(counts, $stream);
                let lines = l.starts.iter().zip(l.power);
                for (slot, (&start, &power)) in $out[start..end].iter_mut().zip(lines) {
                    let $s = state(start, power);
                    *slot = $value;
                }
            }};
        }
        if needed.has(col::QUANTITY) {
            per_line!(out.quantity, self.quantity, |s| i128::from(
                uniform(s, 1, 50) * 100
            ));
        }
        if needed.has(col::DISCOUNT) {
            per_line!(out.discount, self.discount, |s| i128::from(uniform(
                s, 0, 10
            )));
        }
        if needed.has(col::TAX) {
            per_line!(out.tax, self.tax, |s| i128::from(uniform(s, 0, 8)));
        }
        if needed.has(col::PARTKEY) {
            let keys = &mut out.partkey[start..end];
            match &mut self.wide_partkey {
                Some(wide) => wide.draw(first_row, counts, self.parts, keys),
                None => draw_partkeys(self.partkey, self.parts, counts, &mut layout, keys),
            }
        }
        // Keys below 2³² (every scale factor below ~21000) take the 32-bit formulas.
        let narrow = u32::try_from(self.parts).is_ok();
        if needed.has(col::EXTENDEDPRICE) {
            let keys = &out.partkey[start..end];
            let l = layout.stream(counts, self.quantity);
            let lines = l.starts.iter().zip(l.power).zip(keys);
            let prices = out.extendedprice[start..end].iter_mut().zip(lines);
            if narrow {
                for (price, ((&s, &p), &key)) in prices {
                    let quantity = uniform(state(s, p), 1, 50) as u32;
                    *price = i128::from(retail_price_u32(key as u32) * quantity);
                }
            } else {
                for (price, ((&s, &p), &key)) in prices {
                    *price = i128::from(retail_price(key) * uniform(state(s, p), 1, 50));
                }
            }
        }
        if needed.has(col::SUPPKEY) {
            let keys = &out.partkey[start..end];
            let suppliers = self.suppliers;
            let l = layout.stream(counts, self.supplier);
            let lines = l.starts.iter().zip(l.power).zip(keys);
            let supps = out.suppkey[start..end].iter_mut().zip(lines);
            match Divisor::new(suppliers).filter(|_| narrow) {
                Some(by) => {
                    for (supp, ((&s, &p), &key)) in supps {
                        // part_supplier: (key + i·(S/4 + (key−1)/S)) mod S + 1, below 2³² here.
                        let step = by.d / 4 + by.div((key - 1) as u32);
                        let index = uniform(state(s, p), 0, 3);
                        *supp = match u32::try_from(key as u64 + index as u64 * step) {
                            Ok(sum) => by.rem(sum) as i64 + 1,
                            Err(_) => part_supplier(key, index, suppliers),
                        };
                    }
                }
                None => {
                    for (supp, ((&s, &p), &key)) in supps {
                        *supp = part_supplier(key, uniform(state(s, p), 0, 3), suppliers);
                    }
                }
            }
        }
        if needed.has(col::SHIPINSTRUCT) {
            let dist = &dists().ship_instruct;
            per_line!(out.shipinstruct, self.instruct, |s| dist
                .member(dist.pick_index_at(s)));
        }
        if needed.has(col::SHIPMODE) {
            let dist = &dists().ship_mode;
            per_line!(out.shipmode, self.shipmode, |s| dist
                .member(dist.pick_index_at(s)));
        }
        if needed.has(col::COMMENT) {
            // Two draws a line (offset, length): the order's draws 2j and 2j + 1.
            let l = layout.stream(counts, self.comment);
            let lines = l.starts.iter().zip(l.line);
            for (text, (&s, &line)) in out.comment[start..end].iter_mut().zip(lines) {
                let k = 2 * usize::from(line);
                let (offset, len) = (POWERS[k + 1] as u32, POWERS[k + 2] as u32);
                *text = LINE_COMMENT_TEXT.draw_at(state(s, offset), state(s, len));
            }
        }
        if needed.has(col::SHIPDATE) || needed.has(col::COMMITDATE) {
            layout.spread_days(counts, &self.order_days);
            if needed.has(col::COMMITDATE) {
                let l = layout.stream(counts, self.commitdate);
                let lines = l.starts.iter().zip(l.power).zip(l.days);
                for (date, ((&s, &p), &day)) in out.commitdate[start..end].iter_mut().zip(lines) {
                    *date = day + uniform(state(s, p), 30, 90) as i32;
                }
            }
            if needed.has(col::SHIPDATE) {
                self.draw_shipping(&mut layout, start, end, out);
            }
        }
        self.layout = layout;
    }

    /// The order date (days since 1970) of each order of the batch.
    fn draw_order_days(&mut self) {
        let days = &mut self.order_days;
        days.clear();
        for_each_order_start(self.orderdate, self.counts.len(), |_, state| {
            let day = uniform(mul_mod(state, POWERS[1]), DATE_BASE, LAST_ORDER_DAY) - DATE_BASE;
            days.push(Date::from_start(day).0);
        });
    }

    /// Ship and receipt dates, line status and return flag (`layout.days` already spread).
    #[inline(always)]
    fn draw_shipping(&self, layout: &mut Layout, start: usize, end: usize, out: &mut LineColumns) {
        let (needed, counts) = (self.needed, &self.counts[..]);
        let l = layout.stream(counts, self.shipdate);
        let lines = l.starts.iter().zip(l.power).zip(l.days);
        for (ship, ((&s, &p), &day)) in out.shipdate[start..end].iter_mut().zip(lines) {
            *ship = day + uniform(state(s, p), 1, 121) as i32;
        }
        let ships = &out.shipdate[start..end];
        if needed.has(col::LINESTATUS) {
            for (status, &ship) in out.linestatus[start..end].iter_mut().zip(ships) {
                *status = if ship <= CURRENT { b'F' } else { b'O' };
            }
        }
        if !needed.has(col::RECEIPTDATE) {
            return;
        }
        let l = layout.stream(counts, self.receiptdate);
        let lines = l.starts.iter().zip(l.power).zip(ships);
        for (receipt, ((&s, &p), &ship)) in out.receiptdate[start..end].iter_mut().zip(lines) {
            *receipt = ship + uniform(state(s, p), 1, 30) as i32;
        }
        if needed.has(col::RETURNFLAG) {
            // Only lines received by the current date draw a flag, so a line's draw is the
            // order's k-th, k counting the order's earlier received lines. First a scan for
            // each line's draw power, then a flat loop.
            let receipts = &out.receiptdate[start..end];
            let mut draw_power = std::mem::take(&mut layout.draw_power);
            draw_power.clear();
            let mut k = 0usize;
            for (&line, &receipt) in layout.line.iter().zip(receipts) {
                k *= usize::from(line != 0);
                draw_power.push(POWERS[(k & 7) + 1] as u32);
                k += usize::from(receipt <= CURRENT);
            }
            let table = &self.flag_by_draw[..];
            let span = table.len() as u64;
            let l = layout.stream(counts, self.returnflag);
            let lines = l.starts.iter().zip(&draw_power).zip(receipts);
            let flags = out.returnflag[start..end].iter_mut().zip(lines);
            if let &[first, second] = table {
                for (flag, ((&s, &p), &receipt)) in flags {
                    let drawn = if unif_small(state(s, p), 0, 2) == 0 {
                        first
                    } else {
                        second
                    };
                    *flag = if receipt <= CURRENT { drawn } else { b'N' };
                }
            } else {
                for (flag, ((&s, &p), &receipt)) in flags {
                    let j = unif_small(state(s, p), 0, span) as usize;
                    let drawn = table.get(j).copied().unwrap_or(b'N');
                    *flag = if receipt <= CURRENT { drawn } else { b'N' };
                }
            }
            layout.draw_power = draw_power;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::LineitemGenerator;

    /// Every column, in batch sizes that split orders, equals the row engine's values.
    fn check(sf: f64, range: RowRange, mask: ColumnMask, batches: &[usize]) {
        let sf = ScaleFactor::new(sf).unwrap();
        let rows: Vec<_> = LineitemGenerator::new(&sf, range, ColumnMask::ALL).collect();
        for &batch in batches {
            let mut lines = LineBatchGenerator::new(&sf, range, mask);
            let filled = lines.filled();
            let mut out = LineColumns::default();
            let mut at = 0;
            loop {
                let n = lines.fill(batch, &mut out);
                if n == 0 {
                    break;
                }
                assert!(n <= batch);
                for (i, r) in rows[at..at + n].iter().enumerate() {
                    let c = |column| filled.has(column);
                    let ctx = format!("line {} batch {batch}", at + i);
                    if c(col::ORDERKEY) {
                        assert_eq!(out.orderkey[i], r.orderkey, "{ctx}");
                    }
                    if c(col::PARTKEY) {
                        assert_eq!(out.partkey[i], r.partkey, "{ctx}");
                    }
                    if c(col::SUPPKEY) {
                        assert_eq!(out.suppkey[i], r.suppkey, "{ctx}");
                    }
                    if c(col::LINENUMBER) {
                        assert_eq!(i64::from(out.linenumber[i]), r.linenumber, "{ctx}");
                    }
                    if c(col::QUANTITY) {
                        assert_eq!(out.quantity[i], i128::from(r.quantity * 100), "{ctx}");
                    }
                    if c(col::EXTENDEDPRICE) {
                        assert_eq!(out.extendedprice[i], i128::from(r.extendedprice), "{ctx}");
                    }
                    if c(col::DISCOUNT) {
                        assert_eq!(out.discount[i], i128::from(r.discount), "{ctx}");
                    }
                    if c(col::TAX) {
                        assert_eq!(out.tax[i], i128::from(r.tax), "{ctx}");
                    }
                    if c(col::RETURNFLAG) {
                        assert_eq!(out.returnflag[i], r.returnflag, "{ctx}");
                    }
                    if c(col::LINESTATUS) {
                        assert_eq!(out.linestatus[i], r.linestatus, "{ctx}");
                    }
                    if c(col::SHIPDATE) {
                        assert_eq!(out.shipdate[i], r.shipdate.0, "{ctx}");
                    }
                    if c(col::COMMITDATE) {
                        assert_eq!(out.commitdate[i], r.commitdate.0, "{ctx}");
                    }
                    if c(col::RECEIPTDATE) {
                        assert_eq!(out.receiptdate[i], r.receiptdate.0, "{ctx}");
                    }
                    if c(col::SHIPINSTRUCT) {
                        assert_eq!(out.shipinstruct[i], r.shipinstruct, "{ctx}");
                    }
                    if c(col::SHIPMODE) {
                        assert_eq!(out.shipmode[i], r.shipmode, "{ctx}");
                    }
                    if c(col::COMMENT) {
                        assert_eq!(out.comment[i], r.comment, "{ctx}");
                    }
                }
                at += n;
            }
            assert_eq!(at, rows.len(), "batch {batch}");
        }
    }

    #[test]
    fn every_column_equals_the_row_engine() {
        let range = RowRange::new(3, 2003);
        check(0.01, range, ColumnMask::ALL, &[1, 6, 7, 8, 1000, 8192]);
    }

    #[test]
    fn projections_fill_what_they_derive_from() {
        let range = RowRange::new(1000, 1500);
        for columns in [
            vec![col::RETURNFLAG],
            vec![col::LINESTATUS, col::COMMITDATE],
            vec![col::EXTENDEDPRICE],
            vec![col::SUPPKEY, col::TAX],
            vec![col::QUANTITY],
        ] {
            check(1.0, range, ColumnMask::of(columns), &[5, 4096]);
        }
        let mut lines = LineBatchGenerator::new(
            &ScaleFactor::new(1.0).unwrap(),
            range,
            ColumnMask::of([col::RETURNFLAG]),
        );
        let filled = lines.filled();
        assert!(filled.has(col::SHIPDATE) && filled.has(col::RECEIPTDATE));
        assert!(!filled.has(col::PARTKEY) && !filled.has(col::COMMENT));
        let mut out = LineColumns::default();
        assert!(lines.fill(100, &mut out) == 100 && out.partkey.is_empty());
    }

    #[test]
    fn wide_keys_of_large_scale_factors_equal_the_row_engine() {
        // Scale 30000 draws l_partkey from dbgen's 64-bit generator; start deep in the table.
        let first = 40_000_000_000u64;
        let range = RowRange::new(first, first + 300);
        check(
            30000.0,
            range,
            ColumnMask::of([col::PARTKEY, col::SUPPKEY, col::QUANTITY]),
            &[3, 777],
        );
    }

    #[test]
    fn large_narrow_keys_equal_the_row_engine() {
        // Scales 10000 and 20000: part keys up to 2·10⁹ and 4·10⁹, still the 32-bit formulas
        // (at 20000 `key + i·step` can pass 2³² and takes the 64-bit one).
        for sf in [10000.0, 20000.0] {
            let first = (sf * 1_500_000.0) as u64 - 400;
            let range = RowRange::new(first, first + 400);
            let mask = ColumnMask::of([col::PARTKEY, col::SUPPKEY, col::EXTENDEDPRICE]);
            check(sf, range, mask, &[4096]);
        }
    }

    #[test]
    fn divisor_is_exact_below_2_pow_32() {
        let mut x = 12_345u64;
        let mut next = || {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (x >> 32) as u32
        };
        for d in [2i64, 3, 7, 10_000, 99_999, 1_000_000, u32::MAX as i64] {
            let by = Divisor::new(d).unwrap();
            for n in (0..2000)
                .map(|_| next())
                .chain([0, 1, u32::MAX, u32::MAX - 1])
            {
                assert_eq!(by.div(n), u64::from(n) / d as u64, "{n} / {d}");
                assert_eq!(by.rem(n), u64::from(n) % d as u64, "{n} % {d}");
            }
        }
        assert!([0, 1, 1 << 32].iter().all(|&d| Divisor::new(d).is_none()));
    }

    #[test]
    fn empty_and_past_the_end_ranges_yield_nothing() {
        let sf = ScaleFactor::new(0.01).unwrap();
        let orders = sf.order_count() as u64;
        let mut out = LineColumns::default();
        for range in [RowRange::new(10, 10), RowRange::new(orders + 5, orders + 9)] {
            let mut lines = LineBatchGenerator::new(&sf, range, ColumnMask::ALL);
            assert_eq!(lines.fill(100, &mut out), 0);
        }
    }
}
