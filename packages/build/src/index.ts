export {
  assertSelfContained,
  type BuildOptions,
  type BuildRecord,
  bundle,
  DEFAULT_ENTRIES,
  DIST,
  type Entry,
  isFresh,
  readRecord,
} from "./bundle";
export { describeRecord } from "./describe";
export { buildOptionsOf, entriesOf } from "./entries";
export { WEB_OUT } from "./web";
