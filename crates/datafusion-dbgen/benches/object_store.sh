#!/usr/bin/env bash
# Issue 31 figures: SF 1 to a loopback S3-compatible server (moto_server 5.2.6) vs to local disk.
set -euo pipefail
T=${T:-target/release/tpch}
V=${V:-$HOME/.cache/datafusion-dbgen/pyvenv/bin}
PORT=5701
$V/moto_server -H 127.0.0.1 -p $PORT > /tmp/moto_bench.log 2>&1 &
MOTO=$!
trap 'kill $MOTO' EXIT
sleep 3
curl -s -X PUT http://127.0.0.1:$PORT/bench > /dev/null
export AWS_ACCESS_KEY_ID=a AWS_SECRET_ACCESS_KEY=b AWS_REGION=us-east-1 AWS_ENDPOINT_URL=http://127.0.0.1:$PORT AWS_ALLOW_HTTP=true
mkdir -p /tmp/benchloc
for fmt in parquet tbl; do
  echo "SF 1 $fmt: local vs s3 (median local s, median s3 s, median ratio s3/local)"
  python3 ${RACE:-../shared/bench/race.py} 3 \
    "$T gen --sf 1 --format $fmt --no-progress --overwrite --output /tmp/benchloc/$fmt" \
    "$T gen --sf 1 --format $fmt --no-progress --overwrite --output s3://bench/$fmt"
done
echo "SF 10 parquet to s3: peak RSS"
/usr/bin/time -v $T gen --sf 10 --format parquet --no-progress --overwrite --output s3://bench/sf10 2> /tmp/rss10.log | tail -1
grep -E 'Maximum resident|Elapsed' /tmp/rss10.log
echo "SF 10 parquet to local: peak RSS"
/usr/bin/time -v $T gen --sf 10 --format parquet --no-progress --overwrite --output /tmp/benchloc/sf10 2> /tmp/rss10l.log | tail -1
grep -E 'Maximum resident|Elapsed' /tmp/rss10l.log
rm -rf /tmp/benchloc
