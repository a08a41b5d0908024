# Child of tests/test-command.c.
# Writes what it was started with to the file named by $VERNIER_TEST_OUT, as
# one JSON object: its arguments, the working directory, VERNIER_PARAMS,
# VERNIER_TRIAL and two variables the test sets; then prints a value.

json_string () {
  printf '"'
  printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' | tr -d '\n'
  printf '"'
}

{
  printf '{"argv": ['
  sep=''
  for arg in "$@"; do
    printf '%s' "$sep"
    json_string "$arg"
    sep=', '
  done
  printf '], "cwd": '
  json_string "$(pwd)"
  printf ', "params": %s' "${VERNIER_PARAMS:-null}"
  printf ', "trial": '
  json_string "${VERNIER_TRIAL-unset}"
  printf ', "extra": '
  json_string "${VERNIER_TEST_EXTRA-unset}"
  printf ', "inherited": '
  json_string "${VERNIER_TEST_INHERITED-unset}"
  printf '}\n'
} > "$VERNIER_TEST_OUT.tmp" && mv "$VERNIER_TEST_OUT.tmp" "$VERNIER_TEST_OUT"

echo '{"loss": 1}'
