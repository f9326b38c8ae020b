import type { SimulationResult } from './simulate-trace.js';

/** What a simulation Worker is handed once: the trace, shared, and Belady's future if a cell needs it. */
export interface SimulationWorkerData {
  /** Dense page ids over a `SharedArrayBuffer`: every Worker reads the one copy. */
  readonly ids: Uint32Array;
  readonly distinct: number;
  /** `nextUses` of the trace, shared too, when some cell runs Belady. */
  readonly future: Int32Array | undefined;
  readonly seed: number;
}

/** One cell a Worker is asked to run. */
export interface SimulationCellMessage {
  readonly index: number;
  readonly policy: string;
  readonly size: number;
}

/** A Worker's answer: the result, or the error's name and message. */
export type SimulationCellAnswer =
  | { readonly index: number; readonly result: SimulationResult }
  | { readonly index: number; readonly error: { readonly name: string; readonly message: string } };
