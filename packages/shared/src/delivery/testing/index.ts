// Harness, samples and benchmark driver for channel workers' tests and bench scripts.
export { type BenchResult, runDeliveryBench } from "./bench";
export { type DeliveryHarness, startDeliveryHarness } from "./harness";
export { SAMPLE_TEMPLATE_DATA, sampleCommand } from "./samples";
export { type ScriptedStep, type ScriptedStrategy, scriptedStrategy } from "./scripted";
