export {
  assertSelfContained,
  type BuildRecord,
  bundle,
  DEFAULT_ENTRIES,
  DIST,
  type Entry,
  isFresh,
  readRecord,
} from "./bundle";
export { describeRecord } from "./describe";
export { entriesOf } from "./entries";
