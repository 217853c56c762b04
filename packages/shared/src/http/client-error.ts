import { type Server, STATUS_CODES } from "node:http";

/** Node's HTTP parser errors, and the status each stands for (RFC 9110). */
const STATUS_OF: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/**
 * Answers what Node's HTTP parser refuses before express sees it (a request line or headers
 * over the size limit, malformed HTTP, a request too slow to arrive) with a problem document
 * like every other error, instead of Node's bare text answer (CONTRACT §4).
 */
export function answerClientErrorsAsProblems(server: Server): void {
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = STATUS_OF[error.code ?? ""] ?? 400;
    const title = STATUS_CODES[status] ?? "Bad Request";
    const body = JSON.stringify({
      type: "about:blank",
      title,
      status,
      detail:
        status === 431
          ? "the request line or headers are larger than the server accepts"
          : status === 408
            ? "the request did not arrive in time"
            : "the request is not valid HTTP",
    });
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
