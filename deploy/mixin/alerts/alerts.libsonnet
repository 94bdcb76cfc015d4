// Alerts. Every alert keeps the series' own labels (name, source, job,
// instance, and target labels such as namespace/pod), adds `severity`
// (critical | warning | info) and carries summary, description and an
// absolute runbook_url built from _config.runbookURLPattern.
//
// Aggregations use `without (...)`, never `by (name)`: sidecar replicas all
// share the same `name` and must stay apart (they differ in instance/pod).
//
// Descriptions that query Prometheus use Go's printf with %q; they are joined
// with `+`, not jsonnet's `%`, which would read %q as its own.
local ratio(percent) = '%g' % (percent / 100);
// '10m' -> '10 minutes', for descriptions (durations in minutes or hours).
local human(d) =
  local n = std.substr(d, 0, std.length(d) - 1);
  n + { m: ' minutes', h: ' hours' }[std.substr(d, std.length(d) - 1, 1)];

{
  local c = $._config,
  local alert(name, severity, expr, annotations, forDuration=null) = {
    alert: name,
    expr: expr,
    labels: { severity: severity },
    annotations: annotations {
      runbook_url: c.runbookURLPattern % std.asciiLower(name),
    },
  } + (if forDuration == null then {} else { 'for': forDuration }),
  // One series of a metric for the alert's own target, inside a Go template.
  local same(metric, labels='name=%q,source=%q,instance=%q,job=%q') =
    metric + '{' + labels + '}',
  local args = '$labels.name $labels.source $labels.instance $labels.job',
  // The target's Kubernetes names from memwatch_target_info
  // (--collector.kubernetes) put on an alert, so that routing and the
  // receiver see namespace, pod and container. Copied only when every process
  // of the target runs in one known container; otherwise (names unknown, a
  // target spread over pods, process collector off) the alert fires as before.
  local containerInfo = 'max without (pid, comm, runtime, source) (memwatch_target_info{pod!=""})',
  // `expr` in parentheses; its lines are indented under the join.
  local withNames(expr) =
    local e = std.join('\n  ', std.split(std.rstripChars(expr, '\n'), '\n'));
    |||
      (
        %(e)s
        * on (name, instance, job) group_left (namespace, pod, container)
          (
            %(i)s
            and on (name, instance, job)
              (count by (name, instance, job) (%(i)s) == 1)
          )
      )
      or on (name, instance, job)
        %(e)s
    ||| % { e: e, i: containerInfo },
  local inPod = '{{ if $labels.pod }} (pod {{ $labels.namespace }}/{{ $labels.pod }}, container {{ $labels.container }}){{ end }}',

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'memwatch.alerts',
        rules: [
          // memwatch's `leak` event: the engine grew over leak_gcs (default 5)
          // consecutive compactions. Event-like: active for the window after
          // the event. increase() copes with counter resets (an exporter
          // restart starts at 0 again).
          alert('MemwatchLeakDetected', 'warning',
                withNames('(increase(memwatch_leak_events_total[%s]) > 0)' % c.leakWindow), {
                  summary: 'Memory leak event for {{ $labels.name }} ({{ $labels.source }})',
                  description:
                    'memwatch reported a leak for {{ $labels.name }}' + inPod + ' on {{ $labels.instance }} (source {{ $labels.source }}): heap growth of ' +
                    '{{ with query (printf "' + same('memwatch_leak_last_growth_bytes') + '" ' + args + ') }}{{ . | first | value | humanize1024 }}B{{ else }}unknown{{ end }} over consecutive compactions ' +
                    '({{ with query (printf "' + same('memwatch_leak_last_duration_seconds') + '" ' + args + ') }}{{ . | first | value | humanizeDuration }}{{ else }}unknown{{ end }}) - ' +
                    '{{ with query (printf "' + same('memwatch_leak_last_growth_bytes') + ' * 3600 / (' + same('memwatch_leak_last_duration_seconds') + ' > 0)" ' + args + ' ' + args + ') }}{{ . | first | value | humanize1024 }}B/hr{{ else }}n/a{{ end }}.',
                }),

          // The same judgement from the base gauges alone (pure PromQL, no
          // engine state): within the window the heap floor changed at least N
          // times, never went down, and every compaction in the window moved
          // it (the "+ 1": the first compaction only sets the baseline).
          alert('MemwatchHeapGrowthStreak', 'warning', withNames(|||
            (
              changes(memwatch_heap_current_base_bytes[%(w)s]) >= %(n)d
              and resets(memwatch_heap_current_base_bytes[%(w)s]) == 0
              and changes(memwatch_heap_compactions_total[%(w)s])
                  <= changes(memwatch_heap_current_base_bytes[%(w)s]) + 1
            )
          ||| % { w: c.growthStreakWindow, n: c.growthStreakCompactions }), {
            summary: 'Heap floor of {{ $labels.name }} grew at every compaction',
            description:
              'The heap base of {{ $labels.name }}' + inPod + ' on {{ $labels.instance }} (source {{ $labels.source }}) grew at every compaction of the last %s, at least %d of them, without ever going down; it is now ' % [human(c.growthStreakWindow), c.growthStreakCompactions] +
              '{{ with query (printf "' + same('memwatch_heap_current_base_bytes') + '" ' + args + ') }}{{ . | first | value | humanize1024 }}B{{ else }}unknown{{ end }}.',
          }, '5m'),

          // memwatch's usage_trend: recent base above the long-run (ancient)
          // base. Ignored during the engine's warm-up.
          alert('MemwatchHeapUsageTrendRising', 'info', |||
            memwatch_heap_usage_trend_ratio > %(r)s
            and on (name, source, job, instance) memwatch_heap_compactions_total >= %(n)d
          ||| % { r: ratio(c.usageTrendPercent), n: c.usageTrendMinCompactions }, {
            summary: 'Heap usage trend of {{ $labels.name }} rising for 30m',
            description: 'The recent heap base of {{ $labels.name }} on {{ $labels.instance }} (source {{ $labels.source }}) has stayed more than %g%% above its long-run base for 30 minutes (now {{ $value | humanizePercentage }}).' % c.usageTrendPercent,
          }, '30m'),

          // Resident memory, extrapolated from the last hour, crosses the
          // cgroup limit within the horizon. Needs a limit (no series when the
          // cgroup is unlimited).
          alert('MemwatchMemoryExhaustionPredicted', 'critical', |||
            predict_linear(memwatch_process_resident_memory_bytes[1h], %(h)d * 3600)
              > memwatch_process_cgroup_memory_limit_bytes
            and memwatch_process_resident_memory_bytes
              > %(r)s * memwatch_process_cgroup_memory_limit_bytes
          ||| % { h: c.exhaustionHorizonHours, r: ratio(c.exhaustionMinPercent) }, {
            summary: '{{ $labels.name }} will reach its memory limit within %dh' % c.exhaustionHorizonHours,
            description:
              'At the growth rate of the last hour, the resident memory of {{ $labels.name }} on {{ $labels.instance }} reaches its cgroup limit of ' +
              '{{ with query (printf "' + same('memwatch_process_cgroup_memory_limit_bytes', 'name=%q,instance=%q,job=%q') + '" $labels.name $labels.instance $labels.job) }}{{ . | first | value | humanize1024 }}B{{ else }}unknown{{ end }} ' +
              'within %d hours (predicted {{ $value | humanize1024 }}B); it is over %g%% of the limit now and will be OOM-killed.' % [c.exhaustionHorizonHours, c.exhaustionMinPercent],
          }, '15m'),

          // The thresholds `usage` users wired by hand.
          alert('MemwatchProcessCPUHigh', 'warning', |||
            sum without (mode) (rate(memwatch_process_cpu_seconds_total[5m]))
              > %s
          ||| % ratio(c.cpuHighPercent), {
            summary: '{{ $labels.name }} uses {{ $value | humanizePercentage }} of a core',
            description: '{{ $labels.name }} on {{ $labels.instance }} has used more than %g%% of one CPU core for 10 minutes (now {{ $value | humanizePercentage }}).' % c.cpuHighPercent,
          }, '10m'),

          alert('MemwatchProcessMemoryHigh', 'warning', |||
            memwatch_process_resident_memory_bytes
              > %d
          ||| % c.memoryHighBytes, {
            summary: '{{ $labels.name }} resident memory is {{ $value | humanize1024 }}B',
            description: '{{ $labels.name }} on {{ $labels.instance }} has had more than %s resident for 10 minutes (now {{ $value | humanize1024 }}B).' % c.memoryHighHuman,
          }, '10m'),

          alert('MemwatchCgroupMemoryNearLimit', 'critical', |||
            memwatch_process_resident_memory_bytes
              / memwatch_process_cgroup_memory_limit_bytes
              > %s
          ||| % ratio(c.cgroupNearLimitPercent), {
            summary: '{{ $labels.name }} is at {{ $value | humanizePercentage }} of its memory limit',
            description: 'The resident memory of {{ $labels.name }} on {{ $labels.instance }} has been above %g%% of its cgroup memory limit for 5 minutes (now {{ $value | humanizePercentage }}); the OOM killer is close.' % c.cgroupNearLimitPercent,
          }, '5m'),

          // The watched process is gone (no process matches the target).
          alert('MemwatchTargetDown', 'warning', 'memwatch_target_up == 0', {
            summary: 'Watched process {{ $labels.name }} is gone',
            description: 'The exporter on {{ $labels.instance }} has found no process for target {{ $labels.name }} for 5 minutes: the process exited, or its pid, pidfile or matcher no longer matches.',
          }, '5m'),

          // The exporter itself stopped answering. Judged on `up` of the
          // exporter's jobs alone, so it fires for the whole outage; a guard on
          // the exporter's own series (e.g. max_over_time(build_info[1h]))
          // would go quiet once they fall out of its window.
          alert('MemwatchExporterDown', 'warning',
                'up{%s} == 0' % c.memwatchSelector, {
                  summary: 'memwatch_exporter {{ $labels.instance }} cannot be scraped',
                  description: 'Prometheus has failed to scrape memwatch_exporter at {{ $labels.instance }} (job {{ $labels.job }}) for %s; its targets are unwatched.' % human(c.exporterDownFor),
                }, c.exporterDownFor),

          alert('MemwatchCollectorFailing', 'warning', 'memwatch_scrape_collector_success == 0', {
            summary: 'Collector {{ $labels.collector }} is failing on {{ $labels.instance }}',
            description: "The {{ $labels.collector }} collector of the exporter on {{ $labels.instance }} has failed every scrape for 5 minutes; its metrics are missing or stale. See the exporter's log.",
          }, '5m'),

          // A /proc file keeps failing to read: usually missing privilege (see
          // docs/deploy.md, "Privileges"), so io/fd/smaps metrics are absent.
          alert('MemwatchProcFileUnreadable', 'info', 'increase(memwatch_process_read_errors_total[10m]) > 0', {
            summary: '{{ $labels.file }} of {{ $labels.name }} is unreadable',
            description: "The exporter on {{ $labels.instance }} keeps failing to read {{ $labels.file }} for target {{ $labels.name }} (usually a permission: the file needs the target's uid or CAP_SYS_PTRACE).",
          }, '15m'),
        ],
      },
    ],
  },
}
