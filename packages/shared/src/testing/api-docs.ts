/** One answer, as far as the API reference's checks care. */
export interface FetchedFile {
  path: string;
  status: number;
  contentType: string | null;
  csp: string | null;
  body: Buffer;
}

export interface FetchedApiReference {
  page: FetchedFile;
  html: string;
  /** Every src and href on the page, as written. */
  references: string[];
  /** What each reference that is a path of the app answered, fetched as a browser would. */
  files: FetchedFile[];
}

async function fetchFile(origin: string, path: string): Promise<FetchedFile> {
  const response = await fetch(new URL(path, origin));
  return {
    path,
    status: response.status,
    contentType: response.headers.get("content-type"),
    csp: response.headers.get("content-security-policy"),
    body: Buffer.from(await response.arrayBuffer()),
  };
}

/**
 * GET /docs from a running app, then every file the page references: for the unit test
 * (sources) and the bundles test (a copied dist/, no node_modules) alike.
 */
export async function fetchApiReference(origin: string): Promise<FetchedApiReference> {
  const page = await fetchFile(origin, "/docs");
  const html = page.body.toString("utf8");
  const references = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((match) => match[1] as string);
  const paths = references.filter((reference) => reference.startsWith("/") && !reference.startsWith("//"));
  const files = await Promise.all(paths.map((path) => fetchFile(origin, path)));
  return { page, html, references, files };
}
