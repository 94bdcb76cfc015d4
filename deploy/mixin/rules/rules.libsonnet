// Recording rules. None on their own: the one rule the alerts need (the
// targets' Kubernetes names, name_instance_job:memwatch_target_info:pod_names)
// is recorded first in the alert group (alerts/alerts.libsonnet), so that the
// alerts after it read this evaluation's value and nobody takes the alerts
// without it. The two former rules (CPU share, heap base derivative) were used
// by no alert and no panel and cost an evaluation each.
{
  prometheusRules+:: {
    groups+: [],
  },
}
