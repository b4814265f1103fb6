/* Search the book, offline and from file://.

   The index (search/index.js) is a script made at build time, loaded when the reader first goes
   to the search box; the sections' text (search/text-P-N.js) is loaded the same way for the
   results shown. Text is cut into terms exactly as builder/targets/site/search.py cuts it:
   keep the two in step.

   Keys: "/" goes to the box; the arrows move through the results; Enter opens one; Escape
   clears the box. */
(function () {
  "use strict";
  var SHOWN = 10; // results listed at once
  var CJK = "\u3005-\u3007\u3040-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
  var TOKEN = new RegExp("([" + CJK + "]+)|([0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+)", "g");

  function normalise(text) {
    return text.normalize("NFKC").toLowerCase();
  }

  function stem(word) { // Harman's S-stemmer, as in search.py
    if (word.length <= 3 || word.charAt(word.length - 1) !== "s") { return word; }
    if (/ies$/.test(word) && !/[ea]ies$/.test(word)) { return word.slice(0, -3) + "y"; }
    if (/es$/.test(word) && !/[aeo]es$/.test(word)) { return word.slice(0, -1); }
    if (/(us|ss)$/.test(word)) { return word; }
    return word.slice(0, -1);
  }

  /* The query's pieces: {cjk: run} or {word, stem, prefix}; the last word is matched as a prefix
     while the reader may still be typing it. */
  function pieces(query) {
    var found = [], match;
    var text = normalise(query);
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(text)) !== null) {
      if (match[1]) {
        found.push({ cjk: match[1], end: TOKEN.lastIndex });
      } else if (match[2].length > 1 || /^[0-9]$/.test(match[2])) {
        found.push({ word: match[2], stem: stem(match[2]), end: TOKEN.lastIndex });
      }
    }
    if (found.length && found[found.length - 1].word && found[found.length - 1].end === text.length) {
      found[found.length - 1].prefix = true;
    }
    return found;
  }

  // --- the index ------------------------------------------------------------------------------

  /* The index, from its parts: pages and sections numbered across all parts; each part keeps its
     own sorted terms, whose postings number the sections from the part's first. */
  function Index(parts) {
    var pages = this.pages = [], sections = this.sections = [];
    this.parts = parts.map(function (part) {
      var firstPage = pages.length, first = sections.length;
      part.pages.forEach(function (page) { pages.push(page); });
      part.sections.forEach(function (s) { sections.push([s[0] + firstPage, s[1], s[2], part.part + "-" + s[3]]); });
      return { terms: part.terms, postings: part.postings, first: first, decoded: {} };
    });
    this.shardStart = {}; // the first section of each text file
    for (var n = sections.length - 1; n >= 0; n--) { this.shardStart[sections[n][3]] = n; }
    this.titles = sections.map(function (s) { // for ranking: the page's title and the section's
      return normalise(pages[s[0]][1] + " \u0000 " + s[2]);
    });
    this.heads = sections.map(function (s) { return normalise(s[2]); }); // part of the section's text
  }

  Index.prototype.order = function (a, b) { // by page path, then in the page's order
    var pageA = this.pages[this.sections[a][0]][0], pageB = this.pages[this.sections[b][0]][0];
    return pageA < pageB ? -1 : pageA > pageB ? 1 : a - b;
  };

  function find(terms, term) { // position of the first term >= term
    var low = 0, high = terms.length;
    while (low < high) {
      var mid = (low + high) >> 1;
      if (terms[mid] < term) { low = mid + 1; } else { high = mid; }
    }
    return low;
  }

  /* The sections holding a part's term at a position, with how often: [section, count, …]
     (decoded once from '3,13.2,14': the part's sections 3, 13 (twice) and 14). */
  function posting(part, position) {
    var kept = part.decoded[position];
    if (kept) { return kept; }
    var text = part.postings[position], values = [], number = 0, section = 0, counting = false;
    for (var i = 0; i <= text.length; i++) {
      var code = i < text.length ? text.charCodeAt(i) : 44;
      if (code === 44) { // ","
        if (counting) { values.push(part.first + section, number); } else { values.push(part.first + number, 1); }
        number = 0;
        counting = false;
      } else if (code === 46) { // "."
        section = number;
        number = 0;
        counting = true;
      } else {
        number = number * 10 + code - 48;
      }
    }
    kept = part.decoded[position] = Int32Array.from(values);
    return kept;
  }

  Index.prototype.addTerm = function (into, term) {
    this.parts.forEach(function (part) {
      var at = find(part.terms, term);
      if (at < part.terms.length && part.terms[at] === term) { addPosting(into, posting(part, at)); }
    });
  };

  Index.prototype.addStarting = function (into, prefix) {
    this.parts.forEach(function (part) {
      for (var at = find(part.terms, prefix); at < part.terms.length && part.terms[at].lastIndexOf(prefix, 0) === 0; at++) {
        addPosting(into, posting(part, at));
      }
    });
  };

  function addPosting(into, found) {
    for (var i = 0; i < found.length; i += 2) { into[found[i]] += found[i + 1]; }
  }

  /* How often each section holds a piece of the query (0: it does not, or the index says it cannot). */
  Index.prototype.piece = function (piece) {
    var found = new Int32Array(this.sections.length);
    if (piece.word) {
      if (piece.prefix) {
        this.addStarting(found, piece.word);
      } else {
        this.addTerm(found, piece.word);
        if (piece.stem !== piece.word) { this.addTerm(found, piece.stem); }
      }
      return found;
    }
    var run = piece.cjk;
    if (run.length === 1) {
      this.addStarting(found, run);
      return found;
    }
    for (var i = 0; i + 1 < run.length; i++) { // every pair of the run, in the same section
      var pair = new Int32Array(this.sections.length);
      this.addTerm(pair, run.slice(i, i + 2));
      for (var s = 0; s < found.length; s++) { found[s] = (i === 0 || found[s]) && pair[s] ? found[s] + pair[s] : 0; }
    }
    return found;
  };

  /* Sections that may match, best first: holding every piece, ranked by how often, with a
     bonus when the page's or the section's title holds the query. */
  Index.prototype.candidates = function (query, parts) {
    var total = new Int32Array(this.sections.length), present = new Int32Array(this.sections.length);
    for (var p = 0; p < parts.length; p++) {
      var found = this.piece(parts[p]);
      for (var s = 0; s < found.length; s++) {
        if (found[s]) { total[s] += found[s]; present[s] += 1; }
      }
    }
    var wanted = normalise(query).trim(), result = [];
    for (var section = 0; section < total.length; section++) {
      if (present[section] !== parts.length) { continue; }
      var score = total[section], title = this.titles[section];
      if (title.indexOf(wanted) >= 0) { score += 1000; }
      for (var q = 0; q < parts.length; q++) {
        if (title.indexOf(parts[q].word || parts[q].cjk) >= 0) { score += 100; }
      }
      result.push({ section: section, score: score });
    }
    var self = this;
    return result.sort(function (a, b) { return b.score - a.score || self.order(a.section, b.section); });
  };

  /* The index and the texts are JSON, gzipped, in base64: unpacked by the browser itself. */
  function unpack(packed) {
    if (typeof DecompressionStream !== "function") {
      return Promise.reject(new Error("this browser is too old to read the search index"));
    }
    var bytes = Uint8Array.from(atob(packed), function (c) { return c.charCodeAt(0); });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }

  // --- the text, loaded as results need it ------------------------------------------------------

  var root = "";
  var loading = {};

  function load(path, ready) {
    var script = document.createElement("script");
    script.src = root + path;
    script.onload = function () { ready(true); };
    script.onerror = function () { ready(false); };
    document.head.appendChild(script);
  }

  function shard(number) {
    if (!loading[number]) {
      loading[number] = new Promise(function (resolve) {
        load("search/text-" + number + ".js", function () {
          var packed = (window.briefingSearchText || {})[number];
          (packed ? unpack(packed) : Promise.resolve([])).then(resolve, function () { resolve([]); });
        });
      });
    }
    return loading[number];
  }

  /* The blocks of a section ([[mark, text, normalised text], …]), once its file is loaded. */
  function sectionText(index, section) {
    var row = index.sections[section];
    return shard(row[3]).then(function (texts) {
      return (texts[section - index.shardStart[row[3]]] || []).map(function (block) {
        return [block[0], block[1], normalise(block[1])];
      });
    });
  }

  /* The block of a section to quote for a query: the first holding it as typed, else the first
     holding a piece of it. Null when the text does not hold a quoted phrase or a Japanese run
     (the index cannot be sure of those). */
  function pick(blocks, heading, query, parts) {
    var phrase = normalise(query).trim().replace(/^"|"$/g, "");
    var whole = heading + "\n" + blocks.map(function (b) { return b[2]; }).join("\n");
    if (/^\s*".+"\s*$/.test(query) && whole.indexOf(phrase) < 0) { return null; }
    for (var p = 0; p < parts.length; p++) {
      if (parts[p].cjk && whole.indexOf(parts[p].cjk) < 0) { return null; }
    }
    var holding = function (needle) {
      return blocks.filter(function (block) { return block[2].indexOf(needle) >= 0; })[0];
    };
    var found = holding(phrase);
    for (var n = 0; !found && n < parts.length; n++) { found = holding(parts[n].word || parts[n].cjk); }
    return found || blocks[0] || ["", "", ""];
  }

  /* Whether the index alone cannot tell if a section holds the query: a quoted phrase, or a
     Japanese run of three characters or more (its pairs may sit in different places). */
  function needsText(query, parts) {
    return /"/.test(query) || parts.some(function (piece) { return piece.cjk && piece.cjk.length > 2; });
  }

  /* Results grouped by page, in the order of each page's best section. */
  function byPage(index, results) {
    var groups = [], at = {};
    results.forEach(function (result) {
      var page = index.sections[result.section][0];
      if (!(page in at)) { at[page] = groups.length; groups.push([]); }
      groups[at[page]].push(result);
    });
    return groups;
  }

  /* Search: resolve to {pages: [[result, …], …], more, total}, each result {section, block?}
     (block: the block to quote, when the text was read), grouped by page, best first; up to
     `limit` pages, or all of them when limit is 0. Sections the index finds are results at once;
     those it cannot be sure of are read first, and kept only if their text holds the query. */
  function search(index, query, limit) {
    var parts = pieces(query);
    if (!parts.length) { return Promise.resolve({ pages: [], more: false, empty: true }); }
    var candidates = index.candidates(query, parts);
    if (!needsText(query, parts)) {
      var groups = byPage(index, candidates);
      return Promise.resolve({ pages: limit ? groups.slice(0, limit) : groups, total: groups.length });
    }
    var results = [], pages = {}, at = 0;
    function next() {
      if (at >= candidates.length || (limit && Object.keys(pages).length >= limit)) {
        results.sort(function (a, b) { return (b.score - a.score) || index.order(a.section, b.section); });
        var found = byPage(index, results);
        return { pages: limit ? found.slice(0, limit) : found,
                 more: at < candidates.length || (limit > 0 && found.length > limit) };
      }
      var batch = candidates.slice(at, at + Math.max(limit, 10) * 2);
      at += batch.length;
      return Promise.all(batch.map(function (c) { return sectionText(index, c.section); })).then(function (texts) {
        texts.forEach(function (blocks, i) {
          var block = pick(blocks, index.heads[batch[i].section], query, parts);
          if (block) {
            results.push({ section: batch[i].section, score: batch[i].score, block: block });
            pages[index.sections[batch[i].section][0]] = true;
          }
        });
        return next();
      });
    }
    return Promise.resolve(next());
  }

  // --- the box --------------------------------------------------------------------------------

  var index = null;
  var indexLoading = null;

  function getIndex() {
    if (!indexLoading) {
      indexLoading = new Promise(function (resolve, reject) {
        load("search/index.js", function (ok) {
          if (!ok || !window.briefingSearchIndex) {
            reject(new Error("the search index could not be loaded"));
            return;
          }
          Promise.all(window.briefingSearchIndex.parts.map(unpack)).then(function (parts) {
            index = new Index(parts);
            resolve(index);
          }, reject);
        });
      });
    }
    return indexLoading;
  }

  /* The block's text with each piece of the query marked, cut to about 200 characters around the first. */
  function snippet(block, parts, into) {
    var text = block[1], lower = text.toLowerCase();
    var hits = [];
    parts.forEach(function (piece) {
      var needle = piece.word || piece.cjk, from = 0, at;
      while (needle && (at = lower.indexOf(needle, from)) >= 0) {
        hits.push([at, at + needle.length]);
        from = at + needle.length;
      }
    });
    hits.sort(function (a, b) { return a[0] - b[0]; });
    var start = hits.length ? Math.max(0, hits[0][0] - 80) : 0;
    var end = Math.min(text.length, start + 220);
    if (start > 0) { into.appendChild(document.createTextNode("… ")); }
    var at = start;
    hits.forEach(function (hit) {
      if (hit[0] < at || hit[1] > end) { return; }
      into.appendChild(document.createTextNode(text.slice(at, hit[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(hit[0], hit[1]);
      into.appendChild(mark);
      at = hit[1];
    });
    into.appendChild(document.createTextNode(text.slice(at, end) + (end < text.length ? " …" : "")));
  }

  function link(result) {
    var row = index.sections[result.section];
    var anchor = document.createElement("a");
    anchor.href = root + index.pages[row[0]][0] + (row[1] ? "#" + row[1] : "");
    return anchor;
  }

  /* One page's results: its best section with a quote, then links to its other sections. */
  // What the search box says, in the page's language: the form carries each message (data-say-*),
  // with {q}, {n}, {total} and {error} where the words go.
  var SAID = {none: "No matches for \u201c{q}\u201d.", some: "{n} of {total} pages for \u201c{q}\u201d.",
              first: "The first {n} pages for \u201c{q}\u201d; there are more.", one: "1 page for \u201c{q}\u201d.",
              many: "{n} pages for \u201c{q}\u201d.", also: "Also in: ", unavailable: "Search is not available: {error}."};

  function say(name, words) {
    var form = document.querySelector("form.site-search");
    var message = (form && form.getAttribute("data-say-" + name)) || SAID[name];
    return message.replace(/\{(\w+)\}/g, function (all, key) { return key in words ? String(words[key]) : all; });
  }

  function pageItem(group, query, parts, quoted) {
    var best = group[0], row = index.sections[best.section], page = index.pages[row[0]];
    var item = document.createElement("li");
    var main = link(best);
    var where = document.createElement("span");
    where.className = "search-where";
    where.textContent = page[1] + (row[2] && row[2] !== page[1] ? " \u203a " + row[2] : "");
    main.appendChild(where);
    var quote = document.createElement("span");
    quote.className = "search-snippet";
    if (best.block) {
      fill(quote, best.block, parts);
    } else { // quoted as soon as the section's text is loaded
      quoted.push(sectionText(index, best.section).then(function (blocks) {
        fill(quote, pick(blocks, index.heads[best.section], query, parts) || blocks[0] || ["", ""], parts);
      }));
    }
    main.appendChild(quote);
    item.appendChild(main);
    if (group.length > 1) {
      var also = document.createElement("p");
      also.className = "search-also";
      also.appendChild(document.createTextNode(say("also", {})));
      group.slice(1, 6).forEach(function (result, n) {
        if (n) { also.appendChild(document.createTextNode(" \u00b7 ")); }
        var other = link(result);
        other.textContent = index.sections[result.section][2] || page[1];
        also.appendChild(other);
      });
      if (group.length > 6) { also.appendChild(document.createTextNode(" \u00b7 " + (group.length - 6) + " more")); }
      item.appendChild(also);
    }
    return item;
  }

  function fill(into, block, parts) {
    if (block[0]) {
      var portion = document.createElement("span");
      portion.className = "portion";
      portion.textContent = block[0];
      into.appendChild(portion);
      into.appendChild(document.createTextNode(" "));
    }
    snippet(block, parts, into);
  }

  /* Show the results: at once, from the index, each quote as soon as its text is loaded.
     The form notes how long each took (data-search-ms, data-quoted-ms). */
  function show(form, query, found, started) {
    var list = form.querySelector(".search-results");
    var status = form.querySelector(".search-status");
    var parts = pieces(query);
    var quoted = [];
    list.textContent = "";
    found.pages.forEach(function (group) { list.appendChild(pageItem(group, query, parts, quoted)); });
    var shown = found.pages.length, words = {q: query.trim(), n: shown, total: found.total};
    if (found.empty) {
      status.textContent = "";
    } else if (!shown) {
      status.textContent = say("none", words);
    } else {
      status.textContent = say(found.total > shown ? "some" : found.more ? "first" : shown === 1 ? "one" : "many", words);
    }
    list.hidden = !shown;
    form.setAttribute("data-search-ms", String(Math.round(performance.now() - started)));
    form.removeAttribute("data-quoted-ms");
    var shownAs = list.shownAs = (list.shownAs || 0) + 1;
    return Promise.all(quoted).then(function () {
      if (list.shownAs === shownAs) { form.setAttribute("data-quoted-ms", String(Math.round(performance.now() - started))); }
    });
  }

  function results(form) {
    return Array.prototype.slice.call(form.querySelectorAll(".search-results a"));
  }

  function setUp(form) {
    var box = form.querySelector("input[type=search]");
    var asked = 0;
    var script = form.getAttribute("data-index") || "search/index.js";
    root = script.slice(0, script.length - "search/index.js".length);
    form.hidden = false;
    box.addEventListener("focus", function () { getIndex().catch(function () {}); });
    box.addEventListener("input", function () {
      var started = performance.now(), query = box.value, ticket = ++asked;
      getIndex().then(function (loaded) {
        return search(loaded, query, SHOWN);
      }).then(function (found) {
        if (ticket === asked) { return show(form, query, found, started); }
      }).catch(function (error) {
        form.querySelector(".search-status").textContent = say("unavailable", {error: error.message});
      });
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("keydown", function (event) {
      var links = results(form), at = links.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && links.length) {
        links[Math.min(at + 1, links.length - 1)].focus();
      } else if (event.key === "ArrowUp" && at >= 0) {
        (at === 0 ? box : links[at - 1]).focus();
      } else if (event.key === "Enter" && document.activeElement === box && links.length) {
        links[0].click();
      } else if (event.key === "Escape") {
        box.value = "";
        box.dispatchEvent(new Event("input"));
        box.focus();
      } else {
        return;
      }
      event.preventDefault();
    });
    document.addEventListener("keydown", function (event) {
      var target = event.target, tag = target && target.tagName;
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey ||
          tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) {
        return;
      }
      event.preventDefault();
      box.focus();
    });
  }

  /* For tests and benchmarks: every section a query finds, and every section's titles and text
     (normalised) to check them against. */
  window.briefingSearch = {
    ready: function () { return getIndex().then(function () { return true; }); },
    all: function (query) {
      return getIndex().then(function (loaded) { return search(loaded, query, 0); }).then(function (found) {
        var all = [];
        found.pages.forEach(function (group) {
          group.forEach(function (r) {
            var row = index.sections[r.section];
            all.push(index.pages[row[0]][0] + "#" + row[1]);
          });
        });
        return all;
      });
    },
    sections: function () {
      return getIndex().then(function (loaded) {
        return Promise.all(loaded.sections.map(function (row, n) {
          return sectionText(loaded, n).then(function (blocks) {
            var text = [loaded.heads[n]].concat(blocks.map(function (b) { return b[2]; })).join("\n");
            return { at: loaded.pages[row[0]][0] + "#" + row[1], text: text };
          });
        }));
      });
    }
  };

  var form = document.querySelector("form.site-search");
  if (form) { setUp(form); }
})();
