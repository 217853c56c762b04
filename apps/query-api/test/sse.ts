/** One Server-Sent Event as a client sees it (comments too, so heartbeats can be checked). */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
  retry?: number;
  comment?: string;
}

/**
 * A minimal SSE client over fetch, for tests: it parses the stream as EventSource does
 * (fields, blank-line dispatch) and keeps everything it received, in order.
 */
export async function openStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  let ended = false;
  let raw = "";
  const done = (async () => {
    if (!response.ok || !response.body) return;
    const decoder = new TextDecoder();
    let buffer = "";
    let current: Partial<SseEvent> = {};
    try {
      for await (const chunk of response.body) {
        const text = decoder.decode(chunk as Uint8Array, { stream: true });
        raw += text;
        buffer += text;
        let newline = buffer.indexOf("\n");
        while (newline >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf("\n");
          if (line === "") {
            if (current.data !== undefined || current.retry !== undefined) {
              events.push({
                event: current.event ?? "message",
                data: current.data ?? "",
                ...current,
              } as SseEvent);
            }
            current = {};
          } else if (line.startsWith(":")) {
            events.push({ event: "comment", data: "", comment: line.slice(1).trim() });
          } else {
            const colon = line.indexOf(":");
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
            if (field === "data")
              current.data = current.data === undefined ? value : `${current.data}\n${value}`;
            else if (field === "event") current.event = value;
            else if (field === "id") current.id = value;
            else if (field === "retry") current.retry = Number(value);
          }
        }
      }
    } catch {
      // aborted by close()
    }
    ended = true;
  })();
  return {
    status: response.status,
    headers: response.headers,
    response,
    events,
    get raw() {
      return raw;
    },
    get ended() {
      return ended;
    },
    notifications: () =>
      events
        .filter((event) => event.event === "notification")
        .map(
          (event) =>
            ({ id: event.id, ...JSON.parse(event.data) }) as {
              id: string | undefined;
              notificationId: string;
              [field: string]: unknown;
            },
        ),
    unreadCounts: () =>
      events
        .filter((event) => event.event === "unread")
        .map((event) => (JSON.parse(event.data) as { unreadCount: number }).unreadCount),
    async close() {
      controller.abort();
      await done;
    },
    done,
  };
}

export type Stream = Awaited<ReturnType<typeof openStream>>;
