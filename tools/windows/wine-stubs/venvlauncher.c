/* Stand-in for CPython's venvlauncher.exe, which the embeddable distribution leaves out.
 *
 * tools/windows/build.sh makes the embeddable CPython look like a regular install (Lib\, DLLs\,
 * Lib\venv), so `python -m venv` works in the tests (tests/test_packaging.py builds one). venv
 * copies Lib\venv\scripts\nt\python.exe into the new environment's Scripts\; that file is this
 * program. Like CPython's own launcher it reads `home` from pyvenv.cfg (beside it or one folder
 * up), sets __PYVENV_LAUNCHER__ to its own path (the base interpreter then takes the
 * environment's prefix and site-packages) and runs home\<its own name> with the same arguments,
 * returning its exit code.
 *
 * Test scaffolding for the Wine prefix only. NEVER shipped (the app is frozen by PyInstaller).
 */
#include <windows.h>
#include <stdio.h>
#include <wchar.h>

static int fail(const wchar_t *what)
{
    fwprintf(stderr, L"venvlauncher: %ls (error %lu)\n", what, GetLastError());
    return 101;
}

/* The value of `home = ...` in dir\pyvenv.cfg, or FALSE. */
static BOOL read_home(const wchar_t *dir, wchar_t *home, DWORD size)
{
    wchar_t cfg[MAX_PATH * 2];
    char text[8192];
    DWORD got = 0;
    swprintf(cfg, sizeof cfg / sizeof *cfg, L"%ls\\pyvenv.cfg", dir);
    HANDLE file = CreateFileW(cfg, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (file == INVALID_HANDLE_VALUE)
        return FALSE;
    BOOL ok = ReadFile(file, text, sizeof text - 1, &got, NULL);
    CloseHandle(file);
    if (!ok)
        return FALSE;
    text[got] = 0;
    for (char *line = strtok(text, "\r\n"); line; line = strtok(NULL, "\r\n")) {
        while (*line == ' ' || *line == '\t') line++;
        if (_strnicmp(line, "home", 4) != 0)
            continue;
        char *value = line + 4;
        while (*value == ' ' || *value == '\t') value++;
        if (*value++ != '=')
            continue;
        while (*value == ' ' || *value == '\t') value++;
        char *end = value + strlen(value);
        while (end > value && (end[-1] == ' ' || end[-1] == '\t')) *--end = 0;
        return MultiByteToWideChar(CP_UTF8, 0, value, -1, home, (int)size) > 0;
    }
    return FALSE;
}

int wmain(void)
{
    wchar_t self[MAX_PATH * 2], dir[MAX_PATH * 2], home[MAX_PATH * 2];
    DWORD length = GetModuleFileNameW(NULL, self, sizeof self / sizeof *self);
    if (length == 0 || length >= sizeof self / sizeof *self)
        return fail(L"cannot find own path");
    wcscpy(dir, self);
    wchar_t *name = wcsrchr(dir, L'\\');
    *name++ = 0;  /* dir = the Scripts folder, name = python.exe or pythonw.exe */
    wchar_t *parent_end = wcsrchr(dir, L'\\');
    BOOL found = read_home(dir, home, sizeof home / sizeof *home);
    if (!found && parent_end) {
        *parent_end = 0;
        found = read_home(dir, home, sizeof home / sizeof *home);
        *parent_end = L'\\';
    }
    if (!found)
        return fail(L"no 'home' in pyvenv.cfg");

    /* The arguments as given: the command line minus the program name. */
    const wchar_t *args = GetCommandLineW();
    if (*args == L'"') {
        args = wcschr(args + 1, L'"');
        args = args ? args + 1 : L"";
    } else {
        while (*args && *args != L' ' && *args != L'\t') args++;
    }
    size_t size = wcslen(home) + wcslen(name) + wcslen(args) + 8;
    wchar_t *program = HeapAlloc(GetProcessHeap(), 0, size * sizeof(wchar_t));
    wchar_t *command = HeapAlloc(GetProcessHeap(), 0, size * sizeof(wchar_t));
    if (!program || !command)
        return fail(L"out of memory");
    swprintf(program, size, L"%ls\\%ls", home, name);
    swprintf(command, size, L"\"%ls\"%ls", program, args);
    if (!SetEnvironmentVariableW(L"__PYVENV_LAUNCHER__", self))
        return fail(L"cannot set __PYVENV_LAUNCHER__");

    STARTUPINFOW startup;
    PROCESS_INFORMATION child;
    GetStartupInfoW(&startup);
    if (!CreateProcessW(program, command, NULL, NULL, TRUE, 0, NULL, NULL, &startup, &child))
        return fail(program);
    /* The child dies with the launcher (a killed test must not leave python.exe behind). */
    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (job) {
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = {0};
        limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits);
        AssignProcessToJobObject(job, child.hProcess);
    }
    WaitForSingleObject(child.hProcess, INFINITE);
    DWORD code = 1;
    GetExitCodeProcess(child.hProcess, &code);
    return (int)code;
}
