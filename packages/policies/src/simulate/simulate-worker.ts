import { parentPort, workerData } from 'node:worker_threads';
import { createPolicy } from '../policy-registry.js';
import { replayTrace } from './simulate-trace.js';
import type { SimulationCellAnswer, SimulationCellMessage, SimulationWorkerData } from './simulation-job.js';

// A Worker of simulateCells: runs each cell it is sent over the shared trace, answers one at a time.
const data = workerData as SimulationWorkerData;
const port = parentPort!;
port.on('message', (cell: SimulationCellMessage) => {
  let answer: SimulationCellAnswer;
  try {
    answer = { index: cell.index, result: replayTrace(data.ids, data.distinct, (context) => createPolicy(cell.policy, context), cell.size, data.future, data.seed) };
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    answer = { index: cell.index, error: { name, message } };
  }
  port.postMessage(answer);
});
