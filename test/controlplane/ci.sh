#!/usr/bin/env bash
# CI fragment (called from .ci/run): make sure the control-plane toolchain is present and the
# binaries are built. Cached in .cache/controlplane/, so only the first run is slow.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Go comes preinstalled on CI machines; the proxy is the only source of the binaries.
if ! command -v go >/dev/null; then
  echo "controlplane:ci: Go >= 1.26 is required and not on PATH" >&2
  exit 1
fi

# openssl makes the plane's certificates; it is the one Debian package we need.
if ! command -v openssl >/dev/null; then
  sudo=""
  if [[ "$(id -u)" != 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update
  $sudo apt-get install -y --no-install-recommends openssl
fi

"$here/../../tools/testplane/build.sh"
