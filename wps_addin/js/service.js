// Finding, starting and calling the xltools local service from the WPS 加载项.
//
// `xltools serve` writes ~/.xltools/serve.json ({url, port, token, pid, api}) while it runs; the
// add-in reads it with Application.FileSystem, checks /api/v1/health with the token, and, when
// no service answers, starts the installed `xltools serve --no-browser` with
// Application.OAAssist.ShellExecute and waits for the file. Every API call carries the token in
// the X-XLTools-Token header.
"use strict";
var XLT = window.XLT || (window.XLT = {});

XLT.service = (function () {
  var API = "api/v1";
  var START_WAIT_MS = 30000;
  var HOW_TO_START =
    "未能启动 xltools 本地服务。请先安装 xltools（见 docs/wps.md），然后在终端（Windows：命令提示符）中运行：\n" +
    "    xltools serve --no-browser\n" +
    "保持该窗口打开，再点一次此按钮。";

  function app() { return window.Application || window.wps; }

  function homePath() {
    var home = app().Env.GetHomePath();
    return String(home || "").replace(/\\/g, "/").replace(/\/+$/, "");
  }

  function discoveryPath() { return homePath() + "/.xltools/serve.json"; }

  // The installed command, per platform: the per-user venv of docs/excel.md and docs/wps.md first.
  function candidates() {
    var home = homePath();
    return [home + "/xltools-venv/Scripts/xltools.exe", home + "/xltools-venv/bin/xltools",
      home + "/.local/bin/xltools", "/opt/xltools/bin/xltools", "/usr/local/bin/xltools",
      "/usr/bin/xltools"];
  }

  function readDiscovery() {
    var fs = app().FileSystem;
    var path = discoveryPath();
    try {
      if (!fs.Exists(path)) return null;
      var info = JSON.parse(fs.ReadFile(path));
      if (!info || !info.url || !info.token) return null;
      if (!/^http:\/\/127\.0\.0\.1:\d+\/$/.test(info.url)) return null;  // loopback only
      return info;
    } catch (e) {
      return null;
    }
  }

  function withTimeout(promise, ms) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
      promise.then(function (v) { clearTimeout(timer); resolve(v); },
        function (e) { clearTimeout(timer); reject(e); });
    });
  }

  function healthy(info) {
    return withTimeout(fetch(info.url + API + "/health", { headers: { "X-XLTools-Token": info.token } }), 3000)
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { return !!(body && body.ok); }, function () { return false; });
  }

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  function start() {
    var fs = app().FileSystem;
    var list = candidates();
    for (var i = 0; i < list.length; i++) {
      var exists = false;
      try { exists = fs.Exists(list[i]); } catch (e) { exists = false; }
      if (exists) {
        app().OAAssist.ShellExecute(list[i], "serve --no-browser");
        return true;
      }
    }
    return false;
  }

  // The running service ({url, token}); starts it when needed. Rejects with a Chinese message.
  function ensure() {
    var info = readDiscovery();
    return (info ? healthy(info) : Promise.resolve(false)).then(function (ok) {
      if (ok) return info;
      if (!start()) throw new Error(HOW_TO_START);
      var deadline = Date.now() + START_WAIT_MS;
      function poll() {
        var found = readDiscovery();
        var check = found ? healthy(found) : Promise.resolve(false);
        return check.then(function (up) {
          if (up) return found;
          if (Date.now() > deadline) throw new Error(HOW_TO_START);
          return sleep(500).then(poll);
        });
      }
      return poll();
    });
  }

  function call(info, method, path, body) {
    var options = { method: method, headers: { "X-XLTools-Token": info.token } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(info.url + API + path, options).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) throw new Error(data.error || ("xltools 本地服务返回错误 " + r.status));
        return data;
      });
    }, function () {
      throw new Error("无法连接 xltools 本地服务（" + info.url + "），它可能已经停止。请再点一次按钮。");
    });
  }

  function pageUrl(info) { return info.url + "?token=" + encodeURIComponent(info.token); }

  return { ensure: ensure, call: call, pageUrl: pageUrl, readDiscovery: readDiscovery,
    healthy: healthy, HOW_TO_START: HOW_TO_START };
})();
