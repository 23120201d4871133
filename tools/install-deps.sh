#!/usr/bin/env bash
# Install what blotquant needs to build and test, from Debian's packages, and
# the de_DE.UTF-8 locale the locale test runs under (a decimal comma).
# Skips apt-get when everything is already there; uses sudo when not root;
# never asks (safe with CI=true and no stdin). Running it again changes nothing.
set -euo pipefail
# g++ builds the C++ example and bash-completion gives the completion's install
# directory (.ci/run builds the examples against the installed library).
pkgs=(libtiff-dev libpng-dev libjpeg62-turbo-dev libgsl-dev meson ninja-build pkg-config gcc g++ bash-completion
      libtiff-tools python3 imagemagick locales chromium)
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q "${missing[@]}" </dev/null
fi

# localedef writes the one locale into the locale archive; no locale.gen edit.
if ! locale -a 2>/dev/null | grep -qix 'de_DE\.utf-\?8'; then
  $SUDO localedef -i de_DE -f UTF-8 de_DE.UTF-8
fi
