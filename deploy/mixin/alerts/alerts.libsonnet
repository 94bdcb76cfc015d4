// Alerts. Every alert keeps the series' own labels (name, source, job,
// instance: the exporter that raised it, and target labels such as node),
// adds `severity` (critical | warning | info, _config.alertSeverity) and
// carries summary, description, an absolute runbook_url built from
// _config.runbookURLPattern and, for per-target alerts, events_url.
//
// Paging (critical) is for what a human must act on now: the leak verdict, an
// OOM kill that happened, the working set reaching the container's own limit
// soon. Everything else is a warning or info.
//
// Per-target alerts carry namespace, pod and container from
// memwatch_target_info (see the recording rule below) when the target is one
// Kubernetes container, and fire without them otherwise.
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
  local unit = { m: ' minute', h: ' hour' }[std.substr(d, std.length(d) - 1, 1)];
  n + unit + (if n == '1' then '' else 's');

{
  local c = $._config,
  // Every selector of every rule goes through memwatchSelector.
  local m(metric, extra='') =
    metric + '{' + c.memwatchSelector + (if extra == '' then '' else ', ' + extra) + '}',
  // The labels that identify one target of one exporter.
  local targetLabels =
    (if c.clusterLabel == '' then [] else [c.clusterLabel]) + ['name', 'instance', 'job'],
  local onTarget = 'on (%s)' % std.join(', ', targetLabels),
  local exporterLabels =
    (if c.clusterLabel == '' then [] else [c.clusterLabel]) + ['instance', 'job'],
  local onExporter = 'on (%s)' % std.join(', ', exporterLabels),

  local alert(name, expr, annotations, perTarget=true) = {
    alert: name,
    expr: expr,
    labels: { severity: c.alertSeverity[name] },
    annotations: annotations {
      runbook_url: c.runbookURLPattern % std.asciiLower(name),
    } + (if perTarget then { events_url: c.eventsURLTemplate } else {}),
  } + (if c.alertFor[name] == '0m' then {} else { 'for': c.alertFor[name] }),

  // One series of a metric for the alert's own target, inside a Go template.
  local same(metric, labels='name=%q,source=%q,instance=%q,job=%q') =
    metric + '{' + labels + '}',
  local args = '$labels.name $labels.source $labels.instance $labels.job',
  local targetArgs = '$labels.name $labels.instance $labels.job',
  local sameTarget(metric) = same(metric, 'name=%q,instance=%q,job=%q'),
  local bytesOf(metric) =
    '{{ with query (printf "' + sameTarget(metric) + '" ' + targetArgs + ') }}{{ . | first | value | humanize1024 }}B{{ else }}unknown{{ end }}',

  // The target's Kubernetes names, one series per target of one exporter:
  // the last namespace/pod/container seen within targetInfoLookback, only
  // when they are the same for every process of the target (a target spread
  // over several pods gets none: it fires without them). Recorded once per
  // evaluation, first in the alert group, so the alerts after it read this
  // evaluation's value; `by` keeps only the names, whatever other labels
  // memwatch_target_info carries per process.
  local namesRecord = 'name_instance_job:memwatch_target_info:pod_names',
  local namesBy = 'max by (%s) ' % std.join(', ', targetLabels + ['namespace', 'pod', 'container']),
  local lastInfo = 'last_over_time(%s[%s])' % [m('memwatch_target_info', 'pod!=""'), c.targetInfoLookback],
  local namesExpr = |||
    %(by)s(%(info)s)
    and %(on)s
      (count by (%(labels)s) (%(by)s(%(info)s)) == 1)
  ||| % { by: namesBy, info: lastInfo, on: onTarget, labels: std.join(', ', targetLabels) },

  // `expr` with the names joined on, or as it is for targets without them.
  local indent(s, n) =
    std.join('\n', [std.repeat(' ', n) + l for l in std.split(std.rstripChars(s, '\n'), '\n')]),
  local withNames(expr) =
    '(\n  (\n' + indent(expr, 4) + '\n  )\n' +
    '  * %s group_left (namespace, pod, container)\n    %s\n)\n' % [onTarget, namesRecord] +
    'or %s\n(\n' % onTarget + indent(expr, 2) + '\n)\n',
  local inPod = '{{ if $labels.pod }} (pod {{ $labels.namespace }}/{{ $labels.pod }}{{ if $labels.container }}, container {{ $labels.container }}{{ end }}){{ end }}',
  // Targets the container source made (they come and go with pods): judged
  // against their own limits, not by the absolute thresholds of named targets.
  local containerTargets = m('memwatch_target_up', 'discovery="container"'),

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'memwatch.alerts',
        rules: [
          { record: namesRecord, expr: namesExpr },

          // The paging verdict of the exporter (collectors/detect): growth of
          // the memory floor that is sustained over 15 minutes or more, not
          // slowing toward a cap and not following the process' load.
          alert('MemwatchLeakDetected', withNames('%s == 1' % m('memwatch_leak_verdict')), {
            summary: 'Memory leak in {{ $labels.name }}',
            description: 'The memory floor of {{ $labels.name }}' + inPod + " on {{ $labels.instance }} (source {{ $labels.source }}) has kept rising for at least 15 minutes, without slowing toward a cap and without following its load: the exporter's leak verdict holds. It will run out of memory; its heap floor and leak events are at the events URL.",
          }),

          // memwatch's `leak` event: the engine grew over leak_gcs (default 5)
          // consecutive compactions. node-memwatch's growth signal: fast, but a
          // warm-up or a cache filling up looks the same, so it does not page.
          // Active for the window after the event; increase() copes with
          // counter resets (an exporter or container restart starts at 0).
          // Every window-based alert also asks for its series now (`and
          // metric`): a range vector keeps a vanished target's last samples
          // for the whole window, an instant selector drops them at once.
          alert('MemwatchLeakEvent', withNames(|||
            increase(%(ev)s[%(w)s]) > 0
            and %(ev)s
          ||| % { ev: m('memwatch_leak_events_total'), w: c.leakEventWindow }), {
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
          alert('MemwatchHeapGrowthStreak', withNames(|||
            (
              changes(%(base)s[%(w)s]) >= %(n)d
              and resets(%(base)s[%(w)s]) == 0
              and changes(%(comp)s[%(w)s])
                  <= changes(%(base)s[%(w)s]) + 1
              and %(base)s
            )
          ||| % {
            w: c.growthStreakWindow,
            n: c.growthStreakCompactions,
            base: m('memwatch_heap_current_base_bytes'),
            comp: m('memwatch_heap_compactions_total'),
          }), {
            summary: 'Heap floor of {{ $labels.name }} grew at every compaction',
            description:
              'The heap base of {{ $labels.name }}' + inPod + ' on {{ $labels.instance }} (source {{ $labels.source }}) grew at every compaction of the last %s, at least %d of them, without ever going down; it is now ' % [human(c.growthStreakWindow), c.growthStreakCompactions] +
              '{{ with query (printf "' + same('memwatch_heap_current_base_bytes') + '" ' + args + ') }}{{ . | first | value | humanize1024 }}B{{ else }}unknown{{ end }}.',
          }),

          // memwatch's usage_trend: recent base above the long-run (ancient)
          // base. Ignored during the engine's warm-up.
          alert('MemwatchHeapUsageTrendRising', withNames(|||
            %(trend)s > %(r)s
            and on (%(labels)s, source) %(comp)s >= %(n)d
          ||| % {
            r: ratio(c.usageTrendPercent),
            n: c.usageTrendMinCompactions,
            trend: m('memwatch_heap_usage_trend_ratio'),
            comp: m('memwatch_heap_compactions_total'),
            labels: std.join(', ', targetLabels),
          }), {
            summary: 'Heap usage trend of {{ $labels.name }} rising for %s' % c.alertFor.MemwatchHeapUsageTrendRising,
            description: 'The recent heap base of {{ $labels.name }}' + inPod + ' on {{ $labels.instance }} (source {{ $labels.source }}) has stayed more than %g%% above its long-run base for %s (now {{ $value | humanizePercentage }}).' % [c.usageTrendPercent, human(c.alertFor.MemwatchHeapUsageTrendRising)],
          }),

          // The kernel killed a process of the target's cgroup at its memory
          // limit. The counter is per target (a restarted container continues
          // its target); increase() ignores the reset to 0 of a new cgroup.
          alert('MemwatchOOMKilled', withNames(|||
            increase(%(oom)s[%(w)s]) > 0
            and %(oom)s
          ||| % { oom: m('memwatch_cgroup_oom_kills_total'), w: c.oomKillWindow }), {
            summary: '{{ $labels.name }} was OOM-killed',
            description: 'The kernel OOM killer killed a process of {{ $labels.name }}' + inPod + ' on {{ $labels.instance }} ({{ printf "%.0f" $value }} in the last ' + human(c.oomKillWindow) + '): its cgroup reached its memory limit of ' + bytesOf('memwatch_cgroup_memory_limit_bytes') + '. Kubernetes restarts the container (OOMKilled); what grew is in the events and the dashboard.',
          }),

          // The working set (what the kubelet evicts on and the kernel kills
          // at), extrapolated over a long and a short window, reaches the
          // container's own limit within the horizon, and is already over a
          // share of it. No series when the cgroup is unlimited.
          alert('MemwatchMemoryExhaustionPredicted', withNames(|||
            (
              predict_linear(%(ws)s[%(long)s], %(h)d * 3600) >= %(limit)s
              and predict_linear(%(ws)s[%(short)s], %(h)d * 3600) >= %(limit)s
              and %(ws)s > %(r)s * %(limit)s
            )
          ||| % {
            h: c.exhaustionHorizonHours,
            r: ratio(c.exhaustionMinPercent),
            long: c.exhaustionWindowLong,
            short: c.exhaustionWindowShort,
            ws: m('memwatch_cgroup_memory_working_set_bytes'),
            limit: m('memwatch_cgroup_memory_limit_bytes'),
          }), {
            summary: '{{ $labels.name }} will reach its memory limit within %dh' % c.exhaustionHorizonHours,
            description:
              'At the growth rate of the last %s (and of the last %s), the working set of {{ $labels.name }}' % [human(c.exhaustionWindowLong), human(c.exhaustionWindowShort)] + inPod + ' on {{ $labels.instance }} reaches its memory limit of ' + bytesOf('memwatch_cgroup_memory_limit_bytes') + ' ' +
              'within %d hours (predicted {{ $value | humanize1024 }}B); it is over %g%% of the limit now ' % [c.exhaustionHorizonHours, c.exhaustionMinPercent] +
              '(' + bytesOf('memwatch_cgroup_memory_working_set_bytes') + ') and will be OOM-killed.',
          }),

          alert('MemwatchCgroupMemoryNearLimit', withNames(|||
            %(ws)s
              / %(limit)s
              > %(r)s
          ||| % {
            r: ratio(c.cgroupNearLimitPercent),
            ws: m('memwatch_cgroup_memory_working_set_bytes'),
            limit: m('memwatch_cgroup_memory_limit_bytes'),
          }), {
            summary: '{{ $labels.name }} is at {{ $value | humanizePercentage }} of its memory limit',
            description: 'The working set of {{ $labels.name }}' + inPod + ' on {{ $labels.instance }} has been above %g%% of its memory limit for %s (now {{ $value | humanizePercentage }}); at the limit the kernel reclaims, then OOM-kills.' % [c.cgroupNearLimitPercent, human(c.alertFor.MemwatchCgroupMemoryNearLimit)],
          }),

          // CFS quota throttling (a CPU limit): as kubernetes-mixin's
          // CPUThrottlingHigh. No periods without a CPU limit: 0/0, no alert.
          alert('MemwatchCPUThrottled', withNames(|||
            rate(%(thr)s[5m])
              / rate(%(per)s[5m])
              > %(r)s
            and %(thr)s
          ||| % {
            r: ratio(c.cpuThrottledPercent),
            thr: m('memwatch_cgroup_cpu_throttled_periods_total'),
            per: m('memwatch_cgroup_cpu_periods_total'),
          }), {
            summary: '{{ $labels.name }} is CPU-throttled in {{ $value | humanizePercentage }} of periods',
            description: '{{ $labels.name }}' + inPod + ' on {{ $labels.instance }} was throttled by its CPU limit in more than %g%% of its scheduling periods for %s (now {{ $value | humanizePercentage }}): latency, and GC that falls behind.' % [c.cpuThrottledPercent, human(c.alertFor.MemwatchCPUThrottled)],
          }),

          // The thresholds `usage` users wired by hand, for targets a user
          // named (--pid, --pidfile, --match, targets.config).
          alert('MemwatchProcessCPUHigh', withNames(|||
            sum without (mode) (rate(%(cpu)s[5m]))
              > %(r)s
            and %(on)s %(cpu)s
            unless %(on)s %(containers)s
          ||| % {
            r: ratio(c.cpuHighPercent),
            cpu: m('memwatch_process_cpu_seconds_total'),
            on: onTarget,
            containers: containerTargets,
          }), {
            summary: '{{ $labels.name }} uses {{ $value | humanizePercentage }} of a core',
            description: '{{ $labels.name }}' + inPod + ' on {{ $labels.instance }} has used more than %g%% of one CPU core for %s (now {{ $value | humanizePercentage }}).' % [c.cpuHighPercent, human(c.alertFor.MemwatchProcessCPUHigh)],
          }),

          alert('MemwatchProcessMemoryHigh', withNames(|||
            %(rss)s
              > %(b)d
            unless %(on)s %(containers)s
          ||| % {
            b: c.memoryHighBytes,
            rss: m('memwatch_process_resident_memory_bytes'),
            on: onTarget,
            containers: containerTargets,
          }), {
            summary: '{{ $labels.name }} resident memory is {{ $value | humanize1024 }}B',
            description: '{{ $labels.name }}' + inPod + ' on {{ $labels.instance }} has had more than %s resident for %s (now {{ $value | humanize1024 }}B).' % [c.memoryHighHuman, human(c.alertFor.MemwatchProcessMemoryHigh)],
          }),

          // A target a user named has no process. Container targets are left
          // out: they come and go with their pods (their series disappear).
          // No names joined: a gone process has no memwatch_target_info, and
          // names from the lookback would leave the alert halfway through.
          alert('MemwatchTargetDown', '%s == 0' % m('memwatch_target_up', 'discovery!="container"'), {
            summary: 'Watched process {{ $labels.name }} is gone',
            description: 'The exporter on {{ $labels.instance }} has found no process for target {{ $labels.name }} for %s: the process exited, or its pid, pidfile or matcher no longer matches.' % human(c.alertFor.MemwatchTargetDown),
          }),

          // The exporter stopped answering (up == 0 for the whole outage), or
          // no exporter is scraped at all: never deployed, every pod gone, a
          // monitor not selected (absent: no `up` series matches).
          alert('MemwatchExporterDown', |||
            %(up)s == 0
            or
            absent(%(up)s)
          ||| % { up: 'up{%s}' % c.memwatchSelector }, {
            summary: '{{ if $labels.instance }}memwatch_exporter {{ $labels.instance }} cannot be scraped{{ else }}No memwatch_exporter is scraped{{ end }}',
            description: '{{ if $labels.instance }}Prometheus has failed to scrape memwatch_exporter at {{ $labels.instance }} (job {{ $labels.job }}) for %(d)s; its targets are unwatched.{{ else }}Prometheus has had no scrape target matching %(sel)s for %(d)s: no exporter is deployed, its pods are gone, or its ServiceMonitor/PodMonitor is not selected. Nothing is watched.{{ end }}' % { d: human(c.alertFor.MemwatchExporterDown), sel: std.strReplace(c.memwatchSelector, '"', "'") },
          }, perTarget=false),

          alert('MemwatchCollectorFailing', '%s == 0' % m('memwatch_scrape_collector_success'), {
            summary: 'Collector {{ $labels.collector }} is failing on {{ $labels.instance }}',
            description: "The {{ $labels.collector }} collector of the exporter on {{ $labels.instance }} has failed every scrape for %s; its metrics are missing or stale. See the exporter's log." % human(c.alertFor.MemwatchCollectorFailing),
          }, perTarget=false),

          // A /proc file fails at (nearly) every scrape: a missing privilege
          // (docs/deploy.md, "Privileges"), so io/fd/smaps metrics are absent.
          // Per scrape, so that processes exiting between the listing and the
          // read (churn on a busy node) do not add up to an alert.
          alert('MemwatchProcFileUnreadable', withNames(|||
            (
              increase(%(err)s[%(w)s])
              / %(on)s group_left
                count_over_time(up{%(sel)s}[%(w)s])
            ) >= %(r)g
            and %(err)s
          ||| % {
            err: m('memwatch_process_read_errors_total'),
            w: c.procFileErrorWindow,
            on: onExporter,
            sel: c.memwatchSelector,
            r: c.procFileErrorsPerScrape,
          }), {
            summary: '{{ $labels.file }} of {{ $labels.name }} is unreadable',
            description: 'The exporter on {{ $labels.instance }} fails to read {{ $labels.file }} of target {{ $labels.name }}' + inPod + " at (nearly) every scrape ({{ printf \"%%.1f\" $value }} errors per scrape over %s); usually a permission: the file needs the target's uid or CAP_SYS_PTRACE." % human(c.procFileErrorWindow),
          }),
        ],
      },
    ],
  },
}
