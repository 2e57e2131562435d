#!/usr/bin/env bash
# Checks that every source file includes only the headers of what its folder
# may know (docs/ARCHITECTURE.md): prints each violation and exits 1 if any.
# usage: scripts/check-includes.sh [SOURCE_ROOT]
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

# folder: the folders (or single headers) of src/ it may include from
declare -A may=(
    [runtime]=""
    [kernels]="runtime"
    [net]="runtime"
    [math]="runtime net kernels data/dataset.h"
    [data]="runtime"
    [model]="runtime net"
    [train]="runtime net math data"
    [eval]="runtime net math data"
    [run]="runtime net data model train"
)
bad=0
for dir in "${!may[@]}"; do
    for file in src/"$dir"/*.[ch] src/"$dir"/*.inc; do
        [ -e "$file" ] || continue
        while IFS= read -r inc; do
            case "$inc" in
            nnc.h | */*) ;;
            *) continue ;;   # a header of its own folder
            esac
            [ "$inc" = nnc.h ] && continue
            target=${inc#../}
            ok=0
            for allowed in ${may[$dir]}; do
                case "$target" in "$allowed" | "$allowed"/*) ok=1 ;; esac
            done
            if [ $ok = 0 ]; then
                echo "$file includes $inc: src/$dir may not know ${target%%/*}"
                bad=1
            fi
        done < <(sed -n 's/^#include "\(.*\)"/\1/p' "$file")
    done
done
for file in cli/*.[ch]; do
    if grep -qE '^#include "(\.\./)?src/|^#include "\.\./' "$file"; then
        echo "$file includes a library internal: the command sees only nnc.h"
        bad=1
    fi
done
[ $bad = 0 ] && echo "includes follow the architecture"
exit $bad
