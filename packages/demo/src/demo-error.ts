/** A failure the demo explains itself: printed as it is, without a stack trace. */
export class DemoError extends Error {
  override name = "DemoError";
}
