import fc from "fast-check";

/**
 * Property-based test over an API's own OpenAPI document: for every operation it serves,
 * requests with generated parameters and bodies (valid-ish ones and hostile ones: huge
 * numbers, NUL, odd unicode, wrong types, years 0000/9999, oversized strings, forged
 * cursors, wrong content types) must never be answered with a 5xx, every 4xx must be an
 * `application/problem+json` with a `detail`, and every answer must be one the document
 * lists for the operation (CONTRACT §4).
 */

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
}

interface Operation {
  parameters?: Array<{ name: string; in: string; required?: boolean; schema: JsonSchema }>;
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, unknown>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

export interface FuzzOptions {
  base: string;
  doc: OpenApiDocument;
  /** Tokens for reads (GET): any role, any tenant. */
  readTokens: string[];
  /**
   * Tokens for requests that change state. Keep them to a tenant of the test's own, so a
   * generated id can never discard or replay what another test stored.
   */
  writeTokens: string[];
  numRuns: number;
  /** FUZZ_SEED-style reproduction of a failure fast-check reported. */
  seed?: number;
}

const forgedCursors = [
  JSON.stringify(["2026-02-04T10:00:00.000000Z", "99999999999999999999"]),
  JSON.stringify(["2026-13-45T99:99:99.000000Z", "1"]),
  JSON.stringify(["0000-01-01T00:00:00.000000Z", "1"]),
  JSON.stringify(["9999-12-31T23:59:59.999999Z", "9223372036854775808"]),
  JSON.stringify([null, {}]),
  "9223372036854775808",
  "-1",
].map((text) => Buffer.from(text).toString("base64url"));

/** Values that have broken APIs before: the boundaries of int4/int8, dates, text, JSON. */
const HOSTILE_TEXT = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "😀",
  "\u202etxt.exe",
  "Ω≈ç√∫",
  "\uFEFF",
  "-1",
  "0",
  "-0",
  "1.5",
  "1e400",
  "NaN",
  "Infinity",
  "2147483648",
  "9223372036854775807",
  "9223372036854775808",
  "-9223372036854775809",
  "99999999999999999999999999",
  "0000-01-01",
  "9999-12-31",
  "2026-02-30",
  "0000-01-01T00:00:00Z",
  "9999-12-31T23:59:59-14:00",
  "2026-13-45T99:99:99Z",
  "null",
  "true",
  "[]",
  "{}",
  "%",
  "../../etc/passwd",
  "'; select pg_sleep(1); --",
  "x".repeat(2_500),
  "y".repeat(20_000),
  ...forgedCursors,
];

const hostileText = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_TEXT) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
);

const isoDate = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-12-31T23:59:59Z"), noInvalidDate: true })
  .map((date) => date.toISOString());

function types(schema: JsonSchema): string[] {
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

/** Strings of a pattern fast-check can generate from; any short string otherwise. */
function matching(pattern: string): fc.Arbitrary<string> {
  try {
    return fc.stringMatching(new RegExp(pattern)).filter((text) => text.length < 200);
  } catch {
    return fc.string({ maxLength: 40 });
  }
}

/** Something the schema would accept, or close to it: in range, the right shape. */
function plausible(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.anyOf?.length) return fc.oneof(...schema.anyOf.map((s) => plausible(s, depth)));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const type = types(schema).find((t) => t !== "null");
  switch (type) {
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000_000 });
    case "number":
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case "boolean":
      return fc.boolean();
    case "array":
      return depth > 3
        ? fc.constant([])
        : fc.array(plausible(schema.items ?? {}, depth + 1), { maxLength: 3 });
    case "object": {
      if (depth > 3) return fc.constant({});
      const properties = Object.entries(schema.properties ?? {});
      return fc.record(Object.fromEntries(properties.map(([name, s]) => [name, plausible(s, depth + 1)])), {
        requiredKeys: [],
      });
    }
    case "string": {
      if (schema.format === "date") return isoDate.map((iso) => iso.slice(0, 10));
      if (schema.format === "date-time") return isoDate;
      if (schema.format === "email") return fc.emailAddress();
      if (schema.pattern) return matching(schema.pattern);
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
    }
    default:
      return fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean());
  }
}

/** Any JSON value, with a bias to the hostile: wrong types, huge and odd numbers, nesting. */
const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  fc.constantFrom(null, true, false, 0, -1, 1e308, -1e308, 2 ** 63, Number.MAX_SAFE_INTEGER + 2, 0.1),
  fc.integer(),
  fc.array(hostileText, { maxLength: 3 }),
  fc.dictionary(hostileText, hostileText, { maxKeys: 3 }),
);

function value(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 3, arbitrary: plausible(schema, depth) }, { weight: 2, arbitrary: hostileJson });
}

/** A parameter as it travels in a URL: the text of a value, or several (repeated). */
const asText = (v: unknown) => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""));

/** Percent-encodes UTF-8 bytes, so lone surrogates and NUL travel as a client would send them. */
function encode(text: string): string {
  return [...Buffer.from(text, "utf8")]
    .map((byte) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`,
    )
    .join("");
}

/** Raw (already encoded) path and query pieces that are not valid percent-encoding. */
const RAW_PIECES = ["%E0%A4%A", "%", "%zz", "%C0%AF", "%FF%FE"];

interface GeneratedRequest {
  method: string;
  path: string;
  url: string;
  token: string | undefined;
  contentType: string | undefined;
  body: string | undefined;
}

const CONTENT_TYPES = [
  "application/json",
  "application/json",
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=utf-16",
  "application/xml",
  undefined,
];

function requestFor(
  path: string,
  method: string,
  operation: Operation,
  options: FuzzOptions,
): fc.Arbitrary<GeneratedRequest> {
  const parameters = operation.parameters ?? [];
  const pathParams = parameters.filter((p) => p.in === "path");
  const queryParams = parameters.filter((p) => p.in === "query");
  const bodySchema = operation.requestBody?.content["application/json"]?.schema;
  const tokens = method === "get" ? options.readTokens : options.writeTokens;
  const hostileTokens = [
    "not.a.jwt",
    "",
    "a".repeat(5_000),
    `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"sub":"x\\u0000"}').toString("base64url")}.`,
  ];

  // Well-formed requests reach the handlers (and their SQL); hostile ones the validation.
  const build = (hostile: boolean) => {
    const text = (schema: JsonSchema) =>
      (hostile ? value(schema) : plausible(schema)).map((v) => encode(asText(v)));
    const pathValue = (schema: JsonSchema) =>
      hostile
        ? fc.oneof(
            { weight: 6, arbitrary: text(schema) },
            { weight: 1, arbitrary: fc.constantFrom(...RAW_PIECES) },
          )
        : text(schema);
    const queryValue = (schema: JsonSchema) =>
      hostile
        ? fc.oneof(
            { weight: 6, arbitrary: text(schema).map((t) => [t]) },
            { weight: 1, arbitrary: fc.array(text(schema), { minLength: 2, maxLength: 3 }) },
            { weight: 1, arbitrary: fc.constantFrom(...RAW_PIECES).map((raw) => [raw]) },
          )
        : text(schema).map((t) => [t]);
    const body = !bodySchema
      ? fc.constant(undefined)
      : hostile
        ? fc.oneof(
            { weight: 6, arbitrary: value(bodySchema).map((v) => JSON.stringify(v) ?? "null") },
            {
              weight: 1,
              arbitrary: fc.constantFrom(
                "{oops",
                "",
                "[".repeat(3_000),
                '{"a":1,"a":2}',
                "\u0000",
                undefined,
              ),
            },
          )
        : plausible(bodySchema).map((v) => JSON.stringify(v));
    return fc.record({
      params: fc.tuple(...pathParams.map((p) => pathValue(p.schema))),
      // A well-formed request names a few optional parameters, so that most of them pass.
      query: fc.tuple(
        ...queryParams.map((p) =>
          p.required
            ? queryValue(p.schema)
            : fc.oneof(
                { weight: hostile ? 1 : 3, arbitrary: fc.constant(undefined) },
                { weight: hostile ? 4 : 1, arbitrary: queryValue(p.schema) },
              ),
        ),
      ),
      extraQuery: hostile
        ? fc.option(fc.tuple(hostileText, hostileText), { nil: undefined, freq: 8 })
        : fc.constant(undefined),
      token: hostile
        ? fc.oneof(
            { weight: 8, arbitrary: fc.constantFrom(...tokens) },
            { weight: 1, arbitrary: fc.constantFrom(...hostileTokens, undefined) },
          )
        : fc.constantFrom(...tokens),
      contentType: hostile ? fc.constantFrom(...CONTENT_TYPES) : fc.constant("application/json"),
      body,
    });
  };

  return fc
    .oneof({ weight: 1, arbitrary: build(false) }, { weight: 2, arbitrary: build(true) })
    .map(({ params, query, extraQuery, token, contentType, body }) => {
      let url = path;
      pathParams.forEach((p, n) => {
        url = url.replace(`{${p.name}}`, params[n] as string);
      });
      const pairs: string[] = [];
      queryParams.forEach((p, n) => {
        for (const text of (query[n] as string[] | undefined) ?? []) pairs.push(`${encode(p.name)}=${text}`);
      });
      if (extraQuery) pairs.push(`${encode(extraQuery[0])}=${encode(extraQuery[1])}`);
      if (pairs.length > 0) url += `?${pairs.join("&")}`;
      return {
        method: method.toUpperCase(),
        path,
        url,
        token,
        contentType: body === undefined ? undefined : contentType,
        body,
      };
    });
}

/** What was wrong with an answer, or undefined when it keeps the API's promises. */
async function violation(response: Response, operation: Operation) {
  // A stream (the inbox's SSE) never ends by itself: its status and type are the answer.
  if ((response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    await response.body?.cancel();
    return operation.responses[String(response.status)]
      ? undefined
      : `event stream with status ${response.status}`;
  }
  const text = await response.text();
  if (response.status >= 500) return `${response.status}: ${text.slice(0, 300)}`;
  // Answers of the server rather than the operation: a path parameter that is empty no
  // longer matches this path (404), a URL over Node's header limit never reaches it (431).
  const serverLevel = response.status === 431 || (response.status === 404 && !operation.responses["404"]);
  if (!serverLevel && operation.responses[String(response.status)] === undefined) {
    return `undocumented status ${response.status}: ${text.slice(0, 300)}`;
  }
  if (response.status < 400) return undefined;
  const type = response.headers.get("content-type") ?? "";
  if (!type.includes("application/problem+json"))
    return `${response.status} as ${type}: ${text.slice(0, 200)}`;
  try {
    const problem = JSON.parse(text) as { detail?: unknown; status?: unknown };
    if (typeof problem.detail !== "string" || problem.detail === "") return `problem without detail: ${text}`;
    if (problem.status !== response.status) return `problem status ${problem.status} ≠ ${response.status}`;
  } catch {
    return `problem body is not JSON: ${text.slice(0, 200)}`;
  }
  return undefined;
}

/**
 * Runs `numRuns` generated requests spread over every operation of the document; throws
 * (with fast-check's shrunk counterexample) on the first broken promise. Resolves with the
 * statuses seen, so a caller can check that the run reached past validation.
 */
export async function fuzzOpenApi(options: FuzzOptions): Promise<Map<number, number>> {
  const operations = Object.entries(options.doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );
  const statuses = new Map<number, number>();
  const arbitrary = fc.oneof(
    ...operations.map(({ path, method, operation }) => requestFor(path, method, operation, options)),
  );
  await fc.assert(
    fc.asyncProperty(arbitrary, async (request) => {
      const operation = options.doc.paths[request.path]?.[request.method.toLowerCase()] as Operation;
      const response = await fetch(`${options.base}${request.url}`, {
        method: request.method,
        headers: {
          ...(request.token === undefined ? {} : { authorization: `Bearer ${request.token}` }),
          ...(request.contentType === undefined ? {} : { "content-type": request.contentType }),
        },
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const problem = await violation(response, operation);
      if (problem) throw new Error(`${request.method} ${request.url} → ${problem}`);
    }),
    { numRuns: options.numRuns, ...(options.seed === undefined ? {} : { seed: options.seed }) },
  );
  return statuses;
}
