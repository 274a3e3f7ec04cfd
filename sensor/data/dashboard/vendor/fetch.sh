#!/usr/bin/env bash
# Re-fetch the dashboard's vendored JavaScript from the npm registry (run from this directory; needs npm).
# The page loads these files from the dashboard itself: nothing is fetched from elsewhere at run time.
# Versions are pinned here and in README.md; after a change, update README.md's versions and sha256 sums.
set -euo pipefail
LEAFLET=1.9.4
PMTILES=4.5.0
FFLATE=0.8.2        # bundled inside pmtiles' dist/pmtiles.js (its dependency ^0.8.2); fetched for its licence
PMTILES_LICENSE_REF=v${PMTILES}  # the pmtiles npm package carries no LICENSE file: taken from its repository's tag
here=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "leaflet@$LEAFLET" "pmtiles@$PMTILES" "fflate@$FFLATE" >/dev/null
for f in *.tgz; do mkdir -p "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
mkdir -p "$here/leaflet/images" "$here/pmtiles"
cp "leaflet-$LEAFLET/package/dist/leaflet.js" "leaflet-$LEAFLET/package/dist/leaflet.css" \
   "leaflet-$LEAFLET/package/LICENSE" "$here/leaflet/"
cp "leaflet-$LEAFLET/package/dist/images/"*.png "$here/leaflet/images/"
cp "pmtiles-$PMTILES/package/dist/pmtiles.js" "$here/pmtiles/"
cp "fflate-$FFLATE/package/LICENSE" "$here/pmtiles/LICENSE.fflate"
# pmtiles is BSD-3-Clause (its package.json); its npm tarball has no LICENSE file, so take the
# repository's LICENSE at the release tag (github.com/protomaps/PMTiles, file LICENSE).
if [ ! -s "$here/pmtiles/LICENSE" ]; then
  echo "copy LICENSE of github.com/protomaps/PMTiles at $PMTILES_LICENSE_REF to pmtiles/LICENSE" >&2
fi
cd "$here" && sha256sum leaflet/leaflet.js leaflet/leaflet.css pmtiles/pmtiles.js
