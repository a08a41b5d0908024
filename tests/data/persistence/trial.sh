# Child of tests/test-persistence.c: one trial.
# Usage: trial.sh X MS
# Sleeps MS milliseconds, then prints the objective "loss" as a JSON line:
# (X - 0.3)² + MS / 1000, so that a value tells its trial's parameters.
sleep "$(awk "BEGIN { print $2 / 1000 }")"
echo "{\"loss\": $(awk "BEGIN { printf \"%.17g\", ($1 - 0.3) * ($1 - 0.3) + $2 / 1000 }")}"
