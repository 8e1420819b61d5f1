#!/usr/bin/env bash
# Security gate: checkov over the synthesised CloudFormation template and the plain-YAML
# manifests of both targets. Prints the findings before and after our exemptions, and fails if
# any finding is left.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

# Pinned in tools/python/checkov.txt; installed once per machine, like npm test's tools.
checkov_bin="$(npx tsx tools/setup/main.ts --print checkov)"
version="$("$checkov_bin" --version)"

# Offline: no guideline download from Prisma Cloud (the machines reach no such host).
export BC_SKIP_MAPPING=TRUE
checkov() { "$checkov_bin" --skip-download --quiet --compact "$@"; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
npx cdk synth -q -o "$work/cdk.out" >/dev/null
npm run -s synth:k8s -- --out "$work/dist" >/dev/null
# A scan of nothing finds nothing: refuse to pass without the manifests of both targets.
for target in eks local; do
  if ! compgen -G "$work/dist/$target/*.yaml" >/dev/null; then
    echo "checkov: no $target manifests were synthesised into $work/dist/$target" >&2
    exit 1
  fi
done

# Prints "<failed> <skipped>" summed over checkov's JSON report(s). checkov exits 1 when it finds
# anything, so its status is not the verdict; a report without a summary is.
counts() {
  { checkov -o json "$@" || true; } | python3 -c '
import json, sys
try:
    reports = json.load(sys.stdin)
except ValueError:
    sys.exit("checkov: it printed no JSON report")
reports = reports if isinstance(reports, list) else [reports]
summaries = [r["summary"] for r in reports if "summary" in r]
if not summaries:
    sys.exit("checkov: its report has no summary")
print(sum(s["failed"] for s in summaries), sum(s["skipped"] for s in summaries))'
}

# Findings before exemptions = what fails plus what our exemptions skipped.
read -r cfn_failed cfn_skipped < <(counts --framework cloudformation -f "$work/cdk.out/BitcoinPlatform.template.json")
read -r k8s_raw_failed k8s_raw_skipped < <(counts --framework kubernetes -d "$work/dist")
read -r k8s_failed _ < <(counts --framework kubernetes -d "$work/dist" --config-file test/security/checkov.yaml)

printf 'checkov %s findings        before exemptions   after\n' "$version"
printf '  CloudFormation                %5d           %5d\n' $((cfn_failed + cfn_skipped)) "$cfn_failed"
printf '  Kubernetes (eks + local)      %5d           %5d\n' $((k8s_raw_failed + k8s_raw_skipped)) "$k8s_failed"

if ((cfn_failed + k8s_failed > 0)); then
  echo "checkov: findings left; the full report:" >&2
  checkov --framework cloudformation -f "$work/cdk.out/BitcoinPlatform.template.json" >&2 || true
  checkov --framework kubernetes -d "$work/dist" --config-file test/security/checkov.yaml >&2 || true
  exit 1
fi
