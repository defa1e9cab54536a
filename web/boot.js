// Beredskap's first script: it runs in the page's <head>, before anything
// is drawn and long before the WebAssembly app has downloaded.
//
// - It applies the colour theme chosen on this phone (the app keeps it in
//   localStorage), so that a night shift does not open on a white screen.
// - It sets <html lang> to the user's language (the app keeps it too; the
//   browser's language until one is chosen).
// - It turns go-app's loading screen into a line in that language and a
//   progress bar that follows go-app's percentage. The texts come from the
//   app's catalogue, through <meta name="beredskap-loading"> in the page.
(function () {
  "use strict";
  var root = document.documentElement;

  function stored(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null; // storage refused: defaults
    }
  }

  // The same mapping as i18n.Pick: Norwegian variants read bokmål.
  function pick(pref) {
    var base = String(pref || "").toLowerCase().split("-")[0];
    if (base === "nb" || base === "no" || base === "nn") return "nb";
    if (base === "sv" || base === "da" || base === "en") return base;
    return "";
  }

  var theme = stored("beredskap.theme");
  if (theme === "light" || theme === "dark") {
    root.setAttribute("data-theme", theme);
  }
  var lang = pick(stored("beredskap.lang")) || pick(navigator.language) || root.lang || "nb";
  root.lang = lang;

  document.addEventListener("DOMContentLoaded", function () {
    var loader = document.getElementById("app-wasm-loader");
    var label = document.getElementById("app-wasm-loader-label");
    if (!loader || !label) return;
    var texts = {};
    var meta = document.querySelector('meta[name="beredskap-loading"]');
    try {
      texts = JSON.parse(meta ? meta.content : "{}");
    } catch (e) {}
    var title = document.createElement("p");
    title.className = "boot-title";
    title.textContent = texts[lang] || texts.nb || "";
    var bar = document.createElement("progress");
    bar.className = "boot-progress";
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", title.textContent);
    loader.insertBefore(title, label);
    loader.insertBefore(bar, label);
    loader.setAttribute("role", "status");
    // go-app writes "N %" into the label as bytes arrive; an error message
    // replaces it when the download fails.
    var follow = function () {
      var m = /(\d+)\s*%/.exec(label.textContent || "");
      if (m) {
        bar.value = Math.min(100, parseInt(m[1], 10));
        loader.setAttribute("data-progress", String(bar.value));
      }
    };
    new MutationObserver(follow).observe(label, { childList: true, characterData: true, subtree: true });
    follow();
  });
})();
