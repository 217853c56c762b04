export { encodeEvent } from "./encode";
export { type Encoding, type MixOptions, type PlannedEvent, planEvents } from "./mix";
export {
  buildPopulation,
  isBouncingAddress,
  type Population,
  type PopulationOptions,
  type Profile,
  type Tenant,
  type User,
} from "./population";
export { type Random, seededRandom } from "./random";
export { seedPopulation } from "./seed";
