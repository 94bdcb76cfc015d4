// The memwatch dashboard: usage (CPU, memory), the container's memory as the
// kernel and kubelet judge it, memwatch (heap base, GC, pauses, leak events and
// verdict), JVM perf data, process resources (fds, threads, I/O) and exporter
// health, with a per-target drill-down row repeated for each selected `name`.
// Written out by hand (no grafonnet: it is not packaged in Debian) with small
// helpers.
//
// Filters. Variables read memwatch_target_info, the one series that carries a
// target's namespace, pod and container (the other series carry `name` only).
// Every per-target query goes through `scope`: it keeps the selected cluster,
// job, instance and name, and drops the targets whose memwatch_target_info
// names another namespace or pod. With namespace and pod on "All" (.*) nothing
// is dropped, so targets without names (plain hosts, a target with no process)
// still show.
local lib = import 'lib.libsonnet';
local ds = lib.ds;
local timeseries = lib.timeseries;
local limitLine = lib.limitLine;
local row = lib.row;
local layout = lib.layout;

{
  new(c):: {
    local hasCluster = c.clusterLabel != '',
    // [variable name, label it filters]
    local labelVars = (if hasCluster then [['cluster', c.clusterLabel]] else []) +
                      [['namespace', 'namespace'], ['pod', 'pod'], ['job', 'job'], ['instance', 'instance']],
    local matcher(vars) = std.join(', ', ['%s=~"$%s"' % [v[1], v[0]] for v in vars]),
    local exporterVars = std.filter(function(v) v[0] != 'namespace' && v[0] != 'pod', labelVars),
    local targetOn = 'on (%s)' % std.join(', ', [v[1] for v in exporterVars] + ['name']),
    // exporter-level series (no name label) and per-target series
    local esel = matcher(exporterVars),
    local sel = esel + ', name=~"$name"',
    local m(metric, extra='') = '%s{%s%s}' % [metric, sel, if extra == '' then '' else ', ' + extra],
    // Per-target expression, filtered by namespace and pod through the
    // targets' memwatch_target_info (see the top of this file).
    local scope(expr) =
      '(%s) unless %s memwatch_target_info{%s, namespace!~"$namespace"} unless %s memwatch_target_info{%s, pod!~"$pod"}' % [expr, targetOn, esel, targetOn, esel],
    local byTarget = std.join(', ', [v[1] for v in exporterVars] + ['name']),

    // A query variable over memwatch_target_info, filtered by the variables
    // before it. allValue .* (not .+): a label that is absent (no Kubernetes,
    // no cluster label) must still match, so "All" works everywhere.
    local variable(name, label, filterVars) = {
      name: name,
      label: std.asciiUpper(name[0]) + name[1:],
      type: 'query',
      datasource: ds,
      query: {
        query: if filterVars == [] then 'label_values(memwatch_target_info, %s)' % label
        else 'label_values(memwatch_target_info{%s}, %s)' % [matcher(filterVars), label],
        refId: name,
      },
      definition: self.query.query,
      refresh: 2,
      multi: true,
      includeAll: true,
      allValue: '.*',
      current: {},
      sort: 1,
      hide: 0,
      options: [],
    },

    title: 'memwatch',
    uid: c.dashboardUID,
    description: 'memwatch_exporter: usage (CPU, memory), container memory (working set, limit, OOM kills), memwatch (GC, pauses, heap base, leak events and verdict), JVM perf data, fds, threads and I/O, from outside the process. Metrics: docs/metrics.md.',
    tags: c.dashboardTags,
    editable: true,
    graphTooltip: 1,
    refresh: '30s',
    schemaVersion: 38,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: '',
    links: [],

    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
        {
          // One marker per leak event at the event's own time (the gauge holds
          // the end of the last event; it changes once per event).
          name: 'Leak events',
          datasource: ds,
          enable: true,
          hide: false,
          iconColor: 'red',
          expr: scope('%s * 1000 and changes(%s[$__rate_interval]) > 0' % [
            m('memwatch_leak_last_event_timestamp_seconds'),
            m('memwatch_leak_events_total'),
          ]),
          step: '1m',
          titleFormat: 'memwatch leak: {{name}} ({{source}})',
          textFormat: 'leak event on {{instance}}',
          tagKeys: 'name,source,instance',
          useValueForTime: true,
        },
        {
          name: 'OOM kills',
          datasource: ds,
          enable: true,
          hide: false,
          iconColor: 'purple',
          expr: scope('increase(%s[$__rate_interval]) > 0' % m('memwatch_cgroup_oom_kills_total')),
          step: '1m',
          titleFormat: 'OOM kill: {{name}}',
          textFormat: 'OOM-killed (exporter {{instance}})',
          tagKeys: 'name,instance',
        },
      ],
    },

    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Data source',
          type: 'datasource',
          query: 'prometheus',
          current: {},
          hide: 0,
          refresh: 1,
          regex: '',
          options: [],
        },
      ] + [
        variable(labelVars[i][0], labelVars[i][1], labelVars[0:i])
        for i in std.range(0, std.length(labelVars) - 1)
      ] + [
        variable('name', 'name', labelVars),
      ],
    },

    // Panels (each a function of nothing but the config: ids and positions
    // come from `layout`).
    local cpu = timeseries(
      'CPU (share of one core)',
      "rate of memwatch_process_cpu_seconds_total: usage's cpu with keepHistory; 100% = one core busy.",
      'percentunit',
      [
        [scope('sum without (mode) (rate(%s[$__rate_interval]))' % m('memwatch_process_cpu_seconds_total')), '{{name}} {{instance}} total'],
        [scope('rate(%s[$__rate_interval])' % m('memwatch_process_cpu_seconds_total')), '{{name}} {{instance}} {{mode}}'],
      ]
    ),
    local memory = timeseries(
      'Memory breakdown vs container limit',
      "Resident memory split by kind (status RssAnon and RssShmem, file-backed = resident − both, VmSwap) against the cgroup's working set (what the kubelet evicts on and the kernel kills at) and the container's own memory limit (no line when unlimited).",
      'bytes',
      [
        [scope(m('memwatch_process_resident_anon_bytes')), '{{name}} {{instance}} anon'],
        [scope(m('memwatch_process_resident_shmem_bytes')), '{{name}} {{instance}} shmem'],
        [scope(m('memwatch_process_swap_bytes')), '{{name}} {{instance}} swap'],
        [scope(m('memwatch_process_resident_memory_bytes')), '{{name}} {{instance}} resident'],
        // File-backed = resident - anon - shmem (no series of its own).
        [scope('%s - %s - %s' % [m('memwatch_process_resident_memory_bytes'), m('memwatch_process_resident_anon_bytes'), m('memwatch_process_resident_shmem_bytes')]), '{{name}} {{instance}} file'],
        [scope(m('memwatch_cgroup_memory_working_set_bytes')), '{{name}} {{instance}} working set'],
        [scope(m('memwatch_cgroup_memory_limit_bytes')), '{{name}} {{instance}} limit'],
      ],
      [limitLine('limit')]
    ),
    local workingSet = timeseries(
      'Working set vs limit',
      'The cgroup of each target: usage (memory.current / usage_in_bytes), working set (usage - inactive_file, as cAdvisor and the kubelet), memory.high (v2, when set) and the limit. MemwatchCgroupMemoryNearLimit at %g%% of the limit; MemwatchMemoryExhaustionPredicted extrapolates the working set.' % c.cgroupNearLimitPercent,
      'bytes',
      [
        [scope(m('memwatch_cgroup_memory_usage_bytes')), '{{name}} usage'],
        [scope(m('memwatch_cgroup_memory_working_set_bytes')), '{{name}} working set'],
        [scope(m('memwatch_cgroup_memory_high_bytes')), '{{name}} high'],
        [scope(m('memwatch_cgroup_memory_limit_bytes')), '{{name}} limit'],
      ],
      [limitLine('limit')]
    ),
    local ooms = timeseries(
      'OOM kills, OOM events, restarts',
      'Per rate interval: processes the kernel OOM killer killed in the cgroup (MemwatchOOMKilled pages on it), times the cgroup hit its limit and invoked the OOM path (memory.events oom, v1 under_oom), and restarts of the target (its set of processes replaced).',
      'short',
      [
        [scope('increase(%s[$__rate_interval])' % m('memwatch_cgroup_oom_kills_total')), '{{name}} OOM kills'],
        [scope('increase(%s[$__rate_interval])' % m('memwatch_cgroup_oom_events_total')), '{{name}} OOM events'],
        [scope('increase(%s[$__rate_interval])' % m('memwatch_target_restarts_total')), '{{name}} restarts'],
      ]
    ),
    local throttling = timeseries(
      'CPU throttling',
      'Share of CFS periods in which the cgroup was throttled by its CPU limit (MemwatchCPUThrottled at %g%%), and throttled time per second.' % c.cpuThrottledPercent,
      'percentunit',
      [
        [scope('rate(%s[$__rate_interval]) / rate(%s[$__rate_interval])' % [m('memwatch_cgroup_cpu_throttled_periods_total'), m('memwatch_cgroup_cpu_periods_total')]), '{{name}} throttled periods'],
        [scope('rate(%s[$__rate_interval])' % m('memwatch_cgroup_cpu_throttled_seconds_total')), '{{name}} throttled s/s'],
      ]
    ),
    local pressure = timeseries(
      'Memory pressure (PSI)',
      'Share of time some task of the cgroup waited for memory (PSI some) and all of them stalled (PSI full), where the kernel has PSI: reclaim before the OOM killer.',
      'percentunit',
      [
        [scope('rate(%s[$__rate_interval])' % m('memwatch_cgroup_memory_pressure_waiting_seconds_total')), '{{name}} some'],
        [scope('rate(%s[$__rate_interval])' % m('memwatch_cgroup_memory_pressure_stalled_seconds_total')), '{{name}} full'],
      ]
    ),
    local heap = timeseries(
      'Heap: current vs estimated base',
      "memwatch stats: heap floor after the last compaction (current base), the engine's recent base (estimated base), and min/max since the 3rd compaction.",
      'bytes',
      [
        [scope(m('memwatch_heap_current_base_bytes')), '{{name}} {{source}} current'],
        [scope(m('memwatch_heap_estimated_base_bytes')), '{{name}} {{source}} estimated'],
        [scope(m('memwatch_heap_min_base_bytes')), '{{name}} {{source}} min'],
        [scope(m('memwatch_heap_max_base_bytes')), '{{name}} {{source}} max'],
      ]
    ),
    local gc = timeseries(
      'GC rate by kind',
      'Collections per second by kind (full / incremental), and compactions fed to the leak engine.',
      'ops',
      [
        [scope('rate(%s[$__rate_interval])' % m('memwatch_gc_total')), '{{name}} {{source}} {{kind}}'],
        [scope('rate(%s[$__rate_interval])' % m('memwatch_heap_compactions_total')), '{{name}} {{source}} compactions'],
      ]
    ),
    local pauses = timeseries(
      'GC pause (p50, p99, mean)',
      "Stop-the-world time of each collection from the runtime's own data (memwatch_gc_pause_seconds: perf data entry/exit times, the pause printed in a GC log), by kind.",
      's',
      [
        [scope('histogram_quantile(0.99, sum by (%s, source, kind, le) (rate(%s[$__rate_interval])))' % [byTarget, m('memwatch_gc_pause_seconds_bucket')]), '{{name}} {{kind}} p99'],
        [scope('histogram_quantile(0.5, sum by (%s, source, kind, le) (rate(%s[$__rate_interval])))' % [byTarget, m('memwatch_gc_pause_seconds_bucket')]), '{{name}} {{kind}} p50'],
        [scope('rate(%s[$__rate_interval]) / rate(%s[$__rate_interval])' % [m('memwatch_gc_pause_seconds_sum'), m('memwatch_gc_pause_seconds_count')]), '{{name}} {{kind}} mean'],
      ]
    ),
    local trend = timeseries(
      'Usage trend',
      "memwatch's usage_trend: (recent base - ancient base) / ancient base. Sustained > %g%% raises MemwatchHeapUsageTrendRising." % c.usageTrendPercent,
      'percentunit',
      [
        [scope(m('memwatch_heap_usage_trend_ratio')), '{{name}} {{source}} trend'],
      ]
    ),
    local streak = timeseries(
      'Growth streak',
      'Consecutive growing compactions now; the leak event fires at leak_gcs (default 5).',
      'short',
      [
        [scope(m('memwatch_heap_growth_streak')), '{{name}} {{source}} streak'],
      ]
    ),
    local leaks = timeseries(
      'Leak events and verdict',
      'Leak events per rate interval (memwatch leak events, the growth signal: MemwatchLeakEvent; also red annotations on every panel) and the paging leak verdict (1 while it holds: MemwatchLeakDetected).',
      'short',
      [
        [scope('increase(%s[$__rate_interval])' % m('memwatch_leak_events_total')), '{{name}} {{source}} events'],
        [scope(m('memwatch_leak_verdict')), '{{name}} {{source}} verdict'],
      ]
    ),
    local jvmMemory = timeseries(
      'JVM memory by space',
      "Used (solid) and committed capacity of each space from the JVM's perf data (jstat -gc): eden, survivors, old, metaspace.",
      'bytes',
      [
        [scope(m('memwatch_jvm_memory_used_bytes')), '{{name}} {{space}} used'],
        [scope(m('memwatch_jvm_memory_capacity_bytes')), '{{name}} {{space}} capacity'],
      ],
      [limitLine('capacity')]
    ),
    local jvmGc = timeseries(
      'JVM collections by collector',
      'Collections per second by GC (young, full, concurrent: jstat YGC, FGC, CGC).',
      'ops',
      [
        [scope('rate(%s[$__rate_interval])' % m('memwatch_jvm_gc_collections_total')), '{{name}} {{gc}}'],
      ]
    ),
    local jvmGcTime = timeseries(
      'JVM GC time share',
      'Seconds per second spent in each GC (jstat YGCT, FGCT, CGCT): the share of wall time the JVM collects.',
      'percentunit',
      [
        [scope('rate(%s[$__rate_interval])' % m('memwatch_jvm_gc_collection_seconds_total')), '{{name}} {{gc}}'],
      ]
    ),
    local fds = timeseries(
      'Open fds vs limit',
      "Open file descriptors of the target's processes (/proc/<pid>/fd) against the soft limit (limits: Max open files).",
      'short',
      [
        [scope(m('memwatch_process_open_fds')), '{{name}} {{instance}} open'],
        [scope(m('memwatch_process_max_fds')), '{{name}} {{instance}} max'],
      ],
      [limitLine('max')]
    ),
    local threads = timeseries(
      'Threads',
      'Threads of the target (stat num_threads).',
      'short',
      [
        [scope(m('memwatch_process_threads')), '{{name}} {{instance}}'],
      ]
    ),
    local io = timeseries(
      'Disk I/O',
      'Bytes read and written per second (/proc/<pid>/io read_bytes, write_bytes; needs the privilege in docs/deploy.md).',
      'Bps',
      [
        [scope('rate(%s[$__rate_interval])' % m('memwatch_process_read_bytes_total')), '{{name}} {{instance}} read'],
        [scope('rate(%s[$__rate_interval])' % m('memwatch_process_written_bytes_total')), '{{name}} {{instance}} written'],
      ]
    ),

    panels: layout([
      row('Process (usage)'),
      [cpu, 12],
      [memory, 12],
      row('Container memory and CPU (cgroup)'),
      [workingSet, 6],
      [ooms, 6],
      [throttling, 6],
      [pressure, 6],
      row('Heap (memwatch)'),
      [heap, 12],
      [gc, 12],
      [pauses, 6],
      [trend, 6],
      [streak, 6],
      [leaks, 6],
      row('JVM (perf data)'),
      [jvmMemory, 8],
      [jvmGc, 8],
      [jvmGcTime, 8],
      row('Process resources'),
      [fds, 8],
      [threads, 8],
      [io, 8],
      row('Exporter health'),
      [timeseries(
        'Collector health',
        '1 = the collector succeeded in the last scrape, 0 = it failed (MemwatchCollectorFailing); target up = at least one process matches.',
        'bool',
        [
          ['min_over_time(memwatch_scrape_collector_success{%s}[$__rate_interval])' % esel, '{{instance}} {{collector}}'],
          [scope(m('memwatch_target_up')), '{{name}} {{instance}} target up'],
        ]
      ), 8],
      [timeseries(
        'Collector duration',
        'Time each collector took in the last scrape.',
        's',
        [
          ['memwatch_scrape_collector_duration_seconds{%s}' % esel, '{{instance}} {{collector}}'],
        ]
      ), 8],
      [timeseries(
        'Exporter cost',
        "The exporter's own CPU (share of one core) and resident memory (against the DaemonSet's limit in docs/deploy.md).",
        'percentunit',
        [
          ['rate(process_cpu_seconds_total{%s}[$__rate_interval]) and on (instance, job) memwatch_exporter_build_info' % esel, '{{instance}} exporter CPU'],
          ['process_resident_memory_bytes{%s} and on (instance, job) memwatch_exporter_build_info' % esel, '{{instance}} exporter RSS'],
        ],
        [{
          matcher: { id: 'byRegexp', options: '.*RSS' },
          properties: [{ id: 'unit', value: 'bytes' }, { id: 'custom.axisPlacement', value: 'right' }],
        }]
      ), 8],
      // Drill-down: one collapsed row per selected target (Grafana repeats the
      // row for each value of $name), each with that target's own panels.
      row('Target: $name', collapsed=true, repeat='name'),
      [memory, 12],
      [workingSet, 12],
      [heap, 8],
      [cpu, 8],
      [leaks, 8],
    ]),
  },
}
