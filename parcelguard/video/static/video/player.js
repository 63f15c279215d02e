// Live view and playback (parcelguard/video). hls.js (vendored, no CDN) plays the signed HLS playlist
// the page gives in data-hls; a recording plays as MP4 from data-offset seconds. No inline script (CSP).
(function () {
  "use strict";
  function live(video) {
    var src = video.getAttribute("data-hls");
    var status = document.getElementById(video.getAttribute("data-status") || "");
    function say(key) {
      if (status) { status.textContent = status.getAttribute("data-" + key) || ""; }
      video.setAttribute("data-state", key);
    }
    if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls({ liveSyncDurationCount: 2, manifestLoadingMaxRetry: 2 });
      hls.on(window.Hls.Events.ERROR, function (_e, data) { if (data.fatal) { say("failed"); hls.destroy(); } });
      hls.on(window.Hls.Events.FRAG_BUFFERED, function () { say("playing"); });
      hls.loadSource(src);
      hls.attachMedia(video);
      hls.on(window.Hls.Events.MANIFEST_PARSED, function () { video.play().catch(function () {}); });
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = src;
      video.play().catch(function () {});
    } else {
      say("unsupported");
    }
  }
  function playback(video) {
    var offset = parseFloat(video.getAttribute("data-offset") || "0");
    video.addEventListener("loadedmetadata", function () {
      video.currentTime = Math.min(offset, Math.max(0, video.duration - 0.2));
      video.play().catch(function () {});
    }, { once: true });
  }
  function start() {
    document.querySelectorAll("video[data-hls]").forEach(live);
    document.querySelectorAll("video[data-offset]").forEach(playback);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
