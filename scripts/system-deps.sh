#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real: headless Chromium
# (Playwright uses it through executable_path; never `playwright install`),
# LibreOffice Writer/Calc (renders exported documents), poppler (pdftotext), a
# pinned CJK font, and axe-core from npm. Skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in chromium libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fonts-wqy-microhei redis-server wrk; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "缺少系统软件包：${need[*]}。请以 root 身份运行 scripts/system-deps.sh。" >&2
    exit 1
  fi
  echo "Installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -f node_modules/axe-core/axe.min.js ]; then
  npm install --no-audit --no-fund --silent >/dev/null
fi
