// Quayside dashboard actions: progressive enhancement only. Every action
// works without this script; it adds copy buttons to secrets and push
// commands, and "/" to jump to the search box.
(function () {
  "use strict";

  // copyText puts text on the clipboard, with the older API as a fallback
  // where the Clipboard API is missing (plain http on another host).
  function copyText(text, done) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
      return;
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "act-offscreen";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    done(ok);
  }

  // addCopyButtons puts a Copy button after each secret and push command.
  function addCopyButtons() {
    document.querySelectorAll(".secret code, .act-copyable").forEach(function (el) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary act-copy";
      button.textContent = "Copy";
      var status = document.createElement("span");
      status.className = "act-copy-status";
      status.setAttribute("role", "status");
      button.addEventListener("click", function () {
        copyText(el.textContent, function (ok) {
          status.textContent = ok ? "Copied." : "Select the text and copy it.";
        });
      });
      el.insertAdjacentElement("afterend", button);
      button.insertAdjacentElement("afterend", status);
    });
  }

  // setupSearchKey focuses the search box on "/" outside text fields.
  function setupSearchKey() {
    var box = document.getElementById("act-q");
    if (!box) return;
    document.addEventListener("keydown", function (ev) {
      var t = ev.target;
      var typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (ev.key !== "/" || typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      ev.preventDefault();
      box.focus();
    });
  }

  function start() {
    addCopyButtons();
    setupSearchKey();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
