#!/bin/sh
# Installs what heapcheck needs to build and test on Debian 12 (bookworm). Run as root or with sudo.
set -eu
if [ "$(id -u)" -ne 0 ]; then exec sudo "$0" "$@"; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
  build-essential cmake pkg-config \
  libunwind-dev libdw-dev libelf-dev libjansson-dev libcmocka-dev \
  valgrind binutils groff-base \
  python3 perl sqlite3 git
