/**
 * The metric names a PromQL expression reads, for checking dashboards and alert rules
 * against what the platform exports. Not a parser: label matchers, ranges, strings and
 * label lists (`by (…)`, `on (…)`) are removed, then every identifier left that is not
 * called (a function, an aggregation) and is not an operator keyword is a metric name.
 */
const KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "inf",
  "nan",
]);

export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w$:.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (!name || call || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names].sort();
}

/** What a scrape shows for a collector: a histogram's buckets, sum and count; a summary's sum and count. */
export function scrapedNames(metric: { name: string; type: string }): string[] {
  if (metric.type === "histogram") return ["_bucket", "_sum", "_count"].map((s) => metric.name + s);
  if (metric.type === "summary") return [metric.name, `${metric.name}_sum`, `${metric.name}_count`];
  return [metric.name];
}
