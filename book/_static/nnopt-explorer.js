/* Explorers of the static site (the HTML comes from nnopt/explorer.py, Explorer.static_html).
 *
 * Each explorer holds, in a JSON block, the URL of every frame in its wide and narrow layouts, the
 * alt text of each frame and the value texts of its controls. The default frame is in the page;
 * when the explorer comes near the screen, the frames one move away are loaded, and again after
 * every move, so that a move shows its frame at once. No network, works from file://.
 */
(function () {
  "use strict";
  var images = {}; // URL -> Image: a frame loaded ahead, kept (and decoded) in memory

  function load(url) {
    if (url && !images[url]) {
      var image = new Image();
      image.src = url;
      // decode now, off the main thread: the move that shows it then only paints
      if (image.decode) image.decode().catch(function () {});
      images[url] = image;
    }
    return images[url];
  }

  function setup(root) {
    var data = JSON.parse(root.querySelector("script.nnopt-frames").textContent);
    var img = root.querySelector("img.nnopt-frame");
    var source = root.querySelector("picture source");
    var narrow = source ? window.matchMedia(source.media) : null;
    var sizes = {
      wide: [img.getAttribute("width"), img.getAttribute("height")],
      narrow: source ? [source.getAttribute("width"), source.getAttribute("height")] : null
    };
    var inputs = Array.prototype.slice.call(root.querySelectorAll("input[data-k]"));
    var strides = [];
    for (var k = data.shape.length - 1, s = 1; k >= 0; k--) {
      strides[k] = s;
      s *= data.shape[k];
    }

    function state() { // the index of each control's value
      var index = data.shape.map(function () { return 0; });
      inputs.forEach(function (input) {
        var k = Number(input.dataset.k);
        if (input.type === "range") index[k] = Number(input.value);
        else if (input.type === "checkbox") index[k] = input.checked ? 1 : 0;
        else if (input.checked) index[k] = Number(input.value);
      });
      return index;
    }
    function flat(index) {
      return index.reduce(function (sum, i, k) { return sum + i * strides[k]; }, 0);
    }
    function layout() { return narrow && narrow.matches && data.narrow ? "narrow" : "wide"; }
    function prefetch(index) { // every frame one move away
      var frames = data[layout()];
      index.forEach(function (i, k) {
        for (var j = 0; j < data.shape[k]; j++) {
          if (j !== i) {
            var other = index.slice();
            other[k] = j;
            load(frames[flat(other)]);
          }
        }
      });
    }
    function show() {
      var index = state();
      var f = flat(index);
      var name = layout();
      img.src = load(data[name][f]).src; // the old frame stays on screen until the new one is ready
      img.alt = data.alt[f];
      img.setAttribute("width", sizes[name][0]);
      img.setAttribute("height", sizes[name][1]);
      inputs.forEach(function (input) {
        var k = Number(input.dataset.k);
        var text = data.labels[k][index[k]];
        if (input.type === "range") {
          input.setAttribute("aria-valuetext", text);
          input.parentNode.querySelector("output").textContent = text;
        } else if (input.type === "checkbox") {
          input.parentNode.querySelector("output").textContent = text;
        }
      });
      prefetch(index);
    }

    // from now on the script chooses the layout (the <source> chose it without script)
    img.src = data[layout()][flat(state())];
    if (source) source.remove();
    if (narrow) narrow.addEventListener("change", show);
    inputs.forEach(function (input) {
      input.addEventListener("input", show);
      input.addEventListener("change", show);
    });
    if ("IntersectionObserver" in window) {
      var observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) {
          prefetch(state());
          observer.disconnect();
        }
      }, { rootMargin: "300px 0px" });
      observer.observe(root);
    } else {
      prefetch(state());
    }
  }

  function init() {
    document.querySelectorAll(".nnopt-explorer").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
