"""Fixtures of the dashboard's browser tests: headless Chromium (Debian's chromium and
chromium-driver, through python3-selenium) against the real camfleet binary, with cameras from
`camfleet sim`. The server, its API client and the back end come from tests/api/conftest.py
(SQLite, or PostgreSQL when $CAMFLEET_TEST_POSTGRES names a cluster). A failing test saves a
screenshot of the browser in tests/ui/screenshots/ (named after the test) and says where."""
import importlib.util
import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("camfleet_api_support", HERE.parent / "api" / "conftest.py")
support = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(support)

SCREENSHOTS = HERE / "screenshots"
WAIT = 15.0           # seconds for the page to show what a test waits for
ONLINE_TIMEOUT = 30.0  # seconds for the simulated cameras to come online
SIM_CAMERAS = {"Berlin Mitte": 6, "Hamburg Hafen": 4}
PASSWORD = "dashboard-test-password"


def chromium_paths():
    browser = shutil.which("chromium")
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        pytest.fail("Debian's chromium and chromium-driver are needed (scripts/install-deps.sh --test)",
                    pytrace=False)
    return browser, driver


def new_browser(width=1280, height=800):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    browser, driver = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--lang=en-GB"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    instance = webdriver.Chrome(service=Service(driver), options=options)
    # the window size includes no browser frame in headless mode, but set the viewport exactly
    instance.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                             {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    return instance


class Sim:
    """One `camfleet sim` process claiming its cameras to one site."""

    def __init__(self, api, workdir, cameras, site_id, name):
        workdir.mkdir(parents=True, exist_ok=True)
        credentials = workdir / f"{name}-operator.json"
        credentials.write_text(json.dumps(api.operator_client))
        self.log_path = workdir / f"{name}.log"
        self._log = open(self.log_path, "wb")
        command = [str(support.BINARY), "sim", "--url", api.base, "--credentials-file", str(credentials),
                   "--cameras", str(cameras), "--site", site_id, "--heartbeat-interval", "5",
                   "--video-interval", "10", "--state-file", str(workdir / f"{name}-state.json")]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
                                        cwd=workdir)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


class Fleet:
    """An organisation with two sites of simulated cameras, an admin, and a viewer of the first site."""

    def __init__(self, api, workdir):
        self.api = api
        self.org = support.make_org(api, "Northwind Retail " + support.unique("org")[-6:])
        self.sites = {name: support.make_site(api, self.org["id"], name=name, time_zone="Europe/Berlin")
                      for name in SIM_CAMERAS}
        self.admin = support.make_user(api, self.org["id"], "admin", email=support.unique_email("admin"),
                                       password=PASSWORD)
        self.viewer = support.make_user(api, self.org["id"], "viewer", email=support.unique_email("viewer"),
                                        password=PASSWORD)
        first_site = self.sites["Berlin Mitte"]["id"]
        support.grant_sites(api, self.viewer["id"], [first_site])
        self.sims = [Sim(api, workdir, count, self.sites[name]["id"], f"sim-{index}")
                     for index, (name, count) in enumerate(SIM_CAMERAS.items())]
        self.cameras = self._wait_online()

    def _wait_online(self):
        total = sum(SIM_CAMERAS.values())
        deadline = time.monotonic() + ONLINE_TIMEOUT
        cameras = []
        while time.monotonic() < deadline:
            cameras = [c for c in support.expect(self.api.get(
                "/cameras", self.api.operator_token), 200) if c["organisationId"] == self.org["id"]]
            if len(cameras) == total and all(c["isOnline"] for c in cameras):
                return sorted(cameras, key=lambda c: c["serialNumber"])
            time.sleep(0.5)
        logs = "\n".join(sim.log_path.read_text(errors="replace")[-1500:] for sim in self.sims)
        pytest.fail(f"the simulated cameras were not all online within {ONLINE_TIMEOUT} s: {cameras}\n{logs}")

    def camera(self, index):
        return self.cameras[index]

    def stop(self):
        for sim in self.sims:
            sim.stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    # webhooks to this machine are allowed: the webhook test's receiver is on loopback
    instance = support.Server(tmp_path_factory.mktemp("camfleet-ui"), ["--allow-private-webhooks"])
    instance.operator_client = instance.admin_create_client("operator", "ui-operator")
    instance.start()
    yield instance
    code = instance.stop()
    assert code in (0, None), f"the server exited {code} on SIGTERM\n{instance.log_tail()}"


@pytest.fixture(scope="session")
def api(server):
    client = support.Api(server, server.operator_client)
    yield client
    client.session.close()


@pytest.fixture
def start_server(tmp_path, request):
    """Factory for a server of the test's own (killed when it ends)."""
    started = []

    def start(extra_args=(), name="private"):
        instance = support.Server(tmp_path / name, extra_args, owner=request.node.nodeid)
        instance.operator_client = instance.admin_create_client("operator", "private-op")
        instance.start()
        started.append(instance)
        return instance

    yield start
    for instance in started:
        instance.kill()


@pytest.fixture(scope="session")
def fleet(api, tmp_path_factory):
    instance = Fleet(api, tmp_path_factory.mktemp("sim"))
    yield instance
    instance.stop()


@pytest.fixture
def browser():
    instance = new_browser()
    yield instance
    instance.quit()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test leaves a screenshot of its browser, and the server's log tail."""
    outcome = yield
    report = outcome.get_result()
    if not report.failed or report.when not in ("call", "setup"):
        return
    for name in ("browser", "phone"):
        instance = item.funcargs.get(name) if hasattr(item, "funcargs") else None
        if instance is None:
            continue
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{item.name}-{name}.png"
        try:
            instance.save_screenshot(str(path))
            report.sections.append(("dashboard screenshot", f"saved {path} (page {instance.current_url})"))
        except Exception as error:  # the browser itself may be what failed
            report.sections.append(("dashboard screenshot", f"none: {error}"))
    server = item.funcargs.get("server") if hasattr(item, "funcargs") else None
    if server is not None:
        report.sections.append(("camfleet server log", server.log_tail()))
