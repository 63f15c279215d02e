/* The dashboard: each figure from /api/v1/analytics/figures/<name>, drawn with ECharts; a click on a bar,
   slice, district or site opens the drill-down list of the events behind it with the same filters. */
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root || !window.echarts) { return; }
  var T = JSON.parse(document.getElementById("i18n").textContent);
  var query = root.dataset.query;
  var charts = {};
  window.pgCharts = charts;

  function drill(extra) {
    var params = new URLSearchParams(query);
    Object.keys(extra).forEach(function (k) { params.set(k, extra[k]); });
    return root.dataset.events + "?" + params.toString();
  }
  function go(extra) { window.location.href = drill(extra); }
  var queue = Promise.resolve();
  var oldest = null;
  function taken(at) {  // the oldest moment any figure on the page was taken, shown under the title
    if (!at) { return; }
    var when = new Date(at);
    if (oldest && oldest <= when) { return; }
    oldest = when;
    var el = document.getElementById("taken");
    if (!el) { return; }
    // in the bureau's time zone whatever the browser's; the sv-SE locale writes "YYYY-MM-DD HH:MM"
    var format = new Intl.DateTimeFormat("sv-SE", {timeZone: root.dataset.tz, year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false});
    el.textContent = T.taken_at + " " + format.format(when);
    el.dataset.takenAt = at;
    el.hidden = false;
  }
  function get(name) {  // one request at a time: gentle on the server, and on SQLite's single writer
    var answer = queue.then(function () {
      return fetch(root.dataset.api + name + "?" + query, {credentials: "same-origin"})
        .then(function (r) { return r.json(); }).then(function (body) { taken(body.taken_at); return body.data; });
    });
    queue = answer.catch(function () {});
    return answer;
  }
  function box(name) { return root.querySelector('[data-figure="' + name + '"]'); }
  function chart(name, option, onClick, rowsQuery) {
    var fig = box(name);
    var c = echarts.init(fig.querySelector(".canvas"));
    c.setOption(option);
    if (onClick) { c.on("click", onClick); }
    charts[name] = c;
    var cap = fig.querySelector("figcaption");
    var tools = cap.querySelector(".tools");
    if (!tools) {
      tools = document.createElement("span"); tools.className = "tools";
      var png = document.createElement("button"); png.type = "button"; png.textContent = T.png;
      png.addEventListener("click", function () {
        var a = document.createElement("a");
        a.href = charts[name].getDataURL({type: "png", pixelRatio: 2, backgroundColor: "#fff"});
        a.download = name + ".png"; a.click();
      });
      tools.appendChild(png);
      if (root.dataset.export && rowsQuery !== false) {  // false: no rows to export; a string: their URL
        var xl = document.createElement("a"); xl.className = "button"; xl.textContent = T.excel;
        var params = new URLSearchParams(query);
        Object.keys(typeof rowsQuery === "object" ? rowsQuery : {}).forEach(function (k) { params.set(k, rowsQuery[k]); });
        xl.href = typeof rowsQuery === "string" ? rowsQuery : root.dataset.export + "?" + params.toString();
        tools.appendChild(xl);
      }
      cap.appendChild(tools);
    }
    return c;
  }
  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }
  function bar(names, values, color) {
    return {tooltip: {}, grid: {left: 40, right: 10, bottom: 60, top: 20},
            xAxis: {type: "category", data: names, axisLabel: {rotate: 30, interval: 0}},
            yAxis: {type: "value"}, series: [{type: "bar", data: values, itemStyle: {color: color || "#0b5394"}}]};
  }

  get("loop").then(function (d) {
    var items = [["total", d.total, ""], ["due", d.due, "due"], ["closure_rate", pct(d.closure_rate), "closed"],
      ["ontime_rate", pct(d.ontime_rate), "ontime"], ["county_share", pct(d.county_share), "closed_county"],
      ["rework", d.rework_total, "rework"], ["overdue", d.overdue, "overdue"]];
    var kpis = document.getElementById("kpis"); kpis.innerHTML = "";
    items.forEach(function (it) {
      var a = document.createElement("a"); a.className = "kpi"; a.dataset.kpi = it[0];
      a.href = it[2] ? drill({segment: it[2]}) : drill({});
      var b = document.createElement("b"); b.textContent = it[1];
      var s = document.createElement("span"); s.textContent = T[it[0]];
      a.appendChild(b); a.appendChild(s); kpis.appendChild(a);
    });
    var h = d.close_hours;
    chart("hours", {tooltip: {}, legend: {top: 0}, grid: {left: 50, right: 10, bottom: 30, top: 40},
      xAxis: {type: "category", data: [T.county + " (" + h.county.n + ")", T.city + " (" + h.city.n + ")"]},
      yAxis: {type: "value", name: "h"},
      series: [{name: T.median, type: "bar", data: [h.county.p50, h.city.p50]},
               {name: T.p90, type: "bar", data: [h.county.p90, h.city.p90]}]},
      function (p) { go({segment: "closed", tier: p.dataIndex === 0 ? "county" : "city"}); }, {segment: "closed"});
  });

  get("types").then(function (rows) {
    chart("types", {tooltip: {trigger: "item", formatter: "{b}: {c} ({d}%)"},
      series: [{type: "pie", radius: ["30%", "68%"], data: rows.map(function (r) { return {name: r.name, value: r.value, code: r.code}; }),
                label: {formatter: "{b}\n{d}%"}}]},
      function (p) { go({type: p.data.code}); });
  });
  get("states").then(function (rows) {
    chart("states", bar(rows.map(function (r) { return r.name; }), rows.map(function (r) { return r.value; }), "#61a0a8"),
      function (p) { go({group: rows[p.dataIndex].code}); });
  });
  get("areas").then(function (d) {
    chart("counties", bar(d.counties.map(function (r) { return r.name; }), d.counties.map(function (r) { return r.value; })),
      function (p) { go({county: d.counties[p.dataIndex].code}); });
    var grids = d.grids.slice(0, 20);
    chart("grids", bar(grids.map(function (r) { return r.name; }), grids.map(function (r) { return r.value; }), "#749f83"),
      function (p) { go({grid: grids[p.dataIndex].code}); });
  });
  get("brands").then(function (rows) {
    chart("brands", bar(rows.map(function (r) { return r.name; }), rows.map(function (r) { return r.value; }), "#d48265"),
      function (p) { if (rows[p.dataIndex].code) { go({brand: rows[p.dataIndex].code}); } });
  });

  var trendData = null;
  function drawTrend(kind) {
    var rows = trendData[kind];
    chart("trend", {tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 45, right: 10, bottom: 30, top: 40},
      xAxis: {type: "category", data: rows.map(function (r) { return r.bucket; })}, yAxis: {type: "value"},
      series: [{name: T.reported, type: "line", data: rows.map(function (r) { return r.reported; })},
               {name: T.closed, type: "line", data: rows.map(function (r) { return r.closed; })}]},
      function (p) {
        var start = new Date(rows[p.dataIndex].bucket + "T00:00:00"), end = new Date(start);
        if (kind === "week") { end.setDate(end.getDate() + 6); } else { end.setMonth(end.getMonth() + 1); end.setDate(0); }
        function iso(d) { return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0"); }
        go({from: iso(start), to: iso(end)});
      });
  }
  get("trend").then(function (d) { trendData = d; drawTrend("month"); });
  var pick = root.querySelector(".trendpick");
  pick.addEventListener("change", function () { if (trendData) { charts.trend.clear(); drawTrend(pick.value); } });

  get("enforcement").then(function (d) {
    var c = d.current, p = d.previous;
    chart("enforcement", {tooltip: {}, legend: {top: 0}, grid: {left: 45, right: 20, bottom: 30, top: 50},
      xAxis: {type: "category", data: [T.cases, T.fines, T.admonitions]}, yAxis: {type: "value"},
      series: [{name: T.current + " " + c.from + "–" + c.to, type: "bar", data: [c.cases, c.fines, c.admonitions]},
               {name: T.previous + " " + p.from + "–" + p.to, type: "bar", data: [p.cases, p.fines, p.admonitions]}]},
      function () { go({tier: "city"}); }, {tier: "city"});
  });

  var mapData = null, mapCodeOf = {};
  function drawMap(mode) {
    var d = mapData, risk = mode === "risk";
    var sites = d.sites.map(function (s) {
      return {id: s.id, name: s.name, value: [s.value[0], s.value[1], s.value[2], s.risk === null ? -1 : s.risk]};
    });
    var max = risk ? 100 : Math.max(1, Math.max.apply(null, d.sites.map(function (s) { return s.value[2]; })));
    chart("map", {
      tooltip: {trigger: "item", formatter: function (p) {
        if (p.seriesType !== "scatter") { return p.name; }
        var r = p.data.value[3];
        return p.data.name + "<br>" + p.data.value[2] + " " + T.open_hazards + "<br>" +
          (r < 0 ? T.no_score : T.risk_score + " " + r); }},
      geo: {map: "districts", roam: true, itemStyle: {areaColor: "#eef3f8", borderColor: "#7a8ca0"},
            emphasis: {itemStyle: {areaColor: "#cfe0f3"}}, label: {show: true, color: "#445"}, selectedMode: false, triggerEvent: true},
      visualMap: {min: 0, max: max, dimension: risk ? 3 : 2, seriesIndex: 0, calculable: true, left: 10, bottom: 10,
                  text: [risk ? T.risk_score : T.open_hazards, ""],
                  inRange: {color: ["#91c7ae", "#f6c85f", "#c23531"]}, outOfRange: {color: "#c8ccd2"}},
      series: [{type: "scatter", coordinateSystem: "geo", data: sites, encode: {value: risk ? 3 : 2},
                symbolSize: function (v) { return risk ? (v[3] < 0 ? 4 : 5 + Math.min(12, v[3] / 8)) : 5 + Math.min(12, v[2] * 2); }}]
    }, null);
  }
  Promise.all([get("map"), fetch(root.dataset.districts, {credentials: "same-origin"}).then(function (r) { return r.json(); })])
    .then(function (both) {
      var geo = both[1];
      mapData = both[0];
      echarts.registerMap("districts", geo);
      geo.features.forEach(function (f) { mapCodeOf[f.properties.name] = f.properties.code; });
      drawMap(mapPick.value);
      charts.map.on("click", function (p) {
        if (p.componentType === "geo" && mapCodeOf[p.name]) { go({county: mapCodeOf[p.name]}); }
        else if (p.seriesType === "scatter") { go({site: p.data.id, segment: "open"}); }
      });
    });
  var mapPick = root.querySelector(".mappick");
  mapPick.addEventListener("change", function () { if (mapData) { charts.map.clear(); drawMap(mapPick.value); } });

  // ---- the three systems (三项制度) and the early warnings -------------------------------------------------
  var sys = document.getElementById("threesys");
  var warnUrl = sys.dataset.warnings;
  var dash = new URLSearchParams(query);
  var SYS = ["realname", "inspection", "screening"];
  var LOW_KIND = {realname: "LOW_REALNAME", inspection: "LOW_INSPECTION", screening: "LOW_SCREENING"};
  // The early-warning list: it filters by period (from, to: window start), county, grid, brand, kind, severity
  // and status, exactly as the warnings figure does, so a link lists the warnings the dashboard counted.
  function warnings(extra) {
    var params = new URLSearchParams();
    ["from", "to", "county", "grid", "brand"].forEach(function (k) { if (dash.get(k)) { params.set(k, dash.get(k)); } });
    Object.keys(extra).forEach(function (k) { if (extra[k]) { params.set(k, extra[k]); } });
    return warnUrl + "?" + params.toString();
  }
  function toWarnings(extra) { if (warnUrl) { window.location.href = warnings(extra); } }
  function rateAxis(rows) {
    var low = 1;
    rows.forEach(function (r) { SYS.forEach(function (k) { if (r[k] !== null && r[k] < low) { low = r[k]; } }); });
    return {type: "value", min: Math.max(0, Math.floor((low - 0.02) * 20) / 20), max: 1,
            axisLabel: {formatter: function (v) { return Math.round(v * 100) + "%"; }}};
  }
  function rateBars(rows) {
    return {tooltip: {trigger: "axis", valueFormatter: rate}, legend: {top: 0},
            grid: {left: 50, right: 10, bottom: 60, top: 40},
            xAxis: {type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: {rotate: 30, interval: 0}},
            yAxis: rateAxis(rows),
            series: SYS.map(function (k) { return {name: T[k], type: "bar", data: rows.map(function (r) { return r[k]; })}; })};
  }
  function rate(v) {  // never "100 %" unless every parcel: 99.996 % shows as 99.99 %
    if (v === null || v === undefined) { return "—"; }
    return v >= 1 ? "100%" : (Math.floor(v * 10000) / 100).toFixed(2) + "%";
  }
  function kpi(box, value, label, href) {
    var a = document.createElement(href ? "a" : "div"); a.className = "kpi";
    if (href) { a.href = href; }
    var b = document.createElement("b"); b.textContent = value;
    var s = document.createElement("span"); s.textContent = label;
    a.appendChild(b); a.appendChild(s); box.appendChild(a);
  }
  get("compliance").then(function (d) {
    var kpis = document.getElementById("syskpis");
    if (!d.total.parcels) {
      sys.querySelector(".empty").hidden = false;
      sys.querySelector(".syscharts").hidden = true;
      sys.querySelector(".lowblock").hidden = true;
      return;
    }
    kpi(kpis, d.total.parcels.toLocaleString(), T.parcels + " (" + d.total.days + " " + T.outlet_days + ")");
    SYS.forEach(function (k) {
      kpi(kpis, rate(d.total[k]), T[k] + " · " + d.total[k + "_missed"].toLocaleString() + " " + T.missed,
          warnUrl ? warnings({kind: LOW_KIND[k]}) : "");
    });
    chart("sys_counties", rateBars(d.counties),
      function (p) { toWarnings({county: d.counties[p.dataIndex].code, kind: LOW_KIND[SYS[p.seriesIndex]]}); }, false);
    chart("sys_brands", rateBars(d.brands),
      function (p) { toWarnings({brand: d.brands[p.dataIndex].code, kind: LOW_KIND[SYS[p.seriesIndex]]}); }, false);
    var days = d.days;
    chart("sys_days", {tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 50, right: 60, bottom: 30, top: 40},
      xAxis: {type: "category", data: days.map(function (r) { return r.day; })},
      yAxis: [rateAxis(days), {type: "value", name: T.parcels, splitLine: {show: false}}],
      series: SYS.map(function (k) {
        return {name: T[k], type: "line", data: days.map(function (r) { return r[k]; }), tooltip: {valueFormatter: rate}};
      }).concat([{name: T.parcels, type: "bar", yAxisIndex: 1, data: days.map(function (r) { return r.parcels; }),
                  itemStyle: {color: "#dde5ee"}, z: 0}])}, null, false);
  });
  get("outlets").then(function (rows) {
    var body = document.querySelector("#lowoutlets tbody");
    rows.forEach(function (r) {
      var tr = document.createElement("tr"); tr.dataset.site = r.id;
      var a = document.createElement("a"); a.href = r.url; a.textContent = r.name;
      var td = document.createElement("td"); td.appendChild(a); tr.appendChild(td);
      [r.county, r.brand, r.parcels.toLocaleString(), rate(r.realname), rate(r.inspection), rate(r.screening)].forEach(function (v, i) {
        var c = document.createElement("td"); c.textContent = v; if (i >= 2) { c.className = "num"; } tr.appendChild(c);
      });
      body.appendChild(tr);
    });
  });
  if (warnUrl) {
    get("warnings").then(function (d) {
      if (!d) { return; }
      var total = document.getElementById("warntotal"), all = document.createElement("a");
      all.href = warnings({}); all.textContent = d.total + " " + T.warnings_total + " " + d.open;
      total.textContent = ""; total.appendChild(all);
      if (!d.total) {
        sys.querySelector(".nowarnings").hidden = false; sys.querySelector(".warncharts").hidden = true; return;
      }
      var colours = {new: "#c23531", acknowledged: "#f6c85f", converted: "#0b5394", dismissed: "#a0a7b0"};
      function stacked(rows) {
        return {tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 40, right: 10, bottom: 90, top: 40},
                xAxis: {type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: {rotate: 30, interval: 0, width: 120, overflow: "truncate"}},
                yAxis: {type: "value", minInterval: 1},
                series: d.statuses.map(function (s) {
                  return {name: s.name, type: "bar", stack: "status", itemStyle: {color: colours[s.code]},
                          data: rows.map(function (r) { return r[s.code]; })}; })};
      }
      chart("warn_kinds", stacked(d.kinds),
        function (p) { toWarnings({kind: d.kinds[p.dataIndex].code, status: d.statuses[p.seriesIndex].code}); },
        sys.dataset.warningsExport ? warnings({}).replace(warnUrl, sys.dataset.warningsExport) : false);
      chart("warn_severities", stacked(d.severities),
        function (p) { toWarnings({severity: d.severities[p.dataIndex].code, status: d.statuses[p.seriesIndex].code}); },
        sys.dataset.warningsExport ? warnings({}).replace(warnUrl, sys.dataset.warningsExport) : false);
    });
  }

  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
})();
