Attribute VB_Name = "XltoolsRibbon"
' xltools ribbon callbacks and plain macros (ASCII only: the project code page is 1252).
' Each button of the ribbon calls XT_On<Name>(control); each plain macro XT_<Name>() can be
' run from Alt+F8 or assigned to a shape. Both hand over to Python through xlwings:
'     RunPython "import xltools.excel.macros as m; m.<function>()"
' All user-facing text (Chinese) lives in Python and in customUI14.xml, never here.
Option Explicit

' Create a new project sheet in the national layout.
Public Sub XT_NewForm()
    RunPython "import xltools.excel.macros as m; m.new_form()"
End Sub

Public Sub XT_OnNewForm(control As IRibbonControl)
    XT_NewForm
End Sub

' Import the forms of a Word (.docx) file as sheets.
Public Sub XT_ImportWord()
    RunPython "import xltools.excel.macros as m; m.import_word()"
End Sub

Public Sub XT_OnImportWord(control As IRibbonControl)
    XT_ImportWord
End Sub

' Recompute execution rate, scores and total.
Public Sub XT_Recalculate()
    RunPython "import xltools.excel.macros as m; m.recalculate()"
End Sub

Public Sub XT_OnRecalculate(control As IRibbonControl)
    XT_Recalculate
End Sub

' Check the forms and mark the problem cells.
Public Sub XT_Validate()
    RunPython "import xltools.excel.macros as m; m.validate()"
End Sub

Public Sub XT_OnValidate(control As IRibbonControl)
    XT_Validate
End Sub

' Remove the marks and comments added by Validate.
Public Sub XT_ClearMarks()
    RunPython "import xltools.excel.macros as m; m.clear_marks()"
End Sub

Public Sub XT_OnClearMarks(control As IRibbonControl)
    XT_ClearMarks
End Sub

' Consolidate every form of this workbook.
Public Sub XT_ConsolidateWorkbook()
    RunPython "import xltools.excel.macros as m; m.consolidate_workbook()"
End Sub

Public Sub XT_OnConsolidateWorkbook(control As IRibbonControl)
    XT_ConsolidateWorkbook
End Sub

' Consolidate every form file of a folder.
Public Sub XT_ConsolidateFolder()
    RunPython "import xltools.excel.macros as m; m.consolidate_folder()"
End Sub

Public Sub XT_OnConsolidateFolder(control As IRibbonControl)
    XT_ConsolidateFolder
End Sub

' Show version and check the Python environment.
Public Sub XT_About()
    RunPython "import xltools.excel.macros as m; m.about()"
End Sub

Public Sub XT_OnAbout(control As IRibbonControl)
    XT_About
End Sub
