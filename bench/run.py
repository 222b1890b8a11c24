#!/usr/bin/python3
"""Benchmark driver: enh_lee against the alternatives users have today.

On one synthetic speckled scene per size (bench/scene.py), for each window:

* this library (Python binding, libenh_lee): default ``window`` statistic
  and the question-compatible ``residual`` mode, out of place and in place,
  1 thread and all threads;
* the question's numpy/scipy code, a hand-optimised numpy rewrite and a
  numexpr rewrite (bench/variants.py), checked against the library's
  question-compatible mode (max relative difference);
* ``otbcli_Despeckle -filter lee`` at the same radius (speed only: a
  different filter of the same family);
* plain copies of the image (numpy, 1 thread and all threads, into a new or
  an existing array): the memory-bandwidth floor.

Every variant runs in its own process, so its peak resident set (VmHWM) is
its own; "over input" is that peak minus the process's resident set once the
interpreter, its modules and the input image are loaded. Times are wall
clock, best of --repeat. Markdown goes to stdout (and --out / --update),
progress to stderr.

    /usr/bin/python3 bench/run.py                 # full run (~11 min on an idle 2-core machine)
    /usr/bin/python3 bench/run.py --quick         # smoke run, < 30 s
    /usr/bin/python3 bench/run.py --sizes 10000 --windows 7 --repeat 1
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import scene  # noqa: E402

MiB = 1024 * 1024
BEGIN, END = "<!-- bench:results:begin -->", "<!-- bench:results:end -->"

# variant -> (label, mode) ; mode is "out of place" / "in place" / ""
LIB_VARIANTS = [
    ("lib_window", "enh_lee, window statistic (default)", "out of place"),
    ("lib_window_inplace", "enh_lee, window statistic (default)", "in place"),
    ("lib_residual", "enh_lee, residual (question-compatible)", "out of place"),
    ("lib_residual_inplace", "enh_lee, residual (question-compatible)", "in place"),
]
NUMPY_VARIANTS = [
    ("question", "question's numpy/scipy code"),
    ("numpy_opt", "numpy rewrite (in-place, float32, masked exp)"),
    ("numexpr", "numexpr rewrite"),
]
COPY_VARIANTS = [
    ("copy_new", "copy: `src.copy()` (new array)", "out of place", 1),
    ("copy_new_mt", "copy: new array, row blocks on all threads", "out of place", 0),
    ("copy_into", "copy: `np.copyto(dst, src)` (existing array)", "in place", 1),
    ("copy_into_mt", "copy: existing array, row blocks on all threads", "in place", 0),
]
REF = ("lib_residual", 0)  # the ratio column's reference: same computation as the numpy rows


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Machine


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def _cmd(args, stderr=False):
    try:
        r = subprocess.run(args, capture_output=True, text=True, timeout=60)
        return (r.stdout + (r.stderr if stderr else "")).strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _pyversions(py):
    code = (
        "import importlib, json\n"
        "v = {}\n"
        "for m in ('numpy', 'scipy', 'numexpr'):\n"
        "    try:\n"
        "        v[m] = importlib.import_module(m).__version__\n"
        "    except Exception:\n"
        "        v[m] = None\n"
        "print(json.dumps(v))\n"
    )
    try:
        return json.loads(_cmd([py, "-c", code]) or "{}")
    except ValueError:
        return {}


def otb_version():
    exe = shutil.which("otbcli_Despeckle")
    if not exe:
        return None
    m = re.search(r"version (\S+)", _cmd([exe, "-help"], stderr=True))
    return m.group(1).rstrip(".") if m else "unknown"


def machine_info(py, lib, snapshot):
    cpu = _read("/proc/cpuinfo")
    model = re.search(r"^model name\s*:\s*(.+)$", cpu, re.M)
    cores = re.search(r"^cpu cores\s*:\s*(\d+)$", cpu, re.M)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", _read("/proc/meminfo"), re.M)
    thp = re.search(r"\[(\w+)\]", _read("/sys/kernel/mm/transparent_hugepage/enabled"))
    versions = _pyversions(py)
    git = _cmd(["git", "-C", REPO, "rev-parse", "--short", "HEAD"])
    dirty = _cmd(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no", "--", "src"])
    return dict(
        cpu=model.group(1).strip() if model else platform.processor() or "unknown",
        logical=os.cpu_count(),
        cores=int(cores.group(1)) if cores else None,
        mem_gib=int(mem.group(1)) / 1024**2 if mem else None,
        kernel=platform.release(),
        thp=thp.group(1) if thp else "n/a",
        python="%s (%s)" % (_cmd([py, "-c", "import platform; print(platform.python_version())"]), py),
        numpy=versions.get("numpy"),
        scipy=versions.get("scipy"),
        numexpr=versions.get("numexpr"),
        otb=otb_version(),
        rustc=_cmd(["rustc", "--version"]) or "n/a",
        lib=lib,
        lib_md5=hashlib.md5(open(snapshot, "rb").read()).hexdigest()[:12],
        lib_mtime=datetime.datetime.fromtimestamp(os.path.getmtime(snapshot)).strftime("%Y-%m-%d %H:%M"),
        commit=(git + (" (src/ modified)" if dirty else "")) if git else "n/a",
        date=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        load=os.getloadavg()[0],
    )


def machine_md(m, load_end):
    lines = [
        "| | |",
        "|---|---|",
        "| CPU | %s: %s logical CPUs%s |" % (m["cpu"], m["logical"], ", %d cores" % m["cores"] if m["cores"] else ""),
        "| Memory | %.1f GiB, transparent huge pages: %s |" % (m["mem_gib"] or 0, m["thp"]),
        "| OS | Linux %s |" % m["kernel"],
        "| Python | %s, numpy %s, scipy %s, numexpr %s |" % (m["python"], m["numpy"], m["scipy"], m["numexpr"]),
        "| OTB | %s |" % (m["otb"] or "not installed"),
        "| enh_lee | %s (built %s, md5 %s...), commit %s, %s |" % (
            os.path.relpath(m["lib"], REPO), m["lib_mtime"], m["lib_md5"], m["commit"], m["rustc"]),
        "| Run | %s, 1-min load average %.2f at start, %.2f at end |" % (m["date"], m["load"], load_end),
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Processes


def run_child(cmd, env=None, timeout=None):
    """Runs cmd; returns (wall seconds, stdout text, peak RSS bytes from
    wait4, exit status, stderr tail)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env)
        out = p.stdout.read()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        p.stdout.close()
        err.seek(0)
        tail = err.read()[-2000:].decode(errors="replace")
    return wall, out.decode(errors="replace"), ru.ru_maxrss * 1024, p.returncode, tail


class Runner:
    def __init__(self, args, env):
        self.a = args
        self.env = env
        self.py = args.python

    def variant(self, name, npy, window, threads, repeat, save=None, digest=False):
        cmd = [self.py, os.path.join(HERE, "variants.py"), name, "--npy", npy, "--window", str(window),
               "--repeat", str(repeat), "--threads", str(threads)]
        if save:
            cmd += ["--save", save]
        if digest:
            cmd += ["--digest"]
        wall, out, _, rc, err = run_child(cmd, self.env)
        if rc != 0:
            raise RuntimeError("%s failed (exit %s):\n%s" % (" ".join(cmd), rc, err))
        return json.loads(out.strip().splitlines()[-1])

    def otb(self, tif, window, repeat, out_dir):
        exe = shutil.which("otbcli_Despeckle")
        out = os.path.join(out_dir, "otb-out.tif")
        cmd = [exe, "-in", tif, "-out", out, "float", "-filter", "lee",
               "-filter.lee.rad", str((window - 1) // 2), "-filter.lee.nblooks", str(scene.LOOKS)]
        times, peak = [], 0
        for _ in range(repeat):
            wall, _, rss, rc, err = run_child(cmd)
            if rc != 0:
                raise RuntimeError("%s failed (exit %s):\n%s" % (" ".join(cmd), rc, err))
            times.append(wall)
            peak = max(peak, rss)
        if os.path.exists(out):
            os.remove(out)
        return dict(times=times, peak=peak, rss_loaded=None, cmd=" ".join(
            os.path.basename(c) if c in (exe, tif, out) else c for c in cmd))


def max_rel_diff(a_path, b_path):
    """max |a-b| / max(|a|, |b|, 1e-30) over the pixels finite in both;
    also how many pixels were excluded (NaN or inf in either)."""
    a = np.load(a_path, mmap_mode="r")
    b = np.load(b_path, mmap_mode="r")
    if a.shape != b.shape:
        return float("inf"), 0
    worst, excluded = 0.0, 0
    for r0 in range(0, a.shape[0], 256):
        x = np.asarray(a[r0 : r0 + 256], np.float64)
        y = np.asarray(b[r0 : r0 + 256], np.float64)
        ok = np.isfinite(x) & np.isfinite(y)
        excluded += int(ok.size - np.count_nonzero(ok))
        x, y = x[ok], y[ok]
        if x.size:
            d = np.abs(x - y) / np.maximum(np.maximum(np.abs(x), np.abs(y)), 1e-30)
            worst = max(worst, float(d.max()))
    return worst, excluded


# --------------------------------------------------------------------------
# The run


def parse_size(s):
    s = s.lower()
    if "x" in s:
        h, w = s.split("x")
        return int(h), int(w)
    return int(s), int(s)


def parse_windows(s):
    ws = [int(x) for x in s.split(",") if x.strip()] if s else []
    for w in ws:
        if w < 3 or w % 2 == 0:
            raise SystemExit("windows must be odd and >= 3: %r" % s)
    return ws


def bench(args, runner, have):
    rows = []  # dicts: size, window, key, label, mode, threads, times, peak, over, agree, note
    ncpu = os.cpu_count()
    for size in args.sizes:
        h, w = size
        log("== %dx%d: scene" % size)
        npy, tif = scene.ensure(args.data_dir, size, args.seed, tiff=have["otb"], log=log)
        scratch = os.path.join(args.data_dir, "out-%dx%d" % size)
        os.makedirs(scratch, exist_ok=True)

        log("   input only")
        base = runner.variant("input", npy, 7, 0, 1)
        rows.append(dict(size=size, window=None, key="input", label="input only (interpreter + numpy + image)",
                         mode="", threads=None, times=None, peak=base["peak"], over=None))
        copies = []
        for key, label, mode, thr in COPY_VARIANTS:
            log("   %s" % key)
            r = runner.variant(key, npy, 7, thr, args.repeat)
            copies.append(dict(size=size, window=None, key=key, label=label, mode=mode,
                               threads=thr or ncpu, times=r["times"], peak=r["peak"],
                               over=r["peak"] - r["rss_loaded"]))

        for win in args.windows:
            here = []
            digests = {}
            ref_out = os.path.join(scratch, "lib_residual.npy")
            for key, label, mode in LIB_VARIANTS:
                for thr in (1, 0):
                    log("   w=%d %s threads=%s" % (win, key, thr or "all"))
                    save = ref_out if (key, thr) == REF else None
                    r = runner.variant(key, npy, win, thr, args.lib_repeat, save=save, digest=True)
                    digests[(key, thr)] = r.get("digest")
                    here.append(dict(size=size, window=win, key=key, label=label, mode=mode,
                                     threads=thr or ncpu, thr_arg=thr, times=r["times"], peak=r["peak"],
                                     over=r["peak"] - r["rss_loaded"], scratch=r.get("scratch")))
            # Threads and in place must not change a single bit.
            for row in here:
                stat = row["key"].replace("_inplace", "")
                same = digests[(row["key"], row["thr_arg"])] == digests[(stat, 0)]
                row["agree"] = "bitwise = all-thread out-of-place" if same else "DIFFERS from all-thread out-of-place"

            if have["scipy"] and win in args.numpy_windows:
                for key, label in NUMPY_VARIANTS:
                    if key == "numexpr" and not have["numexpr"]:
                        continue
                    log("   w=%d %s" % (win, key))
                    out = os.path.join(scratch, key + ".npy")
                    r = runner.variant(key, npy, win, 0, args.repeat, save=out)
                    diff, excluded = max_rel_diff(out, ref_out)
                    os.remove(out)
                    agree = "%.1e" % diff + (" (%d non-finite excluded)" % excluded if excluded else "")
                    here.append(dict(size=size, window=win, key=key, label=label, mode="out of place",
                                     threads=ncpu if key == "numexpr" else 1, times=r["times"], peak=r["peak"],
                                     over=r["peak"] - r["rss_loaded"], agree=agree, diff=diff))
            if os.path.exists(ref_out):
                os.remove(ref_out)

            if have["otb"] and win in args.otb_windows:
                log("   w=%d otbcli_Despeckle lee rad %d" % (win, (win - 1) // 2))
                r = runner.otb(tif, win, args.otb_repeat or args.repeat, scratch)
                here.append(dict(size=size, window=win, key="otb",
                                 label="`otbcli_Despeckle -filter lee -filter.lee.rad %d` (file to file)" % ((win - 1) // 2),
                                 mode="out of place", threads=ncpu, times=r["times"], peak=r["peak"], over=None,
                                 agree="n/a (different filter)"))
            rows.extend(here)
            rows.extend(dict(c, window=win) for c in copies)
        shutil.rmtree(scratch, ignore_errors=True)
    return rows


# --------------------------------------------------------------------------
# Report


def best(row):
    return min(row["times"]) if row.get("times") else None


def find(rows, size, window, key, threads=None):
    for r in rows:
        if r["size"] == size and r["window"] == window and r["key"] == key and (
            threads is None or r["threads"] == threads
        ):
            return r
    return None


def fmt_s(t):
    return "%.3g s" % t


def fmt_mib(b):
    return "—" if b is None else "%.0f" % (b / MiB)


def results_md(rows, args, ncpu):
    out = []
    sizes = sorted({r["size"] for r in rows}, key=lambda s: s[0] * s[1])
    for size in sizes:
        npx = size[0] * size[1]
        base = find(rows, size, None, "input")
        out.append("#### %d x %d (%.0f Mpixel, image %.0f MiB)\n" % (size[0], size[1], npx / 1e6, npx * 4 / MiB))
        if base:
            out.append("Input only (a process that loads the image): peak RSS %s MiB.\n" % fmt_mib(base["peak"]))
        # Compact: the library at every window.
        wins = sorted({r["window"] for r in rows if r["size"] == size and r["window"]})
        out.append("enh_lee, seconds (best of %d) at each window; in brackets: ns per pixel:\n" % args.lib_repeat)
        out.append("| enh_lee | mode | threads | " + " | ".join("w=%d" % w for w in wins) + " |")
        out.append("|---|---|---:|" + "---:|" * len(wins))
        for key, label, mode in LIB_VARIANTS:
            for thr in (1, ncpu):
                cells = []
                for w in wins:
                    r = find(rows, size, w, key, thr)
                    cells.append("%.3f (%.1f)" % (best(r), best(r) / npx * 1e9) if r else "—")
                out.append("| %s | %s | %d | %s |" % (label.replace("enh_lee, ", ""), mode, thr, " | ".join(cells)))
        out.append("")
        for w in wins:
            ref = find(rows, size, w, REF[0], ncpu)
            tref = best(ref) if ref else None
            out.append("##### %d x %d, window %d (radius %d)\n" % (size[0], size[1], w, (w - 1) // 2))
            out.append("| variant | mode | threads | best s | Mpixel/s | ns/pixel | peak RSS MiB | over input MiB | time / enh_lee | agreement with enh_lee |")
            out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
            for r in (x for x in rows if x["size"] == size and x["window"] == w):
                t = best(r)
                out.append("| %s | %s | %s | %.3f | %.1f | %.2f | %s | %s | %s | %s |" % (
                    r["label"], r["mode"], r["threads"], t, npx / t / 1e6, t / npx * 1e9,
                    fmt_mib(r["peak"]), fmt_mib(r["over"]),
                    "%.2f" % (t / tref) if tref else "—", r.get("agree", "")))
            out.append("")
    out.append(
        "Times: wall clock, best of %d runs (enh_lee rows: %d, otbcli_Despeckle: %d). "
        % (args.repeat, args.lib_repeat, args.otb_repeat or args.repeat) +
        "`time / enh_lee`: the variant's time over that of enh_lee residual (question-compatible), "
        "all threads, out of place: the same computation as the numpy rows. `over input`: peak "
        "RSS minus the process's RSS with its modules and the input image loaded (the output "
        "image is part of it). The agreement column: max |a-b|/max(|a|,|b|) against enh_lee's "
        "question-compatible output on this image (non-finite pixels excluded); enh_lee's own rows "
        "compare threads and in place with its all-thread out-of-place result (MD5 of the output). "
        "otbcli_Despeckle reads and writes GeoTIFF files (page cache), with its default "
        "`-ram 256`; its time includes process start. Copies are measured once per size and "
        "repeated in each window's table.\n")
    return "\n".join(out)


def targets_md(rows, ncpu):
    """PASS/MISS lines for the issue's targets, at 10000x10000 w=7 (or the
    largest size measured and the window closest to 7)."""
    sizes = sorted({r["size"] for r in rows if r["window"]}, key=lambda s: s[0] * s[1])
    if not sizes:
        return "No library rows: no targets."
    size = (10000, 10000) if (10000, 10000) in sizes else sizes[-1]
    wins = sorted({r["window"] for r in rows if r["size"] == size and r["window"]})
    win = min(wins, key=lambda w: abs(w - 7))
    npx = size[0] * size[1]
    img = npx * 4
    lines = ["Targets at %d x %d, window %d%s:\n" % (size[0], size[1], win,
             "" if (size, win) == ((10000, 10000), 7) else " (the issue's case, 10000 x 10000 w=7, was not run)")]

    def line(ok, text):
        lines.append("- **%s** %s" % ("n/a" if ok is None else ("PASS" if ok else "MISS"), text))

    def t(key, thr=ncpu, w=win):
        r = find(rows, size, w, key, thr)
        return best(r) if r else None

    libs = [("lib_window", "window statistic"), ("lib_residual", "residual (question-compatible)")]
    # 1. numpy
    tl = t("lib_residual")
    cands = [(t(k, None), lab) for k, lab in NUMPY_VARIANTS if k != "question" and t(k, None)]
    if tl and cands:
        tb, lab = min(cands)
        line(tb / tl >= 25, "enh_lee residual (question-compatible), all threads: the best numpy rewrite takes "
             "%.1fx as long (%s, %s vs %s); target >= 25x" % (tb / tl, lab, fmt_s(tb), fmt_s(tl)))
        tq = t("question", None)
        if tq:
            lines.append("  (the question's code itself: %s, %.1fx as long)" % (fmt_s(tq), tq / tl))
    else:
        line(None, "enh_lee vs the best numpy rewrite: not measured")
    # 2. OTB
    to = t("otb")
    for key, lab in libs:
        if to and t(key):
            line(t(key) < to, "enh_lee %s, all threads: `otbcli_Despeckle` lee radius %d takes %.1fx as long "
                 "(%s vs %s); target > 1x" % (lab, (win - 1) // 2, to / t(key), fmt_s(to), fmt_s(t(key))))
        else:
            line(None, "enh_lee %s vs otbcli_Despeckle: not measured" % lab)
    # 3. copy floor
    copy_new = [x for x in (t("copy_new", 1), t("copy_new_mt")) if x]
    copy_into = [x for x in (t("copy_into", 1), t("copy_into_mt")) if x]
    for key, lab in libs:
        for suffix, floor, what in (("", copy_new, "a copy into a new array"),
                                    ("_inplace", copy_into, "a copy into an existing array")):
            tt = t(key + suffix)
            if tt and floor:
                r = tt / min(floor)
                line(r <= 4, "enh_lee %s, %s, all threads: %.1fx the time of %s (%s vs %s); "
                     "target <= 4x (aim 2x: %s)" % (lab, "in place" if suffix else "out of place", r, what,
                                                    fmt_s(tt), fmt_s(min(floor)), "met" if r <= 2 else "not met"))
    # 4. memory
    for suffix, allowed, what in (("", img + 64 * MiB, "input + output + 64 MiB"), ("_inplace", 64 * MiB, "image + 64 MiB")):
        overs = [r["over"] for r in rows if r["size"] == size and r["window"] == win
                 and r["key"] in ("lib_window" + suffix, "lib_residual" + suffix)]
        worst = [r for r in rows if r["size"] == size and r["window"] in wins
                 and r["key"] in ("lib_window" + suffix, "lib_residual" + suffix)]
        if overs:
            wmax = max(worst, key=lambda r: r["over"])
            scratch = max(r.get("scratch") or 0 for r in worst)
            line(max(overs) <= allowed, "peak RSS %s: at most %.0f MiB over the loaded input (enh_lee at w=%d, both "
                 "statistics, 1 and %d threads; worst at any window: %.0f MiB, w=%d; largest scratch the library "
                 "reports in advance: %.1f MiB); target %s, i.e. <= %.0f MiB over the input"
                 % ("out of place" if not suffix else "in place", max(overs) / MiB, win, ncpu,
                    wmax["over"] / MiB, wmax["window"], scratch / MiB, what, allowed / MiB))
    # 5. window independence
    for key, lab in libs:
        a, b = t(key, w=3) if 3 in wins else None, t(key, w=31) if 31 in wins else None
        if a and b:
            line(b <= 1.5 * a, "enh_lee %s, all threads: 31x31 takes %.2fx the time of 3x3 (%s vs %s); "
                 "target <= 1.5x" % (lab, b / a, fmt_s(b), fmt_s(a)))
        else:
            line(None, "enh_lee %s: 31x31 vs 3x3 not measured" % lab)
    # 6. threads
    for key, lab in libs:
        for suffix in ("", "_inplace"):
            a, b = t(key + suffix, 1), t(key + suffix)
            if a and b and ncpu > 1:
                line(a / b >= 0.8 * ncpu, "enh_lee %s, %s: %d threads vs 1: speedup %.2fx (%s vs %s); "
                     "target >= %.1fx (80%% of linear)" % (lab, "in place" if suffix else "out of place", ncpu,
                                                          a / b, fmt_s(b), fmt_s(a), 0.8 * ncpu))
    return "\n".join(lines)


def update_doc(path, text):
    with open(path) as f:
        doc = f.read()
    if BEGIN not in doc or END not in doc:
        raise SystemExit("%s: markers %s ... %s not found" % (path, BEGIN, END))
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(path, "w") as f:
        f.write(head + BEGIN + "\n" + text.rstrip() + "\n" + END + tail)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="5000x5000,10000x10000",
                    help="comma-separated HxW (or N for NxN); default %(default)s")
    ap.add_argument("--windows", default="3,7,15,31", help="default %(default)s")
    ap.add_argument("--numpy-windows", default=None,
                    help="windows at which the numpy variants run (default: all of --windows)")
    ap.add_argument("--otb-windows", default="3,7",
                    help="windows at which otbcli_Despeckle runs (default %(default)s: its Lee filter is "
                         "O(window^2): 31x31 at 5000x5000 takes minutes per run)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per variant, best is reported (default 3)")
    ap.add_argument("--otb-repeat", type=int, default=None, help="runs of otbcli_Despeckle (default: --repeat)")
    ap.add_argument("--lib-repeat", type=int, default=None,
                    help="calls of enh_lee per process (default: --repeat); more is cheap and steadies the "
                         "library's rows on a shared machine")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 512x512, window 7, 1 repeat (< 30 s); OTB only if installed")
    ap.add_argument("--no-otb", action="store_true", help="skip otbcli_Despeckle")
    ap.add_argument("--out", help="also write the markdown here (e.g. BENCHMARKS-table.md)")
    ap.add_argument("--update", metavar="MD", help="replace the results section of this file (BENCHMARKS.md)")
    ap.add_argument("--data-dir", default=os.environ.get("ENH_LEE_BENCH_DATA", os.path.join(HERE, "data")),
                    help="where the scenes (.npy, .tif) and temporary outputs go (default bench/data, "
                         "or $ENH_LEE_BENCH_DATA); 10000x10000 needs ~2 GB free")
    ap.add_argument("--json", help="also write every measurement (all times) here")
    ap.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                    help="first wait up to SECONDS for the 1-minute load average to drop below 0.3")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--python", default="/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable,
                    help="interpreter of the child processes (default %(default)s)")
    ap.add_argument("--library", default=os.environ.get("ENH_LEE_LIBRARY",
                                                        os.path.join(REPO, "target", "release", "libenh_lee.so")))
    a = ap.parse_args(argv)
    if a.quick:
        a.sizes, a.windows, a.repeat = "512x512", "7", 1
    a.sizes = [parse_size(s) for s in a.sizes.split(",")]
    a.windows = parse_windows(a.windows)
    a.numpy_windows = parse_windows(a.numpy_windows) if a.numpy_windows else a.windows
    a.otb_windows = parse_windows(a.otb_windows)
    a.lib_repeat = a.lib_repeat or a.repeat
    if min(a.repeat, a.lib_repeat, a.otb_repeat or 1) < 1:
        raise SystemExit("--repeat, --lib-repeat and --otb-repeat must be >= 1")
    a.library = os.path.abspath(a.library)
    if not os.path.exists(a.library):
        raise SystemExit("%s not found: run bench/setup.sh (or cargo build --release)" % a.library)

    if a.wait_idle > 0:
        deadline = time.time() + a.wait_idle
        while os.getloadavg()[0] >= 0.3 and time.time() < deadline:
            log("waiting for an idle machine: load average %.2f" % os.getloadavg()[0])
            time.sleep(min(30, max(1, deadline - time.time())))
    # Snapshot the library: a rebuild during the run must not mix kernels.
    os.makedirs(a.data_dir, exist_ok=True)
    snapshot = os.path.join(a.data_dir, "libenh_lee-under-test.so")
    shutil.copy2(a.library, snapshot)
    env = dict(os.environ, ENH_LEE_LIBRARY=snapshot,
               PYTHONPATH=os.pathsep.join(filter(None, [os.path.join(REPO, "bindings", "python"),
                                                        os.environ.get("PYTHONPATH")])))
    t_start = time.time()
    info = machine_info(a.python, a.library, snapshot)
    have = dict(scipy=bool(info["scipy"]), numexpr=bool(info["numexpr"]),
                otb=bool(info["otb"]) and not a.no_otb)
    if info["load"] > 0.5:
        log("warning: 1-minute load average is %.2f: other work is running, timings will be noisy" % info["load"])
    for k, v in have.items():
        if not v and not (k == "otb" and a.no_otb):
            log("note: %s not available, its variants are skipped (bench/setup.sh installs it)" % k)

    rows = bench(a, Runner(a, env), have)
    ncpu = os.cpu_count()
    load_end = os.getloadavg()[0]
    cmdline = "bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    md = "\n\n".join([
        "### Machine\n\n" + machine_md(info, load_end),
        "Command: `%s` (%.0f s). Scene: bench/scene.py, seed %d (fields of %d reflectivity levels, point "
        "targets, gamma speckle of %g looks); filter parameters looks=%g, damping=1.\n"
        % (cmdline.strip(), time.time() - t_start, a.seed, len(scene.LEVELS), scene.LOOKS, scene.LOOKS),
        "### Targets\n\n" + targets_md(rows, ncpu),
        "### Results\n\n" + results_md(rows, a, ncpu),
    ])
    print(md)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(machine=info, load_end=load_end, command=cmdline.strip(), repeat=a.repeat,
                           rows=[dict(r, size=list(r["size"])) for r in rows]), f, indent=1)
    if a.out:
        with open(a.out, "w") as f:
            f.write(md + "\n")
    if a.update and a.quick:
        log("--quick: not updating %s with a smoke run" % a.update)
    elif a.update:
        update_doc(a.update, md)
        log("updated %s" % a.update)


if __name__ == "__main__":
    main()
