/* amx.c — whether this process may use AMX's bfloat16 tiles. A CPU that
 * lists AMX in CPUID is not enough: the OS must save the tile state (XCR0),
 * the tile palette must be there (some guests advertise AMX and fault), and
 * Linux hands the tile data to a process only after it asks for it
 * (arch_prctl ARCH_REQ_XCOMP_PERM), which is asked here. */
#define _DEFAULT_SOURCE   /* syscall */
#if defined(__x86_64__) && defined(__linux__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "bf16.h"

#if defined(__x86_64__) && defined(__linux__)
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18
#define XCR0_TILES (3ull << 17)   /* XTILECFG and XTILEDATA */

static unsigned long long xcr0(void)
{
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (unsigned long long)hi << 32 | lo;
}

int nnc__cpu_amx_usable(void)
{
    unsigned a, b, c, d;
    if (__get_cpuid_max(0, NULL) < 0x1d)
        return 0;
    __cpuid_count(1, 0, a, b, c, d);
    if (!(c & bit_OSXSAVE))
        return 0;
    __cpuid_count(7, 0, a, b, c, d);
    int tile = d >> 24 & 1, bf16 = d >> 22 & 1;
    if (!tile || !bf16 || (xcr0() & XCR0_TILES) != XCR0_TILES)
        return 0;
    /* palette 1 with the 8 tiles of 16 rows x 64 bytes that bf16 kernels use */
    __cpuid_count(0x1d, 0, a, b, c, d);
    if (a < 1)
        return 0;
    __cpuid_count(0x1d, 1, a, b, c, d);
    if ((b >> 16) < 8 || (b & 0xffff) < 64 || (c & 0xffff) < 16)
        return 0;
    return syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
}
#else
int nnc__cpu_amx_usable(void) { return 0; }
#endif
