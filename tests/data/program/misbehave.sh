# Child of tests/test-program.c (misbehaving trainers).
# Usage: misbehave.sh crash|garbage|nothing|ok
#   crash    dies of SIGSEGV (no core file)
#   garbage  prints lines that hold no value: text, broken JSON, JSON
#            without the objective, bytes that are not UTF-8
#   nothing  prints nothing at all
#   ok       prints {"value": 2.5}
case "$1" in
  crash)
    ulimit -c 0 2>/dev/null
    echo "about to crash" >&2
    kill -s SEGV $$
    ;;
  garbage)
    echo 'loss is low today'
    echo '{"value": '
    echo '{"loss": 1.0}'
    echo '{"value": "high"}'
    printf '\377\376\001garbage\n'
    echo '[1, 2, 3]'
    echo 'value'
    ;;
  nothing)
    ;;
  ok)
    echo '{"value": 2.5}'
    ;;
esac
exit 0
