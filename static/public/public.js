/* 业绩补录平台 — the public query: the region picker (province → city → county). Without JavaScript the form still
 * works: each level is a select named `region`, the deepest chosen counts, and the page lists the next level's
 * choices after a search. With it, choosing a level fetches the next one's from /public/regions/<code>/. */
(function () {
  "use strict";

  function fill(select, regions, allLabel) {
    while (select.options.length) select.remove(0);
    select.add(new Option(allLabel, ""));
    regions.forEach(function (r) { select.add(new Option(r.name, r.code)); });
    select.hidden = regions.length === 0;
  }

  function init(picker) {
    var url = picker.getAttribute("data-url");
    var levels = Array.prototype.slice.call(picker.querySelectorAll("select.region-level"));
    var allLabels = levels.map(function (s) { return s.options.length ? s.options[0].text : ""; });
    levels.forEach(function (select, depth) {
      select.addEventListener("change", function () {
        for (var k = depth + 1; k < levels.length; k++) fill(levels[k], [], allLabels[k]);
        var code = select.value;
        if (!code || depth + 1 >= levels.length) return;
        fetch(url.replace("CODE", encodeURIComponent(code)), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { regions: [] }; })
          .then(function (data) { fill(levels[depth + 1], data.regions || [], allLabels[depth + 1]); })
          .catch(function () { /* the next level stays empty: the search still takes this level */ });
      });
    });
  }

  document.querySelectorAll(".region-picker[data-url]").forEach(init);
})();
