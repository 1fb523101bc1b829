@echo off
rem Install the xltools WPS add-in for the current user on Windows (offline, publish mode).
rem Copies the add-in to %APPDATA%\kingsoft\wps\jsaddons\xltools_1.0.0 and registers it in
rem publish.xml (other add-ins' lines are kept). Run with WPS closed.
setlocal
chcp 65001 >nul
set "HERE=%~dp0.."
set "DEST=%APPDATA%\kingsoft\wps\jsaddons"
set "NAME=xltools_1.0.0"
if not exist "%DEST%\%NAME%" mkdir "%DEST%\%NAME%"
xcopy /E /I /Y "%HERE%\js" "%DEST%\%NAME%\js" >nul
xcopy /E /I /Y "%HERE%\images" "%DEST%\%NAME%\images" >nul
copy /Y "%HERE%\ribbon.xml" "%DEST%\%NAME%\" >nul
copy /Y "%HERE%\index.html" "%DEST%\%NAME%\" >nul
copy /Y "%HERE%\main.js" "%DEST%\%NAME%\" >nul
powershell -NoProfile -ExecutionPolicy Bypass -Command ^
  "$p = Join-Path $env:APPDATA 'kingsoft\wps\jsaddons\publish.xml';" ^
  "if (Test-Path $p) { [xml]$x = Get-Content -LiteralPath $p -Raw -Encoding UTF8 } else { [xml]$x = '<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><jsplugins></jsplugins>' };" ^
  "foreach ($n in @($x.DocumentElement.SelectNodes('jsplugin[@name=\"xltools\"]'))) { [void]$x.DocumentElement.RemoveChild($n) };" ^
  "$e = $x.CreateElement('jsplugin'); foreach ($kv in @(@('name','xltools'),@('type','et'),@('url','xltools_1.0.0'),@('version','1.0.0'),@('enable','enable_dev'),@('install','null'),@('customDomain',''))) { $e.SetAttribute($kv[0], $kv[1]) };" ^
  "[void]$x.DocumentElement.AppendChild($e); $x.Save($p)"
echo 已安装 xltools WPS 加载项；请重新启动 WPS 表格，功能区将出现“绩效自评”选项卡。
endlocal
