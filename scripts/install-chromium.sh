#!/bin/sh
# The browser test (test/browser) drives Debian's chromium through playwright-core,
# which never downloads a browser of its own. Installs it unless the browser the
# test will start (CHROMIUM_PATH, by default /usr/bin/chromium) is there.
set -eu
if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then exit 0; fi
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
# Through env: sudo resets the environment, and apt must not stop to ask.
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
