/* The statement page, nicer with a script: figures computed as you type, rows added and removed in
 * place, the unit switched without retyping. The form works without it and the server recomputes and
 * checks everything; amounts here are whole fen (BigInt), never floating point. */
(function () {
  "use strict";
  var form = document.getElementById("statement-form");
  var configNode = document.getElementById("entry-config");
  if (!form || !configNode || typeof BigInt === "undefined") return;
  var config = JSON.parse(configNode.textContent);
  // Decimal places that make a whole fen: 0.000001 万元 = 0.01 元 = 1 分.
  var PLACES = { wan: 6, yuan: 2 };

  function unit() {
    var checked = form.querySelector("input[name=unit]:checked");
    return checked ? checked.value : "wan";
  }

  // As ledger.money.parse_amount reads them: ASCII or full-width digits, commas grouping by three, a
  // unit written after the number winning over the page's, at most 100亿元 a line.
  var UNIT_SHIFT = { wan: 4, yuan: 0 };
  var CELL_UNITS = [["万元", 4], ["千元", 3], ["亿元", 8], ["元", 0], ["万", 4], ["亿", 8]];
  var MAX_LINE_FEN = 1000000000000n;

  function toAscii(text) {
    return (text || "")
      .replace(/[\uff10-\uff19]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); })
      .replace(/．/g, ".").replace(/，/g, ",").replace(/[\u3000\u00a0\u202f\u2009\t]/g, " ").trim();
  }

  // Text in `u` → fen as BigInt; null for blank; undefined for text the server will refuse. A minus
  // sign only where the line may be negative (`negative`: 投资收益, 年初未分配收益).
  function toFen(text, u, negative) {
    var t = toAscii(text).replace(/[－−]/g, "-");
    if (t === "" || t === "-" || t === "—") return null;
    var sign = 1n;
    if (t.charAt(0) === "-") {
      if (!negative) return undefined;
      sign = -1n;
      t = t.slice(1).trim();
    }
    var shift = UNIT_SHIFT[u];
    for (var i = 0; i < CELL_UNITS.length; i++) {
      if (t.slice(-CELL_UNITS[i][0].length) === CELL_UNITS[i][0]) {
        t = t.slice(0, -CELL_UNITS[i][0].length).trim();
        shift = CELL_UNITS[i][1];
        break;
      }
    }
    var m = /^\+?(\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d*)(?:\.(\d*))?$/.exec(t);
    if (!m || (m[1] === "" && !m[2])) return undefined;
    var places = shift + 2;
    var decimals = (m[2] || "").replace(/0+$/, "");
    if (decimals.length > places) return undefined;
    decimals = (decimals + "0".repeat(places)).slice(0, places);
    var whole = m[1].replace(/[, ]/g, "").replace(/^0+(?=\d)/, "");
    if (whole.length > 13) return undefined;
    var fen = BigInt((whole || "0") + decimals);
    return fen > MAX_LINE_FEN ? undefined : sign * fen;
  }

  // fen → text in `u`, exact and without separators (for inputs).
  function fenToInput(fen, u) {
    if (fen < 0n) return "-" + fenToInput(-fen, u);
    var scale = PLACES[u];
    var digits = fen.toString();
    while (digits.length <= scale) digits = "0" + digits;
    var whole = digits.slice(0, digits.length - scale);
    var frac = digits.slice(digits.length - scale).replace(/0+$/, "");
    while (frac.length < 2) frac += "0";  // two decimals at least, as the server writes them (395.20)
    return whole + "." + frac;
  }

  // fen → the unit in force with two decimals and separators (the 本年 column's totals).
  function fenToUnit(fen, u) {
    if (u === "wan") return fenToWan(fen);
    var negative = fen < 0n;
    var abs = negative ? -fen : fen;
    var whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var text = whole + "." + (abs % 100n).toString().padStart(2, "0");
    return negative && text !== "0.00" ? "−" + text : text;
  }

  // fen → 万元 with two decimals and thousands separators (as the server's |wan filter).
  function fenToWan(fen, signed) {
    var negative = fen < 0n;
    var abs = negative ? -fen : fen;
    var hundredths = (abs + 5000n) / 10000n;
    var whole = (hundredths / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var text = whole + "." + (hundredths % 100n).toString().padStart(2, "0");
    if (text === "0.00") return text;
    if (negative) return "−" + text;
    return signed ? "+" + text : text;
  }

  function yuanTextToFen(text) {
    if (text === null || text === undefined || text === "") return null;
    var negative = String(text).charAt(0) === "-";
    var parts = String(text).replace("-", "").split(".");
    var fen = BigInt(parts[0] + ((parts[1] || "") + "00").slice(0, 2));
    return negative ? -fen : fen;
  }

  // Every match: a figure can stand both as a derived row and among the figures below.
  function setText(selector, text) {
    form.querySelectorAll(selector).forEach(function (node) { node.textContent = text; });
  }

  var dirty = false;

  function recompute() {
    var u = unit();
    var totals = {};
    form.querySelectorAll(".line-row").forEach(function (row) {
      var amount = row.querySelector("input.amount");
      var del = row.querySelector("input[type=checkbox][name$='-delete']");
      if (!amount) return;
      row.classList.toggle("deleted", !!(del && del.checked));
      var fen = toFen(amount.value, u, amount.dataset.negative === "1");
      amount.setAttribute("aria-invalid", fen === undefined ? "true" : "false");
      amount.title = fen === undefined ? (u === "wan" ? "请输入数字（不超过 100亿元），以万元填写时最多 6 位小数" : "请输入数字（不超过 100亿元），以元填写时最多 2 位小数") : "";
      if (del && del.checked) return;
      var item = amount.dataset.item;
      totals[item] = (totals[item] || 0n) + (fen || 0n);
    });
    Object.keys(config.terms).forEach(function (item) {
      var total = totals[item] || 0n;
      setText("[data-item-total='" + item + "']", fenToUnit(total, u));
      var lastCell = form.querySelector("[data-item-last='" + item + "']");
      var last = lastCell ? yuanTextToFen(lastCell.dataset.yuan) : null;
      setText("[data-item-change='" + item + "']", last === null ? "—" : fenToWan(total - last, true));
    });
    config.figures.forEach(function (code) {
      var value = 0n;
      Object.keys(config.terms).forEach(function (item) {
        (config.terms[item] || []).forEach(function (term) {
          if (term[0] === code) value += BigInt(term[1]) * (totals[item] || 0n);
        });
      });
      setText("[data-figure='" + code + "']", fenToUnit(value, u));
      var last = yuanTextToFen(config.last[code]);
      setText("[data-figure-change='" + code + "']", last === null ? "—" : fenToWan(value - last, true));
    });
  }

  function markDirty() {
    dirty = true;
    var hint = form.querySelector("[data-dirty-hint]");
    if (hint) hint.hidden = false;
  }

  form.addEventListener("input", function (event) {
    if (event.target.matches("input, textarea")) markDirty();
    if (event.target.matches("input.amount")) event.target.dataset.typed = "1";
    recompute();
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "unit") switchUnit(event.target.value);
    recompute();
  });

  var currentUnit = unit();
  var LABELS = { wan: "万元", yuan: "元" };
  function showUnit(u) {
    document.querySelectorAll("[data-unit-label]").forEach(function (node) { node.textContent = LABELS[u]; });
    document.querySelectorAll("[data-unit-label-attr]").forEach(function (node) {
      node.dataset.label = "本年（" + LABELS[u] + "）";
    });
  }

  function switchUnit(next) {
    // The typed values keep their meaning: 12.5 万元 becomes 125000.00 元, not 12.5 元. The numbers as
    // typed are kept so that "I typed 元 all along" can put them back under the new unit.
    var typed = [], unreadable = 0;
    form.querySelectorAll("input.amount").forEach(function (input) {
      var fen = toFen(input.value, currentUnit, input.dataset.negative === "1");
      if (fen !== null && fen !== undefined) {
        // Only what the user typed can have been typed in the wrong unit (not stored or prefilled values).
        if (input.dataset.typed === "1") typed.push([input, input.value]);
        input.value = fenToInput(fen, next);
      } else if (fen === undefined) {
        unreadable += 1;  // not a valid amount: left as typed, and marked
      }
    });
    var previous = currentUnit;
    currentUnit = next;
    showUnit(next);
    offerUndo(typed, previous, next, unreadable);
  }

  function offerUndo(typed, from, to, unreadable) {
    var old = form.querySelector("[data-unit-converted]");
    if (old) old.remove();
    if (!typed.length && !unreadable) return;  // nothing typed by hand: nothing to put back
    var note = document.createElement("p");
    note.className = "unit-converted hint";
    note.dataset.unitConverted = "1";
    note.setAttribute("role", "status");
    note.textContent = "金额已由" + LABELS[from] + "换算为" + LABELS[to] + "，数额不变。" +
      (unreadable ? unreadable + " 个金额无法识别或超过单行上限，未换算，请核对。" : "");
    if (!typed.length) { form.querySelector(".unit-switch").appendChild(note); return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = "刚才填的其实是" + LABELS[to] + "：恢复原数字";
    button.addEventListener("click", function () {
      typed.forEach(function (pair) { pair[0].value = pair[1]; });
      note.textContent = "已恢复原数字，按" + LABELS[to] + "计。";
      markDirty();
      recompute();
    });
    note.appendChild(document.createTextNode(" "));
    note.appendChild(button);
    form.querySelector(".unit-switch").appendChild(note);
  }

  // A line off by orders of magnitude (over 100× or under 1/100 of last year's, or over the county's
  // ceiling): asked about beside the line as soon as it is typed. The server asks again on 保存.
  function slipHint(group) {
    var hint = group.querySelector("[data-slip-hint]");
    var u = unit();
    var total = 0n, any = false, oversized = [];
    group.querySelectorAll(".line-row").forEach(function (row) {
      var input = row.querySelector("input.amount");
      var del = row.querySelector("input[type=checkbox][name$='-delete']");
      if (!input || (del && del.checked)) return;
      var negative = input.dataset.negative === "1";
      var fen = toFen(input.value, u, negative);
      // Too large for any line in 万元, fine in 元: 3,531,600 typed from a 元 ledger.
      var asYuan = fen === undefined && u === "wan" ? toFen(input.value, "yuan", negative) : undefined;
      if (asYuan) oversized.push([input, asYuan]);
      if (fen) { total += fen; any = true; }
    });
    var lastCell = group.querySelector("[data-item-last]");
    var last = lastCell ? yuanTextToFen(lastCell.dataset.yuan) : null;
    var abs = total < 0n ? -total : total;
    var lastAbs = last === null ? null : (last < 0n ? -last : last);
    var ceiling = yuanTextToFen(config.ceiling);
    var factor = null;
    if (oversized.length) factor = "oversized";
    else if (any && (abs > ceiling || (lastAbs && abs > lastAbs * 100n))) factor = "down";
    else if (any && lastAbs && abs * 100n < lastAbs && abs * 10000n <= ceiling) factor = "up";
    if (!factor) { if (hint) hint.remove(); return; }
    if (!hint) {
      hint = document.createElement("p");
      hint.className = "slip-hint";
      hint.dataset.slipHint = "1";
      hint.setAttribute("role", "alert");
      var cell = group.querySelector(".item-row th");
      cell.appendChild(hint);
    }
    var suggested = factor === "down" ? (total + (total < 0n ? -5000n : 5000n)) / 10000n : total * 10000n;
    if (factor === "oversized") {
      suggested = total;
      oversized.forEach(function (pair) { suggested += pair[1]; });
    }
    hint.textContent = (factor === "up" ? "是否按万元填写？按万元即 " : "是否按元填写？按元即 ") +
      fenToWan(suggested) + " 万元。";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = "换算";
    button.addEventListener("click", function () {
      if (factor === "oversized") {
        oversized.forEach(function (pair) { pair[0].value = fenToInput(pair[1], u); });
        markDirty();
        recompute();
        slipHint(group);
        return;
      }
      group.querySelectorAll(".line-row input.amount").forEach(function (input) {
        var fen = toFen(input.value, u, input.dataset.negative === "1");
        if (!fen) return;
        var converted = factor === "down" ? (fen + (fen < 0n ? -5000n : 5000n)) / 10000n : fen * 10000n;
        input.value = fenToInput(converted, u);
      });
      markDirty();
      recompute();
      slipHint(group);
    });
    hint.appendChild(document.createTextNode(" "));
    hint.appendChild(button);
  }

  form.addEventListener("change", function (event) {
    if (!event.target.matches("input.amount, input[type=checkbox]")) return;
    var group = event.target.closest("tbody.item-group");
    if (group) slipHint(group);
  });

  // "添加项目" in place: a copy of the item's last row with the next free index.
  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-row]");
    if (!button) return;
    event.preventDefault();
    var group = button.closest("tbody");
    var rows = group.querySelectorAll(".line-row");
    var template = rows[rows.length - 1];
    var item = button.dataset.addRow;
    var next = 0;
    rows.forEach(function (row) {
      var n = parseInt(row.dataset.prefix.split("-").pop(), 10);
      if (n >= next) next = n + 1;
    });
    var prefix = "line-" + item + "-" + next;
    var copy = template.cloneNode(true);
    copy.dataset.prefix = prefix;
    copy.classList.remove("deleted");
    copy.querySelectorAll(".errorlist").forEach(function (node) { node.remove(); });
    copy.querySelectorAll("input").forEach(function (input) {
      var field = input.name.split("-").pop();
      input.name = prefix + "-" + field;
      input.id = "id_" + prefix + "-" + field;
      if (input.type === "checkbox") input.checked = false; else input.value = "";
      input.removeAttribute("aria-invalid");
    });
    copy.querySelectorAll("label[for]").forEach(function (label) {
      label.htmlFor = "id_" + prefix + "-" + label.htmlFor.split("-").pop();
    });
    template.after(copy);
    var first = copy.querySelector("input[type=text]");
    if (first) first.focus();
  });

  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  // The 收益分配 half folds away on a phone (it stays open without the script, and on a desktop).
  if (window.matchMedia && window.matchMedia("(max-width: 600px)").matches) {
    document.querySelectorAll("details[data-fold-on-phone]").forEach(function (node) {
      if (!node.querySelector("[aria-invalid=true], .errorlist, .warned")) node.open = false;
    });
  }

  recompute();
})();
