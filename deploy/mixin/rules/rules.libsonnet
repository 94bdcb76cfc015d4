// Recording rules: the usual questions precomputed (level:metric:operations).
{
  prometheusRules+:: {
    groups+: [
      {
        name: 'memwatch.recording',
        rules: [
          {
            // CPU of each target as a share of one core (usage's `cpu` with
            // keepHistory).
            record: 'name:memwatch_process_cpu_usage:ratio_rate5m',
            expr: 'sum without (mode) (rate(memwatch_process_cpu_seconds_total[5m]))',
          },
          {
            // How fast the heap floor grows, bytes per hour (memwatch's
            // "<rate>/hr").
            record: 'name_source:memwatch_heap_estimated_base_bytes:deriv30m_per_hour',
            expr: 'deriv(memwatch_heap_estimated_base_bytes[30m]) * 3600',
          },
        ],
      },
    ],
  },
}
