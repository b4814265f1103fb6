/* added by `briefing publish`: switch between published versions of this book */
(function () {
  "use strict";
  var settings = document.currentScript.dataset;
  var current = settings.version, page = settings.page, dest = settings.dest;
  var versions = (window.BRIEFING_VERSIONS || []).slice().reverse();
  var box = document.querySelector(".version-switcher");
  var select = box.querySelector("select");
  versions.forEach(function (v) {
    var option = document.createElement("option");
    option.value = v.name;
    option.textContent = v.name + (v.latest ? " (latest)" : "") + " \u2014 as of " + v.as_of;
    option.selected = v.name === current;
    select.appendChild(option);
  });
  if (versions.length) { box.hidden = false; }
  select.addEventListener("change", function () {
    var target = versions.filter(function (v) { return v.name === select.value; })[0];
    var path = target.pages.indexOf(page) >= 0 ? page : "index.html";
    location.href = dest + encodeURIComponent(target.name) + "/" + path;
  });
})();
