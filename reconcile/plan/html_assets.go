package plan

// htmlStyle is the page's inline style sheet. The action colours are the
// terminal's: green additions, yellow changes, red deletions, cyan reads.
// Resources are hidden by one rule the script writes into
// <style id="filter-rule">, so filtering 5,000 resources touches one node.
const htmlStyle = `
:root{--add:#1a7f37;--chg:#9a6700;--del:#cf222e;--read:#0e7490;--fg:#1f2328;--bg:#fff;
--mut:#59636e;--line:#d1d9e0;--pre:#f6f8fa;--hi:#fff8c5}
@media (prefers-color-scheme:dark){:root{--add:#3fb950;--chg:#d29922;--del:#f85149;
--read:#39c5cf;--fg:#e6edf3;--bg:#0d1117;--mut:#9198a1;--line:#3d444d;--pre:#151b23;--hi:#3b2e00}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1280px;padding:0 1.2em 2em;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;
color:var(--fg);background:var(--bg)}
code,pre,.s,kbd{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px}
h1{font-size:1.5em;margin:.8em 0 .2em}h2{font-size:1.15em;margin:1.2em 0 .4em}
.meta,.n{color:var(--mut)}
.banner{border:1px solid var(--chg);border-left-width:4px;border-radius:6px;padding:.4em .8em;background:var(--hi)}
.plan{font-size:1.1em;font-weight:600;margin:.4em 0 .8em}
.c{color:var(--add)}.u{color:var(--chg)}.d{color:var(--del)}.rd{color:var(--read)}
.s{font-weight:700;white-space:pre}
ins{color:var(--add);text-decoration:none}del{color:var(--del);text-decoration:none}
.f{color:var(--del);font-style:italic}
table.types{border-collapse:collapse;margin:.4em 0}
.types th,.types td{border:1px solid var(--line);padding:.2em .7em;text-align:right}
.types th:first-child,.types td:first-child{text-align:left}
.types tr.total td{font-weight:700}
.types td.z{color:var(--mut)}
#warnings ul{margin:.2em 0;padding-left:1.4em}
#warnings li{margin:.15em 0}
#warnings .k{font-weight:700}
#filters{position:sticky;top:0;z-index:1;display:flex;flex-wrap:wrap;gap:.4em .6em;align-items:center;
padding:.6em 0;background:var(--bg);border-bottom:1px solid var(--line)}
#filters[hidden]{display:none}
#filters button,#filters select,#filters input{font:inherit;padding:.2em .6em;border:1px solid var(--line);
border-radius:6px;background:var(--pre);color:var(--fg)}
#filters button{cursor:pointer}
#filters button[aria-pressed=true]{background:var(--fg);color:var(--bg);border-color:var(--fg)}
#filters input{min-width:12em}#filters select{max-width:16em}
#filters .gap{flex:1}
details.r{margin:.35em 0;border:1px solid var(--line);border-left-width:4px;border-radius:6px;
content-visibility:auto;contain-intrinsic-size:auto 2.2em}
details.r[data-a=create]{border-left-color:var(--add)}details.r[data-a=update]{border-left-color:var(--chg)}
details.r[data-a=delete],details.r[data-a=replace]{border-left-color:var(--del)}
details.r[data-a=read]{border-left-color:var(--read)}
details.r>summary{padding:.3em .7em;cursor:pointer}
details.r>summary code{font-weight:600}
details.r:target{background:var(--hi)}
details.r>pre{margin:0;padding:.5em .9em;overflow-x:auto;background:var(--pre);border-top:1px solid var(--line)}
#outputs pre{padding:.5em .9em;background:var(--pre);border:1px solid var(--line);border-radius:6px}
`

// htmlScript is the page's inline script: the filters are progressive
// enhancement, shown only when it runs. It builds one selector from the
// pressed action buttons, the type and the search, writes it into one
// style rule, and counts the matches once; window.plumbFilterMs keeps how
// long the last filtering took, styles and layout included. The search
// matches the whole text of each resource (its address, and the names
// and values of the records and attributes that change), read once and
// kept in lower case; matching resources carry data-m.
const htmlScript = `
(function () {
  "use strict";
  var doc = document, box = doc.getElementById("changes"), bar = doc.getElementById("filters");
  if (!box || !bar || !box.querySelectorAll) return;
  var rule = doc.getElementById("filter-rule"), shown = doc.getElementById("shown"),
    type = doc.getElementById("type-filter"), search = doc.getElementById("search"),
    actions = bar.querySelectorAll("button[data-action]"), total = +box.getAttribute("data-total");
  function cssString(s) {
    return '"' + s.replace(/[\\"]/g, "\\$&").replace(/[\n\r\f]/g, " ") + '"';
  }
  var list = null, texts = null;
  function mark(q) {
    if (!texts) {
      list = box.querySelectorAll(":scope>.r");
      texts = [];
      for (var i = 0; i < list.length; i++) texts.push(list[i].textContent.toLowerCase());
    }
    q = q.toLowerCase();
    for (var j = 0; j < list.length; j++) {
      var m = texts[j].indexOf(q) >= 0;
      if (m !== list[j].hasAttribute("data-m")) {
        if (m) list[j].setAttribute("data-m", "");
        else list[j].removeAttribute("data-m");
      }
    }
  }
  function apply() {
    var t0 = performance.now(), sel = "", on = [];
    for (var i = 0; i < actions.length; i++) {
      if (actions[i].getAttribute("aria-pressed") === "true") {
        on.push("[data-a=" + cssString(actions[i].getAttribute("data-action")) + "]");
      }
    }
    if (on.length) sel += ":is(" + on.join(",") + ")";
    if (type.value) sel += "[data-t=" + cssString(type.value) + "]";
    var q = search.value.trim();
    if (q) {
      mark(q);
      sel += "[data-m]";
    }
    var n = total;
    try {
      if (sel) n = box.querySelectorAll(":scope>.r" + sel).length;
    } catch (err) {
      sel = "";
    }
    rule.textContent = sel ? "#changes>.r:not(" + sel + "){display:none}" : "";
    shown.textContent = n.toLocaleString("en");
    void box.offsetHeight;
    window.plumbFilterMs = performance.now() - t0;
  }
  function setAll(open) {
    var list = box.querySelectorAll(":scope>.r");
    for (var i = 0; i < list.length; i++) list[i].open = open;
  }
  bar.addEventListener("click", function (e) {
    var b = e.target.closest("button");
    if (!b) return;
    if (b.hasAttribute("data-action")) {
      b.setAttribute("aria-pressed", b.getAttribute("aria-pressed") === "true" ? "false" : "true");
      apply();
    } else if (b.id === "show-all") {
      for (var i = 0; i < actions.length; i++) actions[i].setAttribute("aria-pressed", "false");
      type.value = "";
      search.value = "";
      apply();
    } else if (b.id === "expand") {
      setAll(true);
    } else if (b.id === "collapse") {
      setAll(false);
    }
  });
  type.addEventListener("change", apply);
  search.addEventListener("input", apply);
  bar.hidden = false;
  if (type.value || search.value) apply();
})();
`
