# Child of tests/test-hostile.c: a trial program that misbehaves.
# Usage: hostile.sh DIR [CASE]
# Appends its process group (its own pid: the command trainer starts each
# trial in a group of its own) to DIR/groups, then behaves as CASE says, or,
# without CASE, as case (VERNIER_TRIAL mod 12) of the list below (case 12,
# a million lines, only when asked for).
echo $$ >> "$1/groups"
case=${2:-$((VERNIER_TRIAL % 12))}
case $case in
  0)  # a well-behaved trial
      echo '{"loss": 0.5}' ;;
  1)  # crashes
      kill -SEGV $$ ;;
  2)  # fails, and says why on stderr
      echo "CUDA out of memory on device 0" >&2
      exit 3 ;;
  3)  # binary garbage, no value
      i=0
      while [ $i -lt 64 ]; do
        printf '\001\377\376\000\033[2J\200\n'
        i=$((i + 1))
      done ;;
  4)  # one line of 10 MB, no value
      head -c 10485760 /dev/zero | tr '\0' x
      echo ;;
  5)  # talks, but prints no value
      echo "epoch 1 done"
      echo "training finished" ;;
  6)  # a diverged loss, as Python's json module writes it
      echo '{"loss": NaN}' ;;
  7)  echo '{"loss": -Infinity}' ;;
  8)  # closes its stdout early and keeps running
      exec >&-
      exec sleep 1000 ;;
  9)  # ignores SIGTERM: only SIGKILL stops it (the sleeps ignore it too)
      trap '' TERM
      while :; do sleep 1; done ;;
  10) # leaves a grandchild holding stdout open, exits without a value
      sleep 1000 &
      exit 0 ;;
  11) # hangs past the timeout
      exec sleep 1000 ;;
  12) # a million intermediate values, then a final one
      seq -f '{"step": %.0f, "loss": 0.25}' 1000000
      echo '{"loss": 0.25}' ;;
esac
