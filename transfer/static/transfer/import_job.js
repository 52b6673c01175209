// The import job's page (transfer/admin.py): polls the job's progress JSON and updates the bar, the counters and the
// time left; reloads the page once the job has finished, to show its result and problems. Without JavaScript the
// page refreshes itself (<noscript> meta refresh) and has a reload button.
(function () {
  "use strict";
  var main = document.querySelector(".transfer-job[data-progress-url]");
  if (!main || main.getAttribute("data-finished") === "1") {
    return;
  }
  var url = main.getAttribute("data-progress-url");
  function text(id, value) {
    var el = document.getElementById(id);
    if (el) {
      el.textContent = value;
    }
  }
  function left(seconds) {
    if (seconds === null || seconds === undefined) {
      return "—";
    }
    if (seconds < 60) {
      return seconds + " 秒";
    }
    return Math.floor(seconds / 60) + " 分 " + (seconds % 60) + " 秒";
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) {
          window.setTimeout(poll, 5000);
          return;
        }
        var bar = document.getElementById("job-bar");
        if (bar) {
          bar.value = data.percent;
          bar.textContent = data.percent + "%";
        }
        text("job-done", data.done);
        text("job-total", data.total);
        text("job-errors", data.errors);
        text("job-left", left(data.seconds_left));
        text("job-status", data.status_label);
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();
