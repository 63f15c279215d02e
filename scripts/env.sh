# Sourced by scripts/run-demo and .ci/run: installs what is missing on a Debian machine and
# puts the project's virtual environment on PATH. Idempotent and quiet when all is present.
set -euo pipefail
export UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1 PYTHONUNBUFFERED=1
# chromium: browser tests; fonts-noto-cjk: Chinese in PDFs and screenshots; poppler-utils: PDF checks;
# pango/harfbuzz: WeasyPrint; default-jre-headless: PySpark; postgresql: a throw-away test cluster;
# nginx-light + libnginx-mod-rtmp + ffmpeg: the video library's media server and simulated cameras.
APT_PKGS="chromium fonts-noto-cjk poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
  nginx-light libnginx-mod-rtmp ffmpeg"

ensure_apt() {
  local missing=() p
  for p in $APT_PKGS "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    [ "$(id -u)" -eq 0 ] || { echo "please install (as root): apt-get install ${missing[*]}" >&2; return 1; }
    echo "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_java() {
  command -v java >/dev/null 2>&1 || ensure_apt default-jre-headless
}

find_python() {
  local c root
  root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
  for c in "${PYTHON:-}" "$root"/versions/3.12*/bin/python3.12 "$root"/versions/3.13*/bin/python3.13 \
           python3.12 python3.13 python3; do
    [ -n "$c" ] || continue
    c=$(command -v "$c" 2>/dev/null) || continue
    "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo "$c"; return; }
  done
  echo "no Python >= 3.12 found; set PYTHON=/path/to/python3.12" >&2
  return 1
}

ensure_venv() {
  local py
  py=$(find_python)
  if ! "$py" -m uv --version >/dev/null 2>&1; then
    "$py" -m pip install -q uv 2>/dev/null || "$py" -m pip install -q --break-system-packages uv
  fi
  "$py" -m uv sync --locked --inexact --python "$py" "$@"
  export PATH="$PWD/.venv/bin:$PATH" VIRTUAL_ENV="$PWD/.venv"
}
