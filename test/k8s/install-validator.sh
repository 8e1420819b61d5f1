#!/usr/bin/env bash
# Installs kubernetes-validate into .cache/venv (git-ignored), from PyPI, pinned by
# validator-requirements.txt next to this script. Idempotent: does nothing when the venv already
# holds exactly those versions. Prints the path of the kubernetes-validate executable.
#
#   bash test/k8s/install-validator.sh
#
# Needs python3 (3.9+) with the venv module. The schema tests run this script themselves.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${K8S_VALIDATOR_VENV:-$root/.cache/venv}"
requirements="$here/validator-requirements.txt"
stamp="$venv/.requirements.sha256"
bin="$venv/bin/kubernetes-validate"

wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
  echo "$bin"
  exit 0
fi

python="${PYTHON:-python3}"
if ! "$python" -c 'import venv' 2>/dev/null; then
  echo "install-validator: $python with the venv module is needed" >&2
  exit 1
fi

rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --requirement "$requirements" >&2
"$bin" --version >/dev/null
echo "$wanted" >"$stamp"
echo "$bin"
