// A ReptiDex widget tells the page that frames it how tall it is, so that embed.js can size
// its iframe: on load, and whenever the widget's size changes.
(function () {
  var id = document.body.getAttribute("data-widget"), last = 0;
  if (!id || window.parent === window) return;
  function tell() {
    // The body's own height: the document's is never less than the frame's, so it could
    // only grow.
    var h = Math.ceil(document.body.getBoundingClientRect().height);
    if (h === last) return;
    last = h;
    window.parent.postMessage({ reptidex: "height", id: id, height: h }, "*");
  }
  window.addEventListener("load", tell);
  window.addEventListener("resize", tell);
  if (window.ResizeObserver) new ResizeObserver(tell).observe(document.body);
})();
