// The page of `xltools serve`: add forms, check them with the local service, show and download.
// Talks only to its own origin; every request carries the token in the X-XLTools-Token header
// (downloads, which are plain links, carry it in the URL).
"use strict";
(function () {
  const TOKEN = document.body.dataset.token;
  const API = "/api/v1";
  // what the service reads from a folder (xltools.readers.files.FOLDER_EXTS): forms, and office
  // formats a form may have been saved in by mistake (reported with 另存为)
  const EXTS = [".xlsx", ".xlsm", ".xls", ".docx", ".doc", ".wps", ".dot", ".wpt", ".rtf", ".et",
    ".ett", ".xlsb", ".ods", ".odt", ".dotx", ".xltx", ".xltm"];
  const COLUMNS = [
    ["序号", "num"], ["项目名称", "text"], ["主管部门", "text"], ["年度", "text"], ["执行率", "rate"],
    ["预算执行得分", "num"], ["报告总分", "num"], ["复核总分", "num"], ["等级", "text"],
    ["错误数", "num"], ["警告数", "num"], ["来源", "text"]];
  const SEVERITY = { error: "错误", warning: "警告", info: "提示" };
  const $ = (id) => document.getElementById(id);

  let chosen = [];        // {file, path}
  let rulesText = null;   // an uploaded TOML rule pack
  let batchId = null;
  let result = null;
  let sortKey = "序号", sortAsc = true;

  // the task pane of older WPS builds runs an older Chromium: no nullish operators here
  function or(value, fallback) { return value === null || value === undefined ? fallback : value; }

  function headers(extra) { return Object.assign({ "X-XLTools-Token": TOKEN }, extra || {}); }

  async function api(path, options) {
    const opts = Object.assign({}, options || {});
    opts.headers = headers(opts.headers);
    const response = await fetch(API + path, opts);
    if (!response.ok) {
      let text = "";
      try { text = (await response.json()).error; } catch (e) { text = await response.text().catch(() => ""); }
      throw new Error(text || ("服务返回错误 " + response.status));
    }
    return response;
  }

  function say(text, isError) {
    $("message").textContent = text;
    $("message").className = isError ? "error" : "";
  }

  // --- adding files ------------------------------------------------------------------------
  function wanted(name) {
    const base = name.split("/").pop();
    if (base.startsWith(".") || base.startsWith("~$")) return false;
    const dot = base.lastIndexOf(".");
    return dot > 0 && EXTS.includes(base.slice(dot).toLowerCase());
  }

  function add(items) {
    const seen = new Set(chosen.map((c) => c.path));
    let skipped = 0;
    for (const item of items) {
      if (!wanted(item.path)) { skipped++; continue; }
      if (seen.has(item.path)) continue;
      seen.add(item.path);
      chosen.push(item);
    }
    showChosen(skipped);
  }

  function showChosen(skipped) {
    $("chosen").hidden = chosen.length === 0;
    $("start").disabled = chosen.length === 0;
    $("clear").disabled = chosen.length === 0;
    $("chosen-summary").textContent = "已添加 " + chosen.length + " 个文件" +
      (skipped ? "（另有 " + skipped + " 个不是自评表文件，已忽略）" : "") + "。";
    const list = $("chosen-list");
    list.textContent = "";
    for (const c of chosen.slice(0, 200)) {
      const li = document.createElement("li");
      li.textContent = c.path;
      list.appendChild(li);
    }
  }

  function readEntries(reader) {
    return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
  }

  async function walk(entry, out) {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      out.push({ file: file, path: entry.fullPath.replace(/^\/+/, "") || file.name });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await readEntries(reader);  // a folder comes in pieces of 100
        if (!batch.length) break;
        for (const child of batch) await walk(child, out);
      }
    }
  }

  async function fromDrop(dataTransfer) {
    const out = [];
    const entries = [], loose = [];
    for (const item of Array.from(dataTransfer.items || [])) {
      if (item.kind !== "file") continue;
      const entry = item.webkitGetAsEntry ? item.webkitGetAsEntry() : null;
      if (entry) entries.push(entry); else loose.push(item.getAsFile());
    }
    for (const entry of entries) await walk(entry, out);
    for (const file of loose) if (file) out.push({ file: file, path: file.name });
    if (!entries.length && !loose.length) {
      for (const file of Array.from(dataTransfer.files || [])) out.push({ file: file, path: file.name });
    }
    return out;
  }

  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", async (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    try { add(await fromDrop(e.dataTransfer)); } catch (err) { say("读取拖入的文件失败：" + err.message, true); }
  });
  $("pick-files").addEventListener("change", (e) => {
    add(Array.from(e.target.files).map((f) => ({ file: f, path: f.name })));
    e.target.value = "";
  });
  $("pick-folder").addEventListener("change", (e) => {
    add(Array.from(e.target.files).map((f) => ({ file: f, path: f.webkitRelativePath || f.name })));
    e.target.value = "";
  });
  $("clear").addEventListener("click", () => { chosen = []; showChosen(0); say(""); });

  $("rules").addEventListener("change", () => {
    if ($("rules").value === "upload") $("rules-file").click();
    else { rulesText = null; $("rules-name").textContent = ""; }
  });
  $("rules-file").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) { $("rules").value = "national"; return; }
    rulesText = await file.text();
    $("rules-name").textContent = file.name;
  });

  // --- checking ----------------------------------------------------------------------------
  function progress(done, total, text) {
    $("progress-box").hidden = false;
    $("progress").max = Math.max(total, 1);
    $("progress").value = done;
    $("progress-text").textContent = text + " " + done + " / " + total;
  }

  async function start() {
    $("start").disabled = true;
    say("");
    const problems = [];
    try {
      if (batchId) api("/batches/" + batchId, { method: "DELETE" }).catch(() => {});
      batchId = (await (await api("/batches", { method: "POST" })).json()).id;
      let sent = 0;
      for (let i = 0; i < chosen.length; i++) {
        progress(i, chosen.length, "正在上传");
        const c = chosen[i];
        try {
          await api("/batches/" + batchId + "/files?path=" + encodeURIComponent(c.path),
            { method: "PUT", body: c.file });
          sent++;
        } catch (err) { problems.push(c.path + "：" + err.message); }
      }
      progress(chosen.length, chosen.length, "正在上传");
      if (!sent) throw new Error("没有文件上传成功。" + problems.join("；"));
      const body = { rules: $("rules").value === "upload" ? null : $("rules").value,
        rules_toml: $("rules").value === "upload" ? rulesText : null };
      const response = await api("/batches/" + batchId + "/check", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      result = await readLines(response);
      show(result);
      say(problems.length ? "以下文件未上传：" + problems.join("；") : "检查完成。", problems.length > 0);
    } catch (err) {
      say(err.message, true);
    } finally {
      $("start").disabled = chosen.length === 0;
    }
  }

  async function readLines(response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder("utf-8");
    let buffer = "", final = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (value) buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, cut).trim();
        buffer = buffer.slice(cut + 1);
        if (!line) continue;
        const item = JSON.parse(line);
        if (item.type === "progress") progress(item.done, item.total, "正在读取");
        else if (item.type === "error") throw new Error(item.error);
        else final = item;
      }
      if (done) break;
    }
    if (!final) throw new Error("服务没有返回结果。");
    return final;
  }
  $("start").addEventListener("click", start);

  // --- showing -----------------------------------------------------------------------------
  function fmtCell(value, kind) {
    if (value === null || value === undefined || value === "") return "";
    if (kind === "rate") return (Number(value) * 100).toFixed(2) + "%";
    return String(value);
  }

  function where(loc) {
    if (!loc) return "";
    return loc.file + (loc.sheet ? "｜" + loc.sheet + (loc.cell ? "!" + loc.cell : "") : "");
  }

  function findingItem(f) {
    const li = document.createElement("li");
    const sev = document.createElement("span");
    sev.className = "sev sev-" + f.severity;
    sev.textContent = SEVERITY[f.severity] || f.severity;
    const code = document.createElement("span");
    code.className = "code";
    code.textContent = " " + f.code + " ";
    const text = document.createElement("span");
    text.textContent = f.message;
    const loc = document.createElement("span");
    loc.className = "where";
    loc.textContent = f.location ? "　@ " + where(f.location) : "";
    li.append(sev, code, text, loc);
    return li;
  }

  function show(res) {
    $("results").hidden = false;
    const c = res.counts;
    $("totals").textContent = "共检查 " + res.files + " 个文件、" + res.table.length + " 个表单：错误 " +
      c.error + " 条，警告 " + c.warning + " 条，提示 " + c.info + " 条" +
      (res.failed.length ? "；" + res.failed.length + " 个文件无法读取" : "") + "。";
    const base = API + "/batches/" + batchId + "/";
    const link = (id, kind) => {
      $(id).hidden = !res.downloads[kind];
      $(id).href = res.downloads[kind] ? base + res.downloads[kind] + "?token=" + encodeURIComponent(TOKEN) : "#";
    };
    link("dl-summary", "summary");
    link("dl-findings", "findings");
    link("dl-report", "report");
    const head = $("forms").tHead.rows[0];
    head.textContent = "";
    for (const [name] of COLUMNS) {
      const th = document.createElement("th");
      th.textContent = name;
      th.dataset.key = name;
      th.addEventListener("click", () => { sortAsc = sortKey === name ? !sortAsc : true; sortKey = name; renderRows(); });
      head.appendChild(th);
    }
    const formFindings = new Set();
    for (const entry of res.table) for (const f of entry.findings) formFindings.add(JSON.stringify(f));
    const other = res.document.findings.filter((f) => !formFindings.has(JSON.stringify(f)));
    $("other").hidden = other.length === 0;
    $("other-findings").textContent = "";
    for (const f of other) $("other-findings").appendChild(findingItem(f));
    $("detail").hidden = true;
    renderRows();
  }

  function sortValue(entry, key) {
    const kind = COLUMNS.find((c) => c[0] === key)[1];
    const v = entry.row[key];
    if (kind === "text") return v === null || v === undefined ? "" : String(v);
    return v === null || v === undefined || v === "" ? -Infinity : Number(v);
  }

  function renderRows() {
    if (!result) return;
    const needle = $("filter").value.trim().toLowerCase();
    const onlyErrors = $("only-errors").checked;
    const entries = result.table.map((entry, i) => ({ entry, i })).filter(({ entry }) => {
      if (onlyErrors && !(Number(entry.row["错误数"]) > 0)) return false;
      if (!needle) return true;
      return COLUMNS.some(([k]) => String(or(entry.row[k], "")).toLowerCase().includes(needle));
    });
    entries.sort((a, b) => {
      const x = sortValue(a.entry, sortKey), y = sortValue(b.entry, sortKey);
      const order = typeof x === "string" ? x.localeCompare(y, "zh-CN") : x - y;
      return (sortAsc ? order : -order) || a.i - b.i;
    });
    for (const th of $("forms").tHead.rows[0].cells) {
      th.className = th.dataset.key === sortKey ? (sortAsc ? "asc" : "desc") : "";
    }
    const body = $("forms").tBodies[0];
    body.textContent = "";
    for (const { entry, i } of entries) {
      const tr = document.createElement("tr");
      tr.dataset.index = i;
      if (Number(entry.row["错误数"]) > 0) tr.classList.add("has-error");
      for (const [key, kind] of COLUMNS) {
        const td = document.createElement("td");
        td.textContent = fmtCell(entry.row[key], kind);
        if (kind !== "text") td.classList.add("num");
        if (key === "错误数") td.classList.add("errors");
        if (key === "等级") td.classList.add("grade-" + entry.row[key]);
        tr.appendChild(td);
      }
      tr.addEventListener("click", () => detail(i, tr));
      body.appendChild(tr);
    }
  }
  $("filter").addEventListener("input", renderRows);
  $("only-errors").addEventListener("change", renderRows);

  const IND_COLUMNS = [["一级指标", "level1"], ["二级指标", "level2"], ["三级指标", "name"],
    ["年度指标值", "target"], ["实际完成值", "actual"], ["分值", "weight"], ["报告得分", "reported_score"],
    ["复核得分", "score"], ["是否达成", "met"], ["单元格", "cell"]];

  function detail(i, tr) {
    for (const row of $("forms").tBodies[0].rows) row.classList.remove("selected");
    tr.classList.add("selected");
    const entry = result.table[i];
    const form = result.document.forms[i];
    $("detail").hidden = false;
    $("detail-title").textContent = form.project || "（未填项目名称）";
    const funds = form.funds;
    $("detail-source").textContent = "来源：" + where(form.source) + "　执行率 " +
      fmtCell(funds.execution_rate, "rate") + "　预算执行得分 " + or(funds.score, "—") +
      "（报告 " + or(funds.reported_score, "—") + "）　总分：报告 " + or(form.reported_total, "—") +
      "　复核 " + or(form.total, "—") + "　等级 " + (form.grade || "—");
    const head = $("indicators").tHead.rows[0];
    head.textContent = "";
    for (const [name] of IND_COLUMNS) {
      const th = document.createElement("th");
      th.textContent = name;
      head.appendChild(th);
    }
    const body = $("indicators").tBodies[0];
    body.textContent = "";
    for (const ind of form.indicators) {
      const row = document.createElement("tr");
      for (const [, key] of IND_COLUMNS) {
        const td = document.createElement("td");
        let v = ind[key];
        if (key === "met") v = v === null ? "" : (v ? "是" : "否");
        if (key === "cell" && v) v = form.source.sheet + "!" + v;
        td.textContent = or(v, "");
        row.appendChild(td);
      }
      body.appendChild(row);
    }
    $("detail-findings").textContent = "";
    if (!entry.findings.length) {
      const li = document.createElement("li");
      li.textContent = "没有发现问题。";
      $("detail-findings").appendChild(li);
    }
    for (const f of entry.findings) $("detail-findings").appendChild(findingItem(f));
    $("detail").scrollIntoView({ block: "nearest" });
  }

  $("shutdown").addEventListener("click", async () => {
    try {
      const answer = await (await api("/shutdown", { method: "POST" })).json();
      document.querySelector("main").textContent = answer.message;
    } catch (err) { say("无法关闭服务：" + err.message, true); }
  });

  // hooks for the browser tests and for the add-in's task pane
  window.xltoolsPage = { add: add, start: start, fromDrop: fromDrop, result: () => result,
    batch: () => batchId, chosen: () => chosen.map((c) => c.path) };
})();
