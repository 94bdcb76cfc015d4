{
  grafanaDashboards+:: {
    'memwatch.json': (import 'memwatch.libsonnet').new($._config),
  },
}
