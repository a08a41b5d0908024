# Child of tests/test-workers.c: one trial of a shared study.
# Usage: trial.sh X MS
# Sleeps MS milliseconds, then prints the objective "loss" as a JSON line:
# (X - 0.3)² + MS / 1000, so that a value tells its trial's parameters.
#
# A worker started with WORKERS_STALL_FROM=N and WORKERS_STALL_MARK=PATH
# stalls in its first trial numbered N or above (VERNIER_TRIAL): it writes
# "PID TRIAL" to PATH (atomically, through a temporary file) and sleeps
# until it is killed, so that the test kills its worker in the middle of a
# trial it knows.
if [ -n "$WORKERS_STALL_FROM" ] && [ "$VERNIER_TRIAL" -ge "$WORKERS_STALL_FROM" ]; then
  echo "$$ $VERNIER_TRIAL" > "$WORKERS_STALL_MARK.tmp"
  mv "$WORKERS_STALL_MARK.tmp" "$WORKERS_STALL_MARK"
  exec sleep 600
fi
sleep "$(awk "BEGIN { print $2 / 1000 }")"
echo "{\"loss\": $(awk "BEGIN { printf \"%.17g\", ($1 - 0.3) * ($1 - 0.3) + $2 / 1000 }")}"
