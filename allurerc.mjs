// Allure 3 configuration, read by `allure awesome` (make report), `allure quality-gate` (CI) and the
// suite's tests. The report's look (single file, grouping by epic/feature/story, language) is given as
// `allure awesome` options in the Makefile: that command ignores a `plugins` section.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

// Documented known defects: each names its issue in the tracker and the failure message it produces.
// A failure that matches is marked with its issue (Resolutions tab) and filed under "Known defects".
const knownFile = join(here, "known-defects.json");
const known = existsSync(knownFile) ? JSON.parse(readFileSync(knownFile, "utf8")) : { defects: [] };
const tracker = process.env.GITHUB_REPOSITORY
  ? `${process.env.GITHUB_SERVER_URL ?? "https://github.com"}/${process.env.GITHUB_REPOSITORY}/issues/%s`
  : known.tracker;
if (known.defects.length && !tracker) {
  throw new Error(`${knownFile} lists defects but no "tracker" (an issue URL with %s for the issue number)`);
}

const unreachable = /ConnectError|ConnectionError|EndpointConnectionError|Connection refused|TargetUnreachable|unreachable/i;

export default {
  name: "Acceptance suite",
  output: "./allure-report",
  // One line per report build; the report's trend and flaky markers come from here. CI keeps it in a cache.
  historyPath: "./.allure/history.jsonl",
  historyLimit: 30,
  // First match wins: a known defect before a dead target before the two kinds of failure.
  categories: {
    rules: [
      ...(known.defects.length
        ? [{ id: "known-defects", name: "Known defects", matchers: known.defects.map((d) => ({ statuses: ["failed", "broken"], message: d.message })) }]
        : []),
      { id: "unreachable", name: "Target unreachable", matchers: { statuses: ["failed", "broken"], message: unreachable } },
      { id: "product", name: "Product defects (an assertion about the system failed)", matchers: { statuses: ["failed"] } },
      { id: "suite", name: "Suite errors (a step crashed)", matchers: { statuses: ["broken"] } },
    ],
  },
  resolutions: {
    // Allure writes the known issues it found in this run here (the report folder is rebuilt each time).
    knownIssuesPath: "./allure-report/known-issues.json",
    ...(tracker ? { links: { issue: { urlTemplate: tracker, nameTemplate: "issue %s" } } } : {}),
    rules: known.defects.map((d) => ({
      resolution: "issue",
      issue: { id: String(d.issue), type: "issue" },
      messageRegexp: d.message,
      comment: d.comment,
    })),
  },
};
