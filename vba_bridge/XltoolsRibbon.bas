Attribute VB_Name = "XltoolsRibbon"
' xltools ribbon callbacks, plain macros and the checks before Python is started.
' ASCII only (the project code page is 1252): Chinese text is written as \uXXXX escapes and
' decoded at run time by XT_U, e.g. XT_U("\u5B89\u88C5") is the two characters for "install".
'
' Every button of customUI14.xml has onAction="XT_OnButton" and tag="<python function>", e.g.
'     <button idQ="xt:xtRecalculate" tag="recalculate" onAction="XT_OnButton" .../>
' runs RunPython "import xltools.excel.macros as m; m.recalculate()" after XT_Preflight.
' A new button is one line of XML (and a function in xltools/excel/macros.py); a plain macro for
' Alt+F8 is one more line here.
'
' The one user config is %LOCALAPPDATA%\xltools\xltools.conf (KEY=VALUE lines, written by the
' installer). xlwings' GetConfig asks XT_HasSetting/XT_Setting first (patched in at build time),
' so buttons and XT_ functions start the same Python and no sheet in a workbook overrides it.
' The file is read as bytes and decoded as UTF-8 (with or without BOM), UTF-16 or GBK.
Option Explicit

Public Const XT_VERSION As String = "0.0.0"
Private mConf As Object
Private mConfStamp As String

' ------------------------------------------------------------------------------------------
' ribbon

Public Sub XT_RibbonLoaded(ribbon As IRibbonUI)
    On Error Resume Next
    XT_RegisterFunctions
End Sub

Public Sub XT_OnButton(control As IRibbonControl)
    On Error GoTo failed
    If control.Tag = "about" Then
        XT_About
    Else
        XT_Run control.Tag
    End If
    Exit Sub
failed:
    XT_Fail Err.Description, Err.Number
End Sub

' ------------------------------------------------------------------------------------------
' plain macros (Alt+F8, or assign to a shape)

Public Sub XT_NewForm()
    XT_Run "new_form"
End Sub

Public Sub XT_ImportWord()
    XT_Run "import_word"
End Sub

Public Sub XT_Recalculate()
    XT_Run "recalculate"
End Sub

Public Sub XT_Validate()
    XT_Run "validate"
End Sub

Public Sub XT_ClearMarks()
    XT_Run "clear_marks"
End Sub

Public Sub XT_ConsolidateWorkbook()
    XT_Run "consolidate_workbook"
End Sub

Public Sub XT_ConsolidateFolder()
    XT_Run "consolidate_folder"
End Sub

Public Sub XT_DraftReport()
    XT_Run "draft_report"
End Sub

' ------------------------------------------------------------------------------------------
' running Python

Public Sub XT_Run(ByVal action As String)
    On Error GoTo failed
    If Not XT_IsName(action) Then
        XT_Fail "tag=" & action, 0
        Exit Sub
    End If
    If Not XT_Preflight(action <> "about") Then Exit Sub
    RunPython "import xltools.excel.macros as m; m." & action & "()"
    Exit Sub
failed:
    XT_Fail Err.Description, Err.Number
End Sub

Private Function XT_IsName(ByVal s As String) As Boolean
    Dim i As Long, c As String
    If Len(s) = 0 Then Exit Function
    For i = 1 To Len(s)
        c = Mid$(s, i, 1)
        If Not (c Like "[a-z0-9_]") Then Exit Function
    Next i
    XT_IsName = True
End Function

' True when Python may be started; otherwise a Chinese message box says what to do.
Public Function XT_Preflight(Optional ByVal needWorkbook As Boolean = True) As Boolean
    Dim msg As String
    msg = XT_WorkbookProblem(needWorkbook)
    If msg = "" Then msg = XT_InterpreterProblem()
    If msg = "" Then
        XT_Preflight = True
    Else
        MsgBox msg, vbExclamation, XT_Title()
    End If
End Function

Public Function XT_WorkbookProblem(ByVal needWorkbook As Boolean) As String
    Dim pv As Object, wb As Object
    On Error Resume Next
    Set pv = Application.ActiveProtectedViewWindow
    Set wb = Application.ActiveWorkbook
    On Error GoTo 0
    If Not pv Is Nothing Then
        XT_WorkbookProblem = XT_U("\u6B64\u6587\u4EF6\u5904\u4E8E\u201C\u53D7\u4FDD\u62A4\u7684\u89C6\u56FE\u201D\u3002\u8BF7\u5148\u70B9\u51FB\u7A97\u53E3\u4E0A\u65B9\u9EC4\u8272\u63D0\u793A\u6761\u4E2D\u7684\u201C\u542F\u7528\u7F16\u8F91\u201D\uFF0C\u518D\u4F7F\u7528\u201C\u7EE9\u6548\u81EA\u8BC4\u201D\u529F\u80FD\u3002")
    ElseIf needWorkbook And wb Is Nothing Then
        XT_WorkbookProblem = XT_U("\u8BF7\u5148\u6253\u5F00\u6216\u65B0\u5EFA\u4E00\u4E2A\u5DE5\u4F5C\u7C3F\uFF0C\u518D\u4F7F\u7528\u201C\u7EE9\u6548\u81EA\u8BC4\u201D\u529F\u80FD\u3002")
    End If
End Function

Public Function XT_InterpreterProblem() As String
    Dim conf As String, py As String
    conf = XT_ConfigPath()
    If Not XT_FileExists(conf) Then
        XT_InterpreterProblem = XT_U("\u672A\u627E\u5230 xltools \u7684\u8BBE\u7F6E\u6587\u4EF6\uFF1A") & conf & vbLf & XT_U("\u8BF7\u5173\u95ED Excel\uFF0C\u8FD0\u884C xltools \u5B89\u88C5\u5305\u4E2D\u7684\u201C\u5B89\u88C5.cmd\u201D\uFF0C\u7136\u540E\u91CD\u65B0\u6253\u5F00 Excel\u3002")
        Exit Function
    End If
    py = XT_Setting("INTERPRETER_WIN")
    If py = "" Then
        XT_InterpreterProblem = XT_U("\u8BBE\u7F6E\u6587\u4EF6\u4E2D\u6CA1\u6709 Python \u4F4D\u7F6E\uFF08INTERPRETER_WIN\uFF09\uFF1A") & conf & vbLf & XT_U("\u8BF7\u5173\u95ED Excel\uFF0C\u8FD0\u884C xltools \u5B89\u88C5\u5305\u4E2D\u7684\u201C\u5B89\u88C5.cmd\u201D\uFF0C\u7136\u540E\u91CD\u65B0\u6253\u5F00 Excel\u3002")
    ElseIf Not XT_FileExists(py) Then
        XT_InterpreterProblem = XT_U("\u627E\u4E0D\u5230 Python\uFF1A") & py & vbLf & XT_U("\u8BF7\u5173\u95ED Excel\uFF0C\u8FD0\u884C xltools \u5B89\u88C5\u5305\u4E2D\u7684\u201C\u5B89\u88C5.cmd\u201D\uFF0C\u7136\u540E\u91CD\u65B0\u6253\u5F00 Excel\u3002")
    End If
End Function

Public Sub XT_Fail(ByVal detail As String, ByVal number As Long)
    On Error Resume Next
    MsgBox XT_U("\u201C\u7EE9\u6548\u81EA\u8BC4\u201D\u64CD\u4F5C\u672A\u80FD\u5B8C\u6210\uFF1A") & vbLf & detail & " (" & number & ")" & vbLf & vbLf & XT_U("\u8BF7\u70B9\u201C\u7EE9\u6548\u81EA\u8BC4 \u2192 \u5173\u4E8E/\u73AF\u5883\u68C0\u67E5\u201D\u67E5\u770B Python \u662F\u5426\u53EF\u7528\uFF1B\u5982\u4ECD\u4E0D\u884C\uFF0C\u8BF7\u5173\u95ED Excel \u540E\u91CD\u65B0\u8FD0\u884C\u201C\u5B89\u88C5.cmd\u201D\u3002"), vbCritical, XT_Title()
End Sub

' The text a worksheet function shows when Python could not be reached.
Public Function XT_UdfError(ByVal detail As String) As String
    Dim problem As String
    On Error Resume Next
    problem = XT_InterpreterProblem()
    If problem <> "" Then
        XT_UdfError = "#" & Replace(problem, vbLf, " ")
    Else
        XT_UdfError = XT_U("#xltools \u672A\u80FD\u8BA1\u7B97\uFF0C\u8BF7\u70B9\u201C\u5173\u4E8E/\u73AF\u5883\u68C0\u67E5\u201D\uFF1A") & detail
    End If
End Function

' ------------------------------------------------------------------------------------------
' about / environment check: works without Python

Public Sub XT_About()
    Dim msg As String, conf As String, py As String, problem As String
    On Error GoTo failed
    conf = XT_ConfigPath()
    py = XT_Setting("INTERPRETER_WIN")
    msg = "xltools " & XT_VERSION & " (" & ThisWorkbook.Name & ")" & vbLf
    msg = msg & XT_U("\u8BBE\u7F6E\u6587\u4EF6\uFF1A") & conf & " " & XT_Found(XT_FileExists(conf)) & vbLf
    msg = msg & "Python: " & py & " " & XT_Found(py <> "" And XT_FileExists(py)) & vbLf
    msg = msg & XT_U("Excel\uFF1A") & Application.Version & " (" & XT_Bits() & ")" & vbLf
    problem = XT_InterpreterProblem()
    If problem <> "" Then
        MsgBox msg & vbLf & problem, vbExclamation, XT_Title()
    ElseIf MsgBox(msg & vbLf & XT_U("\u70B9\u201C\u662F\u201D\u7EE7\u7EED\u68C0\u67E5 Python \u73AF\u5883\uFF08xltools\u3001xlwings\u3001\u8BC4\u5206\u89C4\u5219\u5305\uFF09\u3002"), vbYesNo + vbInformation, XT_Title()) = vbYes Then
        XT_Run "about"
    End If
    Exit Sub
failed:
    XT_Fail Err.Description, Err.Number
End Sub

Private Function XT_Found(ByVal ok As Boolean) As String
    If ok Then
        XT_Found = XT_U("\uFF08\u5DF2\u627E\u5230\uFF09")
    Else
        XT_Found = XT_U("\uFF08\u672A\u627E\u5230\uFF09")
    End If
End Function

' The Excel process's own view: x86 for 32-bit Office (also on 64-bit Windows), AMD64 for 64-bit.
Private Function XT_Bits() As String
    If XT_Expand("%PROCESSOR_ARCHITECTURE%") = "x86" Then
        XT_Bits = "32-bit"
    Else
        XT_Bits = "64-bit"
    End If
End Function

Public Function XT_Title() As String
    XT_Title = XT_U("xltools \u7EE9\u6548\u81EA\u8BC4")
End Function

' ------------------------------------------------------------------------------------------
' the one user config

Public Function XT_ConfigPath() As String
    XT_ConfigPath = XT_Expand("%LOCALAPPDATA%") & "\xltools\xltools.conf"
End Function

Public Function XT_HasSetting(ByVal key As String) As Boolean
    XT_LoadConfig
    If mConf Is Nothing Then Exit Function
    If mConf.Exists(UCase$(key)) Then XT_HasSetting = (mConf.Item(UCase$(key)) <> "")
End Function

Public Function XT_Setting(ByVal key As String) As String
    If XT_HasSetting(key) Then XT_Setting = mConf.Item(UCase$(key))
End Function

Private Sub XT_LoadConfig()
    Dim path As String, stamp As String, fso As Object, text As String
    Dim lines As Variant, i As Long, line As String, p As Long
    On Error GoTo failed
    path = XT_ConfigPath()
    Set fso = CreateObject("Scripting.FileSystemObject")
    If Not fso.FileExists(path) Then
        Set mConf = Nothing
        mConfStamp = ""
        Exit Sub
    End If
    stamp = CStr(fso.GetFile(path).DateLastModified) & "|" & CStr(fso.GetFile(path).Size)
    If stamp = mConfStamp And Not mConf Is Nothing Then Exit Sub
    Set mConf = CreateObject("Scripting.Dictionary")
    text = XT_ReadText(path)
    lines = Split(Replace(text, vbCr, vbLf), vbLf)
    For i = LBound(lines) To UBound(lines)
        line = Trim$(lines(i))
        p = InStr(line, "=")
        If Len(line) > 0 And Left$(line, 1) <> "#" And p > 1 Then
            mConf(UCase$(Trim$(Left$(line, p - 1)))) = XT_Expand(Trim$(Mid$(line, p + 1)))
        End If
    Next i
    mConfStamp = stamp
    Exit Sub
failed:
    Set mConf = Nothing
    mConfStamp = ""
End Sub

' The text of a file whatever it was saved as: UTF-8 (BOM or not), UTF-16 (BOM) or GBK.
Public Function XT_ReadText(ByVal path As String) As String
    Dim stream As Object, bytes() As Byte, charset As String, text As String
    Set stream = CreateObject("ADODB.Stream")
    stream.Type = 1
    stream.Open
    stream.LoadFromFile path
    If stream.Size = 0 Then
        stream.Close
        Exit Function
    End If
    bytes = stream.Read
    stream.Close
    charset = XT_Charset(bytes)
    Set stream = CreateObject("ADODB.Stream")
    stream.Type = 2
    stream.Charset = charset
    stream.Open
    stream.LoadFromFile path
    text = stream.ReadText
    stream.Close
    If Len(text) > 0 Then
        If AscW(Left$(text, 1)) = &HFEFF Then text = Mid$(text, 2)
    End If
    XT_ReadText = text
End Function

Public Function XT_Charset(bytes() As Byte) As String
    Dim n As Long
    n = UBound(bytes) - LBound(bytes) + 1
    If n >= 3 Then
        If bytes(0) = &HEF And bytes(1) = &HBB And bytes(2) = &HBF Then
            XT_Charset = "utf-8"
            Exit Function
        End If
    End If
    If n >= 2 Then
        If bytes(0) = &HFF And bytes(1) = &HFE Then
            XT_Charset = "unicode"
            Exit Function
        End If
        If bytes(0) = &HFE And bytes(1) = &HFF Then
            XT_Charset = "unicodeFFFE"
            Exit Function
        End If
    End If
    If XT_IsUtf8(bytes) Then
        XT_Charset = "utf-8"
    Else
        XT_Charset = "gb2312"
    End If
End Function

' Strict UTF-8 check: every lead byte followed by the right number of continuation bytes.
Public Function XT_IsUtf8(bytes() As Byte) As Boolean
    Dim i As Long, last As Long, b As Long, more As Long, k As Long
    i = LBound(bytes)
    last = UBound(bytes)
    Do While i <= last
        b = bytes(i)
        If b < &H80 Then
            more = 0
        ElseIf b >= &HC2 And b <= &HDF Then
            more = 1
        ElseIf b >= &HE0 And b <= &HEF Then
            more = 2
        ElseIf b >= &HF0 And b <= &HF4 Then
            more = 3
        Else
            Exit Function
        End If
        If i + more > last Then Exit Function
        For k = 1 To more
            If (bytes(i + k) And &HC0) <> &H80 Then Exit Function
        Next k
        i = i + more + 1
    Loop
    XT_IsUtf8 = True
End Function

Public Function XT_Expand(ByVal s As String) As String
    On Error GoTo failed
    XT_Expand = CreateObject("WScript.Shell").ExpandEnvironmentStrings(s)
    Exit Function
failed:
    XT_Expand = s
End Function

' Unicode-safe (VBA's Dir and Open use the ANSI code page).
Public Function XT_FileExists(ByVal path As String) As Boolean
    On Error Resume Next
    XT_FileExists = CreateObject("Scripting.FileSystemObject").FileExists(path)
End Function

' Decode \uXXXX escapes: the Chinese text of this ASCII module.
Public Function XT_U(ByVal s As String) As String
    Dim i As Long, out As String, code As Long
    i = 1
    Do While i <= Len(s)
        If Mid$(s, i, 2) = "\u" And i + 5 <= Len(s) Then
            code = CLng("&H" & Mid$(s, i + 2, 4))  ' four hex digits read as an Integer: fold back
            If code < 0 Then code = code + 65536
            out = out & ChrW(code)
            i = i + 6
        Else
            out = out & Mid$(s, i, 1)
            i = i + 1
        End If
    Loop
    XT_U = out
End Function
