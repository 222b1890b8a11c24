// GDAL raster driver "ENHLEE": the speckle filters of libenh_lee (Enhanced
// Lee and its family, include/enh_lee.h) applied on the fly to any raster
// GDAL can read.
//
//   gdal_translate -oo FILTER=lee -oo WINDOW=7 -oo LOOKS=4.4 ENHLEE:in.tif out.tif
//
// The open options are the library's parameters (enh_lee_param_info), set
// by name through enh_lee_params_set; the driver adds only BLOCKXSIZE,
// BLOCKYSIZE and the NODATA default (the source band's).
//
// This file is GDAL glue only. Each dataset has one plan of the library
// (enh_lee_plan_new), whose planes are its bands, each with its own nodata:
// the plan's counting passes over the whole raster run when the dataset
// opens (strips of every band), then every output pixel is computed by
// enh_lee_plan_filter_region. A read of any window at full resolution reads
// that window grown by enh_lee_halo() pixels (clipped to the raster) from
// every source band as Float32 (a complex band as its intensity or
// amplitude, detected by enh_lee_detect_cf32) and filters it, every band in
// one call, as a region of the whole raster, so the result is bit for bit
// the whole-image result whatever the block sizes and windows; a block read
// of one band puts the other bands' blocks into GDAL's block cache. Decimated reads go through GDALRasterBand's block-based path,
// i.e. they are taken from filtered full-resolution blocks; the bands report
// no overviews so that nothing can substitute unfiltered data.
//
// Built as gdal_ENHLEE.so; GDAL calls GDALRegister_ENHLEE() at
// GDALAllRegister(). See README.md next to this file.

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "gdal_priv.h"

#include "enh_lee.h"

// GDAL 3.6's dataset IRasterIO takes `int *` bands; later ones define the
// type they take.
#ifndef BANDMAP_TYPE
#define BANDMAP_TYPE int *
#endif

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace
{

constexpr const char *kDriverName = "ENHLEE";
constexpr const char *kPrefix = "ENHLEE:";
constexpr int kDefaultBlockSize = 256;
// A full-resolution read of at least this many blocks' worth of pixels is
// computed straight into the caller's buffer (in chunks of about
// kChunkPixels pixels), bypassing the block cache; smaller reads go through
// cached blocks.
constexpr GIntBig kDirectMinBlocks = 4;
constexpr GIntBig kChunkPixels = 4 * 1024 * 1024;

// Open options of the driver itself; every other open option is a
// parameter of the library (enh_lee_param_info), under its upper-case name.
const char *const kDriverOptions =
    "  <Option name='BLOCKXSIZE' type='int' default='256' min='1' "
    "max='1048576' description='Width of the blocks the driver presents "
    "(results do not depend on it)'/>"
    "  <Option name='BLOCKYSIZE' type='int' default='256' min='1' "
    "max='1048576' description='Height of the blocks the driver presents "
    "(results do not depend on it)'/>"
    "  <Option name='REPORT' type='boolean' default='NO' description='YES or "
    "NO (also TRUE/FALSE, ON/OFF, 1/0; empty: NO): quality "
    "report in each band&apos;s metadata (ENHLEE_REPORT_*): the equivalent "
    "number of looks before and after on the most homogeneous areas, the "
    "mean and standard deviation of the ratio image x / filtered. Filters "
    "each band once more when the dataset opens'/>";

// Reports a library status as a GDAL error: the library's own sentence,
// with what the driver was doing.
void ReportStatus(EnhLeeStatus status, const std::string &context)
{
    CPLError(CE_Failure, CPLE_AppDefined, "ENHLEE: %s (%s)",
             enh_lee_status_message(status), context.c_str());
}

std::string Upper(const char *s)
{
    std::string v(s ? s : "");
    for (char &c : v)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return v;
}

// A user's text for messages, cut to a sane length: a hostile 100 kB
// option value is not echoed whole.
std::string Truncated(const char *text)
{
    constexpr size_t kMax = 64;
    std::string v(text ? text : "");
    if (v.size() > kMax)
        v = v.substr(0, kMax) + CPLSPrintf("... (%zu characters)", v.size());
    return v;
}

// "KEY=value" for messages, the value Truncated.
std::string Echo(const std::string &key, const char *value)
{
    return key + "=" + Truncated(value);
}

// A boolean open option, strictly: YES/NO, TRUE/FALSE, ON/OFF, 1/0 (any
// case); empty is the default. Anything else is refused (GDAL's own
// CPLTestBool would take it as YES).
bool ParseBoolean(const std::string &key, const char *value, bool bDefault,
                  bool *out)
{
    const std::string v = Upper(value);
    if (v.empty())
        *out = bDefault;
    else if (v == "YES" || v == "TRUE" || v == "ON" || v == "1")
        *out = true;
    else if (v == "NO" || v == "FALSE" || v == "OFF" || v == "0")
        *out = false;
    else
    {
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "ENHLEE: open option %s must be YES or NO (also TRUE/FALSE, "
                 "ON/OFF, 1/0; empty for the default, %s)",
                 Echo(key, value).c_str(), bDefault ? "YES" : "NO");
        return false;
    }
    return true;
}

// The library's parameters, in its order (enh_lee_param_info never fails
// for an index below enh_lee_param_count).
std::vector<EnhLeeParamInfo> Parameters()
{
    std::vector<EnhLeeParamInfo> out(enh_lee_param_count());
    for (size_t i = 0; i < out.size(); ++i)
        enh_lee_param_info(i, &out[i]);
    return out;
}

// Text as an XML attribute value in double quotes (CPLES_XML escapes " but
// not ').
std::string XmlEscaped(const char *text)
{
    char *escaped = CPLEscapeString(text, -1, CPLES_XML);
    std::string v(escaped);
    CPLFree(escaped);
    return v;
}

// GDAL_DMD_OPENOPTIONLIST, made from the library's vocabulary.
std::string OpenOptionList()
{
    static const char *const kTypes[] = {"int", "float", "string-select"};
    const std::vector<EnhLeeParamInfo> params = Parameters();
    // The choices of `filter`: the list of every filter.
    std::string allFilters;
    for (const EnhLeeParamInfo &p : params)
        if (EQUAL(p.name, "filter"))
            allFilters = p.choices;
    std::string xml = "<OpenOptionList>";
    for (const EnhLeeParamInfo &p : params)
    {
        std::string description = p.description;
        if (EQUAL(p.name, "nodata"))
            description += ". Default: the source band's nodata value; NONE "
                           "for none";
        if (p.filters != allFilters)
            description += std::string(". Used by: ") + p.filters;
        // An optional number also takes words (LOOKS=auto, CU=none), which
        // GDAL would warn about for a 'float' option.
        const char *pszType = p.optional && p.kind == ENH_LEE_KIND_REAL
                                  ? "string"
                                  : kTypes[std::min<uint32_t>(p.kind, 2)];
        xml += CPLSPrintf("  <Option name='%s' type='%s'", Upper(p.name).c_str(),
                          pszType);
        if (*p.default_value)
            xml += CPLSPrintf(" default='%s'", p.default_value);
        if (!std::isnan(p.minimum))
            xml += CPLSPrintf(" min='%.15g'", p.minimum);
        // GDAL reads an int option's limits as int: a larger one is no limit.
        if (!std::isnan(p.maximum) &&
            (p.kind != ENH_LEE_KIND_INTEGER || p.maximum <= INT_MAX))
            xml += CPLSPrintf(" max='%.15g'", p.maximum);
        xml += " description=\"" + XmlEscaped(description.c_str()) + "\"";
        if (p.kind != ENH_LEE_KIND_CHOICE)
        {
            xml += "/>";
            continue;
        }
        xml += ">";
        const CPLStringList choices(CSLTokenizeString2(p.choices, ",", 0));
        for (int i = 0; i < choices.size(); ++i)
            xml += std::string("<Value>") + choices[i] + "</Value>";
        xml += "</Option>";
    }
    return xml + kDriverOptions + "</OpenOptionList>";
}

// Whole string a decimal integer (optional sign).
bool ParseInteger(const char *text, long long *out)
{
    const std::string v(text ? text : "");
    errno = 0;
    char *end = nullptr;
    const long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || end != v.c_str() + v.size() || errno == ERANGE)
        return false;
    *out = n;
    return true;
}

// A parameters object of the library, owned: made by enh_lee_params_new
// (SPEC defaults), copied by enh_lee_params_copy (each band has its own),
// freed by enh_lee_params_free. Converts to the `const EnhLeeParams *` the
// C functions take. Should an allocation fail, it holds NULL, which every
// call refuses with ENH_LEE_ERROR_NULL_POINTER, reported as any status.
class Params
{
  public:
    Params() : m_p(enh_lee_params_new())
    {
    }
    Params(const Params &other) : m_p(enh_lee_params_copy(other.m_p))
    {
    }
    // Takes over an object the library made (enh_lee_plan_params).
    explicit Params(EnhLeeParams *adopted) : m_p(adopted)
    {
    }
    Params &operator=(const Params &other)
    {
        Params copy(other);
        std::swap(m_p, copy.m_p);
        return *this;
    }
    ~Params()
    {
        enh_lee_params_free(m_p);
    }
    operator const EnhLeeParams *() const
    {
        return m_p;
    }
    // enh_lee_params_set: parameter `name` from text.
    EnhLeeStatus Set(const char *name, const char *value)
    {
        return enh_lee_params_set(m_p, name, value);
    }
    // A real number as text that reads back as the same double.
    EnhLeeStatus SetReal(const char *name, double value)
    {
        return Set(name, CPLSPrintf("%.17g", value));
    }

  private:
    EnhLeeParams *m_p;
};

// The options after parsing; the nodata of params is set per band unless
// NODATA was given.
struct Options
{
    Params params;
    bool nodataGiven = false;  // NODATA option present (NONE included)
    int blockXSize = kDefaultBlockSize;
    int blockYSize = kDefaultBlockSize;
    bool report = false;
};

// Parameter `name` of `p` as the library writes it (text that reads back
// exactly; "" for an unset optional one or an unknown name).
std::string ParamText(const Params &p, const char *name)
{
    char value[64] = "";
    size_t len = 0;
    if (enh_lee_params_get(p, name, value, sizeof value, &len) != ENH_LEE_OK)
        return std::string();
    return value;
}

// "WINDOW=4" for each parameter a status is about, with its value in `p`.
std::string ParameterDetail(EnhLeeStatus status, const Params &p)
{
    const CPLStringList names(
        CSLTokenizeString2(enh_lee_status_parameter(status), ", ", 0));
    std::string detail;
    for (int i = 0; i < names.size(); ++i)
    {
        const std::string value = ParamText(p, names[i]);
        detail += (detail.empty() ? "" : ", ") + Upper(names[i]) + "=" +
                  (value.empty() ? "derived" : value);
    }
    return detail.empty() ? std::string("open options") : detail;
}

// Parses the open options, each parameter through the library
// (enh_lee_params_set), then validates them together. Emits a CPLError and
// returns false on any problem.
bool ParseOptions(CSLConstList papszOptions, Options *o)
{
    bool bCoefficientsGiven = false;
    for (CSLConstList it = papszOptions; it && *it; ++it)
    {
        char *pszKey = nullptr;
        const char *pszValue = CPLParseNameValue(*it, &pszKey);
        const std::string key = pszKey ? pszKey : "";
        CPLFree(pszKey);
        if (pszValue == nullptr || key.empty())
        {
            CPLError(CE_Failure, CPLE_IllegalArg,
                     "ENHLEE: open option '%s' is not of the form NAME=VALUE",
                     Truncated(*it).c_str());
            return false;
        }
        const std::string ctx = Echo(key, pszValue);
        if (EQUAL(key.c_str(), "BLOCKXSIZE") || EQUAL(key.c_str(), "BLOCKYSIZE"))
        {
            long long n = 0;
            if (!ParseInteger(pszValue, &n) || n < 1 || n > (1 << 20))
            {
                CPLError(CE_Failure, CPLE_IllegalArg,
                         "ENHLEE: open option %s must be an integer from 1 "
                         "to 1048576",
                         ctx.c_str());
                return false;
            }
            (EQUAL(key.c_str(), "BLOCKXSIZE") ? o->blockXSize
                                              : o->blockYSize) =
                static_cast<int>(n);
            continue;
        }
        if (EQUAL(key.c_str(), "REPORT"))
        {
            if (!ParseBoolean("REPORT", pszValue, false, &o->report))
                return false;
            continue;
        }
        const EnhLeeStatus status =
            o->params.Set(key.c_str(), pszValue);
        if (status == ENH_LEE_ERROR_UNKNOWN_PARAMETER)
        {
            std::string known;
            for (const EnhLeeParamInfo &p : Parameters())
                known += Upper(p.name) + ", ";
            CPLError(CE_Failure, CPLE_IllegalArg,
                     "ENHLEE: unknown open option %s; known options: "
                     "%sBLOCKXSIZE, BLOCKYSIZE, REPORT (see gdalinfo --format "
                     "ENHLEE)",
                     ctx.c_str(), known.c_str());
            return false;
        }
        if (status != ENH_LEE_OK)
        {
            ReportStatus(status, ctx);
            return false;
        }
        o->nodataGiven |= EQUAL(key.c_str(), "NODATA");
        bCoefficientsGiven |= EQUAL(key.c_str(), "CU") || EQUAL(key.c_str(), "CMAX");
    }
    const EnhLeeStatus status = enh_lee_params_validate(o->params);
    if (status == ENH_LEE_ERROR_INVALID_COEFFICIENTS && !bCoefficientsGiven)
    {
        // Cu and Cmax derived from LOOKS: a tiny LOOKS (1e-320) makes
        // Cmax = sqrt(1 + 2/L) infinite. Name what the user gave.
        const std::string osLooks = ParamText(o->params, "looks");
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "ENHLEE: %s is too small: the Cu and Cmax derived from it "
                 "are not finite (%s); give LOOKS >= %.3g, or CU and CMAX",
                 Echo("LOOKS", osLooks.c_str()).c_str(),
                 enh_lee_status_message(status), DBL_MIN);
        return false;
    }
    if (status != ENH_LEE_OK)
    {
        ReportStatus(status, ParameterDetail(status, o->params));
        return false;
    }
    return true;
}

// A value as Float32, converted exactly as RasterIO converts pixels.
float AsFloat32(double v)
{
    float f = 0;
    GDALCopyWords(&v, GDT_Float64, 0, &f, GDT_Float32, 0, 1);
    return f;
}

// The memory budget of every buffer that the options size (a block, the
// source window a block or chunk needs, the library's scratch, the strips
// of the whole-band passes): GDAL's block cache size, GDAL_CACHEMAX.
double MemoryBudget()
{
    return static_cast<double>(GDALGetCacheMax64());
}

std::string Bytes(double dfBytes)
{
    return dfBytes >= 1e9 ? CPLSPrintf("%.1f GB", dfBytes / 1e9)
                          : CPLSPrintf("%.1f MB", dfBytes / 1e6);
}

// Bytes that filtering a nW x nH region of nBands bands of a nRasterX x
// nRasterY raster needs: the result, the source window (the region grown
// by the halo, clipped to the raster; three times for complex bands: their
// CFloat32 pairs, then the detected pixels) and the library's scratch
// (enh_lee_scratch_size, for the calling thread). A library error (a
// parameter, or a size overflow) is returned as such, with no CPLError.
EnhLeeStatus WorkingSet(int nRasterX, int nRasterY, size_t halo, int nW,
                        int nH, int nBands, bool bComplex,
                        const Params &params, double *pdfBytes)
{
    size_t scratch = 0;
    const EnhLeeStatus st = enh_lee_scratch_size(
        static_cast<size_t>(nW), static_cast<size_t>(nH), params, &scratch);
    if (st != ENH_LEE_OK)
        return st;
    const double dfHalo = 2.0 * static_cast<double>(halo);
    const double dfSrc = std::min<double>(nW + dfHalo, nRasterX) *
                         std::min<double>(nH + dfHalo, nRasterY);
    *pdfBytes =
        4.0 * nBands * (static_cast<double>(nW) * nH + (bComplex ? 3 : 1) * dfSrc) +
        static_cast<double>(scratch);
    return ENH_LEE_OK;
}

// Pixels above which the whole-raster passes (the plan's counting passes
// for the values it estimates, REPORT=YES) are refused at open: config
// option ENHLEE_WHOLE_RASTER_MAX_PIXELS, default 2^32 (a pass reads the
// whole raster; at about 1e8 pixels a second, a few minutes for three
// passes), 0 for no limit.
constexpr const char *kMaxPassPixelsOption = "ENHLEE_WHOLE_RASTER_MAX_PIXELS";
constexpr double kDefaultMaxPassPixels = 4294967296.0;

/************************************************************************/
/*                             Dataset / band                           */
/************************************************************************/

// Reads the window (nX, nY, nW, nH) of poBand into pDst (rows nW pixels
// apart) as the filters take it: a real band as Float32 (converted as
// RasterIO converts), a complex one as its intensity |z|^2 or amplitude |z|
// (params.signal), detected by the library from CFloat32 pairs. Emits a
// CPLError and returns false on failure.
bool ReadDetected(GDALRasterBand *poBand, const Params &params, int nX,
                  int nY, int nW, int nH, float *pDst)
{
    GDALRasterIOExtraArg sExtra;
    INIT_RASTERIO_EXTRA_ARG(sExtra);
    const GSpacing nRow = static_cast<GSpacing>(sizeof(float)) * nW;
    if (!GDALDataTypeIsComplex(poBand->GetRasterDataType()))
        return poBand->RasterIO(GF_Read, nX, nY, nW, nH, pDst, nW, nH,
                                GDT_Float32, sizeof(float), nRow,
                                &sExtra) == CE_None;
    std::vector<float> pairs;
    try
    {
        pairs.resize(2 * static_cast<size_t>(nW) * nH);
    }
    catch (const std::exception &)
    {
        CPLError(CE_Failure, CPLE_OutOfMemory,
                 "ENHLEE: cannot allocate %d x %d complex pixels", nW, nH);
        return false;
    }
    if (poBand->RasterIO(GF_Read, nX, nY, nW, nH, pairs.data(), nW, nH,
                         GDT_CFloat32, 2 * sizeof(float), 2 * nRow,
                         &sExtra) != CE_None)
        return false;
    const EnhLeeStatus status = enh_lee_detect_cf32(
        pairs.data(), 2 * static_cast<size_t>(nRow), pDst,
        static_cast<size_t>(nRow), static_cast<size_t>(nW),
        static_cast<size_t>(nH), params);
    if (status != ENH_LEE_OK)
    {
        ReportStatus(status, "detecting complex pixels");
        return false;
    }
    return true;
}

// A float32 image descriptor of `planes` planes of nW x nH pixels.
EnhLeeImage Image(const float *pData, size_t nW, size_t nH, size_t nRowStride,
                  size_t nPlanes, size_t nPlaneStride)
{
    EnhLeeImage image{};
    image.data = const_cast<float *>(pData);
    image.element = ENH_LEE_ELEMENT_FLOAT32;
    image.width = nW;
    image.height = nH;
    image.row_stride = nRowStride;
    image.planes = nPlanes;
    image.plane_stride = nPlaneStride;
    return image;
}

// The plan of a dataset, owned (enh_lee_plan_free).
struct PlanFree
{
    void operator()(EnhLeePlan *p) const
    {
        enh_lee_plan_free(p);
    }
};
using PlanPtr = std::unique_ptr<EnhLeePlan, PlanFree>;

// Reads the window (nX, nY, nW, nH) of every band of poSrc into pDst as the
// filters take it (ReadDetected), band after band (rows nW pixels apart,
// bands nW * nH pixels apart): one request for real bands (one pass over a
// pixel-interleaved source), complex bands one by one. Emits a CPLError
// and returns false on failure.
bool ReadSource(GDALDataset *poSrc, const Params &params, int nX, int nY,
                int nW, int nH, float *pDst)
{
    const int nBands = poSrc->GetRasterCount();
    const size_t nPlane = static_cast<size_t>(nW) * nH;
    bool bComplex = false;
    for (int b = 1; b <= nBands; ++b)
        bComplex |= GDALDataTypeIsComplex(
            poSrc->GetRasterBand(b)->GetRasterDataType()) != FALSE;
    bool bRead = true;
    if (!bComplex)
    {
        GDALRasterIOExtraArg sExtra;
        INIT_RASTERIO_EXTRA_ARG(sExtra);
        std::vector<int> bands(nBands);
        for (int b = 0; b < nBands; ++b)
            bands[b] = b + 1;
        bRead = poSrc->RasterIO(GF_Read, nX, nY, nW, nH, pDst, nW, nH,
                                GDT_Float32, nBands, bands.data(),
                                sizeof(float), sizeof(float) * nW,
                                sizeof(float) * nPlane, &sExtra) == CE_None;
    }
    else
    {
        for (int b = 0; b < nBands && bRead; ++b)
            bRead = ReadDetected(poSrc->GetRasterBand(b + 1), params, nX, nY,
                                 nW, nH, pDst + nPlane * b);
    }
    if (!bRead)
        CPLError(CE_Failure, CPLE_AppDefined,
                 "ENHLEE: cannot read source window %d,%d %dx%d", nX, nY, nW,
                 nH);
    return bRead;
}

// The plan's provenance line (enh_lee_plan_provenance).
std::string Provenance(const EnhLeePlan *plan)
{
    size_t nLen = 0;
    if (enh_lee_plan_provenance(plan, nullptr, 0, &nLen) != ENH_LEE_OK &&
        nLen == 0)
        return std::string();
    std::string text(nLen + 1, '\0');
    if (enh_lee_plan_provenance(plan, &text[0], text.size(), &nLen) !=
        ENH_LEE_OK)
        return std::string();
    text.resize(nLen);
    return text;
}

// The parameters that the plan estimates over the whole raster, as its
// provenance line marks them ("name=value (to estimate)" before the
// passes, "(estimated)" after): pairs of name and value.
std::vector<std::pair<std::string, std::string>>
EstimatedParameters(const EnhLeePlan *plan)
{
    std::vector<std::pair<std::string, std::string>> out;
    const CPLStringList tokens(
        CSLTokenizeString2(Provenance(plan).c_str(), " ", 0));
    for (int i = 0; i + 1 < tokens.size(); ++i)
    {
        const char *pszEq = strchr(tokens[i], '=');
        const bool bMarked =
            EQUAL(tokens[i + 1], "(estimated)") ||
            (EQUAL(tokens[i + 1], "(to") && i + 2 < tokens.size() &&
             EQUAL(tokens[i + 2], "estimate)"));
        if (pszEq && bMarked)
            out.emplace_back(std::string(tokens[i], pszEq - tokens[i]),
                             std::string(pszEq + 1));
    }
    return out;
}

// The parameters that filter `filter` reads (enh_lee_param_info's
// `filters`), but `filter` itself.
bool ReadBy(const EnhLeeParamInfo &info, const std::string &filter)
{
    if (EQUAL(info.name, "filter"))
        return false;
    const CPLStringList filters(CSLTokenizeString2(info.filters, ",", 0));
    return filters.FindString(filter.c_str()) >= 0;
}

class ENHLEEDataset;
class ENHLEERasterBand;

// The one overview level of a band: the band itself, the full-resolution
// filtered raster, with a warning saying so. It exists because GDAL 3.6.2's
// gdal_translate -ovr N crashes on a dataset that has no overview; with it
// -ovr N copies the full-resolution result (never the source's overviews,
// which are unfiltered). GDAL never uses it for a decimated read: its
// RESAMPLING metadata starts with AVERAGE_BIT2, which GDAL's choice of an
// overview for RasterIO skips, and a VRT does not make implicit overviews
// of an overview as large as its band. Decimated reads are computed from
// full-resolution blocks as before.
class ENHLEEOverviewBand final : public GDALRasterBand
{
    ENHLEERasterBand *m_poParent;
    std::atomic<bool> m_bWarned{false};
    void WarnOnce();

  protected:
    CPLErr IReadBlock(int nBlockXOff, int nBlockYOff, void *pImage) override;
    CPLErr IRasterIO(GDALRWFlag eRWFlag, int nXOff, int nYOff, int nXSize,
                     int nYSize, void *pData, int nBufXSize, int nBufYSize,
                     GDALDataType eBufType, GSpacing nPixelSpace,
                     GSpacing nLineSpace,
                     GDALRasterIOExtraArg *psExtraArg) override;

  public:
    explicit ENHLEEOverviewBand(ENHLEERasterBand *poParent);
};

class ENHLEERasterBand final : public GDALRasterBand
{
    friend class ENHLEEDataset;
    friend class ENHLEEOverviewBand;

    GDALRasterBand *m_poSrcBand = nullptr;  // owned by the source dataset
    bool m_bHasNoData = false;
    double m_dfNoData = 0.0;
    bool m_bHasOffset = false, m_bHasScale = false;
    double m_dfOffset = 0.0, m_dfScale = 1.0;
    std::string m_osUnit;
    GDALColorInterp m_eColorInterp = GCI_Undefined;
    std::unique_ptr<ENHLEEOverviewBand> m_poOverview;
    // Set while the overview reads this band (under the dataset's mutex):
    // no overview then, so that GDAL cannot go back to it.
    bool m_bReadingForOverview = false;

  protected:
    CPLErr IReadBlock(int nBlockXOff, int nBlockYOff, void *pImage) override;
    CPLErr IRasterIO(GDALRWFlag eRWFlag, int nXOff, int nYOff, int nXSize,
                     int nYSize, void *pData, int nBufXSize, int nBufYSize,
                     GDALDataType eBufType, GSpacing nPixelSpace,
                     GSpacing nLineSpace,
                     GDALRasterIOExtraArg *psExtraArg) override;

  public:
    ENHLEERasterBand(ENHLEEDataset *poDS, int nBand, GDALRasterBand *poSrc,
                     int nBlockX, int nBlockY);

    double GetNoDataValue(int *pbSuccess) override
    {
        if (pbSuccess)
            *pbSuccess = m_bHasNoData;
        return m_bHasNoData ? m_dfNoData : 0.0;
    }
    double GetOffset(int *pbSuccess) override
    {
        if (pbSuccess)
            *pbSuccess = m_bHasOffset;
        return m_dfOffset;
    }
    double GetScale(int *pbSuccess) override
    {
        if (pbSuccess)
            *pbSuccess = m_bHasScale;
        return m_dfScale;
    }
    const char *GetUnitType() override
    {
        return m_osUnit.c_str();
    }
    GDALColorInterp GetColorInterpretation() override
    {
        return m_eColorInterp;
    }
    // One overview, ENHLEEOverviewBand (never the source's, unfiltered).
    int GetOverviewCount() override
    {
        return m_poOverview && !m_bReadingForOverview ? 1 : 0;
    }
    GDALRasterBand *GetOverview(int i) override
    {
        return i == 0 && GetOverviewCount() == 1 ? m_poOverview.get()
                                                 : nullptr;
    }
};

class ENHLEEDataset final : public GDALDataset
{
    friend class ENHLEERasterBand;
    friend class ENHLEEOverviewBand;

    GDALDataset *m_poSrcDS = nullptr;  // this dataset's own source handle
    std::string m_osSource;            // its name, for the read-ahead's
    std::vector<float> m_source;       // source pixels, kept between reads
    std::vector<float> m_block;        // a block of every band, filtered
    size_t m_halo = 0;                 // enh_lee_halo of the options
    int m_nPlanes = 0;                 // the source's bands, the plan's planes
    bool m_bComplex = false;           // some source band is complex
    // The open options' parameters (every band's but its nodata).
    Params m_params;
    // Band 1's parameters as the plan resolved them, for the scratch sizes.
    Params m_resolved;
    // One plan for every band (its planes, each with its band's nodata):
    // the values of the whole raster, then every filtering call.
    PlanPtr m_plan;
    // One handle read from several threads: every read (IReadBlock,
    // IRasterIO of the dataset, a band or an overview) holds it, so the
    // source handle, m_source and the read-ahead are used by one thread at
    // a time. Recursive: a read goes through GDAL back into IReadBlock.
    std::recursive_mutex m_mutex;

    // A window of some of the bands: what a large read asks for (every
    // band of it is filtered, in one call).
    struct Window
    {
        int nX = 0, nY = 0, nW = 0, nH = 0;
        std::vector<int> bands;
        bool SameArea(const Window &o) const
        {
            return nX == o.nX && nY == o.nY && nW == o.nW && nH == o.nH;
        }
    };

    // Read-ahead: while GDAL writes what a large read returned, the window
    // of the same size below it (the same bands) is filtered in a thread
    // of its own, from a source handle of its own (GDAL datasets are not
    // thread-safe), and handed over if the next read asks for exactly it.
    struct ReadAhead
    {
        std::thread thread;
        bool running = false;
        bool disabled = false;  // no second handle could be opened
        GDALDataset *poSrcDS = nullptr;
        Window window;
        CPLErr eErr = CE_Failure;
        std::vector<float> filtered, source;  // every band, band after band
    } m_ahead;

    // Filters the area of `w` of every band into pDst, band after band
    // (rows nDstStride bytes apart, bands nBandStride bytes apart), in one
    // enh_lee_plan_filter_region call, reading the source window of every
    // band from poSrc into *pSource (ReadSource); *pSourceRegion, if
    // given, receives that window.
    CPLErr FilterWindow(GDALDataset *poSrc, std::vector<float> *pSource,
                        const Window &w, float *pDst, size_t nDstStride,
                        size_t nBandStride,
                        EnhLeeRegion *pSourceRegion = nullptr);
    // The plan's counting passes (values of the whole raster), strip by
    // strip over every band.
    bool RunPasses();
    // The quality report (REPORT=YES) in each band's metadata: one more
    // pass, filtering the raster strip by strip.
    bool WriteReports();
    // Refuses (CPLError, false) the plan's whole-raster passes on a raster
    // larger than ENHLEE_WHOLE_RASTER_MAX_PIXELS or whose strips pass the
    // memory budget, naming the options that ask for them.
    bool CheckPasses(bool bReport) const;
    // A large full-resolution read of `w`: taken from the read-ahead, or
    // filtered now in chunks of rows; then the window below starts.
    CPLErr ReadLarge(const Window &w, void *pData, GDALDataType eBufType,
                     GSpacing nPixelSpace, GSpacing nLineSpace,
                     GSpacing nBandSpace, GDALRasterIOExtraArg *psExtraArg);
    CPLErr FilterRows(const Window &w, void *pData, GDALDataType eBufType,
                      GSpacing nPixelSpace, GSpacing nLineSpace,
                      GSpacing nBandSpace, GDALRasterIOExtraArg *psExtraArg);
    bool TakeReadAhead(const Window &w, void *pData, GDALDataType eBufType,
                       GSpacing nPixelSpace, GSpacing nLineSpace,
                       GSpacing nBandSpace);
    void StartReadAhead(Window w);
    void JoinReadAhead();
    // Whether a read is large enough for ReadLarge (else GDAL's blocks),
    // and the working set of its rows fits the memory budget.
    bool IsLarge(int nXSize, int nYSize, int nBufXSize, int nBufYSize) const;
    // Rows of the chunks in which FilterRows filters nW pixels wide
    // windows of every band: about kChunkPixels, fewer where their
    // working set would pass half the memory budget (the read-ahead has
    // the other half); 0 if not even one row fits.
    int ChunkRows(int nW) const;

  public:
    ENHLEEDataset() = default;
    ~ENHLEEDataset() override;

    CPLErr GetGeoTransform(double *padfTransform) override
    {
        return m_poSrcDS->GetGeoTransform(padfTransform);
    }
    const OGRSpatialReference *GetSpatialRef() const override
    {
        return m_poSrcDS->GetSpatialRef();
    }
    int GetGCPCount() override
    {
        return m_poSrcDS->GetGCPCount();
    }
    const OGRSpatialReference *GetGCPSpatialRef() const override
    {
        return m_poSrcDS->GetGCPSpatialRef();
    }
    const GDAL_GCP *GetGCPs() override
    {
        return m_poSrcDS->GetGCPs();
    }

    static int Identify(GDALOpenInfo *poOpenInfo);
    static GDALDataset *Open(GDALOpenInfo *poOpenInfo);

  protected:
    CPLErr IRasterIO(GDALRWFlag eRWFlag, int nXOff, int nYOff, int nXSize,
                     int nYSize, void *pData, int nBufXSize, int nBufYSize,
                     GDALDataType eBufType, int nBandCount,
                     BANDMAP_TYPE panBandMap, GSpacing nPixelSpace,
                     GSpacing nLineSpace, GSpacing nBandSpace,
                     GDALRasterIOExtraArg *psExtraArg) override;
};

ENHLEEDataset::~ENHLEEDataset()
{
    std::lock_guard<std::recursive_mutex> lock(m_mutex);
    JoinReadAhead();
    if (m_ahead.poSrcDS)
        GDALClose(GDALDataset::ToHandle(m_ahead.poSrcDS));
    // Blocks are never dirty; drop them before the source goes away.
    GDALDataset::FlushCache(true);
    if (m_poSrcDS)
        GDALClose(GDALDataset::ToHandle(m_poSrcDS));
}

bool ENHLEEDataset::IsLarge(int nXSize, int nYSize, int nBufXSize,
                            int nBufYSize) const
{
    const GDALRasterBand *poBand = papoBands[0];
    int nBX = 0, nBY = 0;
    const_cast<GDALRasterBand *>(poBand)->GetBlockSize(&nBX, &nBY);
    return nBufXSize == nXSize && nBufYSize == nYSize &&
           static_cast<GIntBig>(nXSize) * nYSize >=
               kDirectMinBlocks * nBX * nBY &&
           ChunkRows(nXSize) > 0;
}

int ENHLEEDataset::ChunkRows(int nW) const
{
    int nRows = static_cast<int>(std::max<GIntBig>(
        1, std::min<GIntBig>(nRasterYSize,
                             kChunkPixels / (static_cast<GIntBig>(nW) *
                                             m_nPlanes))));
    const double dfBudget = MemoryBudget() / 2;
    for (; nRows > 0; nRows /= 2)
    {
        double dfBytes = 0;
        if (WorkingSet(nRasterXSize, nRasterYSize, m_halo, nW, nRows, m_nPlanes,
                       m_bComplex, m_resolved, &dfBytes) != ENH_LEE_OK)
            return 0;
        if (dfBytes <= dfBudget)
            return nRows;
    }
    return 0;
}

// A read of several bands at once (how gdal_translate copies a
// pixel-interleaved raster, swath by swath): every band's source window
// read in one request, so that the file is read once. Small or decimated
// reads go through GDAL (block by block, each band's blocks cached).
CPLErr ENHLEEDataset::IRasterIO(GDALRWFlag eRWFlag, int nXOff, int nYOff,
                                int nXSize, int nYSize, void *pData,
                                int nBufXSize, int nBufYSize,
                                GDALDataType eBufType, int nBandCount,
                                BANDMAP_TYPE panBandMap, GSpacing nPixelSpace,
                                GSpacing nLineSpace, GSpacing nBandSpace,
                                GDALRasterIOExtraArg *psExtraArg)
{
    std::lock_guard<std::recursive_mutex> lock(m_mutex);
    if (eRWFlag != GF_Read || !IsLarge(nXSize, nYSize, nBufXSize, nBufYSize))
        return GDALDataset::IRasterIO(
            eRWFlag, nXOff, nYOff, nXSize, nYSize, pData, nBufXSize,
            nBufYSize, eBufType, nBandCount, panBandMap, nPixelSpace,
            nLineSpace, nBandSpace, psExtraArg);
    Window w;
    w.nX = nXOff;
    w.nY = nYOff;
    w.nW = nXSize;
    w.nH = nYSize;
    w.bands.assign(panBandMap, panBandMap + nBandCount);
    return ReadLarge(w, pData, eBufType, nPixelSpace, nLineSpace, nBandSpace,
                     psExtraArg);
}

CPLErr ENHLEEDataset::FilterWindow(GDALDataset *poSrc,
                                   std::vector<float> *pSource,
                                   const Window &w, float *pDst,
                                   size_t nDstStride, size_t nBandStride,
                                   EnhLeeRegion *pSourceRegion)
{
    // The window grown by the halo, clipped to the raster: the same for
    // every band (the halo depends on window and statistic only).
    const EnhLeeRegion region{static_cast<size_t>(w.nX), static_cast<size_t>(w.nY),
                              static_cast<size_t>(w.nW), static_cast<size_t>(w.nH)};
    EnhLeeRegion source{};
    const EnhLeeStatus regionStatus = enh_lee_source_region(
        static_cast<size_t>(nRasterXSize), static_cast<size_t>(nRasterYSize),
        &region, m_params, &source);
    if (regionStatus != ENH_LEE_OK)
    {
        ReportStatus(regionStatus, CPLSPrintf("region %d,%d %dx%d", w.nX, w.nY,
                                              w.nW, w.nH));
        return CE_Failure;
    }
    if (pSourceRegion)
        *pSourceRegion = source;
    // Inside the raster, whose sides are ints.
    const int nSX0 = static_cast<int>(source.x_off);
    const int nSY0 = static_cast<int>(source.y_off);
    const int nSW = static_cast<int>(source.width);
    const int nSH = static_cast<int>(source.height);
    const size_t nPlane = static_cast<size_t>(nSW) * nSH;

    // Grown as needed and kept: no allocation (or page faults) per read.
    std::vector<float> &src = *pSource;
    try
    {
        if (src.size() < nPlane * m_nPlanes)
            src.resize(nPlane * m_nPlanes);
    }
    catch (const std::exception &)
    {
        CPLError(CE_Failure, CPLE_OutOfMemory,
                 "ENHLEE: cannot allocate %d x %d x %d source pixels", nSW,
                 nSH, m_nPlanes);
        return CE_Failure;
    }
    if (!ReadSource(poSrc, m_params, nSX0, nSY0, nSW, nSH, src.data()))
        return CE_Failure;

    // Every band in one call; the library allocates its scratch for the
    // calling thread's pool.
    const EnhLeeImage srcImage =
        Image(src.data(), source.width, source.height, sizeof(float) * source.width,
              static_cast<size_t>(m_nPlanes), sizeof(float) * nPlane);
    const EnhLeeImage dstImage =
        Image(pDst, region.width, region.height, nDstStride,
              static_cast<size_t>(m_nPlanes),
              m_nPlanes > 1 ? nBandStride : nDstStride * region.height);
    const EnhLeeStatus status = enh_lee_plan_filter_region(
        m_plan.get(), &srcImage, region, &dstImage, nullptr, 0);
    if (status != ENH_LEE_OK)
    {
        ReportStatus(status, CPLSPrintf("filtering region %d,%d %dx%d of "
                                        "%d band(s) of a %dx%d raster",
                                        w.nX, w.nY, w.nW, w.nH, m_nPlanes,
                                        nRasterXSize, nRasterYSize));
        return CE_Failure;
    }
    return CE_None;
}

CPLErr ENHLEEDataset::ReadLarge(const Window &w, void *pData,
                                GDALDataType eBufType, GSpacing nPixelSpace,
                                GSpacing nLineSpace, GSpacing nBandSpace,
                                GDALRasterIOExtraArg *psExtraArg)
{
    Window next = w;
    next.nY = w.nY + w.nH;
    next.nH = std::min(w.nH, nRasterYSize - next.nY);
    if (TakeReadAhead(w, pData, eBufType, nPixelSpace, nLineSpace, nBandSpace))
    {
        StartReadAhead(next);
        if (psExtraArg && psExtraArg->pfnProgress &&
            !psExtraArg->pfnProgress(1.0, "", psExtraArg->pProgressData))
        {
            CPLError(CE_Failure, CPLE_UserInterrupt, "User terminated");
            return CE_Failure;
        }
        return CE_None;
    }
    const CPLErr eErr = FilterRows(w, pData, eBufType, nPixelSpace,
                                   nLineSpace, nBandSpace, psExtraArg);
    if (eErr == CE_None)
        StartReadAhead(next);
    return eErr;
}

CPLErr ENHLEEDataset::FilterRows(const Window &w, void *pData,
                                 GDALDataType eBufType, GSpacing nPixelSpace,
                                 GSpacing nLineSpace, GSpacing nBandSpace,
                                 GDALRasterIOExtraArg *psExtraArg)
{
    // Filtered as windows of whole rows of the request, every band,
    // straight into the caller's buffer when the raster has one band and
    // the buffer holds it as row-contiguous Float32, else through a
    // temporary one, from which the bands asked for are copied.
    const int nAsked = static_cast<int>(w.bands.size());
    const bool bDirect =
        m_nPlanes == 1 && nAsked == 1 && eBufType == GDT_Float32 &&
        nPixelSpace == sizeof(float) &&
        nLineSpace >= static_cast<GSpacing>(sizeof(float)) * w.nW &&
        nLineSpace % sizeof(float) == 0 &&
        reinterpret_cast<uintptr_t>(pData) % alignof(float) == 0;
    // IsLarge made sure that one row fits.
    const int nChunkRows = std::max(1, std::min(w.nH, ChunkRows(w.nW)));
    const size_t nRow = sizeof(float) * static_cast<size_t>(w.nW);
    std::vector<float> tmp;
    if (!bDirect)
    {
        try
        {
            tmp.resize(static_cast<size_t>(w.nW) * nChunkRows * m_nPlanes);
        }
        catch (const std::exception &)
        {
            CPLError(CE_Failure, CPLE_OutOfMemory,
                     "ENHLEE: cannot allocate %d x %d x %d pixels", w.nW,
                     nChunkRows, m_nPlanes);
            return CE_Failure;
        }
    }

    for (int nDone = 0; nDone < w.nH; nDone += nChunkRows)
    {
        Window chunk = w;
        chunk.nY = w.nY + nDone;
        chunk.nH = std::min(nChunkRows, w.nH - nDone);
        GByte *pabyOut = static_cast<GByte *>(pData) + nDone * nLineSpace;
        if (bDirect)
        {
            if (FilterWindow(m_poSrcDS, &m_source, chunk,
                             reinterpret_cast<float *>(pabyOut),
                             static_cast<size_t>(nLineSpace), 0) != CE_None)
                return CE_Failure;
        }
        else
        {
            const size_t nPlane = nRow * chunk.nH;
            if (FilterWindow(m_poSrcDS, &m_source, chunk, tmp.data(), nRow,
                             nPlane) != CE_None)
                return CE_Failure;
            for (int b = 0; b < nAsked; ++b)
                for (int i = 0; i < chunk.nH; ++i)
                    GDALCopyWords(reinterpret_cast<GByte *>(tmp.data()) +
                                      nPlane * (w.bands[b] - 1) + nRow * i,
                                  GDT_Float32, sizeof(float),
                                  pabyOut + b * nBandSpace + i * nLineSpace,
                                  eBufType, static_cast<int>(nPixelSpace),
                                  w.nW);
        }
        if (psExtraArg && psExtraArg->pfnProgress &&
            !psExtraArg->pfnProgress(static_cast<double>(nDone + chunk.nH) /
                                         w.nH,
                                     "", psExtraArg->pProgressData))
        {
            CPLError(CE_Failure, CPLE_UserInterrupt, "User terminated");
            return CE_Failure;
        }
    }
    return CE_None;
}

void ENHLEEDataset::JoinReadAhead()
{
    if (m_ahead.running)
        m_ahead.thread.join();
    m_ahead.running = false;
}

bool ENHLEEDataset::TakeReadAhead(const Window &w, void *pData,
                                  GDALDataType eBufType, GSpacing nPixelSpace,
                                  GSpacing nLineSpace, GSpacing nBandSpace)
{
    if (!m_ahead.running)
        return false;
    JoinReadAhead();
    if (m_ahead.eErr != CE_None || !m_ahead.window.SameArea(w))
        return false;
    CPLDebug("ENHLEE", "window %d,%d %dx%d of %d band(s) filtered ahead",
             w.nX, w.nY, w.nW, w.nH, static_cast<int>(w.bands.size()));
    const size_t nPlane = static_cast<size_t>(w.nW) * w.nH;
    for (size_t b = 0; b < w.bands.size(); ++b)
        for (int i = 0; i < w.nH; ++i)
            GDALCopyWords(m_ahead.filtered.data() +
                              nPlane * (w.bands[b] - 1) +
                              static_cast<size_t>(i) * w.nW,
                          GDT_Float32, sizeof(float),
                          static_cast<GByte *>(pData) + b * nBandSpace +
                              i * nLineSpace,
                          eBufType, static_cast<int>(nPixelSpace), w.nW);
    return true;
}

void ENHLEEDataset::StartReadAhead(Window w)
{
    if (w.nH <= 0 || m_ahead.disabled || m_ahead.running)
        return;
    // Not filtered ahead where the whole window's working set would pass
    // half the memory budget (the reads' chunks have the other half).
    double dfBytes = 0;
    if (WorkingSet(nRasterXSize, nRasterYSize, m_halo, w.nW, w.nH, m_nPlanes,
                   m_bComplex, m_resolved, &dfBytes) != ENH_LEE_OK ||
        dfBytes > MemoryBudget() / 2)
        return;
    if (m_ahead.poSrcDS == nullptr)
    {
        CPLErrorStateBackuper state;
        CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
        m_ahead.poSrcDS = GDALDataset::FromHandle(GDALOpenEx(
            m_osSource.c_str(), GDAL_OF_RASTER, nullptr, nullptr, nullptr));
        if (m_ahead.poSrcDS == nullptr ||
            m_ahead.poSrcDS->GetRasterCount() != m_nPlanes)
        {
            m_ahead.disabled = true;
            return;
        }
    }
    try
    {
        m_ahead.filtered.resize(static_cast<size_t>(w.nW) * w.nH * m_nPlanes);
    }
    catch (const std::exception &)
    {
        return;  // the next read filters the window itself
    }
    m_ahead.window = std::move(w);
    m_ahead.eErr = CE_Failure;
    m_ahead.running = true;
    m_ahead.thread = std::thread(
        [this]
        {
            // An error here is not the caller's: the read that asks for
            // this window filters it again and reports it.
            CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
            const Window &a = m_ahead.window;
            const size_t nRow = sizeof(float) * static_cast<size_t>(a.nW);
            m_ahead.eErr = FilterWindow(m_ahead.poSrcDS, &m_ahead.source, a,
                                        m_ahead.filtered.data(), nRow,
                                        nRow * a.nH);
        });
}

ENHLEERasterBand::ENHLEERasterBand(ENHLEEDataset *poDSIn, int nBandIn,
                                   GDALRasterBand *poSrc, int nBlockX,
                                   int nBlockY)
    : m_poSrcBand(poSrc)
{
    poDS = poDSIn;
    nBand = nBandIn;
    eDataType = GDT_Float32;
    nRasterXSize = poDSIn->GetRasterXSize();
    nRasterYSize = poDSIn->GetRasterYSize();
    nBlockXSize = std::min(nBlockX, nRasterXSize);
    nBlockYSize = std::min(nBlockY, nRasterYSize);
    m_poOverview = std::make_unique<ENHLEEOverviewBand>(this);
}

ENHLEEOverviewBand::ENHLEEOverviewBand(ENHLEERasterBand *poParent)
    : m_poParent(poParent)
{
    nBand = poParent->GetBand();
    eDataType = GDT_Float32;
    nRasterXSize = poParent->GetXSize();
    nRasterYSize = poParent->GetYSize();
    poParent->GetBlockSize(&nBlockXSize, &nBlockYSize);
    // See the class: skipped by GDAL's overview choice for RasterIO.
    SetMetadataItem("RESAMPLING", "AVERAGE_BIT2_NEVER_FOR_RASTERIO");
}

void ENHLEEOverviewBand::WarnOnce()
{
    if (m_bWarned.exchange(true))
        return;
    CPLError(CE_Warning, CPLE_AppDefined,
             "ENHLEE: band %d has no reduced overviews: its overview level 0 "
             "(gdal_translate -ovr) is the full-resolution filtered raster; "
             "decimate with -outsize or -tr instead",
             nBand);
}

CPLErr ENHLEEOverviewBand::IRasterIO(GDALRWFlag eRWFlag, int nXOff, int nYOff,
                                     int nXSize, int nYSize, void *pData,
                                     int nBufXSize, int nBufYSize,
                                     GDALDataType eBufType,
                                     GSpacing nPixelSpace, GSpacing nLineSpace,
                                     GDALRasterIOExtraArg *psExtraArg)
{
    if (eRWFlag != GF_Read)
    {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "ENHLEE: the dataset is read-only");
        return CE_Failure;
    }
    auto *poOwner = static_cast<ENHLEEDataset *>(m_poParent->GetDataset());
    std::lock_guard<std::recursive_mutex> lock(poOwner->m_mutex);
    WarnOnce();
    m_poParent->m_bReadingForOverview = true;
    const CPLErr eErr = m_poParent->RasterIO(
        GF_Read, nXOff, nYOff, nXSize, nYSize, pData, nBufXSize, nBufYSize,
        eBufType, nPixelSpace, nLineSpace, psExtraArg);
    m_poParent->m_bReadingForOverview = false;
    return eErr;
}

CPLErr ENHLEEOverviewBand::IReadBlock(int nBlockXOff, int nBlockYOff,
                                      void *pImage)
{
    // The same blocks as the band's.
    WarnOnce();
    return m_poParent->IReadBlock(nBlockXOff, nBlockYOff, pImage);
}

bool ENHLEEDataset::CheckPasses(bool bReport) const
{
    // What asks for the passes, named from the plan's provenance (the
    // parameters it estimates) and the driver's own REPORT option.
    const std::string osFilter = ParamText(m_params, "filter");
    std::string osWhat, osNames;
    int nAsked = 0;
    for (const auto &[name, value] : EstimatedParameters(m_plan.get()))
    {
        const std::string osGiven = ParamText(m_params, name.c_str());
        osWhat += std::string(nAsked++ ? " and " : "") +
                  (osGiven.empty() ? "FILTER=" + osFilter + " without " +
                                         Upper(name.c_str())
                                   : Upper(name.c_str()) + "=" + osGiven);
        osNames += (osNames.empty() ? "" : " and ") + Upper(name.c_str());
    }
    if (bReport)
        osWhat += std::string(nAsked++ ? " and " : "") + "REPORT=YES";
    osWhat += nAsked > 1 ? " need" : " needs";
    const std::string osInstead =
        (osNames.empty() ? std::string()
                         : "give " + osNames +
                               " (values measured on a part of the raster: "
                               "gdal_translate -srcwin, then gdalinfo -mdd "
                               "ENHLEE)" +
                               (bReport ? " and " : "")) +
        (bReport ? "REPORT=NO" : "");

    const char *pszMax = CPLGetConfigOption(kMaxPassPixelsOption, nullptr);
    const double dfMax = pszMax ? CPLAtof(pszMax) : kDefaultMaxPassPixels;
    const double dfPixels = static_cast<double>(nRasterXSize) * nRasterYSize;
    if (dfMax > 0 && dfPixels > dfMax)
    {
        CPLError(CE_Failure, CPLE_AppDefined,
                 "ENHLEE: %s whole-raster passes over this %dx%d raster "
                 "(%.4g pixels, more than %s=%.4g); %s, or raise %s (0: no "
                 "limit)",
                 osWhat.c_str(), nRasterXSize, nRasterYSize, dfPixels,
                 kMaxPassPixelsOption, dfMax, osInstead.c_str(),
                 kMaxPassPixelsOption);
        return false;
    }
    // A strip of every band (three times for complex bands: their CFloat32
    // pairs, then the detected pixels).
    size_t nRows = 0;
    enh_lee_plan_strip_rows(m_plan.get(), &nRows);
    const double dfBytes =
        (m_bComplex ? 12.0 : 4.0) * m_nPlanes * nRasterXSize *
        static_cast<double>(nRows);
    if (dfBytes > MemoryBudget())
    {
        CPLError(CE_Failure, CPLE_OutOfMemory,
                 "ENHLEE: %s strips of %d rows of this %dx%d raster, which "
                 "take %s, more than the memory budget of %s "
                 "(GDAL_CACHEMAX); %s, or raise GDAL_CACHEMAX",
                 osWhat.c_str(), static_cast<int>(nRows), nRasterXSize,
                 nRasterYSize, Bytes(dfBytes).c_str(),
                 Bytes(MemoryBudget()).c_str(), osInstead.c_str());
        return false;
    }
    return true;
}

bool ENHLEEDataset::RunPasses()
{
    size_t nRows = 0;
    enh_lee_plan_strip_rows(m_plan.get(), &nRows);
    const int nStrip = static_cast<int>(std::max<size_t>(1, nRows));
    std::vector<float> strip;
    std::vector<uint64_t> tally;
    size_t nTally = 0;
    while (enh_lee_plan_tally_len(m_plan.get(), &nTally) == ENH_LEE_OK &&
           nTally > 0)
    {
        try
        {
            strip.resize(static_cast<size_t>(nRasterXSize) * nStrip * m_nPlanes);
            tally.assign(nTally, 0);
        }
        catch (const std::exception &)
        {
            CPLError(CE_Failure, CPLE_OutOfMemory,
                     "ENHLEE: cannot allocate a strip of %d x %d pixels of "
                     "%d band(s)",
                     nRasterXSize, nStrip, m_nPlanes);
            return false;
        }
        for (int y = 0; y < nRasterYSize; y += nStrip)
        {
            const int n = std::min(nStrip, nRasterYSize - y);
            // Progress of a pass, which runs at open (GDAL has no progress
            // callback there): CPL_DEBUG=ENHLEE shows it.
            CPLDebug("ENHLEE", "whole-raster pass: rows %d-%d of %d", y,
                     y + n - 1, nRasterYSize);
            if (!ReadSource(m_poSrcDS, m_params, 0, y, nRasterXSize, n,
                            strip.data()))
                return false;
            const size_t nW = static_cast<size_t>(nRasterXSize);
            const EnhLeeImage piece =
                Image(strip.data(), nW, static_cast<size_t>(n),
                      sizeof(float) * nW, static_cast<size_t>(m_nPlanes),
                      sizeof(float) * nW * n);
            const EnhLeeStatus st = enh_lee_plan_count(
                m_plan.get(), &piece, 0, static_cast<size_t>(y), tally.data(),
                nTally);
            if (st != ENH_LEE_OK)
            {
                ReportStatus(st, CPLSPrintf("whole-raster pass, rows %d-%d", y,
                                            y + n - 1));
                return false;
            }
        }
        const EnhLeeStatus st =
            enh_lee_plan_step(m_plan.get(), tally.data(), nTally);
        if (st != ENH_LEE_OK)
        {
            ReportStatus(st, "end of a whole-raster pass");
            return false;
        }
    }
    return true;
}

bool ENHLEEDataset::WriteReports()
{
    size_t nTally = 0, nRows = 0;
    enh_lee_plan_report_tally_len(m_plan.get(), &nTally);
    enh_lee_plan_strip_rows(m_plan.get(), &nRows);
    const int nStrip = static_cast<int>(std::max<size_t>(1, nRows));
    const size_t nW = static_cast<size_t>(nRasterXSize);
    // The strip filtered and the source it is filtered from, within the
    // memory budget.
    double dfBytes = 0;
    if (EnhLeeStatus st = WorkingSet(nRasterXSize, nRasterYSize, m_halo,
                                     nRasterXSize, nStrip, m_nPlanes, m_bComplex,
                                     m_resolved, &dfBytes);
        st != ENH_LEE_OK)
    {
        ReportStatus(st, CPLSPrintf("REPORT=YES on a %dx%d raster",
                                    nRasterXSize, nRasterYSize));
        return false;
    }
    if (dfBytes > MemoryBudget())
    {
        CPLError(CE_Failure, CPLE_OutOfMemory,
                 "ENHLEE: REPORT=YES filters strips of %d rows of this %dx%d "
                 "raster, which take %s, more than the memory budget of %s "
                 "(GDAL_CACHEMAX); give REPORT=NO, or raise GDAL_CACHEMAX",
                 nStrip, nRasterXSize, nRasterYSize, Bytes(dfBytes).c_str(),
                 Bytes(MemoryBudget()).c_str());
        return false;
    }
    std::vector<float> filtered;
    std::vector<uint64_t> tally;
    try
    {
        filtered.resize(nW * nStrip * m_nPlanes);
        tally.assign(nTally, 0);
    }
    catch (const std::exception &)
    {
        CPLError(CE_Failure, CPLE_OutOfMemory, "ENHLEE: out of memory");
        return false;
    }
    for (int y = 0; y < nRasterYSize; y += nStrip)
    {
        const int n = std::min(nStrip, nRasterYSize - y);
        CPLDebug("ENHLEE", "quality report: rows %d-%d of %d", y, y + n - 1,
                 nRasterYSize);
        Window w;
        w.nY = y;
        w.nW = nRasterXSize;
        w.nH = n;
        EnhLeeRegion source{};
        const size_t nPlane = nW * static_cast<size_t>(n);
        if (FilterWindow(m_poSrcDS, &m_source, w, filtered.data(),
                         sizeof(float) * nW, sizeof(float) * nPlane,
                         &source) != CE_None)
            return false;
        // The strip's own rows of the source window FilterWindow read
        // (full rows: the same width).
        const size_t nSrcPlane = source.width * source.height;
        const EnhLeeImage input = Image(
            m_source.data() + (static_cast<size_t>(y) - source.y_off) * nW, nW,
            static_cast<size_t>(n), sizeof(float) * nW,
            static_cast<size_t>(m_nPlanes), sizeof(float) * nSrcPlane);
        const EnhLeeImage output =
            Image(filtered.data(), nW, static_cast<size_t>(n),
                  sizeof(float) * nW, static_cast<size_t>(m_nPlanes),
                  sizeof(float) * nPlane);
        const EnhLeeStatus st = enh_lee_plan_report_count(
            m_plan.get(), &input, &output, 0, static_cast<size_t>(y),
            tally.data(), nTally);
        if (st != ENH_LEE_OK)
        {
            ReportStatus(st, "quality report");
            return false;
        }
    }
    if (EnhLeeStatus st =
            enh_lee_plan_report_finish(m_plan.get(), tally.data(), nTally);
        st != ENH_LEE_OK)
    {
        ReportStatus(st, "quality report");
        return false;
    }
    for (int i = 0; i < m_nPlanes; ++i)
    {
        GDALRasterBand *poBand = papoBands[i];
        EnhLeeQualityReport report{};
        const EnhLeeStatus st =
            enh_lee_plan_report(m_plan.get(), static_cast<size_t>(i), &report);
        if (st == ENH_LEE_ERROR_LOOKS_NOT_ESTIMABLE)
        {
            // In the default domain, with the other ENHLEE_REPORT_* items.
            poBand->SetMetadataItem(
                "ENHLEE_REPORT_STATUS",
                CPLSPrintf("not measurable: %s; the filter is not affected",
                           enh_lee_status_message(st)));
            continue;
        }
        if (st != ENH_LEE_OK)
        {
            ReportStatus(st, CPLSPrintf("quality report of band %d", i + 1));
            return false;
        }
        // In the default domain, which gdal_translate copies into the output.
        const std::pair<const char *, double> values[] = {
            {"ENHLEE_REPORT_LOOKS_BEFORE", report.looks_before},
            {"ENHLEE_REPORT_LOOKS_AFTER", report.looks_after},
            {"ENHLEE_REPORT_RATIO_MEAN", report.ratio_mean},
            {"ENHLEE_REPORT_RATIO_STD", report.ratio_std},
            {"ENHLEE_REPORT_BLOCKS", static_cast<double>(report.blocks)},
            {"ENHLEE_REPORT_PIXELS", static_cast<double>(report.pixels)}};
        for (const auto &[pszName, dfValue] : values)
            poBand->SetMetadataItem(pszName, CPLSPrintf("%.17g", dfValue));
        poBand->SetMetadataItem("ENHLEE_REPORT_STATUS", "measured");
    }
    return true;
}

CPLErr ENHLEERasterBand::IReadBlock(int nBlockXOff, int nBlockYOff,
                                    void *pImage)
{
    auto *poOwner = static_cast<ENHLEEDataset *>(poDS);
    std::lock_guard<std::recursive_mutex> lock(poOwner->m_mutex);
    const int nX = nBlockXOff * nBlockXSize;
    const int nY = nBlockYOff * nBlockYSize;
    const int nW = std::min(nBlockXSize, nRasterXSize - nX);
    const int nH = std::min(nBlockYSize, nRasterYSize - nY);
    const size_t nBlock = static_cast<size_t>(nBlockXSize) * nBlockYSize;
    const size_t nRow = sizeof(float) * static_cast<size_t>(nBlockXSize);
    const int nBands = poOwner->GetRasterCount();
    ENHLEEDataset::Window w;
    w.nX = nX;
    w.nY = nY;
    w.nW = nW;
    w.nH = nH;
    if (nBands == 1)
    {
        if (nW < nBlockXSize || nH < nBlockYSize)
            memset(pImage, 0, sizeof(float) * nBlock);
        return poOwner->FilterWindow(poOwner->m_poSrcDS, &poOwner->m_source, w,
                                     static_cast<float *>(pImage), nRow, 0);
    }
    // Every band's block in one call: this band's is returned, the
    // others' go into their bands' block cache (where not cached yet), as
    // the pixel-interleaved drivers of GDAL do.
    std::vector<float> &blocks = poOwner->m_block;
    try
    {
        blocks.assign(nBlock * nBands, 0.0f);
    }
    catch (const std::exception &)
    {
        CPLError(CE_Failure, CPLE_OutOfMemory,
                 "ENHLEE: cannot allocate %d blocks of %d x %d pixels", nBands,
                 nBlockXSize, nBlockYSize);
        return CE_Failure;
    }
    if (poOwner->FilterWindow(poOwner->m_poSrcDS, &poOwner->m_source, w,
                              blocks.data(), nRow,
                              sizeof(float) * nBlock) != CE_None)
        return CE_Failure;
    for (int b = 1; b <= nBands; ++b)
    {
        const float *pBlock = blocks.data() + nBlock * (b - 1);
        if (b == nBand)
        {
            memcpy(pImage, pBlock, sizeof(float) * nBlock);
            continue;
        }
        GDALRasterBand *poOther = poOwner->GetRasterBand(b);
        GDALRasterBlock *poCached =
            poOther->TryGetLockedBlockRef(nBlockXOff, nBlockYOff);
        if (poCached == nullptr)
        {
            // No room in the cache is no error: read again when asked.
            CPLErrorStateBackuper state;
            CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
            poCached = poOther->GetLockedBlockRef(nBlockXOff, nBlockYOff, TRUE);
            if (poCached && poCached->GetDataRef())
                memcpy(poCached->GetDataRef(), pBlock, sizeof(float) * nBlock);
        }
        if (poCached)
            poCached->DropLock();
    }
    return CE_None;
}

CPLErr ENHLEERasterBand::IRasterIO(GDALRWFlag eRWFlag, int nXOff, int nYOff,
                                   int nXSize, int nYSize, void *pData,
                                   int nBufXSize, int nBufYSize,
                                   GDALDataType eBufType, GSpacing nPixelSpace,
                                   GSpacing nLineSpace,
                                   GDALRasterIOExtraArg *psExtraArg)
{
    if (eRWFlag != GF_Read)
    {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "ENHLEE: the dataset is read-only");
        return CE_Failure;
    }
    // Decimated or small reads: GDAL's block-based path, which reads whole
    // filtered blocks at full resolution (cached) and subsamples/resamples
    // them. It skips the overview (ENHLEEOverviewBand).
    auto *poOwner = static_cast<ENHLEEDataset *>(poDS);
    std::lock_guard<std::recursive_mutex> lock(poOwner->m_mutex);
    if (!poOwner->IsLarge(nXSize, nYSize, nBufXSize, nBufYSize))
    {
        return GDALRasterBand::IRasterIO(
            eRWFlag, nXOff, nYOff, nXSize, nYSize, pData, nBufXSize,
            nBufYSize, eBufType, nPixelSpace, nLineSpace, psExtraArg);
    }
    ENHLEEDataset::Window w;
    w.nX = nXOff;
    w.nY = nYOff;
    w.nW = nXSize;
    w.nH = nYSize;
    w.bands = {nBand};
    return poOwner->ReadLarge(w, pData, eBufType, nPixelSpace, nLineSpace, 0,
                              psExtraArg);
}

// The source named by an ENHLEE connection string, or false if it is none.
// Besides "ENHLEE:<source>", accepts "<dir>/ENHLEE:<source>": what a VRT
// makes of <SourceFilename relativeToVRT="1">ENHLEE:<source></...>, so that
// such VRTs can name their source relative to themselves.
bool SourceOf(const char *pszFilename, std::string *posSource)
{
    if (STARTS_WITH_CI(pszFilename, kPrefix))
    {
        *posSource = pszFilename + strlen(kPrefix);
        return true;
    }
    const CPLString osName(pszFilename);
    for (const char *pszSep : {"/", "\\"})
    {
        const size_t nPos = osName.ifind(std::string(pszSep) + kPrefix);
        if (nPos == std::string::npos)
            continue;
        const std::string osDir = osName.substr(0, nPos);
        const std::string osRest = osName.substr(nPos + 1 + strlen(kPrefix));
        if (osRest.empty() || !CPLIsFilenameRelative(osRest.c_str()))
            *posSource = osRest;
        else
            *posSource = osDir + pszSep + osRest;
        return true;
    }
    return false;
}

int ENHLEEDataset::Identify(GDALOpenInfo *poOpenInfo)
{
    std::string osSource;
    return SourceOf(poOpenInfo->pszFilename, &osSource);
}

GDALDataset *ENHLEEDataset::Open(GDALOpenInfo *poOpenInfo)
{
    if (!Identify(poOpenInfo))
        return nullptr;
    if (poOpenInfo->eAccess == GA_Update)
    {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "ENHLEE: the filtered view is read-only; filter into a new "
                 "file with gdal_translate");
        return nullptr;
    }

    Options o;
    if (!ParseOptions(poOpenInfo->papszOpenOptions, &o))
        return nullptr;

    std::string osSource;
    SourceOf(poOpenInfo->pszFilename, &osSource);
    const char *pszSource = osSource.c_str();
    if (*pszSource == '\0')
    {
        CPLError(CE_Failure, CPLE_OpenFailed,
                 "ENHLEE: no source given; use ENHLEE:<any GDAL raster "
                 "source>, e.g. ENHLEE:in.tif");
        return nullptr;
    }

    // Each ENHLEE dataset owns its own source handle (not shared), so that
    // different ENHLEE handles can be read from different threads.
    GDALDataset *poSrcDS = GDALDataset::FromHandle(GDALOpenEx(
        pszSource, GDAL_OF_RASTER | GDAL_OF_VERBOSE_ERROR, nullptr, nullptr,
        nullptr));
    if (poSrcDS == nullptr)
    {
        CPLError(CE_Failure, CPLE_OpenFailed,
                 "ENHLEE: cannot open source raster '%s'", pszSource);
        return nullptr;
    }
    auto poDS = std::make_unique<ENHLEEDataset>();
    poDS->m_poSrcDS = poSrcDS;
    poDS->m_osSource = pszSource;
    poDS->nRasterXSize = poSrcDS->GetRasterXSize();
    poDS->nRasterYSize = poSrcDS->GetRasterYSize();
    poDS->eAccess = GA_ReadOnly;

    const int nBands = poSrcDS->GetRasterCount();
    if (nBands == 0 || poDS->nRasterXSize < 1 || poDS->nRasterYSize < 1)
    {
        CPLError(CE_Failure, CPLE_OpenFailed,
                 "ENHLEE: source '%s' has no raster bands", pszSource);
        return nullptr;
    }
    for (int i = 1; i <= nBands; ++i)
    {
        // Speckle is multiplicative in the physical values, scale *
        // pixel + offset. Every filter is scale-equivariant (filtering
        // s * x gives s times the result for x, to rounding), so a positive
        // scale is kept as the output's; raw numbers under an offset, or a
        // scale that is not positive, are not the physical values.
        GDALRasterBand *poSrc = poSrcDS->GetRasterBand(i);
        int bHasScale = FALSE, bHasOffset = FALSE;
        const double dfScale = poSrc->GetScale(&bHasScale);
        const double dfOffset = poSrc->GetOffset(&bHasOffset);
        if ((bHasScale && !(dfScale > 0.0)) || (bHasOffset && dfOffset != 0.0))
        {
            CPLError(CE_Failure, CPLE_NotSupported,
                     "ENHLEE: band %d of '%s' has scale %.17g and offset "
                     "%.17g: its pixels are not proportional to the physical "
                     "values, which the speckle filters need. Filter a VRT "
                     "of the physical values instead: gdal_translate -of VRT "
                     "-ot Float32 -unscale <source> physical.vrt, then "
                     "ENHLEE:physical.vrt",
                     i, pszSource, bHasScale ? dfScale : 1.0,
                     bHasOffset ? dfOffset : 0.0);
            return nullptr;
        }
    }

    poDS->m_params = o.params;
    poDS->m_nPlanes = nBands;

    // Each band's nodata: the NODATA option, else the source band's, as
    // the Float32 output pixels hold it.
    std::vector<std::pair<bool, double>> noData(nBands, {false, 0.0});
    for (int i = 1; i <= nBands; ++i)
    {
        GDALRasterBand *poSrc = poSrcDS->GetRasterBand(i);
        poDS->m_bComplex |=
            GDALDataTypeIsComplex(poSrc->GetRasterDataType()) != FALSE;
        bool bHasNoData = false;
        double dfNoData = 0.0;
        if (o.nodataGiven)
        {
            const std::string osNoData = ParamText(o.params, "nodata");
            bHasNoData = !osNoData.empty();
            dfNoData = bHasNoData ? CPLAtof(osNoData.c_str()) : 0.0;
        }
        else
        {
            int bOK = FALSE;
            const GDALDataType eType = poSrc->GetRasterDataType();
            if (eType == GDT_Int64)
                dfNoData =
                    static_cast<double>(poSrc->GetNoDataValueAsInt64(&bOK));
            else if (eType == GDT_UInt64)
                dfNoData =
                    static_cast<double>(poSrc->GetNoDataValueAsUInt64(&bOK));
            else
                dfNoData = poSrc->GetNoDataValue(&bOK);
            bHasNoData = bOK != FALSE;
        }
        if (bHasNoData)
            dfNoData = static_cast<double>(AsFloat32(dfNoData));
        noData[i - 1] = {bHasNoData, dfNoData};
    }

    // Integer bands are usually amplitudes (Sentinel-1 GRD is UInt16
    // amplitude): filtered as intensity, the looks come out about 4 times
    // too many. Say what is assumed when the user did not say.
    const GDALDataType eFirst = poSrcDS->GetRasterBand(1)->GetRasterDataType();
    if (GDALDataTypeIsInteger(eFirst) && !GDALDataTypeIsComplex(eFirst) &&
        CSLFetchNameValue(poOpenInfo->papszOpenOptions, "SIGNAL") == nullptr &&
        ParamText(o.params, "signal") == "intensity")
    {
        CPLError(CE_Warning, CPLE_AppDefined,
                 "ENHLEE: the bands are %s (integers) and SIGNAL is not set: "
                 "filtered as intensity. Amplitude products (Sentinel-1 GRD "
                 "is UInt16 amplitude) need -oo SIGNAL=amplitude; the "
                 "output's ENHLEE_PROVENANCE records what was assumed",
                 GDALGetDataTypeName(eFirst));
    }

    // The plan of every band. The library refuses a window too large for
    // the raster (it would see every pixel more than twice over).
    EnhLeePlan *plan = nullptr;
    if (EnhLeeStatus st = enh_lee_plan_new(
            o.params, static_cast<size_t>(poDS->nRasterXSize),
            static_cast<size_t>(poDS->nRasterYSize),
            static_cast<size_t>(nBands), o.report ? ENH_LEE_PLAN_REPORT : 0,
            &plan);
        st != ENH_LEE_OK)
    {
        if (st == ENH_LEE_ERROR_WINDOW_TOO_LARGE)
        {
            // The library's limit (SPEC), for the message only.
            const long long nMaxWindow = std::max<long long>(
                7, 2LL * std::max(poDS->nRasterXSize, poDS->nRasterYSize) + 1);
            CPLError(CE_Failure, CPLE_IllegalArg,
                     "ENHLEE: WINDOW=%s is too large for this %dx%d raster: "
                     "at most %lld (twice its larger side plus one, and never "
                     "less than 7)",
                     ParamText(o.params, "window").c_str(),
                     poDS->nRasterXSize, poDS->nRasterYSize, nMaxWindow);
        }
        else
            ReportStatus(st, ParameterDetail(st, o.params));
        return nullptr;
    }
    poDS->m_plan.reset(plan);
    // Each band's own nodata (a finite value: a non-finite one marks no
    // more pixels than none, non-finite pixels are invalid anyway).
    for (int i = 0; i < nBands; ++i)
    {
        const auto &[bHasNoData, dfNoData] = noData[i];
        const std::string osNoData =
            bHasNoData && std::isfinite(dfNoData) ? CPLSPrintf("%.9g", dfNoData)
                                                  : "";
        if (EnhLeeStatus st = enh_lee_plan_set(plan, static_cast<size_t>(i),
                                               "nodata", osNoData.c_str());
            st != ENH_LEE_OK)
        {
            ReportStatus(st, CPLSPrintf("band %d nodata", i + 1));
            return nullptr;
        }
    }

    size_t halo = 0;
    if (EnhLeeStatus st = enh_lee_halo(o.params, &halo); st != ENH_LEE_OK)
    {
        ReportStatus(st, "halo");
        return nullptr;
    }
    poDS->m_halo = halo;

    // The values of the whole raster the options leave to the library
    // (the plan knows which), computed here once over every band, each
    // with its own nodata.
    size_t nTally = 0;
    enh_lee_plan_tally_len(plan, &nTally);
    if ((nTally > 0 || o.report) && !poDS->CheckPasses(o.report))
        return nullptr;
    if (!poDS->RunPasses())
        return nullptr;
    EnhLeeParams *resolved = nullptr;
    if (EnhLeeStatus st = enh_lee_plan_params(plan, 0, &resolved);
        st != ENH_LEE_OK)
    {
        ReportStatus(st, "the plan's parameters");
        return nullptr;
    }
    poDS->m_resolved = Params(resolved);

    // One block of every band within the memory budget; validates the
    // block size once more.
    const int nBW = std::min(o.blockXSize, poDS->nRasterXSize);
    const int nBH = std::min(o.blockYSize, poDS->nRasterYSize);
    const std::string osWindow = ParamText(o.params, "window");
    double dfBlockBytes = 0;
    if (EnhLeeStatus st = WorkingSet(poDS->nRasterXSize, poDS->nRasterYSize,
                                     halo, nBW, nBH, nBands, poDS->m_bComplex,
                                     poDS->m_resolved, &dfBlockBytes);
        st != ENH_LEE_OK)
    {
        ReportStatus(st, CPLSPrintf("a %dx%d block of %d band(s) with "
                                    "WINDOW=%s", nBW, nBH, nBands,
                                    osWindow.c_str()));
        return nullptr;
    }
    if (dfBlockBytes > MemoryBudget())
    {
        CPLError(CE_Failure, CPLE_OutOfMemory,
                 "ENHLEE: a %dx%d block (BLOCKXSIZE=%d, BLOCKYSIZE=%d) of %d "
                 "band(s) with WINDOW=%s needs %s (the block, its source "
                 "window and the filter's scratch), more than the memory "
                 "budget of %s (GDAL_CACHEMAX); give smaller "
                 "BLOCKXSIZE/BLOCKYSIZE or WINDOW, or raise GDAL_CACHEMAX",
                 nBW, nBH, o.blockXSize, o.blockYSize, nBands,
                 osWindow.c_str(), Bytes(dfBlockBytes).c_str(),
                 Bytes(MemoryBudget()).c_str());
        return nullptr;
    }

    // Dataset metadata: the default domain and the georeferencing ones.
    for (const char *pszDomain : {"", "RPC", "GEOLOCATION", "IMAGERY"})
    {
        CSLConstList md = poSrcDS->GetMetadata(pszDomain);
        if (md && *md)
            poDS->SetMetadata(const_cast<char **>(md), pszDomain);
    }
    // The source's interleaving, so that gdal_translate copies a
    // pixel-interleaved source swath by swath, every band of a swath read
    // and filtered at once (IRasterIO), and a band-interleaved one band by
    // band.
    const char *pszInterleave =
        poSrcDS->GetMetadataItem("INTERLEAVE", "IMAGE_STRUCTURE");
    poDS->SetMetadataItem(
        "INTERLEAVE",
        pszInterleave && EQUAL(pszInterleave, "PIXEL") ? "PIXEL" : "BAND",
        "IMAGE_STRUCTURE");

    const std::string osFilter = ParamText(o.params, "filter");
    std::vector<std::string> estimated;
    for (const auto &[name, value] : EstimatedParameters(plan))
        estimated.push_back(name);
    for (int i = 1; i <= nBands; ++i)
    {
        GDALRasterBand *poSrc = poSrcDS->GetRasterBand(i);
        auto poBand = new ENHLEERasterBand(poDS.get(), i, poSrc, o.blockXSize,
                                           o.blockYSize);
        poDS->SetBand(i, poBand);
        poBand->m_bHasNoData = noData[i - 1].first;
        poBand->m_dfNoData = noData[i - 1].second;
        int bOK = FALSE;
        poBand->m_dfOffset = poSrc->GetOffset(&bOK);
        poBand->m_bHasOffset = bOK != FALSE;
        poBand->m_dfScale = poSrc->GetScale(&bOK);
        poBand->m_bHasScale = bOK != FALSE;
        poBand->m_osUnit = poSrc->GetUnitType() ? poSrc->GetUnitType() : "";
        const GDALColorInterp eCI = poSrc->GetColorInterpretation();
        // A palette index filtered is not an index any more.
        poBand->m_eColorInterp = eCI == GCI_PaletteIndex ? GCI_GrayIndex : eCI;
        poBand->SetDescription(poSrc->GetDescription());
        // The source's metadata but its statistics, which describe the
        // unfiltered pixels.
        CPLStringList aosMetadata;
        for (CSLConstList md = poSrc->GetMetadata(); md && *md; ++md)
            if (!STARTS_WITH_CI(*md, "STATISTICS_"))
                aosMetadata.AddString(*md);
        if (aosMetadata.Count() > 0)
            poBand->SetMetadata(aosMetadata.List());
        if (GDALDataTypeIsComplex(poSrc->GetRasterDataType()))
        {
            // What a complex band's pixels became, where gdal_translate
            // copies it (the default domain).
            poBand->SetMetadataItem("ENHLEE_COMPLEX_AS",
                                    ParamText(o.params, "signal").c_str());
        }
        poBand->SetMetadataItem("ENHLEE_HALO",
                                CPLSPrintf("%u", static_cast<unsigned>(halo)),
                                "ENHLEE");
        // Every parameter the filter reads, as this band is filtered with
        // it (enh_lee_plan_params: its nodata, the values estimated over
        // the whole raster), as text that reads back exactly: to pass to
        // other pieces of the same raster as open options. Those the plan
        // estimated are marked so, and also in the default domain, which
        // gdal_translate copies into the output.
        EnhLeeParams *pBand = nullptr;
        if (EnhLeeStatus st =
                enh_lee_plan_params(plan, static_cast<size_t>(i - 1), &pBand);
            st != ENH_LEE_OK)
        {
            ReportStatus(st, CPLSPrintf("the parameters of band %d", i));
            return nullptr;
        }
        const Params bandParams(pBand);
        for (const EnhLeeParamInfo &info : Parameters())
        {
            const std::string value = ParamText(bandParams, info.name);
            if (!ReadBy(info, osFilter) || EQUAL(info.name, "threads") ||
                value.empty())
                continue;
            const std::string osName = Upper(info.name);
            poBand->SetMetadataItem(osName.c_str(), value.c_str(), "ENHLEE");
            if (std::find(estimated.begin(), estimated.end(), info.name) ==
                estimated.end())
                continue;
            poBand->SetMetadataItem((osName + "_SOURCE").c_str(), "estimated",
                                    "ENHLEE");
            poBand->SetMetadataItem(("ENHLEE_" + osName).c_str(),
                                    value.c_str());
        }
    }
    if (o.report && !poDS->WriteReports())
        return nullptr;

    // What was computed, for provenance (domain ENHLEE): every parameter
    // as the library writes it, but NODATA, which is per band (each band's
    // nodata value), and THREADS, which does not change the result; and the
    // library's one-line provenance of the plan, also in the default
    // domain, which gdal_translate copies into the output.
    poDS->SetMetadataItem("SOURCE", pszSource, "ENHLEE");
    poDS->SetMetadataItem("LIBRARY_VERSION", enh_lee_version(), "ENHLEE");
    for (const EnhLeeParamInfo &info : Parameters())
    {
        const std::string value = ParamText(o.params, info.name);
        if (EQUAL(info.name, "nodata") || EQUAL(info.name, "threads") ||
            value.empty())
            continue;
        poDS->SetMetadataItem(Upper(info.name).c_str(), value.c_str(), "ENHLEE");
    }
    const std::string osProvenance = Provenance(plan);
    poDS->SetMetadataItem("PROVENANCE", osProvenance.c_str(), "ENHLEE");
    poDS->SetMetadataItem("ENHLEE_PROVENANCE", osProvenance.c_str());

    return poDS.release();
}

}  // namespace

extern "C" CPL_DLL void GDALRegister_ENHLEE();

void GDALRegister_ENHLEE()
{
    if (!GDAL_CHECK_VERSION("ENHLEE driver"))
        return;
    // GDAL may call this more than once (GDALAllRegister() again).
    if (GDALGetDriverByName(kDriverName) != nullptr)
        return;

    auto poDriver = new GDALDriver();
    poDriver->SetDescription(kDriverName);
    poDriver->SetMetadataItem(GDAL_DCAP_RASTER, "YES");
    poDriver->SetMetadataItem(
        GDAL_DMD_LONGNAME,
        CPLSPrintf("Enhanced Lee family speckle filters of any raster "
                   "(enh-lee %s)",
                   enh_lee_version()));
    poDriver->SetMetadataItem(GDAL_DMD_CONNECTION_PREFIX, kPrefix);
    // GDAL keeps a copy of the list.
    poDriver->SetMetadataItem(GDAL_DMD_OPENOPTIONLIST, OpenOptionList().c_str());
    poDriver->pfnIdentify = ENHLEEDataset::Identify;
    poDriver->pfnOpen = ENHLEEDataset::Open;
    GetGDALDriverManager()->RegisterDriver(poDriver);
}
