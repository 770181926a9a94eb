/* Stand-in for Windows' bcryptprimitives.dll, for running under Wine ONLY (Wine 8 has none).
 *
 * The Rust standard library in `cryptography`'s _rust.pyd imports ProcessPrng, the system's
 * random generator on Windows 10+. Here it is the same generator reached through the documented
 * BCryptGenRandom (Wine implements it over the host's random source).
 *
 * Test scaffolding for tools/windows/build.sh: it goes into the Wine prefix's system32, where
 * PyInstaller counts it as a system DLL and leaves it out of the app. NEVER shipped.
 */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
    while (size > 0) {
        ULONG chunk = size > 0x40000000 ? 0x40000000 : (ULONG)size;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return FALSE;  /* Windows' own never fails; callers treat FALSE as fatal */
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
