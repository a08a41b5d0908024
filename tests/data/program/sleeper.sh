# Child of tests/test-program.c (timeouts and signals).
# Runs in the study's directory. Starts a long sleep in the background,
# writes "SHELL_PID SLEEP_PID" to pid.$VERNIER_TRIAL (atomically), and
# waits for the sleep. Only prints a value if nobody stops it.
sleep 30 &
echo "$$ $!" > "pid.$VERNIER_TRIAL.tmp"
mv "pid.$VERNIER_TRIAL.tmp" "pid.$VERNIER_TRIAL"
wait
echo '{"value": 1}'
