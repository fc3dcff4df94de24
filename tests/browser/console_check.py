"""Drives the console (/ui) and the API reference (/docs) of a running agent-registry in headless
Chromium (Debian's `chromium` + `chromium-driver`) with Selenium, for the e2e suite
(tests/e2e/e2e_console.rs). One scenario per run:

    console_check.py <base-url> <scenario> '<json arguments>'

It prints `ok: <scenario>` and exits 0 when every check holds, else raises (exit 1). Every
scenario also checks that the page made no request outside the server's origin (the browser's
performance entries) and that the browser logged no Content-Security-Policy violation and no
uncaught script error.
"""

import json
import os
import sys
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
WAIT = 20


def browser():
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.path.exists(path):
            raise SystemExit(f"{path} is missing: apt-get install -y {package} (`just tools` does)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)


def by_testid(testid):
    return (By.CSS_SELECTOR, f'[data-testid="{testid}"]')


def visible(driver, testid):
    return WebDriverWait(driver, WAIT).until(EC.visibility_of_element_located(by_testid(testid)))


def sign_in(driver, base, token):
    driver.get(f"{base}/ui")
    visible(driver, "token-input").send_keys(token)
    driver.find_element(*by_testid("sign-in")).click()


def table_names(driver):
    table = visible(driver, "agents-table")
    return sorted(a.text for a in table.find_elements(By.CSS_SELECTOR, "tbody a.agent-link"))


def wait_names(driver, expected):
    """Waits until the agents table lists exactly `expected` (sorted), returning the names."""
    expected = sorted(expected)
    try:
        WebDriverWait(driver, WAIT).until(lambda d: table_names(d) == expected)
    except Exception:
        raise AssertionError(f"agents table shows {table_names(driver)}, expected {expected}")
    return expected


def no_alert(driver):
    try:
        alert = driver.switch_to.alert
    except NoAlertPresentException:
        return
    raise AssertionError(f"a dialog opened: {alert.text!r}")


def same_origin_only(driver, base):
    """Every request the page made (navigation and resources) went to `base`."""
    names = driver.execute_script(
        "return performance.getEntriesByType('navigation').concat("
        "performance.getEntriesByType('resource')).map(e => e.name)")
    assert names, "no performance entries"
    outside = [n for n in names if not n.startswith(base + "/")]
    assert not outside, f"requests outside {base}: {outside}"
    return len(names)


def clean_log(driver):
    """No CSP violation and no uncaught error in the browser's console."""
    bad = [e["message"] for e in driver.get_log("browser")
           if "Content Security Policy" in e["message"] or "Refused to" in e["message"]
           or "Uncaught" in e["message"]]
    assert not bad, f"browser console: {bad}"


def screenshot(driver, path):
    """The whole page (the window grown to its height) as a PNG at `path`."""
    if path:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, min(max(900, height + 140), 4000))
        driver.save_screenshot(path)


def agents(driver, base, a):
    """Sign in with a token: the table lists exactly its agents; the counts and who are shown;
    sign-out forgets the token."""
    sign_in(driver, base, a["token"])
    wait_names(driver, a["expect_names"])
    who = visible(driver, "whoami").text
    assert a["principal"] in who, f"whoami shows {who!r}"
    for status, count in a["expect_counts"].items():
        li = visible(driver, "status-counts").find_element(By.CSS_SELECTOR, f'li[data-status="{status}"]')
        assert li.text.split() == [status, str(count)], f"count of {status}: {li.text!r}"
    pager = visible(driver, "pager").text
    assert f"{len(a['expect_names'])} agents" in pager, f"pager {pager!r}"
    if a.get("search"):
        box = visible(driver, "search-input")
        box.send_keys(a["search"])
        driver.find_element(*by_testid("search-submit")).click()
        wait_names(driver, [a["search"]])
        box = visible(driver, "search-input")
        box.clear()
        driver.find_element(*by_testid("search-submit")).click()
        wait_names(driver, a["expect_names"])
    screenshot(driver, a.get("screenshot"))
    same_origin_only(driver, base)
    clean_log(driver)
    driver.find_element(*by_testid("sign-out")).click()
    visible(driver, "token-input")
    assert driver.execute_script("return sessionStorage.getItem('registry.token')") is None, \
        "token kept after sign-out"


def agent(driver, base, a):
    """Open an agent from the table: its fields, deployments (production marked), events (newest
    first, with actor) and key metadata are there; no key secret anywhere."""
    sign_in(driver, base, a["token"])
    table = visible(driver, "agents-table")
    WebDriverWait(driver, WAIT).until(lambda d: table_names(d))
    table.find_element(By.CSS_SELECTOR, f'tr[data-agent-id="{a["agent_id"]}"] a').click()
    detail = visible(driver, "agent-detail")
    assert detail.get_attribute("data-agent-id") == a["agent_id"]
    rows = visible(driver, "agent-deployments").find_elements(By.CSS_SELECTOR, "tbody tr")
    shown = sorted(r.get_attribute("data-deployment-id") for r in rows)
    assert shown == sorted(a["deployment_ids"]), f"deployments {shown}"
    marked = [r.get_attribute("data-deployment-id") for r in rows
              if r.find_elements(*by_testid("production-mark"))]
    assert marked == [a["production_id"]], f"production marked on {marked}"
    events = visible(driver, "agent-events").find_elements(By.CSS_SELECTOR, "li")
    kinds = [e.get_attribute("data-event-kind") for e in events]
    assert kinds == [k for k, _ in a["events"]], f"events {kinds}, expected {a['events']}"
    for li, (kind, actor) in zip(events, a["events"]):
        assert f"by {actor}" in li.text, f"{kind} event without its actor {actor}: {li.text!r}"
    keys = visible(driver, "agent-keys").text
    assert a["key_name"] in keys, f"keys {keys!r}"
    for secret in a["key_secrets"]:
        assert secret not in driver.page_source, "a key secret is on the page"
    screenshot(driver, a.get("screenshot"))
    same_origin_only(driver, base)
    clean_log(driver)


def revoked(driver, base, a):
    """A token revoked while signed in: the next page load is the sign-in form with the reason."""
    sign_in(driver, base, a["token"])
    visible(driver, "agents-table")
    req = urllib.request.Request(f"{base}/service_tokens/{a['token_id']}", method="DELETE",
                                 headers={"Authorization": f"Bearer {a['admin_token']}"})
    with urllib.request.urlopen(req) as res:
        assert res.status == 200, res.status
    driver.refresh()
    visible(driver, "token-input")
    reason = visible(driver, "sign-in-reason").text
    assert "HTTP 401" in reason and a["expect_reason"] in reason, f"reason {reason!r}"
    assert not driver.find_elements(*by_testid("agents-table")), "agents still shown"
    assert driver.execute_script("return sessionStorage.getItem('registry.token')") is None
    same_origin_only(driver, base)


def xss(driver, base, a):
    """Markup in an agent's text renders as text: no dialog, no element."""
    sign_in(driver, base, a["token"])
    visible(driver, "agents-table")
    driver.get(f"{base}/ui#/agents/{a['agent_id']}")
    detail = visible(driver, "agent-detail")
    fields = visible(driver, "agent-fields").text
    for text in a["texts"]:
        assert text in fields or text in detail.text, f"{text!r} not shown as text"
    no_alert(driver)
    injected = driver.execute_script(
        "return document.querySelectorAll('img, script:not([src]), iframe, svg').length")
    assert injected == 0, f"{injected} injected elements"
    assert driver.execute_script("return window.__xss === undefined"), "injected script ran"
    same_origin_only(driver, base)
    clean_log(driver)


def docs(driver, base, a):
    """/docs renders the reference from /openapi.json, listing the /agents paths."""
    driver.get(f"{base}/docs")
    WebDriverWait(driver, WAIT).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")) > 10)
    paths = {e.get_attribute("data-path") or e.text
             for e in driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    missing = [p for p in a["expect_paths"] if p not in paths]
    assert not missing, f"/docs lacks {missing}; shows {sorted(paths)}"
    screenshot(driver, a.get("screenshot"))
    same_origin_only(driver, base)
    clean_log(driver)


def orgs(driver, base, a):
    """The platform admin's org switcher: choosing an org shows that org's agents only."""
    from selenium.webdriver.support.ui import Select
    sign_in(driver, base, a["token"])
    wait_names(driver, a["default_names"])
    switcher = Select(visible(driver, "org-switcher"))
    shown = sorted(o.text for o in switcher.options)
    assert shown == sorted(a["orgs"]), f"switcher lists {shown}"
    switcher.select_by_visible_text(a["org"])
    wait_names(driver, a["org_names"])
    WebDriverWait(driver, WAIT).until(lambda d: f"org {a['org']}" in d.find_element(*by_testid("whoami")).text)
    same_origin_only(driver, base)
    clean_log(driver)


SCENARIOS = {"orgs": orgs, "agents": agents, "agent": agent, "revoked": revoked, "xss": xss, "docs": docs}


def main():
    base, scenario, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    driver = browser()
    try:
        SCENARIOS[scenario](driver, base.rstrip("/"), args)
    finally:
        driver.quit()
    print(f"ok: {scenario}")


if __name__ == "__main__":
    main()
