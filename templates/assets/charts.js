/* Draw each chart live from the Vega-Lite spec embedded in its page.
   The static SVG beside it stays for print, and shows when JavaScript is off. */
(function () {
  "use strict";
  var geometry = window.BRIEFING_GEO || {};

  function draw(figure) {
    if (figure.getAttribute("data-drawing")) {
      return;
    }
    figure.setAttribute("data-drawing", "yes");
    var source = figure.querySelector("script.chart-spec");
    var view = figure.querySelector(".chart-view");
    if (!source || !view || typeof window.vegaEmbed !== "function") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var name = figure.getAttribute("data-geo");
    if (name) {
      spec.datasets = spec.datasets || {};
      spec.datasets[name] = geometry[name];
    }
    /* ast + expr: evaluate Vega expressions with the interpreter, never with eval, so the page's
       Content-Security-Policy needs no 'unsafe-eval' */
    window.vegaEmbed(view, spec, { actions: false, renderer: "svg", tooltip: { theme: "light" },
                                   ast: true, expr: window.vegaExpressionInterpreter })
      .then(function () {
        figure.classList.add("chart-live");
      })
      .catch(function (error) {
        figure.classList.add("chart-failed");
        console.error("briefing: chart " + figure.id + " could not be drawn: " + error);
      });
  }

  /* Draw every chart on the page that is not drawn yet (the preview server calls this again
     after it swaps in an edited page). */
  window.briefingDrawCharts = function () {
    Array.prototype.forEach.call(document.querySelectorAll("figure.chart"), draw);
  };
  window.briefingDrawCharts();
})();
