// The exam paper's countdown (training/take.html): counts the seconds left down once a second; at zero it
// says so. The server refuses a paper handed in after the limit whatever this shows.
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("exam-timer");
    if (!box) return;
    var left = parseInt(box.getAttribute("data-seconds"), 10) || 0;
    var span = box.querySelector("span");
    var tick = function () {
      var m = Math.floor(left / 60), s = left % 60;
      span.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      if (left <= 0) { box.classList.add("warn"); return; }
      left -= 1;
      window.setTimeout(tick, 1000);
    };
    tick();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
