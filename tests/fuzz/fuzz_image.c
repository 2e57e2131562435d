/* fuzz_image.c — nnc_image_load on a PNG, JPEG or PGM, centred as MNIST's digits
 * or scaled, at a size taken from the input's first byte. */
#include "fuzz_util.h"
#include "nnc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t side = 1 + data[0] % 32;
    float out[32 * 32];
    (void)nnc_image_load(fuzz_file("image", data + 1, size - 1), side, side,
                         (nnc_invert)(data[0] >> 5 & 3) % 3, data[0] >> 7, out);
    return 0;
}
