/* The location: GPS from the phone (on load and with the button), or a point picked on the map
   (events/map_picker.js). Both go through pgSetLocation, which fills the hidden fields. */
(function () {
  var T = JSON.parse(document.getElementById("picker-i18n").textContent);
  var box = JSON.parse(document.getElementById("picker-data").textContent).box;
  var where = document.getElementById("where");
  var lat = document.getElementById("latitude"), lon = document.getElementById("longitude");
  function inside(y, x) { return !box || (x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3]); }
  window.pgSetLocation = function (y, x, how) {
    if (!inside(y, x)) { where.textContent = T.outside; return false; }
    lat.value = y.toFixed(6); lon.value = x.toFixed(6);
    where.textContent = T.here + ": " + y.toFixed(5) + ", " + x.toFixed(5) + " (" + T[how] + ")";
    document.dispatchEvent(new CustomEvent("pg:location", {detail: {lat: y, lon: x, how: how}}));
    return true;
  };
  function locate(first) {
    if (!navigator.geolocation) { where.textContent = T.none; return; }
    if (!first) { where.textContent = T.locating; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      if (first && lat.value) { return; }  // the user already picked a point on the map
      window.pgSetLocation(pos.coords.latitude, pos.coords.longitude, "gps");
    }, function () { if (!(first && lat.value)) { where.textContent = T.denied; } },
    {enableHighAccuracy: true, timeout: 10000});
  }
  document.getElementById("gps").addEventListener("click", function () { locate(false); });
  if (lat.value && lon.value) { window.pgSetLocation(parseFloat(lat.value), parseFloat(lon.value), "picked"); }
  else { locate(true); }
})();
