"""Test-session set-up shared by tests/, chapters/ (nbval) and exercises/.

Jupyter writes configuration and runtime files to the home folder and IPython keeps a
profile there; point all three at a temporary folder so tests leave the machine alone.
Matplotlib draws off-screen.
"""

import os
import tempfile

_JUPYTER_DIRS = ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "JUPYTER_DATA_DIR")


def pytest_configure(config):
    base = tempfile.mkdtemp(prefix="dlcourse-jupyter-")
    for name in _JUPYTER_DIRS:
        os.environ.setdefault(name, os.path.join(base, name.lower()))
    os.environ.setdefault("MPLBACKEND", "agg")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
