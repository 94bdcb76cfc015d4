// Helpers of the memwatch dashboard (written out by hand: grafonnet is not
// packaged in Debian): a timeseries panel, a row, a dashed limit line, and the
// layout that gives panels their ids and positions.
local ds = { type: 'prometheus', uid: '${datasource}' };

local timeseries(title, description, unit, targets, overrides=[], stack=false) = {
  type: 'timeseries',
  title: title,
  description: description,
  datasource: ds,
  fieldConfig: {
    defaults: {
      unit: unit,
      custom: {
        drawStyle: 'line',
        lineWidth: 1,
        fillOpacity: if stack then 20 else 0,
        showPoints: 'never',
      } + (if stack then { stacking: { mode: 'normal', group: 'A' } } else {}),
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

// A dashed red line for the series whose legend ends with `suffix` (limits).
local limitLine(suffix) = {
  matcher: { id: 'byRegexp', options: '.*' + suffix },
  properties: [
    { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
    { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } },
  ],
};

local row(title, collapsed=false, repeat=null) = {
  type: 'row',
  title: title,
  collapsed: collapsed,
  panels: [],
} + (if repeat == null then {} else { repeat: repeat });

// Lays out [row, [[panel, width], ...], row, ...] top to bottom: ids from 1,
// rows full width, panels 8 high left to right, wrapping at 24. A collapsed
// row holds its panels inside (Grafana's format for collapsed rows).
local layout(items) =
  local step(acc, item) =
    if std.isObject(item) && item.type == 'row' then
      acc {
        y: acc.y + 1 + (if acc.x > 0 then 8 else 0),
        x: 0,
        id: acc.id + 1,
        out: acc.out + [item { id: acc.id, gridPos: { x: 0, y: acc.y + (if acc.x > 0 then 8 else 0), w: 24, h: 1 } }],
        row: std.length(acc.out),
      }
    else
      local w = item[1];
      local wrap = acc.x + w > 24;
      local x = if wrap then 0 else acc.x;
      local y = if wrap then acc.y + 8 else acc.y;
      local p = item[0] { id: acc.id, gridPos: { x: x, y: y, w: w, h: 8 } };
      local r = acc.out[acc.row];
      acc {
        x: x + w,
        y: y,
        id: acc.id + 1,
        out: if r.collapsed then
          acc.out[:acc.row] + [r { panels+: [p] }] + acc.out[acc.row + 1:]
        else acc.out + [p],
      };
  std.foldl(step, items, { x: 0, y: 0, id: 1, out: [], row: 0 }).out;

{
  ds: ds,
  timeseries: timeseries,
  limitLine: limitLine,
  row: row,
  layout: layout,
}
