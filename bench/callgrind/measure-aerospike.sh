#!/bin/sh
# Instructions per request of aerospike-hot-path.js under callgrind, counted only over its
# measured phase (after a warm-up of as many requests); all of the process's threads (the
# aerospike client's included). Usage:
#   callgrind/measure-aerospike.sh <host:port> <read|write> <ops> [options JSON]
set -e
hosts=$1; kind=$2; n=$3; opts=${4:-'{}'}
dir=$(mktemp -d)
CALLGRIND=1 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$dir/out" \
  node "$(dirname "$0")/aerospike-hot-path.js" "$hosts" "$kind" "$n" "$opts" 2>"$dir/log"
ir=$(grep -o 'Collected : [0-9]*' "$dir/log" | grep -o '[0-9]*$')
echo "$kind aerospike-store $opts: $((ir / n)) instructions per request ($ir for $n)"
rm -rf "$dir"
