// Quayside dashboard: progressive enhancement only. Every page works
// without this script except the live log view. Text from apps is always
// set with textContent, never parsed as HTML.
(function () {
  "use strict";

  // Confirmations: a form with data-confirm asks in a dialog first; without
  // this script the server answers such a form with a confirmation page.
  function setupConfirm() {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") return;
    var text = document.getElementById("confirm-text");
    var ok = document.getElementById("confirm-ok");
    var pending = null;
    document.addEventListener("submit", function (ev) {
      var form = ev.target;
      if (!form.hasAttribute("data-confirm") || form.dataset.confirmed === "1") return;
      ev.preventDefault();
      pending = form;
      text.textContent = form.getAttribute("data-confirm");
      ok.textContent = form.getAttribute("data-confirm-button") || "Confirm";
      dialog.showModal();
    }, true);
    dialog.addEventListener("close", function () {
      var form = pending;
      pending = null;
      if (!form || dialog.returnValue !== "ok") return;
      var input = document.createElement("input");
      input.type = "hidden"; input.name = "confirm"; input.value = "yes";
      form.appendChild(input);
      form.dataset.confirmed = "1";
      busy(form);
      form.submit();
    });
  }

  // busy marks a form as working while a long change (a deploy) runs.
  function busy(form) {
    var label = form.getAttribute("data-busy");
    form.setAttribute("aria-busy", "true");
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
      if (label) b.textContent = label;
      b.disabled = true;
    });
  }

  function setupBusy() {
    document.addEventListener("submit", function (ev) {
      var form = ev.target;
      if (ev.defaultPrevented || !form.hasAttribute("data-busy")) return;
      setTimeout(function () { busy(form); }, 0);
    });
  }

  var maxLines = 2000;

  // LogView follows an app's log over the API's WebSocket.
  function LogView(root) {
    this.root = root;
    this.list = root.querySelector("ol");
    this.box = root.querySelector(".log");
    this.status = root.querySelector("[data-log-status]");
    this.app = root.getAttribute("data-app");
    this.process = root.getAttribute("data-process") || "";
    this.release = parseInt(root.getAttribute("data-release") || "0", 10);
    this.n = root.getAttribute("data-n") || "200";
    this.search = "";
    this.paused = false;
    this.held = [];
    this.retry = 1000;
    this.ws = null;
  }

  LogView.prototype.url = function () {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    var q = "?n=" + encodeURIComponent(this.n);
    if (this.process) q += "&process=" + encodeURIComponent(this.process);
    return proto + location.host + "/api/v1/apps/" + encodeURIComponent(this.app) + "/logs/ws" + q;
  };

  LogView.prototype.say = function (msg) {
    if (this.status) this.status.textContent = msg;
  };

  LogView.prototype.connect = function () {
    var self = this;
    if (self.ws) { self.ws.onclose = null; self.ws.close(); }
    self.say("Connecting…");
    var ws = new WebSocket(self.url());
    var fresh = true;
    self.ws = ws;
    ws.onopen = function () { self.retry = 1000; self.say(self.paused ? "Paused" : "Live"); };
    ws.onmessage = function (msg) {
      if (fresh) { self.list.textContent = ""; self.held = []; fresh = false; }
      var ev;
      try { ev = JSON.parse(msg.data); } catch (e) { return; }
      if (ev.type === "line" && ev.line) {
        if (ev.missed) self.add(self.gap(ev.missed));
        if (self.release && ev.line.release && ev.line.release !== self.release) return;
        self.add(self.line(ev.line));
      } else if (ev.type === "missed") {
        self.add(self.gap(ev.missed));
      }
    };
    ws.onclose = function () {
      if (self.ws !== ws) return;
      self.say("Disconnected: reconnecting in " + Math.round(self.retry / 1000) + "s");
      setTimeout(function () { if (self.ws === ws) self.connect(); }, self.retry);
      self.retry = Math.min(self.retry * 2, 30000);
    };
  };

  // plain drops what the server's CleanText keeps but a page has no use
  // for: plain colour sequences, and any control character left.
  function plain(s) {
    return String(s || "").replace(/\x1b\[[0-9;]*m/g, "").replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/g, "\ufffd");
  }

  LogView.prototype.line = function (l) {
    var li = document.createElement("li");
    var t = document.createElement("span");
    t.className = "t";
    t.textContent = (l.time || "").replace("T", " ").replace(/\.\d+/, "").replace("Z", "") + " ";
    var p = document.createElement("span");
    p.className = "p";
    p.textContent = plain(l.process) + (l.replica ? "." + l.replica : "") + " ";
    var x = document.createElement("span");
    x.className = l.stream === "stderr" ? "e" : (l.stream === "platform" ? "pl" : "x");
    x.textContent = plain(l.text);
    li.appendChild(t); li.appendChild(p); li.appendChild(x);
    li.dataset.text = (l.process + " " + l.text).toLowerCase();
    return li;
  };

  LogView.prototype.gap = function (n) {
    var li = document.createElement("li");
    li.className = "gap";
    li.textContent = "… " + n + " lines skipped: the view fell behind";
    li.dataset.text = "";
    return li;
  };

  LogView.prototype.add = function (li) {
    if (this.paused) {
      this.held.push(li);
      if (this.held.length > maxLines) this.held.shift();
      this.say("Paused: " + this.held.length + " new lines held");
      return;
    }
    this.show(li);
  };

  LogView.prototype.show = function (li) {
    if (this.search && (li.dataset.text || "").indexOf(this.search) < 0) li.hidden = true;
    this.list.appendChild(li);
    while (this.list.children.length > maxLines) this.list.removeChild(this.list.firstChild);
    var follow = this.root.querySelector("[data-log-follow]");
    if (!follow || follow.checked) this.box.scrollTop = this.box.scrollHeight;
  };

  LogView.prototype.setPaused = function (paused, button) {
    this.paused = paused;
    button.setAttribute("aria-pressed", paused ? "true" : "false");
    button.textContent = paused ? "Resume" : "Pause";
    if (!paused) {
      var held = this.held;
      this.held = [];
      for (var i = 0; i < held.length; i++) this.show(held[i]);
      this.say("Live");
    } else {
      this.say("Paused");
    }
  };

  LogView.prototype.filter = function (q) {
    this.search = q.toLowerCase();
    var items = this.list.children, shown = 0;
    for (var i = 0; i < items.length; i++) {
      var hit = !this.search || (items[i].dataset.text || "").indexOf(this.search) >= 0;
      items[i].hidden = !hit;
      if (hit) shown++;
    }
    var count = this.root.querySelector("[data-log-count]");
    if (count) count.textContent = this.search ? shown + " of " + items.length + " lines match" : "";
  };

  function setupLogs() {
    document.querySelectorAll("[data-log-view]").forEach(function (root) {
      var view = new LogView(root);
      var form = root.querySelector("form[data-log-controls]");
      var live = root.querySelector("[data-log-live]");
      if (live) live.hidden = false;
      var pause = root.querySelector("[data-log-pause]");
      if (pause) pause.addEventListener("click", function () { view.setPaused(!view.paused, pause); });
      if (form) {
        var proc = form.querySelector("[name=process]");
        var search = form.querySelector("[name=q]");
        var count = form.querySelector("[name=n]");
        form.addEventListener("submit", function (ev) {
          ev.preventDefault();
          view.process = proc ? proc.value : "";
          if (count && count.value) view.n = count.value;
          view.connect();
        });
        if (proc) proc.addEventListener("change", function () { view.process = proc.value; view.connect(); });
        if (search) {
          search.addEventListener("input", function () { view.filter(search.value); });
          view.search = search.value.toLowerCase();
        }
      }
      if (view.box) view.box.scrollTop = view.box.scrollHeight;
      view.connect();
    });
  }

  function start() {
    setupConfirm();
    setupBusy();
    setupLogs();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
