/* Fuzz target: the command trainer's reading of a program's output.
 *
 * The first byte of the input picks the rules (with or without a regex,
 * the longest line, the most intermediate values, an objective named by
 * the input itself), the second seeds the sizes of the chunks the rest is
 * fed in, as a pipe would cut it. */

#include <string.h>

#include "vernier-command-output.h"
#include "vernier-fuzz.h"

static const gsize max_lines[] = { 4096, 80, 16, 1024 * 1024 };
static const guint max_reports[] = { 1, 3, 10000 };
static const gchar *regexes[] = {
  NULL,
  "loss=(?<value>[0-9.eE+-]+)",
  "accuracy: (\\S+)",
};

/* Every combination of the tables above, made once. */
static VernierCommandOutputRules *rules[G_N_ELEMENTS (regexes)]
                                       [G_N_ELEMENTS (max_lines)]
                                       [G_N_ELEMENTS (max_reports)];

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  vernier_fuzz_init ();
  for (guint r = 0; r < G_N_ELEMENTS (regexes); r++)
    for (guint l = 0; l < G_N_ELEMENTS (max_lines); l++)
      for (guint m = 0; m < G_N_ELEMENTS (max_reports); m++)
        {
          g_autoptr(GError) error = NULL;

          rules[r][l][m] = vernier_command_output_rules_new ("loss", regexes[r], max_lines[l],
                                                            max_reports[m], &error);
          g_assert_no_error (error);
        }
  return 0;
}

/* The objective of a study file is any valid UTF-8 without a newline. */
static VernierCommandOutputRules *
rules_for_objective (const gchar **text,
                     gsize        *size,
                     guint         l,
                     guint         m)
{
  const gchar *data = *text;
  const gchar *eol = memchr (data, '\n', *size);
  g_autofree gchar *objective = NULL;
  g_autoptr(GError) error = NULL;
  VernierCommandOutputRules *made;

  if (eol == NULL || eol == data || memchr (data, '\0', eol - data) != NULL ||
      !g_utf8_validate (data, eol - data, NULL))
    return NULL;
  objective = g_strndup (data, eol - data);
  made = vernier_command_output_rules_new (objective, NULL, max_lines[l], max_reports[m], &error);
  g_assert_no_error (error);
  *size -= eol - data + 1;
  *text = eol + 1;
  return made;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(VernierCommandOutputRules) own_rules = NULL;
  g_autoptr(VernierTrial) trial = NULL;
  g_autoptr(VernierCommandOutput) output = NULL;
  g_autoptr(JsonObject) params = json_object_new ();
  const VernierCommandOutputRules *chosen;
  const gchar *text;
  guint32 state;
  guint r, l, m;
  guint n_lines = 1;
  gdouble value;

  if (size < 2)
    return 0;
  /* bits 0-1: regex (3: an objective on the first line), 2-3: line
   * limit, 4-5: report limit */
  r = data[0] & 3;
  l = (data[0] >> 2) & 3;
  m = ((data[0] >> 4) & 3) % G_N_ELEMENTS (max_reports);
  state = data[1] | 0x100;
  text = (const gchar *) data + 2;
  size -= 2;

  if (r < G_N_ELEMENTS (regexes))
    chosen = rules[r][l][m];
  else if ((own_rules = rules_for_objective (&text, &size, l, m)) != NULL)
    chosen = own_rules;
  else
    chosen = rules[0][l][m];

  for (gsize i = 0; i < size; i++)
    n_lines += text[i] == '\n';

  trial = vernier_trial_new (0, params);
  output = vernier_command_output_new (chosen, trial);
  while (size > 0)
    {
      gsize chunk;

      /* xorshift: chunks of 1 to 64 bytes, as a pipe may cut them */
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      chunk = MIN (size, 1 + state % 64);
      vernier_command_output_feed (output, text, chunk);
      text += chunk;
      size -= chunk;
    }
  vernier_command_output_close (output);

  /* The counts stay within the lines read (no wrap-around). */
  vernier_command_output_get_value (output, &value);
  g_assert (vernier_command_output_get_n_truncated (output) <=
            vernier_command_output_get_n_ignored (output));
  g_assert (vernier_command_output_get_n_ignored (output) <= n_lines);
  g_assert (vernier_trial_get_n_reports (trial) <= max_reports[m]);
  return 0;
}
