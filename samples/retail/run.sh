#!/usr/bin/env bash
# The retail warehouse sample on one machine: four store workers (Paris, Berlin, Toronto, New York), each with its own
# transactions file that never leaves its data directory, and queries that run where the data lies.
#   samples/retail/run.sh            generate the data, start the deployment, run the targeted queries, stop
#   samples/retail/run.sh start      generate and start only (stop later with: samples/retail/run.sh stop)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
orch="$repo/orch"
work=${RETAIL_DIR:-$here/.run}
rows=${RETAIL_ROWS:-60000}
stores=("paris-1 FR EU" "berlin-1 DE EU" "toronto-1 CA NorthAmerica" "nyc-1 US NorthAmerica")

# A deployment of its own on the shared services: schema, container and queues named retail.
export Orchestration__Schema=retail Orchestration__BlobContainer=retail Orchestration__QueuePrefix=retail-
export Orchestration__Dashboard__Urls=${RETAIL_DASHBOARD:-http://127.0.0.1:5081}

generate() {
  mkdir -p "$work"
  echo "seed" > "$work/seed.csv"
  for s in "${stores[@]}"; do
    read -r store country region <<< "$s"
    local file="$work/stores/$store/transactions.csv"
    [[ -f "$file" ]] && continue
    mkdir -p "$(dirname "$file")"
    local sql; sql=$(sed -e "s/{store}/$store/g" -e "s/{country}/$country/g" -e "s/{region}/$region/g" -e "s/{rows}/$rows/g" "$here/transactions.sql" | grep -v '^--')
    # The embedded engine writes the generated rows; nothing but ./orch is needed.
    Orchestration__Mode=embedded "$orch" query --data "$work/generate" --input "$work/seed.csv" --sql "$sql" --out "$file" > /dev/null
    echo "generated $file ($(wc -c < "$file") bytes)"
  done
}

start() {
  "$repo/scripts/services.sh" up > /dev/null
  export Orchestration__Mode=distributed
  mkdir -p "$work/logs"
  "$orch" orchestrator > "$work/logs/orchestrator.log" 2>&1 & echo $! > "$work/orchestrator.pid"
  for s in "${stores[@]}"; do
    read -r store country region <<< "$s"
    "$orch" worker --name "$store" --slots 1 --label "region=$region" --label "country=$country" --label "store=$store" \
      --allow-local "sales=$work/stores/$store" > "$work/logs/$store.log" 2>&1 & echo $! > "$work/$store.pid"
  done
  for _ in $(seq 1 60); do
    [[ $("$orch" workers 2>/dev/null | grep -c 'store=') -ge 4 ]] && break
    sleep 1
  done
  "$orch" workers
}

stop() {
  for pid in "$work"/*.pid; do [[ -f "$pid" ]] && kill -TERM "$(cat "$pid")" 2>/dev/null || true; rm -f "$pid"; done
}

query() { # query <target> <output>: revenue by store over the stores the target selects
  local out="$work/$2.csv"
  (cd "$here" && Orchestration__Mode=distributed "$orch" query --input 'local://sales/*.csv' --target "$1" \
      --sql "SELECT store, count(*) AS transactions, sum(quantity * unit_price) AS revenue FROM input GROUP BY store" \
      --merge "SELECT store, sum(transactions) AS transactions, sum(revenue) AS revenue FROM partials GROUP BY store ORDER BY store" \
      --out "$out") | grep -E '^(process|result)' || true
  cat "$out"
}

case "${1:-all}" in
  start) generate; start ;;
  stop) stop ;;
  all)
    generate; start; trap stop EXIT
    echo "== every store";          query all-stores all
    echo "== the EU stores";        query eu-stores eu
    echo "== the US store";         query country=US us
    echo "== one store";            query store=berlin-1 berlin
    process=$(cd "$here" && Orchestration__Mode=distributed "$orch" status | grep -o 'query-[0-9a-f]*' | head -1)
    Orchestration__Mode=distributed "$orch" describe "$process" | grep -E "ran on|bytes scanned" ;;
  *) echo "usage: $0 [all|start|stop]" >&2; exit 2 ;;
esac
