// Berth's web UI works without this file; it adds copy buttons and confirmations. No inline script is allowed
// (the Content-Security-Policy says 'self' only), so every behaviour is wired here from data- attributes.
(function () {
  "use strict";

  function copyText(button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) {
      return;
    }
    var text = target.textContent || "";
    var done = function () {
      var label = button.textContent;
      button.textContent = "Copied";
      button.setAttribute("aria-live", "polite");
      window.setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { selectText(target); });
    } else {
      selectText(target);
    }
  }

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (button) {
      event.preventDefault();
      copyText(button);
    }
  });

  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // A box that scrolls (a wide table on a narrow screen, a long manifest) is reached by keyboard too: while it
  // overflows it is a focusable region named by its table's caption or the heading before it (WCAG 2.1.1).
  function headingBefore(element) {
    for (var node = element; node && node !== document.body; node = node.parentElement) {
      for (var sibling = node.previousElementSibling; sibling; sibling = sibling.previousElementSibling) {
        if (/^H[1-6]$/.test(sibling.tagName)) {
          return sibling.textContent.trim();
        }
      }
    }
    return "";
  }

  function markScrollable(box) {
    if (box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight) {
      var caption = box.querySelector("caption");
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", (caption ? caption.textContent.trim() : headingBefore(box)) || "Scrolling box");
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }

  function markScrollables() {
    document.querySelectorAll(".table-wrap, pre").forEach(markScrollable);
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
  });

  markScrollables();
  window.addEventListener("resize", markScrollables);
})();
