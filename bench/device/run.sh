#!/usr/bin/env bash
# Runs on the device host (16 cores) the two measurements a 2-core VM cannot make (issues 4
# and 6): the retrieval search call with 1 vs 3 queries on idle cores, and the rollout bench
# with the driver split over several processes. Needs .device-pack/ (bench/device/pack.sh).
#   device run: bash bench/device/run.sh   carry: [".device-pack"]
# PASSAGES (default 1000000) sizes the retrieval corpus; ROLLOUT_SETUPS lists
# "drivers:servers[:jitter]" (default "1:1 4:2 8:4 8:4:0.3"; jitter spreads each generation's
# latency, bench/rollout/README.md). Results go to $OUT (or bench/results).
set -euo pipefail
cd "$(dirname "$0")/../.."
pack=.device-pack
out=${OUT:-bench/results}
mkdir -p "$out" /tmp/device-node/bin
# The packed Node always, so the figures come from the Node version measured here.
xz -dc "$pack/node.xz" >/tmp/device-node/bin/node
chmod +x /tmp/device-node/bin/node
export PATH=/tmp/device-node/bin:$PATH
[ -d node_modules/tsx ] || tar -xJf "$pack/node_modules.tar.xz"
mkdir -p ../shared && tar -xJf "$pack/shared-data.tar.xz" -C ../shared
echo "node $(node --version), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

passages=${PASSAGES:-1000000}
node --import tsx bench/retrieval/run.ts --passages "$passages" --ours-only >"$out/retrieval.json"
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log("retrieval", r.corpus.passages, "passages, threads", r.ours.threads);
  console.log(JSON.stringify(r.ours.searchCall));' "$out/retrieval.json"

for setup in ${ROLLOUT_SETUPS:-1:1 4:2 8:4 8:4:0.3}; do
  IFS=: read -r drivers servers jitter <<<"$setup"
  jitter=${jitter:-0}
  file="$out/rollout-d$drivers-s$servers-j$jitter.json"
  node --import tsx bench/rollout/run.ts --rollouts "${ROLLOUTS:-1000}" --repeats 2 \
    --drivers "$drivers" --servers "$servers" --llm-latency-jitter "$jitter" >"$file"
  node -e '
    const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).checks;
    const pick = (k) => c[k].median;
    console.log(process.argv[2], "wall overhead 1q/3q", pick("overheadFractionOneQuery"),
      pick("overheadFractionThreeQueries"), "driver share", pick("driverWallOverheadFractionOneQuery"),
      pick("driverWallOverheadFractionThreeQueries"), "3q/1q turn", pick("threeQueryToOneQuerySearchTurnRatio"));' \
    "$file" "drivers=$drivers servers=$servers jitter=$jitter"
done
