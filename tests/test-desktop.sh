#!/bin/sh
# Validates the desktop integration files of data/ with the standard
# tools, and exercises the bash completion. TAP output. A missing tool is
# a failure, not a skip: CI installs them (build-aux/debian-packages.txt).
#
# Usage: test-desktop.sh SOURCE_ROOT
# Environment (from tests/meson.build): VERNIER_BINARY, the plugin path.

source_root=${1:?usage: test-desktop.sh SOURCE_ROOT}
data=$source_root/data
vernier=${VERNIER_BINARY:?VERNIER_BINARY is not set}

n=0
failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vernier-desktop-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

ok() {
  n=$((n + 1))
  echo "ok $n - $1"
}

not_ok() {
  n=$((n + 1))
  failed=$((failed + 1))
  echo "not ok $n - $1"
  # The evidence, as TAP diagnostics.
  if [ -s "$tmp/out" ]; then
    sed 's/^/# /' "$tmp/out"
  fi
}

need() {
  if command -v "$1" >/dev/null 2>&1; then
    return 0
  fi
  echo "$1: not found (Debian package $2)" >"$tmp/out"
  return 1
}

# check DESCRIPTION COMMAND…: passes when COMMAND exits 0; its output is
# kept in $tmp/out.
check() {
  desc=$1
  shift
  if "$@" >"$tmp/out" 2>&1; then ok "$desc"; else not_ok "$desc"; fi
}

# --- desktop entry -----------------------------------------------------

desktop=$data/io.github.vernier.Vernier.desktop
if need desktop-file-validate desktop-file-utils; then
  # Hints are fine; warnings and errors are not.
  if desktop-file-validate "$desktop" >"$tmp/out" 2>&1 &&
     ! grep -E -q ': (warning|error):' "$tmp/out"; then
    ok "desktop-file-validate io.github.vernier.Vernier.desktop"
  else
    not_ok "desktop-file-validate io.github.vernier.Vernier.desktop"
  fi
else
  not_ok "desktop-file-validate io.github.vernier.Vernier.desktop"
fi

check "the desktop entry runs vernier in a terminal" \
  grep -q -x -e 'Exec=vernier' "$desktop"
check "the desktop entry sets Terminal=true" \
  grep -q -x -e 'Terminal=true' "$desktop"

# --- AppStream ------------------------------------------------------------

metainfo=$data/io.github.vernier.Vernier.metainfo.xml
if need appstreamcli appstream; then
  check "appstreamcli validate --no-net io.github.vernier.Vernier.metainfo.xml" \
    appstreamcli validate --no-net "$metainfo"
else
  not_ok "appstreamcli validate --no-net io.github.vernier.Vernier.metainfo.xml"
fi
check "the metainfo provides the vernier binary" \
  grep -q '<binary>vernier</binary>' "$metainfo"

# --- GSettings schema ------------------------------------------------------

if need glib-compile-schemas libglib2.0-bin; then
  check "glib-compile-schemas --strict --dry-run data/" \
    glib-compile-schemas --strict --dry-run "$data"
  # Compiled, the schema has the keys the program reads, with their
  # documented defaults.
  mkdir "$tmp/schemas" && cp "$data"/*.gschema.xml "$tmp/schemas/" &&
    glib-compile-schemas --strict "$tmp/schemas" >"$tmp/out" 2>&1
  if need gsettings libglib2.0-bin &&
     GSETTINGS_SCHEMA_DIR=$tmp/schemas GSETTINGS_BACKEND=memory \
       gsettings list-recursively io.github.vernier.Vernier >"$tmp/keys" 2>"$tmp/out" &&
     sort "$tmp/keys" >"$tmp/out" &&
     printf '%s\n' \
       'io.github.vernier.Vernier notifications true' \
       'io.github.vernier.Vernier parallel 0' \
       'io.github.vernier.Vernier plugin-dirs @as []' | cmp -s - "$tmp/out"; then
    ok "the schema's keys and defaults (gsettings list-recursively)"
  else
    not_ok "the schema's keys and defaults (gsettings list-recursively)"
  fi
else
  not_ok "glib-compile-schemas --strict --dry-run data/"
  not_ok "the schema's keys and defaults (gsettings list-recursively)"
fi

# --- man page --------------------------------------------------------------

man_page=$data/vernier.1
if need man man-db; then
  if MANWIDTH=80 man -l "$man_page" >"$tmp/man" 2>"$tmp/out" &&
     [ ! -s "$tmp/out" ]; then
    missing=""
    for section in NAME SYNOPSIS DESCRIPTION COMMANDS "STUDY FILE" ENVIRONMENT \
                   FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
      grep -q -x -e "$section" "$tmp/man" || missing="$missing $section"
    done
    for command in run worker show best export enqueue status plugins inspect; do
      grep -q -e "^ *vernier $command" "$tmp/man" || missing="$missing 'vernier $command'"
    done
    for variable in VERNIER_PLUGIN_PATH VERNIER_PLUGIN_SYSTEM_PATH VERNIER_STORAGE PGHOST; do
      grep -q -e "$variable" "$tmp/man" || missing="$missing $variable"
    done
    if [ -z "$missing" ]; then
      ok "man -l vernier.1 renders every section, command and variable"
    else
      echo "missing from the rendered page:$missing" >"$tmp/out"
      not_ok "man -l vernier.1 renders every section, command and variable"
    fi
  else
    not_ok "man -l vernier.1 renders every section, command and variable"
  fi
else
  not_ok "man -l vernier.1 renders every section, command and variable"
fi

if need groff groff-base; then
  # groff prints every warning on stderr; -z discards the output.
  if groff -ww -z -man "$man_page" >"$tmp/out" 2>&1 && [ ! -s "$tmp/out" ]; then
    ok "groff -ww -man vernier.1 has no warning"
  else
    not_ok "groff -ww -man vernier.1 has no warning"
  fi
else
  not_ok "groff -ww -man vernier.1 has no warning"
fi

# --- bash completion ---------------------------------------------------------

completion=$data/vernier.bash-completion

# complete WORD…: the completions of the last WORD, one a line, in $tmp/out.
complete_words() {
  bash -c '. "$1" || exit 1
           shift
           COMP_WORDS=("$@")
           COMP_CWORD=$(($# - 1))
           _vernier || exit 1
           for reply in "${COMPREPLY[@]}"; do printf "%s\n" "$reply"; done' \
    _ "$completion" "$@" >"$tmp/out" 2>"$tmp/err"
}

# expect DESCRIPTION EXPECTED WORD…: the sorted completions are EXPECTED
# (lines separated by spaces).
expect() {
  desc=$1
  expected=$2
  shift 2
  if complete_words "$@" && [ ! -s "$tmp/err" ] &&
     sort "$tmp/out" >"$tmp/sorted" &&
     for word in $expected; do echo "$word"; done | sort | cmp -s - "$tmp/sorted"; then
    ok "$desc"
  else
    { echo "expected: $expected"; echo "got:"; cat "$tmp/out" "$tmp/err"; } >"$tmp/got"
    mv "$tmp/got" "$tmp/out"
    not_ok "$desc"
  fi
}

if need bash bash; then
  check "the completion script parses and registers _vernier" \
    bash -c '. "$1" && complete -p vernier | grep -q -e "-F _vernier"' _ "$completion"

  expect "vernier ru<TAB>: run" "run" vernier ru
  expect "vernier <TAB>: every command" \
    "run worker show best export enqueue status plugins inspect" vernier ""
  expect "vernier e<TAB>: export, enqueue" "export enqueue" vernier e
  expect "vernier run --<TAB>: the options of run" \
    "--set --json --quiet --help" vernier run --
  expect "vernier export --format <TAB>: csv, json" "csv json" vernier export --format ""
  expect "vernier export --format=j<TAB>: json" "json" vernier export --format = j

  # Plugin names, from the `vernier plugins` of the binary under test.
  "$vernier" plugins 2>/dev/null | while read -r name _; do echo "$name"; done \
    >"$tmp/plugins"
  if [ -s "$tmp/plugins" ]; then
    expect "vernier inspect <TAB>: every plugin of 'vernier plugins'" \
      "$(cat "$tmp/plugins")" "$vernier" inspect ""
    grep '^g' "$tmp/plugins" >"$tmp/plugins-g"
    expect "vernier inspect g<TAB>: the plugins starting with g" \
      "$(cat "$tmp/plugins-g")" "$vernier" inspect g
  else
    echo "'$vernier plugins' listed no plugin" >"$tmp/out"
    not_ok "vernier inspect <TAB>: every plugin of 'vernier plugins'"
    not_ok "vernier inspect g<TAB>: the plugins starting with g"
  fi

  # Study files: *.ini, and directories to descend into.
  mkdir "$tmp/studies" "$tmp/studies/sub.d" &&
    : >"$tmp/studies/mlp.ini" && : >"$tmp/studies/grid.ini" &&
    : >"$tmp/studies/notes.txt" && : >"$tmp/studies/trials.db"
  cd "$tmp/studies" || exit 1
  expect "vernier run <TAB>: the *.ini files and directories" \
    "grid.ini mlp.ini sub.d" vernier run ""
  expect "vernier show m<TAB>: mlp.ini" "mlp.ini" vernier show m
  expect "vernier run --set study.trials=5 <TAB>: study files after an option" \
    "grid.ini mlp.ini sub.d" vernier run --set study.trials=5 ""
  expect "vernier run mlp.ini <TAB>: nothing after the study file" \
    "" vernier run mlp.ini ""
  expect "vernier plugins <TAB>: no file" "" vernier plugins ""
  cd / || exit 1
else
  not_ok "the completion script parses and registers _vernier"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
