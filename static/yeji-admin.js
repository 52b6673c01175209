/* 业绩补录平台 — the admin's record page: open or close every section at once. Works without it (each section is a
   <details> the reviewer opens by itself). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-sections]");
    if (!button) return;
    var open = button.getAttribute("data-sections") === "open";
    document.querySelectorAll("details.rq-section").forEach(function (d) { d.open = open; });
  });
})();
