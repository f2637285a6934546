#!/bin/sh
# Regenerates the real frames behind GoldenFrames.java. Needs root, iproute2 and python3; touches no existing
# interface: everything happens in two throw-away network namespaces joined by a veth pair.
#   usage: capture-golden-frames.sh OUT.txt    (then: golden_frames.py verify OUT.txt)
set -eu
out=$(realpath "${1:?output file}")
here=$(dirname "$(realpath "$0")")
if [ "${GOLDEN_INSIDE:-}" != 1 ]; then
    GOLDEN_INSIDE=1 exec unshare --net sh "$0" "$out"
fi
unshare --net sleep 30 &
peer=$!
sleep 0.5
ip link set lo up
ip link add va address 52:54:00:12:34:56 type veth peer name vb address 52:54:00:ab:cd:ef netns "$peer"
ip addr add 10.0.2.15/24 dev va
ip link set va up
nsenter -t "$peer" -n sh -c 'ip addr add 10.0.2.2/24 dev vb && ip link set vb up && ip link set lo up'
python3 "$here/golden_frames.py" offload-off va
nsenter -t "$peer" -n python3 "$here/golden_frames.py" offload-off vb
sleep 1
nsenter -t "$peer" -n python3 "$here/golden_frames.py" listen &
sleep 0.5
python3 "$here/golden_frames.py" traffic "$out"
kill "$peer" 2>/dev/null || true
wait
