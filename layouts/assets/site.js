// Small progressive enhancements; the site works fully without this file.
(function () {
  "use strict";

  var search = document.getElementById("site-search");
  if (!search) return;

  // True when a key press belongs to a field the reader is typing in.
  function isTyping(target) {
    if (!(target instanceof Element)) return false;
    if (target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])")) return true;
    return target instanceof HTMLElement && target.isContentEditable;
  }

  // "/" jumps to the search box, as on many sites, without typing the slash into it.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.defaultPrevented || event.isComposing) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    event.preventDefault();
    search.focus();
    search.select();
  });
})();
