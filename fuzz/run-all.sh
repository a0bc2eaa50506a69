#!/bin/sh
# Run every fuzz target for SECONDS (default 90) from fuzz/corpus, one after another, niced; print one
# line per target: seconds, exit code, executions, coverage, corpus size, new crash files. Needs
# cargo-fuzz and a nightly toolchain; run from anywhere. Logs in /tmp/fuzz-TARGET.log.
cd "$(dirname "$0")/.."
secs=${1:-90}
for t in template_xlsx template_xlsb template_xls template_ods template_csv header_row floor_name eptura_answer condeco_answer config; do
  extra=""
  case $t in template_xlsb|template_xls) extra="-fork=1 -ignore_crashes=1";; esac
  before=$(ls fuzz/artifacts/$t 2>/dev/null | wc -l)
  nice cargo +nightly fuzz run -O $t fuzz/corpus/$t -- -max_total_time=$secs -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 $extra > /tmp/fuzz-$t.log 2>&1
  rc=$?
  after=$(ls fuzz/artifacts/$t 2>/dev/null | wc -l)
  execs=$(grep -a "stat::number_of_executed_units" /tmp/fuzz-$t.log | awk '{s+=$2} END {print s}')
  if [ -z "$execs" ]; then execs=$(grep -a -o "#[0-9]*" /tmp/fuzz-$t.log | tail -1); fi
  cov=$(grep -a -o "cov: [0-9]*" /tmp/fuzz-$t.log | tail -1)
  echo "$t secs=$secs rc=$rc execs=$execs $cov corpus=$(ls fuzz/corpus/$t | wc -l) new_artifacts=$((after-before))"
done
