# Child of tests/test-command.c: dies of a segmentation fault (SIGSEGV),
# without leaving a core file.
echo "about to crash" >&2
ulimit -c 0 2>/dev/null
kill -s SEGV $$
echo "still alive" >&2
exit 0
