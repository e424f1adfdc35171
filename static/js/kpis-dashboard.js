/* KPI dashboard charts: reads the JSON blob rendered by the page (json_script) and draws two
   Chart.js charts. Numbers and dates are formatted in the page's language (1.234,56 € in German). */
(function () {
  "use strict";
  var blob = document.getElementById("kpi-chart-data");
  if (!blob || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(blob.textContent);
  var locale = data.language === "en" ? "en-GB" : "de-DE";
  var money = new Intl.NumberFormat(locale, { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
  var moneyExact = new Intl.NumberFormat(locale, { style: "currency", currency: "EUR" });
  var count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  var countExact = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  var percent = new Intl.NumberFormat(locale, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var dayFormat = new Intl.DateTimeFormat(locale, { day: "2-digit", month: "2-digit" });
  var monthFormat = new Intl.DateTimeFormat(locale, { month: "short", year: "numeric" });
  var longFormat = new Intl.DateTimeFormat(locale, { day: "2-digit", month: "2-digit", year: "numeric" });

  function parse(iso) { var p = iso.split("-"); return new Date(+p[0], +p[1] - 1, +p[2]); }
  function label(point) {
    var start = parse(point.start);
    return data.granularity === "month" ? monthFormat.format(start) : dayFormat.format(start);
  }
  function spanText(point) {
    if (point.start === point.end) { return longFormat.format(parse(point.start)); }
    return longFormat.format(parse(point.start)) + " – " + longFormat.format(parse(point.end));
  }
  var points = data.points;
  var labels = points.map(label);
  function column(name) { return points.map(function (p) { return p[name]; }); }
  var styles = getComputedStyle(document.documentElement);
  var brand = styles.getPropertyValue("--brand-2").trim() || "#2f6fad";
  var accent = "#d17a22";
  var muted = styles.getPropertyValue("--muted").trim() || "#5f6b7a";

  // Points whose end lies on or after the first provisional day get a shaded background.
  var provisionalIndex = -1;
  if (data.provisional_from) {
    provisionalIndex = points.findIndex(function (p) { return p.end >= data.provisional_from; });
  }
  var provisionalShade = {
    id: "provisionalShade",
    beforeDatasetsDraw: function (chart) {
      if (provisionalIndex < 0) { return; }
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      var step = points.length > 1 ? (x.getPixelForValue(1) - x.getPixelForValue(0)) : area.right - area.left;
      var left = Math.max(area.left, x.getPixelForValue(provisionalIndex) - step / 2);
      ctx.save();
      ctx.fillStyle = "rgba(168, 100, 0, 0.08)";
      ctx.fillRect(left, area.top, area.right - left, area.bottom - area.top);
      ctx.fillStyle = "#a86400";
      ctx.font = "11px system-ui, sans-serif";
      ctx.textAlign = "right";
      ctx.fillText(data.labels.provisional, area.right - 4, area.top + 12);
      ctx.restore();
    }
  };

  var common = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    interaction: { mode: "index", intersect: false },
    plugins: {
      legend: { position: "bottom", labels: { boxWidth: 12 } },
      tooltip: { callbacks: { title: function (items) { return spanText(points[items[0].dataIndex]); } } }
    },
    scales: { x: { grid: { display: false }, ticks: { autoSkip: true, maxRotation: 0, color: muted } } }
  };

  function options(extra) {
    var merged = JSON.parse(JSON.stringify(common));
    merged.plugins.tooltip.callbacks = common.plugins.tooltip.callbacks;
    Object.keys(extra.scales).forEach(function (key) { merged.scales[key] = extra.scales[key]; });
    merged.plugins.tooltip.callbacks = Object.assign({}, common.plugins.tooltip.callbacks, extra.tooltip || {});
    return merged;
  }

  var charts = {};
  var salesCanvas = document.getElementById("chart-sales");
  if (salesCanvas) {
    charts.sales = new window.Chart(salesCanvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [
          { type: "bar", label: data.labels.revenue, data: column("revenue"), backgroundColor: brand, yAxisID: "money", order: 2 },
          { type: "line", label: data.labels.orders, data: column("orders"), borderColor: accent, backgroundColor: accent,
            pointRadius: points.length > 60 ? 0 : 2, borderWidth: 2, yAxisID: "count", order: 1, tension: 0.2 }
        ]
      },
      options: options({
        scales: {
          money: { position: "left", beginAtZero: true, ticks: { color: muted, callback: function (v) { return money.format(v); } } },
          count: { position: "right", beginAtZero: true, grid: { display: false }, ticks: { color: muted, callback: function (v) { return count.format(v); } } }
        },
        tooltip: {
          label: function (item) {
            var v = item.raw;
            if (v === null) { return item.dataset.label + ": –"; }
            var text = item.dataset.yAxisID === "money" ? moneyExact.format(v) : countExact.format(v);
            if (points[item.dataIndex].days > 1) { text += " (" + data.labels.mean_per_day + ")"; }
            return item.dataset.label + ": " + text;
          }
        }
      }),
      plugins: [provisionalShade]
    });
  }
  var ratesCanvas = document.getElementById("chart-rates");
  if (ratesCanvas) {
    charts.rates = new window.Chart(ratesCanvas, {
      type: "line",
      data: {
        labels: labels,
        datasets: [
          { label: data.labels.return_rate, data: column("return_rate"), borderColor: "#b3261e", backgroundColor: "#b3261e",
            pointRadius: points.length > 60 ? 0 : 2, borderWidth: 2, yAxisID: "returns", tension: 0.2, spanGaps: true },
          { label: data.labels.conversion_rate, data: column("conversion_rate"), borderColor: "#1e7b3c", backgroundColor: "#1e7b3c",
            pointRadius: points.length > 60 ? 0 : 2, borderWidth: 2, yAxisID: "conversion", tension: 0.2, spanGaps: true }
        ]
      },
      options: options({
        scales: {
          returns: { position: "left", beginAtZero: true, ticks: { color: "#b3261e", callback: function (v) { return percent.format(v); } } },
          conversion: { position: "right", beginAtZero: true, grid: { display: false }, ticks: { color: "#1e7b3c", callback: function (v) { return percent.format(v); } } }
        },
        tooltip: {
          label: function (item) {
            return item.dataset.label + ": " + (item.raw === null ? "–" : percent.format(item.raw));
          }
        }
      }),
      plugins: [provisionalShade]
    });
  }
  window.kpiCharts = charts;
})();
