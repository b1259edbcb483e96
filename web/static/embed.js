// On a breeder's site: sets each ReptiDex widget's iframe to the height the widget reports.
// Only messages from ReptiDex's own origin (where this script came from) are believed, and
// only for the iframe that sent them.
(function () {
  var me = document.currentScript, origin;
  try { origin = new URL(me.src).origin; } catch (e) { return; }
  window.addEventListener("message", function (e) {
    var d = e.data;
    if (e.origin !== origin || !d || d.reptidex !== "height" || typeof d.id !== "string" ||
        !/^[1-9A-HJ-NP-Za-km-z]{1,32}$/.test(d.id)) return;
    var h = Math.min(Math.max(Math.round(Number(d.height)) || 0, 80), 4000);
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      var f = frames[i];
      if (f.contentWindow === e.source && f.src.indexOf("/embed/" + d.id) >= 0) f.height = String(h);
    }
  });
})();
