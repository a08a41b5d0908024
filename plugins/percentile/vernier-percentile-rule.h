#pragma once

#include <vernier.h>

G_BEGIN_DECLS

/*
 * VernierPercentileRule:
 *
 * What the `median` and `percentile` pruners share: the settings, the
 * intermediate values of the completed trials sorted step by step (fed
 * incrementally from the history), and what is known of each running trial
 * (its best intermediate value so far). Embedded in each pruner.
 */
typedef struct
{
  /* settings */
  gdouble           percentile;         /* 0 to 100 */
  guint             startup_trials;
  gint64            warmup_steps;
  gint64            interval_steps;     /* at least 1 */
  guint             min_trials;         /* at least 1 */

  /* state, set by prepare */
  VernierContext   *context;
  guint             n_indexed;          /* history trials read so far */
  guint             n_complete;         /* COMPLETE among them */
  GHashTable       *steps;              /* gint64 step → StepValues */
  GHashTable       *running;            /* trial number → RunningTrial */
} VernierPercentileRule;

/*
 * The properties both pruners have, in this order, from the property id
 * the pruner passes as @first_prop_id.
 */
typedef enum {
  VERNIER_PERCENTILE_RULE_PROP_STARTUP_TRIALS,
  VERNIER_PERCENTILE_RULE_PROP_WARMUP_STEPS,
  VERNIER_PERCENTILE_RULE_PROP_INTERVAL_STEPS,
  VERNIER_PERCENTILE_RULE_PROP_MIN_TRIALS,
  VERNIER_PERCENTILE_RULE_N_PROPS
} VernierPercentileRuleProp;

G_GNUC_INTERNAL
void      vernier_percentile_rule_init                (VernierPercentileRule  *rule,
                                                       gdouble                 percentile);
G_GNUC_INTERNAL
void      vernier_percentile_rule_clear               (VernierPercentileRule  *rule);

G_GNUC_INTERNAL
void      vernier_percentile_rule_install_properties  (GObjectClass           *klass,
                                                       guint                   first_prop_id);
G_GNUC_INTERNAL
gboolean  vernier_percentile_rule_get_property        (VernierPercentileRule  *rule,
                                                       guint                   index,
                                                       GValue                 *value);
G_GNUC_INTERNAL
gboolean  vernier_percentile_rule_set_property        (VernierPercentileRule  *rule,
                                                       guint                   index,
                                                       const GValue           *value);

G_GNUC_INTERNAL
gboolean  vernier_percentile_rule_prepare             (VernierPercentileRule  *rule,
                                                       VernierContext         *context,
                                                       GError                **error);
G_GNUC_INTERNAL
gboolean  vernier_percentile_rule_should_prune        (VernierPercentileRule  *rule,
                                                       VernierTrial           *trial);

G_END_DECLS
