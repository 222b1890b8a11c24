/*
 * Minimal use of the enh-lee C API: filter a float32 image with the
 * Enhanced Lee filter, with a scratch buffer the caller owns.
 *
 *   cc -std=c11 minimal.c $(pkg-config --cflags --libs enh_lee) -o minimal
 *
 * or, from CMake: find_package(EnhLee) and
 * target_link_libraries(minimal PRIVATE EnhLee::enh_lee).
 */
#include <stdio.h>
#include <stdlib.h>

#include <enh_lee.h>

int main(void) {
    const size_t width = 64, height = 48;
    float *image = malloc(width * height * sizeof(float));
    float *filtered = malloc(width * height * sizeof(float));
    void *scratch = NULL;
    size_t scratch_bytes = 0;
    size_t x, y;
    EnhLeeStatus status;
    EnhLeeParams *params = enh_lee_params_new();
    int rc = EXIT_FAILURE;

    if (image == NULL || filtered == NULL || params == NULL) {
        fprintf(stderr, "out of memory\n");
        goto done;
    }
    /* A synthetic 4-look intensity image: a bright square on a dark field,
     * with a deterministic pseudo-random "speckle". */
    for (y = 0; y < height; y++) {
        for (x = 0; x < width; x++) {
            float level = (x > 20 && x < 44 && y > 12 && y < 36) ? 10.0f : 1.0f;
            float speckle = 0.5f + (float)((x * 7919u + y * 104729u) % 1000u) / 1000.0f;
            image[y * width + x] = level * speckle;
        }
    }
    image[5 * width + 5] = -9999.0f; /* a nodata pixel: copied unchanged */

    /* Start from the defaults (window 7, 1 look, reflect border, ...) and
     * set parameters by name from text; each value is checked here. */
    if (enh_lee_params_set(params, "window", "7") != ENH_LEE_OK ||
        enh_lee_params_set(params, "looks", "4") != ENH_LEE_OK ||
        enh_lee_params_set(params, "nodata", "-9999") != ENH_LEE_OK) {
        fprintf(stderr, "enh_lee_params_set failed\n");
        goto done;
    }

    /* Ask how much scratch the call needs and allocate it (or pass NULL
     * and 0 to let the library allocate it for the call). */
    status = enh_lee_scratch_size(width, height, params, &scratch_bytes);
    if (status != ENH_LEE_OK) {
        fprintf(stderr, "enh_lee_scratch_size: %s\n", enh_lee_status_message(status));
        goto done;
    }
    scratch = malloc(scratch_bytes);
    if (scratch == NULL) {
        fprintf(stderr, "out of memory\n");
        goto done;
    }

    /* An image descriptor per buffer: one plane of float32 rows, strides
     * in bytes (these rows are contiguous). */
    {
        EnhLeeImage src = {0}, dst = {0};
        src.data = image;
        src.element = ENH_LEE_ELEMENT_FLOAT32;
        src.width = width;
        src.height = height;
        src.row_stride = width * sizeof(float);
        src.planes = 1;
        dst = src;
        dst.data = filtered;
        status = enh_lee_filter(params, &src, &dst, scratch, scratch_bytes);
    }
    if (status != ENH_LEE_OK) {
        fprintf(stderr, "enh_lee_filter: %s\n", enh_lee_status_message(status));
        goto done;
    }
    printf("enh-lee %s: filtered %zux%zu pixels with %zu bytes of scratch: %s\n",
           enh_lee_version(), width, height, scratch_bytes, enh_lee_status_message(status));
    printf("pixel (32,24): %.4f -> %.4f; nodata pixel (5,5): %.1f -> %.1f\n",
           image[24 * width + 32], filtered[24 * width + 32], image[5 * width + 5],
           filtered[5 * width + 5]);

    /* Errors come back as a status code with a message; nothing is changed. */
    status = enh_lee_params_set(params, "window", "8");
    printf("window 8: status %d (%s)\n", (int)status, enh_lee_status_message(status));
    if (status != ENH_LEE_ERROR_INVALID_WINDOW) {
        goto done;
    }
    rc = EXIT_SUCCESS;

done:
    enh_lee_params_free(params);
    free(scratch);
    free(filtered);
    free(image);
    return rc;
}
