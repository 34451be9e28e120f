#!/bin/sh
# The browser test (test/browser) drives Debian's chromium through playwright-core,
# which never downloads a browser of its own. Installs it unless it is there.
set -eu
if [ -n "${CHROMIUM_PATH:-}" ] || command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
