#!/usr/bin/env bash
# Side-by-side export benchmark: `tpch gen` vs `tpchgen-cli` (pip install tpchgen-cli), same
# machine, disk, scale factor and thread count, in one run; plus thread scaling and peak RSS.
#
#   bash benches/export.sh [SF=1] [THREADS=2] [REPS=2]
#
# Builds `tpch` in release without DataFusion (`--no-default-features --features cli,io-uring`).
# Each run starts from an empty output directory after `sync`; the best of REPS runs is kept.
# Page cache only (no fsync), for both tools.
set -euo pipefail
SF=${1:-1}
THREADS=${2:-2}
REPS=${3:-2}
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/datafusion-dbgen/target}"
cargo build -q --release --no-default-features --features cli,io-uring --bin tpch
TPCH="$CARGO_TARGET_DIR/release/tpch"
command -v tpchgen-cli >/dev/null || pip install -q tpchgen-cli
WORK=${EXPORT_BENCH_DIR:-$CARGO_TARGET_DIR/export-bench}
mkdir -p "$WORK"

# best_of CMD...: prints "seconds maxrss_kib" of the fastest of $REPS runs.
best_of() {
    local best="" rss=""
    for _ in $(seq "$REPS"); do
        rm -rf "$WORK/out" && mkdir -p "$WORK/out" && sync
        /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >/dev/null 2>&1
        local t s m
        t=$(tail -n 1 "$WORK/time.txt")
        s=${t% *}
        m=${t#* }
        if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; rss=$m; fi
    done
    rm -rf "$WORK/out"
    echo "$best $rss"
}

printf '%-8s %-14s %9s %11s\n' format tool seconds maxrss_MiB
for fmt in tbl csv parquet; do
    read -r ours ours_rss < <(best_of "$TPCH" gen --sf "$SF" --format "$fmt" --threads "$THREADS" \
        --output "$WORK/out" --no-progress --overwrite)
    read -r theirs theirs_rss < <(best_of tpchgen-cli "$fmt" -s "$SF" --num-threads "$THREADS" \
        --output-dir "$WORK/out")
    printf '%-8s %-14s %9.2f %11d\n' "$fmt" datafusion-dbgen "$ours" $((ours_rss / 1024))
    printf '%-8s %-14s %9.2f %11d\n' "$fmt" tpchgen-cli "$theirs" $((theirs_rss / 1024))
    awk -v a="$ours" -v b="$theirs" -v f="$fmt" 'BEGIN{printf "%-8s ratio (tpchgen-cli time / ours): %.2fx\n", f, b/a}'
done

# Thread scaling: 1 vs 2 worker threads, both writing inline (each thread does its own writes,
# so N threads use N cores; `auto` would give the 1-thread run the ring's kernel workers on the
# other core). The two are alternated, REPS times each, and the best of each is kept, so a slow
# phase of a noisy machine does not land on one side only.
one="" two=""
for _ in $(seq "$REPS"); do
    for threads in 1 2; do
        rm -rf "$WORK/out" && mkdir -p "$WORK/out" && sync
        /usr/bin/time -f "%e" -o "$WORK/time.txt" "$TPCH" gen --sf "$SF" --threads "$threads" \
            --io-backend inline --output "$WORK/out" --no-progress >/dev/null 2>&1
        t=$(tail -n 1 "$WORK/time.txt")
        if [ "$threads" = 1 ]; then
            if [ -z "$one" ] || awk "BEGIN{exit !($t < $one)}"; then one=$t; fi
        elif [ -z "$two" ] || awk "BEGIN{exit !($t < $two)}"; then two=$t; fi
    done
done
rm -rf "$WORK/out"
awk -v a="$one" -v b="$two" 'BEGIN{printf "scaling tbl 1 -> 2 threads (inline writes): %.2fs -> %.2fs = %.2fx\n", a, b, a/b}'
