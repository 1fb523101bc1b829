// The 绩效自评 tab's buttons. Every message to the user is Chinese; every failure is one line.
"use strict";
var XLT = window.XLT || (window.XLT = {});

XLT.ribbon = (function () {
  var TASKPANE_KEY = "xltools_taskpane_id";
  var IMAGES = { btnValidate: "images/validate.svg", btnRecalc: "images/recalc.svg",
    btnFolder: "images/folder.svg", btnPage: "images/page.svg", btnAbout: "images/about.svg" };
  var VERSION = "1.0.0";

  function app() { return window.Application || window.wps; }
  function say(text) { window.alert(text); }

  // Check the active workbook with the service and write the findings back (action: validate
  // or recalculate, the Excel ribbon's 校验 and 重算).
  function checkWorkbook(action) {
    var title = action === "validate" ? "校验" : "重算";
    var snapshot;
    try { snapshot = XLT.workbook.snapshot(); } catch (e) { say(title + "失败：" + e.message); return Promise.resolve(); }
    snapshot.action = action;
    return XLT.service.ensure().then(function (info) {
      return XLT.service.call(info, "POST", "/check-grid", snapshot);
    }).then(function (answer) {
      XLT.workbook.apply(answer.edits || []);
      var text = answer.message || (title + "完成。");
      if (snapshot.skipped.length) text += "\n" + snapshot.skipped.join("\n");
      say(text);
      return answer;
    }).catch(function (e) { say(title + "失败：" + e.message); });
  }

  function openTaskPane() {
    return XLT.service.ensure().then(function (info) {
      var storage = app().PluginStorage;
      var url = XLT.service.pageUrl(info);
      var saved = String(storage.getItem(TASKPANE_KEY) || "").split("|");  // "id|url"
      var pane = saved[0] && saved[1] === url ? app().GetTaskPane(saved[0]) : null;
      if (!pane) {  // first time, or the service was restarted (a new token)
        pane = app().CreateTaskPane(url, "xltools 部门汇总");
        storage.setItem(TASKPANE_KEY, pane.ID + "|" + url);
      }
      pane.Visible = true;
      return pane;
    }).catch(function (e) { say("汇总文件夹失败：" + e.message); });
  }

  function openPage() {
    return XLT.service.ensure().then(function (info) {
      app().OAAssist.ShellExecute(XLT.service.pageUrl(info), "");
    }).catch(function (e) { say("打开本地页面失败：" + e.message); });
  }

  function about() {
    var info = XLT.service.readDiscovery();
    var status = info ? XLT.service.healthy(info) : Promise.resolve(false);
    return status.then(function (up) {
      say("xltools 绩效自评 WPS 加载项 " + VERSION + "\n" +
        "重算、校验项目支出绩效自评表，汇总文件夹中的自评表。\n" +
        "计算由本机的 xltools 服务完成（只监听 127.0.0.1，文件不离开本机）。\n" +
        "本机服务：" + (up ? "运行中（" + info.url + "）" : "未运行（点“校验当前工作簿”会自动启动）"));
    });
  }

  var actions = {
    btnValidate: function () { return checkWorkbook("validate"); },
    btnRecalc: function () { return checkWorkbook("recalculate"); },
    btnFolder: openTaskPane,
    btnPage: openPage,
    btnAbout: about
  };

  function onLoad(ribbonUI) {
    if (app() && typeof app().ribbonUI !== "object") app().ribbonUI = ribbonUI;
    return true;
  }

  // Returns true at once (WPS expects it); the work goes on and is kept in XLT.lastRun.
  function onAction(control) {
    var action = actions[control.Id];
    if (action) XLT.lastRun = action();
    return true;
  }

  function image(control) { return IMAGES[control.Id] || "images/about.svg"; }

  return { onLoad: onLoad, onAction: onAction, image: image, checkWorkbook: checkWorkbook };
})();
