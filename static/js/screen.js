/* The 大屏: reads /api/v1/ with the viewer's session every `data-refresh` seconds and redraws in place.
   No page reload; charts are updated by Plotly.react on the same elements; the ranking's rows are
   replaced, never added to; one timer, one clock, one resize listener for the page's whole life. */
(function () {
  "use strict";
  var body = document.body;
  var API = body.getAttribute("data-api");
  var SCOPE = body.getAttribute("data-scope");
  var METRIC = encodeURIComponent(body.getAttribute("data-metric") || "operating_income");
  var REFRESH_MS = Math.max(1, parseInt(body.getAttribute("data-refresh"), 10) || 60) * 1000;
  var TIMEOUT_MS = Math.min(REFRESH_MS, 30000);
  var FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  var COLORS = ["#f6ad55", "#f6e05e", "#68d391", "#63b3ed", "#b794f4", "#fc8181", "#a0aec0"];
  var CHARTS = ["screen-tiers", "screen-trend", "screen-towns"];
  var refreshes = 0;
  var timer = null;

  function url(path, extra) {
    var query = [SCOPE, "metric=" + METRIC, extra].filter(Boolean).join("&");
    return API + path + (query ? "?" + query : "");
  }

  function getJson(path, extra) {
    var controller = window.AbortController ? new AbortController() : null;
    var abort = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
    return fetch(url(path, extra), {credentials: "same-origin", headers: {"Accept": "application/json"},
                                    signal: controller ? controller.signal : undefined})
      .then(function (response) {
        clearTimeout(abort);
        if (!response.ok) { var error = new Error("HTTP " + response.status); error.status = response.status; throw error; }
        return response.json();
      }, function (error) { clearTimeout(abort); throw error; });
  }

  /* Amounts come as exact strings in 元; the screen shows 万元 (display only). */
  function wan(value) {
    if (value === null || value === undefined) { return "—"; }
    return (Number(value) / 10000).toLocaleString("zh-CN", {minimumFractionDigits: 2, maximumFractionDigits: 2});
  }
  function wanNumber(value) { return value === null || value === undefined ? null : Number(value) / 10000; }
  function growth(value, label) {
    if (value === null || value === undefined) { return ""; }
    var number = Number(value);
    return (label || "较上年") + " " + (number > 0 ? "+" : "") + number.toFixed(1) + "%";
  }
  function setKpi(name, text) {
    var element = document.querySelector("[data-kpi='" + name + "']");
    if (element) { element.textContent = text; }
  }

  function layout(extra) {
    // The hall's 1920 px screen reads 18 px type; a laptop or phone needs smaller, or the axes skip or
    // overlap their labels and the legend runs into them.
    var size = window.innerWidth < 700 ? 13 : window.innerWidth < 1600 ? 15 : 18;
    var base = {paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
                font: {family: FONT, size: size, color: "#e2e8f0"}, margin: {l: 10, r: 20, t: 10, b: 10},
                legend: {orientation: "h", x: 0, y: -0.12, yanchor: "top", font: {size: size - 2}}, autosize: true,
                xaxis: {automargin: true, gridcolor: "#2d3748", zerolinecolor: "#4a5568"},
                yaxis: {automargin: true, gridcolor: "#2d3748", zerolinecolor: "#4a5568"}};
    Object.keys(extra || {}).forEach(function (key) { base[key] = extra[key]; });
    return base;
  }
  var CONFIG = {displayModeBar: false, staticPlot: false, responsive: false};

  function draw(id, data, chartLayout) {
    if (!window.Plotly) { return; }
    window.Plotly.react(document.getElementById(id), data, chartLayout, CONFIG);
  }

  function showOverview(o) {
    document.getElementById("screen-year").textContent = " · " + o.year + "年";
    setKpi("reporting", String(o.reporting));
    setKpi("villages_in_scope", "共 " + o.villages_in_scope + " 个村");
    setKpi("total_income", wan(o.total_income));
    setKpi("total_growth", growth(o.total_growth));
    setKpi("operating_income", wan(o.operating_income));
    setKpi("operating_note", o.include_submitted ? "含已提交未审核" : "仅已审核数据");
    setKpi("operating_mean", wan(o.operating_mean));
    setKpi("operating_mean_growth", growth(o.operating_mean_growth));
    setKpi("weak_shell", o.weak + " / " + o.shell);
    setKpi("as_of", o.as_of ? "数据截至 " + new Date(o.as_of).toLocaleString("zh-CN", {hour12: false}) : "");
  }

  function showRanking(ranking) {
    var rows = ranking.rows.map(function (r) {
      var tr = document.createElement("tr");
      var change = r.rank_change === null ? "新" : r.rank_change > 0 ? "↑" + r.rank_change :
        r.rank_change < 0 ? "↓" + (-r.rank_change) : "–";
      [String(r.rank), r.name, r.town_name, wan(r.value), change].forEach(function (text, i) {
        var td = document.createElement("td");
        td.textContent = text;
        if (i >= 3) { td.className = "num"; }
        if (i === 4) { td.className += r.rank_change > 0 ? " up" : r.rank_change < 0 ? " down" : ""; }
        tr.appendChild(td);
      });
      return tr;
    });
    var tbody = document.getElementById("screen-ranking");
    while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
    rows.forEach(function (tr) { tbody.appendChild(tr); });
  }

  function showTiers(tiers) {
    var units = tiers.units.map(function (u) { return u.name; }).reverse();
    var data = tiers.labels.map(function (label, i) {
      return {type: "bar", orientation: "h", name: label, y: units,
              x: tiers.units.map(function (u) { return u.bands[i]; }).reverse(),
              marker: {color: i < tiers.labels.length - 1 ? COLORS[i % COLORS.length] : "#718096"},
              hovertemplate: "%{y} " + label + "：%{x} 个村<extra></extra>"};
    });
    draw("screen-tiers", data, layout({barmode: "stack", legend: {orientation: "h", x: 0, y: -0.12, yanchor: "top",
                                                                 traceorder: "normal", font: {size: window.innerWidth < 1600 ? 13 : 16}}}));
    var byMean = tiers.units.slice().sort(function (a, b) { return Number(b.mean) - Number(a.mean); });
    draw("screen-towns", [{type: "bar", orientation: "h", y: byMean.map(function (u) { return u.name; }).reverse(),
                           x: byMean.map(function (u) { return wanNumber(u.mean); }).reverse(),
                           text: byMean.map(function (u) { return wan(u.mean); }).reverse(), textposition: "auto",
                           marker: {color: COLORS[0]}, hovertemplate: "%{y}：%{x:,.2f} 万元<extra></extra>"}],
         layout({showlegend: false}));
  }

  function showTrend(trends) {
    var years = trends.rows.map(function (r) { return r.year; });
    draw("screen-trend", [
      {type: "scatter", mode: "lines+markers", name: "总收入", x: years, line: {color: COLORS[0], width: 4},
       y: trends.rows.map(function (r) { return wanNumber(r.total_income); })},
      {type: "scatter", mode: "lines+markers", name: "经营性收入", x: years, line: {color: COLORS[3], width: 4},
       y: trends.rows.map(function (r) { return wanNumber(r.operating_income); })}
    ], layout({xaxis: {dtick: 1, automargin: true, gridcolor: "#2d3748"},
               yaxis: {rangemode: "tozero", automargin: true, gridcolor: "#2d3748", ticksuffix: " 万"}}));
  }

  function state(text, bad) {
    var element = document.getElementById("screen-state");
    element.textContent = text;
    element.className = bad ? "bad" : "";
  }

  function refresh() {
    timer = null;
    Promise.all([getJson("overview"), getJson("rankings/villages", "limit=10"), getJson("tiers"), getJson("trends")])
      .then(function (answers) {
        showOverview(answers[0]);
        showRanking(answers[1]);
        showTiers(answers[2]);
        showTrend(answers[3]);
        refreshes += 1;
        body.setAttribute("data-refreshes", String(refreshes));
        state("已更新 " + new Date().toLocaleTimeString("zh-CN", {hour12: false}));
      })
      .catch(function (error) {
        state(error && error.status === 401 ? "登录已失效，请重新登录后打开大屏" :
              error && error.status === 404 ? "该范围暂无数据" : "连接中断，稍后自动重试", true);
      })
      .then(function () { timer = setTimeout(refresh, REFRESH_MS); });
  }

  function clock() {
    document.getElementById("screen-clock").textContent = new Date().toLocaleString("zh-CN", {hour12: false});
  }

  function start() {
    clock();
    setInterval(clock, 1000);
    window.addEventListener("resize", function () {
      if (!window.Plotly) { return; }
      CHARTS.forEach(function (id) {
        var element = document.getElementById(id);
        if (element && element.data) { window.Plotly.Plots.resize(element); }
      });
    });
    var full = document.getElementById("screen-full");
    if (full && document.documentElement.requestFullscreen) {
      full.addEventListener("click", function () { document.documentElement.requestFullscreen().catch(function () {}); });
    } else if (full) {
      full.hidden = true;
    }
    refresh();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
