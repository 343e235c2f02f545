// The reading list page: lists the papers saved in this browser, exports them as a
// BibTeX file or a Markdown list. Nothing leaves the browser. Needs site.js (loaded after
// this file, so the work waits for DOMContentLoaded).
(function () {
  "use strict";

  function longDate(iso) { // site.js's, which is there by the time anything is listed
    return window.DailyPapers.longDate(iso);
  }

  function markdownText(text) {
    return text.replace(/([\\`*_[\]<>])/g, "\\$1");
  }

  // Saved from a paper page, an entry carries the page's own BibTeX; saved from a list,
  // it is written here the same way (lists do not repeat every paper's BibTeX).
  function bibtexEntry(entry) {
    if (entry.bibtex) return entry.bibtex.trim();
    var base = (entry.arxiv || "").replace(/v\d+$/, "");
    var fields = [["title", "{" + bibValue(entry.bibTitle || entry.title) + "}"]]; // its TeX, as the page's
    var names = entry.bibAuthors && entry.bibAuthors.length ? entry.bibAuthors : entry.authors || [];
    if (names.length) {
      var others = authorCount(entry) > names.length ? " and others" : ""; // lists carry 50
      fields.push(["author", names.map(bibValue).join(" and ") + others]);
    }
    if (base) { // the year its id spells: the day it was listed may be years later
      var yy = Number(base.split("/").pop().slice(0, 2));
      fields.push(["year", String(yy + (yy >= 91 ? 1900 : 2000))]);
      fields.push(["eprint", base], ["archivePrefix", "arXiv"], ["url", "https://arxiv.org/abs/" + base]);
    } else { // where it is listed, as the paper's page says
      fields.push(["url", entry.url]);
      if (entry.day) fields.push(["note", bibValue(siteName() + ", " + entry.day)]);
    }
    var key = (base || entry.slug || "paper").replace("/", ":");
    return "@misc{" + key + ",\n" + fields.map(function (field) {
      return "  " + field[0] + " = {" + field[1] + "}";
    }).join(",\n") + "\n}";
  }

  // As the build's BibTeX: braces must balance (BibTeX counts `\{` too); when they do not,
  // each becomes a group LaTeX prints as the brace. Spaces collapse, and TeX's specials are
  // escaped (texEscaped).
  function bibValue(text) {
    var depth = 0;
    for (var i = 0; i < text.length && depth >= 0; i++) depth += (text[i] === "{") - (text[i] === "}");
    if (depth !== 0) {
      text = text.replace(/\\?([{}])/g, function (_, brace) {
        return brace === "{" ? "{\\textbraceleft}" : "{\\textbraceright}";
      });
    }
    return texEscaped(text.split(/\s+/).filter(Boolean).join(" "));
  }

  // Math, as TeX pairs it: an environment (group 1; 2 is its name), then `$$...$$`, `$...$`,
  // `\(...\)` and `\[...\]`. An escaped `\$` neither opens nor closes one.
  var ENVIRONMENT = /(\\begin\{([A-Za-z]+\*?)\}(?:\\[\s\S]|[^\\])*?\\end\{\2\})/;
  var DELIMITED = /\$\$(?:\\[\s\S]|[^\\$])+\$\$|\$(?:\\[\s\S]|[^\\$])+\$|\\\((?:\\[\s\S]|[^\\])*?\\\)|\\\[(?:\\[\s\S]|[^\\])*?\\\]/;
  var TEXT_SPECIALS = new RegExp(ENVIRONMENT.source + "|(" + DELIMITED.source + ")|" + /\\[\s\S]|[%&#_^]/.source, "g");
  var MATH_SPECIALS = new RegExp(ENVIRONMENT.source + "|" + /\\[\s\S]|[%&#]/.source, "g");
  var ALIGNED_SPECIALS = /\\[\s\S]|[%#]/g;

  // As the build's: the specials TeX reads otherwise escaped. `%` would comment out the rest
  // of the line, `#` and `&` are errors, and so are `_` and `^` outside math. (The build
  // reads a `$` as the page does; a title whose dollars it escapes carries its BibTeX.) Escapes stay as written
  // (`\%`; `\\%` is a line break and a bare `%`), and so does an environment's `&`.
  function texEscaped(text) {
    return text.replace(TEXT_SPECIALS, function (found, environment, name, delimited) {
      if (!environment && !delimited) return found === "^" ? "\\textasciicircum{}" : escapedSpecial(found);
      return found.replace(MATH_SPECIALS, function (inMath, aligned) {
        return aligned ? aligned.replace(ALIGNED_SPECIALS, escapedSpecial) : escapedSpecial(inMath);
      });
    });
  }

  function escapedSpecial(special) {
    return special[0] === "\\" ? special : "\\" + special;
  }

  function authorCount(entry) {
    return Math.max(entry.authorCount || 0, entry.authors ? entry.authors.length : 0);
  }

  function siteName() {
    var meta = document.querySelector('meta[property="og:site_name"]');
    return meta ? meta.getAttribute("content") : document.title;
  }

  function bibtexOf(list) {
    return list.map(bibtexEntry).join("\n\n") + "\n";
  }

  function markdownOf(list, siteTitle) {
    var lines = ["# Reading list" + (siteTitle ? " from " + siteTitle : ""), ""];
    list.forEach(function (entry) {
      var line = "- [" + markdownText(entry.title) + "](" + entry.url.replace(/\(/g, "%28").replace(/\)/g, "%29") + ")";
      if (entry.authors && entry.authors.length) {
        var shown = entry.authors.slice(0, 3).join(", ") + (authorCount(entry) > 3 ? " et al." : "");
        line += " — " + markdownText(shown);
      }
      if (entry.day) line += " (" + longDate(entry.day) + ")";
      if (entry.arxiv) line += " · [arXiv:" + entry.arxiv + "](https://arxiv.org/abs/" + entry.arxiv + ")";
      lines.push(line);
    });
    return lines.join("\n") + "\n";
  }

  function download(name, type, text) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function start() {
    var root = document.getElementById("saved");
    var api = window.DailyPapers;
    if (!root || !api) return;
    var element = api.element;
    var readingList = api.readingList;
    if (!readingList.available) {
      root.appendChild(element("p", "notice", "This browser does not let the site store anything, so there is no reading list here."));
      return;
    }

    var actions = element("div", "saved-actions");
    var bib = element("button", "button", "Download BibTeX (.bib)");
    var md = element("button", "button", "Download Markdown");
    var clear = element("button", "button", "Clear the list");
    [bib, md, clear].forEach(function (button) {
      button.type = "button";
      actions.appendChild(button);
    });
    var count = element("p", "saved-count");
    var list = element("ol", "paper-list saved-list");
    root.appendChild(count);
    root.appendChild(actions);
    root.appendChild(list);

    function render() {
      var entries = readingList.all();
      count.textContent = entries.length === 0
        ? "No saved papers yet. Use the Save button on a paper or in a list of papers, or press s."
        : entries.length + " saved paper" + (entries.length === 1 ? "" : "s") + ", most recently saved first.";
      actions.hidden = entries.length === 0;
      list.replaceChildren();
      entries.forEach(function (entry, index) {
        var item = element("li");
        var card = element("article", "paper-card");
        var heading = element("h2", "paper-card-title");
        var link = element("a", null, entry.title);
        link.href = entry.url;
        link.id = "saved-title-" + index;
        heading.appendChild(link);
        card.appendChild(heading);
        if (entry.authors && entry.authors.length) {
          var authors = entry.authors.slice(0, 8).join(", ");
          if (authorCount(entry) > 8) authors += ", and " + (authorCount(entry) - 8) + " more";
          card.appendChild(element("p", "paper-authors", authors));
        }
        var meta = element("p", "paper-meta");
        if (entry.day) {
          var time = element("time", null, longDate(entry.day));
          time.dateTime = entry.day;
          meta.appendChild(time);
        }
        if (entry.arxiv) meta.appendChild(element("span", null, "arXiv:" + entry.arxiv));
        var remove = element("button", "save-button", "Remove");
        remove.type = "button";
        remove.setAttribute("aria-describedby", link.id); // "Remove", of which paper
        remove.addEventListener("click", function () {
          readingList.remove(entry.slug);
          render();
          api.announce("Removed " + entry.title);
          // Focus stays in the list: on the Remove button that took this one's place, else
          // the one before, else the count.
          var buttons = list.querySelectorAll(".save-button");
          var next = buttons[Math.min(index, buttons.length - 1)];
          if (next) {
            next.focus();
          } else {
            count.tabIndex = -1;
            count.focus();
          }
        });
        var slot = element("span", "save-slot");
        slot.appendChild(remove);
        meta.appendChild(slot);
        card.appendChild(meta);
        item.appendChild(card);
        list.appendChild(item);
      });
    }

    bib.addEventListener("click", function () {
      download("reading-list.bib", "application/x-bibtex;charset=utf-8", bibtexOf(readingList.all()));
    });
    md.addEventListener("click", function () {
      download("reading-list.md", "text/markdown;charset=utf-8", markdownOf(readingList.all(), root.dataset.siteTitle));
    });
    clear.addEventListener("click", function () {
      if (window.confirm("Remove every paper from your reading list?")) {
        readingList.write([]);
        render();
        count.tabIndex = -1; // the button went with the list: focus stays where the reader is
        count.focus();
        api.announce("The reading list is empty");
      }
    });
    window.addEventListener("storage", render);
    render();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
