/* Status widget: <script src="https://status.example.com/embed.js" async></script>
   Shows the overall status (and open incidents) from /api/v2/summary.json of the page it came from,
   inside a shadow root so the host page's styles neither leak in nor out. Renders into an element
   with id="statuspage-widget" if there is one, otherwise as a small pill in the bottom corner. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var origin = new URL(script.src).origin;
  var colours = { none: "#1a7f37", minor: "#9a6700", major: "#bc4c00", critical: "#cf222e", maintenance: "#0969da" };
  var host = document.getElementById("statuspage-widget");
  if (!host) {
    host = document.createElement("div");
    host.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483000";
    document.body.appendChild(host);
  }
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var link = document.createElement("a");
  link.href = origin + "/";
  link.target = "_blank";
  link.rel = "noopener";
  link.style.cssText = "display:inline-flex;gap:8px;align-items:center;padding:8px 12px;border-radius:999px;" +
    "background:#fff;color:#1f2328;font:14px/1.3 system-ui,sans-serif;text-decoration:none;" +
    "box-shadow:0 1px 4px rgba(0,0,0,.25)";
  var dot = document.createElement("span");
  dot.setAttribute("aria-hidden", "true");
  dot.style.cssText = "width:10px;height:10px;border-radius:50%;background:#59636e";
  var text = document.createElement("span");
  text.textContent = "Loading status…";
  link.appendChild(dot);
  link.appendChild(text);
  root.appendChild(link);

  function render(summary) {
    var indicator = summary.status.indicator;
    var words = summary.status.description;
    // Our own monitoring is late (the description says since when): grey, never a status colour.
    var delayed = words.indexOf("Monitoring delayed since") === 0;
    dot.style.background = (!delayed && colours[indicator]) || "#59636e";
    if (summary.incidents.length) words += ": " + summary.incidents[0].name;
    text.textContent = words;
    link.title = summary.page.name + " status";
  }
  function refresh() {
    if (document.visibilityState !== "visible") return;
    fetch(origin + "/api/v2/summary.json", { credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(render)
      .catch(function () { text.textContent = "Status unavailable"; });
  }
  refresh();
  setInterval(refresh, 60000);
  document.addEventListener("visibilitychange", refresh);
})();
