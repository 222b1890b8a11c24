/*
 * The tests' image descriptors and plan loop: one float32 plane as an
 * EnhLeeImage, filter_f32() (enh_lee_filter on one plane, with the
 * arguments of the tests' older per-plane calls), and plan_counted(),
 * which makes a plan and runs its counting passes over strips, last strip
 * first, as a front end reading a raster in pieces would.
 */
#ifndef ENH_LEE_TEST_IMAGE_H
#define ENH_LEE_TEST_IMAGE_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* `planes` planes of h rows of w float32 pixels, rows `stride` bytes
 * apart, planes `plane_stride` bytes apart. */
static inline EnhLeeImage image_planes(const void *data, size_t w, size_t h, size_t stride,
                                size_t planes, size_t plane_stride) {
    EnhLeeImage image;
    memset(&image, 0, sizeof image);
    image.data = (void *)(uintptr_t)data;
    image.element = ENH_LEE_ELEMENT_FLOAT32;
    image.width = w;
    image.height = h;
    image.row_stride = stride;
    image.planes = planes;
    image.plane_stride = plane_stride;
    return image;
}

/* One plane of h rows of w float32 pixels, rows `stride` bytes apart. */
static inline EnhLeeImage image1(const void *data, size_t w, size_t h, size_t stride) {
    return image_planes(data, w, h, stride, 1, 0);
}

/* enh_lee_filter on one float32 plane. */
static inline EnhLeeStatus filter_f32(const float *src, size_t src_stride, float *dst, size_t dst_stride,
                               size_t w, size_t h, const EnhLeeParams *params, void *scratch,
                               size_t scratch_bytes) {
    EnhLeeImage s = image1(src, w, h, src_stride), d = image1(dst, w, h, dst_stride);
    return enh_lee_filter(params, &s, &d, scratch, scratch_bytes);
}

/* Runs every counting pass of `plan` over the contiguous image `img`
 * (planes w*h floats apart), in strips of `rows` rows (rounded up to the
 * plan's alignment; 0: enh_lee_plan_strip_rows), the last strip first.
 * The number of passes, or -1 on an error (status in *status). */
static inline int plan_passes(EnhLeePlan *plan, const float *img, size_t w, size_t h, size_t planes,
                       size_t rows, EnhLeeStatus *status) {
    size_t n = 0, align = 1;
    int passes = 0;
    EnhLeeStatus s;
    if ((s = enh_lee_plan_alignment(plan, &align)) != ENH_LEE_OK ||
        (rows == 0 && (s = enh_lee_plan_strip_rows(plan, &rows)) != ENH_LEE_OK)) {
        *status = s;
        return -1;
    }
    rows = (rows + align - 1) / align * align;
    while ((s = enh_lee_plan_tally_len(plan, &n)) == ENH_LEE_OK && n > 0) {
        uint64_t *tally = calloc(n, sizeof *tally);
        size_t y = (h - 1) / rows * rows;
        if (tally == NULL) {
            abort();
        }
        for (;; y -= rows) {
            const size_t th = y + rows < h ? rows : h - y;
            EnhLeeImage piece = image_planes(img + y * w, w, th, 4 * w, planes, 4 * w * h);
            s = enh_lee_plan_count(plan, &piece, 0, y, tally, n);
            if (s != ENH_LEE_OK || y == 0) {
                break;
            }
        }
        if (s == ENH_LEE_OK) {
            s = enh_lee_plan_step(plan, tally, n);
        }
        free(tally);
        if (s != ENH_LEE_OK) {
            *status = s;
            return -1;
        }
        passes++;
    }
    *status = s;
    return s == ENH_LEE_OK ? passes : -1;
}

/* A new plan of `img` (w x h, `planes` contiguous planes) with its passes
 * run in strips of `rows` (see plan_passes); NULL, after a failed CHECK,
 * on any error. */
static inline EnhLeePlan *plan_counted(const EnhLeeParams *params, const float *img, size_t w, size_t h,
                                size_t planes, uint32_t flags, size_t rows) {
    EnhLeePlan *plan = NULL;
    EnhLeeStatus s = enh_lee_plan_new(params, w, h, planes, flags, &plan);
    CHECK_MSG(s == ENH_LEE_OK, "enh_lee_plan_new returned %d (%s)", (int)s,
              enh_lee_status_message(s));
    if (s != ENH_LEE_OK) {
        return NULL;
    }
    if (plan_passes(plan, img, w, h, planes, rows, &s) < 0) {
        CHECK_MSG(0, "a plan pass returned %d (%s)", (int)s, enh_lee_status_message(s));
        enh_lee_plan_free(plan);
        return NULL;
    }
    return plan;
}

/* Plane `plane`'s resolved parameter `name` of a ready plan, as a number
 * (NaN when it cannot be read). */
static inline double plan_number(const EnhLeePlan *plan, size_t plane, const char *name) {
    EnhLeeParams *resolved = NULL;
    char buf[64];
    size_t len = 0;
    double v = NAN;
    if (enh_lee_plan_params(plan, plane, &resolved) != ENH_LEE_OK) {
        return NAN;
    }
    if (enh_lee_params_get(resolved, name, buf, sizeof buf, &len) == ENH_LEE_OK && len > 0) {
        v = strtod(buf, NULL);
    }
    enh_lee_params_free(resolved);
    return v;
}

#endif
