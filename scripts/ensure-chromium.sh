#!/usr/bin/env bash
# Makes sure a headless Chromium is installed: the end-to-end tests drive the pages in it
# (chromedp). Used by `make test` and `make test-go`; a no-op when one is there (CHROME_PATH,
# chromium, chromium-browser or google-chrome). Installs Debian's chromium package with
# apt-get when it can (as root, or with sudo that asks for no password); otherwise says how.
set -euo pipefail

have() {
	[ -n "${CHROME_PATH:-}" ] && [ -x "$CHROME_PATH" ] && return 0
	command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null
}

if have; then exit 0; fi
sudo=
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=sudo; fi
fi
if command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || [ -n "$sudo" ]; }; then
	echo "Installing chromium for the end-to-end tests of the pages (a few minutes the first time)..." >&2
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null ||
		{ $sudo apt-get update -qq >/dev/null && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
fi
if have; then exit 0; fi
echo "Chromium is missing: install it (Debian/Ubuntu: apt-get install chromium; macOS: brew install --cask chromium)," >&2
echo "or set CHROME_PATH to a Chrome or Chromium binary. The browser tests of the pages (./e2e/) fail without it." >&2
exit 1
