/* added by `briefing serve` only; never part of a built site */
(function () {
  "use strict";
  var settings = document.currentScript.dataset;
  var build = Number(settings.build);
  var page = settings.page;
  var overlay = null;
  function show(problems) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "briefing-errors";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:rgba(20,20,24,.93);color:#fff;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;" +
        "padding:2rem 2.5rem";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = document.createElement("h2");
    title.style.cssText = "font:600 18px system-ui,sans-serif;color:#ff8a80;margin:0 0 1rem";
    title.textContent = problems.length + (problems.length === 1 ? " problem" : " problems") +
      " in the book. The page below is the last good build; fix the file and save.";
    overlay.appendChild(title);
    problems.forEach(function (text) {
      var line = document.createElement("pre");
      line.style.cssText = "margin:.3rem 0;white-space:pre-wrap";
      line.textContent = text;
      overlay.appendChild(line);
    });
  }
  function hide() {
    if (overlay) { overlay.remove(); overlay = null; }
  }
  /* warnings do not stop the build: a small panel in a corner, which the writer can close */
  var notes = null;
  var dismissed = "";
  function warn(warnings) {
    var key = warnings.join("\n");
    if (notes) { notes.remove(); notes = null; }
    if (!warnings.length || key === dismissed) { return; }
    notes = document.createElement("details");
    notes.id = "briefing-warnings";
    notes.setAttribute("role", "status");
    notes.style.cssText = "position:fixed;right:1rem;bottom:1rem;z-index:2147483646;max-width:min(44rem,90vw);" +
      "max-height:60vh;overflow:auto;background:#fff8e6;color:#4a3300;border:1px solid #e0b04a;border-radius:6px;" +
      "box-shadow:0 2px 10px rgba(0,0,0,.2);font:13px/1.45 ui-monospace,Menlo,Consolas,monospace;padding:.5rem .8rem";
    var summary = document.createElement("summary");
    summary.style.cssText = "cursor:pointer;font:600 14px system-ui,sans-serif";
    summary.textContent = warnings.length + (warnings.length === 1 ? " warning" : " warnings") + " in the book";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.style.cssText = "margin-left:1rem;font:13px system-ui,sans-serif";
    close.addEventListener("click", function (event) {
      event.preventDefault(); dismissed = key; notes.remove(); notes = null;
    });
    summary.appendChild(close);
    notes.appendChild(summary);
    warnings.forEach(function (text) {
      var line = document.createElement("pre");
      line.style.cssText = "margin:.3rem 0;white-space:pre-wrap";
      line.textContent = text;
      notes.appendChild(line);
    });
    document.documentElement.appendChild(notes);  /* outside the body, which a live update replaces */
  }
  function scripts(doc) {
    return Array.prototype.map.call(doc.querySelectorAll("script[src], link[rel=stylesheet]"),
      function (el) { return el.getAttribute("src") || el.getAttribute("href"); }).join(" ");
  }
  /* Swap in the new page without reloading its scripts, so an edit shows at once;
     reload instead when a stylesheet or script changed. */
  function update(state) {
    var next = state.build;
    var changed = state.changed;
    if (next !== build + 1 || !changed) { location.reload(); return; }
    build = next;
    if (changed.some(function (path) { return path.indexOf("assets/") === 0; })) { location.reload(); return; }
    if (changed.indexOf(page) < 0) { return; }
    fetch("/" + page, { cache: "no-store" }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      if (scripts(doc) !== scripts(document)) { location.reload(); return; }
      var drawn = {};
      Array.prototype.forEach.call(document.querySelectorAll("figure.chart-live"), function (figure) {
        drawn[figure.querySelector("script.chart-spec").textContent] = figure;
      });
      document.title = doc.title;
      document.body.innerHTML = doc.body.innerHTML;
      /* keep charts whose spec did not change, already drawn */
      Array.prototype.forEach.call(document.querySelectorAll("figure.chart"), function (figure) {
        var old = drawn[figure.querySelector("script.chart-spec").textContent];
        if (old) { old.id = figure.id; figure.replaceWith(old); }
      });
      if (window.briefingDrawCharts) { window.briefingDrawCharts(); }
    }).catch(function () { location.reload(); });
  }
  var events = new EventSource(settings.events);
  events.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (state.problems.length) { show(state.problems); return; }
    hide();
    if (state.build !== build) { update(state); }
    warn(state.warnings || []);
  });
})();
