/* One source for the loader's test plugins: compiled once per case with
 * different macros, each a small tuner that counts from 0. */

#include <vernier.h>

#ifndef TYPE_NAME
#error "TYPE_NAME must be defined"
#endif

typedef struct { GObject parent; gint next; } TestTuner;
typedef struct { GObjectClass parent_class; } TestTunerClass;

static JsonObject *
test_tuner_suggest (VernierTuner  *tuner,
                    GError       **error)
{
  TestTuner *self = (TestTuner *) tuner;
  JsonObject *params = json_object_new ();

  json_object_set_int_member (params, "x", self->next++ % 10);
  return params;
}

static void
test_tuner_iface_init (VernierTunerInterface *iface)
{
  iface->suggest = test_tuner_suggest;
}

static void
test_tuner_class_init (gpointer klass,
                       gpointer data)
{
}

static void
test_tuner_init (GTypeInstance *instance,
                 gpointer       klass)
{
}

static gboolean
test_plugin_register (GTypeModule  *module,
                      GError      **error)
{
  const GTypeInfo info = {
    sizeof (TestTunerClass), NULL, NULL, test_tuner_class_init, NULL, NULL,
    sizeof (TestTuner), 0, test_tuner_init, NULL
  };
  const GInterfaceInfo iface = { (GInterfaceInitFunc) (void (*) (void)) test_tuner_iface_init, NULL, NULL };
  GType type;

  type = g_type_module_register_type (module, G_TYPE_OBJECT, TYPE_NAME, &info, 0);
  g_type_module_add_interface (module, type, VERNIER_TYPE_TUNER, &iface);

#ifdef REGISTER_FAILS
  g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INTERNAL,
               "the test plugin refuses to register");
  return FALSE;
#else
  vernier_plugin_provide (module, PROVIDE_NAME, type);
  return TRUE;
#endif
}

#if defined(NO_DESCRIPTOR)
G_MODULE_EXPORT extern gpointer some_other_symbol;
G_MODULE_EXPORT gpointer some_other_symbol = (gpointer) test_plugin_register;
#elif defined(WRONG_ABI)
G_MODULE_EXPORT extern const VernierPluginDescriptor vernier_plugin_descriptor;
G_MODULE_EXPORT const VernierPluginDescriptor vernier_plugin_descriptor = {
  VERNIER_PLUGIN_ABI_VERSION + 98, PROVIDE_NAME, "built for another ABI",
  test_plugin_register, { NULL, }
};
#else
VERNIER_PLUGIN_DEFINE (PROVIDE_NAME, "a test tuner", test_plugin_register)
#endif
