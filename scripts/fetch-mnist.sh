#!/bin/sh
# fetch-mnist.sh — puts the four MNIST IDX files in a folder and checks them.
#
#   scripts/fetch-mnist.sh [DIR]          download what is missing, then check
#   scripts/fetch-mnist.sh --check [DIR]  only check (exit 1 if anything is off)
#
# DIR defaults to data/mnist. Files may be raw or gzip'd; the check is on the
# MD5 of their uncompressed content, as published with MNIST.
set -eu

MIRROR="${MNIST_MIRROR:-https://ossci-datasets.s3.amazonaws.com/mnist}"
check_only=0
if [ "${1:-}" = "--check" ]; then check_only=1; shift; fi
dir="${1:-data/mnist}"

files="train-images-idx3-ubyte:6bbc9ace898e44ae57da46a324031adb
train-labels-idx1-ubyte:a25bea736e30d166cdddb491f175f624
t10k-images-idx3-ubyte:2646ac647ad5339dbf082846283269ea
t10k-labels-idx1-ubyte:27ae3e4e09519cfbb04c329615203637"

# Prints the MD5 of a file's uncompressed content.
content_md5() {
    case "$1" in
        *.gz) gzip -dc "$1" | md5sum | cut -d' ' -f1 ;;
        *) md5sum "$1" | cut -d' ' -f1 ;;
    esac
}

mkdir -p "$dir" 2>/dev/null || true
status=0
for entry in $files; do
    name=${entry%%:*}
    want=${entry#*:}
    path="$dir/$name"
    [ -f "$path" ] || path="$dir/$name.gz"
    if [ ! -f "$path" ]; then
        if [ "$check_only" = 1 ]; then
            echo "fetch-mnist: $dir/$name(.gz) is missing" >&2
            status=1
            continue
        fi
        echo "fetch-mnist: downloading $name.gz from $MIRROR"
        tmp="$dir/.$name.gz.part"
        if command -v curl >/dev/null 2>&1; then
            curl -fsSL -o "$tmp" "$MIRROR/$name.gz"
        else
            wget -q -O "$tmp" "$MIRROR/$name.gz"
        fi
        mv "$tmp" "$dir/$name.gz"
        path="$dir/$name.gz"
    fi
    got=$(content_md5 "$path" 2>/dev/null || echo unreadable)
    if [ "$got" != "$want" ]; then
        echo "fetch-mnist: $path: content MD5 $got, expected $want" >&2
        status=1
    fi
done
[ "$status" = 0 ] && echo "fetch-mnist: the four MNIST files in $dir are intact"
exit "$status"
