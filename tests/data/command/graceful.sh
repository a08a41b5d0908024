# Child of tests/test-command.c.
# Usage: graceful.sh DIR
# On SIGTERM, writes "term" to DIR/log and exits; creates DIR/ready once
# the handler is in place, then waits.
trap 'echo term >> "$1/log"; exit 0' TERM
: > "$1/ready"
while :; do
  sleep 1
done
