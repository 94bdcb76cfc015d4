// Everything a user tunes, in one place (the monitoring-mixins convention):
//   local memwatch = (import 'memwatch-mixin/mixin.libsonnet') + {
//     _config+:: {
//       memwatchSelector: 'job="my-memwatch"',
//       clusterLabel: 'cluster',
//       alertSeverity+: { MemwatchProcFileUnreadable: 'info' },
//       alertFor+: { MemwatchCgroupMemoryNearLimit: '30m' },
//       cpuHighPercent: 80,
//     },
//   };
// then render memwatch.prometheusAlerts / grafanaDashboards.
{
  _config+:: {
    // Selects the exporter's own scrape jobs; put into every selector of every
    // rule and of the dashboard, and into `up{...}` / `absent(up{...})` of
    // MemwatchExporterDown. The default matches the shipped Prometheus job
    // (memwatch), the ServiceMonitor (memwatch-exporter) and the PodMonitor
    // (<namespace>/memwatch-sidecar).
    memwatchSelector: 'job=~".*memwatch.*"',

    // The label that tells clusters apart when one Prometheus (or Thanos,
    // Mimir) sees several: kept in every join (`on (cluster, name, instance,
    // job)`) and offered as the dashboard's first variable. A label that does
    // not exist matches as empty, so the default works on one cluster too.
    // '' leaves it out altogether.
    clusterLabel: 'cluster',

    // runbook_url of every alert: %s is the alert name in lower case (the
    // heading's GitHub anchor in docs/runbook.md). Point it at your fork or
    // wiki; it must be absolute, as Alertmanager receivers link it as is.
    runbookURLPattern: 'https://github.com/memwatch/memwatch_exporter/blob/main/docs/runbook.md#%s',

    // events_url of every per-target alert: the exporter that raised it serves
    // the target's page at /events?name=<target> (its heap floor over the last
    // hour, leak events newest first, their diffs as tables; the JSON is at
    // /api/v1/events?name=<target>). A Go template on the alert's labels; in
    // Kubernetes `instance` is the exporter pod's IP:port, reachable from
    // inside the cluster only: point it at a proxy if your receivers are
    // outside (e.g. 'https://memwatch.example/{{ $labels.instance }}/events?...').
    eventsURLTemplate: 'http://{{ $labels.instance }}/events?name={{ $labels.name | urlquery }}',

    // Kubernetes names on alerts: memwatch_target_info's namespace, pod and
    // container are joined onto every per-target alert. They are taken from
    // the last value seen within this window, so an alert keeps its labels
    // when the pod's names go away a scrape before the alert's own series
    // (a deleted pod), instead of resolving and firing again without them.
    targetInfoLookback: '10m',

    // Labels the PrometheusRule, ServiceMonitor and PodMonitor carry so that a
    // Prometheus Operator selects them: kube-prometheus-stack selects by its
    // Helm release name (`helm install <release> ...`). Rendered into the
    // kustomize component deploy/kubernetes/components/prometheus-labels,
    // which both Kubernetes variants include.
    prometheusSelectorLabels: { release: 'kube-prometheus-stack' },

    // Severity of each alert. Only three pages by default: a human must act
    // now (the leak verdict, an OOM kill that happened, the working set
    // reaching the container's limit soon).
    alertSeverity: {
      MemwatchLeakDetected: 'critical',
      MemwatchOOMKilled: 'critical',
      MemwatchMemoryExhaustionPredicted: 'critical',
      MemwatchLeakEvent: 'warning',
      MemwatchCgroupMemoryNearLimit: 'warning',
      MemwatchProcessCPUHigh: 'warning',
      MemwatchProcessMemoryHigh: 'warning',
      MemwatchTargetDown: 'warning',
      MemwatchExporterDown: 'warning',
      MemwatchCollectorFailing: 'warning',
      MemwatchProcFileUnreadable: 'warning',
      MemwatchHeapGrowthStreak: 'info',
      MemwatchHeapUsageTrendRising: 'info',
      MemwatchCPUThrottled: 'info',
    },

    // `for:` of each alert ('0m': fires at the first evaluation that sees it).
    alertFor: {
      MemwatchLeakDetected: '0m',  // the verdict is itself a sustained judgement
      MemwatchOOMKilled: '0m',  // it happened
      // longer than exhaustionWindowShort plus a warm-up: a step (restart,
      // cache filled once) leaves the short window before this has passed
      MemwatchMemoryExhaustionPredicted: '30m',
      MemwatchLeakEvent: '0m',
      MemwatchCgroupMemoryNearLimit: '15m',
      MemwatchProcessCPUHigh: '10m',
      MemwatchProcessMemoryHigh: '10m',
      MemwatchTargetDown: '5m',
      MemwatchExporterDown: '5m',
      MemwatchCollectorFailing: '5m',
      MemwatchProcFileUnreadable: '15m',
      MemwatchHeapGrowthStreak: '5m',
      MemwatchHeapUsageTrendRising: '30m',
      MemwatchCPUThrottled: '15m',
    },

    // Grafana: folder for dashboard provisioning (the grafana sidecar reads the
    // ConfigMap annotation), uid, tags. Both Kubernetes variants ship the same
    // ConfigMap (namespace memwatch), so deploying both gives one dashboard.
    grafanaDashboardFolder: 'memwatch',
    dashboardUID: 'memwatch-exporter',
    dashboardTags: ['memwatch', 'memory', 'leak'],

    // Thresholds and windows. Each alert's description states the number it uses.
    leakEventWindow: '10m',  // MemwatchLeakEvent stays active this long
    growthStreakWindow: '10m',  // span ~5-10 compactions of your runtime
    growthStreakCompactions: 5,
    usageTrendPercent: 2,  // recent base over long-run base
    usageTrendMinCompactions: 10,  // the engine's warm-up
    oomKillWindow: '10m',  // MemwatchOOMKilled stays active this long after a kill
    // MemwatchMemoryExhaustionPredicted: the working set, extrapolated over
    // both windows, reaches the limit within the horizon, and is already over
    // exhaustionMinPercent of it. The short window keeps a step (a restart
    // with a bigger heap, a cache filled once) from paging for an hour.
    exhaustionHorizonHours: 4,
    exhaustionWindowLong: '1h',
    exhaustionWindowShort: '15m',
    exhaustionMinPercent: 50,
    cgroupNearLimitPercent: 90,  // working set of the limit
    cpuThrottledPercent: 25,  // throttled CFS periods (as kubernetes-mixin's CPUThrottlingHigh)
    cpuHighPercent: 90,  // of one core; targets a user named only
    memoryHighBytes: 1073741824,  // 1 GiB; targets a user named only
    memoryHighHuman: '1GiB',
    // MemwatchProcFileUnreadable: read errors per scrape of the exporter over
    // procFileErrorWindow. A missing privilege fails every scrape (>= 1 per
    // process); a process that exits mid-read is rare and is not counted.
    procFileErrorsPerScrape: 0.5,
    procFileErrorWindow: '15m',
  },
}
