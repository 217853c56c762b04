import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { APP_NAMES, DEV_PORTS, REPO_ROOT } from "../src/apps";
import { exportedMetricNames } from "./exported-metrics";
import { metricNames } from "./promql";

/**
 * infra/grafana's dashboards and infra/prometheus's rules and scrape configs, checked
 * without a Grafana or a Prometheus: well-formed, on a templated data source, and querying
 * only metrics the platform exports (read from the real collectors), so a renamed metric
 * fails here rather than leaving a panel empty or an alert that can never fire.
 */
const infra = (...parts: string[]) => join(REPO_ROOT, "infra", ...parts);
const DASHBOARDS = infra("grafana", "dashboards");
const RULES = infra("prometheus", "rules");
const RULE_TESTS = infra("prometheus", "tests");

interface Target {
  expr?: string;
  refId?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  gridPos?: { h: number; w: number; x: number; y: number };
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query?: unknown;
  datasource?: { uid?: string };
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}
interface Rule {
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template
const TEMPLATED = { type: "prometheus", uid: "${datasource}" };
/** Grafana's own variables, there in every dashboard. */
const BUILT_IN = new Set(["__rate_interval", "__interval", "__range", "__range_s", "__interval_ms"]);

const dashboards = readdirSync(DASHBOARDS)
  .filter((file) => file.endsWith(".json"))
  .map((file) => ({
    file,
    dashboard: JSON.parse(readFileSync(join(DASHBOARDS, file), "utf8")) as Dashboard,
  }));
const rules = readdirSync(RULES)
  .filter((file) => file.endsWith(".yml"))
  .flatMap(
    (file) => (parse(readFileSync(join(RULES, file), "utf8")) as { groups: { rules: Rule[] }[] }).groups,
  )
  .flatMap((group) => group.rules);

/** Every "panel title: metric" a dashboard queries that `exported` lacks. */
function unknownMetrics(dashboard: Dashboard, exported: Set<string>): string[] {
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).flatMap((target) =>
      metricNames(target.expr ?? "")
        .filter((name) => !exported.has(name))
        .map((name) => `${panel.title}: ${name}`),
    ),
  );
}

/** GitHub's anchor for a Markdown heading. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, "")
    .replace(/ /g, "-");

let exported: Set<string>;
beforeAll(async () => {
  exported = await exportedMetricNames();
});

describe("metric names in PromQL", () => {
  it("are what an expression reads, not its functions, labels, ranges or variables", () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, provider) (rate(delivery_send_duration_seconds_bucket{channel="$channel", x=~"a|b"}[$__rate_interval])))',
      ),
    ).toEqual(["delivery_send_duration_seconds_bucket"]);
    expect(
      metricNames(
        'sum by (channel) (rate(a_total{outcome="failed"}[10m])) / on (channel) group_left sum(rate(b_total[5m] offset 1h)) > 0.05 and max(c) or vector(0)',
      ),
    ).toEqual(["a_total", "b_total", "c"]);
  });

  it("the catalogue holds the platform's metrics with their scraped suffixes, and not invented ones", () => {
    for (const name of [
      "kafka_consumer_lag",
      "kafka_consumer_partition_stalled",
      "delivery_send_duration_seconds_bucket",
      "delivery_retries_total",
      "dlq_oldest_pending_age_seconds",
      "projection_event_delay_seconds_count",
      "inbox_streams_open",
      "push_subscriptions_removed_total",
      "console_proxy_errors_total",
      "process_cpu_seconds_total",
    ])
      expect(exported, name).toContain(name);
    expect(exported).not.toContain("delivery_send_duration_seconds");
  });
});

describe("Grafana dashboards", () => {
  it("are four, with unique uids and titles, on a current schema", () => {
    expect(dashboards.map((d) => d.file).sort()).toEqual([
      "channel.json",
      "dlq.json",
      "kafka.json",
      "overview.json",
    ]);
    const uids = dashboards.map((d) => d.dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(new Set(dashboards.map((d) => d.dashboard.title)).size).toBe(uids.length);
    for (const { dashboard } of dashboards) {
      expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    }
  });

  it.each(dashboards)("$file: every panel queries the templated Prometheus data source", ({ dashboard }) => {
    const variables = dashboard.templating.list;
    expect(variables.find((v) => v.name === "datasource")).toMatchObject({
      type: "datasource",
      query: "prometheus",
    });
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const queried = dashboard.panels.filter((panel) => panel.type !== "row");
    expect(queried.length).toBeGreaterThan(3);
    for (const panel of queried) {
      expect(panel.gridPos, panel.title).toBeDefined();
      expect(panel.description, panel.title).toBeTruthy();
      expect(panel.datasource, panel.title).toEqual(TEMPLATED);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      const refIds = (panel.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
      for (const target of panel.targets ?? []) {
        expect(target.datasource, panel.title).toEqual(TEMPLATED);
        expect(target.expr?.trim(), panel.title).toBeTruthy();
        // Every $variable is one this dashboard defines (or Grafana's own).
        for (const [, name] of (target.expr ?? "").matchAll(/\$\{?(\w+)/g))
          expect(
            BUILT_IN.has(name ?? "") || variables.some((v) => v.name === name),
            `${panel.title}: $${name}`,
          ).toBe(true);
      }
    }
    for (const variable of variables.filter((v) => v.type === "query"))
      expect(variable.datasource).toEqual(TEMPLATED);
  });

  it.each(dashboards)("$file: queries only metrics the platform exports", ({ dashboard }) => {
    expect(unknownMetrics(dashboard, exported)).toEqual([]);
  });

  it("a panel querying a metric nobody exports fails the check", () => {
    const [first] = dashboards;
    if (!first) throw new Error("no dashboards");
    const broken: Dashboard = {
      ...first.dashboard,
      panels: [
        ...first.dashboard.panels,
        {
          id: 999,
          type: "timeseries",
          title: "Typo",
          targets: [{ refId: "A", expr: 'sum(rate(delivery_sends_totl{channel="EMAIL"}[5m]))' }],
        },
      ],
    };
    expect(unknownMetrics(broken, exported)).toEqual(["Typo: delivery_sends_totl"]);
  });
});

describe("Prometheus alert rules", () => {
  const alerts = rules.filter((rule): rule is Rule & { alert: string } => rule.alert !== undefined);
  const operations = readFileSync(join(REPO_ROOT, "docs", "operations.md"), "utf8");
  const anchors = new Set(
    [...operations.matchAll(/^#{2,4} (.+)$/gm)].map(([, heading]) => anchorOf(heading ?? "")),
  );
  const ruleTests = readdirSync(RULE_TESTS)
    .filter((file) => file.endsWith(".yml"))
    .map((file) => readFileSync(join(RULE_TESTS, file), "utf8"))
    .join("\n");

  it("read only metrics the platform exports (or Prometheus's own up)", () => {
    expect(alerts.length).toBeGreaterThanOrEqual(6);
    const unknown = alerts.flatMap((rule) =>
      metricNames(rule.expr)
        .filter((name) => !exported.has(name))
        .map((name) => `${rule.alert}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it.each(alerts.map((rule) => [rule.alert, rule] as const))(
    "%s: has a severity, a summary, a description, a runbook section and a promtool test",
    (alert, rule) => {
      expect(["critical", "warning", "info"]).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toBeTruthy();
      expect(rule.annotations?.description).toBeTruthy();
      const runbook = rule.annotations?.runbook_url ?? "";
      expect(runbook).toBe(`docs/operations.md#${alert.toLowerCase()}`);
      expect(anchors, `docs/operations.md has no "${alert}" section`).toContain(alert.toLowerCase());
      expect(ruleTests).toContain(`alertname: ${alert}\n`);
    },
  );
});

describe("Prometheus scrape configs", () => {
  const targetsOf = (file: string) => {
    const config = parse(readFileSync(infra("prometheus", file), "utf8")) as {
      scrape_configs: {
        job_name: string;
        static_configs: { targets: string[]; labels: { app: string } }[];
      }[];
    };
    const job = config.scrape_configs.find((c) => c.job_name === "fluxnotify");
    return Object.fromEntries((job?.static_configs ?? []).map((c) => [c.labels.app, c.targets]));
  };
  const compose = parse(readFileSync(join(REPO_ROOT, "compose.yaml"), "utf8")) as {
    services: Record<string, unknown>;
  };

  it("compose's scrapes every app by its service name and port", () => {
    const expected = Object.fromEntries(APP_NAMES.map((app) => [app, [`${app}:${DEV_PORTS[app]}`]]));
    expect(targetsOf("prometheus.yml")).toEqual(expected);
    for (const app of APP_NAMES) expect(Object.keys(compose.services)).toContain(app);
  });

  it("compose mounts the config, rules, provisioning and dashboards where they are looked for", () => {
    const volumesOf = (service: string) => (compose.services[service] as { volumes: string[] }).volumes;
    expect(volumesOf("prometheus")).toEqual(
      expect.arrayContaining([
        "./infra/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
        // prometheus.yml's `rules/*.yml`, relative to the config file.
        "./infra/prometheus/rules:/etc/prometheus/rules:ro",
      ]),
    );
    const provider = parse(
      readFileSync(infra("grafana", "provisioning", "dashboards", "fluxnotify.yml"), "utf8"),
    ) as {
      providers: { type: string; options: { path: string } }[];
    };
    const [files] = provider.providers;
    expect(files?.type).toBe("file");
    expect(volumesOf("grafana")).toEqual(
      expect.arrayContaining([
        "./infra/grafana/provisioning:/etc/grafana/provisioning:ro",
        `./infra/grafana/dashboards:${files?.options.path}:ro`,
      ]),
    );
    const sources = parse(
      readFileSync(infra("grafana", "provisioning", "datasources", "prometheus.yml"), "utf8"),
    ) as {
      datasources: { type: string; url: string }[];
    };
    expect(sources.datasources).toEqual([
      expect.objectContaining({ type: "prometheus", url: "http://prometheus:9090" }),
    ]);
  });

  it("bin/dev's scrapes every app on this machine's ports", () => {
    const expected = Object.fromEntries(APP_NAMES.map((app) => [app, [`127.0.0.1:${DEV_PORTS[app]}`]]));
    expect(targetsOf("prometheus.local.yml")).toEqual(expected);
  });
});
