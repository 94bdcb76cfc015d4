// Everything a user tunes, in one place (the monitoring-mixins convention):
//   local memwatch = (import 'memwatch-mixin/mixin.libsonnet') + {
//     _config+:: { memwatchSelector: 'job="my-memwatch"', cpuHighPercent: 80 },
//   };
// then render memwatch.prometheusAlerts / prometheusRules / grafanaDashboards.
{
  _config+:: {
    // Selects the exporter's own scrape jobs. memwatch_* metric names are
    // unique to the exporter, so only `up` (MemwatchExporterDown) and the
    // dashboard's job variable need it. The default matches the shipped
    // Prometheus job (memwatch), the ServiceMonitor (memwatch-exporter) and the
    // PodMonitor (<namespace>/memwatch-sidecar).
    memwatchSelector: 'job=~".*memwatch.*"',

    // runbook_url of every alert: %s is the alert name in lower case (the
    // heading's GitHub anchor in docs/runbook.md). Point it at your fork or
    // wiki; it must be absolute, as Alertmanager receivers link it as is.
    runbookURLPattern: 'https://github.com/memwatch/memwatch_exporter/blob/main/docs/runbook.md#%s',

    // Grafana: folder for dashboard provisioning (the grafana sidecar reads the
    // ConfigMap annotation), uid, tags.
    grafanaDashboardFolder: 'memwatch',
    dashboardUID: 'memwatch-exporter',
    dashboardTags: ['memwatch', 'memory', 'leak'],
    // Labels the dashboard offers as variables when present (Kubernetes adds
    // them through relabelling; on plain hosts they are absent and the
    // variable stays on All = .*).
    dashboardLabelVariables: ['cluster', 'namespace', 'pod'],

    // Thresholds. Each alert's description states the number it uses.
    leakWindow: '10m',  // MemwatchLeakDetected stays active this long
    growthStreakWindow: '10m',  // span ~5-10 compactions of your runtime
    growthStreakCompactions: 5,
    usageTrendPercent: 2,  // recent base over long-run base
    usageTrendMinCompactions: 10,  // the engine's warm-up
    exhaustionHorizonHours: 4,
    exhaustionMinPercent: 50,  // only when over half the limit already
    cpuHighPercent: 90,  // of one core
    memoryHighBytes: 1073741824,  // 1 GiB
    memoryHighHuman: '1GiB',
    cgroupNearLimitPercent: 90,
    exporterDownFor: '5m',
  },
}
