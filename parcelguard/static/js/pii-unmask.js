/* Audited unmasking (docs/privacy.md): a "查看" button next to a masked value asks for the reason, posts it
   as a form field to /pii/unmask/ and shows the one value in place of the masked one. No inline script:
   the page's Content-Security-Policy allows only static files. */
(function () {
  "use strict";

  function csrfToken(button) {
    if (button.dataset.csrf) return button.dataset.csrf;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function show(wrapper, html, isError) {
    var old = wrapper.querySelector(".unmask-error");
    if (old) old.remove();
    if (isError) {
      var span = document.createElement("span");
      span.className = "error unmask-error";
      span.setAttribute("role", "alert");
      span.textContent = html;
      wrapper.appendChild(span);
    } else {
      wrapper.innerHTML = html;
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.unmask[data-field]") : null;
    if (!button) return;
    event.preventDefault();
    var wrapper = button.closest(".pii") || button.parentElement;
    var reason = window.prompt(button.dataset.prompt || "");
    if (reason === null) return;
    var body = new URLSearchParams();
    body.set("kind", button.dataset.kind);
    body.set("pk", button.dataset.pk);
    body.set("field", button.dataset.field);
    body.set("reason", reason);
    button.disabled = true;
    fetch(button.dataset.url || "/pii/unmask/", {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(button), "Content-Type": "application/x-www-form-urlencoded"},
      body: body.toString()
    }).then(function (response) {
      return response.text().then(function (text) {
        button.disabled = false;
        if (response.ok) {
          show(wrapper, text, false);
        } else {
          var tmp = document.createElement("div");
          tmp.innerHTML = text;
          show(wrapper, tmp.textContent || String(response.status), true);
        }
      });
    }).catch(function () {
      button.disabled = false;
      show(wrapper, button.dataset.failed || "Network error", true);
    });
  });
})();
