/* Small repairs to the theme (sphinx-book-theme 1.3.0 with pydata-sphinx-theme 0.17.1).
 *
 * 1. Navigation buttons. The themes attach their handlers to the first element with the class
 *    primary-toggle (or secondary-toggle), a hidden button of the page header; the visible buttons
 *    of the article header did nothing (pydata-sphinx-theme issue 2451). A click on a visible button
 *    is passed on to the hidden one: on a wide screen it folds the chapter list away, on a narrow one
 *    it opens the chapter list (or the page contents) as a dialog.
 * 2. Search snippets. Sphinx's search page quotes the text of each page found, where formulas are
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

  var SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", Delta: "Δ", epsilon: "ε", varepsilon: "ε", eta: "η",
    theta: "θ", lambda: "λ", mu: "μ", nu: "ν", pi: "π", rho: "ρ", sigma: "σ", Sigma: "Σ", tau: "τ",
    phi: "φ", varphi: "φ", omega: "ω", nabla: "∇", partial: "∂", sum: "Σ", prod: "Π", infty: "∞",
    cdot: "·", times: "×", leftarrow: "←", rightarrow: "→", to: "→", approx: "≈", le: "≤", leq: "≤",
    ge: "≥", geq: "≥", ne: "≠", neq: "≠", pm: "±", sqrt: "√", ln: "ln", log: "log", exp: "exp"
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
    if (!window.Search || !Search.htmlToText) return;
    var htmlToText = Search.htmlToText;
    Search.htmlToText = function (htmlString, anchor) {
      var doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(".eqno").forEach(function (node) { node.remove(); });
      doc.querySelectorAll(".math").forEach(function (node) { node.textContent = plainMath(node.textContent); });
      return htmlToText(doc.documentElement.outerHTML, anchor);
    };
  }

  function init() {
    wireToggles();
    cleanSnippets();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
