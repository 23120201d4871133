#!/usr/bin/env bash
# Install what blotquant needs to build and test, from Debian's packages.
# Skips apt-get entirely when everything is already there; uses sudo when not root.
set -euo pipefail
pkgs=(libtiff-dev libpng-dev libjpeg62-turbo-dev libgsl-dev meson ninja-build pkg-config gcc libtiff-tools python3 imagemagick)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q "${missing[@]}"
