/* Behaviour every page shares, kept out of the HTML so the Content-Security-Policy can forbid inline
   script: a <select data-autosubmit> submits its form when changed. */
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) { el.form.submit(); }
});
