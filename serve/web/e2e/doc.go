// Package e2e holds the web page's end-to-end tests: the real binary on the
// simulated sky, driven in Debian's headless Chromium by Playwright's
// library (playwright-core from npm, pinned with a committed lockfile in
// testdata/; no bundled browser download: executablePath is the system
// Chromium, so the tests need no network beyond the npm registry once).
//
// Playwright rather than chromedp: its auto-waiting locators, request
// sizes and console capture make the scenarios short and the failures
// readable, and it is the standard browser-test library of the web; the
// Go test only builds the binary, starts it (and a supervisor that
// restarts it after an injected owner death, as systemd does on the Pi)
// and runs `node --test` on testdata/page.test.mjs.
//
// On a machine without chromium, node or npm the tests skip with a message
// naming the Debian package; with PIFINDER_REQUIRE_BROWSER=1 (CI) they
// fail instead. They run in the full test pass, not with -short.
// Screenshots go to $PIFINDER_ARTIFACTS (default a new temporary folder,
// named in the test log).
package e2e
