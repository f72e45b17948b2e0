#!/usr/bin/env bash
# Copies the CRDs (crds/, the source of truth) into the Helm chart's crds/ folder, byte for
# byte; test/packaging/helm.test.ts fails when the two differ. Run after editing crds/.
#
# Helm installs a chart's crds/ on first install only and never upgrades or deletes them.
# To upgrade the CRDs of an installed release, apply them yourself before `helm upgrade`:
#   kubectl apply --server-side -f deploy/helm/privatelink-publisher/crds/
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/deploy/helm/privatelink-publisher/crds"
mkdir -p "$dest"
# Drop copies of CRDs that no longer exist upstream, then copy the current set.
find "$dest" -maxdepth 1 -name '*.yaml' -delete
cp "$root"/crds/*.yaml "$dest/"
echo "synced $(find "$dest" -maxdepth 1 -name '*.yaml' | wc -l) CRD file(s) into ${dest#"$root"/}"
