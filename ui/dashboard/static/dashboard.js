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
    this.releaseLive = root.hasAttribute("data-release-live");
    // since drops the lines of earlier deploys (build lines carry no
    // release number): those from before the release began, less a second
    // as its time is whole seconds.
    this.since = (Date.parse(root.getAttribute("data-since") || "") || 0) - 1000;
    this.done = false;
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
        if (self.releaseLive && (!deployProcesses[ev.line.process] || Date.parse(ev.line.time) < self.since)) return;
        self.add(self.line(ev.line));
        if (self.releaseLive && endsRelease(ev.line)) self.checkRelease();
      } else if (ev.type === "missed") {
        self.add(self.gap(ev.missed));
      }
    };
    ws.onclose = function () {
      if (self.ws !== ws || self.done) return;
      self.say("Disconnected: reconnecting in " + Math.round(self.retry / 1000) + "s");
      setTimeout(function () { if (self.ws === ws) self.connect(); }, self.retry);
      self.retry = Math.min(self.retry * 2, 30000);
    };
  };

  // deployProcesses write a release's output: its build, the platform's
  // steps (start, health check, release) and its release command.
  var deployProcesses = { build: true, platform: true, release: true };

  // endsRelease reports whether a line is the event that ends a deploy.
  function endsRelease(l) {
    return l.process === "platform" && /^\[(deploy\.succeeded|deploy\.failed|rollback|config\.changed)\]/.test(l.text || "");
  }

  // fetchPage reads the current version of a dashboard page, or null when
  // it cannot (signed out: the answer is the sign-in page).
  function fetchPage(path, done) {
    fetch(path, { credentials: "same-origin", headers: { Accept: "text/html" } }).then(function (res) {
      if (!res.ok || new URL(res.url).pathname !== path) return null;
      return res.text();
    }).then(function (html) {
      done(html ? new DOMParser().parseFromString(html, "text/html") : null);
    }, function () { done(null); });
  }

  // swap replaces the element with id in the page by its new version.
  function swap(doc, selector) {
    var now = document.querySelector(selector), next = doc.querySelector(selector);
    if (now && next) now.replaceWith(document.adoptNode(next));
  }

  // checkRelease reads the release page again and, once the release has
  // ended, shows its final facts and stops following.
  LogView.prototype.checkRelease = function () {
    var self = this;
    if (self.done) return;
    fetchPage(location.pathname, function (doc) {
      var facts = doc && doc.getElementById("release-facts");
      if (!facts || self.done) return;
      var status = facts.getAttribute("data-release-status");
      if (status === "building" || status === "deploying") return;
      self.done = true;
      swap(doc, "#release-facts");
      swap(doc, ".app-meta");
      var note = self.root.querySelector("[data-release-note]");
      if (note) note.textContent = "This release is " + status + ". Its output is below.";
      self.say("Finished: " + status);
      if (self.ws) { self.ws.onclose = null; self.ws.close(); }
    });
  };

  // plain drops what the server's CleanText keeps but a page has no use
  // for: plain colour sequences, and any control character left.
  function plain(s) {
    return String(s || "").replace(/\x1b\[[0-9;]*m/g, "").replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/g, "\ufffd");
  }

  // errorWords mark a line as an error; logs.go holds the same list.
  var errorWords = /\b(error|exception|traceback|fatal|panic|failed|failure|critical)\b/i;

  // lineClass paints platform lines, stderr lines that read like errors,
  // the rest of stderr (often an access log) and stdout differently.
  function lineClass(stream, text) {
    if (stream === "platform") return "pl";
    if (stream === "stderr") return errorWords.test(text || "") ? "e" : "se";
    return "x";
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
    x.className = lineClass(l.stream, l.text);
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
      if (view.releaseLive) {
        var timer = setInterval(function () {
          if (view.done) clearInterval(timer); else view.checkRelease();
        }, 3000);
      }
    });
  }

  // setupRefresh keeps regions marked data-refresh="SECONDS" (the apps
  // overview's table) up to date by reading their page again, while the
  // tab is visible. Without this script the page is as fresh as its load.
  function setupRefresh() {
    var regions = document.querySelectorAll("[data-refresh][id]");
    if (!regions.length) return;
    var every = Math.max(5, parseInt(regions[0].getAttribute("data-refresh"), 10) || 15) * 1000;
    var timer = setInterval(function () {
      if (document.hidden) return;
      fetchPage(location.pathname, function (doc) {
        if (!doc) { clearInterval(timer); return; }
        regions.forEach(function (r) { swap(doc, "#" + r.id); });
        regions = document.querySelectorAll("[data-refresh][id]");
      });
    }, every);
  }

  // setupFocus focuses the field marked autofocus (the password after a
  // refused sign-in) when the browser has not, as some do not on a page
  // answered to a form.
  function setupFocus() {
    var field = document.querySelector("[autofocus]");
    if (field && (!document.activeElement || document.activeElement === document.body)) field.focus();
  }

  function start() {
    setupFocus();
    setupConfirm();
    setupBusy();
    setupLogs();
    setupRefresh();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
