import { existsSync } from 'node:fs';
import type { StoreChoice } from '../../store/store-choice.js';
import { UsageError } from '../../usage-error.js';

/** The choice, if its file exists: checking a store must not create one. */
export function existingPath(choice: StoreChoice, command: string): StoreChoice {
  if (choice.path !== undefined && !existsSync(choice.path)) throw new UsageError(`--path ${choice.path}: no such file`, command);
  return choice;
}
