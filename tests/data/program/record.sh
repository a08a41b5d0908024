# Child of tests/test-program.c (parallelism).
# Usage: record.sh N
# Runs in the study's directory. Notes that it started, waits (at most
# about 10 s) until N trials have started, sleeps 0.3 s, and writes
# "START END" (seconds since the epoch, date +%s.%N) to
# times.$VERNIER_TRIAL. Prints the trial number as the value.
start=$(date +%s.%N)
: > "started.$VERNIER_TRIAL"
i=0
while [ "$(ls | grep -c '^started\.')" -lt "$1" ] && [ "$i" -lt 200 ]; do
  sleep 0.05
  i=$((i + 1))
done
sleep 0.3
end=$(date +%s.%N)
echo "$start $end" > "times.$VERNIER_TRIAL.tmp"
mv "times.$VERNIER_TRIAL.tmp" "times.$VERNIER_TRIAL"
echo "{\"value\": $VERNIER_TRIAL}"
