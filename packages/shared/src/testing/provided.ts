// Values the global setup provides to test workers (vitest `inject`).
declare module "vitest" {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    redisUrl: string;
  }
}

export {};
