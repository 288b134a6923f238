#!/usr/bin/env bash
# Whole-process benchmarks with hyperfine, next to a hello-world Rust binary built with the
# same release profile: start-up, `list --json`, `info stripe --json`, `add` (one provider and
# five), and `check` on 50 integrations whose mock provider answers after 200 ms (concurrent vs
# sequential). Results go to target/bench/*.md; copy the figures into BENCHMARKS.md.
# Only 127.0.0.1 is contacted.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/target/bench
mkdir -p "$out"

command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install hyperfine" >&2; exit 2; }
cargo build --release --locked -q
bin=$root/target/release/integrations

# The floor: hello world, same profile.
hello=$out/hello
mkdir -p "$hello/src"
cat > "$hello/Cargo.toml" <<'TOML'
[package]
name = "hello"
version = "0.1.0"
edition = "2024"

[profile.release]
lto = "thin"
codegen-units = 4

[workspace]
TOML
echo 'fn main() { println!("Hello, world!"); }' > "$hello/src/main.rs"
(cd "$hello" && cargo build --release -q)
hello_bin=$hello/target/release/hello

work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${mock_pid:-}" ] && kill "$mock_pid" 2>/dev/null || true' EXIT
# Keep the tool's manifest cache out of the real home directory.
export INTEGRATIONS_CACHE_DIR=$work/cache NO_COLOR=1

echo "== start-up, list, info" >&2
hyperfine -N --warmup 20 --runs 200 --export-markdown "$out/startup.md" \
  "$hello_bin" "$bin --version" "$bin list --json" "$bin info stripe --json"

echo "== add" >&2
# hyperfine -N runs commands (and --prepare) without a shell: the resets are small scripts.
printf 'rm -rf %s/one && mkdir %s/one\n' "$work" "$work" > "$work/reset-one.sh"
printf 'rm -rf %s/five && mkdir %s/five\n' "$work" "$work" > "$work/reset-five.sh"
printf 'for p in stripe slack posthog sentry resend; do %s --dir %s/five add "$p" -q; done\n' "$bin" "$work" > "$work/five.sh"
printf 'for p in stripe slack posthog sentry resend; do %s >/dev/null; done\n' "$hello_bin" > "$work/five-hello.sh"
hyperfine -N --warmup 3 --runs 50 --export-markdown "$out/add.md" \
  --prepare "bash $work/reset-one.sh" -n "add stripe (fresh project)" "$bin --dir $work/one add stripe -q" \
  --prepare "bash $work/reset-five.sh" -n "add 5 providers (5 processes, one bash loop)" "bash $work/five.sh" \
  --prepare "true" -n "hello world x5 (the same bash loop)" "bash $work/five-hello.sh"

echo "== check: 50 integrations, provider answers after 200 ms" >&2
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$port" <<'PY' &
import sys, time
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(0.2)
        body = b'{"object":"balance"}'
        self.send_response(200); self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer.request_queue_size = 128
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
mock_pid=$!
proj=$work/fifty
mkdir -p "$proj"
for i in $(seq 1 50); do "$bin" --dir "$proj" add stripe --alias "a$i" --webhooks=false -q; done
for i in $(seq 1 50); do export "STRIPE_A${i}_SECRET_KEY=sk_test_abcdefghijklmnop$i"; done
export INTEGRATIONS_BASE_URL_STRIPE=http://127.0.0.1:$port
sleep 0.5
hyperfine --warmup 1 --runs 10 --export-markdown "$out/check.md" \
  -n "check, 50 activation checks, --concurrency 64" "$bin --dir $proj check --kind activation --concurrency 64 -q --format json" \
  -n "check, 50 activation checks, --concurrency 1 (sequential)" "$bin --dir $proj check --kind activation --concurrency 1 -q --format json"

echo "== catalog of 1,000 manifests (criterion)" >&2
cargo bench --bench catalog 2>&1 | grep -E "^catalog/|^ +time:" | tee "$out/catalog.txt"

{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "os: $(. /etc/os-release; echo "$PRETTY_NAME"), $(rustc --version)"
} > "$out/machine.txt"
cat "$out/machine.txt" "$out/startup.md" "$out/add.md" "$out/check.md" "$out/catalog.txt"
