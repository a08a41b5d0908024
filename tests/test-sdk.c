/* Tests of the SDK's value types: durations, JSON values, dimensions,
 * spaces, trials, contexts, objectives. */

#include <math.h>

#include <vernier.h>
#include <vernier-sdk-private.h>

static void
test_duration_parse (void)
{
  static const struct { const gchar *text; gint64 usec; } good[] = {
    { "30s", 30 * G_USEC_PER_SEC },
    { "250ms", 250000 },
    { "5m", 300 * G_USEC_PER_SEC },
    { "1h30m", G_GINT64_CONSTANT (5400) * G_USEC_PER_SEC },
    { "2d", G_GINT64_CONSTANT (172800) * G_USEC_PER_SEC },
    { "1.5", 1500000 },
    { "0", 0 },
    { " 10us ", 10 },
  };
  static const gchar *bad[] = { "", "abc", "5x", "-1s", "1s 2", "s", "1e400s", "nan" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 usec = -1;

      g_assert_true (vernier_parse_duration (good[i].text, &usec, &error));
      g_assert_no_error (error);
      g_assert_cmpint (usec, ==, good[i].usec);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 usec = -1;

      g_assert_false (vernier_parse_duration (bad[i], &usec, &error));
      g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
      g_assert_nonnull (strstr (error->message, "duration"));
    }
}

static void
test_duration_format (void)
{
  static const gint64 values[] = { 1, 999, 250000, 30 * G_USEC_PER_SEC, G_GINT64_CONSTANT (5400) * G_USEC_PER_SEC,
                                   G_GINT64_CONSTANT (90061000001) };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree gchar *text = vernier_format_duration (values[i]);
      gint64 back = 0;

      g_assert_true (vernier_parse_duration (text, &back, NULL));
      g_assert_cmpint (back, ==, values[i]);
    }
  {
    g_autofree gchar *text = vernier_format_duration (G_GINT64_CONSTANT (5400) * G_USEC_PER_SEC);
    g_assert_cmpstr (text, ==, "1h30m");
  }
}

static void
test_json_from_string (void)
{
  g_autoptr(JsonNode) i = vernier_json_node_from_string ("3");
  g_autoptr(JsonNode) d = vernier_json_node_from_string ("0.5");
  g_autoptr(JsonNode) b = vernier_json_node_from_string ("true");
  g_autoptr(JsonNode) s = vernier_json_node_from_string ("sgd");
  g_autoptr(JsonNode) q = vernier_json_node_from_string ("\"3\"");
  g_autoptr(JsonNode) a = vernier_json_node_from_string ("[1, 2]");
  g_autoptr(JsonNode) shell = vernier_json_node_from_string ("$(rm -rf /); echo");
  gdouble v;

  g_assert_cmpint (json_node_get_value_type (i), ==, G_TYPE_INT64);
  g_assert_cmpint (json_node_get_int (i), ==, 3);
  g_assert_true (vernier_json_node_get_number (d, &v));
  g_assert_cmpfloat (v, ==, 0.5);
  g_assert_cmpint (json_node_get_value_type (b), ==, G_TYPE_BOOLEAN);
  g_assert_false (vernier_json_node_get_number (b, NULL));
  g_assert_cmpstr (json_node_get_string (s), ==, "sgd");
  g_assert_cmpstr (json_node_get_string (q), ==, "3");
  g_assert_true (JSON_NODE_HOLDS_ARRAY (a));
  g_assert_cmpstr (json_node_get_string (shell), ==, "$(rm -rf /); echo");

  /* Numbers as people write them, not as JSON does, stay numbers. */
  {
    static const struct { const gchar *text; GType type; gdouble value; } loose[] = {
      { ".5", G_TYPE_DOUBLE, 0.5 }, { "1.", G_TYPE_DOUBLE, 1 }, { "01", G_TYPE_INT64, 1 },
      { "+2", G_TYPE_INT64, 2 }, { "-.25e1", G_TYPE_DOUBLE, -2.5 },
    };
    static const gchar *not_numbers[] = { "-", "1-2", "1e", "..", "1.2.3", "nan", "inf" };

    for (guint k = 0; k < G_N_ELEMENTS (loose); k++)
      {
        g_autoptr(JsonNode) node = vernier_json_node_from_string (loose[k].text);

        g_assert_true (JSON_NODE_HOLDS_VALUE (node));
        g_assert_cmpint (json_node_get_value_type (node), ==, loose[k].type);
        g_assert_true (vernier_json_node_get_number (node, &v));
        g_assert_cmpfloat (v, ==, loose[k].value);
      }
    for (guint k = 0; k < G_N_ELEMENTS (not_numbers); k++)
      {
        g_autoptr(JsonNode) node = vernier_json_node_from_string (not_numbers[k]);

        g_assert_cmpstr (json_node_get_string (node), ==, not_numbers[k]);
      }
  }
}

/* Words are read as strings without the parser (a study may list a
 * million choices): the same values as through the parser, which takes
 * true, false, null and numbers, but no other word. */
static void
test_json_from_string_words (void)
{
  static const struct { const gchar *text; const gchar *string; } words[] = {
    { "sgd", "sgd" }, { "  adam ", "  adam " }, { "Infinity", "Infinity" },
    { "NaN", "NaN" }, { "x1", "x1" }, { "élan", "élan" }, { "True", "True" },
  };
  g_autoptr(JsonNode) t = vernier_json_node_from_string ("true");
  g_autoptr(JsonNode) f = vernier_json_node_from_string (" false");
  g_autoptr(JsonNode) n = vernier_json_node_from_string ("null");
  g_autoptr(JsonNode) e = vernier_json_node_from_string ("-1e3");
  g_autoptr(JsonNode) tr = vernier_json_node_from_string ("tru");

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      g_autoptr(JsonNode) node = vernier_json_node_from_string (words[i].text);

      g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
      g_assert_cmpstr (json_node_get_string (node), ==, words[i].string);
    }
  g_assert_true (json_node_get_boolean (t));
  g_assert_cmpint (json_node_get_value_type (f), ==, G_TYPE_BOOLEAN);
  g_assert_false (json_node_get_boolean (f));
  g_assert_true (JSON_NODE_HOLDS_NULL (n));
  g_assert_cmpfloat (json_node_get_double (e), ==, -1000);
  g_assert_cmpstr (json_node_get_string (tr), ==, "tru");
}

/* Two values in one text are no JSON: a string, as any other text the
 * parser refuses (and never given to it, which leaked on them). */
/* The syntax check that stands before json-glib: RFC 8259 values pass,
 * anything else fails with the byte where it went wrong. */
static void
test_json_check_syntax (void)
{
  const gchar *valid[] = {
    "0", "-0.5e+3", "1E9", "true", "null", "\"\"", "\"a\\u00e9\\ud83d\\ude00\\n\"",
    "\"\xc3\xa9\"", " [ ] ", "{}", "[1, [2, {\"a\": [null]}], \"x\"]",
    "{\"loss\": 0.25, \"step\": 3}",
  };
  struct { const gchar *text; const gchar *message; } invalid[] = {
    { "", "no value (at byte 0)" },
    { "{\"loss\":1}{\"loss\":2}", "more than one value (at byte 10)" },
    { "[1][2]", "more than one value (at byte 3)" },
    { "[/[0/][/[0/]]]", "an unexpected character where a value should be (at byte 1)" },
    { "[1,]", "an unexpected character where a value should be (at byte 3)" },
    { "[1 2]", "a missing ',' or ']' in an array (at byte 3)" },
    { "{\"a\" 1}", "a missing ':' after an object member's name (at byte 5)" },
    { "{a: 1}", "an object member without a name in quotes (at byte 1)" },
    { "[1", "the text ends inside an array or object (at byte 2)" },
    { "01", "more than one value (at byte 1)" },
    { "1.", "an invalid number (at byte 2)" },
    { "NaN", "an unexpected character where a value should be (at byte 0)" },
    { "tru", "an unexpected character where a value should be (at byte 0)" },
    { "\"a", "an unterminated string (at byte 2)" },
    { "\"\t\"", "a control character in a string (at byte 1)" },
    { "\"\\x\"", "an invalid escape in a string (at byte 3)" },
    { "\"\\udc00\"", "a lone low surrogate in a string (at byte 7)" },
    { "\"\\ud800x\"", "a lone high surrogate in a string (at byte 7)" },
    { "\"\xff\"", "a string that is not UTF-8 (at byte 1)" },
    { "[[[[1]]]]", "arrays or objects nested too deep (at byte 3)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;

      if (!vernier_json_check_syntax (valid[i], -1, 4, &error))
        g_error ("'%s' refused: %s", valid[i], error->message);
    }
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (vernier_json_check_syntax (invalid[i].text, -1, 3, &error));
      g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
      g_assert_cmpstr (error->message, ==, invalid[i].message);
    }
  /* A length stops the text, NUL bytes included. */
  g_assert_true (vernier_json_check_syntax ("[1]garbage", 3, 4, NULL));
  g_assert_false (vernier_json_check_syntax ("\"a\0b\"", 5, 4, NULL));
}

static void
test_json_from_string_two_values (void)
{
  static const gchar *texts[] = { "[1][2]", "{\"a\": 1} {\"b\": 2}", "1 [2]", "\"}\" {}" };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(JsonNode) node = vernier_json_node_from_string (texts[i]);

      g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
      g_assert_cmpstr (json_node_get_string (node), ==, texts[i]);
    }
  {
    g_autoptr(JsonNode) nested = vernier_json_node_from_string ("[[1], {\"a\": [\"]\"]}]");

    g_assert_true (JSON_NODE_HOLDS_ARRAY (nested));
    g_assert_cmpuint (json_array_get_length (json_node_get_array (nested)), ==, 2);
  }
}

/* A value that validate() takes a little past the last point of a step
 * grid (found by fuzz-params) maps into the last cell, inside [0, 1], and
 * back to a valid value. */
static void
test_dimension_grid_edge (void)
{
  g_autoptr(VernierDimension) dim = vernier_dimension_new_float ("x", -15, 0, FALSE,
                                                                 0.11111111115111111, NULL);
  g_autoptr(JsonNode) high = json_node_init_double (json_node_alloc (), 0);
  g_autoptr(JsonNode) back = NULL;
  gdouble u;

  g_assert_nonnull (dim);
  g_assert_cmpuint (vernier_dimension_get_n_points (dim), ==, 135);
  g_assert_true (vernier_dimension_validate (dim, high, NULL));
  u = vernier_dimension_value_to_unit (dim, high);
  g_assert_cmpfloat (u, >=, 0);
  g_assert_cmpfloat (u, <=, 1);
  back = vernier_dimension_value_from_unit (dim, u);
  g_assert_true (vernier_dimension_validate (dim, back, NULL));
}

static void
test_json_canonical (void)
{
  g_autoptr(JsonObject) a = NULL;
  g_autoptr(JsonObject) b = NULL;
  g_autoptr(JsonObject) copy = NULL;
  g_autoptr(JsonNode) na = json_from_string ("{\"b\": 1, \"a\": {\"y\": [1, 2.0], \"x\": \"s\"}}", NULL);
  g_autoptr(JsonNode) nb = json_from_string ("{\"a\": {\"x\": \"s\", \"y\": [1.0, 2]}, \"b\": 1.0}", NULL);
  g_autofree gchar *ca = NULL, *cb = NULL, *cc = NULL;

  a = json_node_dup_object (na);
  b = json_node_dup_object (nb);
  ca = vernier_json_object_canonical (a);
  cb = vernier_json_object_canonical (b);
  g_assert_cmpstr (ca, ==, cb);
  g_assert_cmpstr (ca, ==, "{\"a\":{\"x\":\"s\",\"y\":[1,2]},\"b\":1}");

  copy = vernier_json_object_copy (a);
  g_assert_true (json_object_get_object_member (copy, "a") != json_object_get_object_member (a, "a"));
  json_object_set_int_member (json_object_get_object_member (copy, "a"), "z", 3);
  g_assert_false (json_object_has_member (json_object_get_object_member (a, "a"), "z"));
  cc = vernier_json_object_canonical (a);
  g_assert_cmpstr (cc, ==, ca);
}

static void
test_json_to_string (void)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *pretty = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "z");
  json_builder_add_double_value (b, 1e20);
  json_builder_set_member_name (b, "a");
  json_builder_add_double_value (b, 0.1);
  json_builder_set_member_name (b, "two");
  json_builder_add_double_value (b, 2.0);
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, -7);
  json_builder_set_member_name (b, "nan");
  json_builder_add_double_value (b, NAN);
  json_builder_set_member_name (b, "s");
  json_builder_add_string_value (b, "q\"\\\n\x01é");
  json_builder_set_member_name (b, "l");
  json_builder_begin_array (b);
  json_builder_add_boolean_value (b, TRUE);
  json_builder_add_null_value (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);

  text = vernier_json_to_string (root, FALSE);
  /* member order kept, shortest exact doubles, doubles stay doubles */
  g_assert_cmpstr (text, ==, "{\"z\":1e+20,\"a\":0.1,\"two\":2.0,\"n\":-7,\"nan\":null,"
                             "\"s\":\"q\\\"\\\\\\n\\u0001é\",\"l\":[true,null]}");
  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));

  pretty = vernier_json_to_string (root, TRUE);
  g_assert_nonnull (strstr (pretty, "\n  \"z\": 1e+20,"));
  g_assert_true (json_parser_load_from_data (parser, pretty, -1, NULL));
}

static void
test_dimension_invalid (void)
{
  struct { VernierDimension *dim; const gchar *expect; } cases[] = {
    { vernier_dimension_new_float ("x", 2, 1, FALSE, 0, NULL), "greater" },
  };
  g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL, e5 = NULL, e6 = NULL;
  g_autoptr(JsonArray) empty = json_array_new ();
  g_autoptr(JsonArray) twice = json_array_new ();

  g_assert_null (cases[0].dim);
  g_assert_null (vernier_dimension_new_float ("x", 2, 1, FALSE, 0, &e1));
  g_assert_error (e1, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (e1->message, "'x'"));
  g_assert_null (vernier_dimension_new_float ("lr", 0, 1, TRUE, 0, &e2));
  g_assert_nonnull (strstr (e2->message, "log"));
  g_assert_null (vernier_dimension_new_float ("lr", 0.1, 1, TRUE, 0.1, &e3));
  g_assert_nonnull (strstr (e3->message, "step"));
  g_assert_null (vernier_dimension_new_int ("n", 0, 10, TRUE, 1, &e4));
  g_assert_nonnull (strstr (e4->message, "log"));
  g_assert_null (vernier_dimension_new_categorical ("c", empty, &e5));
  g_assert_nonnull (strstr (e5->message, "choice"));
  json_array_add_string_element (twice, "a");
  json_array_add_string_element (twice, "a");
  g_assert_null (vernier_dimension_new_categorical ("c", twice, &e6));
  g_assert_nonnull (strstr (e6->message, "twice"));
}

static void
test_dimension_from_unit (void)
{
  g_autoptr(VernierDimension) f = vernier_dimension_new_float ("f", -2, 3, FALSE, 0, NULL);
  g_autoptr(VernierDimension) lg = vernier_dimension_new_float ("lg", 1e-5, 1e-1, TRUE, 0, NULL);
  g_autoptr(VernierDimension) st = vernier_dimension_new_float ("st", 0, 1, FALSE, 0.25, NULL);
  g_autoptr(VernierDimension) n = vernier_dimension_new_int ("n", 1, 10, FALSE, 3, NULL);
  g_autoptr(VernierDimension) nl = vernier_dimension_new_int ("nl", 1, 1024, TRUE, 1, NULL);
  g_autoptr(JsonArray) choices = json_array_new ();
  g_autoptr(VernierDimension) c = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint seen[3] = { 0, };

  json_array_add_string_element (choices, "sgd");
  json_array_add_int_element (choices, 3);
  json_array_add_boolean_element (choices, FALSE);
  c = vernier_dimension_new_categorical ("c", choices, NULL);

  g_assert_cmpuint (vernier_dimension_get_n_points (f), ==, 0);
  g_assert_cmpuint (vernier_dimension_get_n_points (st), ==, 5);
  /* int high is lowered onto the step grid: 1, 4, 7, 10 */
  g_assert_cmpuint (vernier_dimension_get_n_points (n), ==, 4);
  g_assert_cmpuint (vernier_dimension_get_n_points (c), ==, 3);

  for (guint i = 0; i < 2000; i++)
    {
      gdouble u = g_rand_double (rand);
      g_autoptr(JsonNode) vf = vernier_dimension_value_from_unit (f, u);
      g_autoptr(JsonNode) vlg = vernier_dimension_value_from_unit (lg, u);
      g_autoptr(JsonNode) vst = vernier_dimension_value_from_unit (st, u);
      g_autoptr(JsonNode) vn = vernier_dimension_value_from_unit (n, u);
      g_autoptr(JsonNode) vnl = vernier_dimension_value_from_unit (nl, u);
      g_autoptr(JsonNode) vc = vernier_dimension_value_from_unit (c, u);
      gdouble back;

      g_assert_true (vernier_dimension_validate (f, vf, NULL));
      g_assert_true (vernier_dimension_validate (lg, vlg, NULL));
      g_assert_true (vernier_dimension_validate (st, vst, NULL));
      g_assert_true (vernier_dimension_validate (n, vn, NULL));
      g_assert_true (vernier_dimension_validate (nl, vnl, NULL));
      g_assert_true (vernier_dimension_validate (c, vc, NULL));
      g_assert_cmpint (json_node_get_value_type (vn), ==, G_TYPE_INT64);
      g_assert_cmpint ((json_node_get_int (vn) - 1) % 3, ==, 0);

      /* to_unit inverts from_unit for continuous dimensions */
      back = vernier_dimension_value_to_unit (f, vf);
      g_assert_cmpfloat_with_epsilon (back, u, 1e-9);
      back = vernier_dimension_value_to_unit (lg, vlg);
      g_assert_cmpfloat_with_epsilon (back, u, 1e-9);

      for (guint k = 0; k < 3; k++)
        if (json_node_equal (vc, json_array_get_element (choices, k)))
          seen[k]++;
    }
  g_assert_cmpuint (seen[0] + seen[1] + seen[2], ==, 2000);
  for (guint k = 0; k < 3; k++)
    g_assert_cmpuint (seen[k], >, 500);
}

static void
test_dimension_validate (void)
{
  g_autoptr(VernierDimension) n = vernier_dimension_new_int ("n", 0, 10, FALSE, 2, NULL);
  g_autoptr(VernierDimension) f = vernier_dimension_new_float ("f", 0, 1, FALSE, 0, NULL);
  g_autoptr(JsonNode) three = vernier_json_node_from_string ("3");
  g_autoptr(JsonNode) four = vernier_json_node_from_string ("4");
  g_autoptr(JsonNode) half = vernier_json_node_from_string ("4.5");
  g_autoptr(JsonNode) text = vernier_json_node_from_string ("abc");
  g_autoptr(JsonNode) big = vernier_json_node_from_string ("1.5");
  g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL, e5 = NULL;

  g_assert_true (vernier_dimension_validate (n, four, NULL));
  g_assert_false (vernier_dimension_validate (n, three, &e1));
  g_assert_error (e1, VERNIER_ERROR, VERNIER_ERROR_INVALID_PARAMS);
  g_assert_nonnull (strstr (e1->message, "step"));
  g_assert_false (vernier_dimension_validate (n, half, &e2));
  g_assert_nonnull (strstr (e2->message, "integer"));
  g_assert_false (vernier_dimension_validate (f, text, &e3));
  g_assert_nonnull (strstr (e3->message, "not a number"));
  g_assert_false (vernier_dimension_validate (f, big, &e4));
  g_assert_nonnull (strstr (e4->message, "outside"));
  g_assert_false (vernier_dimension_validate (f, NULL, &e5));
  g_assert_nonnull (strstr (e5->message, "missing"));
}

static VernierSpace *
make_conditional_space (void)
{
  VernierSpace *space = vernier_space_new ();
  g_autoptr(JsonArray) choices = json_array_new ();
  g_autoptr(VernierDimension) opt = NULL;
  g_autoptr(VernierDimension) momentum = vernier_dimension_new_float ("momentum", 0, 1, FALSE, 0, NULL);
  g_autoptr(VernierDimension) lr = vernier_dimension_new_float ("lr", 1e-4, 1, TRUE, 0, NULL);
  g_autoptr(JsonNode) sgd = vernier_json_node_from_string ("sgd");

  json_array_add_string_element (choices, "sgd");
  json_array_add_string_element (choices, "adam");
  opt = vernier_dimension_new_categorical ("optimizer", choices, NULL);
  vernier_dimension_set_condition (momentum, "optimizer", sgd);

  g_assert_true (vernier_space_add (space, opt, NULL));
  g_assert_true (vernier_space_add (space, momentum, NULL));
  g_assert_true (vernier_space_add (space, lr, NULL));
  return space;
}

static JsonObject *
params_from (const gchar *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  return json_node_dup_object (node);
}

static void
test_space_conditions (void)
{
  g_autoptr(VernierSpace) space = make_conditional_space ();
  VernierDimension *momentum = vernier_space_lookup (space, "momentum");
  g_autoptr(JsonObject) sgd = params_from ("{\"optimizer\": \"sgd\", \"momentum\": 0.9, \"lr\": 0.01}");
  g_autoptr(JsonObject) adam = params_from ("{\"optimizer\": \"adam\", \"lr\": 0.01}");
  g_autoptr(JsonObject) adam_momentum = params_from ("{\"optimizer\": \"adam\", \"momentum\": 0.9, \"lr\": 0.01}");
  g_autoptr(JsonObject) missing = params_from ("{\"optimizer\": \"sgd\", \"lr\": 0.01}");
  g_autoptr(JsonObject) unknown = params_from ("{\"optimizer\": \"adam\", \"lr\": 0.01, \"z\": 1}");
  g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL, e5 = NULL;
  g_autoptr(VernierDimension) orphan = vernier_dimension_new_float ("beta", 0, 1, FALSE, 0, NULL);
  g_autoptr(VernierDimension) never = vernier_dimension_new_float ("gamma", 0, 1, FALSE, 0, NULL);
  g_autoptr(JsonNode) rmsprop = vernier_json_node_from_string ("rmsprop");
  g_autoptr(JsonNode) one = vernier_json_node_from_string ("1");

  g_assert_true (vernier_space_is_active (space, momentum, sgd));
  g_assert_false (vernier_space_is_active (space, momentum, adam));
  g_assert_true (vernier_space_validate (space, sgd, NULL));
  g_assert_true (vernier_space_validate (space, adam, NULL));
  g_assert_false (vernier_space_validate (space, adam_momentum, &e1));
  g_assert_nonnull (strstr (e1->message, "inactive"));
  g_assert_false (vernier_space_validate (space, missing, &e2));
  g_assert_nonnull (strstr (e2->message, "momentum"));
  g_assert_false (vernier_space_validate (space, unknown, &e3));
  g_assert_nonnull (strstr (e3->message, "unknown parameter 'z'"));

  vernier_dimension_set_condition (orphan, "nosuch", one);
  g_assert_false (vernier_space_add (space, orphan, &e4));
  g_assert_nonnull (strstr (e4->message, "'nosuch'"));
  vernier_dimension_set_condition (never, "optimizer", rmsprop);
  g_assert_false (vernier_space_add (space, never, &e5));
  g_assert_nonnull (strstr (e5->message, "never takes"));
}

static void
test_space_candidates (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierSpace) bounded = make_conditional_space ();
  g_autoptr(JsonObject) a = params_from ("{\"anything\": [1, 2]}");
  g_autoptr(JsonObject) bad = params_from ("{\"optimizer\": \"rmsprop\", \"lr\": 0.1}");
  g_autoptr(GError) error = NULL;
  g_autofree gchar *fp1 = NULL, *fp2 = NULL;
  g_autoptr(VernierSpace) other = make_conditional_space ();

  g_assert_true (vernier_space_is_empty (space));
  g_assert_true (vernier_space_add_candidate (space, a, NULL));
  g_assert_false (vernier_space_is_empty (space));
  g_assert_cmpuint (vernier_space_get_n_candidates (space), ==, 1);
  g_assert_true (vernier_space_get_candidate (space, 0) == a);

  g_assert_false (vernier_space_add_candidate (bounded, bad, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_PARAMS);

  fp1 = vernier_space_fingerprint (bounded);
  fp2 = vernier_space_fingerprint (other);
  g_assert_cmpstr (fp1, ==, fp2);
}

typedef struct
{
  guint     emissions;
  gboolean  wrong_thread;
  GThread  *main_thread;
} ReportCounter;

static void
on_reported (VernierTrial  *trial,
             gint64         step,
             gdouble        value,
             ReportCounter *counter)
{
  counter->emissions++;
  if (g_thread_self () != counter->main_thread)
    counter->wrong_thread = TRUE;
}

typedef struct
{
  VernierTrial *trial;
  gint64        first_step;
} Reporter;

static gpointer
report_thread (gpointer data)
{
  Reporter *r = data;

  /* Distinct steps per thread: a repeated step would replace a value. */
  for (gint i = 0; i < 1000; i++)
    vernier_trial_report (r->trial, r->first_step + i, i);
  return NULL;
}

static void
test_trial_report_threads (void)
{
  g_autoptr(VernierTrial) trial = vernier_trial_new (3, NULL);
  ReportCounter counter = { 0, FALSE, g_thread_self () };
  GThread *threads[4];
  Reporter reporters[4];

  g_signal_connect (trial, "reported", G_CALLBACK (on_reported), &counter);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      reporters[i] = (Reporter) { trial, (gint64) i * 1000000 };
      threads[i] = g_thread_new ("reporter", report_thread, &reporters[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_cmpuint (vernier_trial_get_n_reports (trial), ==, 4000);
  g_assert_cmpuint (counter.emissions, >=, 1);
  g_assert_false (counter.wrong_thread);

  /* On the trial's own thread the signal comes at once. */
  counter.emissions = 0;
  vernier_trial_report (trial, 99999, 0.5);
  g_assert_cmpuint (counter.emissions, ==, 1);
}

static void
test_trial_lifecycle (void)
{
  g_autoptr(JsonObject) params = params_from ("{\"x\": 1.5, \"name\": \"a b\"}");
  g_autoptr(VernierTrial) trial = vernier_trial_new (7, params);
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(JsonNode) attr = NULL;
  g_autofree gchar *text = NULL;
  JsonObject *obj;
  gint64 step;
  gdouble value;

  g_assert_cmpuint (vernier_trial_get_number (trial), ==, 7);
  g_assert_cmpint (vernier_trial_get_state (trial), ==, VERNIER_TRIAL_STATE_WAITING);
  g_assert_false (vernier_trial_has_value (trial));
  g_assert_true (isnan (vernier_trial_get_value (trial)));
  g_assert_false (vernier_trial_is_finished (trial));

  vernier_trial_mark_started (trial);
  g_assert_cmpint (vernier_trial_get_state (trial), ==, VERNIER_TRIAL_STATE_RUNNING);
  g_assert_cmpint (vernier_trial_get_start_time (trial), >, 0);
  vernier_trial_report (trial, 1, 0.9);
  vernier_trial_report (trial, 2, 0.8);
  vernier_trial_report (trial, 2, 0.7);   /* replaces step 2 */
  g_assert_cmpuint (vernier_trial_get_n_reports (trial), ==, 2);
  g_assert_true (vernier_trial_get_last_report (trial, &step, &value));
  g_assert_cmpint (step, ==, 2);
  g_assert_cmpfloat (value, ==, 0.7);

  vernier_trial_set_user_attr (trial, "exit-status", json_node_init_int (json_node_alloc (), 0));
  attr = vernier_trial_dup_user_attr (trial, "exit-status");
  g_assert_cmpint (json_node_get_int (attr), ==, 0);
  g_assert_null (vernier_trial_dup_user_attr (trial, "nosuch"));

  vernier_trial_set_value (trial, 0.25);
  vernier_trial_mark_finished (trial, VERNIER_TRIAL_STATE_COMPLETE);
  g_assert_true (vernier_trial_is_finished (trial));
  g_assert_cmpint (vernier_trial_get_end_time (trial), >=, vernier_trial_get_start_time (trial));
  g_assert_cmpint (vernier_trial_get_duration (trial), >=, 0);
  g_assert_false (g_cancellable_is_cancelled (vernier_trial_get_cancellable (trial)));

  json = vernier_trial_to_json (trial);
  obj = json_node_get_object (json);
  g_assert_cmpint (json_object_get_int_member (obj, "number"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (obj, "state"), ==, "complete");
  g_assert_cmpfloat (json_object_get_double_member (obj, "value"), ==, 0.25);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "intermediate")), ==, 2);
  g_assert_true (json_object_has_member (json_object_get_object_member (obj, "user-attrs"), "exit-status"));
  g_assert_true (json_object_has_member (obj, "start"));
  g_assert_true (json_object_has_member (obj, "end"));

  text = vernier_trial_dup_params_json (trial);
  g_assert_nonnull (strstr (text, "\"a b\""));
  g_assert_cmpstr (vernier_trial_state_to_nick (VERNIER_TRIAL_STATE_TIMED_OUT), ==, "timed-out");
}

static VernierTrial *
finished_trial (guint             number,
                VernierTrialState state,
                gdouble           value)
{
  VernierTrial *t = vernier_trial_new (number, NULL);

  vernier_trial_mark_started (t);
  if (!isnan (value))
    vernier_trial_set_value (t, value);
  vernier_trial_mark_finished (t, state);
  return t;
}

static void
check_best (VernierDirection direction,
            guint            expected)
{
  g_autoptr(VernierSpace) space = make_conditional_space ();
  g_autoptr(VernierObjective) objective = vernier_objective_new ("loss", direction);
  g_autoptr(VernierContext) ctx = vernier_context_new ("s", space, objective, 1, "/tmp");
  g_autoptr(VernierContext) derived = vernier_context_derive (ctx, 2);
  const gdouble values[] = { 3, 1, NAN, 5, 2 };
  const VernierTrialState states[] = {
    VERNIER_TRIAL_STATE_COMPLETE, VERNIER_TRIAL_STATE_COMPLETE, VERNIER_TRIAL_STATE_FAILED,
    VERNIER_TRIAL_STATE_COMPLETE, VERNIER_TRIAL_STATE_PRUNED
  };

  g_assert_null (vernier_context_get_best_trial (ctx));
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(VernierTrial) t = finished_trial (i, states[i], values[i]);
      vernier_context_add_trial (ctx, t);
    }
  g_assert_cmpuint (vernier_context_get_n_trials (derived), ==, 5);
  g_assert_cmpuint (vernier_context_get_seed (derived), ==, 2);
  g_assert_cmpuint (vernier_context_count_state (ctx, VERNIER_TRIAL_STATE_COMPLETE), ==, 3);
  g_assert_cmpuint (vernier_context_count_state (ctx, VERNIER_TRIAL_STATE_FAILED), ==, 1);
  g_assert_cmpuint (vernier_context_count_state (ctx, VERNIER_TRIAL_STATE_PRUNED), ==, 1);
  /* A pruned trial's value never makes it the best. */
  g_assert_cmpuint (vernier_trial_get_number (vernier_context_get_best_trial (derived)), ==, expected);
}

static void
test_context_best (void)
{
  check_best (VERNIER_DIRECTION_MINIMIZE, 1);
  check_best (VERNIER_DIRECTION_MAXIMIZE, 3);
}

static void
test_context_paths (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierObjective) objective = vernier_objective_new ("loss", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierContext) ctx = vernier_context_new ("s", space, objective, 1, "/studies/a");
  g_autofree gchar *rel = vernier_context_resolve_path (ctx, "out/trials.jsonl");
  g_autofree gchar *abs = vernier_context_resolve_path (ctx, "/var/log/x");
  g_autofree gchar *up = vernier_context_resolve_path (ctx, "../b/c");

  g_assert_cmpstr (rel, ==, "/studies/a/out/trials.jsonl");
  g_assert_cmpstr (abs, ==, "/var/log/x");
  g_assert_cmpstr (up, ==, "/studies/b/c");
}

static void
test_objective (void)
{
  g_autoptr(VernierObjective) min = vernier_objective_new ("loss", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierObjective) max = vernier_objective_new ("accuracy", VERNIER_DIRECTION_MAXIMIZE);

  g_assert_true (vernier_objective_is_better (min, 1, 2));
  g_assert_false (vernier_objective_is_better (min, 2, 2));
  g_assert_true (vernier_objective_is_better (max, 2, 1));
  g_assert_cmpfloat (vernier_objective_to_loss (max, 0.9), ==, -0.9);
  g_assert_cmpstr (vernier_objective_get_name (max), ==, "accuracy");
}

static void
test_format_time (void)
{
  /* the epoch, a microsecond after it, now-ish with and without a
   * fraction, a microsecond before the epoch, a leap day */
  const gint64 times[] = { 0, 1, 1795606571949884, 1795606571000000, -1, 951782400123456 };
  g_autofree gchar *leap = vernier_format_time (951782400123456);
  g_autofree gchar *whole = vernier_format_time (1795606571000000);

  g_assert_cmpstr (leap, ==, "2000-02-29T00:00:00.123456Z");
  g_assert_cmpstr (whole, ==, "2026-11-25T11:36:11Z");
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      g_autofree gchar *text = vernier_format_time (times[i]);
      g_autoptr(GDateTime) t = g_date_time_new_from_iso8601 (text, NULL);

      g_assert_nonnull (t);
      g_assert_cmpint (g_date_time_to_unix (t) * G_USEC_PER_SEC + g_date_time_get_microsecond (t),
                       ==, times[i]);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vernier/sdk/duration/parse", test_duration_parse);
  g_test_add_func ("/vernier/sdk/duration/format", test_duration_format);
  g_test_add_func ("/vernier/sdk/json/from-string", test_json_from_string);
  g_test_add_func ("/vernier/sdk/json/from-string-words", test_json_from_string_words);
  g_test_add_func ("/vernier/sdk/json/from-string-two-values", test_json_from_string_two_values);
  g_test_add_func ("/vernier/sdk/json/check-syntax", test_json_check_syntax);
  g_test_add_func ("/vernier/sdk/json/canonical", test_json_canonical);
  g_test_add_func ("/vernier/sdk/json/to-string", test_json_to_string);
  g_test_add_func ("/vernier/sdk/dimension/invalid", test_dimension_invalid);
  g_test_add_func ("/vernier/sdk/dimension/from-unit", test_dimension_from_unit);
  g_test_add_func ("/vernier/sdk/dimension/validate", test_dimension_validate);
  g_test_add_func ("/vernier/sdk/dimension/grid-edge", test_dimension_grid_edge);
  g_test_add_func ("/vernier/sdk/space/conditions", test_space_conditions);
  g_test_add_func ("/vernier/sdk/space/candidates", test_space_candidates);
  g_test_add_func ("/vernier/sdk/trial/lifecycle", test_trial_lifecycle);
  g_test_add_func ("/vernier/sdk/trial/report-threads", test_trial_report_threads);
  g_test_add_func ("/vernier/sdk/context/best", test_context_best);
  g_test_add_func ("/vernier/sdk/context/paths", test_context_paths);
  g_test_add_func ("/vernier/sdk/objective", test_objective);

  g_test_add_func ("/vernier/sdk/format-time", test_format_time);

  return g_test_run ();
}
