"""Test-session set-up shared by tests/, chapters/ (nbval) and exercises/.

Jupyter writes configuration and runtime files to the home folder and IPython keeps a
profile there; point them at a temporary folder so tests leave the machine alone.
MPLBACKEND is deliberately not set: kernels (nbval, the book build) must keep their inline
backend, or figures would silently vanish from the book; headless Python picks Agg itself.
"""

import os
import tempfile

_JUPYTER_DIRS = ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "JUPYTER_DATA_DIR")


def pytest_configure(config):
    base = tempfile.mkdtemp(prefix="dlcourse-jupyter-")
    for name in _JUPYTER_DIRS:
        os.environ.setdefault(name, os.path.join(base, name.lower()))
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
