"""The local JupyterHub: for trying the course as a class on one machine, and for the tests.

    python deploy/localhub.py --users alice,bob      # creates the users, starts the hub, prints the URL

or, with users that already exist on the machine and a password of your choice:

    DLHUB_PASSWORD='a long password' .venv/bin/jupyterhub -f deploy/jupyterhub_config.py

Everything is on 127.0.0.1. Each learner is a real Unix user: the hub (run as root) starts the learner's
JupyterLab as that user, in the learner's home folder (mode 700), so one learner cannot read another's files
or the instructor's. The single-user environment is the course's own venv (requirements.txt + constraints.txt).
The settings come from DLHUB_* environment variables so that tests and the load test can run several hubs
side by side without fixed ports.
"""

import os
import secrets
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub injects get_config)

ROOT = Path(__file__).resolve().parents[1]
STATE = Path(os.environ.get("DLHUB_STATE_DIR", ROOT / "deploy" / ".hub-state"))
STATE.mkdir(mode=0o700, parents=True, exist_ok=True)
# The course's environment (its prefix holds the packages, JupyterLab's assets and the extensions' config),
# and the interpreter the learners' servers run: the same venv, or, when its interpreter is not readable by
# other users (a venv made from a Python under /root), a thin venv of a system Python that loads the
# course's packages (deploy/localhub.py makes it).
PREFIX = Path(os.environ.get("DLHUB_COURSE_PREFIX", sys.prefix))
PYTHON = os.environ.get("DLHUB_PYTHON", str(PREFIX / "bin" / "python"))

# Network: the public side of the proxy, the hub itself and the proxy's REST API, all on localhost.
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ.get("DLHUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("DLHUB_HUB_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('DLHUB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [str(ROOT / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.ConfigurableHTTPProxy.should_start = True

# State: database, cookie secret and pid file live in the state folder, not in the current directory.
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")

# Authentication: one shared password for the class (a workshop on a trusted machine, localhost only).
# For a real class use an authenticator tied to your institution's accounts (see deploy/README.md).
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ.get("DLHUB_PASSWORD") or secrets.token_urlsafe(16)
users = {u for u in os.environ.get("DLHUB_USERS", "").split(",") if u}
if users:
    c.Authenticator.allowed_users = users
else:
    c.Authenticator.allow_all = True
c.Authenticator.admin_users = {u for u in os.environ.get("DLHUB_ADMINS", "").split(",") if u}

# An API token for the instructor's scripts (list users, stop servers): a service with admin scopes.
if os.environ.get("DLHUB_INSTRUCTOR_TOKEN"):
    c.JupyterHub.services = [{"name": "instructor", "api_token": os.environ["DLHUB_INSTRUCTOR_TOKEN"]}]
    c.JupyterHub.load_roles = [
        {"name": "instructor", "scopes": ["admin:users", "admin:servers"], "services": ["instructor"]}
    ]

# Spawner: every learner's JupyterLab runs as their own Unix user, from their home folder.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [PYTHON, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# Advisory here (LocalProcessSpawner does not enforce them; Kubernetes and TLJH do): see deploy/README.md.
c.Spawner.mem_limit = os.environ.get("DLHUB_MEM_LIMIT", "1G")
c.Spawner.cpu_limit = float(os.environ.get("DLHUB_CPU_LIMIT", "1"))
c.Spawner.environment = {
    "JUPYTER_PATH": str(PREFIX / "share" / "jupyter"),
    "JUPYTER_CONFIG_PATH": str(PREFIX / "etc" / "jupyter"),
    "JUPYTERLAB_DIR": str(PREFIX / "share" / "jupyter" / "lab"),
    # One BLAS thread per learner: on a shared machine, threads only fight each other for the cores.
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}

# Idle servers are stopped by the culler service on Kubernetes and TLJH; a local hub for trying things
# keeps them until the hub stops (every learner's server is stopped with it).
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
