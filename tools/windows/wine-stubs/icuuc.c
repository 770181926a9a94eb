/* Stand-in for Windows' icuuc.dll, for running Qt 6 under Wine ONLY (Wine 8 has no icuuc.dll).
 *
 * Qt6Core.dll imports ICU's converter API (the 20 functions in icuuc.def) from the system ICU
 * that Windows 10 1903+ ships. Qt uses it only for encodings it does not implement itself
 * (UTF-8/16/32 and Latin-1 are Qt's own). Here every converter fails to open and the list of
 * converters is empty, so Qt keeps to its own codecs; the other functions are never reached
 * with a converter and only report an error.
 *
 * Test scaffolding for tools/windows/build.sh: it goes into the Wine prefix's system32, where
 * PyInstaller counts it as a system DLL and leaves it out of the app. NEVER shipped.
 */
#include <stddef.h>
#include <stdint.h>

typedef int UErrorCode;
typedef uint16_t UChar;
typedef struct UConverter UConverter;
typedef void (*UConverterCallback)(void);

#define U_UNSUPPORTED_ERROR 16

static void fail(UErrorCode *err)
{
    if (err && *err <= 0)
        *err = U_UNSUPPORTED_ERROR;
}

UConverter *ucnv_open(const char *name, UErrorCode *err) { (void)name; fail(err); return NULL; }
void ucnv_close(UConverter *cnv) { (void)cnv; }
void ucnv_reset(UConverter *cnv) { (void)cnv; }
int8_t ucnv_getMaxCharSize(const UConverter *cnv) { (void)cnv; return 1; }
const char *ucnv_getName(const UConverter *cnv, UErrorCode *err) { (void)cnv; fail(err); return NULL; }
int32_t ucnv_countAvailable(void) { return 0; }
const char *ucnv_getAvailableName(int32_t n) { (void)n; return NULL; }
const char *ucnv_getStandardName(const char *name, const char *standard, UErrorCode *err)
{
    (void)name; (void)standard; fail(err); return NULL;
}

void ucnv_getToUCallBack(const UConverter *cnv, UConverterCallback *action, const void **context)
{
    (void)cnv;
    if (action) *action = NULL;
    if (context) *context = NULL;
}

void ucnv_getFromUCallBack(const UConverter *cnv, UConverterCallback *action, const void **context)
{
    (void)cnv;
    if (action) *action = NULL;
    if (context) *context = NULL;
}

void ucnv_setToUCallBack(UConverter *cnv, UConverterCallback action, const void *context,
                         UConverterCallback *old_action, const void **old_context, UErrorCode *err)
{
    (void)cnv; (void)action; (void)context;
    if (old_action) *old_action = NULL;
    if (old_context) *old_context = NULL;
    fail(err);
}

void ucnv_setFromUCallBack(UConverter *cnv, UConverterCallback action, const void *context,
                           UConverterCallback *old_action, const void **old_context, UErrorCode *err)
{
    (void)cnv; (void)action; (void)context;
    if (old_action) *old_action = NULL;
    if (old_context) *old_context = NULL;
    fail(err);
}

void ucnv_toUnicode(UConverter *cnv, UChar **target, const UChar *target_limit, const char **source,
                    const char *source_limit, int32_t *offsets, int8_t flush, UErrorCode *err)
{
    (void)cnv; (void)target; (void)target_limit; (void)source; (void)source_limit;
    (void)offsets; (void)flush; fail(err);
}

void ucnv_fromUnicode(UConverter *cnv, char **target, const char *target_limit, const UChar **source,
                      const UChar *source_limit, int32_t *offsets, int8_t flush, UErrorCode *err)
{
    (void)cnv; (void)target; (void)target_limit; (void)source; (void)source_limit;
    (void)offsets; (void)flush; fail(err);
}

int32_t ucnv_toUCountPending(const UConverter *cnv, UErrorCode *err) { (void)cnv; fail(err); return 0; }
int32_t ucnv_fromUCountPending(const UConverter *cnv, UErrorCode *err) { (void)cnv; fail(err); return 0; }

void ucnv_cbToUWriteUChars(void *args, const UChar *source, int32_t length, int32_t offset, UErrorCode *err)
{
    (void)args; (void)source; (void)length; (void)offset; fail(err);
}

void ucnv_cbFromUWriteUChars(void *args, const UChar **source, const UChar *source_limit, int32_t offset,
                             UErrorCode *err)
{
    (void)args; (void)source; (void)source_limit; (void)offset; fail(err);
}

/* ICU's standard callbacks: Qt only passes their addresses to the setters above. */
void UCNV_TO_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const char *units, int32_t length,
                                   int reason, UErrorCode *err)
{
    (void)context; (void)args; (void)units; (void)length; (void)reason; fail(err);
}

void UCNV_FROM_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const UChar *units, int32_t length,
                                     int32_t code_point, int reason, UErrorCode *err)
{
    (void)context; (void)args; (void)units; (void)length; (void)code_point; (void)reason; fail(err);
}
