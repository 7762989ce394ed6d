"""Start the local JupyterHub and talk to it the way a learner's browser does (REST and kernel APIs).

As a command (run as root, from the repository root, after `make setup vendor`):

    .venv/bin/python deploy/localhub.py --users alice,bob --password 'a long password'

creates the Unix users if they do not exist (home folders mode 700), starts the hub on
http://127.0.0.1:8000 and stops it, and every learner's server, on Ctrl-C.

As a library it serves tests/test_hub.py and deploy/loadtest.py: `start_hub` starts a hub in its own
process group on free ports; `HubUser` logs a learner in through the hub's API, spawns their server,
runs code in a kernel over the kernel WebSocket, reads and writes files through the contents API and
pulls the course with nbgitpuller.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode, urljoin

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbgitpuller_link import pull_query  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "deploy" / "jupyterhub_config.py"
PROXY = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- Unix users (root only)


def create_user(name: str, home_base: str | Path | None = None) -> Path:
    """Create Unix user ``name`` with a private home folder (mode 700); return the home folder.

    ``home_base`` puts the home under another folder than /home (the tests use a temporary one).
    """
    try:
        home = Path(pwd.getpwnam(name).pw_dir)
    except KeyError:
        cmd = ["useradd", "--create-home", "--shell", "/bin/bash", "--user-group"]
        if home_base is not None:
            cmd += ["--base-dir", str(home_base)]
        subprocess.run([*cmd, name], check=True, capture_output=True)
        home = Path(pwd.getpwnam(name).pw_dir)
    os.chmod(home, 0o700)
    return home


def processes_of(name: str) -> list[int]:
    """The ids of the processes running as Unix user ``name`` (none if there is no such user)."""
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return []
    pids = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == uid:
                pids.append(int(entry))
        except OSError:
            pass
    return pids


def delete_user(name: str) -> None:
    """Remove the Unix user and their home folder; any process left running as that user is killed first."""
    if name == "root":
        raise ValueError("refusing to delete root")
    for pid in processes_of(name):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    subprocess.run(["userdel", "--remove", "--force", name], capture_output=True)


# ---------------------------------------------------------------- the learners' interpreter


def _others_can_run(path: Path) -> bool:
    """Can a user other than the owner execute ``path`` (every folder on the way searchable)?"""
    path = path.resolve()
    if not os.stat(path).st_mode & 0o001:
        return False
    return all(os.stat(parent).st_mode & 0o001 for parent in path.parents)


def learner_python(workdir: Path) -> tuple[str, Path | None]:
    """The interpreter the learners' servers run, and a folder to delete afterwards (or None).

    The course's venv itself when other users can run it. A venv made from a Python under /root (pyenv
    as root) is not, so then a thin venv of a system Python of the same version is made in ``workdir``
    whose site-packages load the course venv's (a `site.addsitedir` .pth line): the same pinned packages.
    """
    site_packages = Path(sysconfig.get_path("purelib"))
    if not (_others_can_run(site_packages) and os.stat(site_packages).st_mode & 0o004):
        raise RuntimeError(
            f"learners cannot read the course's packages in {site_packages}: put the repository and its venv "
            "where every user can read them (not under /root), or make the folders on the way world-searchable"
        )
    if _others_can_run(Path(sys.executable)):
        return sys.executable, None
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [Path("/usr/bin") / version, Path("/usr/local/bin") / version]
    base = next((p for p in candidates if p.exists() and _others_can_run(p)), None)
    if base is None:
        raise RuntimeError(
            f"learners cannot run {sys.executable} and there is no system {version}: "
            "make the course venv with a Python every user can run (`make setup PYTHON=/usr/bin/python3`)"
        )
    workdir.mkdir(parents=True, exist_ok=True)
    workdir.chmod(0o755)
    env_dir = workdir / "learner-venv"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(env_dir)], check=True, capture_output=True)
    ask = "import sysconfig; print(sysconfig.get_path('purelib'))"
    purelib = subprocess.run([str(env_dir / "bin" / "python"), "-c", ask], capture_output=True, text=True).stdout
    course_sites = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
    lines = "".join(f"import site; site.addsitedir({p!r})\n" for p in course_sites)
    (Path(purelib.strip()) / "course-venv.pth").write_text(lines)
    subprocess.run(["chmod", "-R", "a+rX", str(workdir)], check=True)
    return str(env_dir / "bin" / "python"), workdir


# ---------------------------------------------------------------- the hub process


@dataclass
class Hub:
    url: str
    process: subprocess.Popen
    state_dir: Path
    log_path: Path
    admin_token: str
    cleanup: list = field(default_factory=list)

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM the hub (it stops the learners' servers and the proxy), then kill its process group."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)
        _kill_pidfile(self.state_dir / "proxy.pid")
        for path in self.cleanup:
            shutil.rmtree(path, ignore_errors=True)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def _kill_pidfile(path: Path) -> None:
    try:
        os.kill(int(path.read_text().strip()), signal.SIGKILL)
    except (OSError, ValueError):
        pass


def start_hub(
    state_dir: Path,
    users: list[str],
    password: str,
    *,
    admins: list[str] = (),
    port: int | None = None,
    timeout: float = 60,
    env=None,
) -> Hub:
    """Start JupyterHub with deploy/jupyterhub_config.py on localhost (free ports unless ``port``); wait for it."""
    if not PROXY.exists():
        raise FileNotFoundError(f"{PROXY} is missing: run `make vendor` (npm ci installs configurable-http-proxy)")
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    port = port or free_port()
    admin_token = uuid.uuid4().hex
    env_dir = Path(tempfile.mkdtemp(prefix="dlhub-env-"))
    python, made = learner_python(env_dir)
    if made is None:
        env_dir.rmdir()
    hub_env = {
        **(env if env is not None else os.environ),
        "DLHUB_STATE_DIR": str(state_dir),
        "DLHUB_PORT": str(port),
        "DLHUB_HUB_PORT": str(free_port()),
        "DLHUB_PROXY_API_PORT": str(free_port()),
        "DLHUB_PASSWORD": password,
        "DLHUB_USERS": ",".join(users),
        "DLHUB_ADMINS": ",".join(admins),
        "DLHUB_COURSE_PREFIX": sys.prefix,
        "DLHUB_PYTHON": python,
        "DLHUB_INSTRUCTOR_TOKEN": admin_token,
    }
    log_path = state_dir / "hub.log"
    log = open(log_path, "wb")  # noqa: SIM115 (kept open for the child's lifetime)
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)],
        cwd=state_dir, env=hub_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    log.close()
    hub = Hub(f"http://127.0.0.1:{port}", process, state_dir, log_path, admin_token, [made] if made else [])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterHub exited with {process.returncode}:\n{hub.log()[-4000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
            status = asyncio.run(_get_status(hub.url + "/hub/api/"))
            if status == 200:
                return hub
        except OSError:
            pass
        time.sleep(0.3)
    hub.stop()
    raise TimeoutError(f"JupyterHub did not answer within {timeout} s:\n{hub.log()[-4000:]}")


async def _get_status(url: str) -> int:
    try:
        response = await AsyncHTTPClient().fetch(url, request_timeout=5, raise_error=False)
    except OSError:
        return 0
    return response.code


# ---------------------------------------------------------------- a learner, as the browser would be


@dataclass
class HubUser:
    hub_url: str
    name: str
    token: str = ""
    timings: dict = field(default_factory=dict)

    async def _fetch(self, url: str, method: str = "GET", body=None, timeout: float = 60, follow: bool = False):
        headers = {"Authorization": f"token {self.token}"} if self.token else {}
        data = None if body is None else (body if isinstance(body, (bytes, str)) else json.dumps(body))
        request = HTTPRequest(url, method=method, body=data, headers=headers, request_timeout=timeout,
                              follow_redirects=follow, allow_nonstandard_methods=True)  # fmt: skip
        try:
            return await AsyncHTTPClient(max_clients=64).fetch(request)
        except HTTPClientError as error:
            text = error.response.body.decode(errors="replace")[:500] if error.response else ""
            raise RuntimeError(f"{method} {url} -> {error.code}: {text}") from None

    async def _json(self, url: str, method: str = "GET", body=None, timeout: float = 60):
        response = await self._fetch(url, method, body, timeout)
        return json.loads(response.body) if response.body else None

    @property
    def server_url(self) -> str:
        return f"{self.hub_url}/user/{quote(self.name)}"

    async def login(self, password: str) -> None:
        """Log in with name and password through the hub's REST API; keep the API token it returns."""
        started = time.monotonic()
        reply = await self._json(
            f"{self.hub_url}/hub/api/users/{quote(self.name)}/tokens",
            "POST",
            {"auth": {"username": self.name, "password": password}, "note": "localhub", "expires_in": 3600},
        )
        self.token = reply["token"]
        self.timings["login"] = time.monotonic() - started

    async def spawn(self, timeout: float = 120) -> None:
        """Start the learner's JupyterLab server and wait until it is ready."""
        started = time.monotonic()
        await self._fetch(f"{self.hub_url}/hub/api/users/{quote(self.name)}/server", "POST", {}, timeout=timeout)
        deadline = started + timeout
        while time.monotonic() < deadline:
            model = await self._json(f"{self.hub_url}/hub/api/users/{quote(self.name)}")
            server = model.get("servers", {}).get("", {})
            if server.get("ready"):
                self.timings["spawn"] = time.monotonic() - started
                return
            if not model.get("servers") and time.monotonic() - started > 5:
                raise RuntimeError(f"the server of {self.name} stopped while starting")
            await asyncio.sleep(0.25)
        raise TimeoutError(f"the server of {self.name} was not ready within {timeout} s")

    async def stop(self, timeout: float = 60) -> None:
        await self._fetch(f"{self.hub_url}/hub/api/users/{quote(self.name)}/server", "DELETE", timeout=timeout)

    async def api(self, path: str, method: str = "GET", body=None, timeout: float = 60):
        """Call the learner's Jupyter server REST API (``path`` like ``/api/contents/x.ipynb``)."""
        return await self._json(self.server_url + path, method, body, timeout)

    async def browse(self, url: str, password: str, max_redirects: int = 20) -> tuple[str, str]:
        """Open ``url`` as the learner's browser does: log in on the hub's form, follow redirects with cookies.

        Returns (final URL, page text). This is the path an nbgitpuller link takes: hub login, the hub's
        user-redirect, the learner server's OAuth handshake with the hub, then the puller page.
        """
        jar: dict[str, str] = {}
        client = AsyncHTTPClient(max_clients=64)

        async def get(target: str, method: str = "GET", body: str | None = None):
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            response = await client.fetch(target, method=method, body=body, headers=headers, request_timeout=60,
                                          follow_redirects=False, raise_error=False)  # fmt: skip
            for header in response.headers.get_list("Set-Cookie"):
                cookie = SimpleCookie(header)
                jar.update({key: morsel.value for key, morsel in cookie.items()})
            return response

        await get(f"{self.hub_url}/hub/login")
        form = urlencode({"username": self.name, "password": password, "_xsrf": jar.get("_xsrf", "")})
        response = await get(f"{self.hub_url}/hub/login", "POST", form)
        if response.code != 302:
            raise RuntimeError(f"the hub's login form refused {self.name}: {response.code}")
        for _ in range(max_redirects):
            response = await get(url)
            if response.code not in (301, 302, 303, 307, 308):
                break
            url = urljoin(url, response.headers["Location"])
        if response.code != 200:
            raise RuntimeError(f"GET {url} -> {response.code}")
        return url, response.body.decode(errors="replace")

    async def put_file(self, path: str, text: str) -> None:
        await self.api(f"/api/contents/{quote(path)}", "PUT", {"type": "file", "format": "text", "content": text})

    async def get_file(self, path: str) -> str:
        model = await self.api(f"/api/contents/{quote(path)}?type=file&format=text")
        return model["content"]

    async def git_pull(self, repo: str, branch: str, targetpath: str, timeout: float = 90) -> list[dict]:
        """Pull the course with nbgitpuller (the same endpoint its links open); return its progress events."""
        query = pull_query(repo, branch, targetpath)
        response = await self._fetch(f"{self.server_url}/git-pull/api?{query}", timeout=timeout)
        events = [json.loads(line[5:]) for line in response.body.decode().splitlines() if line.startswith("data:")]
        if not events or events[-1].get("phase") != "finished":
            raise RuntimeError(f"nbgitpuller did not finish for {self.name}: {events[-3:]}")
        return events

    async def run_cells(self, cells: list[str], timeout_per_cell: float = 60) -> list[dict]:
        """Start a kernel, run ``cells`` one by one over the kernel WebSocket, shut the kernel down.

        Returns one dict per cell: ``status`` ('ok' or 'error'), ``stdout`` text, ``error`` (ename: evalue)
        and ``seconds``. Stops at the first error, like "Run All".
        """
        kernel = await self.api("/api/kernels", "POST", {"name": "python3"})
        ws_url = self.server_url.replace("http", "ws", 1) + f"/api/kernels/{kernel['id']}/channels"
        request = HTTPRequest(ws_url, headers={"Authorization": f"token {self.token}"}, request_timeout=60)
        conn = await websocket_connect(request, max_message_size=256 << 20)
        session, results = uuid.uuid4().hex, []
        try:
            for code in cells:
                started = time.monotonic()
                result = await asyncio.wait_for(_execute(conn, session, code), timeout_per_cell)
                result["seconds"] = time.monotonic() - started
                results.append(result)
                if result["status"] != "ok":
                    break
        finally:
            conn.close()
            await self.api(f"/api/kernels/{kernel['id']}", "DELETE")
        return results


async def _execute(conn, session: str, code: str) -> dict:
    msg_id = uuid.uuid4().hex
    header = {"msg_id": msg_id, "msg_type": "execute_request", "session": session, "username": "learner",
              "version": "5.3", "date": ""}  # fmt: skip
    content = {"code": code, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False,
               "stop_on_error": True}  # fmt: skip
    await conn.write_message(json.dumps({"header": header, "parent_header": {}, "metadata": {},
                                         "content": content, "channel": "shell", "buffers": []}))  # fmt: skip
    stdout, error, reply, idle = [], "", None, False
    while reply is None or not idle:
        raw = await conn.read_message()
        if raw is None:
            raise ConnectionError("the kernel WebSocket closed")
        if isinstance(raw, bytes):  # binary frames carry widget buffers; nothing to check in them
            continue
        msg = json.loads(raw)
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = msg["header"]["msg_type"]
        if kind == "stream" and msg["content"]["name"] == "stdout":
            stdout.append(msg["content"]["text"])
        elif kind == "error":
            error = f"{msg['content']['ename']}: {msg['content']['evalue']}"
        elif kind == "execute_reply":
            reply = msg["content"]
        elif kind == "status" and msg["content"]["execution_state"] == "idle":
            idle = True
    return {"status": reply["status"], "stdout": "".join(stdout), "error": error}


def notebook_cells(path: str | Path) -> list[str]:
    """The code cells of a notebook, as text."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", required=True, help="comma-separated learner names (created if missing)")
    parser.add_argument("--admins", default="", help="comma-separated hub admins (e.g. the instructor)")
    parser.add_argument("--password", required=True, help="the class's shared password (8 characters or more)")
    parser.add_argument("--port", type=int, default=8000, help="the hub's port on 127.0.0.1 (8000)")
    parser.add_argument("--state-dir", default=str(ROOT / "deploy" / ".hub-state"))
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        parser.error("run as root: the hub starts each learner's server as that learner's Unix user")
    users = [u for u in args.users.split(",") if u]
    admins = [u for u in args.admins.split(",") if u]
    for name in users + admins:
        print(f"{name}: home {create_user(name)}")
    hub = start_hub(Path(args.state_dir), users + admins, args.password, admins=admins, port=args.port)
    print(f"JupyterHub on {hub.url} (log: {hub.log_path}); Ctrl-C stops it and every learner's server")
    print(f"instructor API token (admin:users, admin:servers): {hub.admin_token}")

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # `kill` stops the hub and the servers too, like Ctrl-C
    try:
        hub.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        hub.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
