; Installer of Cận Nghèo Desktop for Windows 10/11 (64-bit), built by tools/windows/build.sh:
;   makensis -DVERSION=0.1.0 -DVI_VERSION=0.1.0.0 -DAPP_DIR=<PyInstaller's dist/CanNgheoDesktop>
;            -DOUTFILE=<…-setup.exe> tools/windows/installer.nsi
;
; Per user, no administrator rights: the program goes to %LOCALAPPDATA%\Programs\CanNgheoDesktop,
; shortcuts to the user's Start menu and desktop, the uninstaller is listed in the user's
; "Apps & features". The DATA FOLDER %LOCALAPPDATA%\CanNgheoDesktop (databases, backups, logs) is
; never written by the installer and never removed by the uninstaller (see docs/windows.md).
; Silent: setup.exe /S (and /D=C:\other\folder as the LAST argument); Uninstall.exe /S.

Target amd64-unicode         ; 64-bit like the app (Qt 6: 64-bit Windows 10/11 only); Unicode
ManifestDPIAware true
SetCompressor /SOLID lzma

!ifndef VERSION | APP_DIR | OUTFILE
  !error "Run through tools/windows/build.sh (VERSION, APP_DIR and OUTFILE are required)"
!endif
!ifndef VI_VERSION
  !define VI_VERSION "0.0.0.0"
!endif

!define APP_NAME "Cận Nghèo Desktop"
!define APP_ID "CanNgheoDesktop"                ; folder names and registry keys: ASCII on purpose
!define APP_EXE "CanNgheoDesktop.exe"
!define CONSOLE_EXE "CanNgheoDesktop-console.exe"
!define UNINSTALLER "Uninstall.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
!define SETTINGS_KEY "Software\${APP_ID}"
!define SHORTCUT "${APP_NAME}.lnk"

Name "${APP_NAME}"
Caption "Cài đặt ${APP_NAME} ${VERSION}"
UninstallCaption "Gỡ ${APP_NAME}"
BrandingText "${APP_NAME} ${VERSION}"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APP_ID}"
InstallDirRegKey HKCU "${SETTINGS_KEY}" "InstallDir"

!include "MUI2.nsh"
!include "FileFunc.nsh"

!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"
!define MUI_FINISHPAGE_TEXT "${APP_NAME} đã được cài cho người dùng này.$\r$\n$\r$\nDữ liệu nằm trong thư mục $LOCALAPPDATA\${APP_ID} (gỡ chương trình vẫn giữ thư mục này)."
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Vietnamese"

VIProductVersion "${VI_VERSION}"
VIAddVersionKey /LANG=${LANG_VIETNAMESE} "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=${LANG_VIETNAMESE} "FileDescription" "Cài đặt ${APP_NAME}"
VIAddVersionKey /LANG=${LANG_VIETNAMESE} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_VIETNAMESE} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_VIETNAMESE} "LegalCopyright" "${APP_NAME}"

; The program folder must never be the data folder: the uninstaller empties the program folder.
Function .onVerifyInstDir
  StrCmp "$INSTDIR" "$LOCALAPPDATA\${APP_ID}" 0 +2
    Abort
FunctionEnd

Section "${APP_NAME}" SecMain
  SectionIn RO
  SetShellVarContext current
  ; A new version replaces the program files whole (data is elsewhere): no stale DLL survives.
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${APP_DIR}/*"
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"

  CreateShortcut "$SMPROGRAMS\${SHORTCUT}" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0 \
    SW_SHOWNORMAL "" "Quản lý hộ nghèo, hộ cận nghèo"
  CreateShortcut "$DESKTOP\${SHORTCUT}" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0 \
    SW_SHOWNORMAL "" "Quản lý hộ nghèo, hộ cận nghèo"

  WriteRegStr HKCU "${SETTINGS_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "Uninstall"
  SetShellVarContext current
  Delete "$SMPROGRAMS\${SHORTCUT}"
  Delete "$DESKTOP\${SHORTCUT}"
  ; Only what the installer put there; the folder itself goes only if nothing else is left in it.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${APP_EXE}"
  Delete "$INSTDIR\${CONSOLE_EXE}"
  Delete "$INSTDIR\${UNINSTALLER}"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "${SETTINGS_KEY}"
  ; The data folder is KEPT: $LOCALAPPDATA\${APP_ID} (databases, automatic backups, logs).
  DetailPrint "Dữ liệu vẫn được giữ trong $LOCALAPPDATA\${APP_ID}."
SectionEnd
