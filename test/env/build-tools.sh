#!/usr/bin/env bash
# Builds the real control-plane binaries the tests run against, from the Go module proxy,
# into a cache keyed by version, so a warm rerun costs nothing.
#
#   kube-apiserver, kubectl  k8s.io/kubernetes@$K8S_VERSION (staging modules replaced by v0.x.y)
#   kube-controller-manager  the same, in its own cache entry (ClusterRole aggregation)
#   etcd                     go.etcd.io/etcd/server/v3@$ETCD_VERSION (package main at module root)
#   helm                     helm.sh/helm/v3@$HELM_VERSION
#
# If KUBEBUILDER_ASSETS is set and holds etcd + kube-apiserver + kubectl + kube-controller-manager,
# nothing is built for those (controller-runtime envtest convention; envtest's own archives
# lack kube-controller-manager, so with those everything is built here).
#
# Prints nothing on stdout but `KEY=VALUE` lines (KUBEBUILDER_ASSETS, HELM), so callers can eval it.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.36.3}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
CACHE="${PLP_CACHE_DIR:-$HOME/.cache/privatelink-publisher}"
log() { printf '[build-tools] %s\n' "$*" >&2; }

export GOFLAGS="-trimpath" CGO_ENABLED=0
# Builds are CPU bound; one package at a time per core keeps memory in check.
GOBUILD=(go build -p "$(nproc)")

# build_k8s_cmds DIR CMD...: each k8s.io/kubernetes/cmd/CMD at $K8S_VERSION, from a wrapper
# module whose go.mod replaces every staging module listed in k8s.io/kubernetes' own go.mod
# with its v0.x.y release (the main module cannot be built directly: its go.mod points at
# ./staging, which the module zip does not hold).
build_k8s_cmds() {
  local out="$1" work minor staging_version gomod cmd
  shift
  work="$(mktemp -d)"
  minor="${K8S_VERSION#v1.}"                      # 36.3
  staging_version="v0.${minor}"                   # v0.36.3
  (
    cd "$work"
    go mod init plp-k8s-wrapper >/dev/null 2>&1
    gomod="$(go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')"
    # Lines like `k8s.io/api => ./staging/src/k8s.io/api` name every staging module.
    grep -oE '^\s*k8s\.io/[A-Za-z0-9._/-]+ => \./staging/' "$gomod" | awk '{print $1}' | sort -u |
      while read -r mod; do go mod edit -replace "${mod}=${mod}@${staging_version}"; done
    go mod edit -require "k8s.io/kubernetes@${K8S_VERSION}"
    {
      printf '//go:build tools\n\npackage tools\n\nimport (\n'
      for cmd in "$@"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$cmd"; done
      printf ')\n'
    } >tools.go
    log "resolving k8s.io/kubernetes@${K8S_VERSION} dependencies for $*"
    go mod tidy -e >&2 2>&1 || go mod tidy >&2
    local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=${K8S_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor%%.*} -X k8s.io/component-base/version.gitTreeState=clean"
    for cmd in "$@"; do
      log "building ${cmd} ${K8S_VERSION} (cold: ~10-20 min on 2 cores)"
      "${GOBUILD[@]}" -ldflags "$ldflags" -o "$out/$cmd" "k8s.io/kubernetes/cmd/$cmd"
    done
  )
  rm -rf "$work"
}

# The cache entry k8s-$K8S_VERSION predates kube-controller-manager; KCM has its own entry
# so existing (and CI-cached) k8s entries stay valid.
build_k8s() { build_k8s_cmds "$1" kube-apiserver kubectl; }
build_kcm() { build_k8s_cmds "$1" kube-controller-manager; }

build_etcd() {
  local out="$1" work
  work="$(mktemp -d)"
  (
    cd "$work"
    go mod init plp-etcd-wrapper >/dev/null 2>&1
    go mod edit -require "go.etcd.io/etcd/server/v3@${ETCD_VERSION}"
    printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' >tools.go
    go mod tidy >&2
    log "building etcd ${ETCD_VERSION}"
    "${GOBUILD[@]}" -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3
  )
  rm -rf "$work"
}

build_helm() {
  local out="$1" work
  work="$(mktemp -d)"
  (
    cd "$work"
    go mod init plp-helm-wrapper >/dev/null 2>&1
    go mod edit -require "helm.sh/helm/v3@${HELM_VERSION}"
    printf '//go:build tools\n\npackage tools\n\nimport _ "helm.sh/helm/v3/cmd/helm"\n' >tools.go
    go mod tidy >&2
    log "building helm ${HELM_VERSION}"
    "${GOBUILD[@]}" -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}" -o "$out/helm" helm.sh/helm/v3/cmd/helm
  )
  rm -rf "$work"
}

# ensure NAME DIR BUILDER: run BUILDER into a temp dir, then move it into place atomically,
# so an interrupted build never leaves a half-filled cache entry.
ensure() {
  local dir="$1" builder="$2"
  [ -f "$dir/.complete" ] && return 0
  local tmp="${dir}.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  "$builder" "$tmp"
  touch "$tmp/.complete"
  rm -rf "$dir" && mkdir -p "$(dirname "$dir")" && mv "$tmp" "$dir"
}

has_assets() {
  local bin
  for bin in etcd kube-apiserver kubectl kube-controller-manager; do
    [ -x "$1/$bin" ] || return 1
  done
}
if [ -n "${KUBEBUILDER_ASSETS:-}" ] && has_assets "$KUBEBUILDER_ASSETS"; then
  assets="$KUBEBUILDER_ASSETS"
else
  ensure "$CACHE/k8s-${K8S_VERSION}" build_k8s
  ensure "$CACHE/kcm-${K8S_VERSION}" build_kcm
  ensure "$CACHE/etcd-${ETCD_VERSION}" build_etcd
  assets="$CACHE/assets-k8s-${K8S_VERSION}-etcd-${ETCD_VERSION}"
  mkdir -p "$assets"
  ln -sf "$CACHE/k8s-${K8S_VERSION}/kube-apiserver" "$CACHE/k8s-${K8S_VERSION}/kubectl" \
    "$CACHE/kcm-${K8S_VERSION}/kube-controller-manager" "$CACHE/etcd-${ETCD_VERSION}/etcd" "$assets/"
fi
ensure "$CACHE/helm-${HELM_VERSION}" build_helm

echo "KUBEBUILDER_ASSETS=$assets"
echo "HELM=$CACHE/helm-${HELM_VERSION}/helm"
