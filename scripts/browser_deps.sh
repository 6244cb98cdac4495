#!/usr/bin/env bash
# What the browser tests (tests/browser/, marker `browser`) need from the system, installed
# from Debian's packages when missing: chromium (driven by Playwright, which never downloads a
# browser of its own here), poppler-utils (pdftoppm and pdftotext read the PDF reports) and
# fonts-dejavu-core (the fonts the pages and screenshots are drawn with). Called by
# `make test`; needs root (or sudo) only when something is missing. It never skips: when it
# cannot install, it stops with what to do.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "==> The browser tests need: ${missing[*]} (Debian packages); installing them." >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-get was not found. Install Chromium at /usr/bin/chromium (or set ECG_CHROMIUM)," \
       "pdftoppm/pdftotext (poppler) and the DejaVu fonts, then run make test again; or leave" \
       'the browser tests out with: make test PYTEST_ARGS="-m \"not browser\""' >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "Installing ${missing[*]} needs root. Run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! { "${sudo[@]}" apt-get update -qq && \
       "${sudo[@]}" apt-get install -y -qq "${missing[@]}"; }; then
  echo "Could not install ${missing[*]} with apt-get (see above). Install them by hand:" \
       "apt-get install -y ${missing[*]}; then run make test again." >&2
  exit 1
fi
/usr/bin/chromium --version
