#!/usr/bin/env bash
# Debian's Chromium and ChromeDriver for the report's browser test. Needs root (apt-get);
# without it the browser test is skipped with a message, and everything else still runs.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-browser: not root or no apt-get; the report's browser test will be skipped" >&2
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
