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
  var authors = root.querySelector("#search-authors");
  var PAGE = 10;
  var pagefind = null;
  var current = [];
  var shown = 0;
  var generation = 0;
  var timer = null;

  root.hidden = false;

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

  function filtersFromForm() {
    var filters = {};
    Array.prototype.forEach.call(form.querySelectorAll("[data-filter]"), function (field) {
      if (field.value) filters[field.getAttribute("data-filter")] = field.value;
    });
    return filters;
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
      if (field.name && field.value) p.set(field.name, field.value);
    });
    var text = p.toString();
    history.replaceState(null, "", window.location.pathname + (text ? "?" + text : ""));
  }

  function option(select, value, count) {
    var item = document.createElement("option");
    item.value = value;
    item.textContent = count === undefined ? value : value + " (" + count + ")";
    select.appendChild(item);
  }

  function fillFilters(all) {
    ["tag", "year", "month"].forEach(function (name) {
      var select = form.querySelector('select[data-filter="' + name + '"]');
      var values = Object.keys(all[name] || {}).sort();
      if (name !== "tag") values.reverse();
      var wanted = params().get(name);
      values.forEach(function (value) { option(select, value, all[name][value]); });
      if (wanted) select.value = wanted;
    });
    Object.keys(all.author || {}).sort().slice(0, 5000).forEach(function (name) {
      var item = document.createElement("option");
      item.value = name;
      authors.appendChild(item);
    });
  }

  // Pagefind marks matches with <mark>; everything else is text.
  function excerptNodes(container, excerpt) {
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
    link.href = data.url;
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
    excerptNodes(excerpt, data.excerpt || "");
    item.appendChild(excerpt);
    if (data.meta && data.meta.date) {
      var when = document.createElement("p");
      when.className = "paper-meta";
      var time = document.createElement("time");
      time.dateTime = data.meta.date;
      time.textContent = data.meta.date;
      when.appendChild(time);
      item.appendChild(when);
    }
    return item;
  }

  function showMore(run) {
    var slice = current.slice(shown, shown + PAGE);
    shown += slice.length;
    more.hidden = shown >= current.length;
    return Promise.all(slice.map(function (r) { return r.data(); })).then(function (rows) {
      if (run !== generation) return;
      rows.forEach(function (data) { list.appendChild(renderResult(data)); });
    });
  }

  function search() {
    var run = ++generation;
    saveState();
    var text = query.value.trim();
    var filters = filtersFromForm();
    var sort = sortFromForm();
    if (!text && !Object.keys(filters).length) {
      list.textContent = "";
      more.hidden = true;
      status.textContent = "Type to search titles, authors and abstracts, or pick a filter.";
      return Promise.resolve();
    }
    var options = { filters: filters };
    if (sort) options.sort = sort;
    return pagefind.search(text || null, options).then(function (found) {
      if (run !== generation || !found) return;
      current = found.results;
      shown = 0;
      list.textContent = "";
      status.textContent = current.length === 1 ? "1 paper" : current.length + " papers";
      return showMore(run);
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
  form.addEventListener("change", schedule);
  more.addEventListener("click", function () { showMore(generation); });

  fillForm();
  status.textContent = "Loading the search index…";
  import(root.getAttribute("data-bundle") + "pagefind.js")
    .then(function (module) {
      pagefind = module;
      return pagefind.options({ baseUrl: root.getAttribute("data-base-url") });
    })
    .then(function () { return pagefind.filters(); })
    .then(function (all) {
      fillFilters(all);
      fillForm();
      if (query.value || document.activeElement === document.body) query.focus();
      return search();
    })
    .catch(function () {
      status.textContent = "The search index could not be loaded. Browse the archive or tags instead.";
    });
})();
