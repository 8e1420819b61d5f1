#!/usr/bin/env bash
# Builds one component of the test plane from the Go module proxy into <out dir>:
#   etcd        etcd
#   kwok        kwok (fake nodes and kubelets)
#   kubernetes  kube-apiserver, kube-controller-manager, kube-scheduler and a kubectl of the
#               same version
# Internal: tools/setup (npm run testplane:build, and npm test's setup) decides what is
# missing, builds into a temporary folder and renames it into the machine's cache.
#
#   build.sh <component> <out dir> <go cache dir>
set -euo pipefail

if [[ $# != 3 ]]; then
  echo "usage: $0 etcd|kwok|kubernetes <out dir> <go cache dir>" >&2
  exit 2
fi
component="$1" out="$2" go_cache="$3"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

version() { node -p "require('$here/versions.json').$1"; }

# Go's module and build caches live in the project's cache, so nothing leaks into the user's
# global Go caches. -modcacherw lets the cache be deleted; -buildvcs=false because the wrapper
# modules sit in this git checkout, whose state (shallow clone, other owner) must not break or
# change the build.
export GOMODCACHE="$go_cache/mod" GOCACHE="$go_cache/build" GOFLAGS="-modcacherw -buildvcs=false"
export CGO_ENABLED=0 GOTOOLCHAIN=local

# versions.json is what the harness reads; the go.mod files are what gets built. Refuse to
# build if they disagree rather than cache binaries under the wrong version.
check_pinned() { # <module dir> <module path> <expected version>
  local got
  got="$(cd "$1" && go list -m -f '{{.Version}}' "$2")"
  if [[ "$got" != "$3" ]]; then
    echo "build.sh: $1/go.mod pins $2 $got but versions.json says $3" >&2
    exit 1
  fi
}

build_kubernetes() {
  local version cmds=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
  version="$(version kubernetes)"
  check_pinned "$here/go/kubernetes" k8s.io/kubernetes "$version"
  local minor="${version#v1.}"
  minor="${minor%%.*}"
  # Unstamped binaries report v0.0.0-master from /version.
  local ldflags="-s -w" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=archive -X $pkg.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  done
  # One go build for all four shares the compilation of their common packages.
  (cd "$here/go/kubernetes" && go build -trimpath -ldflags "$ldflags" -o "$out/" \
    "${cmds[@]/#/k8s.io/kubernetes/cmd/}")
}

build_etcd() {
  local version
  version="$(version etcd)"
  check_pinned "$here/go/etcd" go.etcd.io/etcd/server/v3 "$version"
  (cd "$here/go/etcd" && go build -trimpath -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3)
}

build_kwok() {
  # kwok has no replace directives, so plain `go install` works; it needs Go >= 1.26.
  GOBIN="$out" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$(version kwok)"
}

case "$component" in
  etcd | kwok | kubernetes) "build_$component" ;;
  *)
    echo "build.sh: unknown component $component (etcd, kwok or kubernetes)" >&2
    exit 2
    ;;
esac
