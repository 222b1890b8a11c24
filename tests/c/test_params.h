/*
 * The tests' own record of filter parameters, with the fields that
 * EnhLeeParams had before it became opaque (0.5), and handle(), which
 * makes the library's EnhLeeParams object holding them through
 * enh_lee_params_new() and enh_lee_params_set() by name, as a program
 * would. The references in the tests read these fields; every call into
 * the library gets a handle.
 */
#ifndef ENH_LEE_TEST_PARAMS_H
#define ENH_LEE_TEST_PARAMS_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

/* Indices into the choice names below (the tests' own numbering). */
enum { FILTER_ENHANCED_LEE, FILTER_LEE, FILTER_KUAN, FILTER_GAMMA_MAP, FILTER_FROST,
       FILTER_REFINED_LEE, FILTER_LEE_SIGMA };
enum { SIGNAL_INTENSITY, SIGNAL_AMPLITUDE };
enum { STATISTIC_WINDOW, STATISTIC_RESIDUAL };
enum { BORDER_REFLECT, BORDER_MIRROR, BORDER_NEAREST, BORDER_SHRINK };
enum { COMPAT_NONE, COMPAT_SNAP, COMPAT_GEE };

static const char *const test_filter_names[] = {"enhanced_lee", "lee", "kuan", "gamma_map",
                                                "frost", "refined_lee", "lee_sigma"};
static const char *const test_signal_names[] = {"intensity", "amplitude"};
static const char *const test_statistic_names[] = {"window", "residual"};
static const char *const test_border_names[] = {"reflect", "mirror", "nearest", "shrink"};
static const char *const test_compat_names[] = {"none", "snap", "gee"};

typedef struct {
    uint32_t filter;
    uint32_t window;
    double looks; /* NaN: auto */
    double damping;
    double cu;   /* NaN: derived */
    double cmax; /* NaN: derived */
    uint32_t signal;
    uint32_t statistic;
    uint32_t border;
    uint32_t has_nodata;
    float nodata;
    uint32_t threads;
    uint32_t target_window;
    uint32_t compat;
    double sigma;
    double point_threshold; /* NaN: computed */
} TestParams;

/* The SPEC defaults, as enh_lee_params_new() holds them. */
static TestParams test_params_default(void) {
    TestParams p;
    p.filter = FILTER_ENHANCED_LEE;
    p.window = 7;
    p.looks = 1.0;
    p.damping = 1.0;
    p.cu = NAN;
    p.cmax = NAN;
    p.signal = SIGNAL_INTENSITY;
    p.statistic = STATISTIC_WINDOW;
    p.border = BORDER_REFLECT;
    p.has_nodata = 0;
    p.nodata = 0.0f;
    p.threads = 0;
    p.target_window = 3;
    p.compat = COMPAT_NONE;
    p.sigma = 0.9;
    p.point_threshold = NAN;
    return p;
}

/* The status of the last failed handle() set, or ENH_LEE_OK. */
static EnhLeeStatus handle_status = ENH_LEE_OK;

static void test_real_text(char *buf, size_t len, double v, const char *unset) {
    if (isnan(v)) {
        snprintf(buf, len, "%s", unset);
    } else {
        snprintf(buf, len, "%.17g", v);
    }
}

static const char *test_choice(const char *const *names, size_t count, uint32_t value) {
    return value < count ? names[value] : "no-such-choice";
}

#define TEST_CHOICE(names, v) test_choice(names, sizeof names / sizeof names[0], v)

/* Sets every field of `p` into `h` by name; the first failing status. */
static EnhLeeStatus test_params_set_all(EnhLeeParams *h, const TestParams *p) {
    char text[8][64];
    const char *names[16];
    const char *values[16];
    size_t n = 0, i;
    snprintf(text[0], sizeof text[0], "%u", (unsigned)p->window);
    test_real_text(text[1], sizeof text[1], p->looks, "auto");
    test_real_text(text[2], sizeof text[2], p->damping, "nan");
    test_real_text(text[3], sizeof text[3], p->cu, "");
    test_real_text(text[4], sizeof text[4], p->cmax, "");
    snprintf(text[5], sizeof text[5], "%u", (unsigned)p->threads);
    snprintf(text[6], sizeof text[6], "%u", (unsigned)p->target_window);
    test_real_text(text[7], sizeof text[7], p->point_threshold, "");
#define TEST_SET(name, value) (names[n] = (name), values[n] = (value), n++)
    TEST_SET("filter", TEST_CHOICE(test_filter_names, p->filter));
    TEST_SET("compat", TEST_CHOICE(test_compat_names, p->compat));
    TEST_SET("window", text[0]);
    TEST_SET("looks", text[1]);
    TEST_SET("damping", text[2]);
    TEST_SET("cu", text[3]);
    TEST_SET("cmax", text[4]);
    TEST_SET("signal", TEST_CHOICE(test_signal_names, p->signal));
    TEST_SET("statistic", TEST_CHOICE(test_statistic_names, p->statistic));
    TEST_SET("border", TEST_CHOICE(test_border_names, p->border));
    TEST_SET("threads", text[5]);
    TEST_SET("target_window", text[6]);
    TEST_SET("point_threshold", text[7]);
#undef TEST_SET
    for (i = 0; i < n; i++) {
        EnhLeeStatus s = enh_lee_params_set(h, names[i], values[i]);
        if (s != ENH_LEE_OK) {
            return s;
        }
    }
    {
        /* sigma and nodata last: %.9g reads back as the same float. */
        char sigma[64], nodata[64];
        EnhLeeStatus s;
        test_real_text(sigma, sizeof sigma, p->sigma, "nan");
        s = enh_lee_params_set(h, "sigma", sigma);
        if (s != ENH_LEE_OK) {
            return s;
        }
        /* A non-finite nodata marks no more pixels than none (non-finite
         * pixels are invalid anyway); the library takes it as none. */
        if (p->has_nodata != 0 && isfinite(p->nodata)) {
            snprintf(nodata, sizeof nodata, "%.9g", (double)p->nodata);
        } else {
            nodata[0] = '\0';
        }
        return enh_lee_params_set(h, "nodata", nodata);
    }
}

/* Handles live until TEST_HANDLES later ones are made, or the exit. */
#define TEST_HANDLES 16
static EnhLeeParams *test_handles[TEST_HANDLES];
static size_t test_handle_next = 0;

static void test_handles_free(void) {
    size_t i;
    for (i = 0; i < TEST_HANDLES; i++) {
        enh_lee_params_free(test_handles[i]);
        test_handles[i] = NULL;
    }
}

/* A library parameters object holding `p` (NULL for NULL), valid for the
 * next TEST_HANDLES - 1 calls of handle(); one thread only (the ring is
 * shared). A field the library refuses
 * (window 4, an unknown filter) gives NULL, with its status in
 * handle_status: the library no longer takes such values at all. */
static const EnhLeeParams *handle(const TestParams *p) {
    static int registered = 0;
    EnhLeeParams *h;
    EnhLeeStatus s;
    if (p == NULL) {
        return NULL;
    }
    if (!registered) {
        registered = 1;
        atexit(test_handles_free);
    }
    h = enh_lee_params_new();
    if (h == NULL) {
        fprintf(stderr, "enh_lee_params_new() returned NULL\n");
        abort();
    }
    s = test_params_set_all(h, p);
    handle_status = s;
    if (s != ENH_LEE_OK) {
        enh_lee_params_free(h);
        return NULL;
    }
    enh_lee_params_free(test_handles[test_handle_next]);
    test_handles[test_handle_next] = h;
    test_handle_next = (test_handle_next + 1) % TEST_HANDLES;
    return h;
}

#endif
