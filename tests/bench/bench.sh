#!/usr/bin/env bash
# Throughput benchmark: a 365-day backfill against trustar-sim with pacing
# off, for each indicator count given (default 100000 and 1000000), next
# to the simulator alone serving the very same requests (the ceiling on
# this machine). Prints one row per count. Loopback only.
#
#   tests/bench/bench.sh [COUNT ...]       (build/ must hold the binaries)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${TRUSTAR_BIN_DIR:-build/bin}
counts=("$@")
((${#counts[@]})) || counts=(100000 1000000)

for tool in /usr/bin/time curl; do
  if [[ ! -x $tool ]] && ! command -v "$tool" >/dev/null; then
    echo "INFO bench: installing ${tool##*/}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      "$( [[ $tool == /usr/bin/time ]] && echo time || echo curl )" >&2
  fi
done

work=$(mktemp -d)
sim_pid=""
cleanup() {
  [[ -n $sim_pid ]] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" || true
  rm -rf "$work"
}
trap cleanup EXIT

export TRUSTAR_SIM_KEY=bench-key-0001 TRUSTAR_SIM_SECRET=bench-secret-0001
export BENCH_KEY=$TRUSTAR_SIM_KEY BENCH_SECRET=$TRUSTAR_SIM_SECRET
end=$(( ($(date +%s) - 3600) / 60 * 60 * 1000 ))
from=$(date -u -d "@$(( end / 1000 - 365 * 86400 + 1 ))" +%Y-%m-%dT%H:%M:%SZ)
to=$(date -u -d "@$(( end / 1000 ))" +%Y-%m-%dT%H:%M:%SZ)

printf '%-9s %10s %12s %9s %10s %12s %12s\n' indicators wall_s \
  indicators/s cpu_s/100k peak_rss_mb calls/indic sim_only/s
for count in "${counts[@]}"; do
  rm -f "$work/port" "$work/requests.jsonl"
  "$bin/trustar-sim" --port 0 --port-file "$work/port" --count "$count" \
    --end "$end" --span 365d --request-log "$work/requests.jsonl" \
    >/dev/null 2>"$work/sim.log" &
  sim_pid=$!
  until [[ -s $work/port ]]; do sleep 0.1; done
  port=$(cat "$work/port")
  cat >"$work/bench.yaml" <<YAML
bench:
  integration: trustar-connector-bench
  api_url: http://127.0.0.1:$port/api/1.3
  token_url: http://127.0.0.1:$port/oauth/token
  api_key: env:BENCH_KEY
  api_secret: env:BENCH_SECRET
  requests_per_minute: 0
YAML
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" \
    "$bin/trustar-connector" backfill --config "$work/bench.yaml" \
    --state-dir "$work/state-$count" --from "$from" --to "$to" \
    >/dev/null 2>"$work/connector.log"
  read -r wall user sys rss_kb <"$work/time"
  calls=$(wc -l <"$work/requests.jsonl")

  # The ceiling: curl replays the connector's own search requests over one
  # keep-alive connection; the simulator's work is the same, the client's
  # is next to nothing.
  token=$(printf 'user = "%s:%s"\n' "$BENCH_KEY" "$BENCH_SECRET" |
    curl -s -K - -d grant_type=client_credentials \
      "http://127.0.0.1:$port/oauth/token" |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
  /usr/bin/python3 - "$work/requests.jsonl" "$port" "$token" \
    >"$work/replay.curl" <<'PY'
import json, sys, urllib.parse
log, port, token = sys.argv[1:4]
first = True
for line in open(log, encoding="utf-8"):
    request = json.loads(line)
    if not request["path"].endswith("/indicators/search"):
        continue
    if not first:
        print("next")
    first = False
    query = urllib.parse.urlencode(request["query"])
    print(f'url = "http://127.0.0.1:{port}{request["path"]}?{query}"')
    print('data = "{}"')
    print(f'header = "Authorization: Bearer {token}"')
    print('header = "Content-Type: application/json"')
    print('output = "/dev/null"')
PY
  replay_start=$(date +%s.%N)
  curl -s -K "$work/replay.curl"
  replay_end=$(date +%s.%N)
  kill "$sim_pid" && wait "$sim_pid" || true
  sim_pid=""

  awk -v n="$count" -v wall="$wall" -v user="$user" -v sys="$sys" \
    -v rss="$rss_kb" -v calls="$calls" -v r0="$replay_start" \
    -v r1="$replay_end" 'BEGIN {
      printf "%-10d %9.2f %12.0f %10.3f %10.1f %12.5f %12.0f\n", n, wall,
        n / wall, (user + sys) * 100000 / n, rss / 1024, calls / n,
        n / (r1 - r0)
    }'
done
