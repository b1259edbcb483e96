#!/usr/bin/env bash
# Makes sure poppler-utils' pdftotext and pdftoppm are installed: the renderer's tests read
# the pedigree PDF's text back with pdftotext and turn its pages into images with pdftoppm.
# Used by `make test` and `make test-go`; a no-op when both are there. Installs them with
# apt-get when it can (as root, or with sudo that asks for no password); otherwise says how.
set -euo pipefail

have() { command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null && command -v pdfimages >/dev/null; }

if have; then exit 0; fi
sudo=
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=sudo; fi
fi
if command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || [ -n "$sudo" ]; }; then
	echo "Installing poppler-utils (pdftotext, pdftoppm) for the renderer's tests..." >&2
	$sudo apt-get install -y -qq poppler-utils >/dev/null ||
		{ $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq poppler-utils >/dev/null; }
fi
if have; then exit 0; fi
echo "pdftotext, pdftoppm or pdfimages is missing: install poppler-utils (Debian/Ubuntu: apt-get install poppler-utils;" >&2
echo "macOS: brew install poppler). The renderer's tests (./render/) fail without them." >&2
exit 1
