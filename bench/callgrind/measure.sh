#!/bin/sh
# Instructions per request of hot-path.js under callgrind, counted only over its measured
# phase (after a warm-up of as many requests). Usage:
#   callgrind/measure.sh <redis-url> <read|write> <ops> [node-redis|ioredis] [options JSON]
set -e
url=$1; kind=$2; n=$3; family=${4:-node-redis}; opts=${5:-'{}'}
dir=$(mktemp -d)
CALLGRIND=1 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$dir/out" \
  node "$(dirname "$0")/hot-path.js" "$url" "$kind" "$n" "$family" "$opts" 2>"$dir/log"
ir=$(grep -o 'Collected : [0-9]*' "$dir/log" | grep -o '[0-9]*$')
echo "$kind $family $opts: $((ir / n)) instructions per request ($ir for $n)"
rm -rf "$dir"
