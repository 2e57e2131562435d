#!/usr/bin/env bash
# Checks the rooms of docs/ARCHITECTURE.md in the sources: each folder of src/
# includes only the headers of the rooms it may know, and calls no public
# function of a room it may not know; the allowed arrows form no circle;
# kernels see only pointers and shapes; the library prints, exits and aborts
# nowhere; the command sees only nnc.h. Prints each violation and exits 1 if
# any. usage: scripts/check-includes.sh [SOURCE_ROOT]
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

# room: the rooms (or single headers) of src/ whose headers it may include
declare -A may=(
    [runtime]=""
    [kernels]="runtime"
    [net]="runtime"
    [data]="runtime"
    [math]="runtime net kernels data/dataset.h"
    [dist]="runtime"
    [train]="runtime net math data dist"
    [eval]="runtime net math data"
    [model]="runtime net"
    [run]="runtime net data model train dist"
    [recipe]="runtime"
)
# room: the public functions (name prefixes) it may not call, since they belong
# to rooms it may not know ("name(": that function alone); the recipe knows
# data, networks and checkpoints through the public API only, and runs no
# training
declare -A may_not_call=(
    [runtime]="nnc_net_ nnc_data_ nnc_train nnc_model_ nnc_recipe_"
    [kernels]="nnc_net_ nnc_data_ nnc_train nnc_model_ nnc_recipe_"
    [net]="nnc_data_ nnc_train nnc_model_ nnc_recipe_ nnc_csv_"
    [data]="nnc_net_ nnc_train nnc_model_ nnc_recipe_"
    [math]="nnc_train nnc_model_ nnc_recipe_"
    [dist]="nnc_net_ nnc_data_ nnc_train nnc_model_ nnc_recipe_"
    [train]="nnc_model_ nnc_checkpoint_ nnc_recipe_"
    [eval]="nnc_train nnc_model_ nnc_recipe_"
    [model]="nnc_train nnc_recipe_ nnc_data_"
    [run]="nnc_recipe_"
    [recipe]="nnc_train("
)
bad=0
say() {
    echo "$1"
    bad=1
}

# the allowed arrows between rooms have no circle (a room reached from itself)
reaches() {   # room target seen...: 0 if target is reachable from room
    local room=$1 target=$2
    local next
    for next in ${may[$room]}; do
        next=${next%%/*}
        [ "$next" = "$target" ] && return 0
        case " ${3:-} " in *" $next "*) continue ;; esac
        reaches "$next" "$target" "${3:-} $room" && return 0
    done
    return 1
}
for room in "${!may[@]}"; do
    reaches "$room" "$room" && say "the rooms' arrows make a circle through src/$room"
done

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
            [ $ok = 0 ] && say "$file includes $inc: src/$dir may not know ${target%%/*}"
        done < <(sed -n 's/^#include "\(.*\)"/\1/p' "$file")
        # calls through the public API are arrows too: one pattern per room
        pattern=""
        for prefix in ${may_not_call[$dir]}; do
            case "$prefix" in
            *"(") pattern="$pattern|${prefix%(}" ;;
            *) pattern="$pattern|$prefix[a-z0-9_]*" ;;
            esac
        done
        if [ -n "$pattern" ]; then
            line=$(grep -n -o -E "\\b(${pattern#|}) *\\(" "$file" | grep -v 'NNC_API' | head -1)
            call=${line#*:}
            call=${call%%[ (]*}
            [ -n "$line" ] && say "$file:${line%%:*} calls $call: src/$dir may not use it"
        fi
        # the library never prints, exits or aborts: it returns a status
        line=$(grep -n -E '(^|[^a-z_])(printf|puts|perror|exit|abort|_Exit)\(|std(out|err)' \
               "$file" | grep -v '^[0-9]*: *\(/\*\|\*\)' | head -1)
        [ -n "$line" ] && say "$file:${line%%:*} prints or exits: the library returns a status"
    done
done

# kernels compute on pointers and shapes: no network, dataset or workspace
for file in src/kernels/*.[ch] src/kernels/*.inc; do
    [ -e "$file" ] || continue
    line=$(grep -n -E 'nnc_(net|data)\b|nnc__(net|data|workspace|storage)\b|struct nnc_(net|data)' \
           "$file" | head -1)
    [ -n "$line" ] && say "$file:${line%%:*} names a network or dataset: kernels see pointers and shapes"
done

for file in cli/*.[ch]; do
    if grep -qE '^#include "(\.\./)?src/|^#include "\.\./' "$file"; then
        say "$file includes a library internal: the command sees only nnc.h"
    fi
    line=$(grep -n -E '\bnnc__[a-z]' "$file" | head -1)
    [ -n "$line" ] && say "$file:${line%%:*} names a library internal: the command sees only nnc.h"
done
[ $bad = 0 ] && echo "includes follow the architecture"
exit $bad
