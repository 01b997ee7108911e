#!/usr/bin/env bash
# Packs what bench/device/run.sh needs on the device host, which has no Node and no registry,
# into .device-pack/ (git-ignored; name it in the device call's `carry`): this machine's Node
# binary, the node_modules packages the benches load, and the shared data samples.
set -euo pipefail
cd "$(dirname "$0")/../.."
pack=.device-pack
grep -qx '/.device-pack/' .git/info/exclude || echo '/.device-pack/' >>.git/info/exclude
rm -rf "$pack" && mkdir -p "$pack"
xz -T0 -6 -c "$(readlink -f "$(command -v node)")" >"$pack/node.xz"
# Not `< <(...)`: a failure there would go unnoticed and pack nothing.
listed=$(node --import tsx bench/device/packages.ts)
mapfile -t packages <<<"$listed"
# onnxruntime-node ships native builds for every platform (290 MB); the host is Linux x64.
ort=node_modules/onnxruntime-node/bin/napi-v6
tar -cJf "$pack/node_modules.tar.xz" --exclude="$ort/darwin" --exclude="$ort/win32" \
  --exclude="$ort/linux/arm64" "${packages[@]/#/node_modules/}"
shared=$(node --import tsx -e "import('./lib/shared-data.ts').then((m) => console.log(m.sharedDataPath('')))")
tar -cJf "$pack/shared-data.tar.xz" -C "$shared/.." data/corpus data/qa-samples
du -sh "$pack"/*
