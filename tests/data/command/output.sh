# Child of tests/test-command.c.
# Usage: output.sh STDOUT-FILE [EXIT-STATUS [STDERR-FILE]]
# Copies STDOUT-FILE to standard output and STDERR-FILE to standard error,
# then exits with EXIT-STATUS (0 when not given).
cat "$1" || exit 100
if [ -n "$3" ]; then
  cat "$3" >&2 || exit 101
fi
exit "${2:-0}"
