#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "vernier-config.h"

/**
 * VernierConfig:
 *
 * A study read from a key file: `[study]`, `[param NAME]`, `[candidates]`,
 * `[tuner]` or `[tuner LABEL]…`, `[trainer]`, `[observer NAME]…` and
 * `[pruner NAME]…` groups. Every error names the file, the group and the
 * key, and says what was expected.
 */
struct _VernierConfig
{
  GObject         parent_instance;

  gchar          *path;
  GKeyFile       *key_file;
  VernierContext *context;
  guint           max_trials;
  guint           parallel;
  gint64          time_budget;
  gint64          trial_timeout;
  gint64          cancel_grace;
  gboolean        has_target;
  gdouble         target;
  guint           retries;
  gint64          heartbeat;
};

G_DEFINE_FINAL_TYPE (VernierConfig, vernier_config, G_TYPE_OBJECT)

static void
vernier_config_finalize (GObject *object)
{
  VernierConfig *self = VERNIER_CONFIG (object);

  g_free (self->path);
  g_clear_pointer (&self->key_file, g_key_file_unref);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (vernier_config_parent_class)->finalize (object);
}

static void
vernier_config_class_init (VernierConfigClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vernier_config_finalize;
}

static void
vernier_config_init (VernierConfig *self)
{
  self->parallel = 1;
  self->cancel_grace = 30 * G_USEC_PER_SEC;
  self->retries = 1;
  self->heartbeat = 10 * G_USEC_PER_SEC;
}

/* @text, cut to @max characters with an ellipsis: a message quotes what
 * the file says, which may be a value of megabytes. */
static gchar *
ellipsize (const gchar *text,
           glong        max)
{
  g_autofree gchar *start = NULL;

  if (!g_utf8_validate (text, -1, NULL))
    return g_utf8_make_valid (text, MIN ((gssize) strlen (text), max));
  if (g_utf8_strlen (text, -1) <= max)
    return g_strdup (text);
  start = g_utf8_substring (text, 0, max - 1);
  return g_strconcat (start, "…", NULL);
}

G_GNUC_PRINTF (5, 6)
static void
config_error (GError      **error,
              const gchar  *path,
              const gchar  *group_name,
              const gchar  *key_name,
              const gchar  *format,
              ...)
{
  g_autofree gchar *full = NULL;
  g_autofree gchar *message = NULL;
  g_autofree gchar *group = group_name != NULL ? ellipsize (group_name, 80) : NULL;
  g_autofree gchar *key = key_name != NULL ? ellipsize (key_name, 80) : NULL;
  va_list args;

  va_start (args, format);
  full = g_strdup_vprintf (format, args);
  va_end (args);
  message = ellipsize (full, 1000);

  if (group != NULL && key != NULL)
    g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                 "%s: [%s] %s: %s", path, group, key, message);
  else if (group != NULL)
    g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                 "%s: [%s]: %s", path, group, message);
  else
    g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                 "%s: %s", path, message);
}

/* ---- bounded reading -------------------------------------------------- */

static void
too_large_error (GError      **error,
                 const gchar  *file,
                 guint64       size,
                 const gchar  *what,
                 const gchar  *hint)
{
  if (size > 0)
    g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                 "%s: %" G_GUINT64_FORMAT " bytes is larger than the %u MiB %s may "
                 "have; %s", file, size, VERNIER_CONFIG_MAX_FILE_SIZE / (1024 * 1024),
                 what, hint);
  else
    g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                 "%s: more than the %u MiB %s may have; %s", file,
                 VERNIER_CONFIG_MAX_FILE_SIZE / (1024 * 1024), what, hint);
}

/* Reads all of @file, which may be a pipe, unless it is larger than
 * VERNIER_CONFIG_MAX_FILE_SIZE: a regular file is refused before it is
 * read, anything else once the limit is passed. @what and @hint complete
 * the message of a file too large. */
static gboolean
read_file_bounded (const gchar  *file,
                   const gchar  *what,
                   const gchar  *hint,
                   gchar       **contents,
                   gsize        *length,
                   GError      **error)
{
  g_autoptr(GString) buffer = NULL;
  g_autofree gchar *chunk = NULL;
  struct stat st;
  gint saved_errno;
  gint fd;

  fd = g_open (file, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "%s: cannot open: %s", file, g_strerror (saved_errno));
      return FALSE;
    }
  if (fstat (fd, &st) != 0)
    {
      saved_errno = errno;
      g_close (fd, NULL);
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "%s: cannot read: %s", file, g_strerror (saved_errno));
      return FALSE;
    }
  if (S_ISDIR (st.st_mode))
    {
      g_close (fd, NULL);
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "%s: a directory, not a file", file);
      return FALSE;
    }
  if (S_ISREG (st.st_mode) && (guint64) st.st_size > VERNIER_CONFIG_MAX_FILE_SIZE)
    {
      g_close (fd, NULL);
      too_large_error (error, file, st.st_size, what, hint);
      return FALSE;
    }

  buffer = g_string_sized_new (S_ISREG (st.st_mode) ? (gsize) st.st_size + 1 : 4096);
  chunk = g_malloc (64 * 1024);
  for (;;)
    {
      gssize n = read (fd, chunk, 64 * 1024);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          saved_errno = errno;
          g_close (fd, NULL);
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                       "%s: cannot read: %s", file, g_strerror (saved_errno));
          return FALSE;
        }
      if (n == 0)
        break;
      /* A file that grew, or a pipe: stop at the limit. */
      if (buffer->len + (gsize) n > VERNIER_CONFIG_MAX_FILE_SIZE)
        {
          g_close (fd, NULL);
          too_large_error (error, file, 0, what, hint);
          return FALSE;
        }
      g_string_append_len (buffer, chunk, n);
    }
  g_close (fd, NULL);

  *length = buffer->len;
  *contents = g_string_free (g_steal_pointer (&buffer), FALSE);
  return TRUE;
}

static const gchar study_file_what[] = "a study file";
static const gchar study_file_hint[] = "a study file names parameters and plugins: "
  "put long lists of configurations in a [candidates] file= or queue them with "
  "`vernier enqueue STUDY --file FILE`";
static const gchar candidates_file_what[] = "a [candidates] file";
static const gchar candidates_file_hint[] = "queue that many configurations with "
  "`vernier enqueue STUDY --file FILE` instead, which reads them line by line";

/* ---- scalar readers: each names file, group and key on error --------- */

/* Whether the raw value of @key ends with a backslash that escapes
 * nothing. GLib 2.74's key file sets its GError a second time (a warning)
 * when such a value also holds an unknown escape such as \=, so that
 * value is refused here before the key file unescapes it. The message
 * has no file, group or key: the caller adds them. */
static gboolean
check_trailing_escape (GKeyFile     *kf,
                       const gchar  *group,
                       const gchar  *key,
                       GError      **error)
{
  g_autofree gchar *raw = g_key_file_get_value (kf, group, key, NULL);

  for (const gchar *p = raw; p != NULL && *p != '\0'; p++)
    if (*p == '\\' && *++p == '\0')
      {
        g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                     "the value ends with a lone backslash; write \\\\ for a "
                     "backslash");
        return FALSE;
      }
  return TRUE;
}

static gboolean
read_string (GKeyFile     *kf,
             const gchar  *path,
             const gchar  *group,
             const gchar  *key,
             gchar       **out,
             GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  gchar *value = NULL;

  /* An unknown escape such as \d is kept as written: the key file gives
   * the text, and an error besides, which is dropped. */
  if (check_trailing_escape (kf, group, key, &local_error))
    value = g_key_file_get_string (kf, group, key, &local_error);

  if (value == NULL)
    {
      config_error (error, path, group, key, "%s", local_error->message);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

static gboolean
parse_double (const gchar *text,
              gdouble     *out)
{
  gchar *end = NULL;
  gdouble v;

  while (g_ascii_isspace (*text))
    text++;
  if (*text == '\0')
    return FALSE;
  errno = 0;
  v = g_ascii_strtod (text, &end);
  while (end != NULL && g_ascii_isspace (*end))
    end++;
  if (errno != 0 || end == NULL || *end != '\0' || !isfinite (v))
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
parse_int64 (const gchar *text,
             gint64      *out)
{
  gchar *end = NULL;
  gint64 v;

  while (g_ascii_isspace (*text))
    text++;
  if (*text == '\0')
    return FALSE;
  errno = 0;
  v = g_ascii_strtoll (text, &end, 10);
  while (end != NULL && g_ascii_isspace (*end))
    end++;
  if (errno != 0 || end == NULL || *end != '\0')
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
parse_uint64 (const gchar *text,
              guint64     *out)
{
  gint64 v;

  while (g_ascii_isspace (*text))
    text++;
  if (*text == '-')
    return FALSE;
  if (!parse_int64 (text, &v))
    {
      gchar *end = NULL;

      errno = 0;
      *out = g_ascii_strtoull (text, &end, 10);
      return errno == 0 && end != text && *end == '\0';
    }
  *out = (guint64) v;
  return TRUE;
}

static gboolean
parse_boolean (const gchar *text,
               gboolean    *out)
{
  static const gchar *yes[] = { "true", "yes", "on", "1", NULL };
  static const gchar *no[] = { "false", "no", "off", "0", NULL };
  g_autofree gchar *lower = g_ascii_strdown (text, -1);

  g_strstrip (lower);
  if (g_strv_contains (yes, lower))
    *out = TRUE;
  else if (g_strv_contains (no, lower))
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

static gboolean
read_double (GKeyFile     *kf,
             const gchar  *path,
             const gchar  *group,
             const gchar  *key,
             gdouble      *out,
             GError      **error)
{
  g_autofree gchar *text = NULL;

  if (!read_string (kf, path, group, key, &text, error))
    return FALSE;
  if (!parse_double (text, out))
    {
      config_error (error, path, group, key, "'%s' is not a number", text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_int64 (GKeyFile     *kf,
            const gchar  *path,
            const gchar  *group,
            const gchar  *key,
            gint64       *out,
            GError      **error)
{
  g_autofree gchar *text = NULL;

  if (!read_string (kf, path, group, key, &text, error))
    return FALSE;
  if (!parse_int64 (text, out))
    {
      config_error (error, path, group, key, "'%s' is not an integer", text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_uint (GKeyFile     *kf,
           const gchar  *path,
           const gchar  *group,
           const gchar  *key,
           guint         minimum,
           guint        *out,
           GError      **error)
{
  g_autofree gchar *text = NULL;
  guint64 v;

  if (!read_string (kf, path, group, key, &text, error))
    return FALSE;
  if (!parse_uint64 (text, &v) || v > G_MAXUINT || v < minimum)
    {
      config_error (error, path, group, key,
                    "'%s' is not a whole number from %u to %u", text, minimum, G_MAXUINT);
      return FALSE;
    }
  *out = (guint) v;
  return TRUE;
}

static gboolean
read_boolean (GKeyFile     *kf,
              const gchar  *path,
              const gchar  *group,
              const gchar  *key,
              gboolean     *out,
              GError      **error)
{
  g_autofree gchar *text = NULL;

  if (!read_string (kf, path, group, key, &text, error))
    return FALSE;
  if (!parse_boolean (text, out))
    {
      config_error (error, path, group, key, "'%s' is not true or false", text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_duration (GKeyFile     *kf,
               const gchar  *path,
               const gchar  *group,
               const gchar  *key,
               gint64       *out,
               GError      **error)
{
  g_autofree gchar *text = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!read_string (kf, path, group, key, &text, error))
    return FALSE;
  if (!vernier_parse_duration (text, out, &local_error))
    {
      config_error (error, path, group, key, "%s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_keys (GKeyFile            *kf,
            const gchar         *path,
            const gchar         *group,
            const gchar * const *valid,
            GError             **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (kf, group, NULL, NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    if (!g_strv_contains (valid, keys[i]))
      {
        g_autofree gchar *list = g_strjoinv (", ", (gchar **) valid);

        config_error (error, path, group, keys[i],
                      "unknown key; valid keys are: %s", list);
        return FALSE;
      }
  return TRUE;
}

/* ---- [study] ---------------------------------------------------------- */

static const gchar *study_keys[] = {
  "name", "objective", "direction", "trials", "time-budget", "target",
  "parallel", "trial-timeout", "cancel-grace", "seed", "storage", "retries",
  "heartbeat", NULL
};

/* The storage plugin: `storage=NAME` in [study] or `plugin=NAME` in
 * [storage] (whose other keys are its properties); else $VERNIER_STORAGE,
 * else sqlite. When both name one and they differ, [study] wins and the
 * group is set aside. The
 * key file gets the plugin key so that [storage] is built like any plugin
 * group. */
static gboolean
parse_storage (VernierConfig  *self,
               GError        **error)
{
  GKeyFile *kf = self->key_file;
  g_autofree gchar *in_study = NULL;
  g_autofree gchar *in_group = NULL;

  if (g_key_file_has_key (kf, "study", "storage", NULL) &&
      !read_string (kf, self->path, "study", "storage", &in_study, error))
    return FALSE;
  if (g_key_file_has_key (kf, "storage", "plugin", NULL) &&
      !read_string (kf, self->path, "storage", "plugin", &in_group, error))
    return FALSE;
  if (in_study != NULL)
    g_strstrip (in_study);
  if (in_group != NULL)
    g_strstrip (in_group);

  /* storage= in [study] wins, as `--set study.storage=memory` means: the
   * [storage] group then describes another storage, and is set aside. */
  if (in_study != NULL && in_group != NULL && !g_str_equal (in_study, in_group))
    {
      g_debug ("%s: storage=%s in [study] replaces [storage] plugin=%s", self->path,
               in_study, in_group);
      g_key_file_remove_group (kf, "storage", NULL);
      g_clear_pointer (&in_group, g_free);
    }
  if (in_study != NULL && *in_study == '\0')
    {
      config_error (error, self->path, "study", "storage", "empty; name a storage "
                    "plugin: sqlite (the default), postgresql or memory");
      return FALSE;
    }
  if (in_group == NULL && in_study == NULL)
    {
      const gchar *from_env = g_getenv ("VERNIER_STORAGE");

      in_study = g_strdup (from_env != NULL && *from_env != '\0' ? from_env : "sqlite");
      /* A [storage] group without plugin= describes the default, sqlite. */
      if (!g_str_equal (in_study, "sqlite"))
        g_key_file_remove_group (kf, "storage", NULL);
    }
  g_key_file_set_string (kf, "storage", "plugin", in_group != NULL ? in_group : in_study);
  return TRUE;
}

static gboolean
parse_study (VernierConfig     *self,
             gchar            **name,
             VernierObjective **objective,
             guint64           *seed,
             GError           **error)
{
  GKeyFile *kf = self->key_file;
  const gchar *path = self->path;
  const gchar *g = "study";
  g_autofree gchar *objective_name = NULL;
  VernierDirection direction = VERNIER_DIRECTION_MINIMIZE;

  if (!g_key_file_has_group (kf, g))
    {
      config_error (error, path, NULL, NULL,
                    "no [study] group; a study file starts with [study] "
                    "(name, objective, direction, trials…)");
      return FALSE;
    }
  if (!check_keys (kf, path, g, study_keys, error))
    return FALSE;

  if (g_key_file_has_key (kf, g, "name", NULL))
    {
      if (!read_string (kf, path, g, "name", name, error))
        return FALSE;
      if (*g_strstrip (*name) == '\0')
        {
          config_error (error, path, g, "name", "the name is empty");
          return FALSE;
        }
    }
  else
    {
      g_autofree gchar *base = g_path_get_basename (path);
      gchar *dot = strrchr (base, '.');

      if (dot != NULL && dot != base)
        *dot = '\0';
      *name = g_strdup (base);
    }

  if (g_key_file_has_key (kf, g, "objective", NULL))
    {
      if (!read_string (kf, path, g, "objective", &objective_name, error))
        return FALSE;
      g_strstrip (objective_name);
      if (*objective_name == '\0')
        {
          config_error (error, path, g, "objective", "the objective name is empty");
          return FALSE;
        }
    }
  else
    objective_name = g_strdup ("value");

  if (g_key_file_has_key (kf, g, "direction", NULL))
    {
      g_autofree gchar *text = NULL;

      if (!read_string (kf, path, g, "direction", &text, error))
        return FALSE;
      g_strstrip (text);
      if (g_ascii_strcasecmp (text, "minimize") == 0 || g_ascii_strcasecmp (text, "min") == 0)
        direction = VERNIER_DIRECTION_MINIMIZE;
      else if (g_ascii_strcasecmp (text, "maximize") == 0 || g_ascii_strcasecmp (text, "max") == 0)
        direction = VERNIER_DIRECTION_MAXIMIZE;
      else
        {
          config_error (error, path, g, "direction",
                        "'%s' is neither minimize nor maximize", text);
          return FALSE;
        }
    }
  *objective = vernier_objective_new (objective_name, direction);

  if (g_key_file_has_key (kf, g, "trials", NULL) &&
      !read_uint (kf, path, g, "trials", 1, &self->max_trials, error))
    return FALSE;
  if (g_key_file_has_key (kf, g, "parallel", NULL) &&
      !read_uint (kf, path, g, "parallel", 1, &self->parallel, error))
    return FALSE;
  if (self->parallel > 4096)
    {
      config_error (error, path, g, "parallel", "%u trials in flight is more "
                    "than the limit of 4096", self->parallel);
      return FALSE;
    }
  if (g_key_file_has_key (kf, g, "time-budget", NULL) &&
      !read_duration (kf, path, g, "time-budget", &self->time_budget, error))
    return FALSE;
  if (g_key_file_has_key (kf, g, "trial-timeout", NULL) &&
      !read_duration (kf, path, g, "trial-timeout", &self->trial_timeout, error))
    return FALSE;
  if (g_key_file_has_key (kf, g, "cancel-grace", NULL) &&
      !read_duration (kf, path, g, "cancel-grace", &self->cancel_grace, error))
    return FALSE;
  if (g_key_file_has_key (kf, g, "retries", NULL) &&
      !read_uint (kf, path, g, "retries", 0, &self->retries, error))
    return FALSE;
  if (g_key_file_has_key (kf, g, "heartbeat", NULL))
    {
      if (!read_duration (kf, path, g, "heartbeat", &self->heartbeat, error))
        return FALSE;
      if (self->heartbeat < G_USEC_PER_SEC / 10)
        {
          config_error (error, path, g, "heartbeat", "a heartbeat more often than "
                        "every 100ms would load the storage for nothing");
          return FALSE;
        }
    }
  if (!parse_storage (self, error))
    return FALSE;
  if (g_key_file_has_key (kf, g, "target", NULL))
    {
      if (!read_double (kf, path, g, "target", &self->target, error))
        return FALSE;
      self->has_target = TRUE;
    }
  if (g_key_file_has_key (kf, g, "seed", NULL))
    {
      g_autofree gchar *text = NULL;

      if (!read_string (kf, path, g, "seed", &text, error))
        return FALSE;
      if (!parse_uint64 (text, seed))
        {
          config_error (error, path, g, "seed", "'%s' is not a whole number "
                        "from 0 to %" G_GUINT64_FORMAT, text, G_MAXUINT64);
          return FALSE;
        }
    }
  else
    *seed = ((guint64) g_random_int () << 32) | g_random_int ();

  return TRUE;
}

/* ---- [param NAME] ----------------------------------------------------- */

static const gchar *param_keys[] = {
  "type", "low", "high", "log", "step", "choices", "condition", NULL
};

static gboolean
parse_param (VernierConfig  *self,
             VernierSpace   *space,
             const gchar    *group,
             GError        **error)
{
  GKeyFile *kf = self->key_file;
  const gchar *path = self->path;
  /* group_is() also takes a bare [param], which has no name. */
  const gchar *name = group + strlen ("param");
  g_autoptr(VernierDimension) dim = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *type = NULL;
  gboolean log = FALSE;

  while (*name == ' ')
    name++;
  if (*name == '\0')
    {
      config_error (error, path, group, NULL, "a parameter group is [param NAME]");
      return FALSE;
    }
  if (!check_keys (kf, path, group, param_keys, error))
    return FALSE;

  if (g_key_file_has_key (kf, group, "type", NULL))
    {
      if (!read_string (kf, path, group, "type", &type, error))
        return FALSE;
      g_strstrip (type);
    }
  else if (g_key_file_has_key (kf, group, "choices", NULL))
    type = g_strdup ("categorical");
  else
    {
      config_error (error, path, group, "type",
                    "missing; expected type=float, int or categorical");
      return FALSE;
    }

  if (g_key_file_has_key (kf, group, "log", NULL) &&
      !read_boolean (kf, path, group, "log", &log, error))
    return FALSE;

  if (g_str_equal (type, "float") || g_str_equal (type, "int"))
    {
      gboolean is_int = g_str_equal (type, "int");
      static const gchar *bounds[] = { "low", "high" };

      for (guint i = 0; i < G_N_ELEMENTS (bounds); i++)
        if (!g_key_file_has_key (kf, group, bounds[i], NULL))
          {
            config_error (error, path, group, bounds[i], "missing; a%s %s parameter "
                          "needs low= and high=", is_int ? "n" : "", type);
            return FALSE;
          }
      if (g_key_file_has_key (kf, group, "choices", NULL))
        {
          config_error (error, path, group, "choices",
                        "only categorical parameters have choices");
          return FALSE;
        }

      if (is_int)
        {
          gint64 low, high, step = 1;

          if (!read_int64 (kf, path, group, "low", &low, error) ||
              !read_int64 (kf, path, group, "high", &high, error))
            return FALSE;
          if (g_key_file_has_key (kf, group, "step", NULL) &&
              !read_int64 (kf, path, group, "step", &step, error))
            return FALSE;
          if (step <= 0)
            {
              config_error (error, path, group, "step", "must be a positive integer");
              return FALSE;
            }
          dim = vernier_dimension_new_int (name, low, high, log, step, &local_error);
        }
      else
        {
          gdouble low, high, step = 0;

          if (!read_double (kf, path, group, "low", &low, error) ||
              !read_double (kf, path, group, "high", &high, error))
            return FALSE;
          if (g_key_file_has_key (kf, group, "step", NULL))
            {
              if (!read_double (kf, path, group, "step", &step, error))
                return FALSE;
              if (step <= 0)
                {
                  config_error (error, path, group, "step", "must be positive");
                  return FALSE;
                }
            }
          dim = vernier_dimension_new_float (name, low, high, log, step, &local_error);
        }
    }
  else if (g_str_equal (type, "categorical"))
    {
      g_auto(GStrv) items = NULL;
      g_autoptr(JsonArray) choices = json_array_new ();

      if (!g_key_file_has_key (kf, group, "choices", NULL))
        {
          config_error (error, path, group, "choices",
                        "missing; a categorical parameter needs choices=a;b;c");
          return FALSE;
        }
      for (guint i = 0; i < 3; i++)
        {
          static const gchar *numeric[] = { "low", "high", "step" };

          if (g_key_file_has_key (kf, group, numeric[i], NULL))
            {
              config_error (error, path, group, numeric[i],
                            "a categorical parameter has choices, not %s", numeric[i]);
              return FALSE;
            }
        }
      if (check_trailing_escape (kf, group, "choices", &local_error))
        items = g_key_file_get_string_list (kf, group, "choices", NULL, &local_error);
      if (items == NULL)
        {
          config_error (error, path, group, "choices", "%s", local_error->message);
          return FALSE;
        }
      for (guint i = 0; items[i] != NULL; i++)
        json_array_add_element (choices, vernier_json_node_from_string (items[i]));
      dim = vernier_dimension_new_categorical (name, choices, &local_error);
    }
  else
    {
      config_error (error, path, group, "type",
                    "'%s' is not a parameter type; expected float, int or categorical",
                    type);
      return FALSE;
    }

  if (dim == NULL)
    {
      config_error (error, path, group, NULL, "%s", local_error->message);
      return FALSE;
    }

  if (g_key_file_has_key (kf, group, "condition", NULL))
    {
      g_autofree gchar *text = NULL;
      g_autoptr(JsonNode) value = NULL;
      gchar *eq;

      if (!read_string (kf, path, group, "condition", &text, error))
        return FALSE;
      eq = strchr (text, '=');
      if (eq == NULL || eq == text)
        {
          config_error (error, path, group, "condition",
                        "'%s' is not PARAMETER=VALUE (e.g. condition=optimizer=sgd)",
                        text);
          return FALSE;
        }
      *eq = '\0';
      g_strstrip (text);
      value = vernier_json_node_from_string (eq + 1);
      vernier_dimension_set_condition (dim, text, value);
    }

  if (!vernier_space_add (space, dim, &local_error))
    {
      config_error (error, path, group, NULL, "%s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* ---- [candidates] ----------------------------------------------------- */

static gboolean
add_candidate_text (VernierConfig  *self,
                    VernierSpace   *space,
                    const gchar    *text,
                    const gchar    *where,
                    GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  /* Checked before json-glib, which leaks on some invalid input. */
  if (!vernier_json_check_syntax (text, -1, VERNIER_JSON_MAX_DEPTH, &local_error))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "%s: not JSON: %s%s", where, local_error->message,
                   g_str_has_prefix (local_error->message, "more than one value")
                   ? "; write one candidate per key or per line" : "");
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, text, -1, &local_error))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "%s: not JSON: %s", where, local_error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "%s: a candidate is a JSON object such as {\"x\": 1.5}", where);
      return FALSE;
    }
  if (!vernier_space_add_candidate (space, json_node_get_object (root), &local_error))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "%s: %s", where, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_candidates (VernierConfig  *self,
                  VernierSpace   *space,
                  const gchar    *base_dir,
                  GError        **error)
{
  GKeyFile *kf = self->key_file;
  const gchar *g = "candidates";
  g_auto(GStrv) keys = g_key_file_get_keys (kf, g, NULL, NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree gchar *value = NULL;
      g_autofree gchar *where = NULL;

      if (!read_string (kf, self->path, g, keys[i], &value, error))
        return FALSE;

      if (g_str_equal (keys[i], "file"))
        {
          g_autofree gchar *file = g_canonicalize_filename (value, base_dir);
          g_autofree gchar *contents = NULL;
          g_autoptr(GError) local_error = NULL;
          g_auto(GStrv) lines = NULL;
          gsize length;

          if (!read_file_bounded (file, candidates_file_what, candidates_file_hint,
                                  &contents, &length, &local_error))
            {
              config_error (error, self->path, g, "file", "%s", local_error->message);
              return FALSE;
            }
          lines = g_strsplit (contents, "\n", -1);
          for (guint l = 0; lines[l] != NULL; l++)
            {
              g_autofree gchar *line_where = NULL;

              if (*g_strstrip (lines[l]) == '\0' || lines[l][0] == '#')
                continue;
              line_where = g_strdup_printf ("%s: [%s] file: %s:%u", self->path, g, file, l + 1);
              if (!add_candidate_text (self, space, lines[l], line_where, error))
                return FALSE;
            }
          continue;
        }

      where = g_strdup_printf ("%s: [%s] %s", self->path, g, keys[i]);
      if (!add_candidate_text (self, space, value, where, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- groups ----------------------------------------------------------- */

static gboolean
group_is (const gchar *group,
          const gchar *kind)
{
  gsize n = strlen (kind);

  return strncmp (group, kind, n) == 0 && (group[n] == '\0' || group[n] == ' ');
}

static gboolean
check_groups (VernierConfig  *self,
              GError        **error)
{
  gsize n_groups = 0;
  g_auto(GStrv) groups = g_key_file_get_groups (self->key_file, &n_groups);
  guint trainers = 0;

  /* Bounded time and memory for every trial: the file size alone would
   * allow half a million parameters, each in every trial's record. */
  if (n_groups > VERNIER_CONFIG_MAX_GROUPS)
    {
      config_error (error, self->path, NULL, NULL,
                    "%" G_GSIZE_FORMAT " groups are more than the %u a study file may "
                    "have; a study searches tens of parameters, not thousands",
                    n_groups, VERNIER_CONFIG_MAX_GROUPS);
      return FALSE;
    }

  for (guint i = 0; groups[i] != NULL; i++)
    {
      const gchar *g = groups[i];

      if (g_str_equal (g, "study") || g_str_equal (g, "candidates") ||
          g_str_equal (g, "storage") ||
          group_is (g, "param") || group_is (g, "tuner") ||
          group_is (g, "observer") || group_is (g, "pruner"))
        continue;
      if (group_is (g, "trainer"))
        {
          if (++trainers > 1)
            {
              config_error (error, self->path, g, NULL,
                            "a study has one trainer; this is the second");
              return FALSE;
            }
          continue;
        }
      config_error (error, self->path, g, NULL,
                    "unknown group; valid groups are [study], [param NAME], "
                    "[candidates], [tuner] or [tuner LABEL], [trainer], "
                    "[observer NAME], [pruner NAME], [storage]");
      return FALSE;
    }
  return TRUE;
}

/* What a key file takes as a group or a key name (a key's `[locale]`
 * suffix aside, which an override has no use for). */
static gboolean
is_key_file_name (const gchar *name)
{
  if (*name == '\0' || !g_utf8_validate (name, -1, NULL))
    return FALSE;
  for (const gchar *p = name; *p != '\0'; p++)
    if (*p == '[' || *p == ']' || *p == '=' || g_ascii_iscntrl (*p))
      return FALSE;
  return TRUE;
}

static gboolean
apply_override (GKeyFile     *kf,
                const gchar  *override,
                GError      **error)
{
  const gchar *eq = strchr (override, '=');
  g_autofree gchar *lhs = NULL;
  gchar *dot;

  if (eq == NULL)
    goto bad;
  lhs = g_strndup (override, eq - override);
  dot = strrchr (lhs, '.');
  if (dot == NULL || dot == lhs || dot[1] == '\0')
    goto bad;
  *dot = '\0';
  g_strstrip (lhs);
  g_strstrip (dot + 1);
  if (!is_key_file_name (lhs) || !is_key_file_name (dot + 1) ||
      !g_utf8_validate (eq + 1, -1, NULL))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "--set %s: a group or key name is empty, or holds '[', ']' or "
                   "a control character, or the text is not UTF-8; write "
                   "GROUP.KEY=VALUE, such as study.trials=50", override);
      return FALSE;
    }
  g_key_file_set_value (kf, lhs, dot + 1, eq + 1);
  return TRUE;

bad:
  g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
               "--set %s: expected GROUP.KEY=VALUE, such as study.trials=50 "
               "or 'tuner 1.trials=10'", override);
  return FALSE;
}

static VernierConfig *
config_load (GKeyFile             *kf,
             const gchar          *path,
             const gchar * const  *overrides,
             GError              **error)
{
  g_autoptr(VernierConfig) self = g_object_new (VERNIER_TYPE_CONFIG, NULL);
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierObjective) objective = NULL;
  g_autofree gchar *name = NULL;
  g_autofree gchar *abs = g_canonicalize_filename (path, NULL);
  g_autofree gchar *base_dir = g_path_get_dirname (abs);
  g_auto(GStrv) groups = NULL;
  guint64 seed = 0;

  self->path = g_strdup (path);
  self->key_file = g_key_file_ref (kf);

  for (guint i = 0; overrides != NULL && overrides[i] != NULL; i++)
    if (!apply_override (kf, overrides[i], error))
      return NULL;

  if (!check_groups (self, error) ||
      !parse_study (self, &name, &objective, &seed, error))
    return NULL;

  groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    if (group_is (groups[i], "param") && !parse_param (self, space, groups[i], error))
      return NULL;

  if (g_key_file_has_group (kf, "candidates") &&
      !parse_candidates (self, space, base_dir, error))
    return NULL;

  if (vernier_space_is_empty (space))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_EMPTY_SPACE,
                   "%s: the search space is empty: add [param NAME] groups "
                   "(type=float, int or categorical) or a [candidates] group",
                   path);
      return NULL;
    }

  self->context = vernier_context_new (name, space, objective, seed, base_dir);
  return g_steal_pointer (&self);
}

/**
 * vernier_config_new_from_file:
 * @path: (type filename): a study file
 * @overrides: (nullable) (array zero-terminated=1): `GROUP.KEY=VALUE`
 *   strings applied over the file, as `vernier run --set` gives them
 * @error: return location for a #GError
 *
 * Reads a study file and checks its `[study]`, `[param]` and
 * `[candidates]` groups. Plugin groups are checked by
 * vernier_config_create_study(), which loads the plugins.
 *
 * A file (or a `[candidates]` file) larger than
 * %VERNIER_CONFIG_MAX_FILE_SIZE is refused before it is read; a pipe, as
 * soon as it has given that much.
 *
 * Returns: (transfer full): the configuration, or %NULL with
 *   %VERNIER_ERROR_INVALID_CONFIG or %VERNIER_ERROR_EMPTY_SPACE
 */
VernierConfig *
vernier_config_new_from_file (const gchar          *path,
                              const gchar * const  *overrides,
                              GError              **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *contents = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);

  if (!read_file_bounded (path, study_file_what, study_file_hint, &contents, &length, error))
    return NULL;
  if (!g_key_file_load_from_data (kf, contents, length, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "%s: %s", path, local_error->message);
      return NULL;
    }
  return config_load (kf, path, overrides, error);
}

/**
 * vernier_config_new_from_data:
 * @data: the study file's text
 * @length: its length, or -1 if nul-terminated
 * @path: (type filename): the name to use in messages; relative paths in
 *   the study resolve against its directory
 * @overrides: (nullable) (array zero-terminated=1): `GROUP.KEY=VALUE`
 *   overrides
 * @error: return location for a #GError
 *
 * Like vernier_config_new_from_file(), from text, which is refused when
 * longer than %VERNIER_CONFIG_MAX_FILE_SIZE.
 *
 * Returns: (transfer full): the configuration, or %NULL with @error set
 */
VernierConfig *
vernier_config_new_from_data (const gchar          *data,
                              gssize                length,
                              const gchar          *path,
                              const gchar * const  *overrides,
                              GError              **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (length < 0)
    length = strlen (data);
  if ((gsize) length > VERNIER_CONFIG_MAX_FILE_SIZE)
    {
      too_large_error (error, path, length, study_file_what, study_file_hint);
      return NULL;
    }
  if (!g_key_file_load_from_data (kf, data, length, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "%s: %s", path, local_error->message);
      return NULL;
    }
  return config_load (kf, path, overrides, error);
}

/**
 * vernier_config_get_path:
 * @self: a #VernierConfig
 *
 * Returns: (type filename): the study file's path
 */
const gchar *
vernier_config_get_path (VernierConfig *self)
{
  g_return_val_if_fail (VERNIER_IS_CONFIG (self), NULL);
  return self->path;
}

/**
 * vernier_config_get_study_name:
 * @self: a #VernierConfig
 *
 * Returns: the study's name: `[study] name`, or the file's base name
 */
const gchar *
vernier_config_get_study_name (VernierConfig *self)
{
  g_return_val_if_fail (VERNIER_IS_CONFIG (self), NULL);
  return vernier_context_get_study_name (self->context);
}

/**
 * vernier_config_get_context:
 * @self: a #VernierConfig
 *
 * Returns: (transfer none): the study's context (space, objective, seed)
 */
VernierContext *
vernier_config_get_context (VernierConfig *self)
{
  g_return_val_if_fail (VERNIER_IS_CONFIG (self), NULL);
  return self->context;
}

/* ---- plugin properties ------------------------------------------------ */

/**
 * vernier_config_describe_pspec:
 * @pspec: a property of a plugin
 *
 * Describes a property's type, range and default the way `vernier
 * inspect` prints them.
 *
 * Returns: (transfer full): the description
 */
gchar *
vernier_config_describe_pspec (GParamSpec *pspec)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (pspec);

  if (vernier_param_spec_is_duration (pspec))
    {
      GParamSpecInt64 *p = G_PARAM_SPEC_INT64 (pspec);
      g_autofree gchar *lo = vernier_format_duration (p->minimum);
      g_autofree gchar *hi = p->maximum >= G_MAXINT64 / 2
        ? g_strdup ("unlimited") : vernier_format_duration (p->maximum);
      g_autofree gchar *def = vernier_format_duration (p->default_value);

      return g_strdup_printf ("duration, %s to %s, default %s", lo, hi, def);
    }
  if (G_IS_PARAM_SPEC_BOOLEAN (pspec))
    return g_strdup_printf ("true or false, default %s",
                            G_PARAM_SPEC_BOOLEAN (pspec)->default_value ? "true" : "false");
  if (G_IS_PARAM_SPEC_INT (pspec))
    {
      GParamSpecInt *p = G_PARAM_SPEC_INT (pspec);
      return g_strdup_printf ("integer, %d to %d, default %d", p->minimum, p->maximum, p->default_value);
    }
  if (G_IS_PARAM_SPEC_UINT (pspec))
    {
      GParamSpecUInt *p = G_PARAM_SPEC_UINT (pspec);
      return g_strdup_printf ("unsigned integer, %u to %u, default %u", p->minimum, p->maximum, p->default_value);
    }
  if (G_IS_PARAM_SPEC_INT64 (pspec))
    {
      GParamSpecInt64 *p = G_PARAM_SPEC_INT64 (pspec);
      return g_strdup_printf ("integer, %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
                              ", default %" G_GINT64_FORMAT, p->minimum, p->maximum, p->default_value);
    }
  if (G_IS_PARAM_SPEC_UINT64 (pspec))
    {
      GParamSpecUInt64 *p = G_PARAM_SPEC_UINT64 (pspec);
      return g_strdup_printf ("unsigned integer, %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT
                              ", default %" G_GUINT64_FORMAT, p->minimum, p->maximum, p->default_value);
    }
  if (G_IS_PARAM_SPEC_DOUBLE (pspec))
    {
      GParamSpecDouble *p = G_PARAM_SPEC_DOUBLE (pspec);
      return g_strdup_printf ("number, %g to %g, default %g", p->minimum, p->maximum, p->default_value);
    }
  if (G_IS_PARAM_SPEC_STRING (pspec))
    {
      const gchar *def = G_PARAM_SPEC_STRING (pspec)->default_value;
      return def ? g_strdup_printf ("string, default \"%s\"", def) : g_strdup ("string, no default");
    }
  if (G_IS_PARAM_SPEC_ENUM (pspec))
    {
      GParamSpecEnum *p = G_PARAM_SPEC_ENUM (pspec);
      g_autoptr(GString) s = g_string_new ("one of ");
      const gchar *def = NULL;

      for (guint i = 0; i < p->enum_class->n_values; i++)
        {
          g_string_append_printf (s, "%s%s", i ? ", " : "", p->enum_class->values[i].value_nick);
          if (p->enum_class->values[i].value == p->default_value)
            def = p->enum_class->values[i].value_nick;
        }
      if (def != NULL)
        g_string_append_printf (s, "; default %s", def);
      return g_string_free (g_steal_pointer (&s), FALSE);
    }
  if (type == G_TYPE_STRV)
    return g_strdup ("list of strings, separated by ;");
  return g_strdup (g_type_name (type));
}

static gboolean
number_in_range (GParamSpec *pspec,
                 GValue     *value)
{
  g_auto(GValue) copy = G_VALUE_INIT;

  g_value_init (&copy, G_VALUE_TYPE (value));
  g_value_copy (value, &copy);
  return !g_param_value_validate (pspec, &copy);
}

/**
 * vernier_config_parse_value:
 * @pspec: the property
 * @key_file: the study file
 * @group: the group
 * @key: the key, named like the property
 * @value: (out caller-allocates): an uninitialized #GValue
 * @error: return location for a #GError
 *
 * Reads a key as the property's type says: integers and numbers within the
 * property's range, booleans, strings, enums by nick, string lists
 * (`a;b;c`) and durations (`30s`).
 *
 * Returns: %TRUE with @value set; %FALSE with
 *   %VERNIER_ERROR_INVALID_CONFIG (without the file and group, which the
 *   caller adds)
 */
gboolean
vernier_config_parse_value (GParamSpec   *pspec,
                            GKeyFile     *key_file,
                            const gchar  *group,
                            const gchar  *key,
                            GValue       *value,
                            GError      **error)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (pspec);
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *expected = vernier_config_describe_pspec (pspec);

  if (!check_trailing_escape (key_file, group, key, error))
    return FALSE;

  if (type == G_TYPE_STRV)
    {
      g_auto(GStrv) list = g_key_file_get_string_list (key_file, group, key, NULL, &local_error);

      if (list == NULL && local_error != NULL &&
          !g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE))
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG, "%s",
                       local_error->message);
          return FALSE;
        }
      if (list == NULL && local_error != NULL)
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                       "%s (in a list, write \\; for a literal ';' and \\\\ "
                       "for a backslash)", local_error->message);
          return FALSE;
        }
      if (list == NULL)
        list = g_new0 (gchar *, 1);
      g_value_init (value, G_TYPE_STRV);
      g_value_take_boxed (value, g_steal_pointer (&list));
      return TRUE;
    }

  text = g_key_file_get_string (key_file, group, key, &local_error);
  if (text == NULL)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG, "%s",
                   local_error->message);
      return FALSE;
    }
  /* An unknown escape such as \d (in a regex) is kept as written: the key
   * file gives the text, and an error besides, which is dropped as
   * read_string() drops it. */
  g_clear_error (&local_error);

  g_value_init (value, type);

  if (vernier_param_spec_is_duration (pspec))
    {
      gint64 usec;

      if (!vernier_parse_duration (text, &usec, &local_error))
        goto bad;
      g_value_set_int64 (value, usec);
    }
  else if (type == G_TYPE_BOOLEAN)
    {
      gboolean b;

      if (!parse_boolean (text, &b))
        goto bad;
      g_value_set_boolean (value, b);
    }
  else if (type == G_TYPE_INT || type == G_TYPE_LONG || type == G_TYPE_INT64)
    {
      gint64 v;

      if (!parse_int64 (text, &v))
        goto bad;
      if (type == G_TYPE_INT)
        {
          if (v < G_MININT || v > G_MAXINT)
            goto bad;
          g_value_set_int (value, (gint) v);
        }
      else if (type == G_TYPE_LONG)
        g_value_set_long (value, (glong) v);
      else
        g_value_set_int64 (value, v);
    }
  else if (type == G_TYPE_UINT || type == G_TYPE_ULONG || type == G_TYPE_UINT64)
    {
      guint64 v;

      if (!parse_uint64 (text, &v))
        goto bad;
      if (type == G_TYPE_UINT)
        {
          if (v > G_MAXUINT)
            goto bad;
          g_value_set_uint (value, (guint) v);
        }
      else if (type == G_TYPE_ULONG)
        g_value_set_ulong (value, (gulong) v);
      else
        g_value_set_uint64 (value, v);
    }
  else if (type == G_TYPE_DOUBLE || type == G_TYPE_FLOAT)
    {
      gdouble v;

      if (!parse_double (text, &v))
        goto bad;
      if (type == G_TYPE_DOUBLE)
        g_value_set_double (value, v);
      else
        g_value_set_float (value, (gfloat) v);
    }
  else if (type == G_TYPE_STRING)
    g_value_set_string (value, text);
  else if (G_TYPE_IS_ENUM (type))
    {
      GEnumClass *klass = G_PARAM_SPEC_ENUM (pspec)->enum_class;
      GEnumValue *ev;

      g_strstrip (text);
      ev = g_enum_get_value_by_nick (klass, text);
      if (ev == NULL)
        ev = g_enum_get_value_by_name (klass, text);
      if (ev == NULL)
        goto bad;
      g_value_set_enum (value, ev->value);
    }
  else
    {
      g_value_unset (value);
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "property of type %s cannot be set from a study file",
                   g_type_name (type));
      return FALSE;
    }

  if (!number_in_range (pspec, value))
    goto bad;
  return TRUE;

bad:
  g_value_unset (value);
  g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
               "'%s' is not valid (expected %s)", text, expected);
  return FALSE;
}

static gchar *
list_properties (GObjectClass *klass)
{
  g_autoptr(GString) s = g_string_new (NULL);
  guint n = 0;
  g_autofree GParamSpec **pspecs = g_object_class_list_properties (klass, &n);

  for (guint i = 0; i < n; i++)
    if (pspecs[i]->flags & G_PARAM_WRITABLE)
      g_string_append_printf (s, "%s%s", s->len ? ", " : "", pspecs[i]->name);
  if (s->len == 0)
    g_string_append (s, "none");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/**
 * vernier_config_create_plugin:
 * @registry: where to find the plugin
 * @kind: `tuner`, `trainer`, `observer` or `pruner`
 * @key_file: the study file
 * @group: the plugin's group
 * @skip_keys: (nullable) (array zero-terminated=1): keys that are not
 *   properties (besides `plugin`)
 * @path: (type filename): the study file's path, for messages
 * @error: return location for a #GError
 *
 * Creates the plugin a group names with `plugin=`, every other key setting
 * the property of that name.
 *
 * Returns: (transfer full): the plugin object, or %NULL with @error set
 *   naming the file, group and key
 */
GObject *
vernier_config_create_plugin (VernierRegistry      *registry,
                              const gchar          *kind,
                              GKeyFile             *key_file,
                              const gchar          *group,
                              const gchar * const  *skip_keys,
                              const gchar          *path,
                              GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *plugin = NULL;
  g_auto(GStrv) keys = NULL;
  g_autoptr(GTypeClass) klass = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GArray) values = g_array_new (FALSE, TRUE, sizeof (GValue));
  g_autoptr(GHashTable) seen_keys = g_hash_table_new (g_str_hash, g_str_equal);
  GObject *object;
  GType type;

  g_array_set_clear_func (values, (GDestroyNotify) g_value_unset);

  if (!g_key_file_has_key (key_file, group, "plugin", NULL))
    {
      config_error (error, path, group, "plugin", "missing; say which %s to use, "
                    "e.g. plugin=NAME (`vernier plugins` lists them)", kind);
      return NULL;
    }
  if (!read_string (key_file, path, group, "plugin", &plugin, error))
    return NULL;
  g_strstrip (plugin);

  type = vernier_registry_lookup_type (registry, kind, plugin, &local_error);
  if (type == G_TYPE_INVALID)
    {
      config_error (error, path, group, "plugin", "%s", local_error->message);
      if (error != NULL && *error != NULL)
        (*error)->code = VERNIER_ERROR_PLUGIN_LOAD;
      return NULL;
    }

  klass = g_type_class_ref (type);
  keys = g_key_file_get_keys (key_file, group, NULL, NULL);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      GParamSpec *pspec;
      GValue value = G_VALUE_INIT;

      if (g_str_equal (keys[i], "plugin") ||
          (skip_keys != NULL && g_strv_contains (skip_keys, keys[i])))
        continue;
      /* A key written twice (or in a group written twice) is listed
       * twice; the key file gives its last value, once. */
      if (!g_hash_table_add (seen_keys, keys[i]))
        continue;

      pspec = g_object_class_find_property (G_OBJECT_CLASS (klass), keys[i]);
      if (pspec == NULL || !(pspec->flags & G_PARAM_WRITABLE))
        {
          g_autofree gchar *valid = list_properties (G_OBJECT_CLASS (klass));

          config_error (error, path, group, keys[i],
                        "%s '%s' has no property '%s'; its properties are: %s%s%s",
                        kind, plugin, keys[i], valid,
                        skip_keys != NULL ? "; and for the study: " : "",
                        skip_keys != NULL ? skip_keys[0] : "");
          return NULL;
        }

      /* max-output-line and max_output_line name one property. */
      if (g_ptr_array_find (names, pspec->name, NULL))
        {
          config_error (error, path, group, keys[i], "sets the property '%s' of %s '%s' "
                        "a second time; keep one of the keys", pspec->name, kind, plugin);
          return NULL;
        }

      if (!vernier_config_parse_value (pspec, key_file, group, keys[i], &value, &local_error))
        {
          config_error (error, path, group, keys[i], "%s", local_error->message);
          return NULL;
        }
      g_ptr_array_add (names, (gpointer) pspec->name);
      g_array_append_val (values, value);
    }

  object = g_object_new_with_properties (type, names->len, (const gchar **) names->pdata,
                                         (const GValue *) values->data);
  /* How the study's messages name it. */
  g_object_set_data_full (object, "vernier-label",
                          g_strdup_printf ("%s: [%s]", path, group), g_free);
  return object;
}

/**
 * vernier_config_has_key:
 * @self: a #VernierConfig
 * @group: a group of the study file
 * @key: a key
 *
 * Whether the study file (with its overrides) sets @key in @group: a
 * default of the user's own applies only where it does not.
 *
 * Returns: %TRUE if the key is set
 */
gboolean
vernier_config_has_key (VernierConfig *self,
                        const gchar   *group,
                        const gchar   *key)
{
  g_return_val_if_fail (VERNIER_IS_CONFIG (self), FALSE);
  return g_key_file_has_key (self->key_file, group, key, NULL);
}

/**
 * vernier_config_create_storage:
 * @self: a #VernierConfig
 * @registry: where to find the plugins
 * @error: return location for a #GError
 *
 * Creates the study's storage: `storage=` of `[study]` or the `[storage]`
 * group (whose keys set its properties); the `sqlite` plugin when the
 * file names none.
 *
 * Returns: (transfer full): the storage, not opened yet, or %NULL with
 *   @error set
 */
VernierStorage *
vernier_config_create_storage (VernierConfig    *self,
                               VernierRegistry  *registry,
                               GError          **error)
{
  GObject *object;

  g_return_val_if_fail (VERNIER_IS_CONFIG (self), NULL);
  g_return_val_if_fail (VERNIER_IS_REGISTRY (registry), NULL);

  object = vernier_config_create_plugin (registry, "storage", self->key_file, "storage",
                                         NULL, self->path, error);
  return object != NULL ? VERNIER_STORAGE (object) : NULL;
}

/**
 * vernier_config_create_study:
 * @self: a #VernierConfig
 * @registry: where to find the plugins
 * @error: return location for a #GError
 *
 * Loads the plugins the study file names, sets their properties, and
 * builds the study: tuners in file order, the trainer, observers and
 * pruners in file order, the budget.
 *
 * Returns: (transfer full): the study, ready to run, or %NULL with @error
 *   set (%VERNIER_ERROR_INVALID_CONFIG or %VERNIER_ERROR_PLUGIN_LOAD)
 */
VernierStudy *
vernier_config_create_study (VernierConfig    *self,
                             VernierRegistry  *registry,
                             GError          **error)
{
  g_autoptr(VernierStudy) study = NULL;
  g_autoptr(VernierStorage) storage = NULL;
  g_auto(GStrv) groups = NULL;
  static const gchar *tuner_skip[] = { "trials", NULL };
  gboolean has_trainer = FALSE, has_tuner = FALSE;

  g_return_val_if_fail (VERNIER_IS_CONFIG (self), NULL);
  g_return_val_if_fail (VERNIER_IS_REGISTRY (registry), NULL);

  storage = vernier_config_create_storage (self, registry, error);
  if (storage == NULL)
    return NULL;

  study = vernier_study_new (self->context);
  vernier_study_set_storage (study, storage);
  vernier_study_set_retries (study, self->retries);
  vernier_study_set_heartbeat (study, self->heartbeat);
  vernier_study_set_max_trials (study, self->max_trials);
  vernier_study_set_parallel (study, self->parallel);
  vernier_study_set_time_budget (study, self->time_budget);
  vernier_study_set_trial_timeout (study, self->trial_timeout);
  vernier_study_set_cancel_grace (study, self->cancel_grace);
  if (self->has_target)
    vernier_study_set_target (study, self->target);

  groups = g_key_file_get_groups (self->key_file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      const gchar *g = groups[i];
      g_autoptr(GObject) object = NULL;

      if (group_is (g, "tuner"))
        {
          g_autofree gchar *label = g_strdup_printf ("%s: [%s]", self->path, g);
          guint quota = 0;

          if (g_key_file_has_key (self->key_file, g, "trials", NULL) &&
              !read_uint (self->key_file, self->path, g, "trials", 1, &quota, error))
            return NULL;
          object = vernier_config_create_plugin (registry, "tuner", self->key_file, g,
                                                 tuner_skip, self->path, error);
          if (object == NULL)
            return NULL;
          vernier_study_add_tuner (study, VERNIER_TUNER (object), label, quota);
          has_tuner = TRUE;
        }
      else if (group_is (g, "trainer"))
        {
          object = vernier_config_create_plugin (registry, "trainer", self->key_file, g,
                                                 NULL, self->path, error);
          if (object == NULL)
            return NULL;
          vernier_study_set_trainer (study, VERNIER_TRAINER (object));
          has_trainer = TRUE;
        }
      else if (group_is (g, "observer") || group_is (g, "pruner"))
        {
          const gchar *kind = group_is (g, "observer") ? "observer" : "pruner";

          object = vernier_config_create_plugin (registry, kind, self->key_file, g,
                                                 NULL, self->path, error);
          if (object == NULL)
            return NULL;

          /* An observer that shows progress learns the budget. */
          if (self->max_trials > 0 &&
              !g_key_file_has_key (self->key_file, g, "total", NULL))
            {
              GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), "total");

              if (pspec != NULL && G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_UINT &&
                  (pspec->flags & G_PARAM_WRITABLE) && !(pspec->flags & G_PARAM_CONSTRUCT_ONLY))
                g_object_set (object, "total", self->max_trials, NULL);
            }

          if (VERNIER_IS_OBSERVER (object))
            vernier_study_add_observer (study, VERNIER_OBSERVER (object));
          else
            vernier_study_add_pruner (study, VERNIER_PRUNER (object));
        }
    }

  if (!has_trainer)
    {
      config_error (error, self->path, NULL, NULL,
                    "no [trainer] group; add one, e.g. [trainer] plugin=command "
                    "argv=python3;train.py;--lr;{lr}");
      return NULL;
    }
  if (!has_tuner)
    {
      config_error (error, self->path, NULL, NULL,
                    "no [tuner] group; add one, e.g. [tuner] plugin=random");
      return NULL;
    }

  return g_steal_pointer (&study);
}
