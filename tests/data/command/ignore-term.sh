# Child of tests/test-command.c.
# Usage: ignore-term.sh DIR
# Ignores SIGTERM (and so do the commands it runs), writes its pid to
# DIR/pid, tells the test it runs by creating DIR/ready, and never exits by
# itself: only SIGKILL stops it.
trap '' TERM
echo $$ > "$1/pid"
: > "$1/ready"
while :; do
  sleep 1
done
