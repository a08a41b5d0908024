# Child of tests/test-program.c (shell metacharacters).
# Usage: write-arg.sh ARG
# Runs in the study's directory. Writes ARG, byte for byte, to
# arg.$VERNIER_TRIAL and prints a value.
printf '%s' "$1" > "arg.$VERNIER_TRIAL"
echo '{"value": 0}'
