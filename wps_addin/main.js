// Entry of the xltools WPS 加载项: the callbacks ribbon.xml names, bound to js/ribbon.js.
"use strict";
window.OnAddinLoad = function (ribbonUI) { return XLT.ribbon.onLoad(ribbonUI); };
window.OnAction = function (control) { return XLT.ribbon.onAction(control); };
window.GetImage = function (control) { return XLT.ribbon.image(control); };
