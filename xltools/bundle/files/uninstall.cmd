@echo off
rem xltools offline installer (uninstall). ASCII only: the Chinese messages come from Python.
setlocal EnableExtensions
set "HERE=%~dp0"
set "PY="
for %%V in (3.12 3.11) do (
  if not defined PY (
    py -%%V -c "import sys" >nul 2>&1 && set "PY=py -%%V"
  )
)
for %%D in ("%LOCALAPPDATA%\Programs\Python\Python312" "%LOCALAPPDATA%\Programs\Python\Python311" "%ProgramFiles%\Python312" "%ProgramFiles%\Python311") do (
  if not defined PY if exist "%%~D\python.exe" set PY="%%~D\python.exe"
)
if not defined PY if exist "%HERE%python\python.exe" set PY="%HERE%python\python.exe"
if not defined PY (
  chcp 65001 >nul
  type "%HERE%support\no_python.txt"
  echo.
  pause
  exit /b 1
)
%PY% "%HERE%installer.py" uninstall
set "RC=%ERRORLEVEL%"
echo.
pause
exit /b %RC%
