/* Small repairs to the theme (sphinx-book-theme 1.3.0 with pydata-sphinx-theme 0.17.1).
 *
 * 1. Navigation buttons. The themes attach their handlers to the first element with the class
 *    primary-toggle (or secondary-toggle), a hidden button of the page header; the visible buttons
 *    of the article header did nothing (pydata-sphinx-theme issue 2451). A click on a visible button
 *    is passed on to the hidden one: on a wide screen it folds the chapter list away, on a narrow one
 *    it opens the chapter list (or the page contents) as a dialog.
 * 2. Formulas wider than their line. MathJax does not break lines: a formula wider than the text
 *    column (an inline one on a phone, a long display one) scrolls sideways in its own box, which
 *    is then a Tab stop so that a keyboard can scroll it too; every other formula stays out of the
 *    Tab order.
 * 3. Accessible names. The theme's search field and the "Show code cell source" toggles carry an
 *    aria-label that differs from their visible text; their visible text names them instead.
 * 4. Search snippets. Sphinx's search page quotes the text of each page found, where formulas are
 *    still TeX source; the snippet shows them as plain text instead.
 */
(function () {
  "use strict";

  function wireToggles() {
    ["primary-toggle", "secondary-toggle"].forEach(function (name) {
      var first = document.querySelector("." + name);
      document.querySelectorAll("." + name).forEach(function (button) {
        if (button === first) return;
        button.addEventListener("click", function (event) {
          event.preventDefault();
          event.stopPropagation();
          first.click();
        });
      });
    });
  }

  function markWideFormulas() {
    document.querySelectorAll("article span.math, article div.math > mjx-container").forEach(function (node) {
      // an inline formula is compared with its paragraph, a display one with its own box
      node.classList.remove("nnopt-scroll");
      var room = node.clientWidth;
      if (node.tagName === "SPAN") { // the width of the block the formula sits in (an inline parent has none)
        var block = node.parentElement;
        while (block && block.clientWidth === 0) block = block.parentElement;
        room = block ? block.clientWidth : room;
      }
      if (node.scrollWidth > room + 1) {
        node.classList.add("nnopt-scroll");
        node.setAttribute("tabindex", "0");
      } else if (node.getAttribute("tabindex") === "0") {
        node.removeAttribute("tabindex");
      }
    });
  }

  function watchFormulas() {
    if (!window.MathJax || !MathJax.startup || !MathJax.startup.promise) return;
    MathJax.startup.promise.then(markWideFormulas);
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(markWideFormulas, 150);
    });
  }

  function fixNames() {
    document.querySelectorAll(".search-button-field[aria-label], summary[aria-label='Toggle hidden content']")
      .forEach(function (node) { node.removeAttribute("aria-label"); });
  }

  var SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", Delta: "Δ", epsilon: "ε", varepsilon: "ε", eta: "η",
    theta: "θ", lambda: "λ", mu: "μ", nu: "ν", pi: "π", rho: "ρ", sigma: "σ", Sigma: "Σ", tau: "τ",
    phi: "φ", varphi: "φ", omega: "ω", nabla: "∇", partial: "∂", sum: "Σ", prod: "Π", infty: "∞",
    cdot: "·", times: "×", leftarrow: "←", rightarrow: "→", to: "→", approx: "≈", le: "≤", leq: "≤",
    ge: "≥", geq: "≥", ne: "≠", neq: "≠", pm: "±", sqrt: "√", ln: "ln", log: "log", exp: "exp",
    kappa: "κ", xi: "ξ", zeta: "ζ", Gamma: "Γ", Lambda: "Λ", Phi: "Φ", Theta: "Θ", odot: "⊙", top: "ᵀ",
    "in": "∈", mid: "|", circ: "∘", dots: "…", ldots: "…", cdots: "⋯", max: "max", min: "min",
    arg: "arg", sign: "sign", mathbb: "", hat: "", bar: "", tilde: "", widehat: ""
  };

  function plainMath(tex) { // a rough reading of TeX, for a one-line snippet
    return tex
      .replace(/^\\\(|\\\)$|^\\\[|\\\]$|\$\$/g, "")
      .replace(/\\(?:frac|tfrac|dfrac)\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "($1)/($2)")
      .replace(/\\(?:left|right|big|Big|bigg|Bigg|displaystyle|mathrm|text|mathbf|boldsymbol|operatorname|,|;|!|quad|qquad)\b/g, " ")
      .replace(/\\([A-Za-z]+)/g, function (_, name) { return SYMBOLS[name] || ""; })
      .replace(/\\./g, " ")
      .replace(/[{}&]/g, "")
      .replace(/\s+/g, " ")
      .trim();
  }

  function cleanSnippets() {
    // searchtools.js declares `const Search`: a global binding, but not a property of window
    if (typeof Search === "undefined" || !Search.htmlToText) return;
    var htmlToText = Search.htmlToText;
    Search.htmlToText = function (htmlString, anchor) {
      var doc = new DOMParser().parseFromString(htmlString, "text/html");
      // the equation numbers and the page's header buttons (".md", ".pdf") are not the page's text
      doc.querySelectorAll(".eqno, .bd-header-article").forEach(function (node) { node.remove(); });
      doc.querySelectorAll(".math").forEach(function (node) { node.textContent = plainMath(node.textContent); });
      return htmlToText(doc.documentElement.outerHTML, anchor);
    };
  }

  function init() {
    wireToggles();
    fixNames();
    cleanSnippets();
  }
  window.addEventListener("load", function () {
    fixNames(); // the toggles' summaries may be added after the page's own scripts ran
    watchFormulas();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
