# Child of tests/test-persistence.c (show, best, export).
# Usage: report.sh ZETA ALPHA MID
# Fails with a message holding a comma and quotes when ALPHA is
# "with,comma"; else prints the objective "loss" = ZETA * MID.
if [ "$2" = "with,comma" ]; then
  echo "bad input, \"$2\" refused" >&2
  exit 3
fi
echo "{\"loss\": $(awk "BEGIN { print $1 * $3 }")}"
