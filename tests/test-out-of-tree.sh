#!/bin/sh
# Builds a plugin out of the tree, as a third party would, and uses it.
#
#   test-out-of-tree.sh BUILD_ROOT SOURCE_ROOT [MESON]
#
# 1. installs the already built project into a temporary directory
#    (DESTDIR), as a distribution package would;
# 2. builds examples/third-party against the installed SDK, found with
#    pkg-config like any library;
# 3. runs the installed `vernier` on a small study whose observer is the
#    example plugin, loaded uninstalled through VERNIER_PLUGIN_PATH, and
#    checks the file it keeps holds the best trial `vernier run --json`
#    reports;
# 4. installs the example and checks it lands in the SDK's plugin
#    directory, where the installed `vernier` finds it by itself.

set -eu

if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD_ROOT SOURCE_ROOT [MESON]" >&2
  exit 2
fi

build_root=$1
source_root=$2
meson=${3:-meson}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vernier-out-of-tree-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

fail () {
  echo "FAIL: $*" >&2
  exit 1
}

# Runs a command quietly; shows its output if it fails.
run_logged () {
  log=$tmp/command.log
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    fail "command failed: $*"
  fi
}

# 1. Install.
dest=$tmp/dest
DESTDIR=$dest run_logged "$meson" install -C "$build_root" --no-rebuild --quiet

pc=$(find "$dest" -name vernier-1.pc -print | head -n 1)
[ -n "$pc" ] || fail "vernier-1.pc is not installed"
prefix=$(sed -n 's/^prefix=//p' "$pc")
[ -n "$prefix" ] || fail "$pc has no prefix"
vernier=$(find "$dest" -path '*/bin/vernier' -type f -print | head -n 1)
[ -n "$vernier" ] || fail "the vernier program is not installed"
sdk_lib=$(find "$dest" -name 'libvernier-sdk-1.so*' -print | head -n 1)
[ -n "$sdk_lib" ] || fail "libvernier-sdk-1 is not installed"
libdir=$(dirname "$sdk_lib")
mock=$(find "$dest" -name mock.plugin -print | head -n 1)
[ -n "$mock" ] || fail "the built-in plugins are not installed"
system_plugindir=$(dirname "$mock")

# The .pc files say where the package will live ($prefix), not where this
# test put it ($dest$prefix). pkg-config's --define-prefix cannot tell with
# a multiarch libdir (lib/x86_64-linux-gnu/pkgconfig) and
# PKG_CONFIG_SYSROOT_DIR would move GLib's paths as well, so relocate
# copies of the files: everything else in them is relative to ${prefix}.
pcdir=$tmp/pkgconfig
mkdir "$pcdir"
for f in "$(dirname "$pc")"/*.pc; do
  sed "s|^prefix=.*|prefix=$dest$prefix|" "$f" >"$pcdir/$(basename "$f")"
done
PKG_CONFIG_PATH=$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export PKG_CONFIG_PATH

# 2. Build the example against the installed SDK.
example_build=$tmp/example-build
run_logged "$meson" setup "$example_build" "$source_root/examples/third-party"
run_logged "$meson" compile -C "$example_build"
[ -f "$example_build/best-file.so" ] || fail "best-file.so was not built"
[ -f "$example_build/best-file.plugin" ] || fail "best-file.plugin is not in the build directory"

# 3. Use it, uninstalled, from the installed vernier.
# A study in directory $1; best-file keeps its best trial in $1/best.json.
write_study () {
  mkdir "$1"
  cat >"$1/study.ini" <<'EOF'
[study]
name=out-of-tree
objective=loss
direction=minimize
trials=10
seed=7

[param x]
type=float
low=-5
high=5

[param layers]
type=int
low=1
high=8

[tuner]
plugin=random

[trainer]
plugin=mock

[observer best]
plugin=best-file
path=best.json
EOF
}

run_vernier () {
  env LD_LIBRARY_PATH="$libdir" \
      VERNIER_PLUGIN_SYSTEM_PATH="$system_plugindir" \
      XDG_DATA_HOME="$tmp/xdg-data" \
      "$@"
}

check_best () {
  python3 - "$1" "$2" <<'EOF'
import json
import sys

with open(sys.argv[1]) as f:
    run = json.load(f)
with open(sys.argv[2]) as f:
    best = json.load(f)

assert run["state"] == "finished", run
assert run["trials"]["complete"] == 10, run
assert best["study"] == "out-of-tree", best
assert best["trial"] == run["best"]["number"], (best, run)
assert best["value"] == run["best"]["value"], (best, run)
assert best["params"] == run["best"]["params"], (best, run)
EOF
}

study_dir=$tmp/study
write_study "$study_dir"
if ! VERNIER_PLUGIN_PATH=$example_build run_vernier \
       "$vernier" run "$study_dir/study.ini" --json \
       >"$tmp/run.json" 2>"$tmp/run.err"; then
  cat "$tmp/run.err" "$tmp/run.json" >&2
  fail "vernier run failed with the uninstalled plugin"
fi
[ -f "$study_dir/best.json" ] || fail "best-file did not write $study_dir/best.json"
check_best "$tmp/run.json" "$study_dir/best.json" ||
  fail "best.json does not hold the best trial: $(cat "$study_dir/best.json") vs $(cat "$tmp/run.json")"

# 4. Installed, by default into the SDK's plugin directory: found without
#    VERNIER_PLUGIN_PATH.
run_logged "$meson" install -C "$example_build" --no-rebuild --quiet
[ -f "$system_plugindir/best-file.so" ] ||
  fail "the example is not installed in $system_plugindir"
[ -f "$system_plugindir/best-file.plugin" ] ||
  fail "best-file.plugin is not installed in $system_plugindir"

study_dir=$tmp/study-installed
write_study "$study_dir"
if ! VERNIER_PLUGIN_PATH= run_vernier \
       "$vernier" run "$study_dir/study.ini" --json \
       >"$tmp/run2.json" 2>"$tmp/run2.err"; then
  cat "$tmp/run2.err" "$tmp/run2.json" >&2
  fail "vernier run failed with the installed plugin"
fi
[ -f "$study_dir/best.json" ] || fail "best-file did not write $study_dir/best.json"
check_best "$tmp/run2.json" "$study_dir/best.json" ||
  fail "best.json does not hold the best trial with the installed plugin"

echo "out-of-tree plugin: built, loaded uninstalled and installed"
