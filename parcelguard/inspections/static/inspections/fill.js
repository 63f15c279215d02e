/* The inspection checklist on a phone: kept in localStorage, scored live, signed, sent when the network allows. */
(() => {
  const form = document.getElementById("checklist");
  const key = "inspection-" + form.dataset.pk, status = document.getElementById("status");
  const T = JSON.parse(document.getElementById("fill-i18n").textContent);
  const saved = JSON.parse(localStorage.getItem(key) || "{}");
  const token = saved.token || (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
  const photos = {};  // item code -> [File]
  let sending = false, pending = false, signed = false;
  for (const el of form.elements) {
    if (!el.name || el.type === "file" || !(el.name in (saved.values || {}))) continue;
    if (el.type === "radio") el.checked = saved.values[el.name] === el.value; else el.value = saved.values[el.name];
  }
  function values() {
    const v = {};
    for (const el of form.elements) {
      if (!el.name || el.type === "file") continue;
      if (el.type === "radio") { if (el.checked) v[el.name] = el.value; } else v[el.name] = el.value;
    }
    return v;
  }
  function keep() { localStorage.setItem(key, JSON.stringify({token, values: values()})); score(); }
  function answers() {
    const out = {}, v = values();
    for (const div of form.querySelectorAll(".item")) {
      const c = div.dataset.code, m = div.dataset.method, a = {note: v["note_" + c] || ""};
      if (m === "yesno") { if (v["ok_" + c]) a.ok = v["ok_" + c] === "yes"; }
      else if (m === "graded") a.score = v["score_" + c]; else a.findings = v["findings_" + c];
      out[c] = a;
    }
    return out;
  }
  function score() {
    let s = 0; const a = answers();
    for (const div of form.querySelectorAll(".item")) {
      const c = div.dataset.code, p = parseFloat(div.dataset.points), x = a[c];
      if (div.dataset.method === "yesno") s += x.ok ? p : 0;
      else if (div.dataset.method === "graded") s += Math.min(p, parseFloat(x.score) || 0);
      else if (x.findings !== "" && x.findings !== undefined) s += Math.max(0, p - parseInt(x.findings) * parseFloat(div.dataset.deduct));
    }
    document.getElementById("live-score").textContent = s.toFixed(1);
  }
  form.addEventListener("input", keep); form.addEventListener("change", (e) => {
    if (e.target.type === "file") {
      const code = e.target.name.slice(6);
      photos[code] = (photos[code] || []).concat(Array.from(e.target.files));
      form.querySelector(`.photos[data-for="${code}"]`).textContent = photos[code].length + " " + T.photos;
      return;
    }
    keep();
  });
  if (navigator.geolocation) navigator.geolocation.getCurrentPosition((p) => { form.dataset.lat = p.coords.latitude; form.dataset.lon = p.coords.longitude; }, () => {}, {timeout: 5000});
  const canvas = document.getElementById("signature"), ctx = canvas.getContext("2d"); let drawing = false;
  const at = (e) => { const r = canvas.getBoundingClientRect(); return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height]; };
  canvas.addEventListener("pointerdown", (e) => { drawing = true; ctx.beginPath(); ctx.moveTo(...at(e)); });
  canvas.addEventListener("pointermove", (e) => { if (drawing) { ctx.lineTo(...at(e)); ctx.lineWidth = 2; ctx.stroke(); signed = true; } });
  window.addEventListener("pointerup", () => { drawing = false; });
  document.getElementById("clear-signature").onclick = () => { ctx.clearRect(0, 0, canvas.width, canvas.height); signed = false; };
  async function send() {
    if (sending) return; sending = true; pending = true;
    status.textContent = T.sending;
    const data = new FormData();
    data.append("answers", JSON.stringify(answers())); data.append("client_token", token);
    data.append("representative", values().representative || "");
    if (form.dataset.lat) { data.append("latitude", form.dataset.lat); data.append("longitude", form.dataset.lon); }
    for (const [code, files] of Object.entries(photos)) for (const f of files) data.append("photo_" + code, f);
    if (signed) data.append("signature", await new Promise((ok) => canvas.toBlob(ok, "image/png")), "signature.png");
    try {
      const r = await fetch(form.dataset.url, {method: "POST", body: data, headers: {"X-CSRFToken": form.dataset.csrf}, credentials: "same-origin"});
      const body = await r.json();
      pending = false;
      if (body.ok) { localStorage.removeItem(key); status.textContent = T.sent; window.location.href = body.url; }
      else status.textContent = body.error.message;
    } catch (err) {
      status.textContent = T.offline;
    } finally { sending = false; }
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); keep(); send(); });
  window.addEventListener("online", () => { if (pending) send(); });
  setInterval(() => { if (pending && !sending && navigator.onLine) send(); }, 4000);
  score();
})();
