/* The WeChat image of a published 比拼晾晒 issue, drawn on a <canvas> from the issue's own data
   (the JSON block #issue-image-data, display text only): title, issuing unit, date, the table, and a
   watermark with the issue number. Downloaded as PNG; nothing leaves the browser. */
(function () {
  "use strict";
  var WIDTH = 1080, PAD = 48, ROW = 54, HEAD = 60, MAX_ROWS = 300;
  var FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  var RED = "#9b1c1c";
  var objectUrl = null;

  function fit(ctx, text, width) {
    text = String(text);
    if (ctx.measureText(text).width <= width) { return text; }
    while (text.length > 1 && ctx.measureText(text + "…").width > width) { text = text.slice(0, -1); }
    return text + "…";
  }

  function wrap(ctx, text, width) {
    var lines = [], line = "";
    Array.prototype.forEach.call(String(text), function (ch) {
      if (ctx.measureText(line + ch).width > width && line) { lines.push(line); line = ch; } else { line += ch; }
    });
    if (line) { lines.push(line); }
    return lines.slice(0, 3);
  }

  function draw(canvas, data) {
    var ctx = canvas.getContext("2d");
    var rows = data.rows.slice(0, MAX_ROWS);
    var inner = WIDTH - 2 * PAD;
    ctx.font = "bold 44px " + FONT;
    var titleLines = wrap(ctx, data.title, inner);
    var top = 70 + titleLines.length * 58 + 60;
    var height = top + 40 + HEAD + rows.length * ROW + (data.rows.length > rows.length ? ROW : 0) + 130;
    canvas.width = WIDTH;
    canvas.height = height;
    ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, WIDTH, height);
    /* The head: a red band with the title, the issue number and the issuing unit. */
    ctx.fillStyle = RED;
    ctx.fillRect(0, 0, WIDTH, top);
    ctx.fillStyle = "#fff";
    ctx.textBaseline = "top";
    ctx.font = "28px " + FONT;
    ctx.fillText(data.unit + "　" + data.number, PAD, 28);
    ctx.font = "bold 44px " + FONT;
    titleLines.forEach(function (line, i) { ctx.fillText(line, PAD, 76 + i * 58); });
    ctx.font = "24px " + FONT;
    ctx.fillText(fit(ctx, data.subtitle, inner), PAD, top - 48);
    /* The table. The name columns get the room the figures leave. */
    var n = data.columns.length;
    var widths = data.columns.map(function (_, i) { return i === 0 ? 90 : i === n - 1 ? 120 : 0; });
    var fixed = widths.reduce(function (a, b) { return a + b; }, 0);
    var free = widths.filter(function (w) { return w === 0; }).length;
    widths = widths.map(function (w) { return w || (inner - fixed) / free; });
    var y = top + 30;
    function cells(values, bold, color) {
      var x = PAD;
      ctx.font = (bold ? "bold " : "") + "26px " + FONT;
      values.forEach(function (value, i) {
        var text = fit(ctx, value, widths[i] - 16);
        var right = i === 0 || /^[-\d.,↑↓–—]+$/.test(value) || i === n - 1;
        ctx.fillStyle = color || (i === n - 1 && value.charAt(0) === "↑" ? "#2f855a" :
          i === n - 1 && value.charAt(0) === "↓" ? RED : "#1f2933");
        ctx.textAlign = right ? "right" : "left";
        ctx.fillText(text, right ? x + widths[i] - 8 : x + 8, y + (bold ? 16 : 14));
        x += widths[i];
      });
      ctx.textAlign = "left";
    }
    ctx.fillStyle = "#f5e6e6";
    ctx.fillRect(PAD, y, inner, HEAD);
    cells(data.columns, true, RED);
    y += HEAD;
    rows.forEach(function (row, index) {
      if (index % 2 === 1) { ctx.fillStyle = "#f7f7f8"; ctx.fillRect(PAD, y, inner, ROW); }
      cells(row, false);
      y += ROW;
    });
    if (data.rows.length > rows.length) {
      ctx.fillStyle = "#52606d";
      ctx.font = "24px " + FONT;
      ctx.fillText("……共 " + data.rows.length + " 行，完整名单见打印版", PAD + 8, y + 14);
      y += ROW;
    }
    ctx.fillStyle = "#52606d";
    ctx.font = "24px " + FONT;
    ctx.fillText(data.unit + "　" + data.date + "　" + data.number, PAD, y + 40);
    /* The watermark: the issue number across the whole image, so a cropped copy still says which issue. */
    ctx.save();
    ctx.globalAlpha = 0.08;
    ctx.fillStyle = RED;
    ctx.font = "bold 40px " + FONT;
    ctx.rotate(-Math.PI / 8);
    for (var wy = 0; wy < height * 1.4; wy += 220) {
      for (var wx = -WIDTH; wx < WIDTH * 1.5; wx += 520) { ctx.fillText(data.number + " " + data.unit, wx, wy); }
    }
    ctx.restore();
  }

  function start() {
    var button = document.querySelector("[data-issue-image]");
    var block = document.getElementById("issue-image-data");
    var canvas = document.getElementById("issue-canvas");
    if (!button || !block || !canvas || !canvas.getContext) { return; }
    var data = JSON.parse(block.textContent);
    var figure = canvas.closest("figure");
    var link = document.getElementById("issue-image-download");
    button.hidden = false;
    button.addEventListener("click", function () {
      draw(canvas, data);
      figure.hidden = false;
      canvas.toBlob(function (blob) {
        if (objectUrl) { URL.revokeObjectURL(objectUrl); }
        objectUrl = URL.createObjectURL(blob);
        link.href = objectUrl;
        link.download = data.filename;
        canvas.setAttribute("data-drawn", "1");
      }, "image/png");
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
