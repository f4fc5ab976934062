"""Prepare the database and run the portal for development: web server, Celery worker and Celery beat.

Run by `make run` under scripts/services.py, which provides DATABASE_URL and REDIS_URL. Steps:
migrate, collectstatic, seed_demo (once per database), then the three processes, supervised: if one
of them dies the others are stopped and this script exits non-zero; Ctrl-C (or SIGTERM) stops all of
them and exits 0, so `make` reports no error for a stop that was asked for. Each step prints one line
before it starts; the address and the demo logins are printed once, in a banner, when the portal
answers. Celery logs warnings and errors only (no start-up banner), so the banner stays in view.
The steps run as the database owner when IOMS_OWNER_DATABASE_URL is set (the embedded server sets
it), the three processes as the application role of DATABASE_URL (README: Database roles).

IOMS_ADDR sets the web server's address (default 127.0.0.1:8000).
"""

import contextlib
import hashlib
import importlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
MANAGE = [sys.executable, str(ROOT / "manage.py")]
CELERY = [sys.executable, "-m", "celery", "-A", "ioms"]
STOP_TIMEOUT_SECONDS = 20
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stop(BaseException):
    """Raised by the signal handler: the user (or a supervisor) asked us to stop. Not an Exception,
    so that no `except Exception` on the way (e.g. reading the demo logins) swallows it."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def log(message: str) -> None:
    print(f"[run] {message}", flush=True)


def announce_step(message: str) -> None:
    """One line per preparation step, in the style of the Makefile's, so a slow step is not silent."""
    print(f"==> {message}", flush=True)


def on_signal(signum, frame):
    raise Stop(signum)


def owner_database_url() -> str:
    return os.environ.get("IOMS_OWNER_DATABASE_URL") or os.environ["DATABASE_URL"]


def as_owner() -> dict[str, str]:
    """The environment of a preparation step: migrate creates tables (and grants the application
    role), seed_demo loads with the triggers off; both need the owner."""
    return {**os.environ, "DATABASE_URL": owner_database_url()}


def start(command: list[str], environment: dict[str, str] | None = None) -> subprocess.Popen:
    # Each child leads its own process group, so a Ctrl-C on the terminal reaches only this script,
    # which then stops every child in order, and stopping a group also stops runserver's reloader child.
    return subprocess.Popen(
        command, cwd=ROOT, stdin=subprocess.DEVNULL, start_new_session=True, env=environment
    )


def stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log(f"{' '.join(child.args[1:4])} did not stop in {STOP_TIMEOUT_SECONDS}s; killing it")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def step(command: list[str]) -> int:
    """Run one preparation step to completion; a stop request stops the step too."""
    child = start(command, as_owner())
    try:
        return child.wait()
    except Stop:
        stop([child])
        raise


def manage(*arguments: str) -> None:
    returncode = step([*MANAGE, *arguments])
    if returncode != 0:
        log(f"manage.py {' '.join(arguments)} failed (exit code {returncode})")
        sys.exit(returncode if returncode > 0 else 1)


def command_available(name: str) -> bool:
    probe = subprocess.run(
        [*MANAGE, "help", name],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=as_owner(),
    )
    return probe.returncode == 0


def seed_demo_once() -> None:
    # One marker per database: a new database URL (or `make clean`) seeds again. The owner's URL: it
    # is the one DATABASE_URL named before there were two roles, so such a database is not seeded twice.
    digest = hashlib.sha256(owner_database_url().encode()).hexdigest()[:16]
    marker = LOCAL / f"demo-seeded-{digest}"
    if marker.exists():
        log("demo data already seeded")
        return
    if not command_available("seed_demo"):
        log("WARNING: manage.py seed_demo is not available yet; starting without demo data")
        return
    announce_step("Loading the demo data (under a minute, once per database)…")
    # The logins are printed once, in the banner when the portal answers, not here as well.
    manage("seed_demo", "--no-logins")
    LOCAL.mkdir(exist_ok=True)
    marker.write_text(owner_database_url() + "\n")


def demo_logins() -> list[tuple[str, str, str]]:
    """DEMO_LOGINS from staff/demo_logins.py, once that module exists: [(role, username, password), ...]."""
    if not (ROOT / "staff" / "demo_logins.py").exists():
        return []
    sys.path.insert(0, str(ROOT))
    try:
        module = importlib.import_module("staff.demo_logins")
        return [(str(role), str(username), str(password)) for role, username, password in module.DEMO_LOGINS]
    # Someone else's module, imported only to print a banner: report whatever goes wrong, don't crash.
    except Exception as error:
        log(f"WARNING: could not read DEMO_LOGINS from staff/demo_logins.py: {error!r}")
        return []
    finally:
        sys.path.remove(str(ROOT))


def split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def announce_when_listening(host: str, port: int, children: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + 60
    while not port_in_use(host, port):
        if time.monotonic() > deadline or any(child.poll() is not None for child in children):
            return
        time.sleep(0.2)
    url_host = f"[{host}]" if ":" in host else host
    rule = "  " + "─" * 70
    lines = ["", rule, f"  IOMS is running at http://{url_host}:{port}/", ""]
    logins = demo_logins()
    if logins:
        width_role = max(len(role) for role, _, _ in logins)
        width_user = max(len(username) for _, username, _ in logins)
        lines.append("  Demo logins:")
        for role, username, password in logins:
            lines.append(f"    {role:<{width_role}}  {username:<{width_user}}  {password}")
        lines.append("  sysadmin also gives a one-time code: add the demo key")
        lines.append("  IOMSDEMOIOMSDEMOIOMSDEMOIOMSDEMO to an authenticator app, or see the README")
        lines.append("  (Roles and demo logins) for a command that prints the code.")
        lines.append("")
    lines.append("  Press Ctrl-C to stop.")
    lines.append(rule)
    print("\n".join(lines) + "\n", flush=True)


def supervise(children: dict[str, subprocess.Popen]) -> int:
    while True:
        for name, child in children.items():
            returncode = child.poll()
            if returncode is not None:
                log(f"{name} exited (exit code {returncode}); stopping the others")
                for signum in HANDLED_SIGNALS:
                    signal.signal(signum, signal.SIG_IGN)
                stop(list(children.values()))
                return returncode if returncode > 0 else 1
        time.sleep(0.5)


def main() -> int:
    for signum in HANDLED_SIGNALS:
        signal.signal(signum, on_signal)
    os.environ.setdefault("DJANGO_DEBUG", "true")
    address = os.environ.get("IOMS_ADDR", "127.0.0.1:8000")
    host, port = split_address(address)
    children: dict[str, subprocess.Popen] = {}
    try:
        if port_in_use(host, port):
            log(f"{address} is already in use; stop whatever is listening there or set IOMS_ADDR")
            return 1
        announce_step("Applying database migrations (about a minute on a new database)…")
        manage("migrate", "--noinput", "--verbosity", "0")
        announce_step("Collecting static files…")
        manage("collectstatic", "--noinput", "--verbosity", "0")
        seed_demo_once()
        LOCAL.mkdir(exist_ok=True)
        announce_step(f"Starting the web server at {address}, the Celery worker and Celery beat…")
        children["web"] = start([*MANAGE, "runserver", address])
        # -q: no start-up banner; warnings and errors only, so the portal's banner is not buried.
        children["worker"] = start([*CELERY, "-q", "worker", "-l", "warning", "--concurrency", "2"])
        children["beat"] = start(
            [*CELERY, "-q", "beat", "-l", "warning", "--schedule", str(LOCAL / "celerybeat-schedule")]
        )
        announce_when_listening(host, port, list(children.values()))
        return supervise(children)
    except Stop as request:
        print(flush=True)  # past the ^C the terminal echoed
        log(f"{request} received; stopping the portal")
        for signum in HANDLED_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        stop(list(children.values()))
        log("stopped")
        # A stop that was asked for is a success: `make run` must not end with "Error 130/143".
        return 0


if __name__ == "__main__":
    sys.exit(main())
