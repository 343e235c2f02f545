// Small progressive enhancements; the site works fully without this file.
// Keyboard shortcuts, the reading list (kept in this browser only) and copy buttons.
(function () {
  "use strict";

  document.documentElement.classList.add("js"); // what needs this file shows only with it

  // The site's base URL, from this script's own address (`<base>/assets/site.js?v=...`).
  var script = document.currentScript;
  var baseUrl = script && script.src ? script.src.replace(/assets\/site\.js(\?.*)?$/, "") : "";
  var basePath = baseUrl ? new URL(baseUrl).pathname : "";

  // True when a key press belongs to a field the reader is typing in.
  function isTyping(target) {
    if (!(target instanceof Element)) return false;
    var fields = "input:not([type=checkbox]):not([type=radio]):not([type=button]), textarea, select";
    if (target.closest(fields + ", [contenteditable]:not([contenteditable='false'])")) return true;
    return target instanceof HTMLElement && target.isContentEditable;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // One polite live region for short confirmations ("Copied", "Saved").
  var status = null;
  function announce(message) {
    if (!status) {
      status = element("p", "visually-hidden");
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  // ------------------------------------------------------------ reading list

  var STORE_KEY = "daily-papers:saved:" + basePath;

  function openStorage() {
    try {
      var storage = window.localStorage;
      var probe = STORE_KEY + ":probe";
      storage.setItem(probe, "1");
      storage.removeItem(probe);
      return storage;
    } catch (error) {
      return null; // disabled, private mode or full: no reading list
    }
  }
  var storage = openStorage();

  // An entry as the reading list reads it back, whatever the storage holds: any page of
  // this origin may write there (on GitHub Pages, every project site of the same owner).
  // Text stays text, lists hold text, and the link is the paper's page here, made from its
  // slug (a stored `javascript:` or foreign address is never followed); null for no paper.
  var SLUG = /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/;

  function text(value) {
    return typeof value === "string" ? value : "";
  }

  function texts(value) {
    return Array.isArray(value) ? value.filter(function (item) { return typeof item === "string"; }) : [];
  }

  function cleanEntry(value) {
    if (!value || typeof value.slug !== "string" || value.slug.length > 200 || !SLUG.test(value.slug)) return null;
    return {
      slug: value.slug,
      title: text(value.title) || value.slug,
      url: new URL("papers/" + value.slug + "/", baseUrl || document.baseURI).href,
      authors: texts(value.authors),
      authorCount: typeof value.authorCount === "number" && value.authorCount >= 0 ? Math.floor(value.authorCount) : 0,
      bibTitle: text(value.bibTitle),
      bibAuthors: texts(value.bibAuthors),
      day: text(value.day).slice(0, 10), // as the pages write them: YYYY-MM-DD
      arxiv: text(value.arxiv).slice(0, 64), // the checker's limit
      bibtex: text(value.bibtex),
      savedAt: text(value.savedAt),
    };
  }

  var readingList = {
    available: storage !== null,
    all: function () {
      if (!storage) return [];
      try {
        var list = JSON.parse(storage.getItem(STORE_KEY) || "[]");
        return Array.isArray(list) ? list.map(cleanEntry).filter(Boolean) : [];
      } catch (error) {
        return [];
      }
    },
    write: function (list) {
      try {
        storage.setItem(STORE_KEY, JSON.stringify(list));
        return true;
      } catch (error) {
        return false;
      }
    },
    has: function (slug) {
      return readingList.all().some(function (entry) { return entry.slug === slug; });
    },
    add: function (entry) {
      var list = readingList.all().filter(function (other) { return other.slug !== entry.slug; });
      list.unshift(entry);
      return readingList.write(list);
    },
    remove: function (slug) {
      return readingList.write(readingList.all().filter(function (entry) { return entry.slug !== slug; }));
    },
  };

  // What the reading list keeps of a paper, from the data-* attributes the templates render
  // (and, on a paper's own page, the BibTeX it shows).
  function entryOf(holder) {
    var data = holder.dataset;
    var shown = holder.querySelector("pre.bibtex");
    return {
      slug: data.paper,
      title: data.title || "",
      url: new URL(data.url || "", document.baseURI).href,
      authors: list(data.authors),
      authorCount: Number(data.authorCount) || 0, // lists carry the first 50 names
      bibTitle: data.bibTitle || "", // the title's TeX, when its text differs
      bibAuthors: list(data.bibAuthors), // the names' TeX (`Erd\H{o}s`), when they differ
      day: data.day || "",
      arxiv: data.arxiv || "",
      bibtex: shown ? shown.textContent : "",
      savedAt: new Date().toISOString(),
    };
  }

  function list(json) {
    try {
      var value = JSON.parse(json || "[]");
      return Array.isArray(value) ? value.map(String) : [];
    } catch (error) {
      return [];
    }
  }

  function updateSaveButton(button, saved) {
    button.setAttribute("aria-pressed", saved ? "true" : "false");
  }

  function toggleSaved(holder) {
    var slug = holder.dataset.paper;
    var saved = readingList.has(slug);
    var ok = saved ? readingList.remove(slug) : readingList.add(entryOf(holder));
    if (!ok) {
      announce("Could not change the reading list: this browser's storage refused");
      return;
    }
    refreshSaveButtons();
    announce(saved ? "Removed from your reading list" : "Saved to your reading list");
  }

  function saveButtons() {
    return Array.prototype.slice.call(document.querySelectorAll(".save-button[data-for]"));
  }

  function refreshSaveButtons() {
    var saved = {};
    readingList.all().forEach(function (entry) { saved[entry.slug] = true; });
    saveButtons().forEach(function (button) { updateSaveButton(button, saved[button.dataset.for] === true); });
  }

  // A "Save" toggle in each reserved slot (so adding it moves nothing on the page).
  function addSaveButtons() {
    if (!readingList.available) return;
    var slots = document.querySelectorAll("[data-paper] [data-save-slot]");
    Array.prototype.forEach.call(slots, function (slot) {
      var holder = slot.closest("[data-paper]");
      var button = element("button", "save-button", "Save");
      button.type = "button";
      button.dataset.for = holder.dataset.paper;
      if (holder.classList.contains("paper-card")) {
        button.setAttribute("aria-describedby", "title-" + holder.dataset.paper);
      } else {
        button.classList.add("button");
      }
      button.title = "Keep this paper in your reading list, in this browser (s)";
      button.addEventListener("click", function () { toggleSaved(holder); });
      slot.appendChild(button);
    });
    refreshSaveButtons();
    window.addEventListener("storage", function (event) {
      if (event.key === STORE_KEY || event.key === null) refreshSaveButtons();
    });
  }

  // ------------------------------------------------------------ copy citation

  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function showState(button, state, label) {
    button.classList.remove("is-copied", "is-selected");
    button.classList.add(state);
    button.textContent = label;
    window.clearTimeout(button._reset);
    button._reset = window.setTimeout(function () {
      button.classList.remove(state);
      button.textContent = "Copy";
    }, 2500);
  }

  function copyFrom(button, source) {
    var text = source.textContent.trim();
    function fallback() {
      selectText(source);
      showState(button, "is-selected", "Selected");
      announce("Clipboard unavailable: the citation is selected, press Ctrl+C or ⌘C to copy it");
    }
    if (!navigator.clipboard || !navigator.clipboard.writeText) {
      fallback();
      return;
    }
    navigator.clipboard.writeText(text).then(function () {
      showState(button, "is-copied", "Copied");
      announce("Copied to the clipboard");
    }, fallback);
  }

  function addCopyButtons() {
    var slots = document.querySelectorAll("[data-copy]");
    Array.prototype.forEach.call(slots, function (slot) {
      var source = document.getElementById(slot.dataset.copy);
      if (!source) return;
      var button = element("button", "button copy-button", "Copy");
      button.type = "button";
      button.setAttribute("aria-describedby", slot.dataset.copy + "-label");
      button.addEventListener("click", function () { copyFrom(button, source); });
      slot.appendChild(button);
    });
  }

  // ------------------------------------------------------------ keyboard

  var SHORTCUTS = [
    ["j", "Next paper in the list"],
    ["k", "Previous paper in the list"],
    ["n", "Next day, paper, week or page"],
    ["p", "Previous day, paper, week or page"],
    ["s", "Save the paper to your reading list, or remove it"],
    ["/", "Search"],
    ["?", "Show or hide these shortcuts"],
  ];

  // Single-key shortcuts can be turned off (WCAG 2.1.4): speech input and some keyboards type
  // letters that were not meant as commands. The footer's button opens this dialog either way.
  var SHORTCUTS_KEY = "daily-papers:shortcuts:" + basePath;
  var shortcutsOff = storage !== null && storage.getItem(SHORTCUTS_KEY) === "off";

  function setShortcuts(on) {
    shortcutsOff = !on;
    if (!storage) return;
    try {
      if (on) storage.removeItem(SHORTCUTS_KEY);
      else storage.setItem(SHORTCUTS_KEY, "off");
    } catch (error) {
      // full: the choice holds for this page only
    }
  }

  var help = null;
  function helpDialog() {
    if (help) return help;
    help = element("dialog", "help-dialog");
    help.setAttribute("aria-labelledby", "help-dialog-title");
    var title = element("h2", null, "Keyboard shortcuts");
    title.id = "help-dialog-title";
    help.appendChild(title);
    var list = element("dl", "shortcut-list");
    SHORTCUTS.forEach(function (shortcut) {
      if (shortcut[0] === "s" && !readingList.available) return;
      var term = element("dt");
      term.appendChild(element("kbd", null, shortcut[0]));
      list.appendChild(term);
      list.appendChild(element("dd", null, shortcut[1]));
    });
    help.appendChild(list);
    var toggle = element("label", "shortcut-toggle");
    var box = element("input");
    box.type = "checkbox";
    box.checked = !shortcutsOff;
    box.addEventListener("change", function () { setShortcuts(box.checked); });
    toggle.appendChild(box);
    toggle.appendChild(document.createTextNode(" Use these single-key shortcuts"));
    help.appendChild(toggle);
    var savedUrl = document.querySelector("[data-saved-url]");
    if (readingList.available && savedUrl) {
      var more = element("p", "help-more");
      var link = element("a", null, "Your reading list");
      link.href = savedUrl.dataset.savedUrl;
      more.appendChild(link);
      more.appendChild(document.createTextNode(" keeps saved papers in this browser."));
      help.appendChild(more);
    }
    var close = element("button", "button", "Close");
    close.type = "button";
    close.addEventListener("click", function () { help.close(); });
    help.appendChild(close);
    help.addEventListener("click", function (event) {
      if (event.target === help) help.close(); // a click on the backdrop
    });
    document.body.appendChild(help);
    return help;
  }

  function toggleHelp() {
    var dialog = helpDialog();
    if (dialog.open) dialog.close();
    else dialog.showModal();
  }

  function paperLinks() {
    return Array.prototype.slice.call(document.querySelectorAll(".paper-card-title a, .search-result h2 a"));
  }

  // j/k: from the focused paper, or else from the first one on screen.
  function moveFocus(step) {
    var links = paperLinks();
    if (!links.length) return false;
    var current = -1;
    var active = document.activeElement;
    links.forEach(function (link, index) {
      var card = link.closest(".paper-card, .search-result");
      if (active && (link === active || (card && card.contains(active)))) current = index;
    });
    var next;
    if (current >= 0) {
      next = Math.min(links.length - 1, Math.max(0, current + step));
    } else {
      var firstVisible = links.findIndex(function (link) { return link.getBoundingClientRect().top >= 0; });
      if (firstVisible < 0) firstVisible = links.length - 1;
      next = step > 0 ? firstVisible : Math.max(0, firstVisible - 1);
    }
    var target = links[next];
    target.focus({ preventScroll: true });
    (target.closest(".paper-card, .search-result") || target).scrollIntoView({ block: "nearest" });
    return true;
  }

  function follow(rel) {
    var link = document.querySelector('a[rel~="' + rel + '"][href]');
    if (!link) return false;
    link.click();
    return true;
  }

  // The paper the keyboard means: the focused card's, or the page's own.
  function currentHolder() {
    var active = document.activeElement;
    var card = active instanceof Element ? active.closest("[data-paper]") : null;
    return card || document.querySelector("article.paper[data-paper]");
  }

  // On the search page, its own box (the header has none there); elsewhere the header's.
  function searchBox() {
    return document.getElementById("search-query") || document.getElementById("site-search");
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    if (shortcutsOff) return;
    var key = event.key;
    if (help && help.open) {
      if (key === "?") {
        event.preventDefault();
        help.close();
      }
      return; // the dialog is modal: nothing behind it moves
    }
    var handled = false;
    var box = key === "/" ? searchBox() : null;
    if (box) {
      box.focus();
      box.select();
      handled = true;
    } else if (key === "?") {
      toggleHelp();
      handled = true;
    } else if (key === "j" || key === "k") {
      handled = moveFocus(key === "j" ? 1 : -1);
    } else if (key === "n" || key === "p") {
      handled = follow(key === "n" ? "next" : "prev");
    } else if (key === "s" && readingList.available) {
      var holder = currentHolder();
      if (holder) {
        toggleSaved(holder);
        handled = true;
      }
    }
    if (handled) event.preventDefault();
  });

  function addShortcutsButton() {
    var slot = document.querySelector("[data-shortcuts-slot]");
    if (!slot) return;
    var button = element("button", "link-button", "Keyboard shortcuts");
    button.type = "button";
    button.addEventListener("click", toggleHelp);
    slot.appendChild(button);
  }

  // A formula wider than its column scrolls in place (style.css): one that does takes the
  // keyboard focus, so it scrolls without a mouse (one on a line of its own has a box for it).
  function focusableWideFormulas() {
    Array.prototype.forEach.call(document.querySelectorAll("math"), function (math) {
      if (math.closest(".math-display")) return; // a display formula's own box takes the focus
      if (math.scrollWidth > math.clientWidth + 1) math.setAttribute("tabindex", "0");
      else math.removeAttribute("tabindex");
    });
  }

  addSaveButtons();
  addCopyButtons();
  addShortcutsButton();
  focusableWideFormulas();
  var resized = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resized);
    resized = window.setTimeout(focusableWideFormulas, 200);
  });

  // `2025-03-17` as the site's pages write it: `17 March 2025` ("" for what is not a date).
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  function longDate(iso) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return match ? Number(match[3]) + " " + MONTHS[Number(match[2]) - 1] + " " + match[1] : "";
  }

  // For saved.js and search.js, which list papers on their own pages.
  window.DailyPapers = { readingList: readingList, announce: announce, element: element, longDate: longDate };
})();
