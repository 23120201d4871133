#!/usr/bin/env python3
"""browser_check.py - open an HTML report in headless Chromium and check it.

Usage: browser_check.py CHROMIUM PAGE.html [--expect TEXT]... [--injected TEXT]
                        [--min-images N] [--pdf]

Chromium is driven through the DevTools protocol over --remote-debugging-pipe
(commands on fd 3, events and replies on fd 4, one NUL-terminated JSON
message each), with the standard library only. The page fails when:
  - a script error, an uncaught exception or a console error shows up
    (a blocked fetch is reported as one);
  - anything is requested that is not a file: or data: URL, or a request
    fails (the report must need nothing from the network);
  - a JavaScript dialog opens (injected markup ran);
  - an <img> has not decoded (naturalWidth 0), or there are fewer than N;
  - a TEXT of --expect is not in the rendered text (innerText: what is
    visible), or the --injected TEXT is not there as text, or an element
    that text would have made exists (an <img src="x">);
  - with --pdf, printing to PDF gives nothing.
Prints one line per failure and exits 1; 0 when all is well.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT = 60.0


class Browser:
    """One headless Chromium and its DevTools pipe."""

    def __init__(self, chromium, profile):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def wire_fds():
            # copies first: a pipe end may itself be fd 3 or 4, and
            # dup2 onto itself would leave it close-on-exec
            r, w = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        args = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
                "--remote-debugging-pipe", "--user-data-dir=" + profile,
                "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "about:blank"]
        self.proc = subprocess.Popen(args, preexec_fn=wire_fds, close_fds=False,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.deadline = time.monotonic() + TIMEOUT

    def _read_message(self):
        while b"\0" not in self.buf:
            if time.monotonic() > self.deadline:
                raise TimeoutError("no answer from Chromium within %.0f s" % TIMEOUT)
            chunk = os.read(self.from_child, 1 << 16)
            if not chunk:
                raise EOFError("Chromium closed the DevTools pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        msg = json.loads(msg)
        if msg.get("method") == "Page.javascriptDialogOpening":
            # a dialog blocks the page until answered: dismiss it (it is
            # still recorded as a failure)
            self.post("Page.handleJavaScriptDialog", {"accept": False}, msg.get("sessionId"))
        return msg

    def post(self, method, params=None, session=None):
        """Send a command without waiting; returns its id."""
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def send(self, method, params=None, session=None):
        """Send a command and wait for its reply; events meanwhile are kept."""
        cmd_id = self.post(method, params, session)
        while True:
            reply = self._read_message()
            if reply.get("id") == cmd_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method):
        """Wait for an event (already kept ones count)."""
        for ev in self.events:
            if ev.get("method") == method:
                return ev
        while True:
            ev = self._read_message()
            self.events.append(ev)
            if ev.get("method") == method:
                return ev

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_child)
        os.close(self.from_child)


def evaluate(browser, session, expression):
    res = browser.send("Runtime.evaluate",
                       {"expression": expression, "returnByValue": True}, session)
    if "exceptionDetails" in res:
        raise RuntimeError("evaluating %s: %s" % (expression, res["exceptionDetails"]))
    return res["result"].get("value")


def event_failures(events):
    """What the events recorded during the load say went wrong."""
    out = []
    for ev in events:
        method, p = ev.get("method"), ev.get("params", {})
        if method == "Runtime.exceptionThrown":
            out.append("exception: %s" % p["exceptionDetails"].get("text"))
        elif method == "Log.entryAdded" and p["entry"]["level"] == "error":
            out.append("console error: %s %s" % (p["entry"].get("text"), p["entry"].get("url", "")))
        elif method == "Runtime.consoleAPICalled" and p.get("type") == "error":
            out.append("console.error called")
        elif method == "Network.requestWillBeSent":
            url = p["request"]["url"]
            if not (url.startswith("file:") or url.startswith("data:")):
                out.append("network request: %s" % url)
        elif method == "Network.loadingFailed":
            out.append("a load failed: %s" % p.get("errorText"))
        elif method == "Page.javascriptDialogOpening":
            out.append("a JavaScript dialog opened: %s" % p.get("message"))
    return out


def page_failures(browser, session, opts):
    """What the loaded page shows that is wrong."""
    out = []
    images = evaluate(browser, session,
                      "Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])")
    for complete, width, alt in images:
        if not complete or width == 0:
            out.append("image not decoded: %s" % alt)
    if len(images) < opts["min_images"]:
        out.append("%d images, expected at least %d" % (len(images), opts["min_images"]))
    text = evaluate(browser, session, "document.body.innerText")
    for t in opts["expect"]:
        if t not in text:
            out.append("not visible on the page: %r" % t)
    if opts["injected"]:
        if opts["injected"] not in text:
            out.append("the injected markup is not shown as text")
        made = evaluate(browser, session,
                        "document.querySelectorAll('img[src=\"x\"], [onerror]').length")
        if made:
            out.append("the injected markup became %d element(s)" % made)
    if opts["pdf"]:
        pdf = browser.send("Page.printToPDF", {}, session).get("data", "")
        if len(pdf) < 1000:
            out.append("printing to PDF gave %d bytes" % len(pdf))
    return out


def check(chromium, page, opts):
    profile = tempfile.mkdtemp(prefix="bq-chromium-")
    browser = Browser(chromium, profile)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget",
                               {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(domain + ".enable", {}, session)
        browser.events.clear()
        url = "file://" + os.path.abspath(page)
        nav = browser.send("Page.navigate", {"url": url}, session)
        if nav.get("errorText"):
            return ["cannot open %s: %s" % (url, nav["errorText"])]
        browser.wait_event("Page.loadEventFired")
        out = page_failures(browser, session, opts)
        return event_failures(browser.events) + out
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    chromium, page = argv[1], argv[2]
    opts = {"expect": [], "injected": None, "min_images": 0, "pdf": False}
    rest = argv[3:]
    while rest:
        flag = rest.pop(0)
        if flag == "--pdf":
            opts["pdf"] = True
        elif flag == "--expect":
            opts["expect"].append(rest.pop(0))
        elif flag == "--injected":
            opts["injected"] = rest.pop(0)
        elif flag == "--min-images":
            opts["min_images"] = int(rest.pop(0))
        else:
            print("browser_check.py: unknown option %s" % flag, file=sys.stderr)
            return 2
    failures = check(chromium, page, opts)
    for f in failures:
        print("FAIL: %s: %s" % (page, f))
    if not failures:
        print("ok: %s" % page)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
