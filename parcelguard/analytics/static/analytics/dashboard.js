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
  function get(name) {  // one request at a time: gentle on the server, and on SQLite's single writer
    var answer = queue.then(function () {
      return fetch(root.dataset.api + name + "?" + query, {credentials: "same-origin"})
        .then(function (r) { return r.json(); }).then(function (body) { return body.data; });
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
      if (root.dataset.export) {
        var xl = document.createElement("a"); xl.className = "button"; xl.textContent = T.excel;
        var params = new URLSearchParams(query);
        Object.keys(rowsQuery || {}).forEach(function (k) { params.set(k, rowsQuery[k]); });
        xl.href = root.dataset.export + "?" + params.toString();
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

  Promise.all([get("map"), fetch(root.dataset.districts, {credentials: "same-origin"}).then(function (r) { return r.json(); })])
    .then(function (both) {
      var d = both[0], geo = both[1];
      echarts.registerMap("districts", geo);
      var codeOf = {};
      geo.features.forEach(function (f) { codeOf[f.properties.name] = f.properties.code; });
      var max = Math.max(1, Math.max.apply(null, d.sites.map(function (s) { return s.value[2]; })));
      chart("map", {
        tooltip: {trigger: "item", formatter: function (p) {
          return p.seriesType === "scatter" ? p.data.name + "<br>" + p.data.value[2] + " " + T.open_hazards : p.name; }},
        geo: {map: "districts", roam: true, itemStyle: {areaColor: "#eef3f8", borderColor: "#7a8ca0"},
              emphasis: {itemStyle: {areaColor: "#cfe0f3"}}, label: {show: true, color: "#445"}, selectedMode: false, triggerEvent: true},
        visualMap: {min: 0, max: max, dimension: 2, seriesIndex: 0, calculable: true, left: 10, bottom: 10,
                    inRange: {color: ["#91c7ae", "#f6c85f", "#c23531"]}},
        series: [{type: "scatter", coordinateSystem: "geo", symbolSize: function (v) { return 5 + Math.min(12, v[2] * 2); },
                  data: d.sites, encode: {value: 2}}]
      }, null);
      charts.map.on("click", function (p) {
        if (p.componentType === "geo" && codeOf[p.name]) { go({county: codeOf[p.name]}); }
        else if (p.seriesType === "scatter") { go({site: p.data.id, segment: "open"}); }
      });
    });

  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
})();
