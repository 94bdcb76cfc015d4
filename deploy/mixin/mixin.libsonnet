// memwatch_exporter monitoring mixin (https://monitoring.mixins.dev layout):
//   prometheusRules, prometheusAlerts, grafanaDashboards, all tuned by
//   _config (config.libsonnet). deploy/mixin/render writes the rendered files
//   the repo ships; tests/deploy fails when they drift from this source.
(import 'config.libsonnet') +
(import 'alerts/alerts.libsonnet') +
(import 'rules/rules.libsonnet') +
(import 'dashboards/dashboards.libsonnet')
