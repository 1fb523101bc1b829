#!/bin/sh
# Install the xltools WPS add-in for the current user on Linux (UOS / 麒麟 / Debian WPS).
# Offline: copies this folder's add-in into ~/.local/share/Kingsoft/wps/jsaddons and registers it
# in jsplugins.xml and publish.xml (other add-ins' lines are kept). Run with WPS closed.
set -eu
HERE=$(cd "$(dirname "$0")/.." && pwd)
NAME=xltools_1.0.0
DEST="${HOME}/.local/share/Kingsoft/wps/jsaddons"
LINE='  <jsplugin name="xltools" type="et" url="xltools_1.0.0" version="1.0.0" enable="enable_dev" install="null"/>'
mkdir -p "$DEST/$NAME"
cp -R "$HERE/ribbon.xml" "$HERE/index.html" "$HERE/main.js" "$HERE/js" "$HERE/images" "$DEST/$NAME/"
for FILE in jsplugins.xml publish.xml; do
  XML="$DEST/$FILE"
  if [ ! -f "$XML" ]; then
    printf '%s\n%s\n</jsplugins>\n' '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' '<jsplugins>' > "$XML"
  fi
  grep -v 'name="xltools"' "$XML" | sed "s#</jsplugins>#$LINE\n</jsplugins>#" > "$XML.new"
  mv "$XML.new" "$XML"
done
echo "已安装 xltools WPS 加载项到 $DEST/$NAME ；请重新启动 WPS 表格，功能区将出现“绩效自评”选项卡。"
