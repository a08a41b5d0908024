# Child of tests/test-command.c.
# Usage: parallel.sh DIR N
# Records its start time in DIR/start.$VERNIER_TRIAL, waits (for a bounded
# time) until N trials have started, records its end time in
# DIR/end.$VERNIER_TRIAL and prints its trial number as the value. Times are
# nanoseconds since the epoch.
date +%s%N > "$1/start.$VERNIER_TRIAL"
: > "$1/started.$VERNIER_TRIAL"
i=0
while [ "$(ls "$1" | grep -c '^started\.')" -lt "$2" ] && [ "$i" -lt 1200 ]; do
  sleep 0.05
  i=$((i + 1))
done
date +%s%N > "$1/end.$VERNIER_TRIAL"
echo "{\"loss\": $VERNIER_TRIAL}"
