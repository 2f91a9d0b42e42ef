// What htmx leaves to the page: busy state, focus after a swap, announcements, copying.
// No inline script anywhere (the Content-Security-Policy forbids it); this file and htmx
// are all the script the pages run.
(function () {
  "use strict";
  var announcer = function () { return document.getElementById("announcer"); };

  function announce(text) {
    var region = announcer();
    if (!region || !text) { return; }
    region.textContent = "";
    // A fresh text node after a tick, so screen readers read a repeated message again.
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  var focusedId = null;
  var polling = false;

  function isPolling(element) {
    return Boolean(element && element.getAttribute && /every /.test(element.getAttribute("hx-trigger") || ""));
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target) { target.setAttribute("aria-busy", "true"); }
    var source = event.detail.elt;
    if (source && source.tagName === "FORM") { source.setAttribute("aria-busy", "true"); }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    if (target && target.isConnected && !target.hasAttribute("hx-trigger")) { target.removeAttribute("aria-busy"); }
    var source = event.detail.elt;
    if (source && source.tagName === "FORM") { source.removeAttribute("aria-busy"); }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    focusedId = active && active.id ? active.id : null;
    polling = isPolling(event.detail.target);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.elt;
    if (target && !target.isConnected && target.id) { target = document.getElementById(target.id) || target; }
    var scope = target && target.isConnected ? target : document;
    var wanted = scope.querySelector && !polling ? scope.querySelector("[data-focus]") : null;
    if (wanted) {
      wanted.focus();
    } else if (focusedId && document.getElementById(focusedId)) {
      document.getElementById(focusedId).focus();
    } else if (!polling && document.activeElement === document.body && target && target.isConnected) {
      if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
      target.focus();
    }
    var said = scope.querySelector ? scope.querySelector("[data-announce]") : null;
    if (!said && target && target.hasAttribute && target.hasAttribute("data-announce")) { said = target; }
    if (said) { announce(said.getAttribute("data-announce")); }
    focusedId = null;
  });

  document.addEventListener("htmx:responseError", function () {
    announce(document.documentElement.getAttribute("data-request-failed") || "");
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) { return; }
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) { return; }
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      announce(button.getAttribute("data-copied"));
    });
  });

  // The reconciliation review queue: while a pair (or one of its buttons) has the focus,
  // C confirms, R rejects, U takes the decision back (each presses that pair's button, so
  // the form does what a click does), N and P move to the next and previous pair. Only
  // plain keys, never while typing, and only inside a pair (WCAG 2.1.4).
  var PAIR_KEYS = { c: "confirmed", r: "rejected", u: "pending" };
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
    var target = event.target;
    if (!target || !target.closest || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) { return; }
    var pair = target.closest("[data-pair]");
    if (!pair) { return; }
    var key = (event.key || "").toLowerCase();
    if (PAIR_KEYS[key]) {
      var button = pair.querySelector('button[name="decision"][value="' + PAIR_KEYS[key] + '"]');
      if (button) { event.preventDefault(); button.click(); }
      return;
    }
    if (key === "n" || key === "p") {
      var pairs = Array.prototype.slice.call(document.querySelectorAll("[data-pair]"));
      var next = pairs[pairs.indexOf(pair) + (key === "n" ? 1 : -1)];
      if (next) { event.preventDefault(); next.focus(); }
    }
  });
})();
