/* Draws every chart whose figure sits in a <script type="application/json" data-chart-for="ID"> block.
   No inline scripts: the page works (tables) without JavaScript; charts are the enhancement. */
(function () {
  "use strict";
  function draw() {
    if (!window.Plotly) { return; }
    var blocks = document.querySelectorAll("script[type='application/json'][data-chart-for]");
    Array.prototype.forEach.call(blocks, function (block) {
      var target = document.getElementById(block.getAttribute("data-chart-for"));
      if (!target) { return; }
      var figure = JSON.parse(block.textContent);
      window.Plotly.newPlot(target, figure.data, figure.layout, {
        responsive: true, displaylogo: false,
        /* On a phone the toolbar would cover the title; pinch-zoom is enough there. */
        displayModeBar: window.innerWidth < 600 ? false : "hover",
        modeBarButtonsToRemove: ["lasso2d", "select2d"]
      });
      /* Follow the box, not only the window: a scrollbar appearing after the first draw narrows it. */
      if (window.ResizeObserver) {
        new window.ResizeObserver(function () { window.Plotly.Plots.resize(target); }).observe(target);
      }
    });
  }
  /* Auto-submit the filter form when a select changes; the submit button stays for no-JS use. */
  function autoSubmit() {
    var forms = document.querySelectorAll("form[data-autosubmit]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("change", function (event) {
        if (event.target.tagName === "SELECT" || event.target.type === "checkbox") { form.submit(); }
      });
    });
  }
  function printButtons() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }
  function start() { draw(); autoSubmit(); printButtons(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
