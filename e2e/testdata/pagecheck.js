// Measures the open dashboard page for TestDashboardEveryPageEverySize:
// width against the viewport, the contrast of every visible text and
// control, and of every focus ring. Returns a pageReport.
(() => {
  const parse = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c || "");
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a), a: 1,
  });
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  // background is the colour behind el: its own and its ancestors'
  // backgrounds, blended down to the first opaque one.
  const background = (el) => {
    const layers = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let bg = { r: 255, g: 255, b: 255, a: 1 };
    if (!layers.length || layers[layers.length - 1].a < 1) {
      if (matchMedia("(prefers-color-scheme: dark)").matches) bg = { r: 18, g: 18, b: 18, a: 1 };
    }
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.className && typeof el.className === "string") s += "." + el.className.trim().split(/\s+/).join(".");
    const text = (el.innerText || el.value || el.textContent || "").trim().slice(0, 40);
    return s + (text ? ' "' + text + '"' : "");
  };
  const visible = (el) => {
    if (!el.getClientRects().length) return false;
    const cs = getComputedStyle(el);
    if (cs.visibility !== "visible" || parseFloat(cs.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && r.right > 0 && r.bottom > -scrollY;
  };
  const controls = new Set(["INPUT", "SELECT", "TEXTAREA", "BUTTON"]);
  const report = { ScrollWidth: document.documentElement.scrollWidth, Width: innerWidth, Widest: [], LowContrast: [], Focus: [] };

  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.right > innerWidth + 1 && visible(el) && !el.closest(".table-wrap, .log, pre") && report.Widest.length < 8) {
      report.Widest.push(describe(el) + " right=" + Math.round(r.right));
    }
  }

  for (const el of document.body.querySelectorAll("*")) {
    if (["SCRIPT", "STYLE", "OPTION", "TITLE"].includes(el.tagName)) continue;
    if (el.closest(":disabled, [aria-disabled=true]")) continue;
    const hasText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== "");
    const isControl = controls.has(el.tagName) && el.type !== "hidden" && el.type !== "checkbox" && el.type !== "radio";
    if ((!hasText && !isControl) || !visible(el)) continue;
    const cs = getComputedStyle(el);
    const isSVG = el instanceof SVGElement;
    let fg = parse(isSVG ? cs.fill : cs.color);
    if (!fg) continue;
    const bg = background(isSVG ? el.ownerSVGElement || el : el);
    if (fg.a < 1) fg = over(fg, bg);
    const size = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight, 10) >= 700;
    const large = !isSVG && (size >= 24 || (size >= 18.66 && bold));
    const need = large ? 3 : 4.5;
    const got = ratio(fg, bg);
    if (got < need) report.LowContrast.push(describe(el) + " " + got.toFixed(2) + ":1 (needs " + need + ")");
  }

  const focusable = document.body.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, [tabindex]");
  for (const el of focusable) {
    if (el.disabled || !visible(el)) continue;
    el.focus({ preventScroll: true });
    if (document.activeElement !== el) continue;
    const cs = getComputedStyle(el);
    if (!el.matches(":focus-visible")) continue;
    const ring = parse(cs.outlineColor);
    if (cs.outlineStyle === "none" || parseFloat(cs.outlineWidth) === 0 || !ring) {
      report.Focus.push(describe(el) + ": no focus ring");
      continue;
    }
    const got = ratio(ring.a < 1 ? over(ring, background(el.parentElement || el)) : ring, background(el.parentElement || el));
    if (got < 3) report.Focus.push(describe(el) + " " + got.toFixed(2) + ":1");
  }
  if (document.activeElement) document.activeElement.blur();
  return report;
})()
