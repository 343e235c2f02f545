// The search page: Pagefind's JavaScript API behind a small form with filters.
// Results are built with DOM methods only (no innerHTML), so nothing from the index
// can inject markup; the query and filters live in the URL, so searches can be shared.
(function () {
  "use strict";

  var root = document.getElementById("search");
  if (!root) return;
  var form = root.querySelector(".search-form");
  var query = root.querySelector("#search-query");
  var status = root.querySelector(".search-status");
  var list = root.querySelector(".search-results");
  var more = root.querySelector(".search-more");
  var empty = root.querySelector(".search-empty"); // what to try when nothing matched
  var PAGE = 10;
  var bundle = root.getAttribute("data-bundle");
  var baseUrl = root.getAttribute("data-base-url");
  // Large sites split search into parts, newest first (see generator/search.py); else none.
  var parts = (root.getAttribute("data-parts") || "").split(" ").filter(Boolean);
  // The overlay (of a split index, or of any index the dev server serves) holds the papers
  // changed since their part was indexed: they replace the results listed `hidden`
  // (see generator/search.py).
  var manifest = parts.length > 0 || root.hasAttribute("data-overlay");
  var overlay = { overlay: "", hidden: [], pages: {}, parts: {} };
  var hidden = Object.create(null);
  var pagefind = null;
  var current = [];
  var shown = 0;
  var generation = 0;
  var timer = null;

  root.hidden = false;
  if (params().get("q")) root.classList.add("has-query");
  // On a phone the filters fold away unless one is set: the results come first.
  var filtersBox = root.querySelector(".search-filters-box");
  var filterSet = ["tag", "year", "month", "author", "sort"].some(function (name) { return params().get(name); });
  if (filtersBox && !filterSet && window.matchMedia("(max-width: 40rem)").matches) filtersBox.open = false;

  // TeX as abstracts write it, as the index holds it: `$\alpha$-divergence` is `α-divergence`.
  // The common letters and symbols only: `$\mathcal{L}$` reads as L, where pages show ℒ.
  var TEX = Object.assign(Object.create(null), {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ϵ", varepsilon: "ε", zeta: "ζ", eta: "η",
    theta: "θ", vartheta: "ϑ", iota: "ι", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", xi: "ξ", pi: "π",
    rho: "ρ", sigma: "σ", tau: "τ", upsilon: "υ", phi: "ϕ", varphi: "φ", chi: "χ", psi: "ψ", omega: "ω",
    Gamma: "Γ", Delta: "Δ", Theta: "Θ", Lambda: "Λ", Xi: "Ξ", Pi: "Π", Sigma: "Σ", Phi: "Φ", Psi: "Ψ",
    Omega: "Ω", ell: "ℓ", infty: "∞", times: "×", cdot: "·", pm: "±", le: "≤", leq: "≤", ge: "≥",
    geq: "≥", neq: "≠", approx: "≈", sim: "∼", to: "→", rightarrow: "→", partial: "∂", nabla: "∇",
    top: "⊤", prime: "′", dagger: "†", ast: "*"
  });
  ["log", "exp", "sin", "cos", "tan", "max", "min", "lim", "sup", "inf", "det", "arg"].forEach(function (name) {
    TEX[name] = name; // written as words; other commands are dropped and their arguments kept
  });
  // Scripts as the index writes them (mathml.py's tables): `O(n^2)` is O(n²), not `o`, `n`
  // and `2`, which every abstract holds. `_` only inside a formula: `my_tool` is a name.
  var SMALL = {
    "^": table("0123456789+-\u2212=()niT*\u22a4\u2032\u2033\u2020", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱᵀ*ᵀ′″†"),
    _: table("0123456789+-\u2212=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"),
  };
  var SUPERSCRIPTS = /(?<!\\)(\^)(?:\{([^{}]*)\}|([^\s{}\\]))/g;
  var SCRIPTS = /(?<!\\)([\^_])(?:\{([^{}]*)\}|([^\s{}\\]))/g;
  var FORMULAS = /\$[^$]*\$|\\\([\s\S]*?\\\)/g;
  function table(from, to) {
    var small = Object.create(null);
    Array.from(to).forEach(function (character, index) { small[from[index]] = character; });
    return small;
  }
  function scripts(text, marks) {
    return text.replace(marks, function (whole, mark, group, one) {
      var characters = Array.from((group === undefined ? one : group).trim());
      var small = SMALL[mark];
      var all = characters.length > 0 && characters.every(function (character) { return character in small; });
      return all ? characters.map(function (character) { return small[character]; }).join("") : whole;
    });
  }
  function plainQuery(text) {
    if (text.indexOf("\\") < 0 && text.indexOf("$") < 0) {
      return text.indexOf("^") < 0 ? text : scripts(text, SUPERSCRIPTS);
    }
    return text
      .replace(/\\([a-zA-Z]+)/g, function (command, name) { return TEX[name] || ""; })
      .replace(FORMULAS, function (formula) { return scripts(formula, SCRIPTS); })
      .replace(/\\([_%&#])/g, "$1") // TeX's escapes: `my\_tool` is my_tool
      .replace(/\\[()\[\]]|[${}]/g, "")
      .replace(/\s+/g, " ");
  }

  // Pages hold an arXiv id without its version: `2503.22222v2` is 2503.22222.
  function withoutVersion(text) {
    return text.replace(/\b(\d{4}\.\d{4,5})v\d+\b/gi, "$1");
  }

  function params() {
    return new URLSearchParams(window.location.search);
  }

  function fillForm() {
    var p = params();
    var header = document.getElementById("site-search");
    query.value = p.get("q") || "";
    if (header) header.value = query.value;
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && field.name !== "q" && p.has(field.name)) field.value = p.get(field.name);
    });
  }

  // Only tag and month are Pagefind filters (a search loads every filter's data, so fewer
  // is lighter): a year is any of its months, and an author is matched on the results.
  function filtersFromForm() {
    var filters = {};
    var elements = form.elements;
    if (elements.tag.value) filters.tag = elements.tag.value;
    if (elements.month.value) {
      filters.month = elements.month.value;
    } else if (elements.year.value) {
      var months = Array.prototype.map
        .call(elements.month.options, function (item) { return item.value; })
        .filter(function (value) { return value.indexOf(elements.year.value + "-") === 0; });
      filters.month = { any: months };
    }
    return filters;
  }

  function folded(text) {
    return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  }

  // Names compare as words without case or accents: "erdos" and "Paul Erdős" find Paul Erdős.
  function nameWords(text) {
    return folded(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  // Pagefind matches a query word to the indexed words that start with it (both stemmed) but,
  // when there are none, to the longest indexed word the query word starts with, down to one
  // letter: `xyzzyqwerty` found "Adam X. Yang", `café` "C++", and `O(n²)` every "on". So a
  // result is kept when one of the words it matched (at `locations`, in `content`) starts with
  // a query word, both folded as Pagefind folds them (case, accents, punctuation), or with the
  // query word's stem: a stemmer's word (`generation` finds "generative", `why` "which"), which
  // a fallback's single letters or syllables fall short of. Words of one letter count only in
  // a query with no longer one: else `a` or `O` would match nearly any paper.
  // The check knows English stems and words between spaces: on a site in another language
  // (Pagefind stems it otherwise, and splits Chinese or Japanese into words of its own), or
  // for a query in a script written without spaces, results stay as Pagefind gives them.
  var ENGLISH = /^en(?:-|$)/i.test(document.documentElement.lang || "en");
  var UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;
  function typedWordsKnown(text) {
    return ENGLISH && !UNSPACED.test(text);
  }

  // A possessive asks for its word (`CLARANS's` for CLARANS, which pages write without one).
  function queryWords(text) {
    var words = text.split(/\s+/).map(function (word) {
      return compact(word.replace(/['\u2019]s$/iu, ""));
    }).filter(Boolean);
    var long = words.filter(function (word) { return Array.from(word).length > 1; });
    return (long.length ? long : words).map(function (word) {
      return [word, stemOf(word)];
    });
  }

  // Snowball's English stem, or shorter: its plural, then its verb endings go first (`losses`
  // is loss, `findings` find, `overlapping` overlap, `why` whi), then its other endings while
  // the word keeps its first syllable (Snowball strips those inside its `R1` only). So what
  // Snowball matches is kept.
  var PLURAL = /(?:sses|ies|ied|s)$/;
  var VERB = /(?:eedly|ingly|edly|eed|ing|ed)$/;
  var ENDINGS = new RegExp("(?:" + [
    "ational", "tional", "ization", "fulness", "ousness", "iveness", "ation", "ative", "alize", "icate",
    "iciti", "alism", "aliti", "biliti", "iviti", "ement", "ness", "ment", "able", "ible", "ance", "ence",
    "ator", "izer", "ical", "ousli", "entli", "lessli", "fulli", "alli", "abli", "enci", "anci", "ogi",
    "bli", "ful", "ant", "ent", "ism", "ate", "iti", "ous", "ive", "ize", "ion", "al", "er", "ic", "li",
    "iz", "at", "bl", "e"
  ].join("|") + ")$");
  function stemOf(word) {
    var stem = word;
    var plural = PLURAL.exec(stem);
    if (plural && /[aeiouy]/.test(stem.slice(0, plural.index)) && !/(?:ss|us)$/.test(stem)) {
      stem = stem.slice(0, plural.index) + ({ sses: "ss", ies: "i", ied: "i" }[plural[0]] || "");
    }
    var verb = VERB.exec(stem);
    if (verb && /[aeiouy]/.test(stem.slice(0, verb.index))) {
      stem = stem.slice(0, verb.index).replace(/([bdfgmnprt])\1$/, "$1");
    }
    stem = stem.replace(/^(.+[^aeiouy])y$/, "$1i");
    var syllable = /[aeiouy][^aeiouy]/.exec(stem);
    var least = syllable ? syllable.index + 2 : stem.length;
    for (var ending; (ending = ENDINGS.exec(stem.slice(least))); ) {
      stem = stem.slice(0, least + ending.index);
    }
    return stem;
  }

  function compact(word) {
    return folded(word).replace(/[^\p{L}\p{N}]+/gu, "");
  }

  // A page word as it may be matched: any of its parts, or the parts from any one on, split as
  // Pagefind splits compound words (`α-divergences,` is matched by `divergences`,
  // `arXiv:2503.22222` by `2503.22222` and `xiv`, `ConvNeXt` by `next`, `4times` by `times`).
  function wordForms(word) {
    var split = word.replace(/(\p{Ll}(?=\p{Lu})|\p{N}(?=\p{L})|\p{L}(?=\p{N}))/gu, "$1 ");
    var parts = folded(split).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    var forms = parts.concat(parts.map(function (part, index) { return parts.slice(index).join(""); }));
    return forms.concat(forms.map(function (form) { return form.replace(/([^aeiouy])y$/, "$1i"); }));
  }

  // The page's words as Pagefind counts them for `locations` (by zero-width spaces when it
  // segmented the text, else by white space).
  function pageWords(data) {
    var content = data.content || "";
    return segmented(data) ? content.split("\u200B") : content.split(/[\r\n\s]+/g);
  }

  function segmented(data) {
    return (data.content || "").indexOf("\u200B") >= 0;
  }

  // Pagefind matches metadata too (a paper's `url`, its date), with no `locations` there.
  function typed(data, terms) {
    var words = pageWords(data);
    var matched = (data.locations || []).map(function (location) { return words[location] || ""; });
    var meta = data.meta || {};
    Object.keys(meta).forEach(function (name) { matched = matched.concat(String(meta[name]).split(/\s+/)); });
    return matched.some(function (word) {
      return wordForms(word).some(function (form) {
        return terms.some(function (term) {
          return term.some(function (start) { return form.indexOf(start) === 0; });
        });
      });
    });
  }

  function authorWanted() {
    return nameWords(form.elements.author.value);
  }

  function byAuthor(data, wanted) {
    var names = ((data.meta && data.meta.author_list) || "").split("; ");
    return names.some(function (name) {
      var words = nameWords(name);
      return wanted.every(function (word) { return words.indexOf(word) >= 0; });
    });
  }

  function sortFromForm() {
    var order = form.elements.sort.value;
    if (order === "newest") return { date: "desc" };
    if (order === "oldest") return { date: "asc" };
    return undefined;
  }

  function saveState() {
    var p = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && field.value.trim()) p.set(field.name, field.value);
    });
    var header = document.getElementById("site-search");
    if (header && document.activeElement !== header) header.value = query.value; // both boxes say one query
    var text = p.toString();
    history.replaceState(null, "", window.location.pathname + (text ? "?" + text : ""));
  }

  // Pagefind's excerpt may start at the title, the authors or the hidden line of ids, which
  // are indexed to be found (and weighted) but which the result shows already or should not:
  // the excerpt is made again from the summary alone, from the TL;DR or abstract to the
  // keywords (the paper page marks where each starts with an id, which Pagefind records in
  // `anchors`), around the matches there as Pagefind picks, marked as Pagefind marks them.
  var EXCERPT = 30; // words, as Pagefind's
  function summaryExcerpt(data) {
    var at = Object.create(null);
    (data.anchors || []).forEach(function (anchor) {
      if (!(anchor.id in at)) at[anchor.id] = anchor.location;
    });
    var from = "tldr" in at ? at.tldr : at.abstract;
    if (from === undefined) return data.excerpt || "";
    var words = pageWords(data);
    var to = "keywords" in at ? at.keywords : words.length;
    var scores = [];
    (data.weighted_locations || []).forEach(function (found) {
      var where = found.location;
      if (where >= from && where < to) scores[where] = (scores[where] || 0) + found.balanced_score;
    });
    var start = excerptStart(scores, from, to);
    var shown = words.slice(start, Math.min(start + EXCERPT, to)).map(function (word, index) {
      return scores[start + index] === undefined ? word : "<mark>" + word + "</mark>";
    });
    return shown.join(segmented(data) ? "" : " ").trim();
  }

  // Where the window of EXCERPT words with the most matches starts (the middle one of equals,
  // as Pagefind's): the summary's start when nothing in it matched.
  function excerptStart(scores, from, to) {
    var last = Math.max(from, to - EXCERPT);
    var sum = 0;
    for (var word = from; word < Math.min(to, from + EXCERPT); word++) sum += scores[word] || 0;
    var best = sum;
    var ties = [from];
    for (var start = from + 1; start <= last; start++) {
      sum += (scores[start + EXCERPT - 1] || 0) - (scores[start - 1] || 0);
      if (sum > best) {
        best = sum;
        ties = [start];
      } else if (sum === best && ties[ties.length - 1] === start - 1) {
        ties.push(start);
      }
    }
    return best > 0 ? ties[Math.floor(ties.length / 2)] : from;
  }

  // Pagefind marks matches with <mark>; everything else is text.
  function excerptNodes(container, excerpt) {
    excerpt = excerpt.replace(APART_GAP, "$1"); // the index's spaces, not the page's
    excerpt.split(/(<mark>|<\/mark>)/).reduce(function (inMark, part) {
      if (part === "<mark>") return true;
      if (part === "</mark>") return false;
      var text = document.createTextNode(decode(part));
      if (inMark) {
        var mark = document.createElement("mark");
        mark.appendChild(text);
        container.appendChild(mark);
      } else {
        container.appendChild(text);
      }
      return inMark;
    }, false);
  }

  var decoder = document.createElement("textarea");
  function decode(text) {
    decoder.innerHTML = text.replace(/</g, "&lt;");
    return decoder.value;
  }

  function renderResult(data) {
    var item = document.createElement("li");
    item.className = "search-result";
    var heading = document.createElement("h2");
    var link = document.createElement("a");
    // Pagefind indexed a search document standing in for the page; its `url` is the page's.
    link.href = data.meta && data.meta.url ? baseUrl + data.meta.url : data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    heading.appendChild(link);
    item.appendChild(heading);
    if (data.meta && data.meta.authors) {
      var who = document.createElement("p");
      who.className = "paper-authors";
      who.textContent = data.meta.authors;
      item.appendChild(who);
    }
    var excerpt = document.createElement("p");
    excerpt.className = "paper-excerpt";
    excerptNodes(excerpt, summaryExcerpt(data));
    item.appendChild(excerpt);
    if (data.meta && data.meta.date) {
      var when = document.createElement("p");
      when.className = "paper-meta";
      var time = document.createElement("time");
      time.dateTime = data.meta.date;
      time.textContent = longDate(data.meta.date);
      when.appendChild(time);
      item.appendChild(when);
    }
    return item;
  }

  // As the site's pages write a date (site.js's, which has run by the time results come).
  function longDate(iso) {
    var shared = window.DailyPapers;
    return (shared && shared.longDate(iso)) || iso;
  }

  // Loads result data a batch at a time; skips the papers that do not match the query as
  // typed and, with an author wanted, those not by them.
  function showMore(run) {
    var wanted = authorWanted();
    var added = 0;
    function next() {
      if (matched === 0 && dropped >= GIVE_UP) shown = current.length; // the rest is like them
      if (run !== generation || added >= PAGE || shown >= current.length) {
        if (run === generation) showCount(wanted.length > 0 || dropped > 0);
        return Promise.resolve();
      }
      var slice = current.slice(shown, shown + (wanted.length || dropped ? PAGE * 2 : PAGE - added));
      shown += slice.length;
      return Promise.all(slice.map(function (r) { return r.data(); })).then(function (rows) {
        if (run !== generation) return;
        rows.forEach(function (data) {
          if (terms.length && !typed(data, terms)) {
            dropped += 1;
            return;
          }
          if (wanted.length && !byAuthor(data, wanted)) return;
          list.appendChild(renderResult(data));
          added += 1;
          matched += 1;
        });
        return next();
      });
    }
    return next();
  }

  // The papers shown, and those skipped as not matching the query as typed, of `current`.
  var matched = 0;
  var dropped = 0;
  // Results checked before a query none of whose results match as typed is given up: a
  // query word no page has reaches every page through one of Pagefind's fallback letters,
  // and checking them all loaded thousands of fragments on a large site.
  var GIVE_UP = 60;
  var terms = [];

  // Pagefind's count while every result checked so far is shown; else those shown, and `+`
  // while more are to be checked.
  function showCount(skipping) {
    var rest = shown < current.length;
    more.hidden = !rest;
    if (empty) empty.hidden = matched > 0 || rest;
    var count = skipping ? matched : current.length;
    var plus = skipping && rest ? "+" : "";
    status.textContent = count + plus + (count === 1 && !plus ? " paper" : " papers");
  }

  // The form as the results show it: a text field's `change` (when it loses focus) comes
  // after its `input` searched already, and searching again would drop "More results".
  var searched = null;

  function formState() {
    return new URLSearchParams(new FormData(form)).toString();
  }

  function search() {
    if (!pagefind) return Promise.resolve(); // still loading: the search runs once it is ready
    var run = ++generation;
    searched = formState();
    saveState();
    var wanted = form.elements.author.value.trim();
    var text = (withoutVersion(plainQuery(query.value.trim())) + " " + wanted).trim();
    var filters = filtersFromForm();
    var sort = sortFromForm();
    if (empty) empty.hidden = true;
    if (!text && !Object.keys(filters).length) {
      list.textContent = "";
      more.hidden = true;
      status.textContent = "Type to search titles, authors and abstracts, or pick a filter.";
      return Promise.resolve();
    }
    var options = { filters: filters };
    if (sort) options.sort = sort;
    return runSearch(text || null, options).then(function (found) {
      if (run !== generation || !found) return;
      current = found.results;
      shown = 0;
      matched = 0;
      dropped = 0;
      terms = text && typedWordsKnown(text) ? queryWords(text) : [];
      list.textContent = "";
      return showMore(run);
    }).catch(function () {
      if (run === generation) status.textContent = "The search failed. Try again, or browse the archive.";
    });
  }

  function partPath(name) {
    return bundle + name + "/";
  }

  function unhidden(results) {
    return results.filter(function (result) { return !hidden[result.id]; });
  }

  // Chinese and Japanese characters are words apart in the index (search.py's `_words_apart`):
  // a query is split the same way, and what results show is joined again.
  var APART = "\\u3000-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef"; // search.py's
  var SEGMENTED = /^(?:zh|ja)(?:-|$)/i.test(document.documentElement.lang || ""); // by Pagefind
  var APART_PAIR = new RegExp("([" + APART + "])(?=[" + APART + "A-Za-z0-9])|([A-Za-z0-9])(?=[" + APART + "])", "g");
  var APART_GAP = new RegExp("([" + APART + "](?:</mark>)?) (?=(?:<mark>)?[" + APART + "])", "g");

  // Pagefind orders the results of merged indexes by score, and under a sort a result's
  // score is its rank within its own part, which would interleave parts. So a date-sorted
  // search asks each part alone (every part carries a `part` filter) and puts the parts'
  // results one after another, newest part first or oldest; a relevance search asks all.
  function runSearch(text, options) {
    if (text && !SEGMENTED) text = text.replace(APART_PAIR, "$1$2 ");
    var descending = options.sort && options.sort.date === "desc";
    if (!options.sort || (parts.length < 2 && !overlay.overlay)) {
      return pagefind.search(text, options).then(function (found) {
        return { results: unhidden(found.results) };
      });
    }
    if (!parts.length) { // one index and its overlay
      return pagefind.search(text, options).then(function (found) {
        return byDate(unhidden(found.results), "", descending);
      }).then(function (results) {
        return { results: results };
      });
    }
    var names = descending ? parts : parts.slice().reverse();
    return Promise.all(names.map(function (name) {
      var filters = Object.assign({}, options.filters, { part: name });
      return pagefind.search(text, { filters: filters, sort: options.sort }).then(function (found) {
        return byDate(unhidden(found.results), name, descending);
      });
    })).then(function (found) {
      return { results: [].concat.apply([], found) };
    });
  }

  function dateOf(result) {
    return result.data().then(function (data) { return (data.meta && data.meta.date) || ""; });
  }

  // A part's results in date order. Its own come sorted; the overlay's, ranked within the
  // overlay, are placed by their days: before or after the part's when outside its range
  // (a new paper of the latest day), else by bisection, which loads a few results' data.
  function byDate(results, name, descending) {
    var own = results.filter(function (result) { return !(result.id in overlay.pages); });
    var extra = results.filter(function (result) { return result.id in overlay.pages; });
    if (!extra.length) return Promise.resolve(own);
    var range = overlay.parts[name] || ["", ""];
    var first = descending ? range[1] : range[0];
    var last = descending ? range[0] : range[1];
    function earlier(a, b) { return descending ? a > b : a < b; } // a comes first in this order
    extra.sort(function (a, b) {
      var x = overlay.pages[a.id];
      var y = overlay.pages[b.id];
      return x === y ? 0 : earlier(x, y) ? -1 : 1;
    });
    var before = extra.filter(function (result) { return !earlier(first, overlay.pages[result.id]); });
    var after = extra.filter(function (result) { return earlier(last, overlay.pages[result.id]); });
    var inside = extra.filter(function (result) { return before.indexOf(result) < 0 && after.indexOf(result) < 0; });
    return inside.reduce(function (sorted, result) {
      return sorted.then(function (list) {
        var day = overlay.pages[result.id];
        var low = 0;
        var high = list.length;
        function bisect() {
          if (low >= high) {
            list.splice(low, 0, result);
            return list;
          }
          var middle = (low + high) >> 1;
          return dateOf(list[middle]).then(function (other) {
            if (earlier(day, other)) high = middle;
            else low = middle + 1;
            return bisect();
          });
        }
        return bisect();
      });
    }, Promise.resolve(own)).then(function (list) {
      return before.concat(list, after);
    });
  }

  // Searches wait until every part is merged: a search of some parts would miss papers.
  // The overlay's pages carry their part's filter themselves.
  function openSearch(module) {
    var first = parts.length ? { baseUrl: baseUrl, mergeFilter: { part: parts[0] } } : { baseUrl: baseUrl };
    return module.options(first).then(function () {
      var merged = parts.slice(1).map(function (name) {
        return module.mergeIndex(partPath(name), { baseUrl: baseUrl, mergeFilter: { part: name } });
      });
      if (overlay.overlay) merged.push(module.mergeIndex(partPath(overlay.overlay), { baseUrl: baseUrl }));
      return Promise.all(merged);
    }).then(function () {
      pagefind = module;
    });
  }

  function readOverlay() {
    if (!manifest) return Promise.resolve();
    return fetch(bundle + "overlay.json").then(function (response) {
      if (!response.ok) throw new Error("no overlay manifest");
      return response.json();
    }).then(function (manifest) {
      overlay = manifest;
      overlay.pages = Object.assign(Object.create(null), manifest.pages);
      overlay.hidden.forEach(function (id) { hidden[id] = true; });
    });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 150);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    search();
  });
  form.addEventListener("input", schedule);
  form.addEventListener("change", function () {
    if (formState() !== searched) schedule();
  });
  // The next batch appears above the button: focus moves to its first result, so that Tab
  // goes on through the new results (and is not lost when the last batch hides the button).
  more.addEventListener("click", function () {
    var before = list.children.length;
    showMore(generation).then(function () {
      var link = list.children[before] && list.children[before].querySelector("h2 a");
      if (link) link.focus();
    });
  });

  fillForm();
  if (!bundle) {
    status.textContent = "There are no papers to search yet.";
    return;
  }
  status.textContent = "Loading the search index…";
  Promise.all([import(bundle + (parts.length ? parts[0] + "/" : "") + "pagefind.js"), readOverlay()])
    .then(function (loaded) { return openSearch(loaded[0]); })
    .then(function () {
      if (query.value || document.activeElement === document.body) query.focus();
      return search(); // its own failures say so themselves
    }, function () { // the index did not load: what to do instead, and a form that no longer pretends
      root.classList.remove("has-query");
      status.textContent = "The search index could not be loaded. Browse the ";
      status.appendChild(pageLink("archive/", "archive"));
      status.appendChild(document.createTextNode(" or "));
      status.appendChild(pageLink("tags/", "tags"));
      status.appendChild(document.createTextNode(" instead."));
      Array.prototype.forEach.call(form.elements, function (field) { field.disabled = true; });
    });

  function pageLink(path, text) {
    var link = document.createElement("a");
    link.href = baseUrl + path;
    link.textContent = text;
    return link;
  }
})();
