/* The theme (mkdocs-material and Zensical alike) wraps every wide table in a scrolling
   <div class="md-typeset__scrollwrap">. A region that scrolls must be reachable and scrollable
   by keyboard (WCAG 2.1.1; axe-core's scrollable-region-focusable): each wrapper gets a tab
   stop, the role of a region and a name, the heading the table stands under. The wrappers are
   made by the theme's own script, so they are caught as they appear. */
(function () {
  "use strict";
  var WORD = { fi: "Taulukko", en: "Table" };

  function heading(element) {
    var node = element;
    while (node && node !== document.body) {
      var previous = node.previousElementSibling;
      while (previous) {
        if (/^H[1-6]$/.test(previous.tagName)) {
          return previous.textContent.replace(/[¶#]\s*$/, "").trim();
        }
        previous = previous.previousElementSibling;
      }
      node = node.parentElement;
    }
    return "";
  }

  function mark(root) {
    var lang = (document.documentElement.lang || "en").slice(0, 2);
    var word = WORD[lang] || WORD.en;
    root.querySelectorAll(".md-typeset__scrollwrap:not([tabindex])").forEach(function (wrap) {
      var title = heading(wrap);
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", title ? word + ": " + title : word);
    });
  }

  new MutationObserver(function () {
    mark(document);
  }).observe(document.documentElement, { childList: true, subtree: true });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      mark(document);
    });
  } else {
    mark(document);
  }
})();
