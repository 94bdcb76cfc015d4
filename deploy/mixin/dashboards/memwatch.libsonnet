// The memwatch dashboard: usage (CPU, memory), memwatch (heap base, GC, leak
// events) and exporter health, with a per-target drill-down row repeated for
// each selected `name`. Written out by hand (no grafonnet: it is not packaged
// in Debian) with small helpers; every panel query goes through `sel` so the
// label variables apply everywhere.
local ds = { type: 'prometheus', uid: '${datasource}' };

local timeseries(id, title, description, unit, grid, targets, overrides=[]) = {
  id: id,
  type: 'timeseries',
  title: title,
  description: description,
  datasource: ds,
  gridPos: grid,
  fieldConfig: {
    defaults: {
      unit: unit,
      custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: 0, showPoints: 'never' },
    },
    overrides: overrides,
  },
  options: {
    legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
    tooltip: { mode: 'multi', sort: 'desc' },
  },
  targets: [
    {
      datasource: ds,
      refId: std.char(65 + i),
      expr: targets[i][0],
      legendFormat: targets[i][1],
      range: true,
      instant: false,
      editorMode: 'code',
    }
    for i in std.range(0, std.length(targets) - 1)
  ],
};

local row(id, title, y, collapsed=false, panels=[], repeat=null) = {
  id: id,
  type: 'row',
  title: title,
  collapsed: collapsed,
  gridPos: { x: 0, y: y, w: 24, h: 1 },
  panels: panels,
} + (if repeat == null then {} else { repeat: repeat });

local grid(x, y, w, h=8) = { x: x, y: y, w: w, h: h };

// A query variable over memwatch_target_up, filtered by the variables before
// it. allValue .* (not .+): a label that is absent (no Kubernetes, no
// cluster label) must still match, so "All" works everywhere.
local variable(name, label, filter) = {
  name: name,
  label: label,
  type: 'query',
  datasource: ds,
  query: {
    query: 'label_values(memwatch_target_up%s, %s)' % [filter, name],
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
};

{
  new(c):: {
    local labelVars = c.dashboardLabelVariables + ['job', 'instance'],
    local matcher(vars) = std.join(',', ['%s=~"$%s"' % [v, v] for v in vars]),
    // exporter-level series (no name label) and per-target series
    local esel = matcher(labelVars),
    local sel = matcher(labelVars + ['name']),
    local filterFor(i) =
      if i == 0 then '' else '{' + matcher(labelVars[0:i]) + '}',
    local m(metric) = '%s{%s}' % [metric, sel],

    title: 'memwatch',
    uid: c.dashboardUID,
    description: 'memwatch_exporter: usage (CPU, memory) and memwatch (GC, heap base, leak events) from outside the process. Metrics: docs/metrics.md.',
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
          expr: '%s * 1000 and changes(%s[$__rate_interval]) > 0' % [
            m('memwatch_leak_last_event_timestamp_seconds'),
            m('memwatch_leak_events_total'),
          ],
          step: '1m',
          titleFormat: 'memwatch leak: {{name}} ({{source}})',
          textFormat: 'leak event on {{instance}}',
          tagKeys: 'name,source,instance',
          useValueForTime: true,
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
        variable(labelVars[i], std.asciiUpper(labelVars[i][0]) + labelVars[i][1:], filterFor(i))
        for i in std.range(0, std.length(labelVars) - 1)
      ] + [
        variable('name', 'Target', filterFor(std.length(labelVars))),
      ],
    },

    local cpu(id, g) = timeseries(
      id, 'CPU (share of one core)',
      "rate of memwatch_process_cpu_seconds_total: usage's cpu with keepHistory; 100% = one core busy.",
      'percentunit', g, [
        ['sum without (mode) (rate(%s[$__rate_interval]))' % m('memwatch_process_cpu_seconds_total'), '{{name}} {{instance}} total'],
        ['rate(%s[$__rate_interval])' % m('memwatch_process_cpu_seconds_total'), '{{name}} {{instance}} {{mode}}'],
      ]
    ),
    local memory(id, g) = timeseries(
      id, 'Memory breakdown vs cgroup limit',
      'Resident memory split by kind (status RssAnon/RssFile/RssShmem, VmSwap) against the cgroup memory usage and limit (no limit line when unlimited).',
      'bytes', g, [
        [m('memwatch_process_resident_anon_bytes'), '{{name}} {{instance}} anon'],
        [m('memwatch_process_resident_file_bytes'), '{{name}} {{instance}} file'],
        [m('memwatch_process_resident_shmem_bytes'), '{{name}} {{instance}} shmem'],
        [m('memwatch_process_swap_bytes'), '{{name}} {{instance}} swap'],
        [m('memwatch_process_resident_memory_bytes'), '{{name}} {{instance}} resident'],
        [m('memwatch_process_cgroup_memory_usage_bytes'), '{{name}} {{instance}} cgroup usage'],
        [m('memwatch_process_cgroup_memory_limit_bytes'), '{{name}} {{instance}} cgroup limit'],
      ],
      [{
        matcher: { id: 'byRegexp', options: '.*cgroup limit' },
        properties: [
          { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
          { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } },
        ],
      }]
    ),
    local heap(id, g) = timeseries(
      id, 'Heap: current vs estimated base',
      'memwatch stats: heap floor after the last compaction (current base), the engine\'s recent base (estimated base), and min/max since the 3rd compaction.',
      'bytes', g, [
        [m('memwatch_heap_current_base_bytes'), '{{name}} {{source}} current'],
        [m('memwatch_heap_estimated_base_bytes'), '{{name}} {{source}} estimated'],
        [m('memwatch_heap_min_base_bytes'), '{{name}} {{source}} min'],
        [m('memwatch_heap_max_base_bytes'), '{{name}} {{source}} max'],
      ]
    ),
    local gc(id, g) = timeseries(
      id, 'GC rate by kind',
      'Collections per second by kind (full / incremental), and compactions fed to the leak engine.',
      'ops', g, [
        ['rate(%s[$__rate_interval])' % m('memwatch_gc_total'), '{{name}} {{source}} {{kind}}'],
        ['rate(%s[$__rate_interval])' % m('memwatch_heap_compactions_total'), '{{name}} {{source}} compactions'],
      ]
    ),
    local leaks(id, g) = timeseries(
      id, 'Leak events',
      'Leak events per rate interval (memwatch leak events; also shown as red annotations on every panel).',
      'short', g, [
        ['increase(%s[$__rate_interval])' % m('memwatch_leak_events_total'), '{{name}} {{source}} events'],
      ]
    ),

    panels: [
      row(1, 'Process (usage)', 0),
      cpu(2, grid(0, 1, 12)),
      memory(3, grid(12, 1, 12)),
      row(4, 'Heap (memwatch)', 9),
      heap(5, grid(0, 10, 12)),
      gc(6, grid(12, 10, 12)),
      timeseries(
        7, 'Usage trend',
        "memwatch's usage_trend: (recent base - ancient base) / ancient base. Sustained > %g%% raises MemwatchHeapUsageTrendRising." % c.usageTrendPercent,
        'percentunit', grid(0, 18, 8), [
          [m('memwatch_heap_usage_trend_ratio'), '{{name}} {{source}} trend'],
        ]
      ),
      timeseries(
        8, 'Growth streak',
        'Consecutive growing compactions now; the leak event fires at leak_gcs (default 5).',
        'short', grid(8, 18, 8), [
          [m('memwatch_heap_growth_streak'), '{{name}} {{source}} streak'],
        ]
      ),
      leaks(9, grid(16, 18, 8)),
      row(10, 'Exporter health', 26),
      timeseries(
        11, 'Collector health',
        '1 = the collector succeeded in the last scrape, 0 = it failed (MemwatchCollectorFailing); target up = at least one process matches.',
        'bool', grid(0, 27, 8), [
          ['min_over_time(memwatch_scrape_collector_success{%s}[$__rate_interval])' % esel, '{{instance}} {{collector}}'],
          [m('memwatch_target_up'), '{{name}} {{instance}} target up'],
        ]
      ),
      timeseries(
        12, 'Collector duration',
        'Time each collector took in the last scrape.',
        's', grid(8, 27, 8), [
          ['memwatch_scrape_collector_duration_seconds{%s}' % esel, '{{instance}} {{collector}}'],
        ]
      ),
      timeseries(
        13, 'Exporter cost',
        "The exporter's own CPU (share of one core).",
        'percentunit', grid(16, 27, 8), [
          ['rate(process_cpu_seconds_total{%s}[$__rate_interval]) and on (instance, job) memwatch_exporter_build_info' % esel, '{{instance}} exporter CPU'],
        ]
      ),
      // Drill-down: one collapsed row per selected target (Grafana repeats the
      // row for each value of $name), each with that target's own panels.
      row(14, 'Target: $name', 35, collapsed=true, repeat='name', panels=[
        memory(15, grid(0, 36, 12)),
        heap(16, grid(12, 36, 12)),
        cpu(17, grid(0, 44, 8)),
        gc(18, grid(8, 44, 8)),
        leaks(19, grid(16, 44, 8)),
      ]),
    ],
  },
}
