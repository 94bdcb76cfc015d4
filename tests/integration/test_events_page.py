"""GET /events in a real headless browser (Debian's chromium and its driver,
offline): the real exporter watches the leaking demo with leak diffs on; the page
loads without JavaScript, the floor chart renders with the leak marked, and the
diff table lists what grew first.

MEMWATCH_UPDATE_SCREENSHOT=1 also writes docs/img/events-page.png.
"""

import json
import os
import re
import tempfile
import unittest

from tests.integration.test_memwatch_demo import DEMO_FLAGS, EXPORTER_FLAGS
from tests.lib import harness, webdriver

LEAK_BOUND = 60.0


@unittest.skipUnless(webdriver.available(), "chromium and chromium-driver are not installed")
class EventsPageTest(unittest.TestCase):
    def setUp(self):
        self.procs = harness.Processes()
        self.addCleanup(self.procs.stop_all)

    def leak_with_diff(self, exp):
        r = exp.get("/api/v1/events?name=demo&type=leak")
        events = json.loads(r.text)["events"]
        return next((e for e in events if "diff" in e and "error" not in e["diff"]),
                    None)

    def test_page_shows_chart_leak_and_growers(self):
        demo = self.procs.start([harness.binary("demo/memwatch_demo"), *DEMO_FLAGS])
        exp = harness.Exporter(self.procs, args=[
            f"--pid=demo={demo.pid}", *EXPORTER_FLAGS,
            "--memwatch.leak-diff=mapping"])
        event = harness.wait_until(lambda: self.leak_with_diff(exp),
                                   timeout=LEAK_BOUND, interval=0.5,
                                   what="a leak event of demo with its diff")
        top = event["diff"]["change"]["details"][0]

        plain = exp.get("/events?name=demo")
        self.assertEqual(plain.status, 200)
        self.assertTrue(plain.headers["content-type"].startswith("text/html"))
        self.assertNotIn("<script", plain.text)
        self.assertEqual(exp.get("/events?bogus=1").status, 400)

        browser = webdriver.Browser(self.procs)
        self.addCleanup(browser.stop)
        browser.get(f"{exp.base}/events?name=demo")
        self.assertIn("leak events", browser.title())
        charts = browser.find_all("svg.chart")
        self.assertEqual(len(charts), 1)
        rect = browser.rect(charts[0])
        self.assertGreater(rect["width"], 100)  # laid out, not just in the DOM
        self.assertGreater(rect["height"], 50)
        line = browser.find_all("svg.chart polyline.floor")
        self.assertEqual(len(line), 1)
        points = browser.attribute(line[0], "points").split()
        self.assertGreaterEqual(len(points), 3)
        self.assertGreaterEqual(len(browser.find_all("svg.chart line.leak")), 1)
        rows = browser.find_all("table.diff tr")
        self.assertGreaterEqual(len(rows), 2)  # header and the top grower
        first = browser.text(rows[1])
        self.assertTrue(first.startswith(top["what"]), (first, top))
        self.assertRegex(first, re.compile(r"\+\d"))

        shot = os.path.join(os.environ.get("TEST_TMPDIR", tempfile.gettempdir()),
                            "events-page.png")
        browser.screenshot(shot)
        self.assertGreater(os.path.getsize(shot), 10000)
        if os.environ.get("MEMWATCH_UPDATE_SCREENSHOT") == "1":
            dest = os.path.join(harness.REPO, "docs", "img", "events-page.png")
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            browser.screenshot(dest)


if __name__ == "__main__":
    unittest.main()
