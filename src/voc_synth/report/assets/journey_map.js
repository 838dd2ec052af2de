/* voc_synth journey map: theme quotes panel and source-type filter.
 * Customer text is only ever put into the page with textContent, never parsed as HTML. */
(function () {
  "use strict";
  var dataElement = document.getElementById("voc-data");
  var data = JSON.parse(dataElement.textContent);
  var themes = data.themes || {};
  var panel = document.getElementById("voc-panel");
  var panelTitle = document.getElementById("panel-title");
  var panelEyebrow = document.getElementById("panel-eyebrow");
  var panelBody = document.getElementById("panel-body");
  var closeButton = document.getElementById("panel-close");
  var lastTrigger = null;

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined && content !== null && content !== "") { node.textContent = String(content); }
    return node;
  }

  function fact(list, term, value) {
    if (value === undefined || value === null || value === "") { return; }
    list.appendChild(el("dt", null, term));
    list.appendChild(el("dd", null, value));
  }

  function toneOf(sentiment) {
    if (sentiment === null || sentiment === undefined) { return "tone-none"; }
    if (sentiment <= -0.2) { return "tone-neg2"; }
    if (sentiment <= -0.05) { return "tone-neg1"; }
    if (sentiment < 0.05) { return "tone-neu"; }
    return sentiment < 0.2 ? "tone-pos1" : "tone-pos2";
  }

  function renderQuote(quote, labelSide) {
    var item = el("li", "panel-quote " + toneOf(quote.sentiment));
    item.setAttribute("data-source", quote.source_type || "");
    if (labelSide && quote.side_text) {
      item.appendChild(el("p", "side side-" + quote.side, quote.side_text));
    }
    if (quote.question) {
      item.appendChild(el("p", "question", "Answering: " + quote.question));
    }
    item.appendChild(el("blockquote", null, quote.text));
    var attribution = el("p", "attribution");
    var parts = [
      quote.source_label,
      quote.participant,
      [quote.source_file, quote.locator].filter(Boolean).join(", "),
      quote.date,
      quote.rating ? "rating " + quote.rating : "",
      quote.sentiment === null || quote.sentiment === undefined ? "" : "sentiment " + quote.sentiment.toFixed(2).replace("-", "\u2212")
    ];
    parts.forEach(function (part) {
      if (part) { attribution.appendChild(el("span", null, part)); }
    });
    item.appendChild(attribution);
    return item;
  }

  function openTheme(themeId, trigger) {
    var theme = themes[String(themeId)];
    if (!theme) { return; }
    lastTrigger = trigger || null;
    panelEyebrow.textContent = theme.polarity_text + " · " + theme.stage_name;
    panelTitle.textContent = theme.label;
    panelBody.replaceChildren();

    var facts = el("dl", "panel-facts");
    fact(facts, "Prevalence", theme.prevalence_text);
    fact(facts, "Evidence", theme.evidence_strength + (theme.evidence_reason ? " — " + theme.evidence_reason : ""));
    fact(facts, "Sentiment", theme.sentiment_text + " · votes " + theme.votes_text);
    fact(facts, "Size", theme.n_documents + " records · " + theme.n_participants + " people · " + theme.n_segments + " segments");
    fact(facts, "Keywords", (theme.keywords || []).join(", "));
    fact(facts, "Touchpoints", (theme.touchpoints || []).join(", "));
    fact(facts, "Status", theme.status);
    fact(facts, "Severity", theme.severity);
    fact(facts, "Owner", theme.owner);
    fact(facts, "Notes", theme.notes);
    panelBody.appendChild(facts);
    if (theme.insight) {
      var insight = el("p", "panel-insight");
      insight.appendChild(el("strong", null, "Draft insight: "));
      insight.appendChild(document.createTextNode(theme.insight));
      panelBody.appendChild(insight);
    }
    var quotes = theme.quotes || [];
    panelBody.appendChild(el("h3", "panel-quotes-title", quotes.length + (quotes.length === 1 ? " quote" : " quotes") + " (all sources)"));
    var list = el("ol", "panel-quotes");
    // A mixed theme shows both sides; each quote says which it stands for.
    quotes.forEach(function (quote) { list.appendChild(renderQuote(quote, theme.polarity === "mixed")); });
    if (!quotes.length) { list.appendChild(el("li", "empty", "No quote was selected for this theme.")); }
    panelBody.appendChild(list);

    panel.hidden = false;
    panel.setAttribute("data-theme-id", String(themeId));
    panel.scrollTop = 0;
    closeButton.focus();
  }

  function closePanel() {
    if (panel.hidden) { return; }
    panel.hidden = true;
    panel.removeAttribute("data-theme-id");
    if (lastTrigger && document.body.contains(lastTrigger)) { lastTrigger.focus(); }
  }

  Array.prototype.forEach.call(document.querySelectorAll(".card[data-theme-id]"), function (card) {
    card.addEventListener("click", function () { openTheme(card.getAttribute("data-theme-id"), card); });
  });
  closeButton.addEventListener("click", closePanel);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") { closePanel(); }
  });

  // Source-type filter: an element stays visible when any of its source types is checked.
  var boxes = Array.prototype.slice.call(document.querySelectorAll('.filters input[name="source"]'));
  var status = document.getElementById("filter-status");
  function applyFilter() {
    var active = {};
    boxes.forEach(function (box) { if (box.checked) { active[box.value] = true; } });
    var shownThemes = {};
    var allThemes = {};
    Array.prototype.forEach.call(document.querySelectorAll("[data-sources]"), function (node) {
      var sources = (node.getAttribute("data-sources") || "").split(" ").filter(Boolean);
      var visible = sources.some(function (s) { return active[s]; });
      node.classList.toggle("is-filtered", !visible);
      var id = node.getAttribute("data-theme-id");
      if (id !== null) {
        allThemes[id] = true;
        if (visible) { shownThemes[id] = true; }
      }
    });
    var total = Object.keys(allThemes).length;
    var shown = Object.keys(shownThemes).length;
    status.textContent = shown === total ? "Showing all " + total + " themes" : "Showing " + shown + " of " + total + " themes";
  }
  boxes.forEach(function (box) { box.addEventListener("change", applyFilter); });

  var printButton = document.getElementById("print-button");
  if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }
})();
