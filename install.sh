#!/usr/bin/env bash
# Build `integrations` and install it (with shell completions and the man page) under
# ${PREFIX:-$HOME/.local}. Run it again to upgrade; `./install.sh --uninstall` removes exactly
# what it installed (listed in $PREFIX/share/integrations/installed.txt).
set -euo pipefail
cd "$(dirname "$0")"
PREFIX=${PREFIX:-$HOME/.local}
record="$PREFIX/share/integrations/installed.txt"

if [ "${1:-}" = "--uninstall" ]; then
  if [ ! -f "$record" ]; then
    echo "integrations is not installed under $PREFIX (no $record)" >&2
    exit 0
  fi
  while IFS= read -r f; do
    rm -f "$f" && echo "removed $f"
  done < "$record"
  rm -f "$record"
  rmdir "$PREFIX/share/integrations" 2>/dev/null || true
  exit 0
fi
if [ $# -gt 0 ]; then
  echo "usage: ./install.sh [--uninstall]   (PREFIX=$PREFIX)" >&2
  exit 2
fi

cargo build --release --locked
bin=target/release/integrations
installed=()
put() { # put SOURCE DEST MODE
  install -D -m "$3" "$1" "$2"
  installed+=("$2")
}
put "$bin" "$PREFIX/bin/integrations" 755

# Shell completions where bash, zsh and fish look for them under the prefix.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if "$bin" completions bash > "$tmp/integrations.bash" 2>/dev/null; then
  put "$tmp/integrations.bash" "$PREFIX/share/bash-completion/completions/integrations" 644
  "$bin" completions zsh > "$tmp/_integrations"
  put "$tmp/_integrations" "$PREFIX/share/zsh/site-functions/_integrations" 644
  "$bin" completions fish > "$tmp/integrations.fish"
  put "$tmp/integrations.fish" "$PREFIX/share/fish/vendor_completions.d/integrations.fish" 644
  case "$PREFIX" in
    /usr|/usr/local) ;;
    *) echo "note: zsh looks in \$fpath; if $PREFIX/share/zsh/site-functions is not there, add to ~/.zshrc before compinit: fpath=($PREFIX/share/zsh/site-functions \$fpath)" ;;
  esac
fi
if "$bin" man > "$tmp/integrations.1" 2>/dev/null; then
  put "$tmp/integrations.1" "$PREFIX/share/man/man1/integrations.1" 644
fi

mkdir -p "$(dirname "$record")"
printf '%s\n' "${installed[@]}" > "$record"
echo "installed integrations $("$PREFIX/bin/integrations" --version | cut -d' ' -f2) to $PREFIX/bin/integrations"
case ":$PATH:" in
  *":$PREFIX/bin:"*) ;;
  *) echo "note: $PREFIX/bin is not on your PATH; add it: export PATH=\"$PREFIX/bin:\$PATH\"" ;;
esac
