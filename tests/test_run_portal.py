"""`make run` (scripts/run_portal.py): the demo logins once in a banner, a step line per slow step,
and a stop that was asked for ends without an error (make printed "Error 143" for it before)."""

import importlib.util
import signal
from pathlib import Path

import pytest

from staff.demo_logins import DEMO_LOGINS

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "run_portal.py"


@pytest.fixture
def run_portal():
    spec = importlib.util.spec_from_file_location("run_portal_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def signal_handlers_restored():
    """main() installs its own handlers (and ignores signals while stopping): give pytest its own back."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def test_the_banner_lists_every_demo_login_once_with_the_address(run_portal, monkeypatch, capsys):
    monkeypatch.setattr(run_portal, "port_in_use", lambda host, port: True)
    run_portal.announce_when_listening("127.0.0.1", 8714, [])
    banner = capsys.readouterr().out
    assert "IOMS is running at http://127.0.0.1:8714/" in banner
    for _, username, _ in DEMO_LOGINS:
        assert banner.count(f"  {username}  ") == 1
    assert banner.count("Press Ctrl-C to stop.") == 1


def test_the_demo_data_is_loaded_without_listing_the_logins_again(run_portal, monkeypatch, tmp_path, capsys):
    ran = []
    monkeypatch.setattr(run_portal, "LOCAL", tmp_path)
    monkeypatch.setattr(run_portal, "command_available", lambda name: True)
    monkeypatch.setattr(run_portal, "manage", lambda *arguments: ran.append(arguments))
    run_portal.seed_demo_once()
    assert ran == [("seed_demo", "--no-logins")]
    assert "==> Loading the demo data" in capsys.readouterr().out


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_that_was_asked_for_exits_0(run_portal, monkeypatch, signal_handlers_restored, capsys, signum):
    def interrupted(*arguments):
        raise run_portal.Stop(signum)

    monkeypatch.setenv("DJANGO_DEBUG", "false")  # main() sets it when unset: undone after the test
    monkeypatch.setattr(run_portal, "port_in_use", lambda host, port: False)
    monkeypatch.setattr(run_portal, "manage", interrupted)
    assert run_portal.main() == 0
    output = capsys.readouterr().out
    assert "==> Applying database migrations" in output
    assert "[run] stopped" in output


def test_a_stop_is_not_swallowed_by_a_handler_of_ordinary_errors(run_portal):
    """Reading the demo logins catches any Exception: a Ctrl-C at that moment must still stop."""
    assert not issubclass(run_portal.Stop, Exception)
