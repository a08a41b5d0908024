# Child of tests/test-command.c.
# Usage: grandchild.sh DIR [wait]
# Starts two grandchildren that would outlive it: one with its output
# elsewhere, one that keeps the child's stdout and stderr open. Writes their
# pids to DIR/quiet.pid and DIR/holding.pid. Then prints a value and exits,
# or, with "wait", creates DIR/ready and waits for them.
sleep 1000 > /dev/null 2>&1 < /dev/null &
echo $! > "$1/quiet.pid"
sleep 1000 < /dev/null &
echo $! > "$1/holding.pid"
if [ "$2" = wait ]; then
  : > "$1/ready"
  wait
fi
echo '{"loss": 1.5}'
exit 0
