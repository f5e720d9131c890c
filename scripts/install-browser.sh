#!/usr/bin/env bash
# Debian's Chromium for the dashboard's end-to-end browser test (Playwright drives it;
# `playwright install` cannot download browsers here). Needs root or sudo; skips otherwise.
set -uo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "install-browser: not root and no sudo; the browser test will be skipped" >&2; exit 0; fi
fi
if command -v apt-get >/dev/null 2>&1; then
  $SUDO apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 \
    || echo "install-browser: apt-get install chromium failed; the browser test will be skipped" >&2
fi
exit 0
