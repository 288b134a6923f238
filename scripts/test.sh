#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: install what the tests use as real components
# (Secret Service keychain, D-Bus, TypeScript via npm, the providers' official libraries as
# independent checkers), then run `cargo test` inside a D-Bus session with an unlocked
# gnome-keyring. Safe to run again: installed pieces are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages: command → package.
missing=()
for pair in gnome-keyring-daemon:gnome-keyring dbus-run-session:dbus secret-tool:libsecret-tools \
            node:nodejs npm:npm zsh:zsh fish:fish hyperfine:hyperfine; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
# dbus-x11 provides dbus-launch, which gnome-keyring uses to find the session bus on some setups.
dpkg -s dbus-x11 >/dev/null 2>&1 || missing+=(dbus-x11)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Python packages used as independent checkers (JSON Schema, dotenv, providers' webhook SDKs).
py_packages=(jsonschema pyyaml python-dotenv stripe slack_sdk svix twilio)
if ! python3 -c 'import jsonschema, yaml, dotenv, stripe, slack_sdk, svix, twilio' 2>/dev/null; then
  log "installing Python packages: ${py_packages[*]}"
  python3 -m pip install --quiet --disable-pip-version-check "${py_packages[@]}"
fi

# npm packages used by the tests themselves (not the generated stubs: that test caches its own).
if [ ! -f target/test-node/.complete ]; then
  log "installing npm test packages"
  mkdir -p target/test-node
  (cd target/test-node && printf '{"name":"test-node","private":true}\n' > package.json &&
     npm install --no-audit --no-fund --loglevel=error dotenv @octokit/webhooks-methods oidc-provider >/dev/null &&
     touch .complete)
fi
export INTEGRATIONS_TEST_NODE_MODULES="$PWD/target/test-node/node_modules"

log "building"
cargo build --locked --all-targets

log "running tests inside a D-Bus session with gnome-keyring"
exec dbus-run-session -- bash -c '
  set -euo pipefail
  eval "$(printf "\n" | gnome-keyring-daemon --unlock --components=secrets --daemonize)"
  export GNOME_KEYRING_CONTROL
  cargo test --locked "$@"
' test-suite "$@"
