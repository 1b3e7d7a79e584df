/* The status page's behaviour: polling the live region (only while the tab is visible), keeping the
   reader's place across refreshes, times in the reader's local time, and keyboard access to the uptime bars. */
(function () {
  "use strict";

  function live() { return document.getElementById("live"); }

  // Poll: htmx does the request; a 304 (nothing changed) leaves the page as it is.
  function poll() {
    var el = live();
    if (el && window.htmx && document.visibilityState === "visible") htmx.trigger(el, "poll");
  }
  var el = live();
  if (el) {
    setInterval(poll, (parseInt(el.dataset.poll, 10) || 15) * 1000);
    document.addEventListener("visibilitychange", poll);
  }

  // A swap replaces the region: remember which groups were open or closed and where focus was.
  var saved = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target !== live()) return;
    var groups = {};
    live().querySelectorAll("details[id]").forEach(function (d) { groups[d.id] = d.open; });
    var active = document.activeElement;
    saved = { groups: groups, focus: active && live().contains(active) ? focusKey(active) : null };
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!saved || !live()) return;
    live().querySelectorAll("details[id]").forEach(function (d) {
      if (d.id in saved.groups) d.open = saved.groups[d.id];
    });
    if (saved.focus) {
      var target = restoreFocus(saved.focus);
      if (target) target.focus({ preventScroll: true });
    }
    saved = null;
    enhance(live());
  });

  function focusKey(node) {
    var owner = node.closest("[id]");
    var bar = node.closest("ol.bar");
    var index = bar && node.parentNode === bar ? Array.prototype.indexOf.call(bar.children, node) : -1;
    return { id: owner ? owner.id : null, bar: !!bar, index: index, tag: node.tagName };
  }
  function restoreFocus(key) {
    var owner = key.id && document.getElementById(key.id);
    if (!owner) return null;
    if (key.bar) {
      var bar = owner.querySelector("ol.bar") || owner.closest("ol.bar");
      if (bar && key.index >= 0) return bar.children[key.index] || bar;
      return bar;
    }
    return owner.matches(key.tag) ? owner : owner.querySelector(key.tag.toLowerCase());
  }

  // Each time once, in the reader's local time; the UTC text the server wrote shows on hover.
  function localTimes(scope) {
    scope.querySelectorAll("time[data-local]").forEach(function (t) {
      if (t.dataset.done) return;
      var when = new Date(t.getAttribute("datetime"));
      if (isNaN(when)) return;
      t.title = t.textContent;
      t.textContent = when.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
      t.dataset.done = "1";
    });
  }

  // Uptime bars: one tab stop per bar, arrow keys move between days, the day's text shows in a tooltip.
  var tip = document.createElement("div");
  tip.className = "tip";
  tip.setAttribute("role", "tooltip");
  tip.id = "bar-tip";
  tip.hidden = true;
  document.body.appendChild(tip);

  function dayText(bar, cell) {
    var index = Array.prototype.indexOf.call(bar.children, cell);
    var end = new Date(bar.dataset.end + "T00:00:00Z");
    var day = new Date(end.getTime() - (bar.children.length - 1 - index) * 86400000);
    var label = day.toLocaleDateString(undefined, { timeZone: "UTC", month: "short", day: "numeric", year: "numeric" });
    if (cell.classList.contains("d-none")) return label + ": no data";
    var text = label + ": " + (cell.dataset.u || "100.00%") + " uptime";
    if (cell.dataset.i) text += ". Incidents: " + cell.dataset.i;
    return text;
  }
  function show(bar, cell) {
    var text = dayText(bar, cell);
    cell.setAttribute("aria-label", text);
    tip.textContent = text;
    tip.hidden = false;
    var box = cell.getBoundingClientRect();
    var left = Math.min(window.scrollX + box.left, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8);
    tip.style.left = Math.max(8, left) + "px";
    tip.style.top = (window.scrollY + box.bottom + 6) + "px";
  }
  function hide() { tip.hidden = true; }

  function enhance(scope) {
    localTimes(scope);
    scope.querySelectorAll("ol.bar").forEach(function (bar) {
      var cells = bar.children;
      if (!cells.length) return;
      bar.removeAttribute("tabindex");
      for (var i = 0; i < cells.length; i++) cells[i].tabIndex = -1;
      cells[cells.length - 1].tabIndex = 0;
    });
  }
  document.addEventListener("keydown", function (event) {
    var cell = event.target;
    var bar = cell.parentNode;
    if (!bar || !bar.matches || !bar.matches("ol.bar")) return;
    var cells = bar.children, index = Array.prototype.indexOf.call(cells, cell), next = index;
    if (event.key === "ArrowLeft") next = index - 1;
    else if (event.key === "ArrowRight") next = index + 1;
    else if (event.key === "Home") next = -1;
    else if (event.key === "End") next = cells.length - 1;
    else if (event.key === "Escape") { hide(); return; }
    else return;
    event.preventDefault();
    var first = 0;  // on a phone the oldest 60 days are hidden: the arrows stop at the first shown
    while (first < cells.length - 1 && cells[first].offsetParent === null) first++;
    next = Math.max(first, Math.min(cells.length - 1, next));
    cell.tabIndex = -1;
    cells[next].tabIndex = 0;
    cells[next].focus();
  });
  document.addEventListener("focusin", function (event) {
    var bar = event.target.parentNode;
    if (bar && bar.matches && bar.matches("ol.bar")) show(bar, event.target); else hide();
  });
  document.addEventListener("mouseover", function (event) {
    var cell = event.target, bar = cell.parentNode;
    if (bar && bar.matches && bar.matches("ol.bar")) show(bar, cell);
  });
  document.addEventListener("mouseout", function (event) {
    if (event.target.parentNode && event.target.parentNode.matches && event.target.parentNode.matches("ol.bar")) hide();
  });

  // Subscription forms: the component boxes mean nothing while "all components" is chosen.
  function scopes(scope) {
    scope.querySelectorAll("fieldset.scope").forEach(function (set) {
      var all = set.querySelector('input[name="scope"][value="all"]');
      if (!all) return;
      set.querySelectorAll('input[name="components"]').forEach(function (box) { box.disabled = all.checked; });
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "scope") scopes(event.target.form || document);
  });
  document.addEventListener("htmx:afterSettle", function (event) { scopes(event.target); });

  // Charts: one tab stop per chart (its latest step), arrow keys move between steps, as the bars do.
  function charts(scope) {
    scope.querySelectorAll("figure.perf svg").forEach(function (svg) {
      var cols = svg.querySelectorAll("g.col");
      for (var i = 0; i < cols.length; i++) cols[i].setAttribute("tabindex", i === cols.length - 1 ? "0" : "-1");
    });
  }
  document.addEventListener("keydown", function (event) {
    var col = event.target;
    if (!col.matches || !col.matches("figure.perf g.col")) return;
    var cols = Array.prototype.slice.call(col.parentNode.querySelectorAll("g.col"));
    var index = cols.indexOf(col), next = index;
    if (event.key === "ArrowLeft") next = index - 1;
    else if (event.key === "ArrowRight") next = index + 1;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = cols.length - 1;
    else return;
    event.preventDefault();
    next = Math.max(0, Math.min(cols.length - 1, next));
    col.setAttribute("tabindex", "-1");
    cols[next].setAttribute("tabindex", "0");
    cols[next].focus();
  });

  enhance(document);
  scopes(document);
  charts(document);
})();
