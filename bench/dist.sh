#!/bin/sh
# Data-parallel training on this machine: seconds per epoch of MNIST for
# one process alone (nnc train), a group of one (mpirun -np 1, the batch cut
# into shards) and of two (mpirun -np 2), each on one thread, in turn.
# usage: bench/dist.sh [NNC] [MNIST_DIR] [ROUNDS]
set -eu
nnc=${1:-build/nnc}
data=${2:-${NNC_MNIST_DIR:-data/mnist}}
rounds=${3:-2}
mpirun="mpirun -q --oversubscribe"
[ "$(id -u)" = 0 ] && mpirun="$mpirun --allow-run-as-root"

# seconds of epoch 0, from its "Epoch 0: ... (S s" line
epoch_seconds() {
    sed -n 's/^Epoch 0:[^(]*(\([0-9.]*\) s.*/\1/p'
}

run() {   # name, how to start, network options
    printf '%-28s %-12s' "$1" "$2"
    case $2 in
    alone) s=$($nnc train -d "$data" --threads 1 --epochs 1 $3 2>&1 | epoch_seconds) ;;
    np*) s=$($mpirun -np "${2#np}" "$nnc" train -d "$data" --threads 1 --epochs 1 $3 2>&1 |
             epoch_seconds) ;;
    esac
    awk -v s="$s" 'BEGIN { printf "%8.3f s/epoch %9.0f samples/s\n", s, 50000 / s }'
}

wide="--layers 784,1024,1024,10 --activation relu --cost softmax --init he --eta 0.1"
echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
for r in $(seq "$rounds"); do
    echo "# round $r, load $(cut -d' ' -f1-3 /proc/loadavg)"
    for how in alone np1 np2; do
        run "W [784,1024,1024,10] b1024" $how "$wide --batch 1024"
    done
    for how in alone np1 np2; do
        run "W b128" $how "$wide --batch 128"
    done
    for how in alone np1 np2; do
        run "tutorial [784,30,10] b10" $how ""
    done
done
