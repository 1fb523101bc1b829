// The active WPS workbook: read it for the service, apply the edits the service sends back.
//
// snapshot() reads every sheet's used range cell by cell (Value2, NumberFormat, merged areas,
// fills, comments) plus the ledger sheet _xltools_marks; apply(edits) carries out the primitive
// writes of xltools.serve.wpsport (value, fill, comment, table, delete_sheet, ledger) with the
// ET object model. The service decides what to write (never over a filer's value: the Excel
// ribbon's rules); this file only does it.
"use strict";
var XLT = window.XLT || (window.XLT = {});

XLT.workbook = (function () {
  var LEDGER = "_xltools_marks";
  var CONF = ["xlwings.conf", "_xlwings.conf"];
  var XL_NONE = -4142;        // xlNone / xlColorIndexNone
  var XL_SHEET_HIDDEN = 0;    // xlSheetHidden
  var MAX_CELLS = 200000;     // a used range larger than this is not read (stray far cells)

  function app() { return window.Application || window.wps; }

  function sheets(wb) {
    var out = [];
    for (var i = 1; i <= wb.Sheets.Count; i++) out.push(wb.Sheets.Item(i));
    return out;
  }

  function sheetByName(wb, name) {
    var all = sheets(wb);
    for (var i = 0; i < all.length; i++) if (all[i].Name === name) return all[i];
    return null;
  }

  function hex2(n) { return ("0" + n.toString(16)).slice(-2).toUpperCase(); }

  // Excel colours are BGR longs: 0xBBGGRR.
  function rgbOf(color) {
    color = Number(color) || 0;
    return hex2(color & 255) + hex2((color >> 8) & 255) + hex2((color >> 16) & 255);
  }

  function colorOf(rgb) {
    var n = parseInt(rgb, 16);
    return ((n >> 16) & 255) | (n & 0xff00) | ((n & 255) << 16);
  }

  function letters(col) {
    var s = "";
    while (col > 0) { var m = (col - 1) % 26; s = String.fromCharCode(65 + m) + s; col = (col - m - 1) / 26; }
    return s;
  }

  function address(row, col) { return letters(col) + row; }

  // Value2 of a cell showing #DIV/0!, #N/A… is Excel's error number (CVErr): take the shown text.
  var ERRORS = [-2146826281, -2146826246, -2146826259, -2146826288, -2146826252, -2146826265, -2146826273];

  function plain(v, cell) {
    if (v === undefined || v === null || v === "") return null;
    if (typeof v === "number" && ERRORS.indexOf(v) >= 0) return String(cell.Text);
    if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
    if (v instanceof Date) return (v.getTime() / 86400000) + 25569;  // a date → its serial
    return String(v);
  }

  function readSheet(ws) {
    var used = ws.UsedRange;
    var r0 = used.Row, c0 = used.Column, nr = used.Rows.Count, nc = used.Columns.Count;
    var out = { name: ws.Name, first_row: r0, first_col: c0, values: [], formats: [], merges: [],
      fills: [], comments: [] };
    if (nr * nc > MAX_CELLS) {
      out.skipped = "工作表“" + ws.Name + "”的已用区域过大（" + nr + " 行 × " + nc + " 列），未读取。";
      return out;
    }
    for (var r = 0; r < nr; r++) {
      var row = [];
      for (var c = 0; c < nc; c++) {
        var cell = ws.Cells.Item(r0 + r, c0 + c);
        var v = plain(cell.Value2, cell);
        row.push(v);
        if (v !== null) {
          var fmt = cell.NumberFormat;
          if (fmt && fmt !== "General" && fmt !== "G/通用格式") out.formats.push([r0 + r, c0 + c, String(fmt)]);
        }
        if (cell.MergeCells) {
          var area = cell.MergeArea;
          if (area.Row === r0 + r && area.Column === c0 + c) {
            out.merges.push(address(area.Row, area.Column) + ":" +
              address(area.Row + area.Rows.Count - 1, area.Column + area.Columns.Count - 1));
          }
        }
        var interior = cell.Interior;
        if (interior && interior.ColorIndex !== XL_NONE && interior.ColorIndex !== null &&
            interior.ColorIndex !== undefined) {
          out.fills.push([r0 + r, c0 + c, rgbOf(interior.Color)]);
        }
      }
      out.values.push(row);
    }
    var comments = ws.Comments;
    for (var i = 1; comments && i <= comments.Count; i++) {
      var comment = comments.Item(i);
      out.comments.push([comment.Parent.Row, comment.Parent.Column, String(comment.Text())]);
    }
    return out;
  }

  function readLedger(wb) {
    var ws = sheetByName(wb, LEDGER);
    if (!ws) return [];
    var used = ws.UsedRange, rows = [];
    for (var r = 2; r <= used.Row + used.Rows.Count - 1; r++) {
      var row = [];
      for (var c = 1; c <= 5; c++) {
        var v = ws.Cells.Item(r, c).Value2;
        row.push(v === undefined || v === null ? "" : String(v));
      }
      rows.push(row);
    }
    return rows;
  }

  // The rule pack the workbook names in its xlwings.conf sheet (as the Excel template keeps it):
  // a built-in pack's name, or a .toml file the add-in reads and sends as text.
  function configuredRules(wb) {
    for (var k = 0; k < CONF.length; k++) {
      var ws = sheetByName(wb, CONF[k]);
      if (!ws) continue;
      var used = ws.UsedRange;
      for (var r = used.Row; r < used.Row + used.Rows.Count; r++) {
        if (String(ws.Cells.Item(r, 1).Value2 || "").toUpperCase() !== "XLTOOLS_RULES") continue;
        var value = String(ws.Cells.Item(r, 2).Value2 || "").trim();
        if (!value) return {};
        if (/\.toml$/i.test(value)) {
          var fs = app().FileSystem;
          if (fs.Exists(value)) return { rules_toml: fs.ReadFile(value) };
          throw new Error("xlwings.conf 中的规则包文件不存在：" + value);
        }
        return { rules: value };
      }
    }
    return {};
  }

  function snapshot() {
    var wb = app().ActiveWorkbook;
    if (!wb) throw new Error("当前没有打开的工作簿。");
    var out = { workbook: wb.Name, active_sheet: wb.ActiveSheet ? wb.ActiveSheet.Name : "",
      sheets: [], ledger: readLedger(wb), skipped: [] };
    sheets(wb).forEach(function (ws) {
      if (ws.Name === LEDGER || CONF.indexOf(ws.Name) >= 0) return;
      var data = readSheet(ws);
      if (data.skipped) out.skipped.push(data.skipped); else out.sheets.push(data);
    });
    var rules = configuredRules(wb);
    if (rules.rules) out.rules = rules.rules;
    if (rules.rules_toml) out.rules_toml = rules.rules_toml;
    return out;
  }

  // A new sheet goes last, but before our hidden ledger (as the Excel ribbon leaves it).
  function addSheet(wb, name) {
    var all = sheets(wb).filter(function (s) { return s.Name !== LEDGER; });
    var ws = wb.Sheets.Add(undefined, all[all.length - 1]);
    ws.Name = name;
    return ws;
  }

  function writeRows(ws, rows) {
    for (var r = 0; r < rows.length; r++) {
      for (var c = 0; c < rows[r].length; c++) {
        var v = rows[r][c];
        if (v === null || v === undefined || v === "") continue;
        ws.Cells.Item(r + 1, c + 1).Value2 = v;
      }
    }
  }

  var apply1 = {
    value: function (wb, e) {
      var cell = sheetByName(wb, e.sheet).Range(e.cell);
      if (e.value === null || e.value === undefined) cell.ClearContents(); else cell.Value2 = e.value;
    },
    fill: function (wb, e) {
      var interior = sheetByName(wb, e.sheet).Range(e.cell).Interior;
      if (e.rgb) interior.Color = colorOf(e.rgb); else interior.ColorIndex = XL_NONE;
    },
    comment: function (wb, e) {
      var cell = sheetByName(wb, e.sheet).Range(e.cell);
      if (cell.Comment) cell.Comment.Delete();
      if (e.text !== null && e.text !== undefined) cell.AddComment(e.text);
    },
    table: function (wb, e) {
      var ws = e.create ? addSheet(wb, e.name) : sheetByName(wb, e.name);
      ws.Cells.Clear();
      writeRows(ws, e.rows);
      var width = e.rows.length ? e.rows[0].length : 0;
      for (var c = 1; c <= width; c++) {
        var head = ws.Cells.Item(1, c);
        head.Font.Bold = true;
        head.Interior.Color = colorOf(e.header_rgb);
      }
      e.links.forEach(function (link) {
        var anchor = ws.Cells.Item(link[0] + 1, link[1] + 1);
        ws.Hyperlinks.Add(anchor, "", "'" + link[2] + "'!" + link[3], "", String(anchor.Value2 || link[3]));
      });
      ws.UsedRange.Columns.AutoFit();
    },
    delete_sheet: function (wb, e) {
      var ws = sheetByName(wb, e.name);
      if (!ws) return;
      var alerts = app().DisplayAlerts;
      app().DisplayAlerts = false;
      try { ws.Delete(); } finally { app().DisplayAlerts = alerts; }
    },
    ledger: function (wb, e) {
      var ws = sheetByName(wb, LEDGER);
      if (!ws) {
        if (!e.rows.length) return;
        ws = addSheet(wb, LEDGER);
        ws.Visible = XL_SHEET_HIDDEN;
      }
      ws.Cells.Clear();
      var rows = [e.header].concat(e.rows);
      for (var r = 0; r < rows.length; r++) {
        for (var c = 0; c < rows[r].length; c++) {
          var cell = ws.Cells.Item(r + 1, c + 1);
          cell.NumberFormat = "@";
          if (rows[r][c] !== "" && rows[r][c] !== null) cell.Value2 = String(rows[r][c]);
        }
      }
    }
  };

  function apply(edits) {
    var wb = app().ActiveWorkbook;
    edits.forEach(function (e) {
      var step = apply1[e.op];
      if (!step) throw new Error("无法识别的修改：" + e.op);
      if (e.sheet !== undefined && !sheetByName(wb, e.sheet)) return;  // removed since the check
      step(wb, e);
    });
    return edits.length;
  }

  return { snapshot: snapshot, apply: apply, rgbOf: rgbOf, colorOf: colorOf, LEDGER: LEDGER };
})();
