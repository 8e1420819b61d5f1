#!/usr/bin/env bash
# Builds the test control plane (kube-apiserver, kube-controller-manager,
# kube-scheduler, etcd, kwok) and a kubectl of the same version from the Go
# module proxy into
# .cache/controlplane/bin/<component>-<version>/. A component whose binaries
# already exist is skipped, so this is cheap when cached.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="$root/.cache/controlplane"

version() { node -p "require('$here/versions.json').$1"; }
k8s_version="$(version kubernetes)"
etcd_version="$(version etcd)"
kwok_version="$(version kwok)"

# Keep module and build caches in the repo's git-ignored cache so CI can cache one folder
# and nothing leaks into the user's global Go caches. -modcacherw lets `rm -rf .cache` work;
# -buildvcs=false because the wrapper modules sit in this git checkout, whose state (shallow
# clone, other owner) must not break or change the build.
export GOMODCACHE="$cache/gomod" GOCACHE="$cache/gocache" GOFLAGS="-modcacherw -buildvcs=false"
export CGO_ENABLED=0 GOTOOLCHAIN=local

log() { echo "controlplane:build: $*" >&2; }

# versions.json is what the harness reads; the go.mod files are what gets built. Refuse to
# build if they disagree rather than cache binaries under the wrong version.
check_pinned() { # <module dir> <module path> <expected version>
  local got
  got="$(cd "$1" && go list -m -f '{{.Version}}' "$2")"
  if [[ "$got" != "$3" ]]; then
    log "$1/go.mod pins $2 $got but versions.json says $3"
    exit 1
  fi
}

build_kubernetes() {
  local out="$cache/bin/kubernetes-$k8s_version"
  local cmds=(kube-apiserver kube-controller-manager kube-scheduler kubectl) cmd
  local missing=0
  for cmd in "${cmds[@]}"; do [[ -x "$out/$cmd" ]] || missing=1; done
  if [[ $missing == 0 ]]; then
    log "kubernetes $k8s_version cached in $out"
    return
  fi
  check_pinned "$here/go/kubernetes" k8s.io/kubernetes "$k8s_version"
  local minor="${k8s_version#v1.}"
  minor="${minor%%.*}"
  # Unstamped binaries report v0.0.0-master from /version.
  local ldflags="-s -w" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=archive -X $pkg.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  done
  log "building kubernetes $k8s_version (slow when cold)"
  local tmp="$out.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp"
  # One go build for all four shares the compilation of their common packages.
  (cd "$here/go/kubernetes" && go build -trimpath -ldflags "$ldflags" -o "$tmp/" \
    "${cmds[@]/#/k8s.io/kubernetes/cmd/}")
  # Rename last so an interrupted build never looks cached.
  rm -rf "$out" && mv "$tmp" "$out"
}

build_etcd() {
  local out="$cache/bin/etcd-$etcd_version"
  if [[ -x "$out/etcd" ]]; then
    log "etcd $etcd_version cached in $out"
    return
  fi
  check_pinned "$here/go/etcd" go.etcd.io/etcd/server/v3 "$etcd_version"
  log "building etcd $etcd_version"
  local tmp="$out.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp"
  (cd "$here/go/etcd" && go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3)
  rm -rf "$out" && mv "$tmp" "$out"
}

build_kwok() {
  local out="$cache/bin/kwok-$kwok_version"
  if [[ -x "$out/kwok" ]]; then
    log "kwok $kwok_version cached in $out"
    return
  fi
  log "building kwok $kwok_version"
  local tmp="$out.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp"
  # kwok has no replace directives, so plain `go install` works; it needs Go >= 1.26.
  GOBIN="$tmp" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$kwok_version"
  rm -rf "$out" && mv "$tmp" "$out"
}

start=$SECONDS
build_etcd
build_kwok
build_kubernetes
log "done in $((SECONDS - start))s; binaries in $cache/bin"
