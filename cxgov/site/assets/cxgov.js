/* Names and tab stops the theme (mkdocs-material and Zensical alike) leaves out, so that
   keyboard and screen-reader users reach everything (WCAG 2.1.1 and 4.1.2, as axe-core checks):
   - every wide table sits in a scrolling <div class="md-typeset__scrollwrap">; a region that
     scrolls must be reachable by keyboard, so each wrapper gets a tab stop, the role of a
     region and a name, the heading the table stands under;
   - the search box is a dialog without a name, and its field has no label on the 404 page.
   The wrappers are made by the theme's own script, so they are caught as they appear. */
(function () {
  "use strict";
  var WORD = { fi: "Taulukko", en: "Table" };
  var SEARCH = { fi: "Haku", en: "Search" };

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
    var search = SEARCH[lang] || SEARCH.en;
    root.querySelectorAll(".md-search[role='dialog']:not([aria-label])").forEach(function (box) {
      box.setAttribute("aria-label", search);
    });
    root.querySelectorAll("input.md-search__input:not([aria-label])").forEach(function (field) {
      field.setAttribute("aria-label", search);
    });
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
