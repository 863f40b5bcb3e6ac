// cardline web UI: draws one chart of the report's chart model (mes/reports/aggregate/chart.h,
// serialised by GET /api/v1/reports/throughput) as SVG — the same model the PDF draws.
//
// drawChart(chart, options) -> <figure>: the title above, a legend, then the SVG with a left
// axis (ticks, title and unit), a right axis for series on "right" (the Pareto's cumulative %),
// category labels under the bars (rotated or thinned when they do not fit), bars grouped or
// stacked, line series as lines with points, every bar and point with an SVG <title> (its value
// on hover), and values written on the bars where they fit. options: { width (px), lang,
// categoryText(chart, index) -> string }. Sizes are real pixels (the SVG is drawn at the width
// it is shown at), so text stays 13 px at any screen width.
'use strict';

const SVG_NS = 'http://www.w3.org/2000/svg';

function svgEl(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  Object.entries(attrs || {}).forEach(([key, value]) => node.setAttribute(key, String(value)));
  if (text !== undefined) node.textContent = text;
  return node;
}

// A "nice" step (1, 2 or 5 times a power of ten) giving about `count` ticks up to max.
function niceStep(max, count) {
  const raw = max / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / power;
  const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
  return Math.max(step, 1e-9);
}

function scaleFor(max, count, integer) {
  let top = max > 0 ? max : 1;
  let step = niceStep(top, count);
  if (integer && step < 1) step = 1;
  top = Math.ceil(top / step) * step;
  const ticks = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(Number(v.toFixed(6)));
  return { top, ticks };
}

function formatNumber(value, unit, lang, tick) {
  const digits = Number.isInteger(value) && (tick || unit !== '%') ? 0 : 1;
  const text = Number(value).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB',
    { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit === '%' ? text + ' %' : text;
}

function labelText(label, lang) {
  if (label && typeof label === 'object') return label[lang] || label.en || label.vi || '';
  return String(label || '');
}

// "Số thẻ (thẻ)" style axis title: the title and, when there is one, the unit.
function axisTitle(axis, lang, unitText) {
  const title = labelText(axis && axis.title, lang);
  const unit = axis && axis.unit ? unitText(axis.unit) : '';
  // "Cards (cards)" says nothing more: the unit is left out when the title already names it.
  if (!unit || title.toLowerCase().indexOf(unit.toLowerCase()) >= 0) return title;
  return title + ' (' + unit + ')';
}

function drawChart(chart, options) {
  const lang = options.lang;
  const unitText = options.unitText || ((u) => u);
  const categories = chart.categories || [];
  const series = chart.series || [];
  const catText = (i) => (options.categoryText ? options.categoryText(chart, i) : categories[i]);
  const bars = series.map((s, i) => ({ s, i })).filter((x) => x.s.kind !== 'line');
  const lines = series.map((s, i) => ({ s, i })).filter((x) => x.s.kind === 'line');
  const stacked = chart.layout === 'stacked';
  const value = (s, i) => Number((s.values || [])[i]) || 0;

  const width = Math.max(320, Math.round(options.width || 760));
  const hasRight = series.some((s) => s.axis === 'right');
  const n = Math.max(1, categories.length);
  const left = 64;
  const right = hasRight ? 76 : 20;
  const plotWidth = width - left - right;
  const slot = plotWidth / n;

  // Category labels: horizontal if they fit the slot, else rotated 45°; thinned to every k-th
  // when even rotated ones would overlap (each is still on its bar's <title>).
  const charWidth = 7.2;
  const longest = Math.max(1, ...categories.map((_, i) => String(catText(i)).length));
  const rotate = longest * charWidth > slot - 4;
  const every = rotate ? Math.max(1, Math.ceil(18 / slot)) : 1;
  const labelDepth = rotate ? Math.min(150, longest * charWidth * 0.72 + 12) : 22;
  const top = 16;
  const plotHeight = options.height || (width < 700 ? 220 : 260);
  const height = top + plotHeight + labelDepth + 34;

  const leftSeries = series.filter((s) => s.axis !== 'right');
  let leftMax = 0;
  categories.forEach((_, i) => {
    if (stacked) {
      leftMax = Math.max(leftMax, leftSeries.filter((s) => s.kind !== 'line')
        .reduce((sum, s) => sum + value(s, i), 0));
      leftSeries.filter((s) => s.kind === 'line').forEach((s) => { leftMax = Math.max(leftMax, value(s, i)); });
    } else {
      leftSeries.forEach((s) => { leftMax = Math.max(leftMax, value(s, i)); });
    }
  });
  const leftScale = scaleFor(leftMax, 5, chart.y && chart.y.unit !== '%' && chart.y.unit !== 'h');
  const rightIsPercent = chart.y_right && chart.y_right.unit === '%';
  const rightMax = Math.max(0, ...series.filter((s) => s.axis === 'right')
    .flatMap((s) => categories.map((_, i) => value(s, i))));
  const rightScale = rightIsPercent ? { top: 100, ticks: [0, 20, 40, 60, 80, 100] } : scaleFor(rightMax, 5, false);
  const yOf = (v, scale) => top + plotHeight - (v / scale.top) * plotHeight;

  const svg = svgEl('svg', { class: 'chart', width, height, viewBox: '0 0 ' + width + ' ' + height,
                             role: 'img', 'data-chart': chart.id });
  svg.appendChild(svgEl('title', {}, labelText(chart.title, lang)));

  // Grid and left axis.
  leftScale.ticks.forEach((tick) => {
    const y = yOf(tick, leftScale);
    svg.appendChild(svgEl('line', { class: 'grid-line', x1: left, x2: left + plotWidth, y1: y, y2: y }));
    svg.appendChild(svgEl('text', { class: 'tick y-tick', x: left - 6, y: y + 4, 'text-anchor': 'end' },
                          formatNumber(tick, chart.y && chart.y.unit, lang, true)));
  });
  svg.appendChild(svgEl('line', { class: 'axis', x1: left, x2: left, y1: top, y2: top + plotHeight }));
  svg.appendChild(svgEl('line', { class: 'axis', x1: left, x2: left + plotWidth, y1: top + plotHeight,
                                  y2: top + plotHeight }));
  svg.appendChild(svgEl('text', { class: 'axis-title y-title', x: 14, y: top + plotHeight / 2,
    'text-anchor': 'middle', transform: 'rotate(-90 14 ' + (top + plotHeight / 2) + ')' },
    axisTitle(chart.y, lang, unitText)));
  if (hasRight) {
    rightScale.ticks.forEach((tick) => {
      svg.appendChild(svgEl('text', { class: 'tick y-right-tick', x: left + plotWidth + 6,
        y: yOf(tick, rightScale) + 4, 'text-anchor': 'start' },
        formatNumber(tick, chart.y_right.unit, lang, true)));
    });
    svg.appendChild(svgEl('line', { class: 'axis', x1: left + plotWidth, x2: left + plotWidth, y1: top,
                                    y2: top + plotHeight }));
    const xr = width - 12;
    svg.appendChild(svgEl('text', { class: 'axis-title y-right-title', x: xr, y: top + plotHeight / 2,
      'text-anchor': 'middle', transform: 'rotate(90 ' + xr + ' ' + (top + plotHeight / 2) + ')' },
      axisTitle(chart.y_right, lang, unitText)));
  }

  // Bars.
  const groupWidth = slot * 0.78;
  const barWidth = stacked ? groupWidth : groupWidth / Math.max(1, bars.length);
  const unit = chart.y && chart.y.unit;
  categories.forEach((_, i) => {
    const x0 = left + i * slot + (slot - groupWidth) / 2;
    let base = 0;
    bars.forEach(({ s, i: j }, k) => {
      const v = value(s, i);
      const scale = s.axis === 'right' ? rightScale : leftScale;
      const y1 = yOf(stacked ? base + v : v, scale);
      const y0 = yOf(stacked ? base : 0, scale);
      const x = stacked ? x0 : x0 + k * barWidth;
      const h = Math.max(0, y0 - y1);
      const rect = svgEl('rect', { class: 'bar series-' + (j % 6), x: x.toFixed(1), y: y1.toFixed(1),
        width: Math.max(1, barWidth - 1).toFixed(1), height: h.toFixed(1),
        'data-series': labelText(s.label, 'en'), 'data-category': categories[i], 'data-value': v });
      rect.appendChild(svgEl('title', {}, labelText(s.label, lang) + ' · ' + catText(i) + ': ' +
                                          formatNumber(v, unit, lang)));
      svg.appendChild(rect);
      const text = formatNumber(v, unit, lang);
      if (v > 0 && text.length * charWidth <= barWidth - 2) {
        if (stacked && h >= 16) {
          svg.appendChild(svgEl('text', { class: 'bar-value inside', x: (x + barWidth / 2).toFixed(1),
            y: (y1 + h / 2 + 4).toFixed(1), 'text-anchor': 'middle' }, text));
        } else if (!stacked) {
          svg.appendChild(svgEl('text', { class: 'bar-value', x: (x + barWidth / 2).toFixed(1),
            y: (y1 - 4).toFixed(1), 'text-anchor': 'middle' }, text));
        }
      }
      if (stacked) base += v;
    });
    if (stacked && bars.length > 1 && base > 0) {  // the total over a stacked bar
      const text = formatNumber(base, unit, lang);
      if (text.length * charWidth <= slot) {
        svg.appendChild(svgEl('text', { class: 'bar-value total', x: (x0 + groupWidth / 2).toFixed(1),
          y: (yOf(base, leftScale) - 4).toFixed(1), 'text-anchor': 'middle' }, text));
      }
    }
    if (i % every === 0) {
      const cx = left + i * slot + slot / 2;
      const cy = top + plotHeight + 16;
      svg.appendChild(svgEl('text', rotate
        ? { class: 'tick x-tick', x: cx, y: cy, 'text-anchor': 'end', transform: 'rotate(-40 ' + cx + ' ' + cy + ')' }
        : { class: 'tick x-tick', x: cx, y: cy, 'text-anchor': 'middle' }, String(catText(i))));
    }
  });

  // Lines (with a point, its value on hover, at each category).
  lines.forEach(({ s, i: j }) => {
    const scale = s.axis === 'right' ? rightScale : leftScale;
    const lineUnit = s.axis === 'right' ? chart.y_right.unit : unit;
    const points = categories.map((_, i) => [left + i * slot + slot / 2, yOf(value(s, i), scale)]);
    svg.appendChild(svgEl('polyline', { class: 'line series-' + (j % 6), fill: 'none',
      points: points.map((p) => p[0].toFixed(1) + ',' + p[1].toFixed(1)).join(' '),
      'data-series': labelText(s.label, 'en') }));
    points.forEach((p, i) => {
      const dot = svgEl('circle', { class: 'point series-' + (j % 6), cx: p[0].toFixed(1), cy: p[1].toFixed(1),
        r: 4, 'data-series': labelText(s.label, 'en'), 'data-category': categories[i], 'data-value': value(s, i) });
      dot.appendChild(svgEl('title', {}, labelText(s.label, lang) + ' · ' + catText(i) + ': ' +
                                         formatNumber(value(s, i), lineUnit, lang)));
      svg.appendChild(dot);
      if (categories.length <= 12) {
        svg.appendChild(svgEl('text', { class: 'point-value', x: p[0].toFixed(1), y: (p[1] - 8).toFixed(1),
          'text-anchor': 'middle' }, formatNumber(value(s, i), lineUnit, lang)));
      }
    });
  });

  svg.appendChild(svgEl('text', { class: 'axis-title x-title', x: left + plotWidth / 2, y: height - 8,
    'text-anchor': 'middle' }, axisTitle(chart.x, lang, unitText)));

  const legend = document.createElement('ul');
  legend.className = 'legend';
  series.forEach((s, j) => {
    const item = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'swatch series-' + (j % 6) + (s.kind === 'line' ? ' swatch-line' : '');
    item.appendChild(swatch);
    item.appendChild(document.createTextNode(labelText(s.label, lang) +
      (s.axis === 'right' ? ' (' + unitText(chart.y_right.unit) + ')' : '')));
    legend.appendChild(item);
  });

  const figure = document.createElement('figure');
  figure.className = 'chart-box';
  figure.dataset.chart = chart.id;
  const caption = document.createElement('figcaption');
  caption.textContent = labelText(chart.title, lang);
  figure.appendChild(caption);
  figure.appendChild(legend);
  if (categories.length === 0) {
    const empty = document.createElement('p');
    empty.className = 'muted chart-empty';
    empty.dataset.i18n = 'manager.no_data';
    empty.textContent = options.noData || '';
    figure.appendChild(empty);
  } else {
    figure.appendChild(svg);
  }
  return figure;
}
