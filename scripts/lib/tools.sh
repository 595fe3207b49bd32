# shellcheck shell=bash
# Shared by scripts/serve and scripts/test (source it; don't run it).
#
# Installs the tools the build needs, skipping whatever is already there. Only package
# registries are reachable, so every tool comes from one: crates.io (cargo install), npm, apt.
#   - rustup target wasm32-unknown-unknown
#   - trunk 0.21.14                    (cargo install --locked; 0.22 needs a newer rustc)
#   - wasm-bindgen-cli = Cargo.lock's wasm-bindgen version (cargo install, NOT --locked)
#   - wasm-opt from npm binaryen@132    (into .tools/, put on PATH before /usr/bin)
# and, for scripts/test only, chromium + chromedriver (apt) and playwright-core + axe-core (npm).

ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
TOOLS_DIR="$ROOT/.tools"
TOOL_LOGS="$ROOT/target/tool-logs"
TRUNK_VERSION="0.21.14"
BINARYEN_VERSION="132.0.0"
WASM_OPT_VERSION="${BINARYEN_VERSION%%.*}"   # 132, what `wasm-opt --version` prints
CHROMIUM_BIN="/usr/bin/chromium"
CHROMEDRIVER_BIN="/usr/bin/chromedriver"

# Our wasm-opt first, then cargo's bin dir, then the rest (so Debian's /usr/bin/wasm-opt never wins).
export PATH="$TOOLS_DIR/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

if [[ -t 1 ]]; then
  _G=$'\e[32m' _R=$'\e[31m' _D=$'\e[2m' _B=$'\e[1m' _N=$'\e[0m'
else
  _G='' _R='' _D='' _B='' _N=''
fi
ok()   { printf '  %s✓%s %s\n' "$_G" "$_N" "$*"; }
bad()  { printf '  %s✗%s %s\n' "$_R" "$_N" "$*"; }
info() { printf '  %s… %s%s\n' "$_D" "$*" "$_N"; }
head_line() { printf '%s%s%s\n' "$_B" "$*" "$_N"; }

# Runs a long install quietly: output to a log, its tail shown only if it fails.
#   quietly NAME CMD...
quietly() {
  local name="$1"; shift
  mkdir -p "$TOOL_LOGS"
  local log="$TOOL_LOGS/$name.log"
  if "$@" >"$log" 2>&1; then
    return 0
  fi
  bad "$name failed (full log: ${log#"$ROOT"/}):"
  tail -n 25 "$log" | sed 's/^/      /'
  return 1
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    bad "need root for: $*"; return 1; fi
}

# The wasm-bindgen version pinned in Cargo.lock (the CLI must equal it exactly).
wasm_bindgen_version() {
  awk '/^\[\[package\]\]/ { pkg = "" }
       /^name = "wasm-bindgen"$/ { pkg = "wb" }
       pkg == "wb" && /^version = / { gsub(/"/, "", $3); print $3; exit }' "$ROOT/Cargo.lock"
}

need_cmd() {
  command -v "$1" >/dev/null 2>&1 || { bad "$1 is required but not installed ($2)"; return 1; }
}

ensure_rust() {
  need_cmd cargo "install Rust with rustup" || return 1
  need_cmd rustup "install Rust with rustup" || return 1
}

ensure_wasm_target() {
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    ok "rust target wasm32-unknown-unknown present"
  else
    info "installing rust target wasm32-unknown-unknown"
    quietly rustup-wasm32 rustup target add wasm32-unknown-unknown || return 1
    ok "rust target wasm32-unknown-unknown installed"
  fi
}

ensure_trunk() {
  if [[ "$(trunk --version 2>/dev/null)" == "trunk $TRUNK_VERSION" ]]; then
    ok "trunk $TRUNK_VERSION present"
    return 0
  fi
  info "installing trunk $TRUNK_VERSION (cargo install, ~10 min once; log: target/tool-logs/trunk.log)"
  quietly trunk cargo install trunk --version "$TRUNK_VERSION" --locked || return 1
  ok "trunk $TRUNK_VERSION installed"
}

ensure_wasm_bindgen() {
  local v; v="$(wasm_bindgen_version)"
  if [[ -z "$v" ]]; then bad "no wasm-bindgen in Cargo.lock"; return 1; fi
  if [[ "$(wasm-bindgen --version 2>/dev/null)" == "wasm-bindgen $v"* ]] \
     && command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
    ok "wasm-bindgen-cli $v present"
    return 0
  fi
  # Not --locked: for 0.2.130 a locked dependency is missing from the registry.
  info "installing wasm-bindgen-cli $v (cargo install, ~2 min once; log: target/tool-logs/wasm-bindgen-cli.log)"
  quietly wasm-bindgen-cli cargo install wasm-bindgen-cli --version "$v" --force || return 1
  ok "wasm-bindgen-cli $v installed"
}

ensure_node() {
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    return 0
  fi
  info "installing nodejs + npm (apt)"
  apt_install nodejs npm || return 1
}

ensure_wasm_opt() {
  ensure_node || return 1
  local bin="$TOOLS_DIR/node_modules/.bin/wasm-opt"
  if [[ -x "$bin" ]] && "$bin" --version 2>/dev/null | grep -q "version $WASM_OPT_VERSION\b"; then
    ok "wasm-opt $WASM_OPT_VERSION present (npm binaryen@$BINARYEN_VERSION in .tools/)"
  else
    info "installing wasm-opt: npm binaryen@$BINARYEN_VERSION into .tools/"
    mkdir -p "$TOOLS_DIR"
    [[ -f "$TOOLS_DIR/package.json" ]] || printf '{ "private": true }\n' >"$TOOLS_DIR/package.json"
    quietly binaryen npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --save-exact \
      "binaryen@$BINARYEN_VERSION" || return 1
    ok "wasm-opt $WASM_OPT_VERSION installed (.tools/)"
  fi
  if [[ "$(command -v wasm-opt)" != "$bin" ]]; then
    bad "wasm-opt on PATH is $(command -v wasm-opt), not .tools/'s"; return 1
  fi
}

# Everything `trunk build` / `trunk serve` needs.
# Each check runs even if an earlier one failed, so one run reports everything missing.
ensure_build_tools() {
  ensure_rust || return 1
  local rc=0
  ensure_wasm_target || rc=1
  ensure_trunk || rc=1
  ensure_wasm_bindgen || rc=1
  ensure_wasm_opt || rc=1
  return "$rc"
}

apt_install() {
  # `apt-get update` only when the package lists don't know the packages yet.
  local pkg
  for pkg in "$@"; do
    if ! apt-cache show "$pkg" >/dev/null 2>&1; then
      info "apt-get update"
      quietly apt-update as_root apt-get update || return 1
      break
    fi
  done
  quietly apt-install as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

ensure_chromium() {
  if [[ -x "$CHROMIUM_BIN" && -x "$CHROMEDRIVER_BIN" ]]; then
    ok "chromium + chromedriver present ($("$CHROMIUM_BIN" --version 2>/dev/null | awk '{print $2}'))"
    return 0
  fi
  info "installing chromium + chromium-driver (apt, ~1 min)"
  apt_install chromium chromium-driver || return 1
  ok "chromium + chromedriver installed"
}

# tests/e2e's npm packages (playwright-core, the driver only: it never downloads a browser; and
# axe-core, the accessibility checker) into tests/e2e/node_modules, from its lockfile. Runs `npm ci`
# when any pinned devDependency is missing or at another version.
ensure_playwright() {
  ensure_node || return 1
  local dir="$ROOT/tests/e2e"
  local stale; stale="$(node -e '
    const dir = process.argv[1];
    const want = require(dir + "/package.json").devDependencies;
    const stale = Object.entries(want).filter(([name, version]) => {
      try { return require(dir + "/node_modules/" + name + "/package.json").version !== version; }
      catch { return true; }
    });
    console.log(stale.map(([name, version]) => name + "@" + version).join(" "));
  ' "$dir")" || return 1
  if [[ -z "$stale" ]]; then
    ok "e2e packages present (tests/e2e/node_modules: $(node -p "Object.entries(require('$dir/package.json').devDependencies).map(([n, v]) => n + ' ' + v).join(', ')"))"
    return 0
  fi
  info "installing $stale (npm ci in tests/e2e)"
  (cd "$dir" && quietly playwright env PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund) || return 1
  ok "e2e packages installed ($stale)"
}

# Everything scripts/test needs beyond the build tools.
ensure_test_tools() {
  local rc=0
  ensure_chromium || rc=1
  ensure_playwright || rc=1
  return "$rc"
}
