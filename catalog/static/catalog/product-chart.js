/* Product page: units sold and returned (bars) and net revenue and gross profit (lines) per month,
   from the nightly analysis (json_script "product-chart-data"). */
(function () {
  "use strict";
  var blob = document.getElementById("product-chart-data");
  var canvas = document.getElementById("product-chart");
  var me = document.currentScript;
  if (!blob || !canvas || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(blob.textContent);
  var locale = me.dataset.lang === "en" ? "en-GB" : "de-DE";
  var money = new Intl.NumberFormat(locale, { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
  var monthFormat = new Intl.DateTimeFormat(locale, { month: "short", year: "2-digit" });
  var labels = data.months.map(function (m) { var p = m.split("-"); return monthFormat.format(new Date(+p[0], +p[1] - 1, 1)); });
  new window.Chart(canvas, {
    data: {
      labels: labels,
      datasets: [
        { type: "bar", label: me.dataset.units, data: data.units, backgroundColor: "#2f6fad", yAxisID: "units" },
        { type: "bar", label: me.dataset.returns, data: data.returned_units, backgroundColor: "#d17a22", yAxisID: "units" },
        { type: "line", label: me.dataset.revenue, data: data.net_revenue, borderColor: "#1e7b3c", yAxisID: "money", tension: 0 },
        { type: "line", label: me.dataset.profit, data: data.gross_profit, borderColor: "#7a3fb0", yAxisID: "money", tension: 0 }
      ]
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: {
        units: { position: "left", beginAtZero: true, ticks: { precision: 0 } },
        money: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
                 ticks: { callback: function (v) { return money.format(v); } } }
      },
      plugins: { tooltip: { callbacks: { label: function (ctx) {
        return ctx.dataset.label + ": " + (ctx.dataset.yAxisID === "money" ? money.format(ctx.parsed.y) : ctx.parsed.y);
      } } } }
    }
  });
})();
