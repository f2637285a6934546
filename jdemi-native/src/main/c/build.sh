#!/bin/sh
# Builds jdemi's C ABI tree: <out>/include/demi/*.h, <out>/lib/libdemikernel.so, <out>/lib/pkgconfig/demikernel.pc.
# Maven runs it at the compile phase; the package phase then puts the jars in <out>/lib/jdemi/.
#
# Usage: build.sh MODULE_DIR OUT_DIR JAVA_HOME VERSION      (CC and CFLAGS_EXTRA may be set in the environment)
set -eu

module=$1
out=$2
java_home=$3
version=$4
cc=${CC:-gcc}

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "jdemi-native: the C compiler '$cc' was not found. libdemikernel.so is built with gcc:" >&2
    echo "jdemi-native: install it (Debian/Ubuntu: apt-get install gcc) or point CC at a C compiler." >&2
    exit 1
fi
if [ ! -f "$java_home/include/jni.h" ]; then
    echo "jdemi-native: $java_home is not a JDK (no include/jni.h); build with JAVA_HOME set to a JDK 25." >&2
    exit 1
fi

mkdir -p "$out/include/demi" "$out/lib/pkgconfig"
cp "$module"/include/demi/*.h "$out/include/demi/"

# -fvisibility=hidden: only the demi_* functions (marked DEMI_EXPORT) leave the library.
# shellcheck disable=SC2086
"$cc" -std=c11 -O2 -fPIC -Wall -Wextra -Werror -fvisibility=hidden -D_GNU_SOURCE \
    -I"$module/include" -I"$java_home/include" -I"$java_home/include/linux" \
    -DJDEMI_BUILD_JAVA_HOME="\"$java_home\"" ${CFLAGS_EXTRA:-} \
    -shared -Wl,-soname,libdemikernel.so -o "$out/lib/libdemikernel.so" \
    "$module"/src/main/c/*.c -ldl -pthread

sed "s/@VERSION@/$version/" "$module/src/main/pkgconfig/demikernel.pc.in" > "$out/lib/pkgconfig/demikernel.pc"
echo "jdemi-native: built $out/lib/libdemikernel.so"
