#!/usr/bin/env bash
# Makes sure Debian's headless browser for the console tests (tests/e2e/e2e_console.rs) is
# installed: `chromium` and `chromium-driver`, with apt-get when absent (as root, or via sudo).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing ${missing[*]} for the browser tests" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
command -v chromium >/dev/null && command -v chromedriver >/dev/null
