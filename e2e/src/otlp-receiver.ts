import { createServer, type IncomingMessage, type Server } from "node:http";
import { gunzipSync } from "node:zlib";

/** A span as an OTLP/HTTP JSON export carried it, flattened for assertions. */
export interface ReceivedSpan {
  service: string;
  name: string;
  /** OTLP's SpanKind numbers: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  links: Array<{ traceId: string; spanId: string }>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values?: OtlpValue[] };
}
type OtlpAttributes = Array<{ key: string; value: OtlpValue }> | undefined;

const otlpValue = (value: OtlpValue): unknown =>
  value.stringValue ??
  (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
  value.boolValue ??
  value.doubleValue ??
  value.arrayValue?.values?.map(otlpValue);

const attributesOf = (attributes: OtlpAttributes) =>
  Object.fromEntries((attributes ?? []).map(({ key, value }) => [key, otlpValue(value)]));

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return req.headers["content-encoding"] === "gzip" ? gunzipSync(body) : body;
}

/**
 * A stand-in for an OpenTelemetry collector on loopback: accepts OTLP/HTTP JSON trace
 * exports (POST /v1/traces, what the apps' exporter sends) and serves what it got, by trace,
 * to the test files (GET /spans?traceId=…).
 */
export async function startOtlpReceiver(port: number): Promise<{ url: string; stop(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "POST" && url.pathname === "/v1/traces") {
      bodyOf(req)
        .then((body) => {
          const exported = JSON.parse(body.toString("utf8")) as {
            resourceSpans?: Array<{
              resource?: { attributes?: OtlpAttributes };
              scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }>;
            }>;
          };
          for (const resourceSpans of exported.resourceSpans ?? []) {
            const service = String(attributesOf(resourceSpans.resource?.attributes)["service.name"] ?? "");
            for (const scope of resourceSpans.scopeSpans ?? []) {
              for (const span of scope.spans ?? []) {
                spans.push({
                  service,
                  name: String(span.name),
                  kind: Number(span.kind),
                  traceId: String(span.traceId),
                  spanId: String(span.spanId),
                  ...(span.parentSpanId ? { parentSpanId: String(span.parentSpanId) } : {}),
                  attributes: attributesOf(span.attributes as OtlpAttributes),
                  links: ((span.links as Array<{ traceId: string; spanId: string }>) ?? []).map(
                    ({ traceId, spanId }) => ({ traceId, spanId }),
                  ),
                });
              }
            }
          }
          res.writeHead(200, { "content-type": "application/json" }).end("{}");
        })
        .catch(() => res.writeHead(400).end());
      return;
    }
    if (req.method === "GET" && url.pathname === "/spans") {
      const traceId = url.searchParams.get("traceId");
      const found = spans.filter((span) => span.traceId === traceId);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(found));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
