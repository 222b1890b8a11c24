"""Where the algorithm may write its output, checked before any work: a
file this user may not write is never replaced (the output is renamed onto
the destination, which only needs the folder to be writable), and every
file-system problem is one line naming the user's path, never a traceback
or the hidden temporary file's name. No QGIS import: it is tested on its
own, as an unprivileged user."""

import os


class OutputError(Exception):
    """A destination the algorithm may not write; the message is one line
    naming it."""


def prepare(dest):
    """Returns the absolute path of `dest` once its folder exists (made if
    needed) and this user may write it: a new file in a writable folder, or
    an existing writable file. Raises OutputError otherwise."""
    dest = os.path.abspath(dest)
    folder = os.path.dirname(dest)
    if os.path.isdir(dest):
        raise OutputError("OUTPUT {} is a folder, not a file".format(dest))
    if os.path.lexists(dest) and not os.access(dest, os.W_OK):
        raise OutputError(
            "OUTPUT {}: the file exists and this user may not write it (read-only); "
            "choose another file, or make it writable".format(dest))
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        raise OutputError("OUTPUT {}: cannot create its folder {}: {}".format(
            dest, folder, e.strerror or e)) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError("OUTPUT {}: this user may not write in its folder {}".format(
            dest, folder))
    return dest


def describe(dest, error):
    """One line for an OSError met while writing `dest` (through a temporary
    file next to it): names `dest`, not the temporary file."""
    return "cannot write OUTPUT {}: {}".format(dest, error.strerror or error)
