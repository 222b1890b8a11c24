/*
 * The small functions of the C API: version, the parameters object (new,
 * copy, free, set, get, validate), status messages, scratch-size and halo
 * queries, and the ABI of the public types.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "test_image.h"

/* The highest status code this version defines. */
#define LAST_STATUS ENH_LEE_ERROR_INVALID_PLAN

static void test_version(void) {
    char expected[64];
    const char *v = enh_lee_version();
    snprintf(expected, sizeof expected, "%d.%d.%d", ENH_LEE_VERSION_MAJOR, ENH_LEE_VERSION_MINOR,
             ENH_LEE_VERSION_PATCH);
    CHECK(v != NULL);
    if (v != NULL) {
        CHECK_MSG(strcmp(v, expected) == 0, "enh_lee_version() = \"%s\", header says \"%s\"", v,
                  expected);
        /* Static: the same pointer every time. */
        CHECK(enh_lee_version() == v);
    }
}

/* A new parameters object, or abort (the tests cannot go on without). */
static EnhLeeParams *params_new(void) {
    EnhLeeParams *p = enh_lee_params_new();
    if (p == NULL) {
        fprintf(stderr, "enh_lee_params_new() returned NULL\n");
        abort();
    }
    return p;
}

/* Sets `name` to `value`, which must be accepted. */
static void set(EnhLeeParams *p, const char *name, const char *value) {
    CHECK_MSG(enh_lee_params_set(p, name, value) == ENH_LEE_OK, "set %s=%s", name, value);
}

/* Reads parameter `name` of `p` back as text (into a static buffer). */
static const char *get(const EnhLeeParams *p, const char *name) {
    static char buf[64];
    size_t len = 0;
    CHECK_STATUS(enh_lee_params_get(p, name, NULL, 0, &len), ENH_LEE_OK);
    CHECK(len < sizeof buf);
    CHECK_STATUS(enh_lee_params_get(p, name, buf, sizeof buf, &len), ENH_LEE_OK);
    CHECK(strlen(buf) == len);
    return buf;
}

static void test_params_default(void) {
    const char *const defaults[][2] = {
        {"filter", "enhanced_lee"}, {"window", "7"},          {"looks", "1"},
        {"damping", "1"},           {"cu", ""},               {"cmax", ""},
        {"signal", "intensity"},    {"statistic", "window"},  {"border", "reflect"},
        {"nodata", ""},             {"threads", "0"},         {"compat", "none"},
    };
    EnhLeeParams *p = params_new();
    size_t i;
    for (i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        CHECK_MSG(strcmp(get(p, defaults[i][0]), defaults[i][1]) == 0, "%s: \"%s\"",
                  defaults[i][0], get(p, defaults[i][0]));
    }
    CHECK_STATUS(enh_lee_params_validate(p), ENH_LEE_OK);
    enh_lee_params_free(p);
}

/* A copy holds the same values and is independent of the original. */
static void test_params_copy_free(void) {
    EnhLeeParams *p = params_new();
    EnhLeeParams *q;
    set(p, "window", "9");
    set(p, "filter", "lee_sigma");
    set(p, "nodata", "-9999");
    q = enh_lee_params_copy(p);
    CHECK(q != NULL && q != p);
    if (q != NULL) {
        CHECK(strcmp(get(q, "window"), "9") == 0);
        CHECK(strcmp(get(q, "filter"), "lee_sigma") == 0);
        CHECK(strcmp(get(q, "nodata"), "-9999") == 0);
        /* Setting the copy leaves the original alone, and the other way. */
        set(q, "window", "11");
        set(q, "nodata", "");
        CHECK(strcmp(get(p, "window"), "9") == 0);
        CHECK(strcmp(get(p, "nodata"), "-9999") == 0);
        set(p, "border", "shrink");
        CHECK(strcmp(get(q, "border"), "reflect") == 0);
        /* The copy outlives its original. */
        enh_lee_params_free(p);
        p = NULL;
        CHECK(strcmp(get(q, "window"), "11") == 0);
        enh_lee_params_free(q);
    }
    enh_lee_params_free(p);
    CHECK(enh_lee_params_copy(NULL) == NULL);
    enh_lee_params_free(NULL); /* a no-op */
}

/* Every export that takes parameters refuses NULL ones, its other
 * arguments valid, and writes nothing. */
static void test_null_params(void) {
    enum { NW = 32, NH = 32 };
    static float src[NW * NH], dst[NW * NH];
    EnhLeeRegion tile = {0, 0, NW, NH}, out_region = {1, 2, 3, 4};
    EnhLeeImage si = image1(src, NW, NH, 4 * NW), di = image1(dst, NW, NH, 4 * NW);
    EnhLeeImage complex = image1(src, NW / 2, NH, 4 * NW);
    EnhLeePlan *plan = (EnhLeePlan *)&tile;
    size_t n = 77, i, len = 99;
    char buf[16] = "x";
    const EnhLeeStatus null = ENH_LEE_ERROR_NULL_POINTER;
    complex.element = ENH_LEE_ELEMENT_COMPLEX_FLOAT32;
    for (i = 0; i < NW * NH; i++) {
        src[i] = (float)(1.0 + (double)((i * 7919u) % 23u) * 0.37);
        dst[i] = -1.0f;
    }
    CHECK_STATUS(enh_lee_scratch_size(NW, NH, NULL, &n), null);
    CHECK_STATUS(enh_lee_halo(NULL, &n), null);
    CHECK(n == 77);
    CHECK_STATUS(enh_lee_filter(NULL, &si, &di, NULL, 0), null);
    CHECK_STATUS(enh_lee_plan_new(NULL, NW, NH, 1, 0, &plan), null);
    CHECK(plan == (EnhLeePlan *)&tile);
    CHECK_STATUS(enh_lee_detect_cf32(src, 8 * (NW / 2), dst, 4 * NW / 2, NW / 2, NH, NULL), null);
    complex.width = NW / 2;
    di.width = NW / 2;
    CHECK_STATUS(enh_lee_detect(NULL, &complex, &di), null);
    CHECK_STATUS(enh_lee_source_region(NW, NH, &tile, NULL, &out_region), null);
    CHECK(out_region.x_off == 1 && out_region.height == 4);
    CHECK_STATUS(enh_lee_params_set(NULL, "window", "3"), null);
    CHECK_STATUS(enh_lee_params_get(NULL, "window", buf, sizeof buf, &len), null);
    CHECK(buf[0] == 'x' && len == 99);
    CHECK_STATUS(enh_lee_params_validate(NULL), null);
    for (i = 0; i < NW * NH; i++) {
        CHECK_MSG(dst[i] == -1.0f, "dst[%zu] written", i);
        if (dst[i] != -1.0f) {
            break;
        }
    }
}

/* Every export of images and plans refuses a NULL plan, image, tally or
 * output, its other arguments valid, and writes nothing. */
static void test_null_plan(void) {
    enum { NW = 32, NH = 32 };
    static float src[NW * NH], dst[NW * NH];
    EnhLeeParams *params = params_new();
    EnhLeePlan *plan = NULL, *auto_plan = NULL, *keep;
    EnhLeeImage si = image1(src, NW, NH, 4 * NW), di = image1(dst, NW, NH, 4 * NW);
    EnhLeeRegion whole = {0, 0, NW, NH};
    EnhLeeQualityReport report;
    EnhLeeParams *out_params = NULL;
    uint64_t tally[1] = {0};
    size_t n = 77, len = 99, i;
    char buf[16] = "x";
    const EnhLeeStatus null = ENH_LEE_ERROR_NULL_POINTER;
    for (i = 0; i < NW * NH; i++) {
        src[i] = (float)(1.0 + (double)((i * 7919u) % 23u) * 0.37);
        dst[i] = -1.0f;
    }
    memset(&report, 0x5A, sizeof report);
    CHECK_STATUS(enh_lee_plan_new(params, NW, NH, 1, ENH_LEE_PLAN_REPORT, &plan), ENH_LEE_OK);
    set(params, "looks", "auto");
    CHECK_STATUS(enh_lee_plan_new(params, NW, NH, 1, 0, &auto_plan), ENH_LEE_OK);
    keep = plan;
    /* The images. */
    CHECK_STATUS(enh_lee_filter(params, NULL, &di, NULL, 0), null);
    CHECK_STATUS(enh_lee_filter(params, &si, NULL, NULL, 0), null);
    si.data = NULL;
    CHECK_STATUS(enh_lee_filter(params, &si, &di, NULL, 0), null);
    CHECK_STATUS(enh_lee_plan_filter_region(plan, &si, whole, &di, NULL, 0), null);
    si.data = src;
    CHECK_STATUS(enh_lee_detect(params, NULL, &di), null);
    CHECK_STATUS(enh_lee_detect(params, &si, NULL), null);
    /* The plan's calls. */
    CHECK_STATUS(enh_lee_plan_new(params, NW, NH, 1, 0, NULL), null);
    CHECK_STATUS(enh_lee_plan_set(NULL, 0, "nodata", "0"), null);
    CHECK_STATUS(enh_lee_plan_set(plan, 0, NULL, "0"), null);
    CHECK_STATUS(enh_lee_plan_set(plan, 0, "nodata", NULL), null);
    CHECK_STATUS(enh_lee_plan_tally_len(NULL, &n), null);
    CHECK_STATUS(enh_lee_plan_tally_len(plan, NULL), null);
    CHECK_STATUS(enh_lee_plan_alignment(NULL, &n), null);
    CHECK_STATUS(enh_lee_plan_alignment(plan, NULL), null);
    CHECK_STATUS(enh_lee_plan_strip_rows(NULL, &n), null);
    CHECK_STATUS(enh_lee_plan_strip_rows(plan, NULL), null);
    CHECK(n == 77);
    CHECK_STATUS(enh_lee_plan_tally_len(auto_plan, &n), ENH_LEE_OK);
    CHECK(n > 0);
    CHECK_STATUS(enh_lee_plan_count(NULL, &si, 0, 0, tally, 1), null);
    CHECK_STATUS(enh_lee_plan_count(auto_plan, NULL, 0, 0, tally, 1), null);
    CHECK_STATUS(enh_lee_plan_count(auto_plan, &si, 0, 0, NULL, n), null);
    CHECK_STATUS(enh_lee_plan_step(NULL, tally, 1), null);
    CHECK_STATUS(enh_lee_plan_step(auto_plan, NULL, n), null);
    CHECK_STATUS(enh_lee_plan_filter_region(NULL, &si, whole, &di, NULL, 0), null);
    CHECK_STATUS(enh_lee_plan_filter_region(plan, NULL, whole, &di, NULL, 0), null);
    CHECK_STATUS(enh_lee_plan_filter_region(plan, &si, whole, NULL, NULL, 0), null);
    CHECK_STATUS(enh_lee_plan_params(NULL, 0, &out_params), null);
    CHECK_STATUS(enh_lee_plan_params(plan, 0, NULL), null);
    CHECK(out_params == NULL);
    CHECK_STATUS(enh_lee_plan_provenance(NULL, buf, sizeof buf, &len), null);
    CHECK_STATUS(enh_lee_plan_provenance(plan, buf, sizeof buf, NULL), null);
    CHECK_STATUS(enh_lee_plan_report_tally_len(NULL, &n), null);
    CHECK_STATUS(enh_lee_plan_report_tally_len(plan, NULL), null);
    CHECK_STATUS(enh_lee_plan_report_count(NULL, &si, &si, 0, 0, tally, 1), null);
    CHECK_STATUS(enh_lee_plan_report_count(plan, NULL, &si, 0, 0, tally, 1), null);
    CHECK_STATUS(enh_lee_plan_report_count(plan, &si, NULL, 0, 0, tally, 1), null);
    CHECK_STATUS(enh_lee_plan_report_finish(NULL, tally, 1), null);
    CHECK_STATUS(enh_lee_plan_report_finish(plan, NULL, 1), null);
    CHECK_STATUS(enh_lee_plan_report(NULL, 0, &report), null);
    CHECK_STATUS(enh_lee_plan_report(plan, 0, NULL), null);
    CHECK_STATUS(enh_lee_plan_save(NULL, buf, sizeof buf, &len), null);
    CHECK_STATUS(enh_lee_plan_save(plan, buf, sizeof buf, NULL), null);
    CHECK_STATUS(enh_lee_plan_load(NULL, &plan), null);
    CHECK_STATUS(enh_lee_plan_load("x", NULL), null);
    CHECK(plan == keep && len == 99 && buf[0] == 'x' && tally[0] == 0);
    {
        unsigned char bytes[sizeof report];
        memset(bytes, 0x5A, sizeof bytes);
        CHECK(memcmp(&report, bytes, sizeof report) == 0);
    }
    for (i = 0; i < NW * NH; i++) {
        CHECK_MSG(dst[i] == -1.0f, "dst[%zu] written", i);
        if (dst[i] != -1.0f) {
            break;
        }
    }
    enh_lee_plan_free(NULL); /* a no-op */
    enh_lee_plan_free(plan);
    enh_lee_plan_free(auto_plan);
    enh_lee_params_free(params);
}

/* The codes and enum values are ABI: they must never change. */
static void test_abi_constants(void) {
    CHECK(ENH_LEE_OK == 0);
    CHECK(ENH_LEE_ERROR_NULL_POINTER == 1);
    CHECK(ENH_LEE_ERROR_EMPTY_IMAGE == 2);
    CHECK(ENH_LEE_ERROR_SIZE_OVERFLOW == 3);
    CHECK(ENH_LEE_ERROR_INVALID_STRIDE == 4);
    CHECK(ENH_LEE_ERROR_MISALIGNED == 5);
    CHECK(ENH_LEE_ERROR_INVALID_WINDOW == 6);
    CHECK(ENH_LEE_ERROR_INVALID_LOOKS == 7);
    CHECK(ENH_LEE_ERROR_INVALID_DAMPING == 8);
    CHECK(ENH_LEE_ERROR_INVALID_COEFFICIENTS == 9);
    CHECK(ENH_LEE_ERROR_INVALID_SIGNAL == 10);
    CHECK(ENH_LEE_ERROR_INVALID_STATISTIC == 11);
    CHECK(ENH_LEE_ERROR_INVALID_BORDER == 12);
    CHECK(ENH_LEE_ERROR_INVALID_NODATA_FLAG == 13);
    CHECK(ENH_LEE_ERROR_INVALID_THREADS == 14);
    CHECK(ENH_LEE_ERROR_SCRATCH_TOO_SMALL == 15);
    CHECK(ENH_LEE_ERROR_PARTIAL_OVERLAP == 16);
    CHECK(ENH_LEE_ERROR_INVALID_REGION == 17);
    CHECK(ENH_LEE_ERROR_OUT_OF_MEMORY == 18);
    CHECK(ENH_LEE_ERROR_THREAD_POOL == 19);
    CHECK(ENH_LEE_ERROR_INTERNAL == 20);
    CHECK(ENH_LEE_ERROR_UNKNOWN_PARAMETER == 21);
    CHECK(ENH_LEE_ERROR_INVALID_FILTER == 22);
    CHECK(ENH_LEE_ERROR_INVALID_NODATA == 23);
    CHECK(ENH_LEE_ERROR_BUFFER_TOO_SMALL == 24);
    CHECK(ENH_LEE_ERROR_INVALID_SIGMA == 25);
    CHECK(ENH_LEE_ERROR_INVALID_TARGET_WINDOW == 26);
    CHECK(ENH_LEE_ERROR_INVALID_POINT_THRESHOLD == 27);
    CHECK(ENH_LEE_ERROR_INVALID_COMPAT == 28);
    CHECK(ENH_LEE_ERROR_LOOKS_NOT_ESTIMABLE == 29);
    CHECK(ENH_LEE_ERROR_INVALID_VALUE == 30);
    CHECK(ENH_LEE_ERROR_WINDOW_TOO_LARGE == 31);
    CHECK(ENH_LEE_ERROR_UNSUPPORTED_ELEMENT == 32);
    CHECK(ENH_LEE_ERROR_PLANE_COUNT == 33);
    CHECK(ENH_LEE_ERROR_PLAN_STATE == 34);
    CHECK(ENH_LEE_ERROR_INVALID_TALLY == 35);
    CHECK(ENH_LEE_ERROR_INVALID_PLAN == 36);
    CHECK(ENH_LEE_ELEMENT_FLOAT32 == 0 && ENH_LEE_ELEMENT_COMPLEX_FLOAT32 == 1 &&
          ENH_LEE_ELEMENT_COMPLEX_INT16 == 2);
    CHECK(ENH_LEE_PLAN_REPORT == 1);
    CHECK(ENH_LEE_KIND_INTEGER == 0 && ENH_LEE_KIND_REAL == 1 && ENH_LEE_KIND_CHOICE == 2);
    CHECK(sizeof(EnhLeeStatus) == 4);

    /* EnhLeeImage: no padding; pointer and size_t fields at their places. */
    CHECK(offsetof(EnhLeeImage, element) == sizeof(void *));
    CHECK(offsetof(EnhLeeImage, width) == sizeof(void *) + 8);
    CHECK(offsetof(EnhLeeImage, plane_stride) == sizeof(void *) + 8 + 4 * sizeof(size_t));
    CHECK(sizeof(EnhLeeImage) == sizeof(void *) + 8 + 5 * sizeof(size_t));
    CHECK(sizeof(EnhLeeQualityReport) == 48);
}

static void test_status_messages(void) {
    const char *messages[LAST_STATUS + 1];
    const int32_t unknown[] = {-1, LAST_STATUS + 1, 9999, INT32_MIN, INT32_MAX};
    const char *unknown_message = enh_lee_status_message(-1);
    int code;
    size_t i;
    for (code = 0; code <= LAST_STATUS; code++) {
        const char *m = enh_lee_status_message(code);
        messages[code] = m;
        CHECK_MSG(m != NULL && m[0] != '\0', "status %d has no message", code);
        if (m == NULL) {
            continue;
        }
        /* Static: the same string every time. */
        CHECK_MSG(enh_lee_status_message(code) == m, "status %d: message not static", code);
        CHECK_MSG(unknown_message == NULL || strcmp(m, unknown_message) != 0,
                  "status %d has the unknown-code message \"%s\"", code, m);
    }
    /* Every code has its own message. */
    for (code = 0; code <= LAST_STATUS; code++) {
        int other;
        for (other = code + 1; other <= LAST_STATUS; other++) {
            if (messages[code] != NULL && messages[other] != NULL) {
                CHECK_MSG(strcmp(messages[code], messages[other]) != 0,
                          "status %d and %d share the message \"%s\"", code, other, messages[code]);
            }
        }
    }
    for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *m = enh_lee_status_message(unknown[i]);
        CHECK_MSG(m != NULL && m[0] != '\0', "unknown status %d has no message", (int)unknown[i]);
    }
}

/* Calls enh_lee_scratch_size and checks that *out is untouched on error. */
static EnhLeeStatus scratch_query(size_t w, size_t h, const EnhLeeParams *p, size_t *out) {
    const size_t sentinel = (size_t)0x5A5A5A5Au;
    size_t value = sentinel;
    EnhLeeStatus s = enh_lee_scratch_size(w, h, p, &value);
    if (s != ENH_LEE_OK) {
        CHECK_MSG(value == sentinel, "scratch query %zux%zu wrote *out_bytes on error %d", w, h,
                  (int)s);
    }
    if (out != NULL) {
        *out = value;
    }
    return s;
}

static void test_scratch_size(void) {
    EnhLeeParams *p = params_new();
    EnhLeeParams *q;
    size_t bytes = 0, bytes2 = 0;
    size_t w;

    CHECK_STATUS(scratch_query(100, 50, p, &bytes), ENH_LEE_OK);
    CHECK(bytes > 0);

    CHECK_STATUS(enh_lee_scratch_size(100, 50, NULL, &bytes), ENH_LEE_ERROR_NULL_POINTER);
    CHECK_STATUS(enh_lee_scratch_size(100, 50, p, NULL), ENH_LEE_ERROR_NULL_POINTER);
    CHECK_STATUS(scratch_query(0, 50, p, NULL), ENH_LEE_ERROR_EMPTY_IMAGE);
    CHECK_STATUS(scratch_query(100, 0, p, NULL), ENH_LEE_ERROR_EMPTY_IMAGE);
    CHECK_STATUS(scratch_query(SIZE_MAX / 2, 1, p, NULL), ENH_LEE_ERROR_SIZE_OVERFLOW);
    CHECK_STATUS(scratch_query(SIZE_MAX, 7, p, NULL), ENH_LEE_ERROR_SIZE_OVERFLOW);

    /* A value that is valid alone but not with the others (cu >= cmax). */
    q = enh_lee_params_copy(p);
    set(q, "cu", "2");
    CHECK_STATUS(scratch_query(100, 50, q, NULL), ENH_LEE_ERROR_INVALID_COEFFICIENTS);
    enh_lee_params_free(q);

    /* Never grows with the height (fixed thread count). */
    set(p, "threads", "2");
    CHECK_STATUS(scratch_query(300, 1000, p, &bytes), ENH_LEE_OK);
    CHECK_STATUS(scratch_query(300, 1000000, p, &bytes2), ENH_LEE_OK);
    CHECK_MSG(bytes == bytes2, "scratch grows with height: %zu -> %zu", bytes, bytes2);
    /* ... and not with a huge height either (no overflow from the height). */
    CHECK_STATUS(scratch_query(300, SIZE_MAX / 8, p, &bytes2), ENH_LEE_OK);
    CHECK_MSG(bytes == bytes2, "scratch grows with height: %zu -> %zu", bytes, bytes2);
    /* Grows (weakly) with width, window and threads. */
    for (w = 1; w < 2000; w = w * 3 + 1) {
        size_t a = 0, b = 0;
        CHECK_STATUS(scratch_query(w, 500, p, &a), ENH_LEE_OK);
        CHECK_STATUS(scratch_query(w * 2, 500, p, &b), ENH_LEE_OK);
        CHECK_MSG(a <= b, "scratch shrinks with width: %zu (w %zu) > %zu (w %zu)", a, w, b, w * 2);
    }
    {
        size_t a = 0, b = 0;
        q = enh_lee_params_copy(p);
        CHECK_STATUS(scratch_query(300, 500, q, &a), ENH_LEE_OK);
        set(q, "window", "31");
        CHECK_STATUS(scratch_query(300, 500, q, &b), ENH_LEE_OK);
        CHECK(a <= b);
        enh_lee_params_free(q);
        q = enh_lee_params_copy(p);
        set(q, "threads", "1");
        CHECK_STATUS(scratch_query(300, 500, q, &a), ENH_LEE_OK);
        set(q, "threads", "4");
        CHECK_STATUS(scratch_query(300, 500, q, &b), ENH_LEE_OK);
        CHECK(a <= b);
        enh_lee_params_free(q);
    }
    /* Every statistic and border is accepted. */
    {
        const char *statistics[] = {"window", "residual"};
        const char *borders[] = {"reflect", "mirror", "nearest", "shrink"};
        unsigned st, bo;
        for (st = 0; st < 2; st++) {
            for (bo = 0; bo < 4; bo++) {
                q = params_new();
                set(q, "statistic", statistics[st]);
                set(q, "border", borders[bo]);
                CHECK_STATUS(scratch_query(17, 9, q, &bytes), ENH_LEE_OK);
                enh_lee_params_free(q);
            }
        }
    }
    enh_lee_params_free(p);
}

static void test_halo(void) {
    EnhLeeParams *p = params_new();
    const size_t sentinel = 777;
    size_t halo;
    uint32_t window;
    for (window = 3; window <= 101; window += 2) {
        char text[16];
        snprintf(text, sizeof text, "%u", (unsigned)window);
        set(p, "window", text);
        set(p, "statistic", "window");
        halo = sentinel;
        CHECK_STATUS(enh_lee_halo(p, &halo), ENH_LEE_OK);
        CHECK_MSG(halo == (window - 1) / 2, "window %u, window statistic: halo %zu, expected %u",
                  (unsigned)window, halo, (unsigned)((window - 1) / 2));
        set(p, "statistic", "residual");
        halo = sentinel;
        CHECK_STATUS(enh_lee_halo(p, &halo), ENH_LEE_OK);
        CHECK_MSG(halo == window - 1, "window %u, residual statistic: halo %zu, expected %u",
                  (unsigned)window, halo, (unsigned)(window - 1));
    }
    enh_lee_params_free(p);
    /* The border does not change the halo. */
    p = params_new();
    set(p, "border", "shrink");
    halo = sentinel;
    CHECK_STATUS(enh_lee_halo(p, &halo), ENH_LEE_OK);
    CHECK(halo == 3);
    enh_lee_params_free(p);

    /* Errors leave *out_pixels alone. */
    p = params_new();
    CHECK_STATUS(enh_lee_halo(NULL, &halo), ENH_LEE_ERROR_NULL_POINTER);
    CHECK_STATUS(enh_lee_halo(p, NULL), ENH_LEE_ERROR_NULL_POINTER);
    set(p, "cmax", "0.5"); /* at most the derived cu = 1 */
    halo = sentinel;
    CHECK_STATUS(enh_lee_halo(p, &halo), ENH_LEE_ERROR_INVALID_COEFFICIENTS);
    CHECK(halo == sentinel);
    enh_lee_params_free(p);
}

/* Setting by name from text: values, case, errors naming the parameter,
 * and `*params` untouched on every error. */
static void test_params_set(void) {
    EnhLeeParams *p = params_new();
    char small[2];
    size_t len = 99;
    size_t i, n = enh_lee_param_count();
    char before[32][64];

    /* name, value set, value read back: in this order. */
    const char *const round_trips[][3] = {
        {"window", "9", "9"},           {"WINDOW", "11", "11"},
        {"filter", "Gamma_Map", "gamma_map"}, {"looks", "4.4", "4.4"},
        {"border", "shrink", "shrink"}, {"nodata", "-9999", "-9999"},
        {"nodata", "", ""},             {"cu", "0.25", "0.25"},
        {"cu", "none", ""},
    };
    for (i = 0; i < sizeof round_trips / sizeof round_trips[0]; i++) {
        const char *const *t = round_trips[i];
        CHECK_STATUS(enh_lee_params_set(p, t[0], t[1]), ENH_LEE_OK);
        CHECK_MSG(strcmp(get(p, t[0]), t[2]) == 0, "%s=%s reads back as \"%s\"", t[0], t[1],
                  get(p, t[0]));
    }
    CHECK_STATUS(enh_lee_params_validate(p), ENH_LEE_OK);

    CHECK(n <= sizeof before / sizeof before[0]);
    for (i = 0; i < n && i < sizeof before / sizeof before[0]; i++) {
        EnhLeeParamInfo info;
        CHECK_STATUS(enh_lee_param_info(i, &info), ENH_LEE_OK);
        snprintf(before[i], sizeof before[i], "%s", get(p, info.name));
    }
    CHECK_STATUS(enh_lee_params_set(p, "window", "4"), ENH_LEE_ERROR_INVALID_WINDOW);
    CHECK_STATUS(enh_lee_params_set(p, "window", "seven"), ENH_LEE_ERROR_INVALID_WINDOW);
    CHECK_STATUS(enh_lee_params_set(p, "window", ""), ENH_LEE_ERROR_INVALID_WINDOW);
    CHECK_STATUS(enh_lee_params_set(p, "looks", "0"), ENH_LEE_ERROR_INVALID_LOOKS);
    CHECK_STATUS(enh_lee_params_set(p, "damping", "-1"), ENH_LEE_ERROR_INVALID_DAMPING);
    CHECK_STATUS(enh_lee_params_set(p, "filter", "wiener"), ENH_LEE_ERROR_INVALID_FILTER);
    CHECK_STATUS(enh_lee_params_set(p, "filter", "0"), ENH_LEE_ERROR_INVALID_FILTER);
    CHECK_STATUS(enh_lee_params_set(p, "signal", "1"), ENH_LEE_ERROR_INVALID_SIGNAL);
    CHECK_STATUS(enh_lee_params_set(p, "statistic", "local"), ENH_LEE_ERROR_INVALID_STATISTIC);
    CHECK_STATUS(enh_lee_params_set(p, "border", "wrap"), ENH_LEE_ERROR_INVALID_BORDER);
    CHECK_STATUS(enh_lee_params_set(p, "compat", "envi"), ENH_LEE_ERROR_INVALID_COMPAT);
    CHECK_STATUS(enh_lee_params_set(p, "nodata", "nan"), ENH_LEE_ERROR_INVALID_NODATA);
    CHECK_STATUS(enh_lee_params_set(p, "threads", "-1"), ENH_LEE_ERROR_INVALID_THREADS);
    CHECK_STATUS(enh_lee_params_set(p, "threads", "5000"), ENH_LEE_ERROR_INVALID_THREADS);
    CHECK_STATUS(enh_lee_params_set(p, "radius", "3"), ENH_LEE_ERROR_UNKNOWN_PARAMETER);
    CHECK_STATUS(enh_lee_params_set(NULL, "window", "3"), ENH_LEE_ERROR_NULL_POINTER);
    CHECK_STATUS(enh_lee_params_set(p, NULL, "3"), ENH_LEE_ERROR_NULL_POINTER);
    CHECK_STATUS(enh_lee_params_set(p, "window", NULL), ENH_LEE_ERROR_NULL_POINTER);
    for (i = 0; i < n && i < sizeof before / sizeof before[0]; i++) {
        EnhLeeParamInfo info;
        CHECK_STATUS(enh_lee_param_info(i, &info), ENH_LEE_OK);
        CHECK_MSG(strcmp(get(p, info.name), before[i]) == 0, "%s changed by a refused set",
                  info.name);
    }

    /* Which parameter is wrong. */
    CHECK(strcmp(enh_lee_status_parameter(ENH_LEE_ERROR_INVALID_WINDOW), "window") == 0);
    CHECK(strcmp(enh_lee_status_parameter(ENH_LEE_ERROR_INVALID_FILTER), "filter") == 0);
    CHECK(strcmp(enh_lee_status_parameter(ENH_LEE_ERROR_INVALID_COEFFICIENTS), "cu, cmax") == 0);
    CHECK(strcmp(enh_lee_status_parameter(ENH_LEE_ERROR_NULL_POINTER), "") == 0);
    CHECK(strcmp(enh_lee_status_parameter(9999), "") == 0);
    enh_lee_params_free(p);

    /* cu >= cmax is caught by validate, not by set. */
    p = params_new();
    CHECK_STATUS(enh_lee_params_set(p, "cu", "2"), ENH_LEE_OK);
    CHECK_STATUS(enh_lee_params_validate(p), ENH_LEE_ERROR_INVALID_COEFFICIENTS);
    CHECK_STATUS(enh_lee_params_validate(NULL), ENH_LEE_ERROR_NULL_POINTER);
    enh_lee_params_free(p);

    /* get: unknown names, short buffers (untouched), NULLs. */
    p = params_new();
    CHECK_STATUS(enh_lee_params_get(p, "radius", NULL, 0, &len), ENH_LEE_ERROR_UNKNOWN_PARAMETER);
    CHECK(len == 99);
    small[0] = 'x';
    CHECK_STATUS(enh_lee_params_get(p, "border", small, sizeof small, &len),
                 ENH_LEE_ERROR_BUFFER_TOO_SMALL);
    CHECK(small[0] == 'x' && len == 99);
    CHECK_STATUS(enh_lee_params_get(p, "border", small, sizeof small, NULL),
                 ENH_LEE_ERROR_NULL_POINTER);
    enh_lee_params_free(p);
}

/* Every parameter is described, round-trips its default and lists its
 * choices. */
static void test_param_info(void) {
    size_t n = enh_lee_param_count();
    size_t i;
    EnhLeeParamInfo info;
    int seen_filter = 0, seen_window = 0, seen_nodata = 0;
    CHECK(n >= 11);
    for (i = 0; i < n; i++) {
        EnhLeeParams *p = params_new();
        CHECK_STATUS(enh_lee_param_info(i, &info), ENH_LEE_OK);
        CHECK(info.name != NULL && info.name[0] != '\0');
        CHECK(info.description != NULL && info.description[0] != '\0');
        CHECK(info.filters != NULL && info.filters[0] != '\0');
        CHECK(info.kind <= ENH_LEE_KIND_CHOICE);
        CHECK_MSG(strcmp(get(p, info.name), info.default_value) == 0,
                  "%s: default \"%s\", params_get \"%s\"", info.name, info.default_value,
                  get(p, info.name));
        CHECK_STATUS(enh_lee_params_set(p, info.name, info.default_value), ENH_LEE_OK);
        if (info.kind == ENH_LEE_KIND_CHOICE) {
            /* The default comes first, and every choice is accepted. */
            char choices[256];
            char *name;
            CHECK(strncmp(info.choices, info.default_value, strlen(info.default_value)) == 0);
            snprintf(choices, sizeof choices, "%s", info.choices);
            for (name = strtok(choices, ","); name != NULL; name = strtok(NULL, ",")) {
                CHECK_MSG(enh_lee_params_set(p, info.name, name) == ENH_LEE_OK, "%s=%s",
                          info.name, name);
                CHECK(strcmp(get(p, info.name), name) == 0);
            }
        } else {
            CHECK(info.choices[0] == '\0');
        }
        seen_filter |= strcmp(info.name, "filter") == 0;
        seen_window |= strcmp(info.name, "window") == 0;
        seen_nodata |= strcmp(info.name, "nodata") == 0 && info.optional == 1;
        enh_lee_params_free(p);
    }
    CHECK(seen_filter && seen_window && seen_nodata);
    CHECK_STATUS(enh_lee_param_info(n, &info), ENH_LEE_ERROR_UNKNOWN_PARAMETER);
    CHECK_STATUS(enh_lee_param_info(0, NULL), ENH_LEE_ERROR_NULL_POINTER);
}

/* The source region of a tile: grown by the halo, clipped to the raster. */
static void test_source_region(void) {
    EnhLeeParams *p = params_new();
    EnhLeeRegion tile = {10, 0, 20, 5};
    EnhLeeRegion out = {1, 2, 3, 4};
    const EnhLeeRegion untouched = {1, 2, 3, 4};
    CHECK_STATUS(enh_lee_source_region(100, 50, &tile, p, &out), ENH_LEE_OK);
    CHECK(out.x_off == 7 && out.y_off == 0 && out.width == 26 && out.height == 8);
    set(p, "statistic", "residual");
    tile.x_off = 90;
    tile.width = 10;
    CHECK_STATUS(enh_lee_source_region(100, 50, &tile, p, &out), ENH_LEE_OK);
    CHECK(out.x_off == 84 && out.width == 16 && out.height == 11);
    out = untouched;
    tile.width = 11;
    CHECK_STATUS(enh_lee_source_region(100, 50, &tile, p, &out), ENH_LEE_ERROR_INVALID_REGION);
    CHECK(memcmp(&out, &untouched, sizeof out) == 0);
    tile.width = 10;
    set(p, "cu", "2");
    CHECK_STATUS(enh_lee_source_region(100, 50, &tile, p, &out),
                 ENH_LEE_ERROR_INVALID_COEFFICIENTS);
    CHECK_STATUS(enh_lee_source_region(100, 50, NULL, p, &out), ENH_LEE_ERROR_NULL_POINTER);
    CHECK(memcmp(&out, &untouched, sizeof out) == 0);
    enh_lee_params_free(p);
}

/* A filter's own rule, named alone (enh_lee_params_explain); other errors
 * keep the status's sentence. */
static void test_params_explain(void) {
    EnhLeeParams *p = enh_lee_params_new();
    char text[512];
    size_t n = 0;
    EnhLeeStatus st;
    CHECK_STATUS(enh_lee_params_set(p, "filter", "refined_lee"), ENH_LEE_OK);
    CHECK_STATUS(enh_lee_params_set(p, "window", "9"), ENH_LEE_OK);
    st = enh_lee_params_validate(p);
    CHECK_STATUS(st, ENH_LEE_ERROR_INVALID_WINDOW);
    CHECK_STATUS(enh_lee_params_explain(p, st, text, sizeof text, &n), ENH_LEE_OK);
    CHECK(strcmp(text, "refined_lee takes window 7") == 0 && n == strlen(text));
    CHECK_STATUS(enh_lee_params_explain(p, ENH_LEE_ERROR_INVALID_LOOKS, text, sizeof text, &n),
                 ENH_LEE_OK);
    CHECK(strcmp(text, enh_lee_status_message(ENH_LEE_ERROR_INVALID_LOOKS)) == 0);
    CHECK_STATUS(enh_lee_params_explain(p, st, text, 4, &n), ENH_LEE_ERROR_BUFFER_TOO_SMALL);
    CHECK_STATUS(enh_lee_params_explain(NULL, st, text, sizeof text, &n),
                 ENH_LEE_ERROR_NULL_POINTER);
    enh_lee_params_free(p);
}

int main(void) {
    test_version();
    test_params_default();
    test_params_copy_free();
    test_null_params();
    test_null_plan();
    test_abi_constants();
    test_status_messages();
    test_scratch_size();
    test_halo();
    test_params_set();
    test_param_info();
    test_source_region();
    test_params_explain();
    return check_report("test_api");
}
