#!/bin/sh
# Prints nnc's version: NNC_VERSION in include/nnc.h, the one place it is
# written (meson.build reads it here; the library, the Python package and the
# manual page get it from there).
sed -n 's/^#define NNC_VERSION "\([^"]*\)"$/\1/p' "$(dirname "$0")/../include/nnc.h" | grep .
