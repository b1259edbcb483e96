#!/usr/bin/env bash
# Measures how long `reptidex dev` takes, with the tools already built, from launch until
# GET /api/v1/health/deep answers 200; then stops it. Prints the seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory -s tools build postgres
base=${PUBLIC_BASE_URL:-http://127.0.0.1:8080}
log=$(mktemp)
start=$(date +%s.%N)
LOG_FORMAT=text bin/reptidex dev >"$log" 2>&1 &
pid=$!
trap 'kill -INT $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 600); do
	if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/health/deep")" = 200 ]; then
		end=$(date +%s.%N)
		echo "healthy after $(echo "$end - $start" | bc) s"
		exit 0
	fi
	if ! kill -0 $pid 2>/dev/null; then
		cat "$log" >&2
		exit 1
	fi
	sleep 0.1
done
echo "not healthy after 60 s" >&2
cat "$log" >&2
exit 1
