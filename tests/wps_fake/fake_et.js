// A fake of WPS's ET (表格) object model, for running the xltools WPS 加载项 in a plain browser.
//
// It behaves like the parts of Application / Workbook / Worksheet / Range the add-in uses, with
// WPS's (Excel's) conventions: 1-based Sheets.Item and Cells.Item, BGR colours, xlNone = -4142,
// AddComment failing on a cell that already has a comment, Sheets.Add(before, after), merged
// areas answering MergeCells / MergeArea for every cell they cover, UsedRange spanning values,
// fills and comments. makeFakeApplication(spec) builds it from a JSON description:
//   {home, files: {path: text}, workbook: {name, sheets: [{name, cells: [[row, col, value, format, text]],
//    merges: ["A1:B2"], fills: [[row, col, "RRGGBB"]], comments: [[row, col, text]]}]}}
// and fake.dump() returns the state for the test's assertions.
"use strict";
(function () {
  var XL_NONE = -4142;

  function parseCell(ref) {
    var m = /^\$?([A-Z]+)\$?(\d+)$/i.exec(ref);
    if (!m) throw new Error("bad address " + ref);
    var col = 0;
    for (var i = 0; i < m[1].length; i++) col = col * 26 + m[1].toUpperCase().charCodeAt(i) - 64;
    return [Number(m[2]), col];
  }

  function letters(col) {
    var s = "";
    while (col > 0) { var m = (col - 1) % 26; s = String.fromCharCode(65 + m) + s; col = (col - m - 1) / 26; }
    return s;
  }

  function rgbToBgr(rgb) {
    var n = parseInt(rgb, 16);
    return ((n >> 16) & 255) | (n & 0xff00) | ((n & 255) << 16);
  }

  function Sheet(wb, name) {
    this.wb = wb;
    this._name = name;
    this.cells = {};      // "r,c" -> {value, format, fill (BGR or null), comment, bold}
    this.merges = [];     // [r1, c1, r2, c2]
    this.links = [];
    this.Visible = -1;    // xlSheetVisible
    var self = this;
    this.Cells = { Item: function (r, c) { return new Range(self, r, c, r, c); },
      Clear: function () { self.cells = {}; self.merges = []; self.links = []; } };
    this.Comments = {};
    Object.defineProperty(this.Comments, "Count", { get: function () { return self._comments().length; } });
    this.Comments.Item = function (i) {
      var k = self._comments()[i - 1];
      return { Parent: new Range(self, k[0], k[1], k[0], k[1]), Text: function () { return self.cells[k[0] + "," + k[1]].comment; } };
    };
    this.Hyperlinks = { Add: function (anchor, address, sub, tip, text) {
      self.links.push({ row: anchor.Row, col: anchor.Column, address: address, sub: sub, text: text });
    } };
  }
  Object.defineProperty(Sheet.prototype, "Name", {
    get: function () { return this._name; },
    set: function (v) {
      if (this.wb.sheets.some(function (s) { return s !== this && s._name === v; }, this)) throw new Error("duplicate sheet name");
      this._name = v;
    }
  });
  Sheet.prototype.cell = function (r, c, create) {
    var k = r + "," + c;
    if (!this.cells[k] && create) this.cells[k] = { value: null, format: "General", fill: null, comment: null, bold: false };
    return this.cells[k] || null;
  };
  Sheet.prototype._comments = function () {
    var out = [];
    for (var k in this.cells) if (this.cells[k].comment !== null) out.push(k.split(",").map(Number));
    out.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    return out;
  };
  Sheet.prototype.Range = function (ref) {
    var parts = ref.split(":");
    var a = parseCell(parts[0]), b = parts[1] ? parseCell(parts[1]) : a;
    return new Range(this, a[0], a[1], b[0], b[1]);
  };
  Object.defineProperty(Sheet.prototype, "UsedRange", { get: function () {
    var r1 = Infinity, c1 = Infinity, r2 = 0, c2 = 0;
    for (var k in this.cells) {
      var cell = this.cells[k];
      if (cell.value === null && cell.fill === null && cell.comment === null) continue;
      var rc = k.split(",").map(Number);
      r1 = Math.min(r1, rc[0]); c1 = Math.min(c1, rc[1]); r2 = Math.max(r2, rc[0]); c2 = Math.max(c2, rc[1]);
    }
    this.merges.forEach(function (m) {
      r1 = Math.min(r1, m[0]); c1 = Math.min(c1, m[1]); r2 = Math.max(r2, m[2]); c2 = Math.max(c2, m[3]);
    });
    if (r2 === 0) return new Range(this, 1, 1, 1, 1);
    return new Range(this, r1, c1, r2, c2);
  } });
  Sheet.prototype.Delete = function () {
    if (this.wb.app.DisplayAlerts) throw new Error("a dialog would ask the user first");
    this.wb.sheets.splice(this.wb.sheets.indexOf(this), 1);
  };

  function Range(sheet, r1, c1, r2, c2) {
    this.sheet = sheet; this.Row = r1; this.Column = c1; this.r2 = r2; this.c2 = c2;
    var self = this;
    this.Rows = { Count: r2 - r1 + 1 };
    this.Columns = { Count: c2 - c1 + 1, AutoFit: function () { return true; } };
    this.Font = {};
    Object.defineProperty(this.Font, "Bold", {
      get: function () { var c = sheet.cell(r1, c1); return !!(c && c.bold); },
      set: function (v) { self._each(function (c) { c.bold = !!v; }); } });
    this.Interior = {};
    Object.defineProperty(this.Interior, "Color", {
      get: function () { var c = sheet.cell(r1, c1); return c && c.fill !== null ? c.fill : 16777215; },
      set: function (v) { self._each(function (c) { c.fill = Number(v); }); } });
    Object.defineProperty(this.Interior, "ColorIndex", {
      get: function () { var c = sheet.cell(r1, c1); return c && c.fill !== null ? 1 : XL_NONE; },
      set: function (v) { if (v === XL_NONE) self._each(function (c) { c.fill = null; }); } });
  }
  Range.prototype._each = function (fn) {
    for (var r = this.Row; r <= this.r2; r++) for (var c = this.Column; c <= this.c2; c++) fn(this.sheet.cell(r, c, true));
  };
  Range.prototype._single = function () {
    if (this.Row !== this.r2 || this.Column !== this.c2) throw new Error("the fake reads single cells only");
    return this.sheet.cell(this.Row, this.Column, false);
  };
  Range.prototype._merge = function () {
    var r = this.Row, c = this.Column;
    for (var i = 0; i < this.sheet.merges.length; i++) {
      var m = this.sheet.merges[i];
      if (m[0] <= r && r <= m[2] && m[1] <= c && c <= m[3]) return m;
    }
    return null;
  };
  Object.defineProperty(Range.prototype, "Value2", {
    get: function () { var c = this._single(); return c && c.value !== null ? c.value : undefined; },
    set: function (v) {
      if (this._merge() && (this._merge()[0] !== this.Row || this._merge()[1] !== this.Column)) {
        return;  // like Excel: a value typed into a merged area lands in its top-left cell only
      }
      this._each(function (c) { c.value = v === "" || v === undefined ? null : v; });
    } });
  Object.defineProperty(Range.prototype, "Text", { get: function () {
    var c = this._single();
    return !c || c.value === null ? "" : (c.text !== undefined ? c.text : String(c.value));
  } });
  Object.defineProperty(Range.prototype, "NumberFormat", {
    get: function () { var c = this._single(); return c ? c.format : "General"; },
    set: function (v) { this._each(function (c) { c.format = v; }); } });
  Object.defineProperty(Range.prototype, "MergeCells", { get: function () { return this._merge() !== null; } });
  Object.defineProperty(Range.prototype, "MergeArea", { get: function () {
    var m = this._merge();
    return m ? new Range(this.sheet, m[0], m[1], m[2], m[3]) : this;
  } });
  Object.defineProperty(Range.prototype, "Comment", { get: function () {
    var c = this._single(), self = this;
    if (!c || c.comment === null) return null;
    return { Text: function () { return c.comment; }, Delete: function () { c.comment = null; }, Parent: self };
  } });
  Range.prototype.AddComment = function (text) {
    var c = this.sheet.cell(this.Row, this.Column, true);
    if (c.comment !== null) throw new Error("the cell already has a comment");
    c.comment = String(text);
    return this.Comment;
  };
  Range.prototype.ClearContents = function () { this._each(function (c) { c.value = null; }); };
  Range.prototype.Address = function () { return "$" + letters(this.Column) + "$" + this.Row; };

  function Workbook(app, spec) {
    this.app = app;
    this.Name = spec.name;
    this.sheets = [];
    var self = this;
    (spec.sheets || []).forEach(function (s) {
      var sheet = new Sheet(self, s.name);
      (s.cells || []).forEach(function (x) {
        var cell = sheet.cell(x[0], x[1], true);
        cell.value = x[2];
        if (x[3]) cell.format = x[3];
        if (x[4] !== undefined) cell.text = x[4];  // what the cell shows, when not its value
      });
      (s.merges || []).forEach(function (ref) {
        var parts = ref.split(":"), a = parseCell(parts[0]), b = parseCell(parts[1] || parts[0]);
        sheet.merges.push([a[0], a[1], b[0], b[1]]);
      });
      (s.fills || []).forEach(function (x) { sheet.cell(x[0], x[1], true).fill = rgbToBgr(x[2]); });
      (s.comments || []).forEach(function (x) { sheet.cell(x[0], x[1], true).comment = x[2]; });
      self.sheets.push(sheet);
    });
    this.activeIndex = 0;
    this.Sheets = { Item: function (i) {
      if (typeof i === "string") return self.sheets.find(function (s) { return s.Name === i; });
      if (i < 1 || i > self.sheets.length) throw new Error("no sheet " + i);
      return self.sheets[i - 1];
    }, Add: function (before, after) {
      var n = self.sheets.length + 1;
      while (self.sheets.some(function (s) { return s.Name === "Sheet" + n; })) n++;
      var sheet = new Sheet(self, "Sheet" + n);
      var at = after ? self.sheets.indexOf(after) + 1 : before ? self.sheets.indexOf(before) : 0;
      self.sheets.splice(at, 0, sheet);
      return sheet;
    } };
    Object.defineProperty(this.Sheets, "Count", { get: function () { return self.sheets.length; } });
    this.Worksheets = this.Sheets;
    Object.defineProperty(this, "ActiveSheet", { get: function () { return self.sheets[self.activeIndex]; } });
  }

  window.makeFakeApplication = function (spec) {
    var files = Object.assign({}, spec.files || {});
    var storage = {};
    var panes = {};
    var app = {
      DisplayAlerts: true,
      calls: [],          // what the add-in asked the host to do: ShellExecute, CreateTaskPane
      Env: { GetHomePath: function () { return spec.home; } },
      FileSystem: {
        Exists: function (p) { return Object.prototype.hasOwnProperty.call(files, p) || (spec.executables || []).indexOf(p) >= 0; },
        ReadFile: function (p) { if (!(p in files)) throw new Error("no such file " + p); return files[p]; }
      },
      OAAssist: { ShellExecute: function (path, args) {
        app.calls.push(["ShellExecute", path, args === undefined ? null : args]);
        if (spec.onStart && args === "serve --no-browser") {
          // the program starts, and writes its discovery file a little later
          setTimeout(function () { files[spec.onStart.path] = spec.onStart.text; }, spec.onStart.delay || 300);
        }
      } },
      PluginStorage: { getItem: function (k) { return k in storage ? storage[k] : null; },
        setItem: function (k, v) { storage[k] = v; } },
      CreateTaskPane: function (url, title) {
        var id = "pane" + (Object.keys(panes).length + 1);
        panes[id] = { ID: id, Url: url, Title: title, Visible: false };
        app.calls.push(["CreateTaskPane", url, title === undefined ? null : title]);
        return panes[id];
      },
      GetTaskPane: function (id) { return panes[id] || null; },
      panes: panes,
      setFile: function (p, text) { if (text === null) delete files[p]; else files[p] = text; }
    };
    app.ActiveWorkbook = new Workbook(app, spec.workbook);
    app.dump = function () {
      return app.ActiveWorkbook.sheets.map(function (s) {
        var cells = [];
        for (var k in s.cells) {
          var c = s.cells[k], rc = k.split(",").map(Number);
          cells.push([rc[0], rc[1], c.value, c.fill, c.comment, c.bold, c.format]);
        }
        return { name: s.Name, visible: s.Visible, cells: cells, merges: s.merges, links: s.links };
      });
    };
    return app;
  };
})();
