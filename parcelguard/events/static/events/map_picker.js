/* The report form's offline map picker: the city's schematic districts (the dashboard's boundary file,
   embedded in the page) with the user's visible sites as points, drawn by the vendored ECharts.
   A tap sets the location (pixel → longitude/latitude with convertFromPixel) and drops a marker; a tap on
   or near a site also chooses that site in the form. The GPS button moves the same marker. */
(function () {
  "use strict";
  var el = document.getElementById("map-picker");
  if (!el || !window.echarts) { return; }
  var data = JSON.parse(document.getElementById("picker-data").textContent);
  if (!data.districts || !data.districts.features || !data.districts.features.length) { el.hidden = true; return; }
  var select = document.getElementById("site");
  var TOUCH = 18;  // px: a fingertip this close to a site chooses it

  echarts.registerMap("pg-districts", data.districts);
  var chart = echarts.init(el);
  window.pgPicker = chart;

  function markerData(lon, lat) { return lon === null ? [] : [{value: [lon, lat]}]; }
  function current() {
    var y = parseFloat(document.getElementById("latitude").value);
    var x = parseFloat(document.getElementById("longitude").value);
    return isNaN(x) || isNaN(y) ? [null, null] : [x, y];
  }
  var start = current();
  chart.setOption({
    animation: false,
    tooltip: {trigger: "item", formatter: function (p) { return p.seriesId === "sites" ? p.data.name : p.name; }},
    geo: {map: "pg-districts", roam: true, tooltip: {show: false}, scaleLimit: {min: 1, max: 12}, layoutCenter: ["50%", "50%"],
          layoutSize: "95%", selectedMode: false, itemStyle: {areaColor: "#eef3f8", borderColor: "#7a8ca0"},
          emphasis: {disabled: true}, label: {show: true, color: "#445", fontSize: 11}},
    series: [
      {id: "sites", type: "scatter", coordinateSystem: "geo", data: data.sites, symbolSize: 9,
       itemStyle: {color: "#0b5394", borderColor: "#fff", borderWidth: 1}, emphasis: {scale: 1.6}},
      {id: "pick", type: "scatter", coordinateSystem: "geo", data: markerData(start[0], start[1]), symbol: "pin",
       symbolSize: 30, symbolOffset: [0, "-40%"], itemStyle: {color: "#c23531"}, silent: true, z: 10}
    ]
  });

  function mark(lon, lat) { chart.setOption({series: [{id: "pick", data: markerData(lon, lat)}]}); }
  function nearestSite(px) {
    var best = null, bestD = TOUCH;
    data.sites.forEach(function (s) {
      var p = chart.convertToPixel({geoIndex: 0}, s.value);
      var d = p ? Math.hypot(p[0] - px[0], p[1] - px[1]) : Infinity;
      if (d <= bestD) { best = s; bestD = d; }
    });
    return best;
  }
  function chooseSite(site) {
    if (!select) { return; }
    var option = select.querySelector('option[value="' + site.id + '"]');
    if (option) { select.value = String(site.id); select.dispatchEvent(new Event("change", {bubbles: true})); }
  }

  chart.getZr().on("click", function (e) {
    var px = [e.offsetX, e.offsetY];
    if (!chart.containPixel({geoIndex: 0}, px)) { return; }
    var site = nearestSite(px);
    var at = site ? site.value : chart.convertFromPixel({geoIndex: 0}, px);
    if (!at) { return; }
    if (window.pgSetLocation && window.pgSetLocation(at[1], at[0], site ? "site" : "picked") && site) {
      chooseSite(site);
    }
  });
  document.addEventListener("pg:location", function (e) { mark(e.detail.lon, e.detail.lat); });
  window.addEventListener("resize", function () { chart.resize(); });
})();
