#!/usr/bin/env bash
# h2load (Debian nghttp2-client) against `wiretrace serve` and against nghttpd (Debian
# nghttp2-server), both over h2c with prior knowledge on loopback, same page, same load.
# Prints one line per server and the ratio. A report, not a test: timings are never asserted.
#
#   bash bench/scripts/h2load.sh            # 100000 requests, 10 clients, 10 streams each
#   REQUESTS=20000 bash bench/scripts/h2load.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

REQUESTS=${REQUESTS:-100000}
CLIENTS=${CLIENTS:-10}
STREAMS=${STREAMS:-10}
THREADS=${THREADS:-1}

for tool in h2load nghttpd curl; do
    if ! command -v "$tool" >/dev/null; then
        echo "h2load.sh: $tool not found (apt-get install nghttp2-client nghttp2-server curl)" >&2
        exit 1
    fi
done

cargo build --release --locked -q -p wiretrace
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() {
    for _ in $(seq 100); do
        if curl -s --http2-prior-knowledge -o /dev/null "http://127.0.0.1:$1/index.html"; then return 0; fi
        sleep 0.05
    done
    echo "h2load.sh: nothing listens on port $1" >&2
    exit 1
}

ours_port=$(free_port)
"${CARGO_TARGET_DIR:-target}/release/wiretrace" serve --quiet --listen "127.0.0.1:$ours_port" >/dev/null &
pids+=($!)
wait_port "$ours_port"

# nghttpd serves the very bytes wiretrace serves for /index.html.
mkdir -p "$work/docroot"
curl -s --http2-prior-knowledge -o "$work/docroot/index.html" "http://127.0.0.1:$ours_port/index.html"
peer_port=$(free_port)
nghttpd --no-tls --htdocs="$work/docroot" "$peer_port" >/dev/null 2>&1 &
pids+=($!)
wait_port "$peer_port"

# Prints the requests per second h2load measured, after checking every request succeeded.
load() {
    local report
    report=$(h2load -n "$REQUESTS" -c "$CLIENTS" -m "$STREAMS" -t "$THREADS" \
        "http://127.0.0.1:$1/index.html")
    if ! grep -q "requests: $REQUESTS total, $REQUESTS started, $REQUESTS done, $REQUESTS succeeded" <<<"$report"; then
        echo "h2load.sh: not every request succeeded against port $1:" >&2
        echo "$report" >&2
        exit 1
    fi
    grep -oE 'finished in [^,]+, [0-9.]+ req/s' <<<"$report" | grep -oE '[0-9.]+ req/s' | cut -d' ' -f1
}

# Interleaved, two rounds each; the best round of each server is reported.
best_ours=0
best_peer=0
for _ in 1 2; do
    r=$(load "$ours_port")
    best_ours=$(python3 -c "print(max($best_ours, $r))")
    r=$(load "$peer_port")
    best_peer=$(python3 -c "print(max($best_peer, $r))")
done
python3 - "$best_ours" "$best_peer" "$REQUESTS" "$CLIENTS" "$STREAMS" <<'EOF'
import sys
ours, peer = float(sys.argv[1]), float(sys.argv[2])
print(f"h2load ours(wiretrace serve)={ours:.0f}req/s peer(nghttpd)={peer:.0f}req/s "
      f"ratio={ours / peer:.2f} (h2load -n {sys.argv[3]} -c {sys.argv[4]} -m {sys.argv[5]}, "
      "GET /index.html over h2c; wiretrace serve is a thread-per-connection demo server "
      "with blocking IO, nghttpd an event loop)")
EOF
